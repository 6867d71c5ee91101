"""Procurement, multi-unit and double auctions: LP optima against their formulas.

Every benchmark here is computed in the test from its textbook formula, by loops over
profiles: virtual values and costs from their definitions, ironing by weighted
isotonic regression (pool adjacent violators, an algorithm independent of the
library's concave hull), McAfee and VCG from their descriptions, and VCG's transfers
from the market without each agent, by enumeration. Incentives and participation
are checked by the brute force of :mod:`oracle`.
"""

from __future__ import annotations

import itertools

import numpy as np
import oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lpmech
from lpmech.analytic import (
    balance_budget,
    double_auction_first_best,
    double_auction_vcg,
    double_auction_vcg_deficit,
    first_price,
    ironed_virtual_costs,
    mcafee,
    myerson,
    myerson_revenue,
    posted_price,
    reverse_posted_price,
    reverse_second_price,
    second_best_gains,
    second_price,
)
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.allocation import Exchange, Units
from lpmech.problem.builders import (
    bilateral_trade,
    double_auction,
    multi_unit_auction,
    procurement_auction,
)

DSIC_IR = ["dominant_strategy_ic", "ex_post_ir"]
SECOND_BEST = ["bayesian_ic", "interim_ir", "ex_post_budget_balance"]
IRREGULAR = [0.45, 0.1, 0.45]  # needs ironing (see lpmech.analytic.virtual_values)


def _distance(ours, theirs):
    return max(
        np.abs(ours.flat_allocation - theirs.flat_allocation).max(),
        np.abs(ours.flat_payments - theirs.flat_payments).max(),
    )


def _scale(env):
    return max(abs(float(v)) for a in env.agents for v in a.types)


