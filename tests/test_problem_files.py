"""Design-problem files: round trips, the hand-written examples, and refusals by place."""

from __future__ import annotations

import inspect
import json
import string
import tomllib
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lpmech
from lpmech.analytic import exact_values, myerson_revenue, second_best_gains
from lpmech.constraints import ALIASES, BUILT_IN
from lpmech.errors import (
    FileAccessError,
    FileFormatError,
    InvalidArgumentError,
    UnknownConstraintError,
)
from lpmech.models import MODELS
from lpmech.problem_files import (
    BUILDERS,
    SAFE_SOLVER_OPTIONS,
    SOLVE_KEYS,
    problem_schema,
    read_problem,
    to_toml,
)
from lpmech.program.objectives import OBJECTIVES

EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"


def _write(tmp_path, text, name="problem.toml"):
    path = tmp_path / name
    if isinstance(text, bytes):  # bytes that are not UTF-8, as an untrusted file may hold
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


AUCTION = """
schema_version = 1
objective = "revenue"
constraints = ["dsic", "ex_post_ir"]
[environment]
builder = "single_item_auction"
values = [1, 2, 3]
n_bidders = 2
"""


# ------------------------------------------------------------------ round trips
@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_round_trips_through_toml_and_json_with_the_same_optimum(name, tmp_path):
    problem = lpmech.Problem.from_model(name)
    optimum = MODELS[name].solve().objective_value
    assert problem.solve().objective_value == optimum
    for suffix in ("toml", "json"):
        for written_out in (False, True):
            path = problem.save(tmp_path / f"{name}.{suffix}", written_out=written_out)
            again = lpmech.Problem.load(path)
            assert again.solve().objective_value == optimum, (suffix, written_out)
            assert again.objective == problem.objective
            assert again.constraints == problem.constraints
            assert again.options == problem.options
            if written_out:
                _assert_same_environment(again.env, problem.env)


def _assert_same_environment(ours, theirs):
    assert [a.name for a in ours.agents] == [a.name for a in theirs.agents]
    assert [a.labels for a in ours.agents] == [a.labels for a in theirs.agents]
    for mine, yours in zip(ours.valuations, theirs.valuations, strict=True):
        assert np.array_equal(np.asarray(mine, dtype=float), np.asarray(yours, dtype=float))
    assert np.array_equal(ours.prior.joint, theirs.prior.joint)
    assert ours.allocation.component_names == theirs.allocation.component_names


def test_values_in_any_units_come_back_bit_for_bit(tmp_path):
    env = lpmech.single_item_auction(
        [[1e-9, 3e-9], [1e9, 2.5e9, 7e9]], priors=[[0.3, 0.7], [0.1, 0.2, 0.7]]
    )
    problem = lpmech.Problem(env, "revenue", ("dsic", "ex_post_ir"))
    for suffix in ("toml", "json"):
        again = lpmech.Problem.load(problem.save(tmp_path / f"units.{suffix}"))
        _assert_same_environment(again.env, env)


def test_a_correlated_prior_and_a_polytope_with_infinite_bounds_round_trip(tmp_path):
    space = lpmech.AllocationSpace(["a", "b"], [[1.0, 1.0]], [-np.inf], [1.0])
    env = lpmech.Environment(
        [lpmech.Agent("one", [0.0, 1.0]), lpmech.Agent("two", [0.0, 2.0])],
        space,
        [[[0.0, 0.0], [1.0, 0.0]], [[0.0, 0.0], [0.0, 2.0]]],
        prior=[[0.4, 0.1], [0.1, 0.4]],
    )
    problem = lpmech.Problem(env, "welfare", ("dsic", "ex_post_ir"))
    for suffix in ("toml", "json"):
        again = lpmech.Problem.load(problem.save(tmp_path / f"polytope.{suffix}"))
        _assert_same_environment(again.env, env)
        assert again.env.allocation.row_lower.tolist() == [-np.inf]
        assert again.solve().objective_value == problem.solve().objective_value


def test_an_environment_saved_by_lpmech_save_is_a_problem(tmp_path):
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
    parts = read_problem(lpmech.save(env, tmp_path / "env.json"))
    assert parts.env.n_profiles == 9
    assert parts.objective == "revenue"


def test_options_and_overrides_reach_solve(tmp_path):
    path = _write(
        tmp_path,
        AUCTION
        + '[solve]\nformulation = "direct"\ntie_break = "small_payments"\ntime_limit = 30\n'
        + "[solve.solver_options]\nprimal_feasibility_tolerance = 1e-9\n",
    )
    problem = lpmech.Problem.load(path)
    assert problem.options == {
        "formulation": "direct",
        "tie_break": "small_payments",
        "solver_options": {"primal_feasibility_tolerance": 1e-9, "time_limit": 30},
    }
    solution = problem.solve()
    assert solution.report.formulation == "direct"
    assert solution.solver_options["time_limit"] == 30
    assert problem.solve(formulation="symmetric").report.formulation == "symmetric"


