"""Item-wise and grand-bundle Myerson: DSIC and IR by brute force, revenue by the formula."""

from __future__ import annotations

import itertools

import numpy as np
import oracle
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lpmech
from lpmech.analytic import bundle_myerson, itemwise_myerson, myerson
from lpmech.analytic.bundling import pure_bundling, separate_sales
from lpmech.checks.comparison import compare
from lpmech.errors import InvalidEnvironmentError

GRID = np.array([[x, y] for x in (1.0, 2.0, 3.0) for y in (1.0, 2.0, 3.0)])
UNIFORM = np.full(9, 1 / 9)
DENTED = np.outer([0.45, 0.1, 0.45], [0.45, 0.1, 0.45]).ravel()  # irregular: ironing
CORRELATED = np.array([4, 1, 1, 1, 2, 1, 1, 1, 4], dtype=float) / 16  # items within a bidder


def _environments():
    yield "uniform, 2 bidders", lpmech.multi_item_auction(GRID, 2, priors=UNIFORM)
    yield "irregular, 2 bidders", lpmech.multi_item_auction(GRID, 2, priors=DENTED)
    yield (
        "asymmetric",
        lpmech.multi_item_auction([GRID, 2 * GRID[::2]], priors=[CORRELATED, np.full(5, 0.2)]),
    )
    yield "one bidder", lpmech.multi_item_auction(GRID, 1, priors=DENTED)
    yield (
        "three items, 2 bidders",
        lpmech.multi_item_auction(np.array(list(itertools.product((0.5, 1.5), repeat=3))), 2),
    )


ENVIRONMENTS = dict(_environments())


def _hull_slopes(values, mass):
    """φ̄ from scratch: slopes of the least concave majorant of the revenue curve, by loops."""
    order = sorted(range(len(values)), key=lambda k: -values[k])
    quantiles, revenues = [0.0], [0.0]
    for k in order:  # from the highest value down: q grows, R = v·q
        quantiles.append(quantiles[-1] + mass[k])
        revenues.append(values[k] * quantiles[-1])
    hull = []
    for a, q in enumerate(quantiles):  # majorant: best chord through q
        best = revenues[a]
        for left in range(a + 1):
            for right in range(a, len(quantiles)):
                if right > left:
                    w = (q - quantiles[left]) / (quantiles[right] - quantiles[left])
                    best = max(best, (1 - w) * revenues[left] + w * revenues[right])
        hull.append(best)
    slopes = {}
    for position, k in enumerate(order):
        slopes[values[k]] = (hull[position + 1] - hull[position]) / mass[k]
    return slopes


def _formula_revenue(env, value_of):
    """E[max(max_i φ̄_i(value_i), 0)], φ̄ from each bidder's own law of its value."""
    top = max(float(np.abs(v).max()) for v in env.valuations)

    def key(i, k):  # one support point per value, whatever the order of a sum's terms
        return round(float(value_of(i, k)) / top, 9)

    slopes = []
    for i in range(env.n_agents):
        law = {}
        for k in range(env.type_counts[i]):
            value, mass = law.get(key(i, k), (float(value_of(i, k)), 0.0))
            law[key(i, k)] = (value, mass + float(env.prior.marginals[i][k]))
        by_value = _hull_slopes([v for v, _ in law.values()], [m for _, m in law.values()])
        slopes.append({point: by_value[value] for point, (value, _) in law.items()})
    total = 0.0
    for profile in oracle.profiles(env):
        best = max(slopes[i][key(i, k)] for i, k in enumerate(profile))
        total += oracle.probability(env, profile) * max(best, 0.0)
    return total


def _item_values(env, j):
    return lambda i, k: env.valuations[i][k, env.allocation.component(i, j)]


def _bundle_values(env):
    return lambda i, k: sum(_item_values(env, j)(i, k) for j in range(env.allocation.n_items))


@pytest.mark.parametrize("baseline", [itemwise_myerson, bundle_myerson])
@pytest.mark.parametrize("name", list(ENVIRONMENTS))
def test_baselines_are_dsic_and_ex_post_ir_by_brute_force(name, baseline):
    env = ENVIRONMENTS[name]
    mechanism = baseline(env)
    assert oracle.dsic_violation(env, mechanism) <= 1e-9
    assert oracle.ex_post_ir_violation(env, mechanism) <= 1e-9
    # each item goes to at most one bidder
    per_item = mechanism.flat_allocation.reshape(env.n_profiles, env.n_agents, -1).sum(axis=1)
    assert per_item.max() <= 1 + 1e-12