# ------------------------------------------------------------ formulas, by hand
def _pava(scores, weights):
    """Non-decreasing weighted least-squares fit of ``scores`` (pool adjacent violators)."""
    blocks = []  # [mean, weight, count]
    for score, weight in zip(scores, weights, strict=True):
        blocks.append([score, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, weight, count = blocks.pop()
            previous = blocks[-1]
            total = previous[1] + weight
            blocks[-1] = [
                (previous[0] * previous[1] + mean * weight) / total,
                total,
                previous[2] + count,
            ]
    return [mean for mean, _, count in blocks for _ in range(count)]


def _virtual_values(values, prior):
    """φ(v_k) = v_k − (v_{k+1} − v_k)(1 − F(v_k))/f(v_k), ironed; values increasing."""
    raw = []
    for k, (v, f) in enumerate(zip(values, prior, strict=True)):
        tail = 1 - sum(prior[: k + 1])
        gap = values[k + 1] - v if k + 1 < len(values) else 0.0
        raw.append(v - gap * tail / f)
    return _pava(raw, prior)


def _virtual_costs(costs, prior):
    """γ(c_k) = c_k + (c_k − c_{k−1}) F(c_{k−1})/f(c_k), ironed; costs increasing."""
    raw = []
    for k, (c, f) in enumerate(zip(costs, prior, strict=True)):
        below = sum(prior[:k])
        gap = c - costs[k - 1] if k > 0 else 0.0
        raw.append(c + gap * below / f)
    return _pava(raw, prior)


def _expectation(types, priors, function):
    """E[function(θ)] over independent types, by enumeration."""
    total = 0.0
    for profile in itertools.product(*(range(len(t)) for t in types)):
        weight = np.prod([priors[i][k] for i, k in enumerate(profile)])
        total += weight * function([types[i][k] for i, k in enumerate(profile)], profile)
    return total


# ------------------------------------------------------------------- procurement
PROCUREMENT = [
    # costs, n_sellers, prior, buyer value
    ([1.0, 2.0, 3.0, 4.0], 1, None, 5.0),
    ([1.0, 2.0, 3.0, 4.0], 2, None, 5.0),
    ([1.0, 2.0, 3.0, 4.0], 2, None, 3.0),
    ([1.0, 2.0, 3.0], 3, None, 4.0),
    ([1.0, 2.0, 3.0], 2, IRREGULAR, 4.0),  # ironing
    ([0.5, 1.0, 4.0], 2, [0.2, 0.5, 0.3], 6.0),
    ([1e-9, 2e-9, 3e-9], 2, [0.3, 0.3, 0.4], 5e-9),  # any units
    ([1e9, 2e9, 3e9], 2, [0.3, 0.3, 0.4], 5e9),
]


def _procurement(costs, n, prior, buyer_value):
    return procurement_auction(costs, n, prior, buyer_value=buyer_value)


def _reverse_myerson_profit(costs, n, prior, buyer_value):
    prior = prior or [1 / len(costs)] * len(costs)
    gamma = _virtual_costs(costs, prior)
    return _expectation([gamma] * n, [prior] * n, lambda g, _: max(buyer_value - min(g), 0.0))


@pytest.mark.parametrize("case", PROCUREMENT)
def test_procurement_optimum_is_reverse_myerson(case):
    env = _procurement(*case)
    solution = lpmech.solve(env, "profit", DSIC_IR)
    formula = _reverse_myerson_profit(*case)
    assert solution.objective_value == pytest.approx(formula, rel=1e-7, abs=1e-9 * _scale(env))
    assert myerson_revenue(env) == pytest.approx(formula, rel=1e-9, abs=1e-12 * _scale(env))
    oracle.assert_satisfies(env, myerson(env), DSIC_IR, tol=1e-9 * _scale(env))
    recovered = lpmech.solve(env, "profit", DSIC_IR, tie_break=myerson(env))
    assert _distance(recovered.mechanism, myerson(env)) <= 1e-7 * _scale(env)


@pytest.mark.parametrize("case", PROCUREMENT[:6])
def test_reverse_second_price_and_posted_prices_are_feasible_and_not_better(case):
    env = _procurement(*case)
    costs, _, _, buyer_value = case
    optimum = lpmech.solve(env, "profit", DSIC_IR).objective_value
    auction = reverse_second_price(env, reserve=buyer_value)
    for profile in oracle.profiles(env):
        reported = [costs[k] for k in profile]
        cheapest = min(reported)
        winner = reported.index(cheapest)
        rest = reported[:winner] + reported[winner + 1 :]
        paid = min([buyer_value, *rest]) if cheapest <= buyer_value else 0.0
        assert auction.payments[profile][winner] == pytest.approx(-paid)
        assert auction.allocation[profile][winner] == float(cheapest <= buyer_value)
    for mechanism in (auction, *(reverse_posted_price(env, price) for price in costs)):
        oracle.assert_satisfies(env, mechanism, DSIC_IR)
        assert lpmech.Profit().value(mechanism) <= optimum + 1e-9
    # the reverse Vickrey auction is efficient, so it is an optimum of welfare
    recovered = lpmech.solve(env, "welfare", DSIC_IR, tie_break=auction)
    assert _distance(recovered.mechanism, auction) <= 1e-7


def test_ironed_virtual_costs_pool_where_the_formula_is_not_monotone():
    costs = [1.0, 2.0, 3.0]
    assert ironed_virtual_costs(costs, IRREGULAR) == pytest.approx(
        _virtual_costs(costs, IRREGULAR)
    )
    assert ironed_virtual_costs(costs, [1 / 3] * 3) == pytest.approx([1.0, 3.0, 5.0])


# ------------------------------------------------------------------- multi-unit
MULTI_UNIT = [
    # values, n_bidders, n_units, prior
    ([1.0, 2.0, 3.0, 4.0], 2, 1, None),
    ([1.0, 2.0, 3.0, 4.0], 3, 2, None),
    ([1.0, 2.0, 3.0], 3, 3, None),
    ([1.0, 2.0, 3.0], 3, 2, IRREGULAR),
    ([1.0, 3.0, 4.0], 4, 2, [0.5, 0.3, 0.2]),
    ([1e-9, 2e-9, 3e-9], 3, 2, [0.2, 0.5, 0.3]),
]


@pytest.mark.parametrize("case", MULTI_UNIT)
def test_multi_unit_optimum_serves_the_k_highest_nonnegative_virtual_values(case):
    values, n, k, prior = case
    env = multi_unit_auction(values, n, prior, n_units=k)
    prior = prior or [1 / len(values)] * len(values)
    phi = _virtual_values(values, prior)
    formula = _expectation(
        [phi] * n, [prior] * n, lambda p, _: sum(max(x, 0.0) for x in sorted(p)[::-1][:k])
    )
    solution = lpmech.solve(env, "revenue", DSIC_IR)
    assert solution.objective_value == pytest.approx(formula, rel=1e-7, abs=1e-9 * _scale(env))
    assert myerson_revenue(env) == pytest.approx(formula, rel=1e-9)
    oracle.assert_satisfies(env, myerson(env), DSIC_IR, tol=1e-9 * _scale(env))
    recovered = lpmech.solve(env, "revenue", DSIC_IR, tie_break=myerson(env))
    assert _distance(recovered.mechanism, myerson(env)) <= 1e-7 * _scale(env)


@pytest.mark.parametrize("case", MULTI_UNIT[:5])
def test_vcg_is_the_uniform_k_plus_first_price_and_an_efficient_optimum(case):
    values, n, k, prior = case
    env = multi_unit_auction(values, n, prior, n_units=k)
    auction = second_price(env)
    for profile in oracle.profiles(env):
        reported = [values[j] for j in profile]
        ranked = sorted(range(n), key=lambda i: (-reported[i], i))
        price = reported[ranked[k]] if n > k else 0.0
        for rank, bidder in enumerate(ranked):
            won = rank < k
            assert auction.allocation[profile][bidder] == float(won)
            assert auction.payments[profile][bidder] == pytest.approx(price if won else 0.0)
    oracle.assert_satisfies(env, auction, DSIC_IR)
    recovered = lpmech.solve(env, "welfare", DSIC_IR, tie_break=auction)
    assert _distance(recovered.mechanism, auction) <= 1e-7
    assert lpmech.solve(env, "revenue", DSIC_IR).objective_value >= (
        auction.expected_revenue() - 1e-9
    )


@pytest.mark.parametrize("case", MULTI_UNIT[:5])
def test_posted_prices_and_pay_as_bid_sell_up_to_k_units(case):
    values, n, k, prior = case
    env = multi_unit_auction(values, n, prior, n_units=k)
    optimum = lpmech.solve(env, "revenue", DSIC_IR).objective_value
    pay_as_bid = first_price(env)
    for price in values:
        posted = posted_price(env, price)
        oracle.assert_satisfies(env, posted, DSIC_IR)
        assert posted.expected_revenue() <= optimum + 1e-9
        for profile in oracle.profiles(env):
            willing = [i for i in range(n) if values[profile[i]] >= price][:k]
            assert [posted.allocation[profile][i] for i in range(n)] == [
                float(i in willing) for i in range(n)
            ]
    for profile in oracle.profiles(env):
        reported = [values[j] for j in profile]
        winners = sorted(range(n), key=lambda i: (-reported[i], i))[:k]
        for i in range(n):
            assert pay_as_bid.payments[profile][i] == (reported[i] if i in winners else 0.0)


# ---------------------------------------------------------------- double auction
DOUBLE = [
    # buyer values, seller costs, n_buyers, n_sellers, buyer prior, seller prior
    ([0.0, 1.0], [0.0, 1.0], 1, 1, None, None),
    ([0.0, 0.5, 1.0], [0.0, 0.5, 1.0], 1, 1, None, None),
    ([0.0, 0.5, 1.0], [0.0, 0.5, 1.0], 2, 1, None, None),
    ([0.0, 0.5, 1.0], [0.0, 0.5, 1.0], 1, 2, None, None),
    ([0.0, 0.5, 1.0], [0.0, 0.5, 1.0], 2, 2, None, None),
    ([1.0, 2.0, 4.0], [0.0, 1.5, 3.0], 2, 2, [0.5, 0.3, 0.2], [0.2, 0.3, 0.5]),
]


def _sorted_market(values, costs):
    buyers = sorted(range(len(values)), key=lambda b: (-values[b], b))
    sellers = sorted(range(len(costs)), key=lambda s: (costs[s], s))
    q = 0
    while q < min(len(values), len(costs)) and values[buyers[q]] > costs[sellers[q]]:
        q += 1
    return buyers, sellers, q


def _mcafee_gains(values, costs):
    """McAfee (1992): all q efficient pairs trade if the (q+1)-st pair's midpoint fits."""
    buyers, sellers, q = _sorted_market(values, costs)
    if q == 0:
        return 0.0
    v = [values[b] for b in buyers]
    c = [costs[s] for s in sellers]
    full = q < min(len(v), len(c)) and c[q - 1] <= (v[q] + c[q]) / 2 <= v[q - 1]
    trades = q if full else q - 1
    return sum(v[r] - c[r] for r in range(trades))


def _first_best(values, costs):
    buyers, sellers, q = _sorted_market(values, costs)
    return sum(values[buyers[r]] - costs[sellers[r]] for r in range(q))


def _best_welfare(values, costs):
    """max Σ_b v_b x_b − Σ_s c_s y_s over 0/1 trades with Σ x = Σ y, by enumeration."""
    best = 0.0
    for x in itertools.product((0, 1), repeat=len(values)):
        for y in itertools.product((0, 1), repeat=len(costs)):
            if sum(x) == sum(y):
                best = max(
                    best, sum(map(np.multiply, values, x)) - sum(map(np.multiply, costs, y))
                )
    return best


def _double(case):
    values, costs, m, n, value_prior, cost_prior = case
    env = double_auction(values, costs, m, n, buyer_priors=value_prior, seller_priors=cost_prior)
    types = [values] * m + [costs] * n
    priors = [value_prior or [1 / len(values)] * len(values)] * m + [
        cost_prior or [1 / len(costs)] * len(costs)
    ] * n
    return env, types, priors, m


@pytest.mark.parametrize("case", DOUBLE)
def test_second_best_lies_between_mcafee_and_the_first_best(case):
    env, types, priors, m = _double(case)
    first_best = _expectation(types, priors, lambda t, _: _first_best(t[:m], t[m:]))
    reduced = _expectation(types, priors, lambda t, _: _mcafee_gains(t[:m], t[m:]))
    assert double_auction_first_best(env) == pytest.approx(first_best, abs=1e-12)
    assert lpmech.GainsFromTrade().value(mcafee(env)) == pytest.approx(reduced, abs=1e-12)
    second_best = lpmech.solve(env, "gains_from_trade", SECOND_BEST).objective_value
    assert reduced - 1e-9 <= second_best <= first_best + 1e-9


@pytest.mark.parametrize("grid", [[0.0, 1.0], [0.0, 0.5, 1.0], [0.0, 0.25, 0.5, 0.75, 1.0]])
def test_one_buyer_one_seller_is_myerson_satterthwaites_second_best(grid):
    env = double_auction(grid, grid, 1, 1)
    second_best = lpmech.solve(env, "gains_from_trade", SECOND_BEST).objective_value
    assert second_best == pytest.approx(second_best_gains(bilateral_trade(grid, grid)), abs=1e-9)


@pytest.mark.parametrize("case", DOUBLE)
def test_mcafee_is_dsic_ir_and_never_in_deficit_and_balancing_keeps_bic(case):
    env, *_ = _double(case)
    reduced = mcafee(env)
    oracle.assert_satisfies(env, reduced, [*DSIC_IR, "ex_post_no_deficit"])
    balanced = balance_budget(reduced)
    oracle.assert_satisfies(env, balanced, SECOND_BEST)
    assert np.array_equal(balanced.flat_allocation, reduced.flat_allocation)


@pytest.mark.parametrize("case", DOUBLE)
def test_vcg_deficit_from_the_market_without_each_agent(case):
    env, types, priors, m = _double(case)
    vcg = double_auction_vcg(env)
    oracle.assert_satisfies(env, vcg, DSIC_IR)

    def deficit(t, _):
        total = 0.0
        welfare = _best_welfare(t[:m], t[m:])
        for i in range(len(t)):
            without = _best_welfare(
                [v for b, v in enumerate(t[:m]) if b != i],
                [c for s, c in enumerate(t[m:]) if s + m != i],
            )
            total += welfare - without  # what VCG pays agent i beyond its own value
        return total - welfare

    expected = _expectation(types, priors, deficit)
    assert double_auction_vcg_deficit(env) == pytest.approx(expected, abs=1e-12)
    assert -vcg.expected_budget_surplus() == pytest.approx(expected, abs=1e-12)
    # VCG is efficient: the optimum closest to it under DSIC and ex-post IR is itself
    recovered = lpmech.solve(env, "gains_from_trade", DSIC_IR, tie_break=vcg)
    assert _distance(recovered.mechanism, vcg) <= 1e-7


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: multi_unit_auction([1, 2], 2, n_units=0), "n_units"),
        (lambda: multi_unit_auction([1, 2], 2, n_units=True), "n_units"),
        (lambda: procurement_auction([1, 2], 2, buyer_value=float("nan")), "buyer_value"),
        (lambda: double_auction([1, 2], [0, 1], None, 1), "n_buyers"),
        (lambda: double_auction([1, 2], [0, 1], 1, 0), "n_sellers"),
    ],
)
def test_builders_refuse_bad_arguments_by_name(build, message):
    with pytest.raises(InvalidEnvironmentError, match=message):
        build()


