"""Continuous evaluation: menus exactly IC on the continuum, revenue within its error."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

import lpmech
from lpmech.analytic import discretise, posted_price, second_price
from lpmech.analytic.bundling import MANELLI_VINCENT_REVENUE
from lpmech.checks.continuous import evaluate, menu
from lpmech.errors import InvalidEnvironmentError, InvalidMechanismError


def _uniform_square(n):
    grid, prior = discretise(stats.uniform(), n, grid="uniform")
    types = np.array([[x, y] for x in grid for y in grid])
    return lpmech.multi_item_auction(types, 1, priors=np.outer(prior, prior).ravel())


@pytest.mark.parametrize("price", [0.3, 0.5, 0.7])
@pytest.mark.parametrize("scale", [1e-9, 1.0, 1e9])
def test_posted_price_on_the_uniform_law_earns_p_times_one_minus_p(price, scale):
    env = lpmech.single_item_auction(scale * np.linspace(0.1, 0.9, 9), 1)
    estimate = evaluate(
        posted_price(env, scale * price), [stats.uniform(scale=scale)], n_samples=50_000, seed=1
    )
    assert estimate.standard_error > 0
    assert abs(estimate.revenue - scale * price * (1 - price)) < 4 * estimate.standard_error


def test_each_continuous_type_takes_its_best_entry_and_never_loses():
    """Brute force over entries for sampled types: the chosen entry is best and IR."""
    optimum = lpmech.solve(_uniform_square(6), "revenue", ["dsic", "ex_post_ir"]).mechanism
    entries = menu(optimum)
    values = np.random.default_rng(3).uniform(size=(500, 2))
    chosen = entries.choose(values)
    for v, k in zip(values, chosen, strict=True):
        utilities = [v @ a - t for a, t in zip(entries.allocations, entries.prices, strict=True)]
        assert utilities[k] >= max(utilities) - 1e-12
        assert utilities[k] >= -1e-12


def test_a_grid_optimum_as_a_menu_is_below_the_continuous_optimum():
    """A menu is a feasible continuous mechanism, so it cannot beat Manelli–Vincent's
    0.5491; the grid LP (types at cell midpoints) may, and at 8 × 8 does."""
    solution = lpmech.solve(_uniform_square(8), "revenue", ["dsic", "ex_post_ir"])
    estimate = evaluate(solution.mechanism, [stats.uniform()] * 2, n_samples=200_000)
    assert estimate.revenue <= MANELLI_VINCENT_REVENUE + 3 * estimate.standard_error
    assert solution.objective_value > MANELLI_VINCENT_REVENUE
    assert estimate.revenue > 0.5  # better than selling separately (1/2)


def test_rounded_second_price_approaches_one_third_with_regret_below_a_cell():
    """Vickrey with two U[0,1] bidders earns E[min] = 1/3; on a 20-point grid rounded
    reports lose at most one cell, and the sampled regret is below one cell width."""
    grid, prior = discretise(stats.uniform(), 20, grid="uniform")
    env = lpmech.single_item_auction(grid, 2, priors=prior)
    estimate = evaluate(second_price(env), [stats.uniform()], n_samples=40_000)
    assert estimate.method == "rounded reports"
    assert abs(estimate.revenue - 1 / 3) < 1 / 20 + 4 * estimate.standard_error
    assert 0 <= estimate.max_regret <= 1 / 20
    assert estimate.ir_violation <= 1 / 40 + 1e-12


def test_a_first_price_rule_shows_regret_on_samples():
    grid, prior = discretise(stats.uniform(), 10, grid="uniform")
    env = lpmech.single_item_auction(grid, 2, priors=prior)
    estimate = evaluate(lpmech.analytic.first_price(env), [stats.uniform()], n_samples=5_000)
    assert estimate.mean_regret > 0.05  # shading pays against truthful opponents


@given(st.integers(2, 5), st.floats(0.2, 0.8))
def test_menu_revenue_matches_the_exact_integral_of_a_two_entry_menu(n, price):
    """Bundle at price b for U[0,1]²: P(v1 + v2 ≥ b) = 1 − b²/2 for b ≤ 1."""
    env = _uniform_square(n)
    types = env.agents[0].types
    buys = (types.sum(axis=1) >= price).astype(float)
    mechanism = lpmech.Mechanism(env, np.column_stack([buys, buys]), price * buys[:, None])
    estimate = evaluate(mechanism, [stats.uniform()] * 2, n_samples=20_000, seed=n)
    assert abs(estimate.revenue - price * (1 - price**2 / 2)) < 4.5 * estimate.standard_error


def test_a_sampler_law_and_bad_laws():
    env = _uniform_square(3)
    mechanism = posted_price(lpmech.single_item_auction([1, 2], 1), 1.5)
    with pytest.raises(InvalidEnvironmentError, match="law"):
        evaluate(mechanism, [stats.uniform()] * 2)
    with pytest.raises(InvalidEnvironmentError, match="law"):
        evaluate(mechanism, lambda n, rng: rng.uniform(size=(n, 3)))
    with pytest.raises(ValueError, match="n_samples"):
        evaluate(mechanism, [stats.uniform()], n_samples=1)
    sampled = evaluate(
        lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]).mechanism,
        lambda n, rng: rng.uniform(size=(n, 2)),
        n_samples=1000,
    )
    assert sampled.n_samples == 1000
    assert sampled.revenue > 0


def test_menus_are_for_one_bidder():
    env = lpmech.single_item_auction([1, 2], 2)
    with pytest.raises(InvalidMechanismError, match="one bidder"):
        menu(second_price(env))
