"""Discrete virtual values, virtual costs, and ironing.

For a buyer with types v_1 < … < v_K, probabilities f_k and upper tails
q_k = P(θ ≥ v_k), posting price v_k earns R(q_k) = v_k q_k. The *discrete
virtual value* is the slope of this revenue curve between consecutive quantiles
(seed notes §1.4; slides, "virtual valuation"):

.. math:: φ(v_k) = \\frac{R(q_k) − R(q_{k+1})}{f_k}
               = v_k − (v_{k+1} − v_k)\\,\\frac{1 − F(v_k)}{f(v_k)},
          \\qquad φ(v_K) = v_K.

Every function here takes floats, or fractions (:class:`fractions.Fraction` in object arrays),
and then computes in exact arithmetic: the same formulas give the exact benchmarks
of :mod:`lpmech.analytic.exact_values`.

Expected payments of an IC, IR mechanism whose lowest type gets its outside
option are E[φ(θ) q(θ)] (threshold payments: the highest end of the envelope
interval). When φ is not monotone, *ironing* replaces R by its concave hull R̄
and φ by the slopes φ̄ of R̄ (Myerson 1981, §6).

For a seller with costs s_1 < … < s_K the mirror image holds: the least expected
receipts of an IC seller whose highest cost type gets its outside option are
E[γ(s) Q(s)] with the *virtual cost*

.. math:: γ(s_k) = s_k + (s_k − s_{k−1})\\,\\frac{F(s_{k−1})}{f(s_k)}, \\qquad γ(s_1) = s_1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from lpmech.arrays import FloatArray, NumberArray
from lpmech.errors import InvalidArgumentError


def _numbers(values: ArrayLike, argument: str) -> NumberArray:
    """Floats, or exact numbers (an object array) kept exact; refused naming ``argument``."""
    try:
        array = np.asarray(values)
        floats = array.astype(float) if array.dtype.kind in "biufO" else None
    except (TypeError, ValueError):  # ragged rows, or objects that are not numbers
        floats = None
    if floats is None:
        raise InvalidArgumentError(f"{argument} must be a vector of numbers, got {values!r}")
    if not np.all(np.isfinite(floats)):
        raise InvalidArgumentError(f"{argument} contains NaN or infinite entries")
    return array if array.dtype == object else floats


def _sorted(values: ArrayLike, prior: ArrayLike) -> tuple[NumberArray, NumberArray]:
    values, prior = _numbers(values, "values"), _numbers(prior, "prior")
    if values.shape != prior.shape or values.ndim != 1:
        raise InvalidArgumentError(
            f"values and prior must be vectors of one length, got "
            f"shapes {values.shape} and {prior.shape}"
        )
    if np.any(np.diff(values) <= 0):
        raise InvalidArgumentError(f"values must be strictly increasing, got {values.tolist()}")
    if np.any(prior <= 0):
        raise InvalidArgumentError(f"prior must be positive, got {prior.tolist()}")
    return values, prior


def virtual_values(values: ArrayLike, prior: ArrayLike) -> FloatArray:
    """φ(v_k) = v_k − (v_{k+1} − v_k)(1 − F(v_k))/f(v_k) for increasing ``values``.

    Examples
    --------
    >>> virtual_values([1, 2, 3, 4], [0.25] * 4).tolist()
    [-2.0, 0.0, 2.0, 4.0]
    """
    values, prior = _sorted(values, prior)
    upper_tail = np.maximum(1 - np.cumsum(prior), 0)  # integer constants keep Fractions exact
    gaps = np.append(np.diff(values), 0)
    return values - gaps * upper_tail / prior


def virtual_costs(values: ArrayLike, prior: ArrayLike) -> FloatArray:
    """γ(s_k) = s_k + (s_k − s_{k−1}) F(s_{k−1})/f(s_k) for increasing ``values`` (costs).

    Examples
    --------
    >>> virtual_costs([0, 1, 2], [1/3] * 3).tolist()
    [0.0, 2.0, 4.0]
    """
    values, prior = _sorted(values, prior)
    lower_tail = np.cumsum(prior) - prior
    gaps = np.insert(np.diff(values), 0, 0)
    return values + gaps * lower_tail / prior


def ironed_virtual_costs(values: ArrayLike, prior: ArrayLike) -> FloatArray:
    """γ̄: the ironed virtual costs of increasing costs (non-decreasing).

    A seller with cost s is a bidder with value −s, and its virtual value is minus its
    virtual cost, φ(−s_k) = −γ(s_k); so γ̄ is −φ̄ of the mirrored grid, and equals
    :func:`virtual_costs` where those are already non-decreasing.

    Examples
    --------
    >>> virtual_costs([1, 2, 3], [0.45, 0.1, 0.45]).round(6).tolist()   # not monotone
    [1.0, 6.5, 4.222222]
    >>> ironed_virtual_costs([1, 2, 3], [0.45, 0.1, 0.45]).round(6).tolist()
    [1.0, 4.636364, 4.636364]
    """
    values, prior = _sorted(values, prior)
    return -ironed_virtual_values(-values[::-1], prior[::-1])[::-1]


def revenue_curve(values: ArrayLike, prior: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Quantiles and posted-price revenues, from q = 0 (no sale) to q = 1 (price v_1).

    Returns
    -------
    quantiles : ndarray, shape (K + 1,)
        0 = q_{K+1} < q_K < … < q_1 = 1.
    revenues : ndarray, shape (K + 1,)
        R(q) = v_k q_k at each, R(0) = 0.
    """
    values, prior = _sorted(values, prior)
    upper_tail = np.cumsum(prior[::-1])[::-1]  # q_k = P(θ ≥ v_k), decreasing in k
    quantiles = np.concatenate([[0], upper_tail[::-1]])
    revenues = np.concatenate([[0], (values * upper_tail)[::-1]])
    return quantiles, revenues


def ironed_virtual_values(values: ArrayLike, prior: ArrayLike) -> FloatArray:
    """φ̄: slopes of the concave hull of the revenue curve, one per type (non-decreasing).

    Equal to :func:`virtual_values` where those are already non-decreasing.

    Examples
    --------
    >>> virtual_values([1, 2, 3], [0.45, 0.1, 0.45]).round(6).tolist()   # not monotone
    [-0.222222, -2.5, 3.0]
    >>> ironed_virtual_values([1, 2, 3], [0.45, 0.1, 0.45]).round(6).tolist()
    [-0.636364, -0.636364, 3.0]
    """
    values, prior = _sorted(values, prior)
    quantiles, revenues = revenue_curve(values, prior)
    hull = np.array(_upper_hull(quantiles, revenues))
    segment_slopes = np.diff(revenues[hull]) / np.diff(quantiles[hull])
    # interval j (quantiles j to j + 1) lies on the hull segment that starts at or before j;
    # every pooled type takes that segment's slope, bit for bit, so ties stay ties
    segment = np.searchsorted(hull, np.arange(len(quantiles) - 1), side="right") - 1
    # interval j belongs to type K − j (quantiles increase as types decrease)
    return segment_slopes[segment][::-1]


def _upper_hull(x: FloatArray, y: FloatArray) -> list[int]:
    """Indices of the upper concave hull of points sorted by x (monotone chain)."""
    hull: list[int] = []
    for index in range(len(x)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            cross = (x[b] - x[a]) * (y[index] - y[a]) - (y[b] - y[a]) * (x[index] - x[a])
            if cross >= 0:  # b lies on or below the chord a → index
                hull.pop()
            else:
                break
        hull.append(index)
    return hull
