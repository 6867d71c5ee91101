"""Which allocations a mechanism may choose.

* :class:`Feasibility` — at every profile the allocation lies in the environment's
  :class:`~lpmech.allocation.AllocationSpace`: ℓ ≤ a(θ) ≤ u and
  r_ℓ ≤ M a(θ) ≤ r_u. :func:`lpmech.solve` always imposes it.
* :class:`FixedAllocation` — the allocation rule is given (for instance the
  efficient rule x*), so only payments are designed. This is how the VCG and AGV
  transfers appear as optima (seed notes Def. 2.4–2.7).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from lpmech.constraints.base import ConstraintFamily, FloatArray, RowBlock, VariableBounds
from lpmech.environment import profile_table

if TYPE_CHECKING:
    from lpmech.environment import Environment
    from lpmech.mechanism import Mechanism


class Feasibility(ConstraintFamily):
    """a(θ) is in the allocation space at every profile: P·m rows and P·C column bounds."""

    name = "feasibility"
    symmetric = True

    def rows(self, env: Environment) -> RowBlock:
        space, layout = env.allocation, env.layout
        matrix = space.matrix.tocoo()
        n_rows = matrix.shape[0]
        profiles = np.arange(env.n_profiles)[:, None]
        return RowBlock.from_entries(
            profiles * n_rows + matrix.row,
            profiles * env.n_components + matrix.col,
            np.broadcast_to(matrix.data, (env.n_profiles, matrix.nnz)),
            shape=(env.n_profiles * n_rows, layout.n_columns),
            lower=np.tile(space.row_lower, env.n_profiles),
            upper=np.tile(space.row_upper, env.n_profiles),
        )

    def bounds(self, env: Environment) -> VariableBounds:
        space = env.allocation
        return VariableBounds(
            np.arange(env.layout.n_allocation_columns),
            np.tile(space.lower, env.n_profiles),
            np.tile(space.upper, env.n_profiles),
        )

    def violation(self, mechanism: Mechanism) -> FloatArray:
        space, allocation = mechanism.env.allocation, mechanism.flat_allocation
        level = allocation @ space.matrix.T.toarray()  # (P, m): M a(θ) at each profile
        row_gap = np.maximum(np.maximum(space.row_lower - level, level - space.row_upper), 0.0)
        bound_gap = np.maximum(np.maximum(space.lower - allocation, allocation - space.upper), 0.0)
        return np.concatenate([row_gap.ravel(), bound_gap.ravel()])

    def describe(self, env: Environment, index: int) -> str:
        space = env.allocation
        n_row_entries = env.n_profiles * space.matrix.shape[0]
        if index < n_row_entries:
            profile, row = divmod(index, space.matrix.shape[0])
            return f"feasibility row {row} at profile {env.describe_profile(profile)}"
        profile, component = divmod(index - n_row_entries, env.n_components)
        return (f"bounds of {space.component_names[component]!r} at profile "
                f"{env.describe_profile(profile)}")


class FixedAllocation(ConstraintFamily):
    """The allocation rule is fixed: a(θ) = x(θ) at every profile (column bounds).

    Parameters
    ----------
    allocation : array_like or callable
        x(θ) with shape (P, C) or (K_1, …, K_N, C), or a function of the
        environment returning it.
    name : str
        Name of the family in reports.
    """

    #: Its rows are empty; a symmetric reduction checks its bounds are anonymous.
    symmetric = True

    def __init__(
        self,
        allocation: ArrayLike | Callable[[Environment], ArrayLike],
        name: str = "fixed_allocation",
    ) -> None:
        self._allocation = allocation
        self.name = name

    @classmethod
    def efficient(cls, include_principal: bool = True) -> FixedAllocation:
        """Fix the efficient rule x*(θ) ∈ argmax Σ_i v_i(a, θ) (+ v_0·a), seed notes §2.5."""
        return cls(lambda env: env.efficient_allocation(include_principal),
                   name="efficient_allocation")

    def target(self, env: Environment) -> FloatArray:
        """The fixed allocation in profile order, shape (P, C)."""
        raw = self._allocation(env) if callable(self._allocation) else self._allocation
        return profile_table(env, raw, env.n_components, f"{self.name}: allocation")

    def rows(self, env: Environment) -> RowBlock:
        return RowBlock.empty(env.layout.n_columns)

    def bounds(self, env: Environment) -> VariableBounds:
        target = self.target(env).ravel()
        return VariableBounds(np.arange(env.layout.n_allocation_columns), target, target)

    def violation(self, mechanism: Mechanism) -> FloatArray:
        return np.abs(mechanism.flat_allocation - self.target(mechanism.env)).ravel()

    def describe(self, env: Environment, index: int) -> str:
        profile, component = divmod(index, env.n_components)
        return (f"{env.allocation.component_names[component]!r} at profile "
                f"{env.describe_profile(profile)}")

    def __repr__(self) -> str:
        return f"FixedAllocation(name={self.name!r})"
