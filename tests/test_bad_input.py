"""A catalogue of bad arguments to every public entry: each a library error naming it."""

from __future__ import annotations

import inspect
import math
import re

import numpy as np
import pytest
from scipy import stats

import lpmech
from lpmech.analytic import (
    discretise,
    empirical,
    ironed_virtual_values,
    virtual_costs,
    virtual_values,
)
from lpmech.analytic.benchmark import Benchmark
from lpmech.characterisation import check_monotone, increasing_differences, outcome_values
from lpmech.cli.commands import main
from lpmech.errors import (
    FileFormatError,
    IndexOutOfRangeError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidEnvironmentError,
    InvalidMechanismError,
    InvalidToleranceError,
    LpmechError,
    UnknownConstraintError,
    UnknownNameError,
    UnknownObjectiveError,
)
from lpmech.numbers.rationals import exact
from lpmech.testing import check_family

GRID = [[1, 1], [1, 2], [2, 1]]
ENV = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
RIGHT_SHAPE = np.zeros((ENV.n_profiles, 2))
ZERO = lpmech.Mechanism(ENV, RIGHT_SHAPE, RIGHT_SHAPE)
VECTOR_TYPES = lpmech.multi_item_auction(GRID, n_bidders=1)


def _ragged():
    return [[0, 0]] * (ENV.n_profiles - 1) + [[0]]


