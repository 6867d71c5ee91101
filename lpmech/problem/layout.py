"""Type profiles and the columns of the design program's decision vector.

This module is the one place where axis order is defined.

*Profiles.* Agent i has K_i types, indexed 0..K_i-1. A type profile is a tuple
θ = (θ_1, …, θ_N) of type indices; profiles are numbered 0..P-1 in row-major
(C) order of ``type_counts``, P = ∏ K_i.

*Agent-major view.* For agent i, :meth:`Layout.by_agent` arranges the profiles as a
K_i × R_i table (R_i = P / K_i): row k holds every profile in which agent i has
type k, and column j fixes the others' types θ_{-i}. Reporting r instead of k
while the others keep θ_{-i} moves from entry (k, j) to entry (r, j): every
incentive constraint is built from this index arithmetic, without loops over
profiles. Any per-profile array is put in the same view by :func:`agent_major`.

*Columns.* The decision vector is z = [vec a; vec t] with allocation a(θ) ∈ R^C
and payments t(θ) ∈ R^N stored row-major:

    column of a_c(θ^p) = p·C + c,        column of t_i(θ^p) = P·C + p·N + i.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lpmech.arrays import IntArray

_ScalarT = TypeVar("_ScalarT", bound=np.generic)  # agent_major keeps the scalar type


def agent_major(table: NDArray[_ScalarT], agent: int, trailing: int = 0) -> NDArray[_ScalarT]:
    """Reshape an array over profiles to (K_i, R_i, …) with agent i's type first.

    Parameters
    ----------
    table : ndarray, shape (K_1, …, K_N, *rest)
        A quantity per type profile, with ``trailing`` extra axes ``rest``.
    agent : int
        The agent whose type indexes the first axis of the result.
    trailing : int
        Number of axes after the profile axes, kept as they are.
    """
    moved = np.moveaxis(table, agent, 0)
    rest = table.shape[table.ndim - trailing :] if trailing else ()
    return moved.reshape(moved.shape[0], -1, *rest)


class Layout:
    """Profile enumeration and column index arithmetic of a design program.

    Parameters
    ----------
    type_counts : sequence of int
        K_i for each agent.
    n_components : int
        Length C of the allocation vector at one profile.

    Examples
    --------
    >>> layout = Layout((2, 3), n_components=2)
    >>> layout.n_profiles, layout.n_columns
    (6, 24)
    >>> layout.by_agent(1)      # row k: profiles where agent 1 has type k
    array([[0, 3],
           [1, 4],
           [2, 5]])
    """

    def __init__(self, type_counts: Sequence[int], n_components: int) -> None:
        self.type_counts = tuple(int(k) for k in type_counts)
        self.n_agents = len(self.type_counts)
        self.n_profiles = int(np.prod(self.type_counts, dtype=np.int64))
        self.n_components = int(n_components)
        self.n_allocation_columns = self.n_profiles * self.n_components
        self.n_payment_columns = self.n_profiles * self.n_agents
        self.n_columns = self.n_allocation_columns + self.n_payment_columns

    @cached_property
    def profile_types(self) -> IntArray:
        """Type index of every agent at every profile, shape (P, N)."""
        grids = np.unravel_index(np.arange(self.n_profiles), self.type_counts)
        return np.stack(grids, axis=1)

    @cached_property
    def _by_agent(self) -> tuple[IntArray, ...]:
        profiles = np.arange(self.n_profiles).reshape(self.type_counts)
        return tuple(np.ascontiguousarray(agent_major(profiles, i)) for i in range(self.n_agents))

    def by_agent(self, agent: int) -> IntArray:
        """Profiles arranged (own type k, others' profile j), shape (K_i, R_i)."""
        return self._by_agent[agent]

    def profile_index(self, type_indices: ArrayLike) -> IntArray:
        """Profile number(s) of type-index tuple(s) (last axis runs over agents)."""
        type_indices = np.asarray(type_indices)
        return np.ravel_multi_index(tuple(np.moveaxis(type_indices, -1, 0)), self.type_counts)

    def allocation_columns(self, profiles: ArrayLike) -> IntArray:
        """Columns of a(θ^p), shape (*profiles.shape, C)."""
        profiles = np.asarray(profiles)[..., None]
        return profiles * self.n_components + np.arange(self.n_components)

    def payment_columns(self, profiles: ArrayLike, agent: int | IntArray) -> IntArray:
        """Columns of t_i(θ^p), ``profiles`` broadcast against ``agent`` (one or many)."""
        return self.n_allocation_columns + np.asarray(profiles) * self.n_agents + np.asarray(agent)

    def split(self, z: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Split a decision vector into allocation (P, C) and payments (P, N)."""
        z = np.asarray(z, dtype=float)
        allocation = z[: self.n_allocation_columns].reshape(self.n_profiles, self.n_components)
        payments = z[self.n_allocation_columns :].reshape(self.n_profiles, self.n_agents)
        return allocation, payments

    def join(self, allocation: ArrayLike, payments: ArrayLike) -> NDArray[np.float64]:
        """Inverse of :meth:`split`."""
        return np.concatenate([np.ravel(allocation), np.ravel(payments)]).astype(float)
