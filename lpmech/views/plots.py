"""Pictures of mechanisms: interim rules, ex-post rules, allocation heatmaps, virtual values.

Needs matplotlib (``pip install "lpmech[plot]"``). Every function returns a
:class:`matplotlib.figure.Figure`; pass ``ax`` (or ``axes``) to draw into
existing axes, otherwise a new figure is made without pyplot (so no display is
needed, and nothing is left open).

* :func:`interim` / :func:`interim_rules` — scalar types: each agent's interim
  quantity q_i(θ_i), payment m_i(θ_i) and utility U_i(θ_i) by type. By the
  envelope theorem the utility's slope is the quantity, U_i'(θ_i) = q_i(θ_i)
  (seed notes Thm. 1.4; on a grid, the steps of U lie between neighbouring q's).
* :func:`ex_post_rule` — an agent's quantity and payment against its own type,
  the others' types held fixed.
* :func:`allocation_heatmaps` — two-dimensional types: each item's (interim)
  allocation probability as a heatmap over the type grid; an optimum's menu shows
  as regions of constant colour.
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

from lpmech.analytic.virtual_values import ironed_virtual_values
from lpmech.analytic.virtual_values import virtual_values as raw_virtual_values
from lpmech.errors import InvalidArgumentError
from lpmech.extras import require
from lpmech.problem.environment import AgentRef, Environment
from lpmech.sweeps.plot import plot_sweep
from lpmech.views.text import format_number

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lpmech.checks.auditing import Audit
    from lpmech.results.mechanism import Mechanism
    from lpmech.results.solution import Solution

#: What :func:`interim` can draw, with its axis label.
INTERIM_QUANTITIES = {
    "quantity": "interim quantity q(θ)",
    "payment": "interim payment m(θ)",
    "utility": "interim utility U(θ)",
}


def _figure(
    ax: Axes | None, n_panels: int = 1, axes: Sequence[Axes] | None = None, width: float = 4.2
) -> tuple[Figure, list[Axes]]:
    """The given axes and their figure, or a new pyplot-free figure with ``n_panels``."""
    if ax is not None:
        axes = [ax]
    if axes is not None:
        axes = list(axes)
        if len(axes) != n_panels:
            raise InvalidArgumentError(f"axes: expected {n_panels} Axes, got {len(axes)}")
        return axes[0].figure, axes
    require("matplotlib", "plot", "lpmech's plots")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width * n_panels, 3.6), layout="constrained")
    return figure, list(np.atleast_1d(figure.subplots(1, n_panels)))


def _scalar_agents(env: Environment, agents: Sequence[AgentRef] | None) -> list[int]:
    chosen = range(env.n_agents) if agents is None else [env.agent_index(a) for a in agents]
    for i in chosen:
        if not env.agents[i].is_scalar:
            raise InvalidArgumentError(
                f"agent {env.agents[i].name!r} has vector types; "
                "use allocation_heatmaps for two-dimensional types"
            )
    return list(chosen)


def interim(
    mechanism: Mechanism,
    quantity: str = "quantity",
    agents: Sequence[AgentRef] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """One interim rule (``quantity``, ``payment`` or ``utility``) by type, a line per agent.

    The quantity q_i is w·E[a | θ_i] for single-parameter agents (the probability
    of winning, for a bidder).
    """
    if quantity not in INTERIM_QUANTITIES:
        raise InvalidArgumentError(
            f"quantity: unknown {quantity!r}; choose one of {list(INTERIM_QUANTITIES)}"
        )
    env = mechanism.env
    figure, (axes,) = _figure(ax)
    for i in _scalar_agents(env, agents):
        agent = env.agents[i]
        order = np.argsort(agent.types)
        values = {
            "quantity": mechanism.interim_quantity,
            "payment": mechanism.interim_payment,
            "utility": mechanism.interim_utility,
        }[quantity](i)
        axes.plot(agent.types[order], values[order], marker="o", label=agent.name)
    axes.set_xlabel("type θ")
    axes.set_ylabel(INTERIM_QUANTITIES[quantity])
    axes.set_title(f"Interim {quantity}")
    axes.legend()
    return figure


def interim_rules(
    mechanism: Mechanism,
    agents: Sequence[AgentRef] | None = None,
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """Interim quantity, payment and utility side by side (three axes)."""
    figure, panels = _figure(None, 3, axes)
    for quantity, panel in zip(INTERIM_QUANTITIES, panels, strict=True):
        interim(mechanism, quantity, agents, ax=panel)
    return figure


def ex_post_rule(
    mechanism: Mechanism,
    agent: AgentRef = 0,
    others: Mapping[str, int | str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Agent i's quantity w·a(θ_i, θ_{-i}) and payment t_i against θ_i, θ_{-i} fixed.

    ``others`` maps other agents' names to a type (index or label); an agent not
    named keeps its lowest type index 0.
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
    quantity = (mechanism.flat_allocation[profiles] @ form.direction)[order]
    payment = mechanism.flat_payments[profiles, i][order]
    figure, (axes,) = _figure(ax)
    axes.step(types, quantity, where="mid", marker="o", label="quantity")
    axes.plot(types, payment, marker="s", linestyle="--", label="payment")
    context = ", ".join(
        f"{a.name}={a.labels[fixed[j]]}" for j, a in enumerate(env.agents) if j != i
    )
    axes.set_title(f"Ex-post rule of {env.agents[i].name}" + (f" ({context})" if context else ""))
    axes.set_xlabel(f"type of {env.agents[i].name}")
    axes.set_ylabel("quantity, payment")
    axes.legend()
    return figure


def allocation_heatmaps(
    mechanism: Mechanism,
    agent: AgentRef = 0,
    axes: Sequence[Axes] | None = None,
) -> Figure:
    """For an agent with two-dimensional types, each valued component as a heatmap.

    Cell (x, y) is E[a_c(θ) | θ_i = (x, y)], the interim probability that the agent
    gets component c (ex post, for a single agent); components are those the agent
    values. Grid cells that are not types are left blank.
    """
    env = mechanism.env
    i = env.agent_index(agent)
    spec = env.agents[i]
    if spec.types.ndim != 2 or spec.types.shape[1] != 2:
        raise InvalidArgumentError(
            f"agent {spec.name!r} does not have two-dimensional types "
            f"(types have shape {spec.types.shape})"
        )
    components = np.flatnonzero(
        np.any(env.valuations[i].reshape(-1, env.n_components) != 0, axis=0)
    )
    figure, panels = _figure(None, len(components), axes, width=3.8)
    xs, x_cell = np.unique(spec.types[:, 0], return_inverse=True)
    ys, y_cell = np.unique(spec.types[:, 1], return_inverse=True)
    interim_allocation = mechanism.interim_allocation(i)
    axis_names = _dimension_names(env, i)
    for panel, c in zip(panels, components, strict=True):
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
        figure.colorbar(image, ax=panel, shrink=0.85)
    return figure


def _dimension_names(env: Environment, agent: int) -> tuple[str, str]:
    names = getattr(env.allocation, "item_names", None)
    if names is not None and len(names) == 2:
        return f"value for {names[0]}", f"value for {names[1]}"
    return "type dimension 1", "type dimension 2"


def _extent(values: np.ndarray) -> list[float]:
    """Edges of cells centred on ``values`` (unit width for a single value)."""
    step = float(np.min(np.diff(values))) if len(values) > 1 else 1.0
    return [float(values[0]) - step / 2, float(values[-1]) + step / 2]


def virtual_values(env: Environment, agent: AgentRef = 0, ax: Axes | None = None) -> Figure:
    """Virtual values φ(θ) and ironed φ̄(θ) of a scalar agent, ironing intervals shaded.

    An ironing interval is a maximal run of neighbouring types on which φ̄ is
    constant while φ is not (the revenue curve's concave hull is a chord there).
    """
    i = _scalar_agents(env, [agent])[0]
    spec = env.agents[i]
    order = np.argsort(spec.types)
    types, prior = spec.types[order], env.prior.marginals[i][order]
    phi, ironed = raw_virtual_values(types, prior), ironed_virtual_values(types, prior)
    figure, (axes,) = _figure(ax)
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
    axes.set_title(f"Virtual values of {spec.name}")
    axes.set_xlabel("type θ")
    axes.set_ylabel("φ(θ)")
    axes.legend()
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


def regret(audit: Audit, ax: Axes | None = None) -> Figure:
    """Each agent's ex-post and interim regret (largest gain from lying) by type."""
    figure, (axes,) = _figure(ax)
    for agent in audit.agents:
        positions = np.arange(len(agent.labels))
        axes.plot(positions, agent.ex_post_regret, marker="o", label=f"{agent.agent} ex post")
        axes.plot(
            positions,
            agent.interim_regret,
            marker="x",
            linestyle="--",
            label=f"{agent.agent} interim",
        )
    labels = audit.agents[0].labels
    if all(a.labels == labels for a in audit.agents) and len(labels) <= 30:
        axes.set_xticks(np.arange(len(labels)), labels)
    axes.set_title(f"Regret of {audit.mechanism_name or 'mechanism'}")
    axes.set_xlabel("true type")
    axes.set_ylabel("gain from misreporting")
    axes.legend()
    return figure


def convergence(
    table: Any,
    x: str = "n",
    by: str | None = None,
    *,
    limit: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """An optimum against grid size from a table of solves, with its continuous limit.

    ``table`` is an :func:`lpmech.sweep` table; its optima are drawn by
    :func:`lpmech.sweeps.plot.plot_sweep` (one line per value of ``by``, the
    benchmark dashed), and ``limit`` — the value the finite optima approach as
    the grid refines — as a horizontal line.
    """
    figure = plot_sweep(table, x, by, ax=ax, title=f"Optimum against {x}")
    if limit is not None:
        axes = ax if ax is not None else figure.axes[0]
        axes.axhline(limit, color="grey", linestyle=":", label=f"limit {format_number(limit)}")
        axes.legend(fontsize="small")
    return figure


def plot_mechanism(mechanism: Mechanism, axes: Sequence[Axes] | None = None) -> Figure:
    """The picture that fits the environment.

    Scalar single-parameter agents: :func:`interim_rules`. An agent with
    two-dimensional types: :func:`allocation_heatmaps` for the first such agent
    (one heatmap per item). Otherwise the ex-post allocation, profiles by components.
    """
    env = mechanism.env
    if all(env.single_parameter(i) is not None for i in range(env.n_agents)):
        return interim_rules(mechanism, axes=axes)
    two_dimensional = [
        i for i, a in enumerate(env.agents) if a.types.ndim == 2 and a.types.shape[1] == 2
    ]
    if two_dimensional:
        return allocation_heatmaps(mechanism, two_dimensional[0], axes=axes)
    figure, (panel,) = _figure(None, 1, axes, width=6.0)
    image = panel.imshow(
        mechanism.flat_allocation, aspect="auto", vmin=0.0, interpolation="nearest", cmap="viridis"
    )
    panel.set_xticks(
        np.arange(env.n_components), env.allocation.component_names, rotation=30, ha="right"
    )
    panel.set_ylabel("profile")
    panel.set_title(f"Ex-post allocation of {mechanism.name or 'mechanism'}")
    figure.colorbar(image, ax=panel)
    return figure


def plot_solution(solution: Solution, axes: Sequence[Axes] | None = None) -> Figure:
    """:func:`plot_mechanism` of the optimum, titled with the optimal value."""
    figure = plot_mechanism(solution.mechanism, axes=axes)
    figure.suptitle(
        f"Optimal {solution.objective.name} = {format_number(solution.objective_value)}"
    )
    return figure
