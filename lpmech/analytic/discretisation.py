"""Finite types from continuous priors, to watch finite optima converge.

:func:`discretise` turns a :mod:`scipy.stats` distribution into a finite type
set: ``grid="quantile"`` puts n equally likely points at the quantiles
(k − ½)/n (any distribution, bounded or not); ``grid="uniform"`` puts n points at
the midpoints of equal-width cells of a bounded support, each carrying the cell's
probability. :func:`empirical` does the same for a sample.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from lpmech.arrays import FloatArray, float_array
from lpmech.errors import InvalidArgumentError


class FrozenDistribution(Protocol):
    """What :func:`discretise` reads of a frozen :mod:`scipy.stats` distribution."""

    def ppf(self, q: FloatArray, /) -> FloatArray:
        """Quantile function F⁻¹ at each probability."""

    def cdf(self, x: FloatArray, /) -> FloatArray:
        """Distribution function F at each point."""

    def support(self, /) -> tuple[float, float]:
        """Lower and upper end of the support (±inf when unbounded)."""


def discretise(
    distribution: FrozenDistribution, n_points: int, grid: str = "quantile"
) -> tuple[FloatArray, FloatArray]:
    """Types and probabilities approximating a continuous distribution.

    Parameters
    ----------
    distribution : frozen scipy.stats distribution
        E.g. ``scipy.stats.uniform()``, ``scipy.stats.expon(scale=2)``,
        ``scipy.stats.beta(2, 3)``, ``scipy.stats.truncnorm(-1, 1)``.
    n_points : int
    grid : {"quantile", "uniform"}

    Examples
    --------
    >>> from scipy import stats
    >>> values, prior = discretise(stats.uniform(), 4)
    >>> values.tolist(), prior.tolist()
    ([0.125, 0.375, 0.625, 0.875], [0.25, 0.25, 0.25, 0.25])
    """
    if isinstance(n_points, bool) or not isinstance(n_points, int | np.integer) or n_points < 1:
        raise InvalidArgumentError(
            f"discretise: n_points must be a whole number, at least 1, got {n_points!r}"
        )
    if not all(hasattr(distribution, method) for method in ("ppf", "cdf", "support")):
        raise InvalidArgumentError(
            f"discretise: distribution must be a frozen scipy.stats "
            f"distribution such as stats.uniform(), got {distribution!r}"
        )
    if grid == "quantile":
        values = distribution.ppf((np.arange(n_points) + 0.5) / n_points)
        return _distinct(values, np.full(n_points, 1.0 / n_points))
    if grid == "uniform":
        low, high = distribution.support()
        if not (np.isfinite(low) and np.isfinite(high)):
            raise InvalidArgumentError(
                f"discretise: grid='uniform' needs a bounded support, "
                f"got [{low}, {high}]; use grid='quantile'"
            )
        edges = np.linspace(low, high, n_points + 1)
        mass = np.diff(distribution.cdf(edges))
        keep = mass > 0
        return (edges[:-1] + edges[1:])[keep] / 2, mass[keep] / mass[keep].sum()
    raise InvalidArgumentError(f"discretise: grid must be 'quantile' or 'uniform', got {grid!r}")


def empirical(sample: ArrayLike, n_bins: int | None = None) -> tuple[FloatArray, FloatArray]:
    """Types and frequencies of a sample: its distinct values, or ``n_bins`` bin midpoints.

    Examples
    --------
    >>> empirical([3, 1, 3, 2])
    (array([1., 2., 3.]), array([0.25, 0.25, 0.5 ]))
    """
    data = float_array(sample, "empirical: sample").ravel()
    if data.size == 0 or not np.all(np.isfinite(data)):
        raise InvalidArgumentError(
            "empirical: sample must be non-empty and finite (no NaN or infinite entries)"
        )
    if n_bins is not None and (
        isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1
    ):
        raise InvalidArgumentError(
            f"empirical: n_bins must be None or a whole number, at least 1, got {n_bins!r}"
        )
    if n_bins is None:
        values, counts = np.unique(data, return_counts=True)
        return values, counts / counts.sum()
    counts, edges = np.histogram(data, bins=n_bins)
    keep = counts > 0
    return ((edges[:-1] + edges[1:]) / 2)[keep], counts[keep] / counts.sum()


def _distinct(values: FloatArray, prior: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Merge repeated points (e.g. an atom hit by several quantiles)."""
    unique, inverse = np.unique(values, return_inverse=True)
    # numpy's stub types bincount as intp whatever the weights; with float weights it is float
    merged: FloatArray = np.bincount(inverse, weights=prior)  # type: ignore[assignment]
    return unique, merged
