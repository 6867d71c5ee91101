"""Compile a design problem into one linear program.

The program is

.. math:: \\max_z\\; c·z + c_0 \\quad\\text{s.t.}\\quad
          r_ℓ ≤ A z ≤ r_u,\\qquad ℓ ≤ z ≤ u,

over z = [vec a; vec t] (:mod:`lpmech.problem.layout`). Each constraint family contributes
one sparse block of rows (and possibly column bounds); the blocks are stacked once
into a CSR matrix, and each family's rows are remembered as a slice so duals and
diagnoses can be reported by family. A minimised objective is negated so the
program is always a maximisation.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from lpmech.arrays import FloatArray
from lpmech.constraints.base import ConstraintFamily, RowBlock, VariableBounds
from lpmech.problem.environment import Environment
from lpmech.program.objectives import Objective


@dataclass(frozen=True)
class Program:
    """A compiled design program, ready for a backend.

    Attributes
    ----------
    env, objective, families
        What was compiled.
    matrix : scipy.sparse.csr_array
        All rows A, family after family.
    row_lower, row_upper : ndarray
        Row bounds (±inf for one-sided rows).
    row_slices : dict
        The rows of each family, by family name.
    column_lower, column_upper : ndarray
        Column bounds (payments are free unless a family bounds them).
    cost : ndarray
        c, for maximisation.
    constant : float
        c_0.
    deterministic : bool
        Whether allocation columns must be integral.
    build_seconds, stack_seconds : float
        Time to build the families' rows, and to stack them.
    standard_layout : bool
        Whether the columns are the environment's z = [vec a; vec t]. Programs
        derived by a formulation (e.g. reduced by symmetry) have other columns.
    """

    env: Environment
    objective: Objective
    families: tuple[ConstraintFamily, ...]
    matrix: sp.csr_array
    row_lower: FloatArray
    row_upper: FloatArray
    row_slices: dict[str, slice]
    column_lower: FloatArray
    column_upper: FloatArray
    cost: FloatArray
    constant: float
    deterministic: bool
    build_seconds: float
    stack_seconds: float
    cvxpy_families: tuple[ConstraintFamily, ...] = field(default=())
    standard_layout: bool = True

    @property
    def n_columns(self) -> int:
        """Number of variables."""
        return int(self.matrix.shape[1])

    @property
    def n_rows(self) -> int:
        """Number of rows (cvxpy-only families not counted)."""
        return int(self.matrix.shape[0])

    @property
    def nnz(self) -> int:
        """Stored non-zeros of A."""
        return int(self.matrix.nnz)

    @property
    def requires_cvxpy(self) -> bool:
        """Whether a part of the program exists only as cvxpy expressions."""
        return bool(self.cvxpy_families) or self.objective.requires_cvxpy

    @property
    def integer_columns(self) -> NDArray[np.intp]:
        """Columns that must be integral (the allocation, for deterministic mechanisms)."""
        if not self.deterministic or not self.standard_layout:
            return np.zeros(0, dtype=np.intp)
        return np.arange(self.env.layout.n_allocation_columns)

    def rows_by_family(self) -> dict[str, int]:
        """Number of rows of each family."""
        return {name: s.stop - s.start for name, s in self.row_slices.items()}

    def nonzeros_by_family(self) -> dict[str, int]:
        """Stored non-zeros of each family's rows."""
        indptr = self.matrix.indptr
        return {name: int(indptr[s.stop] - indptr[s.start]) for name, s in self.row_slices.items()}

    def bounds_conflict(self) -> bool:
        """Whether two families' column bounds cannot both hold."""
        return bool(np.any(self.column_lower > self.column_upper))


def compile_program(
    env: Environment,
    objective: Objective,
    families: Sequence[ConstraintFamily],
    *,
    deterministic: bool = False,
    blocks: dict[str, tuple[RowBlock, VariableBounds | None]] | None = None,
) -> Program:
    """Build every family's rows and stack them into one :class:`Program`.

    Parameters
    ----------
    env : Environment
    objective : Objective
    families : sequence of ConstraintFamily
        With distinct names.
    deterministic : bool
        Whether the allocation must be integral (a MIP).
    blocks : dict, optional
        Already-built (rows, bounds) by family name, reused instead of rebuilt —
        the infeasibility diagnosis re-solves subsets of the same families.
    """
    layout = env.layout
    start = time.perf_counter()
    built: list[tuple[RowBlock, VariableBounds | None]] = []
    for family in families:
        if blocks is not None and family.name in blocks:
            built.append(blocks[family.name])
        else:
            built.append((family.rows(env), family.bounds(env)))
    cost = objective.sign * objective.coefficients(env)
    constant = objective.sign * objective.constant(env)
    build_seconds = time.perf_counter() - start
    return assemble(
        env,
        objective,
        families,
        [(family.name, block) for family, (block, _) in zip(families, built, strict=True)],
        [bounds for _, bounds in built if bounds is not None],
        n_columns=layout.n_columns,
        cost=cost,
        constant=constant,
        deterministic=deterministic,
        build_seconds=build_seconds,
    )


def assemble(
    env: Environment,
    objective: Objective,
    families: Sequence[ConstraintFamily],
    named_blocks: Sequence[tuple[str, RowBlock]],
    bounds: Sequence[VariableBounds],
    *,
    n_columns: int,
    cost: FloatArray,
    constant: float,
    deterministic: bool = False,
    build_seconds: float = 0.0,
    standard_layout: bool = True,
) -> Program:
    """Stack built blocks into one :class:`Program`: a row slice per name, bounds intersected.

    :func:`compile_program` assembles the families' ex-post rows over z; a
    formulation on other columns (e.g. interim rules) assembles its own blocks
    with ``standard_layout=False``.
    """
    start = time.perf_counter()
    row_slices, position = {}, 0
    for name, block in named_blocks:
        row_slices[name] = slice(position, position + block.n_rows)
        position += block.n_rows
    stacked = RowBlock.stack([block for _, block in named_blocks], n_columns)
    column_lower = np.full(n_columns, -np.inf)
    column_upper = np.full(n_columns, np.inf)
    for bound in bounds:
        np.maximum.at(column_lower, bound.columns, bound.lower)
        np.minimum.at(column_upper, bound.columns, bound.upper)
    stack_seconds = time.perf_counter() - start

    return Program(
        env=env,
        objective=objective,
        families=tuple(families),
        matrix=stacked.matrix,
        row_lower=stacked.lower,
        row_upper=stacked.upper,
        row_slices=row_slices,
        column_lower=column_lower,
        column_upper=column_upper,
        cost=cost,
        constant=constant,
        deterministic=deterministic,
        build_seconds=build_seconds,
        stack_seconds=stack_seconds,
        cvxpy_families=tuple(f for f in families if f.requires_cvxpy),
        standard_layout=standard_layout,
    )
