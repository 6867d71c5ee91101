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

from lpmech.exact import Rational, exact, flint_module, rational_from

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
    denominators. An array of Rationals goes through flint's ``fmpq_mat.numer_denom`` (in
    C: half the time of reading each entry's numerator and denominator, measured)."""
    array = np.asarray(values, dtype=object)
    flat = array.ravel().tolist()
    numerators = np.empty(array.size, dtype=object)
    try:
        fmpqs = [v.value for v in flat] if flat else None
    except AttributeError:  # not all Rationals
        fmpqs = None
    if fmpqs is not None:
        matrix, common = flint_module().fmpq_mat(1, len(fmpqs), fmpqs).numer_denom()
        numerators[:] = [int(n) for n in matrix.entries()]
        return numerators.reshape(array.shape), int(common)
    pairs = [_numerator_denominator(v) for v in flat]
    denominator = math.lcm(*(q for _, q in pairs)) if pairs else 1
    numerators[:] = [p * (denominator // q) for p, q in pairs]
    return numerators.reshape(array.shape), denominator


def largest(numerators: ObjectArray) -> int:
    """max |n| of an integer array (0 when empty)."""
    return max((abs(n) for n in numerators.ravel().tolist()), default=0)


def integer_array(numerators: ObjectArray, bound: int) -> NDArray:
    """The integers as int64 when ``bound`` (on every value the computation reaches)
    fits, else as they are (Python ints)."""
    return numerators.astype(np.int64) if bound < INT64_LIMIT else numerators


def ratios(numerators: NDArray, denominator: int) -> ObjectArray:
    """Exact numbers n / d: the int 0 where n is 0, a :class:`Rational` elsewhere."""
    flat = np.ravel(numerators)
    result = np.zeros(flat.shape, dtype=object)
    nonzero = np.flatnonzero(flat != 0)
    made: dict[int, Rational] = {}  # Rationals are immutable: equal entries share one
    result[nonzero] = [made[n] if n in made else made.setdefault(n, rational_from(n, denominator))
                       for n in map(int, flat[nonzero].tolist())]
    return result.reshape(np.shape(numerators))


def exact_dot(left: ArrayLike, right: ArrayLike) -> Rational:
    """Σ left·right of two vectors of exact numbers, as one integer dot product."""
    left_n, left_d = scaled(left)
    right_n, right_d = scaled(right)
    return rational_from(int(np.dot(left_n, right_n)) if len(left_n) else 0, left_d * right_d)
