"""A design program with rational data: the rows the families build on an exact twin.

:func:`exact_program` asks each constraint family for its rows and bounds on the
exact twin of the environment (:mod:`lpmech.exact.twin`) — the same
``rows`` code as the float compiler, run on :class:`~lpmech.exact.numbers.Rational`
numbers — and the objective for its coefficients, and stacks them into an
:class:`ExactProgram`

.. math:: \\max_z\\; c·z + c_0 \\quad\\text{s.t.}\\quad r_ℓ ≤ A z ≤ r_u,\\quad ℓ ≤ z ≤ u

with every number rational (bounds may be ±inf). Its float image
(:meth:`ExactProgram.float_program`) is what HiGHS solves to find a basis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lpmech.constraints.base import ConstraintFamily, RowBlock, VariableBounds
from lpmech.constraints.incentive import IncentiveCompatibility
from lpmech.exact.integers import ratios, scaled
from lpmech.exact.numbers import Rational, rational_array, to_float
from lpmech.problem.environment import Environment
from lpmech.program.compiler import Program
from lpmech.program.objectives import Objective

ObjectArray = NDArray[np.object_]
IntArray = NDArray[np.intp]

#: Longest common denominator (in bits) with which entries are summed as integers.
MAX_DENOMINATOR_BITS = 4096


def exact_bounds(values: ArrayLike, size: int) -> ObjectArray:
    """Bounds (or other input numbers) as Rationals, infinite ones kept as float ±inf (each
    distinct input number read once, and equal entries share one Rational: they are
    immutable)."""
    array = np.asarray(values)
    if array.ndim == 0:
        return np.full(size, _exact_bound(array.item()), dtype=object)
    array = np.broadcast_to(array, (size,))
    bounds = np.empty(size, dtype=object)
    if array.dtype != object:  # floats or ints: read the distinct values
        distinct, where = np.unique(array, return_inverse=True)
        read = np.empty(len(distinct), dtype=object)
        read[:] = [_exact_bound(v) for v in distinct.tolist()]
        bounds[:] = read[where]
        return bounds
    cache: dict[Any, Any] = {}
    bounds[:] = [
        v if type(v) is Rational else cache.get(v) or cache.setdefault(v, _exact_bound(v))
        for v in array.tolist()
    ]
    return bounds


def _exact_bound(value: Any) -> Any:
    if isinstance(value, Rational) or (isinstance(value, float) and np.isinf(value)):
        return value
    return Rational(value)


@dataclass(frozen=True)
class ExactRowBlock(RowBlock):
    """A :class:`RowBlock` whose entries and bounds are also kept as exact rationals.

    ``matrix`` holds the nearest floats; ``exact_data`` the Rationals in the order
    of ``matrix.data``; ``exact_lower``/``exact_upper`` the bounds (±inf as floats).
    """

    exact_data: ObjectArray = field(default_factory=lambda: np.zeros(0, dtype=object))
    exact_lower: ObjectArray = field(default_factory=lambda: np.zeros(0, dtype=object))
    exact_upper: ObjectArray = field(default_factory=lambda: np.zeros(0, dtype=object))

    @classmethod
    def from_exact_entries(
        cls,
        rows: NDArray,
        columns: NDArray,
        values: NDArray,
        shape: tuple[int, int],
        lower: Any,
        upper: Any,
    ) -> ExactRowBlock:
        """Coordinates with exact values: duplicates summed exactly, exact zeros dropped.

        The values are summed as integers over their common denominator
        (:mod:`lpmech.exact.integers`) unless it is too long to be worth it.
        """
        n_rows, n_columns = shape
        key = rows.astype(np.int64) * n_columns + columns.astype(np.int64)
        order = np.argsort(key, kind="stable")
        key = key[order]
        numerators, denominator = scaled(np.asarray(values, dtype=object)[order])
        long = denominator.bit_length() > MAX_DENOMINATOR_BITS
        if long:  # sum as Rationals instead
            numerators = rational_array(np.asarray(values, dtype=object)[order])
        if len(key):
            starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
            sums = np.add.reduceat(numerators, starts)
            keep = np.flatnonzero([bool(v) for v in sums])
            key, sums = key[starts][keep], sums[keep]
        else:
            sums = np.zeros(0, dtype=object)
        data = sums if long else ratios(sums, denominator)
        floats = (
            to_float(data)
            if long
            else np.array([n / denominator for n in sums.tolist()], dtype=float)
        )  # correctly rounded
        row, column = np.divmod(key, n_columns)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(row, minlength=n_rows))])
        matrix = sp.csr_array((floats, column.astype(np.intp), indptr), shape=shape)
        exact_lower, exact_upper = exact_bounds(lower, n_rows), exact_bounds(upper, n_rows)
        return cls(
            matrix, to_float(exact_lower), to_float(exact_upper), data, exact_lower, exact_upper
        )

    @classmethod
    def of(cls, block: RowBlock) -> ExactRowBlock:
        """A block in exact form: itself, or a float block read by
        :func:`lpmech.exact.numbers.exact`."""
        if isinstance(block, ExactRowBlock):
            return block
        return cls(
            block.matrix,
            block.lower,
            block.upper,
            exact_bounds(block.matrix.data, block.matrix.nnz),  # each value read once
            exact_bounds(block.lower, block.n_rows),
            exact_bounds(block.upper, block.n_rows),
        )


@dataclass(frozen=True)
class ExactProgram:
    """A design program over z = [vec a; vec t] with rational data.

    Attributes
    ----------
    env : Environment
        The exact twin the rows were built on.
    objective : Objective
    families : tuple of ConstraintFamily
        The families whose rows these are (as compiled).
    indptr, indices, data
        A in CSR form, ``data`` as Rationals.
    row_lower, row_upper, column_lower, column_upper : object arrays
        Rationals, or float ±inf where unbounded.
    row_slices : dict
        Each family's rows.
    row_index : dict
        For a family whose rows are a subset (see :func:`exact_program`), the
        family's own index of each of its rows here; absent when all are here.
    family_rows : dict
        Each family's full number of rows.
    cost : object array
        c (Rationals) of the maximised objective (a minimised one negated).
    constant : Rational
        c_0.
    float_data : float array, optional
        The nearest floats of ``data``, when known.
    column_orbit : int array, optional
        For a program over orbits of columns (:mod:`lpmech.exact.orbits`), the orbit of
        each column of z = [vec a; vec t]; None when the columns are z's own.
    """

    env: Environment
    objective: Objective
    families: tuple[ConstraintFamily, ...]
    indptr: IntArray
    indices: IntArray
    data: ObjectArray
    row_lower: ObjectArray
    row_upper: ObjectArray
    column_lower: ObjectArray
    column_upper: ObjectArray
    row_slices: dict[str, slice]
    cost: ObjectArray
    constant: Rational
    row_index: dict[str, IntArray] = field(default_factory=dict)
    family_rows: dict[str, int] = field(default_factory=dict)
    float_data: NDArray[np.float64] | None = None
    column_orbit: IntArray | None = None

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return len(self.indptr) - 1

    @property
    def n_columns(self) -> int:
        """Number of columns."""
        return len(self.cost)

    def float_program(self) -> Program:
        """The nearest float program, for HiGHS."""
        floats = to_float(self.data) if self.float_data is None else self.float_data
        matrix = sp.csr_array(
            (floats, self.indices, self.indptr), shape=(self.n_rows, self.n_columns)
        )
        float_env = self.env.float_environment
        return Program(
            env=float_env,
            objective=self.objective,
            families=self.families,
            matrix=matrix,
            row_lower=to_float(self.row_lower),
            row_upper=to_float(self.row_upper),
            row_slices=self.row_slices,
            column_lower=to_float(self.column_lower),
            column_upper=to_float(self.column_upper),
            cost=to_float(self.cost),
            constant=float(to_float([self.constant])[0]),
            deterministic=False,
            build_seconds=0.0,
            stack_seconds=0.0,
            standard_layout=self.column_orbit is None,
        )

    def describe_row(self, row: int) -> str:
        """The family and the readable name of a row."""
        for family in self.families:
            rows = self.row_slices[family.name]
            if rows.start <= row < rows.stop:
                local = row - rows.start
                if family.name in self.row_index:
                    local = int(self.row_index[family.name][local])
                return f"{family.name}: {family.describe(self.env, local)}"
        raise IndexError(f"row {row} out of range 0..{self.n_rows - 1}")

    def describe_column(self, column: int) -> str:
        """What a column of z = [vec a; vec t] (or an orbit of them) is."""
        if self.column_orbit is not None:
            member = int(np.flatnonzero(self.column_orbit == column)[0])
            return f"{self._describe_own_column(member)} and its relabellings"
        return self._describe_own_column(column)

    def _describe_own_column(self, column: int) -> str:
        env = self.env
        layout = env.layout
        if column < layout.n_allocation_columns:
            profile, component = divmod(column, env.n_components)
            return (
                f"allocation {env.allocation.component_names[component]!r} at profile "
                f"{env.describe_profile(profile)}"
            )
        profile, agent = divmod(column - layout.n_allocation_columns, env.n_agents)
        return (
            f"payment of agent {env.agents[agent].name!r} at profile "
            f"{env.describe_profile(profile)}"
        )

    def activity(self, z: ObjectArray) -> ObjectArray:
        """A z, exactly."""
        from lpmech.exact.linear_systems import sparse_product

        return sparse_product(self.indptr, self.indices, self.data, z)

    def transposed_product(self, y: ObjectArray) -> ObjectArray:
        """Aᵀ y, exactly."""
        numerators, denominator = self.transposed_scaled(y)
        return ratios(numerators, denominator)

    def transposed_scaled(self, y: ObjectArray) -> tuple[ObjectArray, int]:
        """Aᵀ y as integers n over one denominator d (see :mod:`lpmech.exact.integers`)."""
        columns = np.zeros(self.n_columns, dtype=object)
        used = np.flatnonzero([bool(w) for w in y])  # a basic dual is mostly zero
        counts = np.diff(self.indptr)[used]
        entries = (
            np.repeat(self.indptr[used], counts)
            + np.arange(counts.sum())
            - np.repeat(np.cumsum(counts) - counts, counts)
        )
        if not len(entries):
            return columns, 1
        data, data_d = scaled(self.data[entries])
        weights, weights_d = scaled(y[used])
        np.add.at(columns, self.indices[entries], data * np.repeat(weights, counts))
        return columns, data_d * weights_d


def exact_program(
    twin: Environment,
    objective: Objective,
    families: Sequence[ConstraintFamily],
    pairs: dict[str, list[tuple[int, IntArray, IntArray]]] | None = None,
    first_agent: bool = False,
) -> ExactProgram:
    """Every family's rows and bounds, and the objective, built exactly on ``twin``.

    ``pairs`` optionally restricts incentive families (by name) to the rows of some
    (agent, true types, reports): a subset of their rows, so a relaxation.
    ``first_agent`` restricts symmetric families with rows by agent to agent 0's rows
    (their first rows), as the symmetric formulation compiles them.
    """
    layout = twin.layout
    n = layout.n_columns
    blocks, slices, position, row_index, family_rows = [], {}, 0, {}, {}
    column_lower = exact_bounds(-np.inf, n)
    column_upper = exact_bounds(np.inf, n)
    for family in families:
        own = family.agent_rows(twin, [0]) if first_agent and family.symmetric else None
        if pairs is not None and family.name in pairs:
            block, row_index[family.name], family_rows[family.name] = _pair_rows(
                twin, family, pairs[family.name]
            )
        else:
            block = ExactRowBlock.of(family.rows(twin) if own is None else own)
            family_rows[family.name] = block.n_rows
        blocks.append(block)
        slices[family.name] = slice(position, position + block.n_rows)
        position += block.n_rows
        bounds = family.bounds(twin)
        if bounds is not None:
            _tighten(column_lower, column_upper, bounds)
    counts = np.concatenate([np.diff(b.matrix.indptr) for b in blocks]) if blocks else []
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.intp)
    indices = (
        np.concatenate([b.matrix.indices for b in blocks]).astype(np.intp)
        if blocks
        else np.zeros(0, dtype=np.intp)
    )
    data = np.concatenate([b.exact_data for b in blocks]) if blocks else np.zeros(0, dtype=object)
    sign = 1 if objective.sense == "maximize" else -1
    cost = rational_array(objective.coefficients(twin)) * sign
    constant = Rational(objective.constant(twin)) * sign
    return ExactProgram(
        env=twin,
        objective=objective,
        families=tuple(families),
        indptr=indptr,
        indices=indices,
        data=data,
        row_lower=np.concatenate([b.exact_lower for b in blocks])
        if blocks
        else np.zeros(0, dtype=object),
        row_upper=np.concatenate([b.exact_upper for b in blocks])
        if blocks
        else np.zeros(0, dtype=object),
        column_lower=column_lower,
        column_upper=column_upper,
        row_slices=slices,
        cost=cost,
        constant=constant,
        row_index=row_index,
        family_rows=family_rows,
        float_data=np.concatenate([b.matrix.data for b in blocks]) if blocks else None,
    )


def _pair_rows(
    twin: Environment, family: IncentiveCompatibility, chosen: list[tuple[int, IntArray, IntArray]]
) -> tuple[ExactRowBlock, IntArray, int]:
    """An incentive family's rows for the chosen (agent, true type, report) pairs only.

    Returns the block, the family's own index of each row, and its full row count.
    """
    parts, indices, start = [], [], 0
    for agent, true_types, reports in chosen:
        parts.append(family.pair_entries(twin, agent, true_types, reports, first_row=start))
        indices.append(family.pair_rows(twin, agent, true_types, reports))
        start += len(indices[-1])
    shape = (start, twin.layout.n_columns)
    if not parts:
        empty = np.zeros(0, dtype=np.intp)
        block = ExactRowBlock.from_exact_entries(
            empty, empty, np.zeros(0, dtype=object), shape, -np.inf, 0
        )
        return block, empty, family.row_count(twin)
    rows, columns, values = (np.concatenate(x) for x in zip(*parts, strict=True))
    block = ExactRowBlock.from_exact_entries(rows, columns, values, shape, -np.inf, 0)
    return block, np.concatenate(indices), family.row_count(twin)


def _tighten(lower: ObjectArray, upper: ObjectArray, bounds: VariableBounds) -> None:
    """Intersect column bounds with a family's bounds, exactly."""
    columns = np.asarray(bounds.columns)
    for current, new, pick in (
        (lower, exact_bounds(bounds.lower, len(columns)), max),
        (upper, exact_bounds(bounds.upper, len(columns)), min),
    ):
        # a float bound so far is infinite (−inf below, +inf above): the new one replaces it
        old = current[columns].tolist()
        current[columns] = [
            b if type(a) is float or a is b else pick(a, b)
            for a, b in zip(old, new.tolist(), strict=True)
        ]


RowBlock.exact_builder = ExactRowBlock.from_exact_entries  # families' rows on exact twins
