"""HiGHS's algorithm is chosen by the measured rule, reported, and can be overridden."""

from __future__ import annotations

import numpy as np
import pytest

import lpmech
from lpmech import BayesianIC, DominantStrategyIC
from lpmech.backends.algorithms import (
    IPM_MIN_COUPLED_COLUMNS,
    choose_algorithm,
    warm_start_options,
    with_algorithm,
)
from lpmech.constraints import Feasibility
from lpmech.program.compiler import compile_program
from lpmech.program.objectives import resolve_objective


def program_of(env, objective, constraints):
    families = [Feasibility(), *(lpmech.constraints.resolve(c) for c in constraints)]
    compiled = [f.compiled_form(env) for f in families]
    return compile_program(env, resolve_objective(objective), compiled)


def trade(n_types: int):
    grid = np.linspace(0.0, 1.0, n_types)
    return lpmech.bilateral_trade(grid, grid)


def test_bayesian_rows_with_ex_post_budget_rows_go_to_interior_point():
    constraints = ["bic", "interim_ir", "ex_post_budget_balance"]
    large = program_of(trade(100), "gains_from_trade", constraints)
    small = program_of(trade(10), "gains_from_trade", constraints)
    assert large.n_columns >= IPM_MIN_COUPLED_COLUMNS > small.n_columns
    assert choose_algorithm(large) == "ipm"
    assert choose_algorithm(small) == "simplex"


@pytest.mark.parametrize(
    "constraints",
    [
        ["bic", "interim_ir", "ex_ante_budget_balance"],  # budget balanced only on average
        ["dsic", "ex_post_ir", "ex_post_budget_balance"],  # ex-post incentive rows
    ],
    ids=["ex-ante budget", "dominant strategy"],
)
def test_other_budget_programs_stay_with_simplex(constraints):
    assert choose_algorithm(program_of(trade(100), "gains_from_trade", constraints)) == "simplex"


def test_full_incentive_rows_far_outnumbering_columns_go_to_interior_point():
    env = lpmech.single_item_auction(np.arange(1.0, 41.0), 2)
    full = program_of(env, "revenue", [DominantStrategyIC("full"), "ex_post_ir"])
    local = program_of(env, "revenue", ["dsic", "ex_post_ir"])
    assert full.n_rows > 15 * full.n_columns
    assert choose_algorithm(full) == "ipm"
    assert choose_algorithm(local) == "simplex"


def test_a_named_solver_or_a_mixed_integer_program_is_left_alone():
    program = program_of(
        trade(100), "gains_from_trade", ["bic", "interim_ir", "ex_post_budget_balance"]
    )
    assert with_algorithm(program, {"solver": "simplex"}) == {"solver": "simplex"}
    assert with_algorithm(program, {"time_limit": 5.0}) == {"time_limit": 5.0, "solver": "ipm"}
    assert warm_start_options({}, deterministic=True) == {}
    assert warm_start_options({"solver": "ipm"}, deterministic=False) == {"solver": "ipm"}


def test_the_report_says_which_algorithm_ran():
    env = lpmech.single_item_auction([1, 2, 3, 4], 2)
    auto = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    forced = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], algorithm="ipm")
    by_option = lpmech.solve(
        env, "revenue", ["dsic", "ex_post_ir"], solver_options={"solver": "ipm"}
    )
    integral = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], deterministic=True)
    assert auto.report.algorithm == "simplex"
    assert forced.report.algorithm == by_option.report.algorithm == "ipm"
    assert integral.report.algorithm == "branch and bound"
    assert "algorithm ipm" in str(forced.report)
    assert forced.objective_value == pytest.approx(auto.objective_value, abs=1e-7)


def test_generation_re_solves_with_simplex():
    grid = (np.arange(10) + 0.5) / 10
    types = np.stack(np.meshgrid(grid, grid, indexing="ij"), axis=-1).reshape(-1, 2)
    env = lpmech.multi_item_auction(types, n_bidders=1)
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], formulation="generation")
    assert solution.report.algorithm == "simplex"


def test_interim_formulation_reports_its_algorithm():
    env = lpmech.single_item_auction(
        [1, 2, 4], 3, priors=[[0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.3, 0.4, 0.3]]
    )
    solution = lpmech.solve(env, "revenue", [BayesianIC(), "interim_ir"], formulation="interim")
    assert solution.report.algorithm == "simplex"


def test_unknown_or_conflicting_algorithms_are_named():
    env = lpmech.single_item_auction([1, 2], n_bidders=1)
    with pytest.raises(ValueError, match="algorithm: unknown 'barrier'"):
        lpmech.solve(env, algorithm="barrier")
    with pytest.raises(ValueError, match="conflicts with solver_options"):
        lpmech.solve(env, algorithm="ipm", solver_options={"solver": "simplex"})
