"""The LP recovers the classic results; each expected number comes from its formula.

Every optimum is also checked by the brute-force oracle (``tests/oracle.py``).
"""

from __future__ import annotations

import itertools

import numpy as np
import oracle
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import probability_vectors, type_values

import lpmech
from lpmech import FixedAllocation, Mechanism


def best_posted_price_revenue(values, prior):
    """max_k v_k · P(θ ≥ v_k): the best take-it-or-leave-it price (types sorted)."""
    survival = np.cumsum(prior[::-1])[::-1]  # P(θ ≥ v_k)
    return float(np.max(values * survival))


def discrete_virtual_values(values, prior):
    """φ(v_k) = v_k − (v_{k+1} − v_k)(1 − F(v_k)) / f(v_k); φ(v_K) = v_K."""
    upper_tail = 1.0 - np.cumsum(prior)
    gaps = np.append(np.diff(values), 0.0)
    return values - gaps * upper_tail / prior


def expected_max_positive_virtual_value(values, prior, n_bidders):
    """E[max(max_i φ(θ_i), 0)] by enumeration of profiles (symmetric bidders)."""
    phi = discrete_virtual_values(values, prior)
    total = 0.0
    for profile in itertools.product(range(len(values)), repeat=n_bidders):
        probability = np.prod([prior[k] for k in profile])
        total += probability * max(0.0, *(phi[k] for k in profile))
    return total


@pytest.mark.parametrize(
    ("values", "prior"),
    [
        ([1, 2, 3, 4], [0.25] * 4),
        ([1, 2, 3, 4, 5, 6], [1 / 6] * 6),
        ([2, 3, 7, 10], [0.1, 0.4, 0.3, 0.2]),
        ([0.5, 1.0], [0.5, 0.5]),
    ],
)
def test_one_bidder_optimum_is_the_best_posted_price(values, prior):
    """With one buyer, the optimal mechanism is a posted price (slides; Riley–Zeckhauser)."""
    values, prior = np.array(values, float), np.array(prior, float)
    env = lpmech.single_item_auction(values, n_bidders=1, priors=prior)
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    assert solution.objective_value == pytest.approx(
        best_posted_price_revenue(values, prior), abs=1e-6
    )
    oracle.assert_satisfies(env, solution.mechanism, ["dominant_strategy_ic", "ex_post_ir"])


@given(data=st.data())
def test_one_bidder_posted_price_for_any_prior(data):
    size = data.draw(st.integers(1, 6))
    values = data.draw(type_values(size, low=1, high=30))
    prior = data.draw(probability_vectors(size))
    env = lpmech.single_item_auction(values, n_bidders=1, priors=prior)
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    assert solution.objective_value == pytest.approx(
        best_posted_price_revenue(values, prior), rel=1e-6, abs=1e-6
    )


REGULAR_PRIORS = [
    ([1, 2, 3, 4], [0.25] * 4),
    ([1, 2, 3, 4, 5], [0.2] * 5),
    ([1, 2, 4, 7], [0.4, 0.3, 0.2, 0.1]),
]


@pytest.mark.parametrize("n_bidders", [2, 3])
@pytest.mark.parametrize(("values", "prior"), REGULAR_PRIORS)
def test_optimal_revenue_is_expected_max_virtual_value(values, prior, n_bidders):
    """Myerson (1981) on finite types: revenue = E[max_i φ(θ_i)⁺]; DSIC and BIC optima coincide.

    Seed notes §1.4 and slides (virtual valuation); the priors here are regular
    (φ non-decreasing), checked first.
    """
    values, prior = np.array(values, float), np.array(prior, float)
    assert np.all(np.diff(discrete_virtual_values(values, prior)) >= 0), "prior must be regular"
    expected = expected_max_positive_virtual_value(values, prior, n_bidders)
    env = lpmech.single_item_auction(values, n_bidders, priors=prior)
    dsic = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    bic = lpmech.solve(env, "revenue", ["bic", "interim_ir"])
    assert dsic.objective_value == pytest.approx(expected, abs=1e-6)
    assert bic.objective_value == pytest.approx(expected, abs=1e-6)
    oracle.assert_satisfies(env, dsic.mechanism, ["dominant_strategy_ic", "ex_post_ir"])
    oracle.assert_satisfies(env, bic.mechanism, ["bayesian_ic", "interim_ir"])


@pytest.mark.parametrize(
    "env",
    [
        lpmech.single_item_auction([[1, 3, 4], [2, 3], [1, 2, 5]], seller_value=1.5),
        lpmech.public_good([0, 1, 2], n_agents=3, cost=2.5),
        lpmech.public_good([[0, 2], [1, 3], [0, 1, 4]], cost=3.5),
    ],
    ids=["single item", "public good", "asymmetric public good"],
)
def test_welfare_under_dsic_is_efficient_at_every_profile(env):
    """The efficient rule is DSIC-implementable (VCG, seed notes Def. 2.4, Rem. 2.5), so the
    welfare optimum attains the brute-force maximal surplus at every profile."""
    solution = lpmech.solve(env, "welfare", ["dsic"])
    mechanism = solution.mechanism
    for profile in oracle.profiles(env):
        achieved = sum(
            oracle.value(env, i, profile, mechanism.allocation[profile])
            for i in range(env.n_agents)
        )
        achieved += float(env.principal_value @ mechanism.allocation[profile])
        assert achieved == pytest.approx(oracle.best_surplus(env, profile), abs=1e-6)
    oracle.assert_satisfies(env, mechanism, ["dominant_strategy_ic", "feasibility"])


