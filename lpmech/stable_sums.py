"""Sums whose value does not depend on how many threads BLAS uses.

A float sum depends on the order of its terms. ``w @ x`` hands a long dot
product to BLAS, and OpenBLAS splits one over 10 000 terms among its threads
and adds the partial sums: the same expectation then differs in its last bits
between a process with two BLAS threads and one with a single thread (a sweep's
worker), so an optimum reported by one executor would not equal the same
optimum reported by another. The sums here go through numpy's own reduction
(``np.add.reduce``: pairwise summation in a fixed order, never threaded), so
every process on a machine gets the same bits, whatever its thread count.
Exact (object) arrays — fractions — are summed exactly as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike


def weighted_sum(weights: ArrayLike, values: ArrayLike) -> Any:
    """Σ_p w_p·v_p over the first axis of ``values`` (shape (P,) or (P, m)), in a fixed order.

    What ``weights @ values`` computes, e.g. an expectation E[X] = Σ_θ π(θ) X(θ)
    under the joint prior, but independent of the BLAS thread count.
    """
    weights, values = np.asarray(weights), np.asarray(values)
    return np.add.reduce(
        weights.reshape(weights.shape + (1,) * (values.ndim - 1)) * values, axis=0
    )


def matrix_vector(matrix: ArrayLike, vector: ArrayLike) -> Any:
    """Σ_c M_pc·v_c for each row p (``matrix @ vector``), without BLAS."""
    return np.einsum("pc,c->p", np.asarray(matrix), np.asarray(vector))
