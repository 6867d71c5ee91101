"""One size guard on every path: refuse before anything large is allocated, say what fits.

Each refusal is a :class:`~lpmech.errors.ProblemTooLargeError` raised from counts alone
(Python integers of any size); peak memory during a refusal is measured with
``tracemalloc``. Refusal times are measured in ``benchmarks/size_guard.py``.
"""

from __future__ import annotations

import json
import tracemalloc
from fractions import Fraction

import numpy as np
import pytest

import lpmech
from lpmech.errors import FileFormatError, InvalidArgumentError, ProblemTooLargeError
from lpmech.problem import memory
from lpmech.problem.allocation import Exchange, Items, Units
from lpmech.problem.builders import (
    double_auction,
    multi_item_auction,
    multi_unit_auction,
    procurement_auction,
    public_good,
    single_item_auction,
)
from lpmech.solving.canonical import Quantity, optimal_range
from lpmech.solving.design_program import formulate
from lpmech.sweeps.grid import parse_values, points
from tests.fresh_process import run_python

MB = 10**6
#: Values held exactly (Fractions): a Python object per table entry, sized as such.
EXACT_GRID = [Fraction(1, 3), Fraction(2, 3), Fraction(1)]


def peak_bytes(action):
    """(peak bytes allocated by Python and numpy during ``action``, what it raised)."""
    tracemalloc.start()
    try:
        action()
    except Exception as error:  # the refusal under test
        raised = error
    else:
        raised = None
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, raised


@pytest.mark.parametrize(
    ("action", "named"),
    [
        (lambda: Items(["a"], 10**9), "n_items=1,000,000,000"),
        (lambda: Items([f"b{i}" for i in range(10)], 10**8), "Items"),
        (lambda: single_item_auction([1, 2], 100_000), "single_item_auction"),
        (lambda: single_item_auction([1, 2], 10**9), "shared by 1,000,000,000 agents"),
        (lambda: multi_item_auction([[1, 2]], 10**5), "multi_item_auction"),
        (lambda: public_good([0, 1], 10**9, cost=1), "values shared"),
        (lambda: procurement_auction([1, 2], 10**5, buyer_value=3), "procurement_auction"),
        (lambda: multi_unit_auction([1, 2], 10**5, n_units=2), "multi_unit_auction"),
        (lambda: double_auction([1, 2], [1, 2], 10**5, 2), "double_auction"),
        (lambda: double_auction([1, 2], [1, 2], 2, 10**5), "double_auction"),
        (lambda: double_auction(EXACT_GRID, EXACT_GRID, 3 * 10**4, 2), "double_auction"),
        (lambda: single_item_auction(range(10**9), 2), "values of 1,000,000,000 entries"),
        (lambda: procurement_auction(range(10**9), 2, buyer_value=3), "costs of"),
        (lambda: double_auction([1], range(10**9), 1, 1), "seller_costs of"),
    ],
)
def test_builders_and_items_refuse_before_allocating(action, named):
    peak, raised = peak_bytes(action)
    assert isinstance(raised, ProblemTooLargeError)
    assert named in str(raised)
    assert "At most" in str(raised)  # what would fit
    assert raised.estimate > raised.limit
    assert peak < 20 * MB


@pytest.mark.slow
@pytest.mark.parametrize(
    "action",
    [
        lambda: Units((f"b{i}" for i in range(10**9)), 2),
        lambda: Exchange(["b"], (f"s{i}" for i in range(10**9))),
    ],
)
def test_an_endless_iterator_of_names_is_read_only_so_far(action):
    peak, raised = peak_bytes(action)
    assert isinstance(raised, ProblemTooLargeError)
    assert "names" in str(raised)
    assert peak < 200 * MB


def test_solve_with_1030_bidders_refuses_without_overflow():
    env = single_item_auction([1, 2], 1030)
    peak, raised = peak_bytes(lambda: lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]))
    assert isinstance(raised, ProblemTooLargeError)
    assert "e310 profiles" in str(raised)  # 2^1030 ≈ 1.15e310, counted exactly
    assert "alone" in str(raised)  # refused on the mechanism's own numbers, before compiling
    assert raised.estimate > 2**1030
    assert peak < 50 * MB


