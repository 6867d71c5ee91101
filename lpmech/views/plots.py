"""Pictures of mechanisms: interim rules, ex-post rules, allocation heatmaps, virtual values.

Needs matplotlib (``pip install "lpmech[plot]"``). Every function returns a
matplotlib Figure that shows itself once in a notebook and is never left open in
pyplot (:mod:`lpmech.views.figure`); pass ``ax`` (or ``axes``) to draw into
existing axes, or ``figsize`` for the size of a new figure.

Conventions, so that a figure can go into a paper as it is: types are discrete,
so rules are drawn as points joined by steps (a rule holds at a type, not
between types); probability and money never share an axis; an agent who
supplies (a seller, a supplier: negative quantity direction) is drawn in natural
signs, its probability of trade and the payment it receives; identical agents
get distinct markers and line styles so none hides another; integer axes get
integer ticks.

* :func:`interim` / :func:`interim_rules` — scalar types: each agent's interim
  quantity q_i(θ_i), payment m_i(θ_i) and utility U_i(θ_i) by type. By the
  envelope theorem the utility's slope is the quantity, U_i'(θ_i) = q_i(θ_i)
  (seed notes Thm. 1.4; on a grid, the steps of U lie between neighbouring q's).
* :func:`ex_post_rule` — an agent's quantity and payment against its own type,
  the others' types held fixed.
* :func:`allocation_heatmaps` — two-dimensional types: each item's (interim)
  allocation probability as a heatmap over the type grid, for every such agent.
* :func:`virtual_values` — φ and ironed φ̄ of a scalar agent, ironing intervals
  shaded (Myerson 1981; seed notes §1.4).
* :func:`regret` — an audit's ex-post and interim gains from lying, per type.
* :func:`convergence` — an optimum against grid size, from a sweep's table.
* :func:`plot_mechanism`, :func:`plot_solution` — the right picture for the
  environment (behind :meth:`Mechanism.plot` and :meth:`Solution.plot`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from lpmech.analytic.virtual import ironed_virtual_values
from lpmech.analytic.virtual import virtual_values as raw_virtual_values
from lpmech.errors import InvalidArgumentError
from lpmech.numbers.formatting import format_number
from lpmech.problem.environment import AgentRef, Environment
from lpmech.views.figure import integer_ticks, new_figure
from lpmech.views.sweep_plot import plot_sweep
from lpmech.views.text import human_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lpmech.checks.auditing import Audit
    from lpmech.results.mechanism import Mechanism
    from lpmech.results.solution import Solution

#: What :func:`interim` can draw, with its axis label when the agents drawn receive,
#: supply (see :func:`supplies`), or some of each.
INTERIM_QUANTITIES = {
    "quantity": (
        "expected quantity received q(θ)",
        "expected quantity supplied −q(θ)",
        "expected quantity received or supplied",
    ),
    "payment": (
        "expected payment made m(θ)",
        "expected payment received −m(θ)",
        "expected payment made or received",
    ),
    "utility": ("expected utility U(θ)",) * 3,
}

#: Marker, line style and marker size per agent: identical agents stay distinguishable.
AGENT_STYLES = (
    {"marker": "o", "linestyle": "-", "markersize": 8, "markerfacecolor": "none"},
    {"marker": "s", "linestyle": "--", "markersize": 4},
    {"marker": "^", "linestyle": ":", "markersize": 6, "markerfacecolor": "none"},
    {"marker": "D", "linestyle": "-.", "markersize": 3},
)


def _figure(
    ax: Axes | None,
    n_panels: int = 1,
    axes: Sequence[Axes] | None = None,
    figsize: tuple[float, float] | None = None,
    width: float = 4.2,
) -> tuple[Figure, list[Axes]]:
    """The given axes and their figure, or a new self-displaying figure with ``n_panels``."""
    if ax is not None:
        axes = [ax]
    if axes is not None:
        axes = list(np.asarray(axes, dtype=object).ravel())  # a grid from subplots too
        if len(axes) != n_panels:
            raise InvalidArgumentError(f"axes: expected {n_panels} Axes, got {len(axes)}")
        return axes[0].figure.figure, axes  # the root Figure, also for an Axes in a SubFigure
    return new_figure(1, n_panels, figsize=figsize or (width * n_panels, 3.6))


def _style(index: int) -> dict[str, Any]:
    return {**AGENT_STYLES[index % len(AGENT_STYLES)], "color": f"C{index % 10}"}


def _scalar_agents(env: Environment, agents: Sequence[AgentRef] | None) -> list[int]:
    chosen = range(env.n_agents) if agents is None else [env.agent_index(a) for a in agents]
    for i in chosen:
        if not env.agents[i].is_scalar:
            raise InvalidArgumentError(
                f"agent {env.agents[i].name!r} has vector types; "
                "use allocation_heatmaps for two-dimensional types"
            )
    return list(chosen)


def supplies(env: Environment, agent: int) -> bool:
    """Whether an agent's quantity direction is ≤ 0 and not zero: a seller or supplier.

    Such an agent's interim quantity and payment are drawn with their signs turned,
    as the probability of supplying and the payment received.
    """
    form = env.single_parameter(agent)
    return form is not None and bool(np.all(form.direction <= 0) and np.any(form.direction < 0))


def interim(
    mechanism: Mechanism,
    quantity: str = "quantity",
    agents: Sequence[AgentRef] | None = None,
    ax: Axes | None = None,
    *,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """One interim rule (``quantity``, ``payment`` or ``utility``) by type, a line per agent.

    The quantity q_i is w·E[a | θ_i] for single-parameter agents (the probability
    of winning, for a bidder); a supplying agent's quantity and payment are drawn
    as −q_i and −m_i (see :func:`supplies`), its legend entry says so.
    """
    if quantity not in INTERIM_QUANTITIES:
        raise InvalidArgumentError(
            f"quantity: unknown {quantity!r}; choose one of {list(INTERIM_QUANTITIES)}"
        )
    env = mechanism.env
    figure, (axes,) = _figure(ax, figsize=figsize)
    rule = {
        "quantity": mechanism.interim_quantity,
        "payment": mechanism.interim_payment,
        "utility": mechanism.interim_utility,
    }[quantity]
    chosen = _scalar_agents(env, agents)
    turned = [supplies(env, i) and quantity != "utility" for i in chosen]
    for n, (i, turn) in enumerate(zip(chosen, turned, strict=True)):
        agent = env.agents[i]
        order = np.argsort(agent.types)
        values = (-1.0 if turn else 1.0) * rule(i)[order]
        drawstyle = "default" if quantity == "utility" else "steps-post"
        label = agent.name + (" (supplies)" if turn and not all(turned) else "")
        axes.plot(agent.types[order], values, drawstyle=drawstyle, label=label, **_style(n))
        integer_ticks(axes.xaxis, agent.types)
    receive, supply, mixed = INTERIM_QUANTITIES[quantity]
    axes.set_ylabel(supply if all(turned) else receive if not any(turned) else mixed)
    axes.set_xlabel("type θ")
    axes.set_title(f"Interim {quantity}")
    axes.legend(fontsize="small")
    return figure


def interim_rules(
    mechanism: Mechanism,
    agents: Sequence[AgentRef] | None = None,
    axes: Sequence[Axes] | None = None,
    *,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Interim quantity, payment and utility side by side (three axes)."""
    figure, panels = _figure(None, 3, axes, figsize=figsize)
    for quantity, panel in zip(INTERIM_QUANTITIES, panels, strict=True):
        interim(mechanism, quantity, agents, ax=panel)
    return figure


