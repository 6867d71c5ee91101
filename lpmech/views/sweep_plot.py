"""The picture of a sweep: the optimum against one parameter, a line per value of another.

Each coloured line is the LP optimum at the optimal points; the analytic
benchmark is drawn over it as a thin dashed black line, so where theory and LP
agree the dash runs through the markers. Needs the ``plot`` extra (matplotlib).
"""

from __future__ import annotations

from typing import Any

from lpmech.errors import InvalidArgumentError
from lpmech.views.figure import integer_ticks, new_figure
from lpmech.views.text import human_name


def plot_sweep(
    table: Any,
    x: str,
    by: str | None = None,
    *,
    ax: Any = None,
    title: str | None = None,
    ylabel: str = "optimal objective",
    figsize: tuple[float, float] | None = None,
) -> Any:
    """Draw ``objective`` against column ``x`` of a sweep's table, one line per ``by``.

    Returns the matplotlib Figure holding ``ax`` when given, else a new one of
    size ``figsize`` that shows itself once in a notebook and is never left open
    in pyplot (:mod:`lpmech.views.figure`). Column names are shown readably
    (``n_types`` as "types per agent"); an integer parameter gets integer ticks.
    """
    for name in (x, by):
        if name is not None and name not in table.columns:
            raise InvalidArgumentError(f"plot: the table has no column {name!r}")
    if ax is None:
        figure, (ax,) = new_figure(figsize=figsize or (6.4, 4.2))
    else:
        figure = ax.figure
    optimal = table[table["status"] == "optimal"]
    groups = [(None, optimal)] if by is None else list(optimal.groupby(by, sort=True))
    benchmark_label = "benchmark (formula)"
    for k, (value, group) in enumerate(groups):
        group = group.sort_values(x)
        label = "LP optimum" if by is None else f"LP optimum, {human_name(by)} = {value}"
        ax.plot(
            group[x],
            group["objective"],
            marker="o",
            color=f"C{k % 10}",
            linewidth=2.5,
            alpha=0.75,
            label=label,
        )
        if group["benchmark"].notna().any():
            ax.plot(
                group[x],
                group["benchmark"],
                linestyle="--",
                color="black",
                linewidth=1,
                zorder=3,
                label=benchmark_label,
            )
            benchmark_label = None  # one legend entry for every dashed line
    ax.set_xlabel(human_name(x))
    integer_ticks(ax.xaxis, optimal[x])
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if groups:
        ax.legend(fontsize="small")
    return figure
