"""Programs beyond linear: the solver chosen by class, DCP errors, mismatch errors, tolerances."""

from __future__ import annotations

import cvxpy as cp
import oracle
import pytest

import lpmech
from lpmech import CustomObjective, CvxpyConstraint
from lpmech.backends.solver_choice import (
    VERIFICATION_TOLERANCE,
    problem_class,
    verification_tolerance,
)
from lpmech.models import MODELS
from lpmech.problem.scales import data_scale
from lpmech.program.objectives import resolve_objective

DSIC_IR = ["dominant_strategy_ic", "ex_post_ir"]
BIC_BB = ["bayesian_ic", "ex_post_budget_balance"]


@pytest.fixture
def auction():
    return lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)


def log_payments(v):
    return cp.sum(cp.log(1 + v.payments[:, 0]))


def geo_mean_payments(v):
    expected = v.env.prior.joint @ v.payments  # each bidder's expected payment
    return cp.geo_mean(expected, approx=False)  # power cones, no SOC approximation


@pytest.mark.parametrize("expression", [log_payments, geo_mean_payments])
def test_concave_objective_solves_by_a_conic_solver_and_verifies(auction, expression):
    objective = CustomObjective(expression, name=expression.__name__)
    solution = lpmech.solve(auction, objective, DSIC_IR)
    assert solution.report.solver == "CLARABEL"
    assert "CLARABEL" in str(solution.report)
    assert solution.verification.ok
    assert solution.verification.families == ("feasibility", *DSIC_IR)
    oracle.assert_satisfies(auction, solution.mechanism, DSIC_IR)
    # the optimum beats the revenue-optimal mechanism on its own objective
    myerson = lpmech.solve(auction, "revenue", DSIC_IR).mechanism
    assert solution.objective_value >= objective.value(myerson) - 1e-6


LINEAR_MODELS = sorted(
    name for name, spec in MODELS.items() if not resolve_objective(spec.objective).requires_cvxpy
)


def test_most_models_are_linear():
    assert len(LINEAR_MODELS) >= 12


@pytest.mark.parametrize("name", LINEAR_MODELS)
def test_linear_models_through_the_conic_path_agree_with_highs(name):
    spec = MODELS[name]
    env = spec.environment()
    highs = lpmech.solve(env, spec.objective, spec.constraints, solver="HIGHS")
    conic = lpmech.solve(env, spec.objective, spec.constraints, solver="CLARABEL")
    assert (highs.report.solver, conic.report.solver) == ("HIGHS", "CLARABEL")
    tolerance = verification_tolerance("CLARABEL", 1e-6) * data_scale(env)
    assert abs(conic.objective_value - highs.objective_value) <= tolerance * max(
        1.0, abs(highs.objective_value)
    )


def test_first_order_solver_is_verified_at_its_stated_tolerance(auction):
    solution = lpmech.solve(auction, "revenue", DSIC_IR, solver="SCS")
    stated = VERIFICATION_TOLERANCE["SCS"] * data_scale(auction)
    checks = solution.verification.checks
    assert {check.tolerance for check in checks if check.family != "feasibility"} == {stated}
    # an allocation family is judged in allocation units (see lpmech.verify)
    assert solution.verification["feasibility"].tolerance == VERIFICATION_TOLERANCE["SCS"]
    assert solution.objective_value == pytest.approx(2.375, abs=stated)


def test_non_dcp_objective_is_refused_before_any_solve(auction, monkeypatch):
    def no_solve(*args, **kwargs):
        raise AssertionError("a solver was called")

    monkeypatch.setattr(cp.Problem, "solve", no_solve)
    squared_log = CustomObjective(lambda v: cp.sum(cp.log(cp.square(v.payments))), name="bad")
    with pytest.raises(lpmech.NotConvexError) as raised:
        lpmech.solve(auction, squared_log, DSIC_IR)
    message = str(raised.value)
    assert "objective 'bad'" in message
    assert "log is concave and increasing" in message
    assert "must be concave" in message