def test_analytic_functions_refuse_the_wrong_setting():
    with pytest.raises(InvalidEnvironmentError, match="double auction"):
        mcafee(multi_unit_auction([1, 2], 2, n_units=1))
    with pytest.raises(InvalidEnvironmentError, match="procurement"):
        reverse_second_price(double_auction([1], [0], 1, 1), 1.0)


# ------------------------------------------------------------ allocation spaces
@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.integers(1, n),
            st.lists(st.integers(-3, 3), min_size=n, max_size=n),
        )
    )
)
def test_units_efficient_rule_attains_the_best_vertex(case):
    n, k, scores = case
    space = Units([f"bidder {i}" for i in range(n)], k)
    chosen = space.efficient(np.array([scores], dtype=float))[0]
    best = max(
        sum(s for s, x in zip(scores, vertex, strict=True) if x)
        for vertex in itertools.product((0, 1), repeat=n)
        if sum(vertex) <= k
    )
    assert chosen @ np.array(scores, dtype=float) == best
    assert chosen.sum() <= k


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 4), min_size=1, max_size=3),
    st.lists(st.integers(0, 4), min_size=1, max_size=3),
)
def test_exchange_efficient_rule_attains_the_best_trade(values, costs):
    space = Exchange([f"b{i}" for i in range(len(values))], [f"s{i}" for i in range(len(costs))])
    scores = np.array([[*values, *(-c for c in costs)]], dtype=float)
    chosen = space.efficient(scores)[0]
    assert chosen[: len(values)].sum() == chosen[len(values) :].sum()
    assert chosen @ scores[0] == _best_welfare(values, costs)
