"""What a constraint family is: rows for the program, and a measure of violation.

A *constraint family* is one design requirement (Bayesian IC, interim IR, …) over
every agent, type and profile at once. It is written twice, on purpose:

* :meth:`ConstraintFamily.rows` states it to the compiler as one sparse block
  ``lower ≤ A z ≤ upper`` over the decision vector z (see :mod:`lpmech.problem.layout`),
  built with numpy index arithmetic — never one scalar at a time — plus optional
  column bounds (:meth:`ConstraintFamily.bounds`).
* :meth:`ConstraintFamily.violation` measures how far a given
  :class:`~lpmech.results.mechanism.Mechanism` is from satisfying it, computed from the
  definition (utilities of true and reported types), never from the rows.

Both list their entries in the same order, so the two can be checked against each
other (:func:`lpmech.testing.check_family`) and a violation can be named with
:meth:`ConstraintFamily.describe`. A user adds a requirement by subclassing, with no
registration step.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from lpmech.arrays import FloatArray, IntArray

if TYPE_CHECKING:
    from lpmech.problem.environment import Environment
    from lpmech.program.interim_columns import InterimColumns
    from lpmech.results.mechanism import Mechanism

#: Coordinates (rows, columns, values) of some entries of a block.
Entries = tuple[NDArray, NDArray, NDArray]


@dataclass(frozen=True)
class RowBlock:
    """Rows ``lower ≤ matrix @ z ≤ upper`` of one family (equality where lower == upper)."""

    matrix: sp.csr_array
    lower: FloatArray
    upper: FloatArray
    #: Builds a block from exact numbers; :mod:`lpmech.exact.program` sets it on import.
    exact_builder: ClassVar[Callable[..., RowBlock] | None] = None

    @classmethod
    def from_entries(
        cls,
        rows: ArrayLike,
        columns: ArrayLike,
        values: ArrayLike,
        shape: tuple[int, int],
        lower: ArrayLike = -np.inf,
        upper: ArrayLike = np.inf,
    ) -> RowBlock:
        """Assemble from coordinate arrays; duplicates are summed, zeros dropped.

        Explicit zeros are pruned because HiGHS's work per row scales with the
        stored non-zeros, and many valuations are zero on most components.
        """
        rows, columns, values = (np.ravel(np.asarray(x)) for x in (rows, columns, values))
        if object in (values.dtype, np.asarray(lower).dtype, np.asarray(upper).dtype):
            if RowBlock.exact_builder is None:  # rows of an exact twin (lpmech.exact.twin)
                raise TypeError("RowBlock.from_entries: exact numbers need lpmech.exact.program")
            return RowBlock.exact_builder(rows, columns, values, shape, lower, upper)
        keep = values != 0
        matrix = sp.csr_array(
            (values[keep].astype(float), (rows[keep], columns[keep])), shape=shape
        )
        matrix.sum_duplicates()
        matrix.eliminate_zeros()
        m = shape[0]
        return cls(
            matrix,
            np.broadcast_to(np.asarray(lower, dtype=float), (m,)).copy(),
            np.broadcast_to(np.asarray(upper, dtype=float), (m,)).copy(),
        )

    @classmethod
    def empty(cls, n_columns: int) -> RowBlock:
        """A block with no rows."""
        return cls(sp.csr_array((0, n_columns)), np.zeros(0), np.zeros(0))

    @classmethod
    def stack(cls, blocks: list[RowBlock], n_columns: int) -> RowBlock:
        """The rows of several blocks, one after the other."""
        if not blocks:
            return cls.empty(n_columns)
        return cls(
            sp.csr_array(sp.vstack([block.matrix for block in blocks], format="csr")),
            np.concatenate([block.lower for block in blocks]),
            np.concatenate([block.upper for block in blocks]),
        )

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.matrix.shape[0])

    def violation(self, z: ArrayLike) -> FloatArray:
        """max(lower − A z, A z − upper, 0) per row."""
        value = self.matrix @ np.asarray(z, dtype=float)
        return np.maximum(np.maximum(self.lower - value, value - self.upper), 0.0)


@dataclass(frozen=True)
class VariableBounds:
    """Bounds ``lower ≤ z[columns] ≤ upper`` a family places on single columns."""

    columns: IntArray
    lower: FloatArray
    upper: FloatArray

    def violation(self, z: ArrayLike) -> FloatArray:
        """max(lower − z, z − upper, 0) per bounded column."""
        value = np.asarray(z, dtype=float)[self.columns]
        return np.maximum(np.maximum(self.lower - value, value - self.upper), 0.0)


class ConstraintFamily(ABC):
    """A design requirement over all agents, types and profiles.

    Subclasses set :attr:`name` and implement :meth:`rows` (and/or
    :meth:`bounds`) and :meth:`violation`; they may override :meth:`describe`.
    The entries of :meth:`violation` are the rows' violations in row order,
    followed by the bounds' violations in bound order.

    Formulations (:mod:`lpmech.formulations`) ask a family for its other forms,
    never for its class; each has a default, so a family declares only what it has:

    ============================  =================================================
    :meth:`rows`, :meth:`bounds`  the ex-post rows over z = [vec a; vec t] (direct)
    :meth:`agent_rows`            one agent's rows, if by agent (symmetric)
    :attr:`symmetric`             whether relabelling agents maps rows onto rows
    :meth:`interim_rows`          the rows over interim rules, if any (interim)
    :attr:`generated`             whether to build from a few rows (generation), with
                                  :meth:`row_count`, :meth:`pair_rows`,
                                  :meth:`rows_at`, :meth:`most_violated_rows`
    :meth:`compiled_form`         an equivalent smaller family to compile
    :meth:`spec`                  the family as plain data (JSON), see ``from_spec``
    ============================  =================================================
    """

    #: Identifier used for duals, reports and error messages.
    name: str = "constraint"
    #: Whether relabelling identical agents maps the family's rows onto themselves (true of
    #: every built-in family). Families that do not say so are checked before a symmetric
    #: reduction.
    symmetric: bool = False
    #: Whether only the cvxpy backend can take the family (it exists as cvxpy expressions,
    #: like :class:`~lpmech.constraints.custom.CvxpyConstraint`).
    requires_cvxpy: bool = False
    #: Whether row generation (:mod:`lpmech.formulations.generation`) may start the family
    #: from the rows of a few (true type, report) pairs (:meth:`pair_rows`) and add the
    #: rows a solution violates (:meth:`most_violated_rows`): worth it for families with
    #: many rows of which few bind, such as full incentive compatibility.
    generated: bool = False
    #: Whether the rows are one per (agent, profile), agent-major and in profile order (ex-post
    #: participation): symmetric generation (:mod:`lpmech.formulations.
    #: symmetric_generation`) may then start from a few of agent 0's and add those violated.
    per_profile_rows: bool = False
    #: What the rows and violations are measured in: ``"value"`` (money, homogeneous in
    #: the problem's values: a normalised solve is exact), ``"allocation"`` (unitless
    #: quantities, unchanged when values are rescaled) or ``"user"`` (the user's units,
    #: possibly with constants: :func:`lpmech.solve` then solves without normalising).
    #: Verification judges ``"allocation"`` violations against ``tol``, others against
    #: ``tol`` times the value scale (see :mod:`lpmech.checks.verification`).
    units: str = "user"

    @abstractmethod
    def rows(self, env: Environment) -> RowBlock:
        """The family's rows over the decision vector of ``env.layout``."""

    def bounds(self, env: Environment) -> VariableBounds | None:
        """Column bounds the family imposes, if any."""
        return None

    def agent_rows(self, env: Environment, agents: Sequence[int]) -> RowBlock | None:
        """The rows about the given agents, in :meth:`rows` order, or None if not by agent.

        Families whose rows come in one block per agent (incentive, participation,
        monotonicity) implement it; a symmetric formulation then builds agent 0's
        rows alone, the others' being their relabelled copies.
        """
        return None

    @abstractmethod
    def violation(self, mechanism: Mechanism) -> FloatArray:
        """Non-negative violation of each entry (0 when satisfied), from the definition."""

    def describe(self, env: Environment, index: int) -> str:
        """A readable name for entry ``index`` of :meth:`violation`."""
        return f"row {index}"

    def interim_rows(self, env: Environment, columns: InterimColumns) -> RowBlock | None:
        """The family's rows over interim columns, in :meth:`rows` order, or None.

        The interim formulation (:mod:`lpmech.formulations.interim`) compiles Bayesian
        design on the interim rules Q_i(θ_i) = E[a | θ_i] and M_i(θ_i) = E[t_i | θ_i]
        (independent private values; :mod:`lpmech.program.interim_columns`). A family takes
        part when it is a statement about those rules alone — interim IR, Bayesian
        IC, ex-ante budget balance — and says so by returning its rows, built with
        ``columns.q``, ``columns.m``, ``columns.utility_entries`` and
        ``columns.block``. The default, None, means the family needs ex-post
        allocations or payments; the interim formulation then refuses the problem.
        """
        return None

    def row_count(self, env: Environment) -> int:
        """Number of rows of :meth:`rows` (families with many override it to count, not build)."""
        return self.rows(env).n_rows

    def rows_at(self, env: Environment, keys: IntArray) -> RowBlock:
        """The rows with the given indices in :meth:`rows` order, in the order given."""
        block = self.rows(env)
        return RowBlock(sp.csr_array(block.matrix[keys]), block.lower[keys], block.upper[keys])

    def pair_rows(
        self, env: Environment, agent: int, true_types: IntArray, reports: IntArray
    ) -> IntArray:
        """Indices of the rows about an agent's (true type, report) pairs, pair by pair.

        What row generation starts a :attr:`generated` family from; families whose
        rows are not about pairs of types are not generated and need not define it.
        """
        raise NotImplementedError(f"{self.name}: a generated family defines pair_rows")

    def most_violated_rows(
        self, env: Environment, violation: FloatArray, tol: float, lies: int = 1
    ) -> IntArray:
        """Indices of the rows to add for a mechanism with this :meth:`violation`.

        By default every row violated by more than ``tol``; a family may instead
        name the rows of each type's ``lies`` most profitable lies, say.
        """
        return np.flatnonzero(violation[: self.row_count(env)] > tol)

    def compiled_form(self, env: Environment) -> ConstraintFamily:
        """The family to compile for ``env``: itself, or an equivalent smaller family.

        :func:`lpmech.solve` compiles the returned family but verifies this one.
        """
        return self

    def spec(self) -> dict[str, Any]:
        """The family as plain data, ``{"family": key, **parameters}``, ready for JSON.

        :func:`lpmech.constraints.from_spec` rebuilds it (a family of your own from
        the classes you pass it). A family with parameters adds them under its
        constructor's argument names; the default names the family only.
        """
        return {"family": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def function_name(function: Any) -> str:
    """``module.qualified_name`` of a function, to record (not rebuild) it in a spec."""
    module = getattr(function, "__module__", None) or "?"
    return f"{module}.{getattr(function, '__qualname__', type(function).__qualname__)}"


@functools.lru_cache(maxsize=32)
def pair_table(n_types: int) -> tuple[IntArray, IntArray]:
    """All (true type k, report r) pairs with r ≠ k, k-major: arrays of length K(K−1).

    Cached (and read-only): a 3,600-type grid has 13 million pairs.
    """
    true_types = np.repeat(np.arange(n_types), n_types - 1)
    offsets = np.tile(np.arange(n_types - 1), n_types)
    reports = offsets + (offsets >= true_types)  # skip r = k
    true_types.setflags(write=False)
    reports.setflags(write=False)
    return true_types, reports


def agent_offsets(sizes: list[int]) -> IntArray:
    """Start of each agent's rows when blocks of the given sizes are stacked."""
    return np.concatenate([[0], np.cumsum(sizes)]).astype(np.intp)


def locate(offsets: IntArray, index: int) -> tuple[int, int]:
    """(agent, index within that agent's block) of a stacked row."""
    agent = int(np.searchsorted(offsets, index, side="right") - 1)
    return agent, index - int(offsets[agent])


def utility_entries(
    env: Environment,
    agent: int,
    value_profiles: IntArray,
    outcome_profiles: IntArray,
    weights: ArrayLike,
    rows: IntArray,
) -> tuple[IntArray, IntArray, FloatArray]:
    """Coordinates of Σ w · (V_i(θ)·a(θ') − t_i(θ')) terms, for :meth:`RowBlock.from_entries`.

    Each term values agent i's outcome at profile θ' (``outcome_profiles``) with its
    true values at θ (``value_profiles``), weighted by ``weights``, and adds into
    row ``rows``. All four arrays broadcast to one shape; negate ``weights`` for
    −utility.
    """
    layout = env.layout
    shape = np.broadcast_shapes(
        np.shape(value_profiles), np.shape(outcome_profiles), np.shape(weights), np.shape(rows)
    )
    weights = np.broadcast_to(np.asarray(weights), shape)  # floats, or exact numbers
    rows = np.broadcast_to(rows, shape)
    value_profiles = np.broadcast_to(value_profiles, shape)
    outcome_profiles = np.broadcast_to(outcome_profiles, shape)
    values = env.values_at_profiles(agent)[value_profiles] * weights[..., None]
    allocation_rows = np.broadcast_to(rows[..., None], values.shape)
    allocation_columns = layout.allocation_columns(outcome_profiles)
    return (
        np.concatenate([allocation_rows.ravel(), rows.ravel()]),
        np.concatenate(
            [allocation_columns.ravel(), layout.payment_columns(outcome_profiles, agent).ravel()]
        ),
        np.concatenate([values.ravel(), -weights.ravel()]),
    )


def broadcast_entries(rows: ArrayLike, columns: ArrayLike, values: ArrayLike) -> Entries:
    """(rows, columns, values) broadcast to one shape and flattened (coordinates of a block)."""
    shape = np.broadcast_shapes(np.shape(rows), np.shape(columns), np.shape(values))
    rows, columns, values = (np.broadcast_to(a, shape).ravel() for a in (rows, columns, values))
    return rows, columns, values


def stack_entries(
    parts: list[tuple[IntArray, IntArray, FloatArray]],
) -> tuple[IntArray, IntArray, FloatArray]:
    """Concatenate coordinate triples."""
    if not parts:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, np.zeros(0)
    rows, columns, values = zip(*parts, strict=True)
    return np.concatenate(rows), np.concatenate(columns), np.concatenate(values)