def test_maximising_a_convex_objective_is_refused_naming_it(auction):
    with pytest.raises(lpmech.NotConvexError, match=r"maximising .* which is convex"):
        lpmech.solve(auction, CustomObjective(lambda v: cp.sum_squares(v.payments)), DSIC_IR)


def test_non_dcp_constraint_is_refused_naming_its_family(auction):
    unit = CvxpyConstraint(lambda v: [cp.square(v.payments) == 1], name="unit_payments")
    with pytest.raises(
        lpmech.NotConvexError, match=r"constraint family 'unit_payments'.*must be affine"
    ):
        lpmech.solve(auction, "revenue", [*DSIC_IR, unit])


@pytest.mark.parametrize("solver", ["HIGHS", "OSQP"])
def test_a_solver_that_cannot_take_the_class_is_named_with_one_that_can(auction, solver):
    objective = CustomObjective(log_payments)
    with pytest.raises(lpmech.SolverMismatchError) as raised:
        lpmech.solve(auction, objective, DSIC_IR, solver=solver)
    message = str(raised.value)
    assert f"solver '{solver}' cannot take" in message
    assert "conic program (log)" in message
    assert "CLARABEL" in message
    assert "time limit" not in message


def test_mixed_integer_conic_program_says_no_installed_solver_takes_it(auction):
    with pytest.raises(lpmech.SolverMismatchError, match="mixed-integer conic program"):
        lpmech.solve(auction, CustomObjective(log_payments), DSIC_IR, deterministic=True)


def test_deterministic_quadratic_program_is_refused_by_class(auction):
    second_moment = CustomObjective(lambda v: cp.sum_squares(v.payments), sense="minimize")
    with pytest.raises(lpmech.SolverMismatchError, match="mixed-integer quadratic program"):
        lpmech.solve(auction, 0.01 * second_moment + lpmech.Revenue(), DSIC_IR, deterministic=True)


def test_unknown_solver_and_direct_highs_backend_are_named(auction):
    with pytest.raises(lpmech.SolverMismatchError, match="'GUROBY' is not an installed"):
        lpmech.solve(auction, solver="GUROBY")
    with pytest.raises(ValueError, match="nor solver 'CLARABEL'"):
        lpmech.solve(auction, solver="CLARABEL", backend="highspy")


def test_conic_duals_are_the_rate_of_the_optimum_in_a_constraint(auction):
    """Σ of a cap's duals from Clarabel = d(optimum)/d(cap), by a finite difference."""

    def capped(cap):
        family = CvxpyConstraint(lambda v: [v.payments <= cap], name="cap")
        return lpmech.solve(auction, CustomObjective(log_payments), [*DSIC_IR, family])

    step = 1e-4
    low, high = capped(1.5), capped(1.5 + step)
    rate = (high.objective_value - low.objective_value) / step
    assert rate > 0.1  # the cap binds
    assert low.duals["cap"].sum() == pytest.approx(rate, rel=1e-3)


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        ("revenue", "linear program"),
        ("revenue_variance", "quadratic program"),
        ("nash_welfare", "conic program (log)"),
    ],
)
def test_problem_class_is_read_from_the_program(auction, objective, expected):
    program = lpmech.formulate(auction, objective, DSIC_IR)
    assert problem_class(program.problem) == expected


@pytest.mark.parametrize(
    ("objective", "solver"),
    [
        ("revenue", "HIGHS"),
        (lpmech.Revenue() + 0.1 * lpmech.program.objectives.RevenueVariance(), "CLARABEL"),
        ("nash_welfare", "CLARABEL"),
    ],
)
def test_auto_solver_by_class(auction, objective, solver):
    constraints = BIC_BB if objective == "nash_welfare" else DSIC_IR
    env = lpmech.public_good([0, 1, 2], 2, cost=1.5) if objective == "nash_welfare" else auction
    solution = lpmech.solve(env, objective, constraints)
    assert solution.report.solver == solver
    assert solution.verification.ok
