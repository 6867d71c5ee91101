"""A matplotlib figure that shows itself once in a notebook and is never left open.

lpmech's plots never touch pyplot: a figure made by pyplot stays registered
(matplotlib warns beyond 20) and a notebook's inline backend draws it again at
the end of the cell. :func:`new_figure` makes a plain :class:`matplotlib.figure.Figure`
that also renders itself as PNG (``_repr_png_``), so the last line of a cell,
``solution.plot()``, shows exactly one picture in a fresh Jupyter kernel, with no
magic command and whether pyplot was imported or not. Outside a notebook, save it
with ``figure.savefig(path)``.
"""

from __future__ import annotations

import functools
import io
from typing import TYPE_CHECKING, Any

import numpy as np

from lpmech.extras import require

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure as MatplotlibFigure


@functools.cache
def figure_class() -> type[MatplotlibFigure]:
    """The self-displaying figure class, made on first use (matplotlib is optional)."""
    from matplotlib.figure import Figure as MatplotlibFigure

    class Figure(MatplotlibFigure):
        """A matplotlib figure with a PNG view for notebooks (see the module docstring)."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100)
            return buffer.getvalue()

    Figure.__module__ = __name__
    return Figure


def new_figure(
    n_rows: int = 1, n_columns: int = 1, *, figsize: tuple[float, float]
) -> tuple[MatplotlibFigure, list[Axes]]:
    """A new self-displaying figure with an ``n_rows`` × ``n_columns`` grid of axes.

    Returns the figure and its axes in row-major order.
    """
    require("matplotlib", "plot", "lpmech's plots")  # each time: the class is cached
    figure = figure_class()(figsize=figsize, layout="constrained")
    axes: Any = figure.subplots(n_rows, n_columns, squeeze=False)
    return figure, list(axes.ravel())


def integer_ticks(axis: Any, values: Any) -> None:
    """Integer tick marks on ``axis`` when every value drawn on it is an integer."""
    from matplotlib.ticker import MaxNLocator

    numbers = np.asarray(values, dtype=float)
    if numbers.size and np.all(numbers == np.round(numbers)):
        axis.set_major_locator(MaxNLocator(integer=True))
