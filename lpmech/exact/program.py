"""A design program with rational data: the rows the families build on an exact twin.

:func:`exact_program` asks each constraint family for its rows and bounds on the
exact twin of the environment (:mod:`lpmech.exact.twin`) — the same
``rows`` code as the float compiler, run on :class:`~lpmech.numbers.rationals.Rational`
numbers — and the objective for its coefficients, and stacks them into an
:class:`ExactProgram`

.. math:: \\max_z\\; c·z + c_0 \\quad\\text{s.t.}\\quad r_ℓ ≤ A z ≤ r_u,\\quad ℓ ≤ z ≤ u

with every number rational (bounds may be ±inf). Its float image
(:meth:`ExactProgram.float_program`) is what HiGHS solves to find a basis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from lpmech.constraints.base import ConstraintFamily, ExactRowBlock, VariableBounds
from lpmech.numbers.entries import exact_bounds
from lpmech.numbers.integers import ratios, scaled
from lpmech.numbers.rationals import Rational, rational_array, to_float
from lpmech.problem.environment import Environment
from lpmech.program.compiler import Program
from lpmech.program.objectives import Objective

if TYPE_CHECKING:
    from lpmech.exact.twin import ExactEnvironment

ObjectArray = NDArray[np.object_]
IntArray = NDArray[np.intp]


@dataclass(frozen=True)
class ExactProgram:
    """A design program over z = [vec a; vec t] with rational data.

    Attributes
    ----------
    env : ExactEnvironment
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

    env: ExactEnvironment
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
        """Aᵀ y as integers n over one denominator d (see :mod:`lpmech.numbers.integers`)."""
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
    twin: ExactEnvironment,
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
    counts = (
        np.concatenate([np.diff(b.matrix.indptr) for b in blocks])
        if blocks
        else np.zeros(0, dtype=np.intp)
    )
    indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.intp)
    indices = (
        np.concatenate([b.matrix.indices for b in blocks]).astype(np.intp)
        if blocks
        else np.zeros(0, dtype=np.intp)
    )
    data = np.concatenate([b.exact_data for b in blocks]) if blocks else np.zeros(0, dtype=object)
    sign = 1 if objective.sense == "maximize" else -1
    cost = rational_array(objective.coefficients(twin)) * sign
    constant = Rational(objective.constant(twin))
    if sign < 0:
        constant = -constant
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
    twin: Environment, family: ConstraintFamily, chosen: list[tuple[int, IntArray, IntArray]]
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