# ------------------------------------------------------------- hand-written files
def test_the_hand_written_auction_example_is_myersons_optimum():
    problem = lpmech.Problem.load(EXAMPLES / "auction.toml")
    env = lpmech.single_item_auction([1, 2, 3, 4], 2, [0.4, 0.3, 0.2, 0.1], seller_value=1)
    assert problem.solve().objective_value == pytest.approx(myerson_revenue(env), rel=1e-9)


def test_the_hand_written_trade_example_is_the_second_best():
    problem = lpmech.Problem.load(EXAMPLES / "trade.toml")
    env = lpmech.bilateral_trade([0, 1, 2], [0, 1, 2], seller_prior=[0.5, 0.25, 0.25])
    assert problem.solve().objective_value == pytest.approx(second_best_gains(env), rel=1e-9)


def test_numbers_written_as_strings_are_exact_and_certified(tmp_path):
    path = _write(
        tmp_path,
        'schema_version = 1\nobjective = "gains_from_trade"\n'
        'constraints = ["bic", "interim_ir", "ex_post_budget_balance"]\n'
        '[environment]\nbuilder = "bilateral_trade"\n'
        'buyer_values = ["0", "1/3", "2/3", "1"]\nseller_costs = ["0", "0.25", "1/2", "1"]\n',
    )
    problem = lpmech.Problem.load(path)
    exact_env = lpmech.bilateral_trade(
        [Fraction(k, 3) for k in range(4)], [Fraction(0), Fraction(1, 4), Fraction(1, 2), 1]
    )
    certificate = problem.solve().certify()
    assert certificate.optimal
    assert certificate.objective == exact_values.second_best_gains(exact_env)


# ------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            AUCTION.replace("single_item_auction", "english_auction"),
            "environment.builder: unknown builder 'english_auction'; known are",
        ),
        (AUCTION.replace('"revenue"', '"fame"'), "objective: unknown objective 'fame'"),
        (
            AUCTION.replace('"dsic", "ex_post_ir"', '"dsic", "honesty"'),
            "constraints[1]: unknown constraint family 'honesty'",
        ),
        (AUCTION + "colour = 1\n", "environment.colour: unknown field 'colour'"),
        (
            AUCTION.replace("schema_version = 1", "schema_version = 1\nauthor = 'me'"),
            "author: unknown field 'author'",
        ),
        (
            AUCTION.replace("[1, 2, 3]", '[1, "x", 3]'),
            "environment.values[1]: expected a number, got str 'x'",
        ),
        (
            AUCTION.replace("n_bidders = 2", "n_bidders = 0"),
            "environment.n_bidders: expected a whole number at least 1, got 0",
        ),
        (
            AUCTION.replace("n_bidders = 2", "n_bidders = true"),
            "environment.n_bidders: expected a whole number at least 1, got True",
        ),
        (AUCTION.replace("values = [1, 2, 3]\n", ""), "environment.values: missing (required)"),
        (
            AUCTION.replace("schema_version = 1", "schema_version = 2"),
            "schema_version: 2 is not supported",
        ),
        (AUCTION.replace("schema_version = 1\n", ""), "schema_version: missing (required)"),
        (
            AUCTION + '[solve.solver_options]\nlog_file = "/etc/passwd"\n',
            "solve.solver_options.log_file: solver option 'log_file' is not allowed",
        ),
        (
            AUCTION + "[solve.solver_options]\nwrite_solution_to_file = true\n",
            "solve.solver_options.write_solution_to_file: solver option",
        ),
        (
            AUCTION + "[solve]\ntime_limit = -1\n",
            "solve.time_limit: expected a positive number, got -1",
        ),
        (AUCTION + "[solve]\nverbose = true\n", "solve.verbose: unknown field 'verbose'"),
        (
            AUCTION.replace("n_bidders = 2", "n_bidders = 2\nnames = ['a', 'b', 'c']"),
            "environment: single_item_auction: names has 3 entries",
        ),
        (
            'schema_version = 1\n[environment]\nmodel = "nowhere"\n',
            "environment.model: unknown model 'nowhere'",
        ),
        (
            'schema_version = 1\n[environment]\nmodel = "single_item"\n'
            "[environment.parameters]\nn_bidder = 2\n",
            "environment.parameters.n_bidder: unknown field 'n_bidder'",
        ),
        (
            'schema_version = 1\n[environment]\noutcomes = ["x"]\nvaluations = [[[1]]]\n'
            '[[environment.agents]]\nname = "a"\ntypes = [1]\nsize = 3\n',
            "environment.agents[0].size: unknown field 'size'",
        ),
        (
            'schema_version = 1\n[environment]\noutcomes = ["x"]\nvaluations = [[[1]], [[2]]]\n'
            '[[environment.agents]]\nname = "a"\ntypes = [1]\n',
            "environment.valuations: expected one table per agent (1)",
        ),
        ("schema_version = [1", "not a TOML file"),
        (AUCTION.replace("[1, 2, 3]", '[1, "2/0", 3]'), "environment.values[1]: '2/0' divides"),
        (AUCTION.replace("[1, 2, 3]", f'[1, "{"9" * 5000}"]'), "environment.values[1]: a number"),
        (AUCTION.replace("schema_version = 1", "schema_version = true"), "schema_version: True"),
        (AUCTION + "[solve]\nformulation = 'fast'\n", "solve.formulation: unknown 'fast'"),
        (AUCTION + "[solve]\ntie_break = 'cheap'\n", "solve.tie_break: unknown 'cheap'"),
        (AUCTION + "[solve]\nbackend = 'gurobi'\n", "solve.backend: unknown 'gurobi'"),
        (AUCTION + "[solve]\nalgorithm = 'magic'\n", "solve.algorithm: unknown 'magic'"),
        (AUCTION + "[solve]\ntol = 10\n", "solve.tol: tol must be positive"),
        (AUCTION + "[solve]\nmemory_limit = 1e300\n", "solve.memory_limit: memory_limit"),
        (
            AUCTION + "[solve.solver_options]\nprimal_feasibility_tolerance = -1\n",
            "solve.solver_options: solver_options: HiGHS rejected option",
        ),
        ("schema_version = 1\nx = " + "[" * 5000 + "]" * 5000, "nested deeper"),
        (b"schema_version = 1\nname = '\xff'\n", "not a TOML file"),
    ],
)
def test_a_bad_file_is_refused_naming_the_field_and_its_place(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(FileFormatError) as error:
        lpmech.Problem.load(path)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)


