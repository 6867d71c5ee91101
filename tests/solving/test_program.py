"""The design program as an object: build, extend in cvxpy, solve anywhere, read back verified."""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import oracle
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import environments, mechanisms

import lpmech
from lpmech import CvxpyConstraint, DesignVariables
from lpmech.analytic import myerson_revenue
from lpmech.backends.solver_choice import verification_tolerance
from lpmech.errors import InvalidArgumentError
from lpmech.models import MODELS

CAP = 2.5


@pytest.fixture
def auction():
    return lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)


@pytest.mark.parametrize("solver", ["HIGHS", "CLARABEL", "SCS"])
def test_added_cap_solved_by_a_named_solver_matches_solve_with_the_same_cap(auction, solver):
    program = lpmech.formulate(auction, "revenue", ["dsic", "ex_post_ir"])
    program.add(program.payments <= CAP, name="payment_cap")
    solution = program.solve(solver=solver)

    cap = CvxpyConstraint(lambda v: [v.payments <= CAP], name="payment_cap")
    reference = lpmech.solve(auction, "revenue", ["dsic", "ex_post_ir", cap])
    assert solution.report.solver == solver
    assert solution.verification.ok
    assert solution.verification.families == reference.verification.families
    tolerance = verification_tolerance(solver, 1e-6)
    assert solution.objective_value == pytest.approx(reference.objective_value, abs=tolerance)
    assert solution.objective_value < myerson_revenue(auction) - 0.01  # the cap binds
    assert solution.mechanism.flat_payments.max() <= CAP + tolerance
    assert solution.duals["payment_cap"].sum() > 0.1  # the binding cap has a price
    oracle.assert_satisfies(
        auction, solution.mechanism, ["dominant_strategy_ic", "ex_post_ir"], tol=10 * tolerance
    )


def test_a_program_solved_by_the_user_reads_back_verified(auction):
    program = lpmech.formulate(auction)
    program.problem.solve(solver="CLARABEL")
    solution = program.solution()
    assert solution.report.solver == "CLARABEL"
    assert solution.objective_value == pytest.approx(myerson_revenue(auction), abs=1e-6)


def test_reading_an_unsolved_program_is_refused(auction):
    with pytest.raises(lpmech.NotSolvedError, match="has not been solved"):
        lpmech.formulate(auction).solution()


def test_a_problem_built_from_the_program_is_verified_on_its_own_terms(auction):
    program = lpmech.formulate(auction)
    yours = cp.Problem(
        cp.Minimize(cp.sum_squares(program.payments)),
        [*program.problem.constraints, program.payments[:, 0] >= 0.5],
    )
    yours.solve(solver="CLARABEL")
    solution = program.solution(yours)
    assert solution.verification["added constraints"].ok
    assert solution.objective.name == "custom"
    assert solution.objective_value == pytest.approx(yours.value, rel=1e-9)
    assert solution.mechanism.flat_payments[:, 0].min() >= 0.5 - 1e-6


def test_added_constraints_are_verified_on_any_mechanism(auction):
    program = lpmech.formulate(auction)
    program.add([program.payments <= CAP], name="payment_cap")
    family = program.families[-1]
    overcharging = lpmech.Mechanism(auction, np.zeros((16, 2)), np.full((16, 2), CAP + 1.0))
    assert family.violation(overcharging).max() == pytest.approx(1.0)
    assert lpmech.verify(overcharging, [family]).failures()[0].family == "payment_cap"


def test_constraints_by_family_and_a_duplicate_name_refused(auction):
    program = lpmech.formulate(auction, "revenue", ["dsic", "ex_post_ir"])
    assert set(program.constraints) == {"feasibility", "dominant_strategy_ic", "ex_post_ir"}
    assert all(program.constraints[name] for name in program.constraints)
    assert program.allocation.shape == (16, 2)
    assert program.payments.shape == (16, 2)
    with pytest.raises(ValueError, match="'ex_post_ir' is already imposed"):
        program.add(program.payments <= 1, name="ex_post_ir")


def test_an_added_constraint_that_conflicts_is_diagnosed(auction):
    program = lpmech.formulate(auction)
    program.add(program.allocation[0] >= 0.6, name="both_win")
    with pytest.raises(lpmech.InfeasibleDesignError) as raised:
        program.solve()
    assert set(raised.value.conflicting) == {"feasibility", "both_win"}


def test_an_added_objective_term_is_evaluated_on_the_solution(auction):
    program = lpmech.formulate(auction)
    program.add_objective(
        cp.sum_squares(program.payments) / 16, name="second moment", sense="minimize"
    )
    solution = program.solve()
    payments = solution.mechanism.flat_payments
    expected = solution.mechanism.expected_revenue() - (payments**2).sum() / 16
    assert solution.report.solver == "CLARABEL"  # a convex QP
    assert solution.objective_value == pytest.approx(expected, abs=1e-9)
    assert solution.objective_value == pytest.approx(program.problem.value, abs=1e-6)


@given(st.data())
def test_interim_views_equal_the_mechanisms_interim_rules(data):
    env = data.draw(environments(kinds=("single_item", "public_good", "outcomes")))
    mechanism = data.draw(mechanisms(env))
    variables = DesignVariables.at_mechanism(mechanism)
    for i in range(env.n_agents):
        np.testing.assert_allclose(
            variables.interim_allocation(i).value, mechanism.interim_allocation(i), atol=1e-12
        )
        np.testing.assert_allclose(
            variables.interim_payment(i).value, mechanism.interim_payment(i), atol=1e-12
        )
        np.testing.assert_allclose(
            variables.interim_utility(i).value, mechanism.interim_utility(i), atol=1e-12
        )


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_through_its_program_matches_solve(name):
    spec = MODELS[name]
    env = spec.environment()
    program = lpmech.formulate(env, spec.objective, spec.constraints)
    solution = program.solve()
    reference = lpmech.solve(env, spec.objective, spec.constraints)
    assert solution.report.solver == reference.report.solver
    assert solution.verification.families == reference.verification.families
    assert solution.objective_value == pytest.approx(reference.objective_value, abs=1e-6)


def test_a_deterministic_program_is_a_milp_for_highs(auction):
    program = lpmech.formulate(auction, deterministic=True)
    program.add(program.interim_utility(0) >= 0.25, name="bidder_1_share")
    solution = program.solve()
    assert solution.report.solver == "HIGHS"
    assert solution.mechanism.is_deterministic()
    assert solution.mechanism.interim_utility(0).min() >= 0.25 - 1e-6
    assert solution.verification["bidder_1_share"].ok


def test_bad_arguments_are_named(auction):
    with pytest.raises(lpmech.InvalidEnvironmentError, match="env must be an Environment"):
        lpmech.formulate([1, 2, 3])
    program = lpmech.formulate(auction)
    with pytest.raises(InvalidArgumentError, match=r"scalar cvxpy expression, got \(16, 2\)"):
        program.add_objective(program.payments)
    with pytest.raises(TypeError, match="build must return cvxpy constraints"):
        program.add([program.payments.sum()], name="not_a_constraint")
    with pytest.raises(ValueError, match="sense must be 'maximize' or 'minimize'"):
        program.add_objective(cp.sum(program.payments), sense="max")
