"""Canonical optima: anonymous rules for identical agents, tie-breaking, the optimal face."""

from __future__ import annotations

import numpy as np
import oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lpmech
from lpmech.analytic import agv, clarke_pivot, myerson
from lpmech.errors import InvalidMechanismError
from lpmech.models import DEFAULT_MODEL, MODELS
from lpmech.solving.canonical import Quantity, optimal_range

DSIC = ["dominant_strategy_ic", "ex_post_ir"]
BUDGET = ["bayesian_ic", "ex_post_budget_balance"]
BUDGET_IR = ["bayesian_ic", "interim_ir", "ex_post_budget_balance"]


def _own_quantities(mechanism):
    return [mechanism.interim_quantity(i) for i in range(mechanism.env.n_agents)]


def _max_difference(first, second):
    return max(
        np.abs(first.flat_allocation - second.flat_allocation).max(),
        np.abs(first.flat_payments - second.flat_payments).max(),
    )


@pytest.fixture(scope="module")
def project():
    return lpmech.public_good([0, 1, 2, 3], n_agents=4, cost=6)


# ---------------------------------------------------------- identical agents
@pytest.mark.parametrize("formulation", ["direct", "symmetric", "auto"])
@pytest.mark.parametrize("tie_break", [None, "small_payments"])
def test_default_auction_gives_identical_bidders_identical_interim_rules(formulation, tie_break):
    env = MODELS[DEFAULT_MODEL].environment()
    assert env.type_counts == (4, 4)
    solution = lpmech.solve(env, "revenue", DSIC, formulation=formulation, tie_break=tie_break)
    first, second = _own_quantities(solution.mechanism)
    np.testing.assert_allclose(first, second, atol=1e-9)
    np.testing.assert_allclose(
        solution.mechanism.interim_payment(0), solution.mechanism.interim_payment(1), atol=1e-9
    )
    assert "anonym" in solution.report.tie_break
    assert solution.objective_value == pytest.approx(2.375, abs=1e-8)  # within δ


@pytest.mark.parametrize("formulation", ["direct", "symmetric"])
def test_public_good_with_participation_is_anonymous_with_payments_of_the_order_of_agv(
    project, formulation
):
    solution = lpmech.solve(
        project, "welfare", BUDGET_IR, formulation=formulation, tie_break="small_payments"
    )
    mechanism = solution.mechanism
    rules = [mechanism.interim_allocation(i) for i in range(4)]
    for rule in rules[1:]:
        np.testing.assert_allclose(rule, rules[0], atol=1e-9)
    assert np.abs(mechanism.flat_payments).max() <= 2 * np.abs(agv(project).flat_payments).max()
    oracle.assert_satisfies(
        project, mechanism, ["bayesian_ic", "interim_ir", "ex_post_budget_balance"]
    )


def test_anonymising_keeps_the_optimum_without_a_tie_break(project):
    first = lpmech.solve(project, "welfare", BUDGET_IR, formulation="direct")
    assert "anonymised over relabellings of the 4" in first.report.tie_break
    rules = [first.mechanism.interim_allocation(i) for i in range(4)]
    for rule in rules[1:]:
        np.testing.assert_allclose(rule, rules[0], atol=1e-9)
    assert first.verification.ok


def test_agents_that_differ_are_not_averaged():
    env = lpmech.single_item_auction(
        [1, 2, 3], n_bidders=2, priors=[[0.2, 0.3, 0.5], [0.5, 0.3, 0.2]]
    )
    solution = lpmech.solve(env, "revenue", DSIC)
    assert "anonymised" not in solution.report.tie_break


# ------------------------------------------------- analytic mechanisms recovered
@pytest.mark.parametrize("formulation", ["direct", "symmetric"])
@pytest.mark.parametrize(("constraints", "analytic"), [(BUDGET, agv), (DSIC, clarke_pivot)])
def test_tie_break_towards_agv_or_the_pivot_returns_it(
    project, formulation, constraints, analytic
):
    target = analytic(project)
    solution = lpmech.solve(
        project, "welfare", constraints, formulation=formulation, tie_break=target
    )
    assert _max_difference(solution.mechanism, target) <= 1e-7
    assert solution.report.tie_break_seconds > 0


