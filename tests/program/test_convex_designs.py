"""Convex designs against what is known independently: closed forms and first-order certificates.

A concave objective f is maximised over the polytope of mechanisms satisfying
linear families at z* exactly when z* also maximises the linear function
∇f(z*)·z there (first-order optimality; sufficient because f is concave). The
certificate solves that linear program with HiGHS's simplex — another solver and
another formulation — with ∇f computed here from the mechanism's own interim
utilities and payments, and compares its optimum with ∇f(z*)·z*.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import oracle
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import environments, mechanisms

import lpmech
from lpmech import CustomObjective, CvxpyConstraint, DesignVariables
from lpmech.analytic import efficient_welfare, myerson_revenue, nash_welfare_bound
from lpmech.program.objectives import NashWelfare, RevenueVariance

BIC_BB = ["bayesian_ic", "ex_post_budget_balance"]
DESIGNS = {
    "public good, 3 agents": lambda: lpmech.public_good(np.arange(3.0), 3, cost=2.5),
    "public good, 2 agents": lambda: lpmech.public_good([0.0, 1.0, 3.0], 2, cost=1.5),
    "bilateral trade": lambda: lpmech.bilateral_trade([0, 1, 2], [0, 1, 2]),
}


def certify(env, families, gradient_objective, mechanism, value_at_optimum):
    """Assert that no feasible mechanism improves the linearised objective at the optimum.

    To 1e-5 relative: an interior-point optimum within 1e-8 of the optimal value may
    sit ~1e-4 off the optimal point along directions where the objective is flat.
    """
    linear = lpmech.solve(env, gradient_objective, families)
    assert linear.report.solver == "HIGHS"
    assert linear.objective_value == pytest.approx(value_at_optimum, rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("design", sorted(DESIGNS))
def test_ex_ante_nash_welfare_is_n_log_of_an_equal_share_of_the_first_best(design):
    env = DESIGNS[design]()
    solution = lpmech.solve(env, "ex_ante_nash_welfare", BIC_BB)
    assert solution.report.solver == "CLARABEL"
    assert solution.objective_value == pytest.approx(nash_welfare_bound(env), abs=1e-6)
    assert solution.mechanism.expected_welfare() == pytest.approx(efficient_welfare(env), abs=1e-6)
    oracle.assert_satisfies(env, solution.mechanism, BIC_BB)


@pytest.mark.parametrize("design", sorted(DESIGNS))
def test_interim_nash_welfare_is_certified_optimal_and_below_the_bound(design):
    env = DESIGNS[design]()
    solution = lpmech.solve(env, "nash_welfare", BIC_BB)
    mechanism = solution.mechanism
    oracle.assert_satisfies(env, mechanism, BIC_BB)
    assert solution.objective_value <= nash_welfare_bound(env) + 1e-9
    # ∇ Σ_i Σ_k π_i(k) log U_i(k) = Σ_i Σ_k (π_i(k) / U_i*(k)) ∇U_i(k). Lump sums c_i with
    # Σ c_i = 0 keep BIC and budget balance, so at the optimum E[1/U_i] is the same for every
    # agent; the solver's optimum has it to ~1e-4 (the objective is flat along lump sums, so
    # its accuracy of 1e-8 pins the point only to about the square root), and the certificate
    # equalises it exactly (else the lump-sum ray would make the linear program unbounded).
    weights = [p / mechanism.interim_utility(i) for i, p in enumerate(env.prior.marginals)]
    totals = np.array([w.sum() for w in weights])
    np.testing.assert_allclose(totals, totals.mean(), rtol=1e-3)
    weights = [w * totals.mean() / total for w, total in zip(weights, totals, strict=True)]
    gradient = CustomObjective(
        lambda v: sum(w @ v.interim_utility(i) for i, w in enumerate(weights))
    )
    value = sum(w @ mechanism.interim_utility(i) for i, w in enumerate(weights))
    certify(env, BIC_BB, gradient, mechanism, value)


def test_interim_nash_welfare_of_a_public_good_gives_up_efficiency():
    """Every type must expect a gain: the low types' share costs the project some builds."""
    env = DESIGNS["public good, 3 agents"]()
    mechanism = lpmech.solve(env, "nash_welfare", BIC_BB).mechanism
    assert mechanism.expected_welfare() < efficient_welfare(env) - 0.05
    assert min(mechanism.interim_utility(i).min() for i in range(3)) > 0