def test_public_good_welfare_optimum_builds_exactly_when_values_cover_cost():
    env = lpmech.public_good([0, 1, 2], n_agents=3, cost=2.5)
    solution = lpmech.solve(env, "welfare", ["dsic"])
    for profile in oracle.profiles(env):
        total = sum(env.agents[i].types[k] for i, k in enumerate(profile))
        assert solution.mechanism.allocation[profile][0] == pytest.approx(float(total > 2.5))


def winner(values):
    """Efficient single-item winner: highest value > 0, ties to the lowest index."""
    best = max(values)
    return values.index(best) if best > 0 else None


@pytest.mark.parametrize(
    "type_sets",
    [[[1, 2, 3, 4]] * 2, [[1, 3, 4], [2, 3], [1, 2, 5]], [[1, 2], [1, 2], [1, 2]]],
    ids=["two symmetric", "three asymmetric", "three with ties"],
)
def test_fixed_efficient_allocation_charges_the_threshold_price(type_sets):
    """With the efficient deterministic allocation fixed, the revenue-maximising DSIC and
    ex-post IR payments charge each winner the lowest type at which it would still win
    (seed notes Thm. 1.4: payments are pinned by the allocation up to a constant)."""
    env = lpmech.single_item_auction(type_sets)
    expected_allocation = np.zeros((env.n_profiles, env.n_agents))
    expected_payments = np.zeros((env.n_profiles, env.n_agents))
    for p, profile in enumerate(oracle.profiles(env)):
        values = [float(env.agents[i].types[k]) for i, k in enumerate(profile)]
        i = winner(values)
        if i is None:
            continue
        expected_allocation[p, i] = 1.0
        winning = [
            t
            for t in sorted(env.agents[i].types)
            if winner([*values[:i], float(t), *values[i + 1 :]]) == i
        ]
        expected_payments[p, i] = winning[0]
    np.testing.assert_array_equal(env.efficient_allocation(), expected_allocation)

    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir", FixedAllocation.efficient()])
    np.testing.assert_allclose(solution.mechanism.flat_payments, expected_payments, atol=1e-6)
    oracle.assert_satisfies(env, solution.mechanism, ["dominant_strategy_ic", "ex_post_ir"])


def second_price_with_reserve(env, reserve):
    """Second-price auction with reserve r: DSIC and ex-post IR by construction."""
    allocation = np.zeros((env.n_profiles, env.n_agents))
    payments = np.zeros((env.n_profiles, env.n_agents))
    for p, profile in enumerate(oracle.profiles(env)):
        values = [float(env.agents[i].types[k]) for i, k in enumerate(profile)]
        best = int(np.argmax(values))
        if values[best] >= reserve:
            allocation[p, best] = 1.0
            payments[p, best] = max([reserve, *values[:best], *values[best + 1 :]])
    return Mechanism(env, allocation, payments, name=f"second price, reserve {reserve:g}")


@given(data=st.data())
def test_lp_optimum_is_never_below_a_feasible_benchmark(data):
    """Any DSIC, ex-post IR mechanism is feasible for the LP, so the optimum is at least its
    revenue — here every second-price auction with a reserve at a type value."""
    n_bidders = data.draw(st.integers(1, 3))
    size = data.draw(st.integers(1, 3))
    values = data.draw(type_values(size, low=1, high=10))
    priors = [data.draw(probability_vectors(size)) for _ in range(n_bidders)]
    env = lpmech.single_item_auction(values, n_bidders, priors=priors)
    optimum = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]).objective_value
    for reserve in [0.0, *values]:
        benchmark = second_price_with_reserve(env, reserve)
        assert benchmark.verify(["dsic", "ex_post_ir"]).ok
        assert optimum >= benchmark.expected_revenue() - 1e-6


@pytest.mark.slow
@given(data=st.data())
def test_weaker_constraints_never_lower_the_optimum(data):
    """DSIC ⊂ BIC and ex-post IR ⊂ interim IR ⊂ ex-ante IR (seed notes Rem. 2.1, Rem. 2.3),
    so relaxing a family can only raise the optimum."""
    n_bidders = data.draw(st.integers(1, 2))
    size = data.draw(st.integers(1, 3))
    values = data.draw(type_values(size, low=1, high=10))
    priors = [data.draw(probability_vectors(size)) for _ in range(n_bidders)]
    env = lpmech.single_item_auction(values, n_bidders, priors=priors)
    ladder = [["dsic", "ex_post_ir"], ["bic", "ex_post_ir"], ["bic", "interim_ir"]]
    optima = [lpmech.solve(env, "revenue", fam).objective_value for fam in ladder]
    assert optima[0] <= optima[1] + 1e-6 <= optima[2] + 2e-6
