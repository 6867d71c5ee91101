"""Equilibration: a compiled program with rows and columns scaled by powers of two.

HiGHS's feasibility and optimality tolerances are absolute (about 1e-7). A program
whose rows are in very different units — an agent valuing in cents beside one in
millions, a likely type beside a huge improbable one — has rows the tolerances judge
too coarsely (the small agent's) or too finely. Scaling each row and each continuous
column so its largest |entry| is near 1 (Ruiz's alternating equilibration) makes the
tolerances relative to each row's own numbers: agent i's payment columns come out
scaled by about its value scale s_i, and its incentive and participation rows by
1/s_i — the per-agent scaling of issue 21, found from the matrix itself.

With z = D z' and rows multiplied by R (both diagonal, entries powers of two, so the
scaled data are exact), the program max c·z s.t. ℓ ≤ A z ≤ u, l ≤ z ≤ h becomes

.. math:: \\max (Dc)·z' \\quad\\text{s.t.}\\quad Rℓ ≤ RAD\\,z' ≤ Ru,\\quad D^{-1}l ≤ z' ≤ D^{-1}h,

with the same optimum, z = D z', row duals y = R y', and the same bases (the same
basic columns and tight rows). Integer columns keep D = 1, so integrality is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from lpmech.arrays import FloatArray
from lpmech.program.compiler import Program

#: Rounds of equilibration (each divides rows, then columns, by their largest entry).
ROUNDS = 4


@dataclass(frozen=True)
class Equilibrated:
    """A program scaled for the solver, and the scales that map its solution back."""

    program: Program
    rows: FloatArray
    columns: FloatArray

    def solution(self, x: FloatArray) -> FloatArray:
        """z = D z': a solution of the scaled program as one of the original."""
        return self.columns * x

    def row_duals(self, duals: FloatArray) -> FloatArray:
        """y = R y': the scaled program's row duals as the original's."""
        return self.rows * duals


def equilibrate(program: Program, integer_columns: np.ndarray | None = None) -> Equilibrated:
    """``program`` with rows and columns scaled by powers of two (see the module docstring).

    ``integer_columns`` (default: the program's own) are not scaled. Vectorised over the
    stored entries: each round is a few passes over them.
    """
    matrix = sp.csr_array(program.matrix)
    magnitude = np.abs(matrix.data)
    row_of = np.repeat(np.arange(program.n_rows), np.diff(matrix.indptr))
    by_column = np.argsort(matrix.indices, kind="stable")
    column_starts = np.searchsorted(matrix.indices[by_column], np.arange(program.n_columns))
    rows = np.ones(program.n_rows)
    columns = np.ones(program.n_columns)
    fixed = program.integer_columns if integer_columns is None else integer_columns
    if len(magnitude):
        for _ in range(ROUNDS):
            entries = magnitude * rows[row_of] * columns[matrix.indices]
            rows /= _power_of_two(_segment_max(entries, matrix.indptr[:-1], program.n_rows))
            entries = magnitude * rows[row_of] * columns[matrix.indices]
            step = _power_of_two(
                _segment_max(entries[by_column], column_starts, program.n_columns)
            )
            step[fixed] = 1.0
            columns /= step
    scaled = replace(
        program,
        matrix=sp.csr_array(
            (matrix.data * rows[row_of] * columns[matrix.indices], matrix.indices, matrix.indptr),
            shape=matrix.shape,
        ),
        row_lower=program.row_lower * rows,
        row_upper=program.row_upper * rows,
        column_lower=program.column_lower / columns,
        column_upper=program.column_upper / columns,
        cost=program.cost * columns,
    )
    return Equilibrated(scaled, rows, columns)


def _segment_max(values: FloatArray, starts: np.ndarray, count: int) -> FloatArray:
    """The largest value of each segment values[starts[k]:starts[k+1]] (0 if empty)."""
    largest = np.zeros(count)
    ends = np.append(starts[1:], len(values))
    filled = ends > starts
    if np.any(filled):
        largest[filled] = np.maximum.reduceat(values, starts[filled])
    return largest


def _power_of_two(values: FloatArray) -> FloatArray:
    """2^round(log2 v) for v > 0; 1 for empty rows or columns."""
    powers = np.ones_like(values)
    positive = values > 0
    powers[positive] = np.exp2(np.round(np.log2(values[positive])))
    return powers
