"""Reports rounded down to a corner grid: exactly IR on the continuum, regret as papers state."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import lpmech
from lpmech.analytic.published import SETTINGS
from lpmech.checks.continuous import GridTypeBelow, evaluate, extrapolate
from lpmech.errors import InvalidArgumentError

DSIC = ["dominant_strategy_ic", "ex_post_ir"]
TWO_BIDDERS = SETTINGS["2 bidders, additive U[0,1]^2"]


@pytest.mark.parametrize("n_points", [3, 5])
@pytest.mark.parametrize("scale", [1e-9, 1.0, 1e9])
def test_rounding_down_is_exactly_ir_and_keeps_the_grid_revenue(n_points, scale):
    types, prior = TWO_BIDDERS.grid(n_points, at="corner")
    env = lpmech.multi_item_auction(scale * types, 2, priors=prior)
    solution = lpmech.solve(env, "revenue", DSIC)
    law = [stats.uniform(scale=scale)] * 2
    estimate = evaluate(solution.mechanism, law, n_samples=40_000, seed=n_points, rounding="down")
    assert estimate.method == "reports rounded down"
    assert estimate.ir_violation <= 1e-9 * scale
    assert abs(estimate.revenue - solution.objective_value) < 4 * estimate.standard_error
    assert 0 < estimate.mean_regret <= estimate.max_regret <= scale / n_points * 2


def test_regret_is_the_best_misreport_over_the_grid_by_brute_force():
    types, prior = TWO_BIDDERS.grid(3, at="corner")
    env = lpmech.multi_item_auction(types, 2, priors=prior)
    mechanism = lpmech.solve(env, "revenue", DSIC).mechanism
    rng = np.random.default_rng(5)
    values = rng.uniform(size=(40, 2, 2))  # (sample, bidder, item)
    below = GridTypeBelow(env.agents[0].types)
    worst = 0.0
    for sample in values:
        reports = [int(below(v[None, :])[0]) for v in sample]
        for i in range(2):

            def utility(report, i=i, reports=reports, sample=sample):
                profile = list(reports)
                profile[i] = report
                outcome = mechanism.iat(*profile)
                items = [outcome.allocation[f"item {j + 1} to bidder {i + 1}"] for j in range(2)]
                return sample[i] @ np.array(items) - outcome.payments[f"bidder {i + 1}"]

            gain = max(utility(r) for r in range(env.type_counts[i])) - utility(reports[i])
            worst = max(worst, gain)
            assert utility(reports[i]) >= -1e-9  # IR at the true continuous value
    by_bidder = iter([values[:, 0], values[:, 1]])  # evaluate draws bidder by bidder
    sampled = evaluate(mechanism, lambda n, g: next(by_bidder), n_samples=40, rounding="down")
    assert sampled.max_regret == pytest.approx(worst, abs=1e-12)


@given(
    st.lists(st.floats(0, 10), min_size=1, max_size=4, unique=True),
    st.lists(st.floats(0, 10), min_size=1, max_size=4, unique=True),
    st.lists(st.tuples(st.floats(0, 12), st.floats(0, 12)), min_size=1, max_size=20),
)
@settings(max_examples=60, deadline=None)
def test_the_grid_type_below_is_the_largest_below_item_by_item(first, second, values):
    types = np.array([[a, b] for a in first for b in second])
    values = np.array(values)
    values = values[np.all(values >= types.min(axis=0), axis=1)]
    if len(values) == 0:
        values = types.min(axis=0, keepdims=True)
    chosen = types[GridTypeBelow(types)(values)]
    for v, rho in zip(values, chosen, strict=True):
        assert np.all(rho <= v)
        dominated = types[np.all(types <= v, axis=1)]
        assert np.all(dominated <= rho)  # every grid type below v is below ρ(v)


def test_corner_grid_is_the_midpoint_grid_moved_down_half_a_cell():
    for name in ["2 bidders, additive U[0,1]^2", "additive U[4,16]xU[4,7]"]:
        setting = SETTINGS[name]
        middle, prior = setting.grid(4)
        corner, same = setting.grid(4, at="corner")
        widths = np.array([np.diff(law.support())[0] / 4 for law in setting.item_laws])
        assert np.allclose(middle - corner, widths / 2)
        assert np.array_equal(prior, same)
        assert np.allclose(corner.min(axis=0), [law.support()[0] for law in setting.item_laws])


def test_bad_rounding_input_names_the_argument():
    types, prior = TWO_BIDDERS.grid(3)
    env = lpmech.multi_item_auction(types, 2, priors=prior)
    mechanism = lpmech.solve(env, "revenue", DSIC).mechanism
    with pytest.raises(InvalidArgumentError, match="rounding"):
        evaluate(mechanism, TWO_BIDDERS.law, n_samples=100, rounding="up")
    with pytest.raises(InvalidArgumentError, match="lowest"):  # midpoints start above 0
        evaluate(mechanism, TWO_BIDDERS.law, n_samples=100, rounding="down")
    with pytest.raises(InvalidArgumentError, match="product grid"):
        GridTypeBelow(np.array([[0.0, 0.0], [1.0, 1.0]]))
    with pytest.raises(InvalidArgumentError, match="at"):
        TWO_BIDDERS.grid(3, at="edge")


@given(
    st.floats(-10, 10),
    st.floats(-5, 5),
    st.floats(-5, 5),
    st.lists(st.integers(2, 60), min_size=3, max_size=6, unique=True),
)
@settings(max_examples=60, deadline=None)
def test_extrapolation_covers_the_limit_of_a_smooth_discretisation_error(limit, c, d, grids):
    exact = extrapolate([(n, limit + c / n) for n in grids])
    assert exact is not None
    assert exact[0] == pytest.approx(limit, abs=1e-8)
    curved = extrapolate([(n, limit + c / n + d / n**2) for n in grids])
    assert curved is not None
    assert abs(curved[0] - limit) <= curved[1] + 1e-8
    assert extrapolate([(n, limit) for n in grids[:2]]) is None
