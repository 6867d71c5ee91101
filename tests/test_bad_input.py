"""A catalogue of bad arguments to every public entry: each a library error naming it."""

from __future__ import annotations

import math

import numpy as np
import pytest

import lpmech
from lpmech.cli import main
from lpmech.errors import (
    InvalidArgumentError,
    InvalidEnvironmentError,
    InvalidMechanismError,
    InvalidToleranceError,
    LpmechError,
    UnknownConstraintError,
    UnknownObjectiveError,
)

GRID = [[1, 1], [1, 2], [2, 1]]
ENV = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
RIGHT_SHAPE = np.zeros((ENV.n_profiles, 2))


def _ragged():
    return [[0, 0]] * (ENV.n_profiles - 1) + [[0]]


CATALOGUE = [
    # builders: counts
    (lambda: lpmech.single_item_auction([1, 2], n_bidders=2.5), InvalidEnvironmentError,
     "n_bidders must be a whole number"),
    (lambda: lpmech.single_item_auction([1, 2], n_bidders=0), InvalidEnvironmentError,
     "n_bidders must be a whole number of agents, at least 1, got 0"),
    (lambda: lpmech.single_item_auction([1, 2], n_bidders=True), InvalidEnvironmentError,
     "n_bidders must be"),
    (lambda: lpmech.public_good([0, 1], n_agents=-1, cost=1), InvalidEnvironmentError,
     "n_agents must be"),
    (lambda: lpmech.multi_item_auction(GRID, n_bidders=1.5), InvalidEnvironmentError,
     "n_bidders must be"),
    # builders: names
    (lambda: lpmech.single_item_auction([1, 2], n_bidders=2, names=["x"]),
     InvalidEnvironmentError, "names has 1 entries, expected one per agent (2)"),
    (lambda: lpmech.single_item_auction([1, 2], n_bidders=2, names="xy"),
     InvalidEnvironmentError, "names must be a sequence of strings"),
    (lambda: lpmech.public_good([0, 1], n_agents=2, cost=1, names=["a", "a"]),
     InvalidEnvironmentError, "agent names must be distinct"),
    # builders: types and costs
    (lambda: lpmech.single_item_auction(["a", "b"], n_bidders=2), InvalidEnvironmentError,
     "values must be numbers"),
    (lambda: lpmech.single_item_auction("abc", n_bidders=2), InvalidEnvironmentError,
     "values must be numbers"),
    (lambda: lpmech.single_item_auction([1, 1], n_bidders=2), InvalidEnvironmentError,
     "types must be distinct"),
    (lambda: lpmech.single_item_auction([1, math.nan], n_bidders=1), InvalidEnvironmentError,
     "NaN or infinite"),
    (lambda: lpmech.bilateral_trade(["x"], [1]), InvalidEnvironmentError,
     "buyer_values must be numbers"),
    (lambda: lpmech.public_good([0, 1], n_agents=2, cost="x"), InvalidEnvironmentError,
     "cost must be a finite number"),
    (lambda: lpmech.multi_item_auction([[[1, 2]], [[1, 2, 3]]]), InvalidEnvironmentError,
     "types must be (K, J) arrays"),
    # builders: labels
    (lambda: lpmech.single_item_auction([1, 2], n_bidders=1, labels=["a"]),
     InvalidEnvironmentError, "labels has 1 entries, expected one per type (2)"),
    (lambda: lpmech.single_item_auction([1, 2], n_bidders=1, labels="ab"),
     InvalidEnvironmentError, "labels must be a sequence of strings"),
    (lambda: lpmech.single_item_auction([1, 2], n_bidders=1, labels=["a", "a"]),
     InvalidEnvironmentError, "labels must be distinct"),
    (lambda: lpmech.single_item_auction([1, 2], n_bidders=2, labels=[["a", "b"]]),
     InvalidEnvironmentError, "labels has 1 entries, expected one sequence per agent (2)"),
    # mechanisms
    (lambda: lpmech.Mechanism(ENV, _ragged(), RIGHT_SHAPE), InvalidMechanismError,
     "Mechanism: allocation is ragged"),
    (lambda: lpmech.Mechanism(ENV, [["a", "b"]] * ENV.n_profiles, RIGHT_SHAPE),
     InvalidMechanismError, "Mechanism: allocation must be an array of numbers"),
    (lambda: lpmech.Mechanism(ENV, np.full((ENV.n_profiles, 2), None), RIGHT_SHAPE),
     InvalidMechanismError, "Mechanism: allocation must be an array of numbers"),
    (lambda: lpmech.Mechanism(ENV, RIGHT_SHAPE, np.zeros((ENV.n_profiles, 3))),
     InvalidMechanismError, "Mechanism: payments has shape"),
    (lambda: lpmech.Mechanism(ENV, RIGHT_SHAPE, np.full((ENV.n_profiles, 2), math.inf)),
     InvalidMechanismError, "Mechanism: payments contains NaN or infinite"),
    (lambda: lpmech.Mechanism("auction", RIGHT_SHAPE, RIGHT_SHAPE), InvalidMechanismError,
     "Mechanism: env must be an Environment, got str"),
    # solve and verify
    (lambda: lpmech.solve("auction", "revenue", ["dsic"]), InvalidArgumentError,
     "env must be an Environment, got str"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], tol=-1),
     InvalidToleranceError, "tol must be positive"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], tol=1e9),
     InvalidToleranceError, "at most 0.01"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], tol=math.nan),
     InvalidToleranceError, "tol must be"),
    (lambda: lpmech.Mechanism(ENV, RIGHT_SHAPE, RIGHT_SHAPE).verify(["dsic"], tol=0),
     InvalidToleranceError, "tol must be"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], verbose="yes"),
     InvalidArgumentError, "verbose must be True or False"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], memory_limit=-1),
     InvalidArgumentError, "memory_limit must be a positive number"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], backend="gurobi"),
     InvalidArgumentError, "backend: unknown 'gurobi'"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], algorithm="barrier"),
     InvalidArgumentError, "algorithm: unknown 'barrier'"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], formulation="magic"),
     InvalidArgumentError, "formulation: unknown 'magic'"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"],
                          solver_options={"no_such_option": 1}),
     InvalidArgumentError, "solver_options: HiGHS rejected option no_such_option"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsci"]), UnknownConstraintError, "dsci"),
    (lambda: lpmech.solve(ENV, "revenu", ["dsic"]), UnknownObjectiveError, "revenu"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], tie_break="nonsense"),
     InvalidArgumentError, "tie_break: expected None, one of"),
    # objectives and the program
    (lambda: lpmech.NashWelfare(level="ex_post"), InvalidArgumentError,
     "NashWelfare: level must be one of"),
    (lambda: lpmech.formulate(ENV).add_objective(lpmech.formulate(ENV).payments),
     InvalidArgumentError, "add_objective: term must be a scalar cvxpy expression"),
    # sweeps
    (lambda: lpmech.sweep("no_model", {"n_bidders": [1]}), InvalidArgumentError,
     "model_or_function: unknown model 'no_model'"),
    (lambda: lpmech.sweep("single_item", {"n_bidders": []}), InvalidArgumentError,
     "grid: 'n_bidders' has no values"),
    (lambda: lpmech.sweep("single_item", {"n_bidders": [1]}, executor="threads"),
     InvalidArgumentError, "executor: unknown 'threads'"),
    (lambda: lpmech.sweep("single_item", {"n_bidders": [1]}, time_limit=-1),
     InvalidArgumentError, "time_limit: expected a positive number of seconds"),
]