@pytest.mark.parametrize("n_types", [10_000, 20_000])
def test_refusal_at_many_types_allocates_little_and_says_what_fits(n_types):
    env = single_item_auction(np.arange(1, n_types + 1), 10)
    peak, raised = peak_bytes(
        lambda: lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], memory_limit=4e9)
    )
    assert isinstance(raised, ProblemTooLargeError)
    message = str(raised)
    assert "What would fit" in message
    assert "types per agent (now up to" in message
    assert peak < 100 * MB


def test_what_fits_is_the_largest_type_count_that_fits():
    from lpmech.formulations import DesignProblem
    from lpmech.program.objectives import resolve_objective
    from lpmech.solving.pipeline import compiled_problem, resolve_request
    from lpmech.solving.sizing import ESTIMATED, estimate

    env = single_item_auction(np.arange(1, 41), 5)
    limit = 10**8
    with pytest.raises(ProblemTooLargeError) as caught:
        lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], memory_limit=limit)
    k = int(str(caught.value).split("at most ")[-1].split(" types")[0])

    def smallest(types):
        smaller = single_item_auction(np.arange(1, types + 1), 5)
        request = resolve_request(
            smaller, "revenue", ["dsic", "ex_post_ir"], False, "auto", "auto", None, False
        )
        problem = compiled_problem(request)
        problem = DesignProblem(smaller, resolve_objective("revenue"), problem.families)
        return min(estimate(problem, name).n_bytes for name in ESTIMATED)

    assert smallest(k) <= limit < smallest(k + 1)


def test_formulate_refuses_what_solve_would_refuse_before_building():
    env = single_item_auction(np.arange(1, 31), 4)
    peak, raised = peak_bytes(
        lambda: formulate(env, "revenue", ["dsic", "ex_post_ir"], memory_limit=2e9)
    )
    assert isinstance(raised, ProblemTooLargeError)
    assert "direct" in str(raised)
    assert peak < 50 * MB
    small = formulate(single_item_auction([1, 2], 2), "revenue", ["dsic"], memory_limit=2e9)
    assert small.problem is not None


@pytest.mark.parametrize("limit", [10**400, float("inf"), float("nan"), -1, 0, "1e9", True])
def test_memory_limit_must_be_a_positive_number_of_bytes(limit):
    env = single_item_auction([1, 2], 2)
    with pytest.raises(InvalidArgumentError, match="memory_limit"):
        lpmech.solve(env, "revenue", ["dsic"], memory_limit=limit)


def test_huge_counts_format_exactly():
    assert memory.format_bytes(2**1030) == "1.15e295 PB"
    assert memory.format_bytes(1500) == "1.5 kB"
    assert memory.format_count(12345) == "12,345"
    assert memory.format_count(10**400 + 1) == "1.00e400"
    assert memory.format_count(2**1030) == "1.15e310"


