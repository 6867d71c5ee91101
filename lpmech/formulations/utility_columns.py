r"""Utility columns: the design program over allocations and utilities instead of payments.

Write each payment through the agent's utility at truth-telling, the potential of
Rochet's theorem (seed notes §1.3, Thm. 1.5: t(θ) = v(x(θ), θ) − V(θ)):

.. math:: t_i(θ) = V_i(θ)·a(θ) − u_i(θ),

so z = [vec a; vec t] = M y with y = [vec a; vec u]. M is its own inverse
(u_i(θ) = V_i(θ)·a(θ) − t_i(θ)), so the program over y is the same program: the
same rows, each multiplied by M on the right, with the same row duals, and
z = M y at its optimum. An incentive row u_i(r; k, θ_{-i}) − u_i(k; k, θ_{-i}) ≤ 0 becomes

.. math:: (V_i(k, θ_{-i}) − V_i(r, θ_{-i}))·a(r, θ_{-i}) + u_i(r, θ_{-i}) − u_i(k, θ_{-i}) ≤ 0,

whose allocation terms vanish wherever the two types value a component alike: a
report one grid step away along one axis leaves three non-zeros of six (two
items), and ex-post IR, V_i(θ)·a(θ) − t_i(θ) ≥ 0, becomes the singleton u_i(θ) ≥ 0.
The simplex works on sparser bases: one bidder with two items on 50 × 50, the
seed program of generation (20,000 rows) took 11,044 dual simplex iterations and
4.0 s over utilities against 17,892 and 9.8 s over payments (unit demand,
U[2,3]²), 5,506 and 0.6 s against 8,218 and 1.2 s (additive U[0,1]²).

Column bounds stay bounds only if no family bounds a payment (a bound on t_i is
a row over y), so :func:`utility_columns_obstacle` refuses programs with bounded
payment columns, and programs not on the environment's own columns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from lpmech.arrays import FloatArray
from lpmech.constraints.base import RowBlock
from lpmech.formulations.row_generation import Candidates, Separator
from lpmech.problem.environment import Environment
from lpmech.program.compiler import Program


def utility_columns_obstacle(program: Program) -> str | None:
    """Why ``program`` cannot be solved over utility columns, or None if it can."""
    if not program.standard_layout:
        return "the program is not on the environment's columns z = [vec a; vec t]"
    if program.deterministic:
        return "integrality is on the allocation only, kept as it is; nothing to gain"
    layout = program.env.layout
    payments = slice(layout.n_allocation_columns, layout.n_columns)
    if (
        np.isfinite(program.column_lower[payments]).any()
        or np.isfinite(program.column_upper[payments]).any()
    ):
        return "a family bounds payment columns, which would become rows over utilities"
    return None


@dataclass(frozen=True)
class UtilityColumns:
    """The substitution z = M y of payments by utilities (see the module docstring)."""

    #: M, square over the environment's columns: z = M @ y.
    substitution: sp.csr_array

    @classmethod
    def of(cls, env: Environment) -> UtilityColumns:
        """M for ``env``: identity on allocations, t_i(θ) = V_i(θ)·a(θ) − u_i(θ)."""
        layout = env.layout
        n_allocation, n = layout.n_allocation_columns, layout.n_columns
        profiles = np.arange(layout.n_profiles)
        rows, columns, values = (
            [np.arange(n)],
            [np.arange(n)],
            [np.r_[np.ones(n_allocation), -np.ones(n - n_allocation)]],
        )
        for agent in range(env.n_agents):
            payment = layout.payment_columns(profiles, agent)
            rows.append(np.repeat(payment, layout.n_components))
            columns.append(layout.allocation_columns(profiles).ravel())
            values.append(np.asarray(env.values_at_profiles(agent), dtype=float).ravel())
        matrix = sp.csr_array(
            (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))), shape=(n, n)
        )
        matrix.eliminate_zeros()
        return cls(matrix)

    def matrix(self, matrix: sp.csr_array) -> sp.csr_array:
        """Rows over z as rows over y: A M, without the entries that cancel exactly."""
        product = sp.csr_array(matrix @ self.substitution)
        product.eliminate_zeros()
        return product

    def program(self, program: Program) -> Program:
        """``program`` over y: rows A M, cost Mᵀ c; utilities free as the payments were."""
        return replace(
            program,
            matrix=self.matrix(program.matrix),
            cost=np.asarray(self.substitution.T @ program.cost),
            standard_layout=False,
        )

    def rows(self, block: RowBlock) -> RowBlock:
        """A block of rows over z as rows over y."""
        return RowBlock(self.matrix(block.matrix), block.lower, block.upper)

    def decisions(self, y: FloatArray) -> FloatArray:
        """z = M y: allocation and payments from allocation and utilities."""
        return np.asarray(self.substitution @ y, dtype=float)

    def separator(self, separator: Separator) -> Separator:
        """``separator`` asked at z = M y, its rows returned over y."""
        return _OverUtilities(separator, self)


class _OverUtilities(Separator):
    """A separator over z serving a program over y = M⁻¹ z."""

    def __init__(self, inner: Separator, columns: UtilityColumns) -> None:
        self.inner, self.columns, self.name = inner, columns, inner.name

    def candidates(self, x: FloatArray) -> Candidates:
        found = self.inner.candidates(self.columns.decisions(x))
        return Candidates(self.columns.rows(found.rows), found.violation, found.keys)