def test_tie_break_towards_ironed_myerson_returns_it():
    env = MODELS["irregular_auction"].environment()
    target = myerson(env)
    solution = lpmech.solve(env, "revenue", DSIC, tie_break=target)
    assert _max_difference(solution.mechanism, target) <= 1e-7
    # Myerson gives ties to the lowest index, so the result must not be averaged
    assert "not anonymised: the tie-break target" in solution.report.tie_break
    pooled = env.agents[0].type_index("1"), env.agents[0].type_index("2")
    assert solution.mechanism.interim_quantity(0)[pooled[0]] == pytest.approx(
        solution.mechanism.interim_quantity(0)[pooled[1]], abs=1e-9
    )  # ironed: pooled


def test_a_target_that_is_not_optimal_is_approached_not_reached(project):
    """AGV is not interim IR here: the closest optimum differs from it."""
    target = agv(project)
    assert not target.verify(["interim_ir"]).ok
    solution = lpmech.solve(project, "welfare", BUDGET_IR, tie_break=target)
    assert _max_difference(solution.mechanism, target) > 1e-3
    assert solution.verification.ok


def _recoverable(name: str) -> bool:
    spec = MODELS[name]
    return spec.linear and spec.benchmark(spec.environment()).mechanism is not None


@pytest.mark.parametrize("name", sorted(n for n in MODELS if not _recoverable(n)))
def test_model_check_has_no_distance_without_an_analytic_mechanism(name):
    assert MODELS[name].check().distance is None


@pytest.mark.parametrize("name", sorted(n for n in MODELS if _recoverable(n)))
def test_model_check_reports_the_distance_to_its_analytic_mechanism(name):
    check = MODELS[name].check()
    if check.benchmark.relation == "equal":  # theory: the analytic mechanism is optimal
        assert check.distance <= 1e-6, check.recovery()
        assert check.recovery() == "analytic mechanism is optimal"
    else:  # a feasible benchmark below the optimum is not an optimum
        assert check.distance > 1e-3
        assert "not an optimum" in check.recovery()


# ---------------------------------------------------------- the second stage
def test_bad_tie_breaks_are_refused_by_name(project):
    with pytest.raises(ValueError, match="tie_break: expected None"):
        lpmech.solve(project, "welfare", BUDGET, tie_break="smallest")
    with pytest.raises(ValueError, match="tie_break: deterministic"):
        lpmech.solve(project, "welfare", DSIC, deterministic=True, tie_break="small_payments")
    other = lpmech.public_good([0, 1, 2], n_agents=4, cost=6)
    with pytest.raises(InvalidMechanismError, match="tie_break: the mechanism is for another"):
        lpmech.solve(project, "welfare", BUDGET, tie_break=agv(other))


def _payment_norm(mechanism):
    """E[Σ_i |t_i(θ)|] + 0.01 max |t_i(θ)|: what "small_payments" minimises (units of V)."""
    payments = np.abs(mechanism.flat_payments)
    return mechanism.env.prior.joint @ payments.sum(axis=1) + 0.01 * payments.max()


@settings(max_examples=15, deadline=None)
@given(
    values=st.lists(st.integers(1, 6), min_size=2, max_size=4, unique=True),
    weights=st.lists(st.integers(1, 5), min_size=4, max_size=4),
    n_bidders=st.integers(1, 2),
)
def test_small_payments_keeps_the_optimum_and_never_pays_more(values, weights, n_bidders):
    prior = np.array(weights[: len(values)], dtype=float)
    env = lpmech.single_item_auction(
        sorted(values), n_bidders=n_bidders, priors=prior / prior.sum()
    )
    first = lpmech.solve(env, "revenue", DSIC, formulation="direct")
    second = lpmech.solve(env, "revenue", DSIC, formulation="direct", tie_break="small_payments")
    scale = max(values)
    assert second.objective_value == pytest.approx(first.objective_value, abs=1e-7 * scale)
    assert _payment_norm(second.mechanism) <= _payment_norm(first.mechanism) + 1e-7 * scale
    oracle.assert_satisfies(env, second.mechanism, DSIC)


