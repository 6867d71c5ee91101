"""Generation over utility columns, and seeds along the diagonal for unit demand (issue 12).

The program over y = (a, u), t = V·a − u, is the program over z = (a, t) with its
columns changed: the same rows, optimum and duals. Seeding each unit-demand type
with the report one grid step down in every coordinate must not change the
optimum either: every result here is compared with the direct program's and the
brute-force oracle.
"""

from __future__ import annotations

from dataclasses import replace

import hypothesis.strategies as st
import numpy as np
import oracle
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from test_row_generation import problem_of, rounds

import lpmech
from lpmech.analytic.published import SETTINGS
from lpmech.backends.engines import HighspyBackend
from lpmech.backends.status import Status
from lpmech.constraints.base import ConstraintFamily, RowBlock, VariableBounds
from lpmech.formulations.generation import Generation, capped_together, nearest_reports
from lpmech.formulations.utility_columns import UtilityColumns, utility_columns_obstacle
from lpmech.program.compiler import compile_program

UNIT_DEMAND = [name for name, s in SETTINGS.items() if s.unit_demand]
DSIC = ["dominant_strategy_ic", "ex_post_ir"]


@st.composite
def item_auctions(draw):
    """One or two bidders, two or three items, additive or unit demand, any prior."""
    n_bidders, n_items = draw(st.integers(1, 2)), draw(st.integers(2, 3))
    n_types = draw(st.integers(2, 4))
    values = draw(
        st.lists(
            st.lists(st.integers(0, 9), min_size=n_items, max_size=n_items),
            min_size=n_types,
            max_size=n_types,
            unique_by=tuple,
        )
    )
    return lpmech.multi_item_auction(
        np.array(values, dtype=float), n_bidders, unit_demand=draw(st.booleans())
    )