@pytest.mark.parametrize(("call", "error", "fragment"), CATALOGUE,
                         ids=[f"{i}-{entry[2][:30]}" for i, entry in enumerate(CATALOGUE)])
def test_bad_argument_is_a_library_error_naming_it(call, error, fragment):
    with pytest.raises(error) as caught:
        call()
    assert isinstance(caught.value, LpmechError)
    assert fragment in str(caught.value)


def test_one_string_of_constraints_is_one_family():
    one = lpmech.single_item_auction([1, 2, 3], n_bidders=1)
    report = lpmech.Mechanism(one, [[1], [1], [1]], [[1], [2], [3]]).verify("dsic")
    assert report.families == ("feasibility", "dominant_strategy_ic")
    with pytest.raises(lpmech.errors.UnboundedDesignError) as caught:
        lpmech.solve(one, "revenue", "dsic")  # read as one family, not as 'd', 's', …
    assert caught.value.families == ("feasibility", "dominant_strategy_ic")


def test_automatic_labels_are_distinct_for_distinct_types():
    env = lpmech.single_item_auction([1000001, 1000002], n_bidders=1)
    assert env.agents[0].labels == ("1000001", "1000002")
    assert lpmech.single_item_auction([1, 2.5], n_bidders=1).agents[0].labels == ("1", "2.5")
    tiny = lpmech.single_item_auction([1e-9, 1.0000001e-9], n_bidders=1).agents[0].labels
    assert len(set(tiny)) == 2


def test_builders_accept_labels_shared_or_per_agent():
    shared = lpmech.single_item_auction([1, 2], n_bidders=2, labels=["low", "high"])
    assert [a.labels for a in shared.agents] == [("low", "high")] * 2
    own = lpmech.public_good([[0, 1], [0, 2]], cost=1, labels=[["a", "b"], ["c", "d"]])
    assert [a.labels for a in own.agents] == [("a", "b"), ("c", "d")]
    grid = lpmech.multi_item_auction(GRID, n_bidders=1, labels=["x", "y", "z"])
    assert grid.agents[0].labels == ("x", "y", "z")


@pytest.mark.parametrize(("argv", "fragment"), [
    (["solve", "single_item", "--n-bidders", "0"], "argument --n-bidders: must be at least 1"),
    (["solve", "single_item", "--n-types", "2.5"], "argument --n-types: expected a whole number"),
    (["solve", "public_good", "--cost", "nan"], "argument --cost: must be finite"),
    (["solve", "single_item", "--profiles", "-3"], "argument --profiles: must be at least 1"),
    (["check", "--tol", "-1"], "argument --tol: --tol must be positive"),
])
def test_cli_parameters_are_refused_naming_the_option(capsys, argv, fragment):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert fragment in capsys.readouterr().err