DSIC_IR = ["dominant_strategy_ic", "ex_post_ir"]


def least_variance(env, families):
    """Among revenue-optimal mechanisms (revenue = Myerson's formula), the least variance."""
    best = myerson_revenue(env)
    revenue_optimal = CvxpyConstraint(
        lambda v: [env.prior.joint @ cp.sum(v.payments, axis=1) >= best - 1e-9],
        name="revenue_optimal",
    )
    return lpmech.solve(env, "revenue_variance", [*families, revenue_optimal]), revenue_optimal


def test_least_variance_revenue_optimal_dsic_auction_is_certified():
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
    solution, revenue_optimal = least_variance(env, DSIC_IR)
    mechanism = solution.mechanism
    assert solution.report.solver == "CLARABEL"
    assert mechanism.expected_revenue() == pytest.approx(myerson_revenue(env), abs=1e-6)
    oracle.assert_satisfies(env, mechanism, DSIC_IR)
    # ∂ Var[R] / ∂ t_i(θ) = 2 π(θ) (R(θ) − E R): the same for every agent at θ
    joint = env.prior.joint
    revenue = mechanism.flat_payments.sum(axis=1)
    weights = 2 * joint * (revenue - joint @ revenue)
    gradient = CustomObjective(lambda v: weights @ cp.sum(v.payments, axis=1), sense="minimize")
    certify(env, [*DSIC_IR, revenue_optimal], gradient, mechanism, weights @ revenue)
    assert solution.objective_value > 0.1  # DSIC payments cannot make revenue constant


def test_least_variance_revenue_optimal_bic_auction_has_constant_revenue():
    """With BIC and interim IR, t_i(θ) = m_i(θ_i) − m_j(θ_j) + E m_j (two bidders) keeps the
    interim payments and makes revenue constant, so the least variance is 0."""
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
    solution, _ = least_variance(env, ["bayesian_ic", "interim_ir"])
    revenue = solution.mechanism.flat_payments.sum(axis=1)
    assert solution.objective_value == pytest.approx(0.0, abs=1e-7)
    np.testing.assert_allclose(revenue, myerson_revenue(env), atol=1e-4)


@given(st.data())
def test_nash_welfare_and_variance_read_the_same_on_mechanisms_and_programs(data):
    env = data.draw(environments(kinds=("single_item", "public_good", "outcomes")))
    drawn = data.draw(mechanisms(env))
    # subsidise every agent so each type's interim utility is positive
    payments = drawn.flat_payments - np.abs(drawn.flat_payments).sum() - 1.0
    mechanism = lpmech.Mechanism(env, drawn.flat_allocation, payments)
    variables = DesignVariables.at_mechanism(mechanism)
    for objective in (NashWelfare("interim"), NashWelfare("ex_ante"), RevenueVariance()):
        program_value = objective.sign * sum(
            term.value for term in objective.cvxpy_terms(variables)
        )
        assert objective.value(mechanism) == pytest.approx(program_value, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("scale", [1e-9, 1e-6, 1e-3, 1e3, 1e6, 1e9])
def test_nash_welfare_in_any_units_is_right_or_refused_never_silently_wrong(scale):
    """Values from 1e-3 to 1e3 solve; beyond, Clarabel may stop inaccurate, or stop at a
    point that violates a family relative to the data's scale: either must raise."""
    env = lpmech.public_good(scale * np.arange(3.0), 3, cost=2.5 * scale)
    outcome = None
    try:
        outcome = lpmech.solve(env, "ex_ante_nash_welfare", BIC_BB).objective_value
    except (lpmech.SolverFailedError, lpmech.errors.VerificationError) as error:
        outcome = str(error)
    if isinstance(outcome, str):
        assert scale < 1e-3 or scale > 1e3, outcome
        assert (
            "CLARABEL stopped without an answer" in outcome
            or "violates imposed families beyond tolerance" in outcome
        )
    else:
        assert outcome == pytest.approx(nash_welfare_bound(env), abs=1e-6)
