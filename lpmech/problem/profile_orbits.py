"""Profiles up to relabelling identical agents: multisets of types, ranked.

With N identical agents of K types, a profile up to relabelling is a multiset of N
types: C(K + N − 1, N) of them against K^N profiles. :class:`ProfileOrbits` numbers
them without building any per-profile array, and :func:`orbit_obstacle` says
whether an environment's agents are identical in the sense the orbit program of
:mod:`lpmech.solving.orbit_program` needs.
"""

from __future__ import annotations

import math
from functools import cached_property
from itertools import combinations_with_replacement

import numpy as np

from lpmech.arrays import FloatArray, IntArray
from lpmech.problem.allocation import Items
from lpmech.problem.environment import Environment


class ProfileOrbits:
    """Multisets of ``size`` types out of ``n_types``, ranked in colexicographic order.

    A multiset c_0 ≤ … ≤ c_{n−1} is the combination d_j = c_j + j of n out of
    K + n − 1, whose colex rank Σ_j C(d_j, j + 1) numbers the multisets 0, 1, …,
    C(K + n − 1, n) − 1 (the combinatorial number system).
    """

    def __init__(self, n_types: int, size: int) -> None:
        self.n_types, self.size = n_types, size
        top = n_types + size
        self._binomial = np.array(
            [[math.comb(a, b) for b in range(size + 1)] for a in range(top + 1)], dtype=np.int64
        )
        self.count = math.comb(n_types + size - 1, size)

    @cached_property
    def members(self) -> IntArray:
        """The sorted types of each multiset, shape (count, size), row = rank."""
        members = np.array(
            list(combinations_with_replacement(range(self.n_types), self.size)), dtype=np.intp
        ).reshape(self.count, self.size)
        ordered = np.empty_like(members)
        ordered[self.rank(members)] = members
        return ordered

    def rank(self, sorted_types: IntArray) -> IntArray:
        """Rank of each row of sorted (non-decreasing) types, shape (…, size) → (…)."""
        sorted_types = np.asarray(sorted_types, dtype=np.intp)
        if self.size == 0:
            return np.zeros(sorted_types.shape[:-1], dtype=np.intp)
        shifted = sorted_types + np.arange(self.size)
        return self._binomial[shifted, np.arange(1, self.size + 1)].sum(axis=-1)

    def probabilities(self, marginal: FloatArray) -> FloatArray:
        """Pr(the multiset) for ``size`` i.i.d. draws from ``marginal`` (multinomial)."""
        members = self.members
        multiplicity = np.zeros((self.count, self.n_types), dtype=np.intp)
        np.add.at(multiplicity, (np.arange(self.count)[:, None], members), 1)
        factorial = np.array([math.factorial(n) for n in range(self.size + 1)], dtype=float)
        arrangements = factorial[self.size] / np.prod(factorial[multiplicity], axis=1)
        return arrangements * np.prod(marginal[members], axis=1)

    def without(self, members: IntArray, position: int) -> IntArray:
        """Rank, among multisets one smaller, of each row with one position removed."""
        return ProfileOrbits(self.n_types, self.size - 1).rank(
            np.delete(members, position, axis=1)
        )


def orbit_obstacle(env: Environment) -> str | None:
    """Why ``env`` has no orbit program, or None.

    Needs at least two agents with the same types and the same independent prior,
    private values on items (an :class:`~lpmech.problem.allocation.Items` space)
    with no value for others' components, values and the principal's values and
    outside options equal across agents — checked on per-agent data only.
    """
    if env.n_agents < 2:
        return "there is only one agent"
    if not isinstance(env.allocation, Items):
        return "the allocation space is not items assigned to agents"
    first, j = env.agents[0], env.allocation.n_items
    if any(not np.array_equal(a.types, first.types) for a in env.agents[1:]):
        return "agents have different types"
    if not env.prior.is_independent:
        return "types are correlated (orbit probabilities need independent types)"
    marginals = env.prior.marginals
    if any(not np.allclose(m, marginals[0], rtol=0, atol=1e-15) for m in marginals[1:]):
        return "agents' priors differ"
    if any(env.interdependent):
        return "values are interdependent"
    for i in range(env.n_agents):
        own = env.valuations[i][:, i * j : (i + 1) * j]
        rest = np.delete(env.valuations[i], np.s_[i * j : (i + 1) * j], axis=1)
        if np.any(rest != 0):
            return f"agent {env.agents[i].name!r} values other agents' items"
        if not np.array_equal(own, env.valuations[0][:, :j]):
            return "agents value their items differently"
        if not np.array_equal(env.outside_options[i], env.outside_options[0]):
            return "outside options differ across agents"
        if not np.array_equal(env.principal_value[i * j : (i + 1) * j], env.principal_value[:j]):
            return "the principal values agents' components differently"
    return None