@pytest.mark.parametrize("name", list(ENVIRONMENTS))
def test_revenue_is_the_expected_positive_ironed_virtual_value(name):
    env = ENVIRONMENTS[name]
    items = sum(_formula_revenue(env, _item_values(env, j)) for j in range(env.allocation.n_items))
    assert itemwise_myerson(env).expected_revenue() == pytest.approx(items, rel=1e-9)
    bundle = _formula_revenue(env, _bundle_values(env))
    assert bundle_myerson(env).expected_revenue() == pytest.approx(bundle, rel=1e-9)


def test_irregular_values_are_ironed():
    """With the dented law the raw φ(2) < φ(1) < 0, so 1 and 2 pool and are never sold to."""
    mechanism = itemwise_myerson(ENVIRONMENTS["irregular, 2 bidders"])
    sold_at = {
        tuple(GRID[k])
        for k in range(9)
        if mechanism.allocation[k, k, 0] > 0 or mechanism.allocation[k, k, 1] > 0
    }
    assert all(3.0 in row for row in sold_at)


def test_item_by_item_is_the_single_item_auction_on_each_item():
    """Two bidders with values {1, …, 4} per item: each item earns Myerson's 2.375."""
    values = np.array(list(itertools.product((1.0, 2.0, 3.0, 4.0), repeat=2)))
    env = lpmech.multi_item_auction(values, 2)
    single = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
    assert itemwise_myerson(env).expected_revenue() == pytest.approx(
        2 * myerson(single).expected_revenue()
    )


def test_one_bidder_baselines_are_the_best_posted_prices():
    env = ENVIRONMENTS["one bidder"]
    assert itemwise_myerson(env).expected_revenue() == pytest.approx(
        separate_sales(env).expected_revenue()
    )
    assert bundle_myerson(env).expected_revenue() == pytest.approx(
        pure_bundling(env).expected_revenue()
    )


def test_the_lp_optimum_beats_both_baselines_in_compare():
    env = lpmech.multi_item_auction(GRID[[0, 2, 4, 6, 8]], 2)
    optimum = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]).mechanism
    for baseline in (itemwise_myerson(env), bundle_myerson(env)):
        result = compare(baseline, optimum)
        assert result.gap("revenue") >= -1e-7
        assert result.violations["dominant_strategy_ic"][0] <= 1e-9
        assert result.violations["ex_post_ir"][0] <= 1e-9


@given(
    st.integers(1, 2),
    st.lists(st.floats(0.05, 1.0), min_size=4, max_size=4),
    st.sampled_from([1e-9, 1.0, 1e9]),
)
def test_dsic_and_formula_for_any_law_and_scale(n_bidders, weights, scale):
    types = scale * np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0], [1.0, 3.0]])
    env = lpmech.multi_item_auction(types, n_bidders, priors=np.array(weights) / sum(weights))
    for baseline, value_of in ((itemwise_myerson, None), (bundle_myerson, _bundle_values(env))):
        mechanism = baseline(env)
        assert oracle.dsic_violation(env, mechanism) <= 1e-9 * scale
        assert oracle.ex_post_ir_violation(env, mechanism) <= 1e-9 * scale
        expected = (
            _formula_revenue(env, value_of)
            if value_of is not None
            else sum(_formula_revenue(env, _item_values(env, j)) for j in range(2))
        )
        assert mechanism.expected_revenue() == pytest.approx(expected, rel=1e-7)


def test_unit_demand_and_single_good_problems_are_refused():
    with pytest.raises(InvalidEnvironmentError, match="additive"):
        itemwise_myerson(lpmech.multi_item_auction(GRID, 2, unit_demand=True))
    with pytest.raises(InvalidEnvironmentError, match="independent"):
        bundle_myerson(lpmech.multi_item_auction(GRID[:2], 2, prior=[[0.5, 0], [0, 0.5]]))
