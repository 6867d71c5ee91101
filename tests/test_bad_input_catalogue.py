"""A second catalogue of bad inputs, over every public entry and the command line: each
is refused with a library error (:class:`~lpmech.errors.LpmechError`) whose message
names the argument at fault. Python-level escapes (OverflowError, a numpy or cvxpy
error, a silently consumed generator, a string read as a number) are what it guards."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import stats

import lpmech
from lpmech.characterisation import check_monotone
from lpmech.checks.continuous import evaluate
from lpmech.cli.commands import main
from lpmech.errors import LpmechError
from lpmech.sweeps.grid import points

ENV = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
SOLUTION = lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"])
MECHANISM = SOLUTION.mechanism
ZEROS = np.zeros((ENV.n_profiles, 2))
HUGE = 10**400


def _gen(values):
    return (v for v in values)


CATALOGUE = [
    # Agent: types, prior, labels, name
    (lambda: lpmech.Agent("a", [HUGE]), "types"),
    (lambda: lpmech.Agent("a", [1, HUGE]), "types"),
    (lambda: lpmech.Agent("a", [True, False]), "types"),
    (lambda: lpmech.Agent("a", ["1", "2"]), "types"),
    (lambda: lpmech.Agent("a", "12"), "types"),
    (lambda: lpmech.Agent("a", _gen([1, 2])), "types"),
    (lambda: lpmech.Agent("a", None), "types"),
    (lambda: lpmech.Agent("a", {1, 2}), "types"),
    (lambda: lpmech.Agent("a", {"x": 1}), "types"),
    (lambda: lpmech.Agent("a", [[1, 2], [3]]), "types"),
    (lambda: lpmech.Agent("a", [1, 2], ["x", "y"]), "prior"),
    (lambda: lpmech.Agent("a", [1, 2], _gen([0.5, 0.5])), "prior"),
    (lambda: lpmech.Agent("a", [1, 2], [True, True]), "prior"),
    (lambda: lpmech.Agent("a", [1, 2], [HUGE, 1]), "prior"),
    (lambda: lpmech.Agent("a", [1, 2], [0.5, math.nan]), "prior"),
    (lambda: lpmech.Agent("a", [1, 2], [[0.5, 0.5]]), "prior"),
    (lambda: lpmech.Agent(5, [1, 2]), "name"),
    (lambda: lpmech.Agent("", [1, 2]), "name"),
    # AllocationSpace, Items, Outcomes
    (lambda: lpmech.AllocationSpace(["c"], matrix=[["a"]]), "matrix"),
    (lambda: lpmech.AllocationSpace(["c"], matrix=[[True]]), "matrix"),
    (lambda: lpmech.AllocationSpace(["c"], matrix=[[HUGE]]), "matrix"),
    (lambda: lpmech.AllocationSpace(["c", "d"], matrix=[1.0, 1.0]), "matrix"),
    (lambda: lpmech.AllocationSpace(["c", "d"], matrix=sp.csr_array([1.0, 1.0])), "matrix"),
    (lambda: lpmech.AllocationSpace(["c"], matrix=np.ones((1, 1, 1))), "matrix"),
    (lambda: lpmech.AllocationSpace(["c"], matrix=[[1.0]], row_upper=["1"]), "row_upper"),
    (lambda: lpmech.AllocationSpace(["c"], matrix=[[1.0]], row_lower=[HUGE]), "row_lower"),
    (lambda: lpmech.AllocationSpace(["c"], lower="0"), "lower"),
    (lambda: lpmech.AllocationSpace(["c"], upper=[math.nan]), "upper"),
    (lambda: lpmech.AllocationSpace("c"), "component_names"),
    (lambda: lpmech.AllocationSpace([1]), "component_names"),
    (lambda: lpmech.Items(["a"], 2.0), "n_items"),
    (lambda: lpmech.Items(["a"], "2"), "n_items"),
    (lambda: lpmech.Items(["a"], True), "n_items"),
    (lambda: lpmech.Items(["a"], 1, unit_demand="yes"), "unit_demand"),
    (lambda: lpmech.Items(["a"], 2, item_names=["x"]), "item_names"),
    (lambda: lpmech.Outcomes("ab"), "names"),
    (lambda: lpmech.Outcomes([1, 2]), "names"),
    # builders
    (lambda: lpmech.single_item_auction(_gen([1, 2]), n_bidders=2), "values"),
    (lambda: lpmech.single_item_auction([1, 2], n_bidders="2"), "n_bidders"),
    (lambda: lpmech.single_item_auction(["1", "2"], n_bidders=2), "values"),
    (lambda: lpmech.single_item_auction([True, False], n_bidders=1), "values"),
    (lambda: lpmech.single_item_auction([1, 2], 2, priors=_gen([0.5, 0.5])), "priors"),
    (lambda: lpmech.single_item_auction([1, 2], 2, names=_gen([1, 2])), "names"),
    (lambda: lpmech.single_item_auction([1, 2], 2, seller_value="1"), "seller_value"),
    (lambda: lpmech.single_item_auction([1, 2], 2, seller_value=math.inf), "seller_value"),
    (lambda: lpmech.bilateral_trade(5, [1, 2]), "buyer_values"),
    (lambda: lpmech.bilateral_trade([1, 2], 5), "seller_costs"),
    (lambda: lpmech.bilateral_trade(_gen([1, 2]), [1, 2]), "buyer_values"),
    (lambda: lpmech.bilateral_trade([1, 2], [1, 2], buyer_prior="x"), "prior"),
    (lambda: lpmech.public_good([0, 1], n_agents=2, cost="1"), "cost"),
    (lambda: lpmech.public_good([0, 1], n_agents=2, cost=HUGE), "cost"),
    (lambda: lpmech.public_good(_gen([0, 1]), n_agents=2, cost=1), "values"),
    (lambda: lpmech.public_good([0, 1], n_agents=2.0, cost=1), "n_agents"),
    (lambda: lpmech.multi_item_auction(_gen([[1, 1]]), n_bidders=1), "types"),
    (lambda: lpmech.multi_item_auction([[1, "a"]], n_bidders=1), "types"),
    (lambda: lpmech.multi_item_auction([[1, 1]], n_bidders=1, unit_demand="no"), "unit_demand"),
    # Environment
    (lambda: lpmech.Environment("agents", lpmech.Items(["a"]), [[[1.0]]]), "agents"),
    (lambda: lpmech.Environment([lpmech.Agent("a", [1], [1])], "items", [[[1.0]]]), "allocation"),
    (
        lambda: lpmech.Environment([lpmech.Agent("a", [1], [1])], lpmech.Items(["a"]), [[["x"]]]),
        "valuations",
    ),
    (
        lambda: lpmech.Environment([lpmech.Agent("a", [1], [1])], lpmech.Items(["a"]), [[[HUGE]]]),
        "valuations",
    ),
    (
        lambda: lpmech.Environment(
            [lpmech.Agent("a", [1], [1])], lpmech.Items(["a"]), [[[1.0]]], principal_value=["1"]
        ),
        "principal_value",
    ),
    (
        lambda: lpmech.Environment(
            [lpmech.Agent("a", [1], [1])], lpmech.Items(["a"]), [[[1.0]]], outside_options=[["x"]]
        ),
        "outside_options",
    ),
    # Mechanism
    (lambda: lpmech.Mechanism(ENV, [["a"] * 2] * 9, ZEROS), "allocation"),
    (lambda: lpmech.Mechanism(ENV, ZEROS, [[HUGE] * 2] * 9), "payments"),
    (lambda: lpmech.Mechanism("env", ZEROS, ZEROS), "env"),
    (lambda: MECHANISM.deviation_utilities(0, 9), "type"),
    (lambda: MECHANISM.deviation_utilities(0, "x"), "type"),
    (lambda: MECHANISM.deviation_utilities(0, 1.5), "type"),
    (lambda: MECHANISM.deviation_utilities(9, 0), "agent"),
    (lambda: MECHANISM.interim_utility("nobody"), "agent"),
    (lambda: MECHANISM.expected_utility(2.5), "agent"),
    (lambda: MECHANISM.is_deterministic(tol="1e-6"), "tol"),
    (lambda: MECHANISM.is_deterministic(tol=-1), "tol"),
    (lambda: MECHANISM.summary(max_profiles="3"), "max_profiles"),
    (lambda: MECHANISM.verify(["dsic"], tol="1e-6"), "tol"),
    (lambda: MECHANISM.verify(["dsic"], tol=True), "tol"),
    (lambda: MECHANISM.verify(["dsci"]), "dsci"),
    (lambda: MECHANISM.at(0, 9), "type"),
    # objectives
    (lambda: "x" * lpmech.Revenue(), "weight"),
    (lambda: lpmech.Revenue() * "x", "weight"),
    (lambda: math.nan * lpmech.Revenue(), "weight"),
    (lambda: HUGE * lpmech.Revenue(), "weight"),
    (lambda: lpmech.Revenue() + 5, "objective"),
    (lambda: lpmech.CustomObjective("revenue"), "expression"),
    (lambda: lpmech.CustomObjective(lambda v: v.payments.sum(), sense="up"), "sense"),
    (lambda: lpmech.NashWelfare("sometimes"), "level"),
    (lambda: lpmech.Welfare(include_principal="no"), "include_principal"),
    (
        lambda: lpmech.solve(ENV, lpmech.CustomObjective(lambda v: v.payments), ["dsic"]),
        "expression",
    ),
    # solve and friends
    (lambda: lpmech.solve(ENV, "revenue", ["dsic"], solver_options={1: 2}), "solver_options"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic"], solver_options=[("a", 1)]), "solver_options"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], tol="1e-6"), "tol"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], tol=10), "tol"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic"], memory_limit=HUGE), "memory_limit"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic"], memory_limit="1GB"), "memory_limit"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic"], memory_limit=-1), "memory_limit"),
    (lambda: lpmech.solve(ENV, "revenue", [5]), "constraint"),
    (lambda: lpmech.solve(ENV, 5, ["dsic"]), "objective"),
    (lambda: lpmech.solve("env", "revenue", ["dsic"]), "env"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic"], formulation="fast"), "formulation"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic"], algorithm="magic"), "algorithm"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic"], deterministic="yes"), "deterministic"),
    (lambda: lpmech.solve(ENV, "revenue", ["dsic"], verbose=1), "verbose"),
    (lambda: lpmech.formulate(ENV, "revenue", ["dsic"], deterministic="no"), "deterministic"),
    (lambda: lpmech.verify(MECHANISM, ["dsic"], tol="0.1"), "tol"),
    (lambda: lpmech.verify("mechanism", ["dsic"]), "mechanism"),
    (lambda: lpmech.audit("mechanism"), "mechanism"),
    (lambda: lpmech.compare(MECHANISM, "x"), "second"),
    (lambda: lpmech.compare("x", MECHANISM), "first"),
    (lambda: lpmech.compare(MECHANISM, MECHANISM, tol="1e-6"), "tol"),
    (lambda: lpmech.compare(MECHANISM, MECHANISM, objectives=["nope"]), "nope"),
    (lambda: lpmech.certify("solution"), "solution"),
    (lambda: lpmech.optimal_range("solution", None), "solution"),
    (lambda: lpmech.optimal_range(SOLUTION, "revenue"), "quantity"),
    (lambda: SOLUTION.binding("dominant_strategy_ic", top="5"), "top"),
    (lambda: SOLUTION.binding("dominant_strategy_ic", top=-1), "top"),
    (lambda: SOLUTION.verify(also=["nope"]), "nope"),
    (lambda: SOLUTION.verify(tol="1e-6"), "tol"),
    # a DesignProgram's own solve and solution
    (lambda: lpmech.formulate(ENV, "revenue", ["dsic"]).solve(nonsense=1), "nonsense"),
    (lambda: lpmech.formulate(ENV, "revenue", ["dsic"]).solve(time_limit="x"), "time_limit"),
    (lambda: lpmech.formulate(ENV, "revenue", ["dsic"]).solve(memory_limit=1), "memory_limit"),
    (
        lambda: lpmech.solve(ENV, "revenue", ["dsic"], backend="cvxpy", solver_options={"x": 1}),
        "x",
    ),
    (lambda: lpmech.formulate(ENV, "revenue", ["dsic"]).solution("problem"), "problem"),
    # the new builders, Units and Exchange
    (lambda: lpmech.procurement_auction([1, 2], 2, buyer_value=3, labels=[1, 2]), "labels"),
    (lambda: lpmech.procurement_auction([1, 2], 2, buyer_value="3"), "buyer_value"),
    (lambda: lpmech.procurement_auction(_gen([1, 2]), 2, buyer_value=3), "costs"),
    (lambda: lpmech.procurement_auction([1, 2], -1, buyer_value=3), "n_sellers"),
    (lambda: lpmech.multi_unit_auction([1, 2], 2, n_units=1.5), "n_units"),
    (lambda: lpmech.multi_unit_auction([1, 2], 2, n_units=True), "n_units"),
    (lambda: lpmech.double_auction([1, 2], [1, 2], "1", 1), "n_buyers"),
    (lambda: lpmech.double_auction([1, 2], "12", 1, 1), "seller_costs"),
    (lambda: lpmech.double_auction([1, 2], [1, 2], 1, 1, buyer_priors=_gen([1, 1])), "priors"),
    (lambda: lpmech.Units(["a"], 1.0), "n_units"),
    (lambda: lpmech.Exchange(None, ["b"]), "buyer_names"),
    # solve's switches, and the Problem API
    (lambda: lpmech.solve(ENV, exact="yes"), "exact"),
    (lambda: lpmech.solve(ENV, diagnose="no"), "diagnose"),
    (lambda: lpmech.Problem(ENV).data(written_out="yes"), "written_out"),
    (lambda: lpmech.Problem(ENV).save(5), "path"),
    (lambda: lpmech.Problem(ENV).save("/nonexistent/dir/p.toml"), "/nonexistent/dir/p.toml"),
    (lambda: MECHANISM.iat("1", "1"), "at"),
    # quantities
    (lambda: lpmech.Quantity.interim_payment(ENV, "nobody", 0), "agent"),
    (lambda: lpmech.Quantity.interim_payment(ENV, 0, 7), "type"),
    (lambda: lpmech.Quantity.interim_payment(ENV, 0, "seven"), "type"),
    (lambda: lpmech.Quantity.payment(ENV, 0, (0,)), "types"),
    (lambda: lpmech.Quantity.payment(ENV, 0, (0, "nine")), "nine"),
    (lambda: lpmech.Quantity.payment(ENV, 0, 5), "types"),
    # constraint families
    (lambda: lpmech.ExPostBudgetBalance(strict="yes"), "strict"),
    (lambda: lpmech.ExAnteBudgetBalance(required=HUGE), "required"),
    (lambda: lpmech.BayesianIC(reduction=5), "reduction"),
    (lambda: lpmech.solve(ENV, "revenue", [lpmech.FixedAllocation([["a"]])]), "allocation"),
    (lambda: lpmech.GainsFromTrade(status_quo=["x"]), "status_quo"),
    # characterisation and continuous checks
    (lambda: check_monotone(ENV, ZEROS, tol=10), "tol"),
    (lambda: check_monotone(ENV, ZEROS, tol="1e-6"), "tol"),
    (lambda: check_monotone(ENV, [["a"] * 2] * 9), "allocation"),
    (lambda: evaluate(MECHANISM, [stats.uniform()], n_samples="100"), "n_samples"),
    (lambda: evaluate(MECHANISM, [stats.uniform()], n_samples=0), "n_samples"),
    (lambda: evaluate(MECHANISM, [stats.uniform()], n_samples=2.5), "n_samples"),
    (lambda: evaluate(MECHANISM, [stats.uniform()], seed="x"), "seed"),
    # files
    (lambda: lpmech.save(SOLUTION, 5), "path"),
    (lambda: lpmech.save("solution", "x.json"), "obj"),
    (lambda: lpmech.save(MECHANISM, "x.json", constraints=["nope"]), "nope"),
    (lambda: lpmech.load("x.json", tol=0), "tol"),
    (lambda: lpmech.load("x\x00.json"), "path"),
    # sweeps
    (lambda: points({"n": 5}), "grid"),
    (lambda: points({"n": [object()]}), "grid"),
    (lambda: points({"n": list(range(400)), "m": list(range(400))}), "grid"),
    (lambda: points([{"n": 1}, {"n": 1}]), "grid"),
    (lambda: lpmech.sweep("single_item", {"n_types": [2.0000001]}, executor="serial"), "n_types"),
    (lambda: lpmech.sweep("single_item", {"n_types": ["3"]}, executor="serial"), "n_types"),
    (lambda: lpmech.sweep("single_item", {"n_types": [3]}, tol="1e-6"), "tol"),
    (lambda: lpmech.sweep("single_item", {"n_types": [3]}, objective="nope"), "nope"),
    (lambda: lpmech.sweep("single_item", {"n_types": [3]}, constraints=["nope"]), "nope"),
    (lambda: lpmech.sweep("single_item", {"n_types": [3]}, workers=0), "workers"),
    (lambda: lpmech.sweep("single_item", {"n_types": [3]}, time_limit="1"), "time_limit"),
    (lambda: lpmech.sweep("single_item", {"n_types": [3]}, executor="threads"), "executor"),
    (lambda: lpmech.sweep("single_item", {"n_types": [3]}, output="rows.txt"), "output"),
    (lambda: lpmech.sweep("nope", {"n_types": [3]}), "model_or_function"),
    (lambda: lpmech.sweep(5, {"n_types": [3]}), "model_or_function"),
    (
        lambda: lpmech.sweep("single_item", {"n_types": [3]}, solver_options={1: 2}),
        "solver_options",
    ),
]


@pytest.mark.parametrize(
    ("call", "argument"),
    CATALOGUE,
    ids=[f"{k}-{entry[1]}" for k, entry in enumerate(CATALOGUE)],
)
def test_a_bad_input_is_a_library_error_naming_the_argument(call, argument):
    with pytest.raises(LpmechError) as caught:
        call()
    assert argument in str(caught.value)


CLI = [
    (["solve", "single_item", "--n-types", "1e30"], "--n-types"),
    (["solve", "single_item", "--n-types", "-3"], "--n-types"),
    (["solve", "single_item", "--n-bidders", "two"], "--n-bidders"),
    (["solve", "public_good", "--cost", "inf"], "--cost"),
    (["solve", "single_item", "--backend", "gurobi"], "--backend"),
    (["solve", "single_item", "--algorithm", "magic"], "--algorithm"),
    (["solve", "single_item", "--profiles", "x"], "--profiles"),
    (["check", "--tol", "abc"], "--tol"),
    (["check", "--tol", "10"], "--tol"),
    (["sweep", "single_item", "--n-types", "a,b"], "--n-types"),
    (["sweep", "single_item", "--n-types", "3", "--workers", "x"], "--workers"),
    (["sweep", "single_item", "--n-types", "3", "--time-limit", "x"], "--time-limit"),
    (["sweep", "single_item", "--n-types", "3", "--executor", "threads"], "--executor"),
    (["sweep", "single_item", "--n-types", "1:5:0"], "--n-types"),
    (["solve", "single_item", "--memory-limit", "99999999999999999999999T"], "--memory-limit"),
    (["solve", "single_item", "--memory-limit", "4Q"], "--memory-limit"),
    (["solve", "single_item", "--time-limit", "nan"], "--time-limit"),
    (["solve", "single_item", "--tie-break", "cheap"], "--tie-break"),
    (["solve", "single_item", "--formulation", "fast"], "--formulation"),
    (["solve", "single_item", "--constraints", ",,,"], "--constraints"),
    (["solve", "single_item", "--constraints", "dsic,,ex_post_ir"], "--constraints"),
    (["solve", "single_item", "--constraints", "dsic,"], "--constraints"),
    (["solve", "procurement", "--n-sellers", "0"], "--n-sellers"),
    (["solve", "procurement", "--buyer-value", "inf"], "--buyer-value"),
    (["solve", "multi_unit", "--n-units", "1.5"], "--n-units"),
    (["solve", "double_auction", "--n-buyers", "x"], "--n-buyers"),
    (["new", "single_item", "--n-types", "-1"], "--n-types"),
    (["sweep", "multi_unit", "--n-units", "0,1"], "--n-units"),
]


@pytest.mark.parametrize(("argv", "option"), CLI, ids=[" ".join(a) for a, _ in CLI])
def test_a_bad_command_line_is_one_line_naming_the_option(argv, option, capsys):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    err = capsys.readouterr().err
    assert caught.value.code == 2
    assert option in err
    assert err.count("\n") == 1


def test_the_catalogue_is_large():
    assert len(CATALOGUE) + len(CLI) >= 100
