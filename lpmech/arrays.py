"""Array types used in annotations across lpmech, and the checked conversion to floats."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from lpmech.errors import InvalidArgumentError, InvalidEnvironmentError

#: An array of floats (values, probabilities, rules, violations).
FloatArray = NDArray[np.float64]
#: An array of indices (profiles, columns, rows, types).
IntArray = NDArray[np.intp]


def float_array(
    values: object,
    argument: str,
    error: type[InvalidArgumentError | InvalidEnvironmentError] = InvalidArgumentError,
) -> FloatArray:
    """``values`` as a float array; strings, None or ragged rows raise ``error`` naming them."""
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise error(f"{argument} must be an array of numbers, got {values!r}") from None