CATALOGUE = [
    # builders: counts
    (
        lambda: lpmech.single_item_auction([1, 2], n_bidders=2.5),
        InvalidEnvironmentError,
        "n_bidders must be a whole number",
    ),
    (
        lambda: lpmech.single_item_auction([1, 2], n_bidders=0),
        InvalidEnvironmentError,
        "n_bidders must be a whole number of agents, at least 1, got 0",
    ),
    (
        lambda: lpmech.single_item_auction([1, 2], n_bidders=True),
        InvalidEnvironmentError,
        "n_bidders must be",
    ),
    (
        lambda: lpmech.public_good([0, 1], n_agents=-1, cost=1),
        InvalidEnvironmentError,
        "n_agents must be",
    ),
    (
        lambda: lpmech.multi_item_auction(GRID, n_bidders=1.5),
        InvalidEnvironmentError,
        "n_bidders must be",
    ),
    # builders: names
    (
        lambda: lpmech.single_item_auction([1, 2], n_bidders=2, names=["x"]),
        InvalidEnvironmentError,
        "names has 1 entries, expected one per agent (2)",
    ),
    (
        lambda: lpmech.single_item_auction([1, 2], n_bidders=2, names="xy"),
        InvalidEnvironmentError,
        "names must be a sequence of strings",
    ),
    (
        lambda: lpmech.public_good([0, 1], n_agents=2, cost=1, names=["a", "a"]),
        InvalidEnvironmentError,
        "agent names must be distinct",
    ),
    # builders: types and costs
    (
        lambda: lpmech.single_item_auction(["a", "b"], n_bidders=2),
        InvalidEnvironmentError,
        "values must be numbers",
    ),
    (
        lambda: lpmech.single_item_auction("abc", n_bidders=2),
        InvalidEnvironmentError,
        "values must be numbers",
    ),
    (
        lambda: lpmech.single_item_auction([1, 1], n_bidders=2),
        InvalidEnvironmentError,
        "types must be distinct",
    ),
    (
        lambda: lpmech.single_item_auction([1, math.nan], n_bidders=1),
        InvalidEnvironmentError,
        "NaN or infinite",
    ),
    (
        lambda: lpmech.bilateral_trade(["x"], [1]),
        InvalidEnvironmentError,
        "buyer_values must be numbers",
    ),
    (
        lambda: lpmech.public_good([0, 1], n_agents=2, cost="x"),
        InvalidEnvironmentError,
        "cost must be a finite number",
    ),
    (
        lambda: lpmech.multi_item_auction([[[1, 2]], [[1, 2, 3]]]),
        InvalidEnvironmentError,
        "types must be (K, J) arrays",
    ),
    # builders: labels
    (
        lambda: lpmech.single_item_auction([1, 2], n_bidders=1, labels=["a"]),
        InvalidEnvironmentError,
        "labels has 1 entries, expected one per type (2)",
    ),
    (
        lambda: lpmech.single_item_auction([1, 2], n_bidders=1, labels="ab"),
        InvalidEnvironmentError,
        "labels must be a sequence of strings",
    ),
    (
        lambda: lpmech.single_item_auction([1, 2], n_bidders=1, labels=["a", "a"]),
        InvalidEnvironmentError,
        "labels must be distinct",
    ),
    (
        lambda: lpmech.single_item_auction([1, 2], n_bidders=2, labels=[["a", "b"]]),
        InvalidEnvironmentError,
        "labels has 1 entries, expected one sequence per agent (2)",
    ),
    # mechanisms
    (
        lambda: lpmech.Mechanism(ENV, _ragged(), RIGHT_SHAPE),
        InvalidMechanismError,
        "Mechanism: allocation is ragged",
    ),
    (
        lambda: lpmech.Mechanism(ENV, [["a", "b"]] * ENV.n_profiles, RIGHT_SHAPE),
        InvalidMechanismError,
        "Mechanism: allocation must be an array of numbers",
    ),
    (
        lambda: lpmech.Mechanism(ENV, np.full((ENV.n_profiles, 2), None), RIGHT_SHAPE),
        InvalidMechanismError,
        "Mechanism: allocation must be an array of numbers",
    ),
    (
        lambda: lpmech.Mechanism(ENV, RIGHT_SHAPE, np.zeros((ENV.n_profiles, 3))),
        InvalidMechanismError,
        "Mechanism: payments has shape",
    ),
    (
        lambda: lpmech.Mechanism(ENV, RIGHT_SHAPE, np.full((ENV.n_profiles, 2), math.inf)),
        InvalidMechanismError,
        "Mechanism: payments contains NaN or infinite",
    ),
    (
        lambda: lpmech.Mechanism("auction", RIGHT_SHAPE, RIGHT_SHAPE),
        InvalidMechanismError,
        "Mechanism: env must be an Environment, got str",
    ),
    # solve and verify
    (
        lambda: lpmech.solve("auction", "revenue", ["dsic"]),
        InvalidArgumentError,
        "env must be an Environment, got str",
    ),
    (
        lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], tol=-1),
        InvalidToleranceError,
        "tol must be positive",
    ),
    (
        lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], tol=1e9),
        InvalidToleranceError,
        "at most 0.01",
    ),
    (
        lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], tol=math.nan),
        InvalidToleranceError,
        "tol must be",
    ),
    (
        lambda: lpmech.Mechanism(ENV, RIGHT_SHAPE, RIGHT_SHAPE).verify(["dsic"], tol=0),
        InvalidToleranceError,
        "tol must be",
    ),
    (
        lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], verbose="yes"),
        InvalidArgumentError,
        "verbose must be True or False",
    ),
    (
        lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], memory_limit=-1),
        InvalidArgumentError,
        "memory_limit must be a positive number",
    ),
    (
        lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], backend="gurobi"),
        InvalidArgumentError,
        "backend: unknown 'gurobi'",
    ),
    (
        lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], algorithm="barrier"),
        InvalidArgumentError,
        "algorithm: unknown 'barrier'",
    ),
    (
        lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], formulation="magic"),
        InvalidArgumentError,
        "formulation: unknown 'magic'",
    ),
    (
        lambda: lpmech.solve(
            ENV, "revenue", ["dsic", "ex_post_ir"], solver_options={"no_such_option": 1}
        ),
        InvalidArgumentError,
        "solver_options: HiGHS rejected option no_such_option",
    ),
    (lambda: lpmech.solve(ENV, "revenue", ["dsci"]), UnknownConstraintError, "dsci"),
    (lambda: lpmech.solve(ENV, "revenu", ["dsic"]), UnknownObjectiveError, "revenu"),
    (
        lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], tie_break="nonsense"),
        InvalidArgumentError,
        "tie_break: expected None, one of",
    ),
    # objectives and the program
    (
        lambda: lpmech.NashWelfare(level="ex_post"),
        InvalidArgumentError,
        "NashWelfare: level must be one of",
    ),
    (
        lambda: lpmech.formulate(ENV).add_objective(lpmech.formulate(ENV).payments),
        InvalidArgumentError,
        "add_objective: term must be a scalar cvxpy expression",
    ),
    # sweeps
    (
        lambda: lpmech.sweep("no_model", {"n_bidders": [1]}),
        InvalidArgumentError,
        "model_or_function: unknown model 'no_model'",
    ),
    (
        lambda: lpmech.sweep("single_item", {"n_bidders": []}),
        InvalidArgumentError,
        "grid: 'n_bidders' has no values",
    ),
    (
        lambda: lpmech.sweep("single_item", [1, 2]),
        InvalidArgumentError,
        "grid: expected parameter values by name, or a list of points (each a mapping), "
        "got [1, 2]",
    ),
    (
        lambda: lpmech.sweep("single_item", {"n_bidders": [1]}, executor="threads"),
        InvalidArgumentError,
        "executor: unknown 'threads'",
    ),
    (
        lambda: lpmech.sweep("single_item", {"n_bidders": [1]}, time_limit=-1),
        InvalidArgumentError,
        "time_limit: expected a positive number of seconds",
    ),
    # look-ups by name or index: still KeyError / IndexError (see test_lookups_keep_…)
    (
        lambda: ZERO.at(nobody=1),
        UnknownNameError,
        "at(): missing agents ['bidder 1', 'bidder 2'], unknown names ['nobody']",
    ),
    (
        lambda: ZERO.at("9", "1"),
        UnknownNameError,
        "agent 'bidder 1' has no type labelled '9'; labels are ('1', '2', '3')",
    ),
    (
        lambda: ZERO.iat(5, 0),
        IndexOutOfRangeError,
        "type of agent 'bidder 1': index 5 out of range 0..2",
    ),
    (
        lambda: ZERO.iat(1.5, 0),
        InvalidArgumentTypeError,
        "iat() takes 0-based type positions (whole numbers), got 1.5 for agent 'bidder 1'",
    ),
    (
        lambda: ZERO.at(2, "1"),
        InvalidArgumentTypeError,
        "at() takes type labels (strings) such as '1', got 2 for agent 'bidder 1'; "
        "for 0-based positions use iat(…, 2, …)",
    ),
    (
        lambda: ZERO.iat("3", 0),
        InvalidArgumentTypeError,
        "iat() takes 0-based type positions (whole numbers), got '3' for agent 'bidder 1'; "
        "for type labels use at(…, '3', …)",
    ),
    (lambda: ZERO.at("1"), InvalidArgumentTypeError, "at() needs one type per agent (2), got 1"),
    (lambda: ZERO.iat(1), InvalidArgumentTypeError, "iat() needs one type per agent (2), got 1"),
    (
        lambda: ZERO.at("1", **{"bidder 2": "1"}),
        InvalidArgumentTypeError,
        "at(): give types either positionally or by agent name, not both",
    ),
    (
        lambda: ENV.agent_index("zed"),
        UnknownNameError,
        "agent: no agent named 'zed'; agents are ['bidder 1', 'bidder 2']",
    ),
    (lambda: ZERO.interim_allocation(7), IndexOutOfRangeError, "agent: index 7 out of range 0..1"),
    (
        lambda: ZERO.summary(max_profiles=-1),
        InvalidArgumentError,
        "summary: max_profiles must be a whole number, at least 0, got -1",
    ),
    (
        lambda: ZERO.verify(["dsic"])["ex_post_ir"],
        UnknownNameError,
        "family: no check for 'ex_post_ir'; checked ('feasibility', 'dominant_strategy_ic')",
    ),
    (
        lambda: lpmech.Mechanism(
            VECTOR_TYPES, np.zeros((3, 2)), np.zeros((3, 1))
        ).interim_quantity(0),
        InvalidArgumentError,
        "agent: 'bidder 1' is not single-parameter",
    ),
    # verify, solve, save and load: the kind of argument
    (
        lambda: lpmech.verify("pay your bid", ["dsic"]),
        InvalidArgumentTypeError,
        "verify: mechanism must be a Mechanism, got str",
    ),
    (
        lambda: lpmech.checks.auditing.audit("pay your bid"),
        InvalidArgumentTypeError,
        "audit: mechanism must be a Mechanism, got str",
    ),
    (
        lambda: lpmech.verify(ZERO, None),
        UnknownConstraintError,
        "constraints: expected a family name, a ConstraintFamily or a list of them, got NoneType",
    ),
    (
        lambda: lpmech.solve(ENV, "revenue", 5),
        UnknownConstraintError,
        "constraints: expected a family name",
    ),
    (
        lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], solver_options=["time"]),
        InvalidArgumentError,
        "solver_options must be a dict of HiGHS options, got list",
    ),
    (
        lambda: lpmech.save(5, "never_written.json"),
        InvalidArgumentTypeError,
        "save: obj must be an Environment, Mechanism or Solution, got int",
    ),
    (lambda: lpmech.load(5), InvalidArgumentTypeError, "load: path must be a file name, got int"),
    (
        lambda: lpmech.save(ZERO, 5),
        InvalidArgumentTypeError,
        "save: path must be a file name, got int",
    ),
    (
        lambda: lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"], deterministic="yes"),
        InvalidArgumentError,
        "deterministic must be True or False, got 'yes'",
    ),
    (
        lambda: lpmech.formulate(ENV).add(5),
        InvalidArgumentTypeError,
        "add: constraints must be cvxpy constraints (or a CvxpyConstraint), got 5",
    ),
    (
        lambda: lpmech.optimal_range("solution", None),
        InvalidArgumentTypeError,
        "optimal_range: solution must be a Solution from lpmech.solve, got str",
    ),
    (
        lambda: lpmech.solve(
            ENV, "revenue", ["dsic", lpmech.CvxpyConstraint(lambda v: 5, name="cap")]
        ),
        InvalidArgumentTypeError,
        "cap: build must return cvxpy constraints, got int",
    ),
    (
        lambda: check_family(lpmech.CvxpyConstraint(lambda v: [v.payments <= 1], name="cap"), ENV),
        InvalidArgumentTypeError,
        "cap: a cvxpy-written family has no rows to check",
    ),
    # environments and families
    (
        lambda: lpmech.single_item_auction([1, 2], n_bidders=1, seller_value="x"),
        InvalidEnvironmentError,
        "single_item_auction: seller_value must be a finite number",
    ),
    (
        lambda: lpmech.Environment(ENV.agents, ENV.allocation, "values"),
        InvalidEnvironmentError,
        "Environment: valuations must be a list with one entry per agent (2), got 'values'",
    ),
    (
        lambda: lpmech.Environment(ENV.agents, ENV.allocation, ENV.valuations, outside_options=0),
        InvalidEnvironmentError,
        "Environment: outside_options must be a list with one entry per",
    ),
    (
        lambda: lpmech.Environment(
            ENV.agents, ENV.allocation, ENV.valuations, principal_value=["x", "y"]
        ),
        InvalidEnvironmentError,
        "Environment: principal_value must be an array of numbers",
    ),
    (
        lambda: lpmech.Environment(ENV.agents, ENV.allocation, [[["a", "b"]] * 3] * 2),
        InvalidEnvironmentError,
        "Environment: valuations[0] (agent 'bidder 1') must be an array of numbers",
    ),
    (
        lambda: lpmech.Agent("a", "abc"),
        InvalidEnvironmentError,
        "Agent 'a': types must be an array of numbers, got 'abc'",
    ),
    (
        lambda: lpmech.Outcomes("xy"),
        InvalidEnvironmentError,
        "Outcomes: names must be a sequence of names, got 'xy'",
    ),
    (
        lambda: lpmech.Items(-1),
        InvalidEnvironmentError,
        "Items: agent_names must be a sequence of names, got -1",
    ),
    (
        lambda: lpmech.Items(["a"], n_items=2.5),
        InvalidEnvironmentError,
        "Items: n_items must be a whole number, at least 1, got 2.5",
    ),
    (
        lambda: lpmech.ExPostBudgetBalance(required="x"),
        InvalidArgumentError,
        "ExPostBudgetBalance: required must be a finite number, got 'x'",
    ),
    (
        lambda: lpmech.DominantStrategyIC(reduction="all"),
        InvalidArgumentError,
        "DominantStrategyIC: reduction must be one of",
    ),
    (
        lambda: Benchmark("Myerson", 1.0, relation="about"),
        InvalidArgumentError,
        "Benchmark: relation must be one of",
    ),
    (lambda: exact(math.nan), InvalidArgumentError, "exact: nan has no rational value"),
    (
        lambda: exact("1/2"),
        InvalidArgumentTypeError,
        "exact: expected an int, Fraction or float, got str",
    ),
    # analytic: discretised priors and virtual values
    (
        lambda: discretise(stats.uniform(), 0),
        InvalidArgumentError,
        "discretise: n_points must be a whole number, at least 1, got 0",
    ),
    (
        lambda: discretise(stats.uniform(), 2.5),
        InvalidArgumentError,
        "discretise: n_points must be a whole number, at least 1, got 2.5",
    ),
    (
        lambda: discretise("uniform", 4),
        InvalidArgumentError,
        "discretise: distribution must be a frozen scipy.stats distribution",
    ),
    (
        lambda: discretise(stats.expon(), 4, grid="uniform"),
        InvalidArgumentError,
        "discretise: grid='uniform' needs a bounded support, got [0.0, inf]",
    ),
    (
        lambda: discretise(stats.uniform(), 4, grid="even"),
        InvalidArgumentError,
        "discretise: grid must be 'quantile' or 'uniform', got 'even'",
    ),
    (lambda: empirical([]), InvalidArgumentError, "empirical: sample must be non-empty"),
    (
        lambda: empirical(["a", "b"]),
        InvalidArgumentError,
        "empirical: sample must be an array of numbers",
    ),
    (
        lambda: empirical([1, 2], n_bins=0),
        InvalidArgumentError,
        "empirical: n_bins must be None or a whole number, at least 1, got 0",
    ),
    (
        lambda: virtual_values([1, 3, 2], [0.25, 0.5, 0.25]),
        InvalidArgumentError,
        "values must be strictly increasing, got [1.0, 3.0, 2.0]",
    ),
    (
        lambda: virtual_values([1, math.nan], [0.5, 0.5]),
        InvalidArgumentError,
        "values contains NaN or infinite entries",
    ),
    (
        lambda: virtual_costs([1, 2], [1.0, 0.0]),
        InvalidArgumentError,
        "prior must be positive, got [1.0, 0.0]",
    ),
    (
        lambda: ironed_virtual_values([1, 2], [1.0]),
        InvalidArgumentError,
        "values and prior must be vectors of one length, got shapes (2,) and (1,)",
    ),
    (
        lambda: virtual_values(["low", "high"], [0.5, 0.5]),
        InvalidArgumentError,
        "values must be a vector of numbers",
    ),
    (
        lambda: lpmech.analytic.posted_price(ENV, "2"),
        InvalidArgumentError,
        "posted_price: price must be a finite number, got '2'",
    ),
    (
        lambda: lpmech.analytic.second_price(ENV, reserve=math.nan),
        InvalidArgumentError,
        "second_price: reserve must be a finite number, got nan",
    ),
    # characterisation
    (
        lambda: check_monotone(ENV, RIGHT_SHAPE, incentive="strategyproof"),
        InvalidArgumentError,
        "incentive: expected one of",
    ),
    (
        lambda: check_monotone("auction", RIGHT_SHAPE),
        InvalidArgumentTypeError,
        "check_monotone: env must be an Environment, got str",
    ),
    (
        lambda: increasing_differences([0, 1, 2]),
        InvalidArgumentError,
        "values must be a (types × outcomes) table, got shape (3,)",
    ),
    (
        lambda: increasing_differences([[0, "a"], [0, 1]]),
        InvalidArgumentError,
        "values must be an array of numbers",
    ),
    (
        lambda: increasing_differences([[0, math.inf], [0, 1]]),
        InvalidArgumentError,
        "values contain NaN or infinite entries",
    ),
    (lambda: outcome_values(ENV, 0), InvalidArgumentError, "outcome_values: give the outcomes"),
    (
        lambda: outcome_values(ENV, 0, outcomes=np.eye(3)),
        InvalidArgumentError,
        "outcome_values: outcomes has shape (3, 3), expected (M, 2)",
    ),
    (
        lambda: outcome_values(ENV, 0, outcomes=np.eye(2), type_order=[0, 5]),
        InvalidArgumentError,
        "outcome_values: type_order must be type indices in 0..2",
    ),
    (
        lambda: outcome_values(VECTOR_TYPES, 0, outcomes=np.eye(2)),
        InvalidArgumentError,
        "outcome_values: agent 'bidder 1' has vector types; give type_order",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    CATALOGUE,
    ids=[f"{i}-{entry[2][:30]}" for i, entry in enumerate(CATALOGUE)],
)
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


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["solve", "single_item", "--n-bidders", "0"], "argument --n-bidders: must be at least 1"),
        (
            ["solve", "single_item", "--n-types", "2.5"],
            "argument --n-types: expected a whole number",
        ),
        (["solve", "public_good", "--cost", "nan"], "argument --cost: must be finite"),
        (["solve", "single_item", "--profiles", "-3"], "argument --profiles: must be at least 1"),
        (["check", "--tol", "-1"], "argument --tol: --tol must be positive"),
    ],
)
def test_cli_parameters_are_refused_naming_the_option(capsys, argv, fragment):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    assert fragment in capsys.readouterr().err


