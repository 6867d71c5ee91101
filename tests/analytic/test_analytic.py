"""Analytic formulas against numbers worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import lpmech
from lpmech.analytic import (
    discretise,
    efficient_trade_deficit,
    empirical,
    first_best_gains,
    ironed_virtual_values,
    revenue_curve,
    virtual_costs,
    virtual_values,
)
from lpmech.analytic.bundling import MANELLI_VINCENT_REVENUE


def test_uniform_virtual_values_and_costs():
    # φ(k) = k − (1 − k/4)/(1/4) = 2k − 4; γ(s_k) = s_k + Δ·(k − 1)
    np.testing.assert_allclose(virtual_values([1, 2, 3, 4], [0.25] * 4), [-2, 0, 2, 4])
    np.testing.assert_allclose(virtual_costs([0, 0.5, 1], [1 / 3] * 3), [0, 1, 2])


def test_ironing_pools_the_types_under_a_dent_in_the_revenue_curve():
    """Values 1, 2, 3 with probabilities .45, .1, .45: revenue curve points (0, 0),
    (.45, 1.35), (.55, 1.1), (1, 1); the hull skips (.55, 1.1), so the two lower types
    share the slope (1 − 1.35)/(1 − .45) = −7/11."""
    quantiles, revenues = revenue_curve([1, 2, 3], [0.45, 0.1, 0.45])
    np.testing.assert_allclose(quantiles, [0, 0.45, 0.55, 1])
    np.testing.assert_allclose(revenues, [0, 1.35, 1.1, 1])
    raw = virtual_values([1, 2, 3], [0.45, 0.1, 0.45])
    assert raw[1] < raw[0]  # not monotone
    np.testing.assert_allclose(
        ironed_virtual_values([1, 2, 3], [0.45, 0.1, 0.45]), [-7 / 11, -7 / 11, 3]
    )
    np.testing.assert_allclose(ironed_virtual_values([1, 2, 3, 4], [0.25] * 4), [-2, 0, 2, 4])


def test_trade_formulas_on_a_three_point_grid():
    """b, s uniform on {0, ½, 1}: E[(b − s)⁺] = (½ + 1 + ½)/9 = 2/9. Buyer φ = (−1, 0, 1),
    seller γ = (0, 1, 2); trade at (½, 0), (1, 0), (1, ½) has φ − γ = 0, 1, 0 → the
    efficient deficit is −1/9 (a surplus)."""
    env = lpmech.bilateral_trade([0, 0.5, 1], [0, 0.5, 1])
    assert first_best_gains(env) == pytest.approx(2 / 9)
    assert efficient_trade_deficit(env) == pytest.approx(-1 / 9)


@pytest.mark.slow
def test_manelli_vincent_constant():
    """Each item at 2/3, the bundle at (4 − √2)/3, for U[0,1]²: integrated on a midpoint grid
    (error O(1/n) from the menu's kinks), clear of pure bundling (≈ 0.5443) and separate
    sales (0.5)."""
    n = 4000
    x = (np.arange(n) + 0.5) / n
    first, second = np.meshgrid(x, x)
    bundle = (4 - np.sqrt(2)) / 3
    utility = np.stack(
        [np.zeros_like(first), first - 2 / 3, second - 2 / 3, first + second - bundle]
    )
    payment = np.array([0, 2 / 3, 2 / 3, bundle])[np.argmax(utility, axis=0)]
    assert payment.mean() == pytest.approx(MANELLI_VINCENT_REVENUE, abs=1e-4)


@pytest.mark.parametrize(
    "distribution",
    [stats.uniform(), stats.expon(scale=2.0), stats.beta(2, 3), stats.truncnorm(-1, 1)],
)
def test_quantile_grids_are_probability_vectors_with_the_right_mean(distribution):
    values, prior = discretise(distribution, 400)
    assert prior.sum() == pytest.approx(1.0)
    assert np.all(np.diff(values) > 0)
    assert values @ prior == pytest.approx(distribution.mean(), rel=2e-2)


def test_uniform_grid_and_empirical_sample():
    values, prior = discretise(stats.uniform(loc=1, scale=2), 4, grid="uniform")
    np.testing.assert_allclose(values, [1.25, 1.75, 2.25, 2.75])
    np.testing.assert_allclose(prior, [0.25] * 4)
    with pytest.raises(ValueError, match="bounded support"):
        discretise(stats.expon(), 4, grid="uniform")
    values, prior = empirical(np.random.default_rng(0).normal(size=1000), n_bins=10)
    assert prior.sum() == pytest.approx(1.0)
    assert len(values) <= 10
    with pytest.raises(ValueError, match="non-empty and finite"):
        empirical([])