def ex_post_rule(
    mechanism: Mechanism,
    agent: AgentRef = 0,
    others: Mapping[str, int | str] | None = None,
    axes: Sequence[Axes] | None = None,
    *,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Agent i's quantity w·a(θ_i, θ_{-i}) and payment t_i against θ_i, θ_{-i} fixed.

    Two panels, quantity then payment (probability and money on separate axes),
    each drawn as points joined by steps. ``others`` maps other agents' names to
    a type (index or label); an agent not named keeps its lowest type index 0.
    """
    env = mechanism.env
    i = _scalar_agents(env, [agent])[0]
    form = env.single_parameter(i)
    if form is None:
        raise InvalidArgumentError(f"agent {env.agents[i].name!r} is not single-parameter")
    others = dict(others or {})
    unknown = sorted(set(others) - {a.name for j, a in enumerate(env.agents) if j != i})
    if unknown:
        raise InvalidArgumentError(f"others: no other agent named {unknown}")
    fixed = [
        0 if j == i else a.type_index(others.get(a.name, 0)) for j, a in enumerate(env.agents)
    ]
    profiles = []
    for k in range(env.agents[i].n_types):
        fixed[i] = k
        profiles.append(int(env.layout.profile_index(fixed)))
    order = form.order
    types = env.agents[i].types[order]
    sign = -1.0 if supplies(env, i) else 1.0
    quantity = sign * (mechanism.flat_allocation[profiles] @ form.direction)[order]
    payment = sign * mechanism.flat_payments[profiles, i][order]
    figure, panels = _figure(None, 2, axes, figsize=figsize)
    labels = (
        ("quantity received", "payment made")
        if sign > 0
        else ("quantity supplied", "payment received")
    )
    for n, (panel, values) in enumerate(zip(panels, (quantity, payment), strict=True)):
        panel.plot(types, values, drawstyle="steps-post", **_style(n))
        panel.set_xlabel(f"type of {env.agents[i].name}")
        panel.set_ylabel(labels[n])
        integer_ticks(panel.xaxis, types)
    context = ", ".join(
        f"{a.name}={a.labels[fixed[j]]}" for j, a in enumerate(env.agents) if j != i
    )
    panels[0].set_title(
        f"Ex-post rule of {env.agents[i].name}" + (f" ({context})" if context else "")
    )
    panels[1].set_title("Payment")
    return figure


def allocation_heatmaps(
    mechanism: Mechanism,
    agents: Sequence[AgentRef] | None = None,
    axes: Sequence[Axes] | None = None,
    *,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """For agents with two-dimensional types, each valued component as a heatmap.

    Cell (x, y) is E[a_c(θ) | θ_i = (x, y)], the interim probability that agent i
    gets component c (ex post, for a single agent); components are those the agent
    values. One row of panels per agent (every two-dimensional agent by default);
    grid cells that are not types are left blank.
    """
    env = mechanism.env
    chosen = (
        [i for i, a in enumerate(env.agents) if a.types.ndim == 2 and a.types.shape[1] == 2]
        if agents is None
        else [env.agent_index(a) for a in agents]
    )
    valued = {}
    for i in chosen:
        spec = env.agents[i]
        if spec.types.ndim != 2 or spec.types.shape[1] != 2:
            raise InvalidArgumentError(
                f"agent {spec.name!r} does not have two-dimensional types "
                f"(types have shape {spec.types.shape})"
            )
        valued[i] = np.flatnonzero(
            np.any(env.valuations[i].reshape(-1, env.n_components) != 0, axis=0)
        )
    n_columns = max(len(c) for c in valued.values())
    if axes is not None:
        figure, panels = _figure(None, len(chosen) * n_columns, axes)
    else:
        figure, panels = new_figure(
            len(chosen), n_columns, figsize=figsize or (3.8 * n_columns, 3.4 * len(chosen))
        )
    for row, i in enumerate(chosen):
        row_panels = panels[row * n_columns : (row + 1) * n_columns]
        for panel in row_panels[len(valued[i]) :]:
            panel.set_visible(False)
        _heatmaps(mechanism, i, valued[i], row_panels, figure)
    return figure


def _heatmaps(
    mechanism: Mechanism, i: int, components: np.ndarray, panels: list[Axes], figure: Figure
) -> None:
    env = mechanism.env
    spec = env.agents[i]
    xs, x_cell = np.unique(spec.types[:, 0], return_inverse=True)
    ys, y_cell = np.unique(spec.types[:, 1], return_inverse=True)
    interim_allocation = mechanism.interim_allocation(i)
    axis_names = _dimension_names(env)
    for panel, c in zip(panels, components, strict=False):
        grid = np.full((len(ys), len(xs)), np.nan)
        grid[y_cell, x_cell] = interim_allocation[:, c]
        image = panel.imshow(
            grid,
            origin="lower",
            aspect="auto",
            vmin=0.0,
            vmax=1.0,
            cmap="viridis",
            extent=_extent(xs) + _extent(ys),
            interpolation="nearest",
        )
        panel.set_title(f"P({env.allocation.component_names[c]})")
        panel.set_xlabel(axis_names[0])
        panel.set_ylabel(axis_names[1])
        figure.colorbar(image, ax=panel, shrink=0.85, label="probability")


def _dimension_names(env: Environment) -> tuple[str, str]:
    names = getattr(env.allocation, "item_names", None)
    if names is not None and len(names) == 2:
        return f"value for {names[0]}", f"value for {names[1]}"
    return "type dimension 1", "type dimension 2"


def _extent(values: np.ndarray) -> tuple[float, float]:
    """Edges of cells centred on ``values`` (unit width for a single value)."""
    step = float(np.min(np.diff(values))) if len(values) > 1 else 1.0
    return (float(values[0]) - step / 2, float(values[-1]) + step / 2)


def virtual_values(
    env: Environment,
    agent: AgentRef = 0,
    ax: Axes | None = None,
    *,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Virtual values φ(θ) and ironed φ̄(θ) of a scalar agent, ironing intervals shaded.

    An ironing interval is a maximal run of neighbouring types on which φ̄ is
    constant while φ is not (the revenue curve's concave hull is a chord there).
    """
    i = _scalar_agents(env, [agent])[0]
    spec = env.agents[i]
    order = np.argsort(spec.types)
    types, prior = spec.types[order], env.prior.marginals[i][order]
    phi, ironed = raw_virtual_values(types, prior), ironed_virtual_values(types, prior)
    figure, (axes,) = _figure(ax, figsize=figsize)
    axes.plot(types, phi, marker="o", linestyle=":", label="virtual value φ")
    axes.plot(types, ironed, marker=".", label="ironed φ̄")
    axes.axhline(0.0, color="grey", linewidth=0.8)
    for n, (start, stop) in enumerate(ironing_intervals(phi, ironed)):
        axes.axvspan(
            types[start],
            types[stop],
            color="orange",
            alpha=0.25,
            label="ironing interval" if n == 0 else None,
        )
    integer_ticks(axes.xaxis, types)
    axes.set_title(f"Virtual values of {spec.name}")
    axes.set_xlabel("type θ")
    axes.set_ylabel("virtual value φ(θ)")
    axes.legend(fontsize="small")
    return figure


def ironing_intervals(
    phi: np.ndarray, ironed: np.ndarray, tol: float = 1e-12
) -> list[tuple[int, int]]:
    """(first, last) index of each run of ≥ 2 types where φ̄ is flat and differs from φ.

    >>> ironing_intervals(np.array([1., 3., 2., 4.]), np.array([1., 2.5, 2.5, 4.]))
    [(1, 2)]
    """
    scale = tol * max(1.0, float(np.abs(phi).max(initial=0.0)))
    runs, start = [], 0
    for k in range(1, len(ironed) + 1):
        if k == len(ironed) or abs(ironed[k] - ironed[start]) > scale:
            if k - start >= 2 and np.any(np.abs(phi[start:k] - ironed[start:k]) > scale):
                runs.append((start, k - 1))
            start = k
    return runs


def regret(
    audit: Audit, ax: Axes | None = None, *, figsize: tuple[float, float] | None = None
) -> Figure:
    """Each agent's ex-post and interim regret (largest gain from lying) by type."""
    figure, (axes,) = _figure(ax, figsize=figsize)
    for n, agent in enumerate(audit.agents):
        positions = np.arange(len(agent.labels))
        style = _style(n)
        axes.plot(positions, agent.ex_post_regret, label=f"{agent.agent}, ex post", **style)
        axes.plot(
            positions,
            agent.interim_regret,
            **{**style, "linestyle": ":", "marker": "x", "markersize": 7},
            label=f"{agent.agent}, interim",
        )
    labels = audit.agents[0].labels
    if all(a.labels == labels for a in audit.agents) and len(labels) <= 30:
        axes.set_xticks(np.arange(len(labels)), labels)
    axes.set_title(f"Regret of {audit.mechanism_name or 'mechanism'}")
    axes.set_xlabel("true type")
    axes.set_ylabel("largest gain from misreporting")
    axes.legend(fontsize="small")
    return figure


def convergence(
    table: Any,
    x: str = "n",
    by: str | None = None,
    *,
    limit: float | None = None,
    ax: Axes | None = None,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """An optimum against grid size from a table of solves, with its continuous limit.

    ``table`` is an :func:`lpmech.sweep` table; its optima are drawn by
    :func:`lpmech.views.sweep_plot.plot_sweep` (one line per value of ``by``, the
    benchmark dashed), and ``limit`` — the value the finite optima approach as
    the grid refines — as a horizontal line.
    """
    figure = plot_sweep(
        table, x, by, ax=ax, figsize=figsize, title=f"Optimum against {human_name(x)}"
    )
    if limit is not None:
        axes = ax if ax is not None else figure.axes[0]
        axes.axhline(limit, color="grey", linestyle=":", label=f"limit {format_number(limit)}")
        axes.legend(fontsize="small")
    return figure


def plot_mechanism(
    mechanism: Mechanism,
    axes: Sequence[Axes] | None = None,
    *,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """The picture that fits the environment.

    Scalar single-parameter agents: :func:`interim_rules`. Agents with
    two-dimensional types: :func:`allocation_heatmaps`, a row of heatmaps (one
    per item) for each. Otherwise each agent's interim allocation, types by
    components.
    """
    env = mechanism.env
    if all(env.single_parameter(i) is not None for i in range(env.n_agents)):
        return interim_rules(mechanism, axes=axes, figsize=figsize)
    if any(a.types.ndim == 2 and a.types.shape[1] == 2 for a in env.agents):
        return allocation_heatmaps(mechanism, axes=axes, figsize=figsize)
    return interim_allocations(mechanism, axes=axes, figsize=figsize)


def interim_allocations(
    mechanism: Mechanism,
    axes: Sequence[Axes] | None = None,
    *,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """Each agent's interim allocation E[a | θ_i] as a heatmap, its types by components."""
    env = mechanism.env
    figure, panels = _figure(None, env.n_agents, axes, figsize=figsize, width=5.0)
    for i, panel in enumerate(panels):
        spec = env.agents[i]
        image = panel.imshow(
            mechanism.interim_allocation(i),
            aspect="auto",
            vmin=0.0,
            vmax=1.0,
            interpolation="nearest",
            cmap="viridis",
        )
        panel.set_xticks(
            np.arange(env.n_components), env.allocation.component_names, rotation=30, ha="right"
        )
        if spec.n_types <= 30:
            panel.set_yticks(np.arange(spec.n_types), spec.labels)
        panel.set_ylabel(f"type of {spec.name}")
        panel.set_title(f"Interim allocation of {spec.name}")
        figure.colorbar(image, ax=panel, label="probability")
    return figure


def plot_solution(
    solution: Solution,
    axes: Sequence[Axes] | None = None,
    *,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """:func:`plot_mechanism` of the optimum, titled with the optimal value."""
    figure = plot_mechanism(solution.mechanism, axes=axes, figsize=figsize)
    figure.suptitle(
        f"Optimal {human_name(solution.objective.name)} = "
        f"{format_number(solution.objective_value)}"
    )
    return figure