def test_lookups_keep_the_builtin_classes_they_raised_before():
    with pytest.raises(KeyError) as unknown:
        ENV.agent_index("zed")
    assert str(unknown.value) == "agent: no agent named 'zed'; agents are ['bidder 1', 'bidder 2']"
    with pytest.raises(IndexError):
        ENV.agents[0].type_index(3)
    with pytest.raises(TypeError):
        ZERO.at("1")
    for error in (UnknownNameError, IndexOutOfRangeError, InvalidArgumentTypeError):
        assert issubclass(error, LpmechError)
        assert issubclass(error, ValueError)


def test_solution_look_ups_name_what_exists():
    solution = lpmech.solve(ENV, "revenue", ["dsic", "ex_post_ir"])
    with pytest.raises(UnknownNameError, match=r"family: no duals for 'bic'; have \["):
        solution.binding("bic")
    with pytest.raises(UnknownNameError, match="family: no check for 'bic'; checked"):
        solution.verification["bic"]


def test_a_file_that_is_not_text_is_a_file_format_error(tmp_path):
    picture = tmp_path / "picture.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(FileFormatError, match=re.escape(f"{picture}: not a JSON file")):
        lpmech.load(picture)


ENV_FIRST = sorted(
    name
    for name in lpmech.analytic.__all__
    if callable(getattr(lpmech.analytic, name))
    and not inspect.isclass(getattr(lpmech.analytic, name))
    and next(iter(inspect.signature(getattr(lpmech.analytic, name)).parameters), None) == "env"
)


@pytest.mark.parametrize("name", ENV_FIRST)
def test_every_analytic_benchmark_names_an_env_that_is_not_one(name):
    function = getattr(lpmech.analytic, name)
    required = [
        p
        for p in inspect.signature(function).parameters.values()
        if p.default is inspect.Parameter.empty
    ]
    prices = [1.0] * (len(required) - 1)  # a price or a reserve
    with pytest.raises(
        InvalidArgumentTypeError, match=f"^{name}: env must be an Environment, got str$"
    ):
        function("auction", *prices)
