"""Saving and loading: exact round trips, re-verification on load, clear errors on bad files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import environments, mechanisms

import lpmech
from lpmech.errors import FileFormatError, LpmechError, VerificationError
from lpmech.files import SCHEMA_VERSION, from_data, to_data
from lpmech.models import MODELS
from lpmech.problem.allocation import AllocationSpace


def _assert_same_environment(a: lpmech.Environment, b: lpmech.Environment) -> None:
    assert a.name == b.name
    assert [x.name for x in a.agents] == [x.name for x in b.agents]
    for x, y in zip(a.agents, b.agents, strict=True):
        assert x.labels == y.labels
        assert np.array_equal(x.types, y.types)
        assert (x.prior is None and y.prior is None) or np.array_equal(x.prior, y.prior)
    assert np.array_equal(a.prior.table, b.prior.table)
    assert a.allocation.component_names == b.allocation.component_names
    assert type(a.allocation) is type(b.allocation)
    assert np.array_equal(a.allocation.matrix.toarray(), b.allocation.matrix.toarray())
    for pair in ((a.valuations, b.valuations), (a.outside_options, b.outside_options)):
        assert all(np.array_equal(x, y) for x, y in zip(*pair, strict=True))
    assert a.interdependent == b.interdependent
    assert np.array_equal(a.principal_value, b.principal_value)


@pytest.mark.parametrize("model", list(MODELS))
def test_solution_round_trip_is_exact_and_verifies_again(model, tmp_path):
    spec = MODELS[model]
    solution = lpmech.solve(spec.environment(), spec.objective, spec.constraints)
    loaded = lpmech.load(lpmech.save(solution, tmp_path / "solution.json"))
    assert isinstance(loaded, lpmech.Solution)
    _assert_same_environment(solution.mechanism.env, loaded.mechanism.env)
    assert np.array_equal(loaded.mechanism.flat_allocation, solution.mechanism.flat_allocation)
    assert np.array_equal(loaded.mechanism.flat_payments, solution.mechanism.flat_payments)
    assert loaded.mechanism.name == solution.mechanism.name
    assert loaded.objective_value == solution.objective_value
    assert loaded.objective.name == solution.objective.name
    assert [f.name for f in loaded.families] == [f.name for f in solution.families]
    assert [repr(f) for f in loaded.compiled] == [repr(f) for f in solution.compiled]
    assert set(loaded.duals) == set(solution.duals)
    for name in solution.duals:
        assert np.array_equal(loaded.duals[name], solution.duals[name])
    assert loaded.report == solution.report
    # verified again on load, by brute force, against the families it was solved under
    assert loaded.verification.ok
    assert loaded.verification.families == solution.verification.families
    assert loaded.verify().ok


@given(st.data())
def test_any_environment_and_mechanism_round_trip_exactly(tmp_path_factory, data):
    env = data.draw(environments())
    mechanism = data.draw(mechanisms(env))
    path = tmp_path_factory.mktemp("files") / "mechanism.json"
    loaded = lpmech.load(lpmech.save(mechanism, path))
    _assert_same_environment(env, loaded.env)
    assert np.array_equal(loaded.flat_allocation, mechanism.flat_allocation)
    assert np.array_equal(loaded.flat_payments, mechanism.flat_payments)
    again = lpmech.load(lpmech.save(env, path))
    _assert_same_environment(env, again)


def test_floats_that_print_long_round_trip_bit_for_bit(tmp_path):
    env = lpmech.single_item_auction(
        [0.1, 1 / 3, 2e-9, 7e9], n_bidders=1, priors=[0.1, 0.2, 0.3, 0.4]
    )
    ugly = np.array([[np.nextafter(0.3, 1)], [1 / 7], [0.0], [1 - 1e-16]])
    mechanism = lpmech.Mechanism(env, ugly, ugly * np.pi, name="ugly")
    loaded = lpmech.load(lpmech.save(mechanism, tmp_path / "m.json"))
    assert np.array_equal(loaded.flat_allocation, ugly)
    assert np.array_equal(loaded.flat_payments, ugly * np.pi)
    assert np.array_equal(loaded.env.agents[0].types, env.agents[0].types)


def test_a_general_polytope_with_infinite_bounds_round_trips(tmp_path):
    space = AllocationSpace(
        ["x", "y"],
        [[1.0, 1.0]],
        row_lower=[-np.inf],
        row_upper=[1.5],
        lower=0.0,
        upper=[1.0, np.inf],
    )
    agent = lpmech.Agent("a", [1, 2], prior=[0.5, 0.5])
    env = lpmech.Environment([agent], space, [[[1.0, 0.5], [2.0, 0.5]]], name="box")
    path = lpmech.save(env, tmp_path / "env.json")
    assert "Infinity" not in path.read_text()  # strict JSON: infinities as strings
    json.loads(path.read_text())
    loaded = lpmech.load(path)
    assert np.array_equal(loaded.allocation.row_lower, space.row_lower)
    assert np.array_equal(loaded.allocation.upper, space.upper)


def test_the_file_is_human_readable_with_a_schema_version(tmp_path):
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=2, names=["alice", "bob"])
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    text = lpmech.save(solution, tmp_path / "s.json").read_text()
    data = json.loads(text)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["kind"] == "solution"
    assert [a["name"] for a in data["environment"]["agents"]] == ["alice", "bob"]
    assert '"item to alice"' in text
    assert len(text.splitlines()) < 200  # one line per array row, not per number


def test_a_saved_mechanism_records_and_rechecks_its_constraints(tmp_path):
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=1)
    posted = lpmech.Mechanism(env, [[0], [1], [1]], [[0], [2], [2]], name="posted price 2")
    path = lpmech.save(posted, tmp_path / "posted.json", constraints=["dsic", "ex_post_ir"])
    assert lpmech.load(path).name == "posted price 2"
    # tamper: charge type 2 more than its value, so ex-post IR no longer holds
    data = json.loads(path.read_text())
    data["mechanism"]["payments"][1] = [2.5]
    path.write_text(json.dumps(data))
    with pytest.raises(VerificationError, match="ex_post_ir"):
        lpmech.load(path)


def test_a_family_that_failed_when_saved_may_still_fail_on_load(tmp_path):
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=1)
    pay_your_bid = lpmech.Mechanism(env, [[1], [1], [1]], [[1], [2], [3]], name="first price")
    path = lpmech.save(pay_your_bid, tmp_path / "fp.json", constraints=["dsic"])
    assert not lpmech.load(path).verify(["dsic"]).ok


def test_a_tampered_objective_value_is_refused(tmp_path):
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    data = to_data(solution)
    data["objective_value"] = 3.0
    with pytest.raises(VerificationError, match="objective_value"):
        from_data(data)


@pytest.fixture(scope="module")
def solution_data():
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
    return to_data(lpmech.solve(env, "revenue", ["bic", "interim_ir"]))


def _without(data: dict, *path: str) -> dict:
    data = json.loads(json.dumps(data))
    target = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (("kind",), "kind"),
        (("mechanism",), "mechanism"),
        (("environment", "agents"), "agents"),
        (("mechanism", "payments"), "payments"),
        (("families",), "families"),
    ],
)
def test_a_missing_field_is_named(solution_data, path, field):
    with pytest.raises(FileFormatError, match=f"missing field '{field}'"):
        from_data(_without(solution_data, *path), source="broken.json")


def test_another_schema_version_is_refused(solution_data):
    data = {**solution_data, "schema_version": SCHEMA_VERSION + 1}
    with pytest.raises(FileFormatError, match=r"schema_version 2 is not supported"):
        from_data(data, source="future.json")


def test_inconsistent_shapes_are_refused(solution_data):
    data = json.loads(json.dumps(solution_data))
    data["mechanism"]["allocation"] = data["mechanism"]["allocation"][:-1]
    with pytest.raises(
        FileFormatError, match=r"mechanism\.allocation has shape \(8, 2\), expected"
    ):
        from_data(data, source="short.json")
    data = json.loads(json.dumps(solution_data))
    data["environment"]["valuations"][0] = [[1.0]]
    with pytest.raises(FileFormatError, match=r"short.json: environment: .*valuations\[0\]"):
        from_data(data, source="short.json")


def test_not_an_lpmech_file(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(FileFormatError, match="not an lpmech file"):
        lpmech.load(path)
    path.write_text("{not json")
    with pytest.raises(FileFormatError, match="not a JSON file"):
        lpmech.load(path)


def test_a_solution_with_a_python_function_cannot_be_saved(tmp_path):
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=1)
    cap = lpmech.CvxpyConstraint(lambda v: [v.payments <= 2.5], name="payment_cap")
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir", cap])
    with pytest.raises(LpmechError, match=r"payment_cap.*cannot be written to a file"):
        lpmech.save(solution, tmp_path / "capped.json")


def test_an_unknown_family_is_refused_and_ones_own_family_is_rebuilt(solution_data, tmp_path):
    data = json.loads(json.dumps(solution_data))
    data["families"][1] = {"family": "no_subsidies"}
    with pytest.raises(FileFormatError, match=r"odd.json: family .*unknown family 'no_subsidies'"):
        from_data(data, source="odd.json")

    class NoSubsidies(lpmech.ExPostIR):
        """Ex-post IR under another name: a family of one's own, rebuilt by its key."""

        name = "no_subsidies"

    env = lpmech.single_item_auction([1, 2, 3], n_bidders=1)
    solution = lpmech.solve(env, "revenue", ["dsic", NoSubsidies()])
    path = lpmech.save(solution, tmp_path / "own.json")
    loaded = lpmech.load(path, families={"no_subsidies": NoSubsidies})
    assert isinstance(loaded.families[-1], NoSubsidies)
    assert loaded.verification["no_subsidies"].ok


