"""Exact numbers as integers over one denominator: bulk exact arithmetic in C.

An array x of rationals is n/d with n integer and d the least common multiple of its
denominators (:func:`scaled`). A polynomial in such arrays, with every term brought
to one positive scale, is then an integer array, exact, and its sign is the sign of
the rational it stands for: an inequality ``expression ≤ 0`` holds exactly iff the
scaled integer is ≤ 0. The integers live in ``int64`` when a bound on every
intermediate value fits (numpy's C loops and BLAS-free integer products), else as
Python ints in object arrays (exact at any size, at Python-int speed, still far
faster than rationals: no gcd per operation). :func:`integer_array` chooses;
:func:`ratios` turns the scaled result back into rationals where it is non-zero.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lpmech.numbers.rationals import Rational, exact, flint_module, rational_from

ObjectArray = NDArray[np.object_]

#: Largest magnitude an int64 computation may reach (a margin below 2⁶³).
INT64_LIMIT = 2**62


def _numerator_denominator(value: Any) -> tuple[int, int]:
    if type(value) is Rational:
        return int(value.value.p), int(value.value.q)
    if type(value) is int:
        return value, 1
    if type(value) is float and value.is_integer():
        return int(value), 1
    number = exact(value)
    return number.numerator, number.denominator


def scaled(values: ArrayLike) -> tuple[ObjectArray, int]:
    """(n, d) with values = n / d exactly: n Python ints (same shape), d > 0 the lcm of the
    denominators. The Rationals among the values go through flint's
    ``fmpq_mat.numer_denom`` (in C: half the time of reading each entry's numerator and
    denominator, measured), other numbers (ints, integral floats) one by one."""
    array = np.asarray(values, dtype=object)
    flat = array.ravel()
    is_rational = np.fromiter(
        (type(v) is Rational for v in flat.tolist()), dtype=bool, count=flat.size
    )
    numerators = np.empty(flat.size, dtype=object)
    common, rational_numerators = 1, []
    if is_rational.any():
        fmpqs = [v.value for v in flat[is_rational].tolist()]
        matrix, denominator = flint_module().fmpq_mat(1, len(fmpqs), fmpqs).numer_denom()
        common, rational_numerators = int(denominator), [int(n) for n in matrix.entries()]
    others = [_numerator_denominator(v) for v in flat[~is_rational].tolist()]
    denominator = math.lcm(common, *(q for _, q in others))
    factor = denominator // common
    numerators[is_rational] = (
        rational_numerators if factor == 1 else [n * factor for n in rational_numerators]
    )
    numerators[~is_rational] = [p * (denominator // q) for p, q in others]
    return numerators.reshape(array.shape), denominator


def largest(numerators: ObjectArray) -> int:
    """max |n| of an integer array (0 when empty); in int64 when the integers fit."""
    if numerators.size == 0:
        return 0
    try:
        small = numerators.astype(np.int64)
    except OverflowError:
        return max(abs(n) for n in numerators.ravel().tolist())
    return max(abs(int(small.max())), abs(int(small.min())))


def integer_array(numerators: ObjectArray, bound: int) -> NDArray[Any]:
    """The integers as int64 when ``bound`` (on every value the computation reaches,
    these integers included) fits, else as they are (Python ints)."""
    return numerators.astype(np.int64) if bound < INT64_LIMIT else numerators


def ratios(numerators: NDArray[Any], denominator: int) -> ObjectArray:
    """Exact numbers n / d: the int 0 where n is 0, a :class:`Rational` elsewhere."""
    flat = np.ravel(numerators)
    result = np.zeros(flat.shape, dtype=object)
    nonzero = np.flatnonzero(flat != 0)
    made: dict[int, Rational] = {}  # Rationals are immutable: equal entries share one
    result[nonzero] = [
        made[n] if n in made else made.setdefault(n, rational_from(n, denominator))
        for n in map(int, flat[nonzero].tolist())
    ]
    return result.reshape(np.shape(numerators))


def exact_dot(left: ArrayLike, right: ArrayLike) -> Rational:
    """Σ left·right of two vectors of exact numbers, as one integer dot product."""
    left_n, left_d = scaled(left)
    right_n, right_d = scaled(right)
    return rational_from(int(np.dot(left_n, right_n)) if len(left_n) else 0, left_d * right_d)