def test_json_files_are_refused_by_place_too(tmp_path):
    data = {"format": "lpmech", "kind": "problem", "schema_version": 1, "environment": []}
    path = _write(tmp_path, json.dumps(data), "problem.json")
    with pytest.raises(FileFormatError, match="environment: expected a table, got a list"):
        lpmech.Problem.load(path)
    path.write_text(json.dumps({**data, "format": "gambit"}))
    with pytest.raises(FileFormatError, match="format: not an lpmech file"):
        lpmech.Problem.load(path)
    with pytest.raises(FileAccessError, match=r"absent\.toml: No such file"):
        lpmech.Problem.load(tmp_path / "absent.toml")
    env = lpmech.single_item_auction([1, 2], n_bidders=1)
    solution = lpmech.save(lpmech.solve(env), tmp_path / "solution.json")
    with pytest.raises(FileFormatError, match=r"kind: expected 'problem' .* got 'solution'"):
        lpmech.Problem.load(solution)


def test_a_problem_refuses_bad_parts_by_name():
    env = lpmech.single_item_auction([1, 2], n_bidders=1)
    with pytest.raises(InvalidArgumentError, match=r"options \['log_file'\] are not options"):
        lpmech.Problem(env, options={"log_file": "x"})
    with pytest.raises(UnknownConstraintError, match="honesty"):
        lpmech.Problem(env, "revenue", ("honesty",))
    with pytest.raises(InvalidArgumentError, match="unknown model 'nowhere'"):
        lpmech.Problem.from_model("nowhere")


# ---------------------------------------------------------------- the schema
def test_the_schema_lists_what_the_reader_accepts():
    schema = problem_schema()
    forms = schema["properties"]["environment"]["oneOf"]
    builders = {
        f["properties"]["builder"]["const"]: f for f in forms if "builder" in f["properties"]
    }
    assert set(builders) == set(BUILDERS)
    for name, (function, kinds) in BUILDERS.items():
        assert set(inspect.signature(function).parameters) == set(kinds)
        assert set(builders[name]["properties"]) == {"builder", *kinds}
        required = [
            p.name
            for p in inspect.signature(function).parameters.values()
            if p.default is inspect.Parameter.empty
        ]
        assert builders[name]["required"] == ["builder", *required]
    models = next(f for f in forms if "model" in f["properties"])
    assert models["properties"]["model"]["enum"] == list(MODELS)
    assert schema["properties"]["objective"]["anyOf"][0]["enum"] == list(OBJECTIVES)
    families = schema["$defs"]["family"]["anyOf"][0]["enum"]
    assert set(families) == {*BUILT_IN, *ALIASES}
    solve = schema["properties"]["solve"]["properties"]
    assert set(solve) == set(SOLVE_KEYS)
    assert set(solve["solver_options"]["properties"]) == set(SAFE_SOLVER_OPTIONS)


# -------------------------------------------------------------- the TOML writer
KEYS = st.text(string.ascii_letters + string.digits + '_- é."', min_size=1, max_size=8)
SCALARS = (
    st.booleans()
    | st.integers(-(2**62), 2**62)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4), max_leaves=12)
TABLES = st.recursive(
    st.dictionaries(KEYS, VALUES, max_size=4),
    lambda inner: st.dictionaries(
        KEYS, inner | VALUES | st.lists(inner, min_size=1, max_size=2), max_size=3
    ),
    max_leaves=6,
)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(TABLES)
def test_toml_writer_round_trips_through_tomllib(data):
    assert tomllib.loads(to_toml(data)) == data
