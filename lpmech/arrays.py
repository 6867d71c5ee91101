"""Array types used in annotations across lpmech, and the checked conversion to floats."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set
from typing import Any

import numpy as np
from numpy.typing import NDArray

from lpmech.errors import InvalidArgumentError, InvalidEnvironmentError

#: An array of floats (values, probabilities, rules, violations).
FloatArray = NDArray[np.float64]
#: An array of indices (profiles, columns, rows, types).
IntArray = NDArray[np.intp]
#: An array of floats, or of exact numbers (Fractions or
#: :class:`~lpmech.numbers.rationals.Rational`) on an exact twin, which computes with the same
#: code: numpy's stubs type no arithmetic over a union of dtypes, so the scalar is left open.
NumberArray = NDArray[Any]


def float_array(
    values: object,
    argument: str,
    error: type[InvalidArgumentError | InvalidEnvironmentError] = InvalidArgumentError,
) -> FloatArray:
    """``values`` as a float array, or ``error`` naming ``argument``.

    Refused: text (even ``"1"``, which numpy would read as a number), booleans, None,
    a generator or other one-pass iterator (which a check would consume), a set or a
    mapping, ragged rows, and whole numbers too large for a float (such as 10**400).
    """
    if values is None or isinstance(values, str | bytes | Iterator | Set | Mapping):
        raise error(f"{argument} must be an array of numbers, got {values!r:.80}")
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError):
        raise error(f"{argument} must be an array of numbers, got {values!r:.80}") from None
    if raw.dtype.kind in "bUSV" or (
        raw.dtype == object
        and any(isinstance(v, str | bytes | bool | np.bool_ | None) for v in raw.flat)
    ):
        raise error(f"{argument} must be an array of numbers, got {values!r:.80}")
    try:
        return np.asarray(raw, dtype=float)
    except OverflowError:
        raise error(
            f"{argument} holds a number too large for a float, got {values!r:.80}"
        ) from None
    except (TypeError, ValueError):
        raise error(f"{argument} must be an array of numbers, got {values!r:.80}") from None