def test_a_weighted_objective_round_trips(tmp_path):
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
    mixed = 0.5 * lpmech.Revenue() + 0.5 * lpmech.Welfare()
    solution = lpmech.solve(env, mixed, ["dsic", "ex_post_ir"])
    loaded = lpmech.load(lpmech.save(solution, tmp_path / "mixed.json"))
    assert loaded.objective.name == mixed.name
    assert loaded.objective_value == solution.objective_value


@pytest.mark.parametrize("unit", [1e-9, 1e-3, 1e9])
def test_files_in_any_units_reload_and_catch_a_tampered_payment(unit, tmp_path):
    """Saved tolerances are absolute; on load each family is held to its relative tol again."""
    env = lpmech.single_item_auction(np.arange(1, 5) * unit, n_bidders=2)
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    path = lpmech.save(solution, tmp_path / "optimum.json")
    assert lpmech.load(path).objective_value == solution.objective_value
    data = json.loads(path.read_text())
    payments = data["mechanism"]["payments"]
    winner = int(np.argmax(np.abs(solution.mechanism.payments[:, 0])))
    payments[winner][0] += 1e-3 * unit  # a charge above the winner's value: IR fails
    path.write_text(json.dumps(data))
    with pytest.raises(VerificationError):
        lpmech.load(path)