@pytest.mark.slow
def test_default_limit_respects_the_address_space_limit():
    code = (
        "import resource\n"
        "resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, resource.RLIM_INFINITY))\n"
        "from lpmech.problem.memory import resolve_memory_limit\n"
        "print(resolve_memory_limit(None))\n"
    )
    limit = int(run_python("-c", code).stdout)
    assert 0 < limit <= 3 * 2**30 // 2


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_default_limit_respects_the_cgroup_memory_limit(tmp_path, monkeypatch, version):
    proc = tmp_path / "cgroup"
    root = tmp_path / "fs"
    if version == "v2":
        proc.write_text("0::/job/step\n")
        directory, files = root / "job" / "step", memory.V2_FILES
    else:
        proc.write_text("4:memory:/job/step\n0::/\n")
        directory, files = root / "memory" / "job" / "step", memory.V1_FILES
    directory.mkdir(parents=True)
    (directory / files[0]).write_text(f"{2 * 2**30}\n")
    (directory / files[1]).write_text(f"{2**30 // 2}\n")
    (directory.parent / files[0]).write_text(
        "max\n" if version == "v2" else "9223372036854771712\n"
    )
    monkeypatch.setattr(memory, "PROC_CGROUP", proc)
    monkeypatch.setattr(memory, "CGROUP_ROOT", root)
    assert memory.available_memory() <= 2 * 2**30 - 2**30 // 2
    assert memory.resolve_memory_limit(None) <= (2 * 2**30 - 2**30 // 2) // 2


def test_load_refuses_a_small_file_declaring_a_huge_allocation(tmp_path):
    env = multi_item_auction([[1, 2], [2, 1]], 1)
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    path = tmp_path / "solution.json"
    lpmech.save(solution, path)
    data = json.loads(path.read_text())
    data["environment"]["allocation"]["n_items"] = 10**8
    data["environment"]["allocation"]["item_names"] = [f"item {k}" for k in range(2)]
    crafted = tmp_path / "crafted.json"
    crafted.write_text(json.dumps(data))
    assert crafted.stat().st_size < 5000
    peak, raised = peak_bytes(lambda: lpmech.load(crafted))
    # the declared count is held against the data present before anything is built
    assert isinstance(raised, FileFormatError)
    assert "n_items: 100000000 items declared but 2 item_names given" in str(raised)
    assert peak < 20 * MB
    data["environment"]["allocation"] = {
        "kind": "polytope",
        "component_names": ["a", "b"],
        "matrix": {"shape": [10**12, 2], "values": [1.0], "rows": [0], "columns": [0]},
        "row_lower": [0.0],
        "row_upper": [1.0],
        "lower": [0, 0],
        "upper": [1, 1],
    }
    crafted.write_text(json.dumps(data))
    peak, raised = peak_bytes(lambda: lpmech.load(crafted))
    assert isinstance(raised, FileFormatError)
    assert "matrix.shape" in str(raised)
    assert peak < 20 * MB


def test_optimal_range_and_certify_refuse_beyond_the_limit(monkeypatch):
    env = single_item_auction([1, 2, 3], 2)
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    quantity = Quantity.expected_payment(env, 0)
    assert optimal_range(solution, quantity) is not None  # fits by default
    monkeypatch.setattr(memory, "available_memory", lambda: 2_000)
    with pytest.raises(ProblemTooLargeError):
        optimal_range(solution, quantity)
    with pytest.raises(ProblemTooLargeError, match="certify"):
        solution.certify()


@pytest.mark.slow  # a fresh command-line process each
@pytest.mark.parametrize(
    "arguments",
    [
        ["single_item", "--n-types", "1000000000"],
        ["multi_item", "--n-grid", "100000"],
        ["single_item", "--n-bidders", "2000"],
    ],
)
def test_cli_refuses_in_one_line(arguments):
    result = run_python("-m", "lpmech", "solve", *arguments, check=False, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "too large" in result.stderr or "would take" in result.stderr


@pytest.mark.parametrize(
    "action",
    [
        lambda: parse_values("1:100000000000:1", int),
        lambda: points({"a": list(range(100_000)), "b": list(range(100_000))}),
    ],
)
def test_a_sweep_grid_too_large_to_hold_is_refused_before_it_is_listed(action):
    peak, raised = peak_bytes(action)
    assert isinstance(raised, InvalidArgumentError)
    assert "10000000000 points" in str(raised) or "99999999999 values" in str(raised)
    assert "at most 100000" in str(raised)
    assert peak < 20 * MB


def test_a_sweep_point_too_large_to_solve_is_a_too_large_row():
    rows = lpmech.sweep("single_item", {"n_types": [3, 10**9]}, executor="serial", quiet=True)
    statuses = dict(zip(rows["n_types"], rows["status"], strict=True))
    assert statuses == {3: "optimal", 10**9: "too_large"}
