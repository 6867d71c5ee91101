"""Files are untrusted input: nothing in a file chooses a path, an option, a tolerance or a
verdict, and every malformed number, shape, size or nesting is refused naming the field."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest

import lpmech
from lpmech.errors import (
    FileAccessError,
    FileFormatError,
    InvalidArgumentError,
    LpmechError,
    VerificationError,
)
from lpmech.files import SAFE_SOLVER_OPTIONS, from_data, to_data


@pytest.fixture(scope="module")
def solution():
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
    return lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])


@pytest.fixture
def data(solution):
    return json.loads(json.dumps(to_data(solution)))


def _write(tmp_path, data, name="crafted.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


def test_a_file_cannot_choose_where_highs_writes(solution, tmp_path):
    data = json.loads(json.dumps(to_data(solution)))
    targets = {name: tmp_path / "elsewhere" / name for name in ("log", "solution")}
    data["solver_options"] = {
        "log_file": str(targets["log"]),
        "write_solution_to_file": True,
        "solution_file": str(targets["solution"]),
        "output_flag": True,
        "presolve": "off",
    }
    loaded = lpmech.load(_write(tmp_path, data))
    assert loaded.solver_options == {"presolve": "off"}
    (tmp_path / "elsewhere").mkdir()
    lpmech.optimal_range(loaded, lpmech.Quantity.interim_payment(loaded.mechanism.env, 0, 1))
    assert not any(path.exists() for path in targets.values())


@pytest.mark.parametrize(
    ("name", "value"), [("presolve", "maybe"), ("time_limit", "inf"), ("random_seed", True)]
)
def test_a_harmless_option_with_a_bad_value_is_named(data, name, value):
    assert name in SAFE_SOLVER_OPTIONS
    data["solver_options"] = {name: value}
    with pytest.raises(FileFormatError, match=f"crafted.json: solver_options.{name}"):
        from_data(data, source="crafted.json")


def _tamper_payment(solution, data):
    """Charge the winner more than their value: ex-post IR fails by 1e-3 of the scale."""
    winner = int(np.argmax(np.abs(solution.mechanism.payments[:, 0])))
    data["mechanism"]["payments"][winner][0] += 1e-3


def test_a_tolerance_raised_inside_the_file_does_not_let_a_tampered_payment_pass(solution, data):
    _tamper_payment(solution, data)
    for check in data["verification"]["checks"]:
        check["tolerance"] = 1e6
    with pytest.raises(VerificationError, match="ex_post_ir"):
        from_data(data, source="crafted.json")


def test_a_verdict_written_as_failed_does_not_excuse_an_imposed_family(solution, data):
    _tamper_payment(solution, data)
    for check in data["verification"]["checks"]:
        check["max_violation"] = 1.0  # recorded as failing
    with pytest.raises(VerificationError, match="ex_post_ir"):
        from_data(data, source="crafted.json")


def test_the_verdict_is_recomputed_at_the_callers_tolerance(solution, tmp_path, data):
    _tamper_payment(solution, data)
    path = _write(tmp_path, data)
    with pytest.raises(VerificationError):
        lpmech.load(path)
    loose = lpmech.load(path, tol=1e-2)  # the caller, not the file, loosens it
    assert loose.verification.ok
    assert loose.verification["ex_post_ir"].tolerance == pytest.approx(1e-2 * 3)
    with pytest.raises(InvalidArgumentError, match="tol"):
        lpmech.load(path, tol="1e-2")


def _with_objective_value(data, tmp_path, literal):
    text = json.dumps(data).replace(
        f'"objective_value": {json.dumps(data["objective_value"])}',
        f'"objective_value": {literal}',
    )
    assert literal in text
    path = tmp_path / "nan.json"
    path.write_text(text)
    return path


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_non_finite_objective_value_is_refused(data, tmp_path, literal):
    path = _with_objective_value(data, tmp_path, literal)
    with pytest.raises(FileFormatError, match=r"nan.json: objective_value"):
        lpmech.load(path)


@pytest.mark.parametrize("literal", ["NaN", "-Infinity"])
def test_a_non_finite_literal_is_refused_naming_its_place(data, tmp_path, literal):
    text = json.dumps(data).replace('"payments": [[', f'"payments": [[{literal}, ', 1)
    path = tmp_path / "deep.json"
    path.write_text(text)
    with pytest.raises(FileFormatError, match=r"deep.json: mechanism\.payments\[0\]\[0\]: "):
        lpmech.load(path)


@pytest.mark.slow
def test_lpmech_verify_fails_on_a_nan_objective_value(data, tmp_path):
    path = _with_objective_value(data, tmp_path, "NaN")
    result = subprocess.run(
        [sys.executable, "-m", "lpmech", "verify", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("lpmech: error:")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (
            lambda d: d["environment"]["agents"][0].__setitem__("types", [1, "2", 3]),
            "environment.agents[0].types",
        ),
        (
            lambda d: d["environment"]["agents"][0].__setitem__("types", [1, "inf", 3]),
            "environment.agents[0].types",
        ),
        (
            lambda d: d["environment"]["agents"][1].__setitem__("types", [1, True, 3]),
            "environment.agents[1].types",
        ),
        (
            lambda d: d["environment"]["agents"][1].__setitem__("types", [1, 10**400, 3]),
            "environment.agents[1].types",
        ),
        (
            lambda d: d["environment"]["agents"][0].__setitem__("types", [[1], 2, 3]),
            "environment.agents[0].types",
        ),
        (
            lambda d: d["environment"]["agents"][0].__setitem__("prior", [0.5, 0.5]),
            "environment.agents[0].prior",
        ),
        (
            lambda d: d["environment"]["agents"][0].__setitem__("name", 7),
            "environment.agents[0].name",
        ),
        (
            lambda d: d["environment"]["agents"][0].__setitem__("labels", [1, 2, 3]),
            "environment.agents[0].labels",
        ),
        (lambda d: d["environment"].__setitem__("prior", [[1.0]]), "environment.prior"),
        (lambda d: d["environment"].__setitem__("agents", {"a": 1}), "environment.agents"),
        (
            lambda d: d["environment"]["valuations"].__setitem__(0, "x"),
            "environment.valuations[0]",
        ),
        (
            lambda d: d["environment"]["allocation"].__setitem__("n_items", 10**8),
            "environment.allocation.n_items",
        ),
        (
            lambda d: d["environment"]["allocation"].__setitem__("n_items", -1),
            "environment.allocation.n_items",
        ),
        (
            lambda d: d["environment"]["allocation"].__setitem__("unit_demand", "yes"),
            "environment.allocation.unit_demand",
        ),
        (
            lambda d: d["environment"]["allocation"].__setitem__("kind", "sphere"),
            "environment.allocation.kind",
        ),
        (lambda d: d["mechanism"]["payments"][0].__setitem__(0, "NaN"), "mechanism.payments"),
        (lambda d: d["mechanism"].__setitem__("payments", [[0.0, 0.0]]), "mechanism.payments"),
        (lambda d: d["duals"].__setitem__("bic", [0.0]), "duals.bic"),
        (lambda d: d["duals"].__setitem__("ex_post_ir", [[0.0]]), "duals.ex_post_ir"),
        (lambda d: d["duals"].__setitem__("ex_post_ir", ["inf"]), "duals.ex_post_ir"),
        (lambda d: d.__setitem__("solver_options", [1]), "solver_options"),
        (lambda d: d.__setitem__("families", "dsic"), "families"),
        (lambda d: d.__setitem__("objective_value", "2"), "objective_value"),
    ],
)
def test_malformed_fields_are_refused_naming_the_field_path(data, edit, field):
    edit(data)
    with pytest.raises(FileFormatError) as caught:
        from_data(data, source="crafted.json")
    assert str(caught.value).startswith("crafted.json: ")
    assert field in str(caught.value)


def test_absurd_declared_sizes_are_refused_before_allocating(tmp_path):
    env = lpmech.Environment(
        [lpmech.Agent("a", [1.0, 2.0], [0.5, 0.5])],
        lpmech.AllocationSpace(["x", "y"], [[1.0, 1.0]], [-math.inf], [1.0]),
        [[[1.0, 0.0], [2.0, 1.0]]],
    )
    data = json.loads(json.dumps(to_data(env)))
    matrix = data["environment"]["allocation"]["matrix"]
    for shape in ([10**9, 10**9], [1, 10**12], [2, 2]):
        matrix["shape"] = shape
        start = time.perf_counter()
        with pytest.raises(FileFormatError, match=r"environment.allocation.matrix.shape"):
            from_data(data, source="huge.json")
        assert time.perf_counter() - start < 0.5
    matrix["shape"] = [1, 2]
    matrix["rows"] = [5, 0]
    with pytest.raises(FileFormatError, match=r"environment.allocation.matrix.rows"):
        from_data(data, source="huge.json")
    items = json.loads(json.dumps(to_data(lpmech.single_item_auction([1, 2], n_bidders=1))))
    items["environment"]["allocation"]["n_items"] = 10**8
    start = time.perf_counter()
    with pytest.raises(FileFormatError, match=r"10{8} items declared but 1 item_names"):
        from_data(items, source="huge.json")
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deep_nesting_is_refused(tmp_path, depth):
    path = tmp_path / "deep.json"
    path.write_text('{"format": "lpmech", "x": ' + "[" * depth + "]" * depth + "}")
    with pytest.raises(FileFormatError, match=r"deep.json: nested deeper than \d+ levels"):
        lpmech.load(path)


def test_files_that_cannot_be_read_or_written_are_named_errors(solution, tmp_path):
    with pytest.raises(FileAccessError, match=f"cannot read {tmp_path}: Is a directory"):
        lpmech.load(tmp_path)
    with pytest.raises(FileAccessError, match=r"missing.json: No such file"):
        lpmech.load(tmp_path / "missing.json")
    with pytest.raises(InvalidArgumentError, match=r"load: path .* is not a valid file name"):
        lpmech.load("bad\x00name.json")
    with pytest.raises(InvalidArgumentError, match=r"save: path .* is not a valid file name"):
        lpmech.save(solution, "bad\x00name.json")
    with pytest.raises(FileAccessError, match=r"cannot write .*no/such/x.json: No such file"):
        lpmech.save(solution, tmp_path / "no" / "such" / "x.json")
    if os.path.exists("/dev/full"):
        with pytest.raises(FileAccessError, match="cannot write /dev/full: No space left"):
            lpmech.save(solution, "/dev/full")
    for error in (FileAccessError, FileFormatError):
        assert issubclass(error, LpmechError)
    assert issubclass(FileAccessError, OSError)


@pytest.mark.parametrize("reader", [lpmech.load, lpmech.Problem.load])
def test_only_a_regular_file_is_opened(reader, tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # opening it would block until a writer came
    for path in (fifo, tmp_path, "/dev/zero"):  # a FIFO, a directory, an endless device
        start = time.perf_counter()
        with pytest.raises(FileAccessError, match=f"cannot read {path}"):
            reader(path)
        assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    ("reader", "suffix"), [(lpmech.load, ".json"), (lpmech.Problem.load, ".toml")]
)
def test_a_file_too_large_to_parse_is_refused_by_its_size(reader, suffix, tmp_path, monkeypatch):
    from lpmech.errors import ProblemTooLargeError
    from lpmech.problem import memory

    path = tmp_path / f"big{suffix}"
    path.write_text(" " * 100_000)
    monkeypatch.setattr(memory, "available_memory", lambda: 1_000_000)
    with pytest.raises(ProblemTooLargeError, match="big"):
        reader(path)


@pytest.mark.parametrize(
    ("place", "field"),
    [
        ((), "colour"),
        (("agents", 0), "size"),
        (("allocation",), "capacity"),
    ],
)
def test_a_field_the_format_does_not_have_is_refused(data, tmp_path, place, field):
    table = data["environment"]
    for key in place:
        table = table[key]
    table[field] = 1
    where = ".".join(["environment", *(f"{k}" for k in place)]).replace(".0", "[0]")
    with pytest.raises(FileFormatError, match=re.escape(f"{where}.{field}: unknown field")):
        lpmech.load(_write(tmp_path, data))
