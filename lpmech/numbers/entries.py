"""Exact numbers into sparse rows: summing coordinate entries and reading bounds exactly.

What :class:`~lpmech.constraints.base.ExactRowBlock` is built from when a family's
rows are assembled on an exact twin (:mod:`lpmech.exact.twin`): the same coordinate
arrays as on floats, their values :class:`~lpmech.numbers.rationals.Rational`. Duplicate
coordinates are summed as integers over one common denominator
(:mod:`lpmech.numbers.integers`) unless it is too long to be worth it; the float image
of each entry is its correctly rounded value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lpmech.numbers.integers import ratios, scaled
from lpmech.numbers.rationals import Rational, rational_array, to_float

ObjectArray = NDArray[np.object_]

#: Longest common denominator (in bits) with which entries are summed as integers.
MAX_DENOMINATOR_BITS = 4096


def exact_bounds(values: ArrayLike, size: int) -> ObjectArray:
    """Bounds (or other input numbers) as Rationals, infinite ones kept as float ±inf (each
    distinct input number read once, and equal entries share one Rational: they are
    immutable)."""
    array = np.asarray(values)
    if array.ndim == 0:
        return np.full(size, _exact_bound(array.item()), dtype=object)
    array = np.broadcast_to(array, (size,))
    bounds = np.empty(size, dtype=object)
    if array.dtype != object:  # floats or ints: read the distinct values
        distinct, where = np.unique(array, return_inverse=True)
        read = np.empty(len(distinct), dtype=object)
        read[:] = [_exact_bound(v) for v in distinct.tolist()]
        bounds[:] = read[where]
        return bounds
    cache: dict[Any, Any] = {}
    bounds[:] = [
        v if type(v) is Rational else cache.get(v) or cache.setdefault(v, _exact_bound(v))
        for v in array.tolist()
    ]
    return bounds


def _exact_bound(value: Any) -> Any:
    if isinstance(value, Rational) or (isinstance(value, float) and np.isinf(value)):
        return value
    return Rational(value)


def summed_entries(
    rows: NDArray[np.intp], columns: NDArray[np.intp], values: ArrayLike, shape: tuple[int, int]
) -> tuple[NDArray[np.intp], NDArray[np.intp], ObjectArray, NDArray[np.float64]]:
    """CSR ``(indptr, indices, exact data, float data)`` of coordinates with exact values.

    Duplicates are summed exactly and exact zeros dropped; ``float data`` holds the
    correctly rounded image of each exact entry.
    """
    n_rows, n_columns = shape
    key = np.asarray(rows).astype(np.int64) * n_columns + np.asarray(columns).astype(np.int64)
    order = np.argsort(key, kind="stable")
    key = key[order]
    numerators, denominator = scaled(np.asarray(values, dtype=object)[order])
    long = denominator.bit_length() > MAX_DENOMINATOR_BITS
    if long:  # sum as Rationals instead
        numerators = rational_array(np.asarray(values, dtype=object)[order])
    if len(key):
        starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        sums = np.add.reduceat(numerators, starts)
        keep = np.flatnonzero([bool(v) for v in sums])
        key, sums = key[starts][keep], sums[keep]
    else:
        sums = np.zeros(0, dtype=object)
    data = sums if long else ratios(sums, denominator)
    floats = (
        to_float(data) if long else np.array([n / denominator for n in sums.tolist()], dtype=float)
    )  # correctly rounded
    row, column = np.divmod(key, n_columns)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n_rows))]).astype(np.intp)
    return indptr, column.astype(np.intp), data, floats