@given(env=item_auctions(), seed=st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_rows_over_utilities_hold_exactly_where_rows_over_payments_hold(env, seed):
    """(A M)(M z) = A z for every z, since M is its own inverse; the cost likewise."""
    program = compile_program(
        env,
        lpmech.program.objectives.resolve_objective("revenue"),
        [
            lpmech.constraints.resolve(name)
            for name in ["feasibility", "dominant_strategy_ic", "ex_post_ir"]
        ],
    )
    columns = UtilityColumns.of(env)
    z = np.random.default_rng(seed).normal(size=program.n_columns)
    y = columns.decisions(z)  # M z = y
    np.testing.assert_allclose(columns.decisions(y), z, atol=1e-12)
    over_utilities = columns.program(program)
    np.testing.assert_allclose(over_utilities.matrix @ y, program.matrix @ z, atol=1e-9)
    assert over_utilities.cost @ y == pytest.approx(program.cost @ z, abs=1e-9)
    assert over_utilities.nnz <= program.nnz


def test_neighbour_rows_keep_three_non_zeros_of_six():
    """An axis neighbour's incentive row over utilities: one allocation term, two utilities;
    ex-post IR becomes the singleton u ≥ 0."""
    env = SETTINGS["unit-demand U[0,1]^2"].build(4)
    ic, ir = (lpmech.constraints.resolve(name).compiled_form(env) for name in DSIC)
    columns = UtilityColumns.of(env)
    true_types, reports = np.array([5]), np.array([6])  # (1, 1) reporting (1, 2)
    row = ic.rows_at(env, ic.pair_rows(env, 0, true_types, reports))
    assert row.matrix.nnz == 6
    assert columns.rows(row).matrix.nnz == 3
    assert np.all(np.diff(columns.matrix(ir.rows(env).matrix).indptr) == 1)


def test_a_family_bounding_payments_keeps_payment_columns():
    env = SETTINGS["unit-demand U[0,1]^2"].build(3)
    program = compile_program(env, lpmech.program.objectives.resolve_objective("revenue"), [])
    assert utility_columns_obstacle(program) is None
    bounded = replace(program, column_lower=np.r_[program.column_lower[:18], np.zeros(9)])
    assert "bounds payment columns" in utility_columns_obstacle(bounded)
    assert "not on the environment's columns" in utility_columns_obstacle(
        replace(program, standard_layout=False)
    )


class NoSubsidies(ConstraintFamily):
    """t_i(θ) ≥ 0 as column bounds (a family that bounds payments)."""

    name = "no_subsidies"
    units = "value"

    def rows(self, env):
        return RowBlock(sp.csr_array((0, env.layout.n_columns)), np.zeros(0), np.zeros(0))

    def bounds(self, env):
        layout = env.layout
        columns = np.arange(layout.n_allocation_columns, layout.n_columns)
        return VariableBounds(columns, np.zeros(columns.size), np.full(columns.size, np.inf))

    def violation(self, mechanism):
        return np.maximum(-mechanism.flat_payments.ravel(), 0.0)


def test_generation_with_bounded_payments_solves_over_payments_at_the_direct_optimum():
    env = SETTINGS["unit-demand U[2,3]^2"].build(8)
    constraints = [*DSIC, NoSubsidies()]
    direct = lpmech.solve(env, "revenue", constraints, formulation="direct")
    generated = lpmech.solve(env, "revenue", constraints, formulation="generation")
    assert generated.objective_value == pytest.approx(direct.objective_value, rel=1e-8)
    assert generated.mechanism.payments.min() >= -1e-9


@pytest.mark.parametrize("name", UNIT_DEMAND)
def test_unit_demand_seeds_the_step_down_the_diagonal(name):
    env = SETTINGS[name].build(5)
    assert capped_together(env, 0)
    true_types, reports = nearest_reports(env, 0)
    pairs = set(zip(true_types.tolist(), reports.tolist(), strict=True))
    down = {(5 * x + y, 5 * (x - 1) + y - 1) for x in range(1, 5) for y in range(1, 5)}
    assert down <= pairs
    assert len(pairs) == len(true_types)  # no pair twice
    additive = SETTINGS["additive U[0,1]^2"].build(5)
    assert not capped_together(additive, 0)


def test_additive_items_of_two_bidders_are_not_capped_together():
    """Each item row caps the two bidders' shares, one component each bidder values."""
    env = SETTINGS["2 bidders, additive U[0,1]^2"].build(2)
    assert not any(capped_together(env, agent) for agent in range(2))
    unit = lpmech.multi_item_auction(np.array([[1.0, 2.0], [2.0, 1.0]]), 2, unit_demand=True)
    assert all(capped_together(unit, agent) for agent in range(2))


@pytest.mark.parametrize("n_points", [4, 7])
@pytest.mark.parametrize("name", UNIT_DEMAND)
@pytest.mark.parametrize("utilities", [True, False])
def test_unit_demand_generation_has_the_direct_optimum(name, n_points, utilities):
    env = SETTINGS[name].build(n_points)
    direct = lpmech.solve(env, "revenue", DSIC, formulation="direct")
    problem = problem_of(env, DSIC)
    outcome = Generation(utilities=utilities).run(problem, HighspyBackend(), {})
    assert outcome.status is Status.OPTIMAL
    assert outcome.objective == pytest.approx(direct.objective_value, rel=1e-8)
    generated = lpmech.solve(env, "revenue", DSIC, formulation=Generation(utilities=utilities))
    assert generated.objective_value == pytest.approx(direct.objective_value, rel=1e-8)
    oracle.assert_satisfies(env, generated.mechanism, DSIC)


@pytest.mark.slow
@pytest.mark.parametrize("name", UNIT_DEMAND)
def test_unit_demand_grids_finish_in_the_first_solve(name):
    """With the diagonal seeded, no lie gains at the seed program's optimum (one solve;
    three to five with the axis neighbours alone on 50 × 50)."""
    env = SETTINGS[name].build(16)
    solution = lpmech.solve(env, "revenue", DSIC, formulation="generation")
    assert rounds(solution.report) == 1
    direct = lpmech.solve(env, "revenue", DSIC, formulation="direct")
    assert solution.objective_value == pytest.approx(direct.objective_value, rel=1e-8)
