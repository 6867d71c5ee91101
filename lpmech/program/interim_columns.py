r"""The columns of an interim program: interim rules instead of ex-post ones.

With independent types and private values, agent i of type k who reports r
expects V_i(k)·Q_i(r) − M_i(r), where Q_i(r) = E[a(r, θ_{-i})] and
M_i(r) = E[t_i(r, θ_{-i})] are the *interim rules* (slides: q_i, m_i). A program on
interim columns has the column blocks

    [a (ex-post allocation, only when linked) | Q_1 … Q_N | M_1 … M_N],

with Q_i(k) a vector over the C components (linked to a by averaging), or — for
items under Border's inequalities — bidder i's own winning probabilities
q_{ij}(k) of each item j alone (width = number of items, no ex-post columns).
:class:`InterimColumns` is the index arithmetic of that vector, as
:class:`~lpmech.problem.layout.Layout` is for z = [vec a; vec t]; a constraint family
states its interim form over it
(:meth:`lpmech.constraints.ConstraintFamily.interim_rows`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from lpmech.arrays import FloatArray, IntArray
from lpmech.constraints.base import Entries, RowBlock, broadcast_entries
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.allocation import Items

if TYPE_CHECKING:
    from lpmech.problem.environment import Environment

ArrayLikeInt = IntArray | list[int] | int


@dataclass(frozen=True)
class InterimColumns:
    """Columns of an interim program: [a (linking only) | Q | M].

    ``width`` is C (Q_i(k) is a vector over components) with linking, the number
    of items with Border (q_{ij}(k) is bidder i's own probability of winning item
    j); ``own[i]`` are the allocation components agent i's Q columns stand for (all
    C with linking, the components "item j to agent i" with Border), and
    ``values[i]`` the matching (K_i, width) table of agent i's values.
    """

    n_allocation: int
    width: int
    q_start: IntArray  # first Q column of each agent
    m_start: IntArray  # first M column of each agent
    n_columns: int
    values: tuple[FloatArray, ...]
    own: tuple[IntArray, ...]

    @classmethod
    def of(cls, env: Environment, border: bool, symmetric: bool = False) -> InterimColumns:
        """The interim columns of ``env``: linked to a(θ), or Border's q alone (``env``'s
        allocation then consists of :class:`~lpmech.problem.allocation.Items`).

        ``symmetric`` (identical agents, Border's columns): one interim rule (q, M)
        shared by every agent — agent i's columns are agent 0's, so a family's rows
        for each agent land on the same columns (see
        :mod:`lpmech.formulations.interim`, symmetric interim rules).
        """
        counts = np.array(env.type_counts)
        if symmetric:
            counts = counts[:1]
        if border:
            space = env.allocation
            if not isinstance(space, Items):
                raise InvalidEnvironmentError(
                    f"InterimColumns: Border's interim columns need Items, got {space!r}"
                )
            width, n_allocation = space.n_items, 0
            own = tuple(
                np.array([space.component(i, j) for j in range(space.n_items)], dtype=np.intp)
                for i in range(env.n_agents)
            )
        else:
            width, n_allocation = env.n_components, env.layout.n_allocation_columns
            own = (np.arange(env.n_components),) * env.n_agents
        values = tuple(env.valuations[i][:, own[i]] for i in range(env.n_agents))
        q_start = n_allocation + width * np.concatenate([[0], np.cumsum(counts)[:-1]])
        m_base = n_allocation + width * int(counts.sum())
        m_start = m_base + np.concatenate([[0], np.cumsum(counts)[:-1]])
        if symmetric:
            q_start, m_start = (np.repeat(start, env.n_agents) for start in (q_start, m_start))
        return cls(n_allocation, width, q_start, m_start, m_base + int(counts.sum()), values, own)

    @property
    def border(self) -> bool:
        """Whether the columns are Border's: own winning probabilities, no ex-post a."""
        return self.n_allocation == 0

    @property
    def symmetric(self) -> bool:
        """Whether every agent shares one interim rule (the same Q and M columns)."""
        return len(self.m_start) > 1 and bool(np.all(self.m_start == self.m_start[0]))

    def q(self, agent: int, types: ArrayLikeInt) -> IntArray:
        """Q columns of the given types of an agent, shape (*types.shape, width)."""
        types = np.asarray(types)[..., None]
        return self.q_start[agent] + types * self.width + np.arange(self.width)

    def m(self, agent: int, types: ArrayLikeInt) -> IntArray:
        """M column of the given types of an agent."""
        return self.m_start[agent] + np.asarray(types)

    def utility_entries(
        self, agent: int, true_types: IntArray, reports: IntArray, rows: IntArray, sign: float
    ) -> list[Entries]:
        """Entries of sign · (V_i(k)·Q_i(r) − M_i(r)) into ``rows``, pair by pair."""
        values = self.values[agent][true_types]  # (Q, W)
        return [
            broadcast_entries(rows[:, None], self.q(agent, reports), sign * values),
            broadcast_entries(rows, self.m(agent, reports), -sign),
        ]

    def principal_value_entries(self, env: Environment, row: int = 0) -> Entries:
        """Entries of E[v_0·a] in ``row``, through a (linking) or through q (Border)."""
        if not self.border:
            weights = np.outer(env.prior.joint, env.principal_value).ravel()
            return broadcast_entries(row, np.arange(self.n_allocation), weights)
        columns, values = [], []
        for i in range(env.n_agents):
            types = np.arange(env.type_counts[i])
            columns.append(self.q(i, types).ravel())
            values.append(
                np.outer(env.prior.marginals[i], env.principal_value[self.own[i]]).ravel()
            )
        return broadcast_entries(row, np.concatenate(columns), np.concatenate(values))

    def block(
        self,
        parts: list[Entries],
        n_rows: int,
        lower: ArrayLike = -np.inf,
        upper: ArrayLike = np.inf,
    ) -> RowBlock:
        """A block of ``n_rows`` rows over these columns from coordinate parts."""
        if not parts:
            return RowBlock.from_entries(
                [], [], [], shape=(n_rows, self.n_columns), lower=lower, upper=upper
            )
        rows, columns, values = (np.concatenate(x) for x in zip(*parts, strict=True))
        return RowBlock.from_entries(
            rows, columns, values, shape=(n_rows, self.n_columns), lower=lower, upper=upper
        )

    def on_allocation(self, block: RowBlock) -> RowBlock:
        """Rows over the ex-post allocation of z, placed on these columns' a block."""
        matrix = sp.hstack(
            [
                block.matrix[:, : self.n_allocation],
                sp.csr_array((block.n_rows, self.n_columns - self.n_allocation)),
            ],
            format="csr",
        )
        return RowBlock(sp.csr_array(matrix), block.lower, block.upper)
