"""Plots render headless; each draws the artists it promises (lines, images, labels, titles)."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.figure import Figure

import lpmech
from lpmech.analytic import ironed_virtual_values, virtual_values
from lpmech.checks.auditing import audit
from lpmech.errors import InvalidArgumentError
from lpmech.models import MODELS
from lpmech.views import plots


def test_solution_plot_shows_the_interim_rules_of_scalar_agents(two_bidder_optimum):
    figure = two_bidder_optimum.plot()
    assert isinstance(figure, Figure)
    titles = [ax.get_title() for ax in figure.axes]
    assert titles == ["Interim quantity", "Interim payment", "Interim utility"]
    assert "2.375" in figure._suptitle.get_text()
    quantity_axes = figure.axes[0]
    assert [line.get_label() for line in quantity_axes.lines] == ["bidder 1", "bidder 2"]
    x, y = quantity_axes.lines[0].get_data()
    assert np.array_equal(x, [1, 2, 3, 4])
    assert np.allclose(y, two_bidder_optimum.mechanism.interim_quantity(0))


def test_the_utility_curve_rises_by_the_envelope(two_bidder_optimum):
    """U(θ_k) − U(θ_{k−1}) lies between q(θ_{k−1})·Δθ and q(θ_k)·Δθ (seed notes Thm. 1.4)."""
    figure = plots.interim_rules(two_bidder_optimum.mechanism)
    for line_q, line_u in zip(figure.axes[0].lines, figure.axes[2].lines, strict=True):
        theta, q = line_q.get_data()
        _, utility = line_u.get_data()
        steps, widths = np.diff(utility), np.diff(theta)
        assert np.all(steps >= q[:-1] * widths - 1e-9)
        assert np.all(steps <= q[1:] * widths + 1e-9)


def test_functions_draw_on_given_axes(two_bidder_optimum):
    figure = Figure()
    ax = figure.subplots()
    assert plots.interim(two_bidder_optimum.mechanism, "payment", ax=ax) is figure
    assert ax.get_ylabel() == "expected payment made m(θ)"
    assert len(ax.lines) == 2
    axes = Figure().subplots(1, 3)
    assert plots.interim_rules(two_bidder_optimum.mechanism, axes=axes) is axes[0].figure
    with pytest.raises(ValueError, match="expected 3 Axes, got 1"):
        plots.interim_rules(two_bidder_optimum.mechanism, axes=[ax])


def test_ex_post_rule_for_given_others(two_bidder_optimum):
    figure = plots.ex_post_rule(two_bidder_optimum.mechanism, "bidder 1", others={"bidder 2": "3"})
    quantity_axes, payment_axes = figure.axes
    assert quantity_axes.get_title() == "Ex-post rule of bidder 1 (bidder 2=3)"
    assert (quantity_axes.get_ylabel(), payment_axes.get_ylabel()) == (
        "quantity received",
        "payment made",
    )
    (quantity,), (payment,) = quantity_axes.lines, payment_axes.lines
    expected = [two_bidder_optimum.mechanism.at(str(k), "3") for k in (1, 2, 3, 4)]
    assert np.allclose(quantity.get_ydata(), [o.allocation["item to bidder 1"] for o in expected])
    assert np.allclose(payment.get_ydata(), [o.payments["bidder 1"] for o in expected])
    # a discrete rule is a step that holds from a type up to the next one
    assert quantity.get_drawstyle() == "steps-post"
    with pytest.raises(InvalidArgumentError, match="no other agent"):
        plots.ex_post_rule(two_bidder_optimum.mechanism, "bidder 1", others={"bidder 1": 0})


@pytest.mark.slow
def test_two_item_optimum_on_a_50_by_50_grid_draws_one_heatmap_per_item():
    env = MODELS["multi_item"].environment(n_grid=50)
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    figure = solution.plot()
    heatmaps = [ax for ax in figure.axes if ax.images]
    assert [ax.get_title() for ax in heatmaps] == [
        "P(item 1 to bidder 1)",
        "P(item 2 to bidder 1)",
    ]
    for j, ax in enumerate(heatmaps):
        image = ax.images[0].get_array()
        assert image.shape == (50, 50)
        assert ax.get_xlabel() == "value for item 1"
        assert ax.get_ylabel() == "value for item 2"
        # cell (y, x) is the probability of item j at type (x, y)
        types = env.agents[0].types
        k = int(
            np.flatnonzero(
                (types[:, 0] == types[:, 0].max()) & (types[:, 1] == types[:, 1].min())
            )[0]
        )
        assert image[0, 49] == pytest.approx(solution.mechanism.flat_allocation[k, j])
    # a high value for both items buys both; a low value for both buys nothing
    assert heatmaps[0].images[0].get_array()[49, 49] == pytest.approx(1.0)
    assert heatmaps[1].images[0].get_array()[0, 0] == pytest.approx(0.0)


def test_virtual_values_shade_the_ironing_interval():
    env = MODELS["irregular_auction"].environment()
    figure = plots.virtual_values(env, 0)
    ax = figure.axes[0]
    agent = env.agents[0]
    order = np.argsort(agent.types)
    phi = virtual_values(agent.types[order], env.prior.marginals[0][order])
    ironed = ironed_virtual_values(agent.types[order], env.prior.marginals[0][order])
    lines = {line.get_label(): line for line in ax.lines}
    assert np.allclose(lines["virtual value φ"].get_ydata(), phi)
    assert np.allclose(lines["ironed φ̄"].get_ydata(), ironed)
    intervals = plots.ironing_intervals(phi, ironed)
    assert intervals, "the irregular model's prior needs ironing"
    assert len(ax.patches) == len(intervals)


def test_regular_virtual_values_have_no_ironing_interval():
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=1)
    assert not plots.virtual_values(env).axes[0].patches


def test_audit_regret_per_type():
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=1)
    first_price = lpmech.Mechanism(env, [[1], [1], [1]], [[1], [2], [3]], name="pay your bid")
    figure = audit(first_price).plot()
    ax = figure.axes[0]
    assert ax.get_title() == "Regret of pay your bid"
    assert np.array_equal(ax.lines[0].get_ydata(), [0.0, 1.0, 2.0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3"]


def _one_bidder_on_a_grid(n):
    """Values uniform on the n-point grid 1/n, …, 1: revenue → 1/4 as n grows (price 1/2)."""
    return lpmech.single_item_auction(np.arange(1, n + 1) / n, n_bidders=1)


def test_convergence_from_a_table_of_solves():
    table = lpmech.sweep(_one_bidder_on_a_grid, {"n": [2, 3, 4]}, executor="serial", quiet=True)
    figure = plots.convergence(table, "n", limit=0.25)
    ax = figure.axes[0]
    assert ax.get_title() == "Optimum against grid size"
    optimum, limit = ax.lines
    assert np.array_equal(optimum.get_xdata(), [2, 3, 4])
    expected = [lpmech.solve(_one_bidder_on_a_grid(n)).objective_value for n in (2, 3, 4)]
    assert np.allclose(optimum.get_ydata(), expected)
    assert np.allclose(limit.get_ydata(), 0.25)
    assert "limit 0.25" in [t.get_text() for t in ax.get_legend().get_texts()]
    with pytest.raises(ValueError, match="no column 'grid'"):
        plots.convergence(table, "grid")


def test_other_environments_get_each_agents_interim_allocation():
    three_items = lpmech.multi_item_auction(np.eye(3) + 1, n_bidders=1)
    mechanism = lpmech.Mechanism(three_items, np.eye(3), np.ones((3, 1)), name="favourite")
    figure = mechanism.plot()
    ax = figure.axes[0]
    assert np.array_equal(ax.images[0].get_array(), np.eye(3))
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "item 1 to bidder 1",
        "item 2 to bidder 1",
        "item 3 to bidder 1",
    ]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(three_items.agents[0].labels)
    assert ax.get_ylabel() == "type of bidder 1"
    assert ax.get_title() == "Interim allocation of bidder 1"


def _trade_optimum():
    env = lpmech.bilateral_trade([0, 1, 2], [0, 1, 2])
    return lpmech.solve(env, "gains_from_trade", ["bic", "interim_ir", "ex_post_budget_balance"])


def test_a_seller_is_drawn_with_the_probability_of_trade_and_the_payment_received():
    solution = _trade_optimum()
    mechanism = solution.mechanism
    figure = plots.interim_rules(mechanism, agents=["seller"])
    quantity_axes, payment_axes, _ = figure.axes
    (quantity,), (payment,) = quantity_axes.lines, payment_axes.lines
    trade = mechanism.interim_allocation("seller")[:, 0]
    received = -mechanism.interim_payment("seller")
    assert np.allclose(quantity.get_ydata(), trade)
    assert np.all(quantity.get_ydata() >= 0)
    assert np.allclose(payment.get_ydata(), received)
    assert quantity_axes.get_ylabel() == "expected quantity supplied −q(θ)"
    assert payment_axes.get_ylabel() == "expected payment received −m(θ)"
    both = plots.interim(mechanism, "quantity")
    assert [line.get_label() for line in both.axes[0].lines] == ["buyer", "seller (supplies)"]
    assert "gains from trade" in solution.plot()._suptitle.get_text()


def test_identical_agents_get_distinct_markers_and_line_styles(two_bidder_optimum):
    first, second = two_bidder_optimum.plot().axes[0].lines
    assert np.allclose(first.get_ydata(), second.get_ydata())  # identical bidders
    assert first.get_marker() != second.get_marker()
    assert first.get_linestyle() != second.get_linestyle()


def test_integer_types_get_integer_ticks(two_bidder_optimum):
    figure = two_bidder_optimum.plot()
    figure.canvas.draw()
    ticks = figure.axes[0].get_xticks()
    assert np.array_equal(ticks, np.round(ticks))


def test_unit_demand_draws_every_bidder():
    env = MODELS["unit_demand"].environment()
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    figure = solution.plot()
    titles = [ax.get_title() for ax in figure.axes if ax.images]
    names = [a.name for a in env.agents]
    assert len(names) == 2
    for name in names:
        assert sum(name in title for title in titles) == 2  # two items per bidder


@pytest.mark.parametrize(
    "draw",
    [
        lambda s: s.plot(figsize=(7, 2)),
        lambda s: plots.interim(s.mechanism, figsize=(7, 2)),
        lambda s: plots.ex_post_rule(s.mechanism, figsize=(7, 2)),
        lambda s: plots.virtual_values(s.mechanism.env, figsize=(7, 2)),
        lambda s: audit(s.mechanism).plot(figsize=(7, 2)),
    ],
    ids=["plot", "interim", "ex_post_rule", "virtual_values", "regret"],
)
def test_every_function_takes_a_figure_size(two_bidder_optimum, draw):
    figure = draw(two_bidder_optimum)
    assert tuple(figure.get_size_inches()) == (7, 2)


@pytest.mark.slow
def test_figures_show_themselves_as_png_and_leave_nothing_open_in_pyplot(two_bidder_optimum):
    import matplotlib.pyplot as pyplot

    open_before = pyplot.get_fignums()
    figures = [two_bidder_optimum.plot() for _ in range(22)]  # beyond pyplot's warning at 20
    assert pyplot.get_fignums() == open_before
    png = figures[0]._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
