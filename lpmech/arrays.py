"""Array types used in annotations across lpmech, defined once."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

#: An array of floats (values, probabilities, rules, violations).
FloatArray = NDArray[np.float64]
#: An array of indices (profiles, columns, rows, types).
IntArray = NDArray[np.intp]