@pytest.mark.parametrize("unit", [1e-9, 1e-3, 1.0, 1e9])
def test_tie_break_holds_in_any_units(unit):
    env = lpmech.single_item_auction(np.array([1.0, 2.0, 3.0, 4.0]) * unit, n_bidders=2)
    target = myerson(env)
    solution = lpmech.solve(env, "revenue", DSIC, formulation="direct", tie_break=target)
    assert np.abs(solution.mechanism.flat_payments - target.flat_payments).max() <= 1e-7 * unit
    assert np.abs(solution.mechanism.flat_allocation - target.flat_allocation).max() <= 1e-7
    small = lpmech.solve(env, "revenue", DSIC, tie_break="small_payments")
    assert small.objective_value == pytest.approx(2.375 * unit, rel=1e-7)


# -------------------------------------------------------------- optimal range
def test_revenue_equivalence_pins_interim_but_not_ex_post_payments():
    env = MODELS[DEFAULT_MODEL].environment()
    solution = lpmech.solve(env, "revenue", DSIC)
    lowest = optimal_range(solution, Quantity.interim_payment(env, 0, 0))
    assert lowest.pinned()
    assert lowest.low == pytest.approx(0.0, abs=1e-7)
    revenue = Quantity(
        "revenue",
        Quantity.expected_payment(env, 0).coefficients
        + Quantity.expected_payment(env, 1).coefficients,
    )
    total = optimal_range(solution, revenue)
    assert total.pinned()
    assert total.low == pytest.approx(2.375, abs=1e-7)
    # at (3, 3) virtual values tie at 2: the item may go to either bidder, at price 3
    tied = optimal_range(solution, Quantity.payment(env, "bidder 1", ("3", "3")))
    assert tied.low == pytest.approx(0.0, abs=1e-7)
    assert tied.high == pytest.approx(3.0, abs=1e-7)
    share = optimal_range(solution, Quantity.allocation(env, ("3", "3"), 0))
    assert (share.low, share.high) == pytest.approx((0.0, 1.0), abs=1e-7)


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_optimal_range_holds_in_any_units(unit):
    env = lpmech.single_item_auction(np.array([1.0, 2.0, 3.0, 4.0]) * unit, n_bidders=2)
    solution = lpmech.solve(env, "revenue", DSIC)
    tied = optimal_range(solution, Quantity.payment(env, 0, (2, 2)))
    assert tied.low == pytest.approx(0.0, abs=1e-7 * unit)
    assert tied.high == pytest.approx(3.0 * unit, rel=1e-7)
    assert optimal_range(solution, Quantity.interim_payment(env, 0, 0)).pinned()


def test_quantities_read_what_the_mechanism_reports():
    env = lpmech.single_item_auction(
        [1, 2, 3], n_bidders=2, priors=[[0.2, 0.3, 0.5], [0.5, 0.3, 0.2]]
    )
    mechanism = myerson(env)
    assert Quantity.interim_payment(env, 1, "2").value(mechanism) == pytest.approx(
        mechanism.interim_payment(1)[1]
    )
    assert Quantity.payment(env, 0, (2, 1)).value(mechanism) == pytest.approx(
        mechanism.payments[2, 1, 0]
    )
    assert Quantity.allocation(env, (2, 1), 1).value(mechanism) == pytest.approx(
        mechanism.allocation[2, 1, 1]
    )
    assert Quantity.expected_payment(env, 0).value(mechanism) == pytest.approx(
        env.prior.joint @ mechanism.flat_payments[:, 0]
    )


def test_optimal_range_refuses_a_quantity_of_another_size():
    env = lpmech.single_item_auction([1, 2], n_bidders=1)
    solution = lpmech.solve(env, "revenue", DSIC)
    with pytest.raises(ValueError, match="quantity: 3 coefficients, expected 4"):
        optimal_range(solution, Quantity("bad", np.zeros(3)))
