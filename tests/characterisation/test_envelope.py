"""Monotone allocation + envelope payments characterise IC (seed notes Thm. 1.4)."""

from __future__ import annotations

import numpy as np
import oracle
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import probability_vectors, trades, type_values

import lpmech
from lpmech import FixedAllocation, Mechanism
from lpmech.characterisation import check_monotone, envelope_payments
from lpmech.errors import InvalidEnvironmentError, NotImplementableError


@st.composite
def monotone_auctions(draw):
    """A single-item auction and a monotone rule: the highest score ψ_i(θ_i) above a reserve
    wins, with random increasing scores ψ_i (ties to the lowest index)."""
    n_bidders = draw(st.integers(1, 3))
    types = [draw(type_values(draw(st.integers(1, 3)), low=1, high=9)) for _ in range(n_bidders)]
    priors = [draw(probability_vectors(len(t))) for t in types]
    env = lpmech.single_item_auction(types, priors=priors)
    scores = [
        np.sort(draw(st.lists(st.integers(-3, 9), min_size=len(t), max_size=len(t))))
        for t in types
    ]
    reserve = draw(st.integers(-3, 5))
    allocation = np.zeros((env.n_profiles, n_bidders))
    for p, profile in enumerate(env.layout.profile_types):
        score = [scores[i][k] for i, k in enumerate(profile)]
        best = int(np.argmax(score))
        if score[best] >= reserve:
            allocation[p, best] = 1.0
    return env, allocation


@st.composite
def monotone_public_goods(draw):
    """A public good built with probability F(Σ θ_i) for a random non-decreasing F."""
    n_agents = draw(st.integers(1, 3))
    types = [draw(type_values(draw(st.integers(1, 3)), low=0, high=4)) for _ in range(n_agents)]
    env = lpmech.public_good(types, cost=draw(st.integers(0, 6)))
    totals = sum(env.agents[i].types[env.layout.profile_types[:, i]] for i in range(n_agents))
    levels = np.sort(draw(st.lists(st.floats(0, 1), min_size=13, max_size=13)))
    return env, levels[np.clip(totals.astype(int), 0, 12)][:, None]


rules = st.one_of(monotone_auctions(), monotone_public_goods())


@given(rules)
def test_envelope_payments_make_a_monotone_rule_dsic(case):
    env, allocation = case
    assert check_monotone(env, allocation).monotone
    ends = envelope_payments(env, allocation)
    for mechanism in (ends.highest, ends.lowest):
        oracle.assert_satisfies(env, mechanism, ["dominant_strategy_ic", "ex_post_ir"])
        np.testing.assert_array_equal(mechanism.flat_allocation, allocation)


@given(rules)
def test_bayesian_envelope_payments_make_a_monotone_rule_bic(case):
    env, allocation = case
    assume(check_monotone(env, allocation, "bayesian").monotone)
    ends = envelope_payments(env, allocation, "bayesian")
    for mechanism in (ends.highest, ends.lowest):
        oracle.assert_satisfies(env, mechanism, ["bayesian_ic", "interim_ir"])
    assert np.all(ends.interim_gap(0) >= -1e-12)


@given(monotone_auctions())
def test_highest_end_is_the_revenue_maximising_payment(case):
    """With the allocation fixed, the LP's revenue-maximising DSIC, ex-post IR payments are
    the highest end of the interval (threshold payments)."""
    env, allocation = case
    highest = envelope_payments(env, allocation).highest
    lp = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir", FixedAllocation(allocation)])
    assert lp.objective_value == pytest.approx(highest.expected_revenue(), abs=1e-7)


def test_interval_is_exactly_what_ic_allows():
    """Moving one payment step outside [s_{k−1}Δq, s_kΔq] breaks IC; inside it does not."""
    values = np.array([1.0, 2.0, 4.0])
    env = lpmech.single_item_auction(values, 1)
    allocation = np.array([[0.0], [0.5], [1.0]])
    ends = envelope_payments(env, allocation)
    np.testing.assert_allclose(ends.highest.flat_payments.ravel(), [0, 1.0, 3.0])  # s_k Δq_k
    np.testing.assert_allclose(ends.lowest.flat_payments.ravel(), [0, 0.5, 1.5])  # s_{k−1}Δq_k
    for base in (ends.highest, ends.lowest):
        for type_index in (1, 2):
            for nudge in (-1e-3, 1e-3):
                payments = base.flat_payments.copy()
                payments[type_index:] += nudge  # shift one step, keep the later ones
                moved = Mechanism(env, allocation, payments)
                inside = (base is ends.highest and nudge < 0) or (
                    base is ends.lowest and nudge > 0
                )
                assert (oracle.dsic_violation(env, moved) <= 1e-12) == inside


def test_non_monotone_rule_is_not_implementable():
    """Lem. 1.2: under SID an IC rule is monotone, so a rule that gives the item to the
    middle type but not the top one has no IC payments."""
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
    allocation = env.efficient_allocation().copy()
    top_vs_low = int(env.layout.profile_index([2, 0]))
    allocation[top_vs_low] = [0.0, 1.0]
    report = check_monotone(env, allocation)
    assert not report.monotone
    assert "bidder 1" in report.detail
    with pytest.raises(NotImplementableError, match="no payments make this rule IC"):
        envelope_payments(env, allocation)
    with pytest.raises(lpmech.InfeasibleDesignError):
        lpmech.solve(env, "revenue", ["dsic", FixedAllocation(allocation)])


def test_envelope_needs_single_parameter_agents_and_independent_types_for_bic():
    grid = lpmech.multi_item_auction([[1, 2], [2, 1]], n_bidders=1)
    with pytest.raises(InvalidEnvironmentError, match="not single-parameter"):
        envelope_payments(grid, np.zeros((2, 2)))
    correlated = lpmech.single_item_auction([1, 2], 2, prior=[[0.4, 0.1], [0.1, 0.4]])
    with pytest.raises(InvalidEnvironmentError, match="correlated"):
        envelope_payments(correlated, correlated.efficient_allocation(), "bayesian")
    with pytest.raises(ValueError, match="incentive: expected"):
        check_monotone(correlated, correlated.efficient_allocation(), "sometimes")


@pytest.mark.parametrize(
    ("incentive", "families"),
    [
        ("dominant_strategy", ["dominant_strategy_ic", "ex_post_ir"]),
        ("bayesian", ["bayesian_ic", "interim_ir"]),
    ],
)
@given(env=trades())
def test_a_sellers_participation_binds_at_its_highest_cost(incentive, families, env):
    """A seller's quantity is −(trade probability), so its utility falls with its cost: the
    revenue-maximising end leaves the highest cost type exactly its outside option and is the
    LP's best payments for the fixed rule."""
    allocation = env.efficient_allocation()
    ends = envelope_payments(env, allocation, incentive)
    for mechanism in (ends.highest, ends.lowest):
        oracle.assert_satisfies(env, mechanism, families)
    lp = lpmech.solve(env, "revenue", [*families, FixedAllocation(allocation)])
    assert lp.objective_value == pytest.approx(ends.highest.expected_revenue(), abs=1e-7)
    highest_cost = int(np.argmax(env.agents[1].types))
    assert ends.highest.interim_utility(1)[highest_cost] == pytest.approx(0.0, abs=1e-12)
