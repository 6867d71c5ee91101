"""The common prior over type profiles: joint, marginal and conditional laws.

A prior is a probability table π(θ) over profiles. It is *independent* when
π(θ) = ∏_i π_i(θ_i); otherwise types are *correlated*. Bayesian incentive
compatibility and interim participation average over the others' types with the
conditional law

.. math:: π(θ_{-i} \\mid θ_i) = π(θ_i, θ_{-i}) / π_i(θ_i),

which equals the marginal of θ_{-i} when types are independent (seed notes §2.1,
Def. 2.1.3; Def. 2.2.2). Every type must have positive marginal probability, so
the conditional law is always defined.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Self

import numpy as np
from numpy.typing import ArrayLike

from lpmech.arrays import FloatArray, NumberArray, float_array
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.layout import agent_major

#: Largest accepted |Σ p − 1| for a probability vector or table.
PROBABILITY_TOLERANCE = 1e-9


def check_probabilities(values: ArrayLike, argument: str, shape: tuple[int, ...]) -> FloatArray:
    """Validate a probability array and return it renormalised to sum to one.

    An array that already sums to one up to rounding (size · machine epsilon) is
    returned unchanged, so normalising twice gives the same floats.

    Raises
    ------
    InvalidEnvironmentError
        If the shape is wrong, an entry is NaN, infinite or negative, or the
        entries do not sum to one within :data:`PROBABILITY_TOLERANCE`.
    """
    array = float_array(values, argument, InvalidEnvironmentError)
    if array.shape != shape:
        raise InvalidEnvironmentError(f"{argument} has shape {array.shape}, expected {shape}")
    if not np.all(np.isfinite(array)):
        raise InvalidEnvironmentError(f"{argument} contains NaN or infinite entries")
    if np.any(array < 0):
        worst = np.unravel_index(np.argmin(array), array.shape)
        raise InvalidEnvironmentError(
            f"{argument} has a negative entry {array[worst]:g} at index {worst}"
        )
    total = float(array.sum())
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        raise InvalidEnvironmentError(
            f"{argument} sums to {total:.12g}, expected 1 (tolerance {PROBABILITY_TOLERANCE:g})"
        )
    if abs(total - 1.0) <= array.size * np.finfo(float).eps:
        return array.copy()  # normalised up to rounding: idempotent, so files reload exactly
    return array / total


class Prior:
    """A joint probability table over type profiles.

    Parameters
    ----------
    table : array_like, shape (K_1, …, K_N)
        π(θ) for every profile; validated to be a probability table whose
        marginals are all positive.

    A product prior (:meth:`independent`) is kept factored: its table of ∏ K_i
    entries is built only when something reads :attr:`table` or :attr:`joint`, so
    a problem too large to solve can be described and refused cheaply.

    Examples
    --------
    >>> prior = Prior.independent([[0.5, 0.5], [0.25, 0.75]])
    >>> prior.is_independent
    True
    >>> prior.conditional(0)     # others' law given own type: the marginal
    array([[0.25, 0.75],
           [0.25, 0.75]])
    """

    def __init__(self, table: ArrayLike) -> None:
        array = np.asarray(table, dtype=float)
        checked = check_probabilities(array, "prior", array.shape)
        checked.setflags(write=False)
        self.__dict__["table"] = checked  # the cached value of the table property
        self.type_counts = checked.shape
        for i, marginal in enumerate(self.marginals):
            empty = np.flatnonzero(marginal <= 0)
            if empty.size:
                raise InvalidEnvironmentError(
                    f"prior: agent {i} type {int(empty[0])} has zero marginal probability; "
                    "every type needs positive probability (remove the type instead)"
                )

    @classmethod
    def independent(cls, marginals: Sequence[ArrayLike]) -> Prior:
        """The product prior π(θ) = ∏_i π_i(θ_i), kept factored until its table is read."""
        checked = []
        for i, marginal in enumerate(marginals):
            vector = np.asarray(marginal, dtype=float)
            vector = check_probabilities(vector, f"prior: marginal {i}", (vector.size,))
            if vector.ndim != 1 or np.any(vector <= 0):
                raise InvalidEnvironmentError(
                    f"prior: marginal {i} must be a vector of positive probabilities"
                )
            vector.setflags(write=False)
            checked.append(vector)
        prior = cls.__new__(cls)
        prior.type_counts = tuple(vector.size for vector in checked)
        prior.__dict__["marginals"] = tuple(checked)
        prior.__dict__["is_independent"] = True
        return prior

    @classmethod
    def restated(cls, prior: Prior, table: NumberArray) -> Self:
        """``prior`` with its table in another representation (e.g. exact rationals), as an
        instance of ``cls``: the table is taken as it is, its independence read from ``prior``."""
        twin = cls.__new__(cls)
        twin.__dict__["table"] = table  # the cached value of the table property
        twin.type_counts = prior.type_counts
        twin.__dict__["is_independent"] = prior.is_independent
        return twin

    @cached_property
    def table(self) -> FloatArray:
        """π(θ), shape (K_1, …, K_N) (built on first use for a factored prior)."""
        table = Prior._product(self.marginals)
        table.setflags(write=False)
        return table

    @property
    def joint(self) -> FloatArray:
        """π(θ) flattened in profile order, shape (P,)."""
        return self.table.ravel()

    @cached_property
    def marginals(self) -> tuple[FloatArray, ...]:
        """π_i(θ_i) for each agent."""
        axes = range(self.table.ndim)
        return tuple(self.table.sum(axis=tuple(a for a in axes if a != i)) for i in axes)

    @cached_property
    def is_independent(self) -> bool:
        """Whether the table equals the product of its marginals (to 1e-12)."""
        product = Prior._product(self.marginals)
        return bool(np.allclose(self.table, product, rtol=0.0, atol=1e-12))

    def conditional(self, agent: int) -> NumberArray:
        """π(θ_{-i} | θ_i), shape (K_i, R_i), columns in :meth:`Layout.by_agent` order
        (floats, or exact numbers on an exact twin)."""
        if "table" not in self.__dict__ and self.is_independent:  # factored: the others' law
            others = Prior._product([m for j, m in enumerate(self.marginals) if j != agent])
            return np.broadcast_to(others.ravel(), (self.type_counts[agent], others.size))
        return agent_major(self.table, agent) / self.marginals[agent][:, None]

    @staticmethod
    def _product(marginals: Sequence[FloatArray]) -> FloatArray:
        table = np.ones(())
        for marginal in marginals:
            table = np.multiply.outer(table, marginal)
        return table
