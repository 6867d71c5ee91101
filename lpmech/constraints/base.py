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
import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from lpmech.arrays import FloatArray, IntArray, NumberArray
from lpmech.numbers.entries import ObjectArray, exact_bounds, summed_entries
from lpmech.numbers.rationals import to_float
from lpmech.problem.scales import agent_scales

if TYPE_CHECKING:
    from lpmech.constraints.custom import DesignVariables
    from lpmech.problem.environment import Environment
    from lpmech.program.interim_columns import InterimColumns
    from lpmech.results.mechanism import Mechanism

#: Coordinates (rows, columns, values) of some entries of a block; the values are floats, or
#: exact numbers on an exact twin (:mod:`lpmech.exact.twin`).
Entries = tuple[IntArray, IntArray, NumberArray]


@dataclass(frozen=True)
class RowBlock:
    """Rows ``lower ≤ matrix @ z ≤ upper`` of one family (equality where lower == upper)."""

    matrix: sp.csr_array
    lower: FloatArray
    upper: FloatArray

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
            # exact numbers (rows of an exact twin, lpmech.exact.twin)
            return ExactRowBlock.from_exact_entries(rows, columns, values, shape, lower, upper)
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
class ExactRowBlock(RowBlock):
    """A :class:`RowBlock` whose entries and bounds are also kept as exact rationals.

    What :meth:`RowBlock.from_entries` returns for exact values (an exact twin's rows,
    :mod:`lpmech.exact.twin`): ``matrix`` holds the nearest floats; ``exact_data`` the
    Rationals in the order of ``matrix.data``; ``exact_lower``/``exact_upper`` the bounds
    (±inf as floats).
    """

    exact_data: ObjectArray = field(default_factory=lambda: np.zeros(0, dtype=object))
    exact_lower: ObjectArray = field(default_factory=lambda: np.zeros(0, dtype=object))
    exact_upper: ObjectArray = field(default_factory=lambda: np.zeros(0, dtype=object))

    @classmethod
    def from_exact_entries(
        cls,
        rows: IntArray,
        columns: IntArray,
        values: ArrayLike,
        shape: tuple[int, int],
        lower: Any,
        upper: Any,
    ) -> ExactRowBlock:
        """Coordinates with exact values: duplicates summed exactly, exact zeros dropped
        (:func:`lpmech.numbers.entries.summed_entries`)."""
        indptr, indices, data, floats = summed_entries(rows, columns, values, shape)
        matrix = sp.csr_array((floats, indices, indptr), shape=shape)
        exact_lower, exact_upper = exact_bounds(lower, shape[0]), exact_bounds(upper, shape[0])
        return cls(
            matrix, to_float(exact_lower), to_float(exact_upper), data, exact_lower, exact_upper
        )

    @classmethod
    def of(cls, block: RowBlock) -> ExactRowBlock:
        """A block in exact form: itself, or a float block read by
        :func:`lpmech.numbers.rationals.exact`."""
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
class VariableBounds:
    """Bounds ``lower ≤ z[columns] ≤ upper`` a family places on single columns."""

    columns: IntArray
    lower: FloatArray
    upper: FloatArray

    def violation(self, z: ArrayLike) -> FloatArray:
        """max(lower − z, z − upper, 0) per bounded column."""
        value = np.asarray(z, dtype=float)[self.columns]
        return np.maximum(np.maximum(self.lower - value, value - self.upper), 0.0)


#: Profile numbers P·(N + C) up to which a family that does not declare its size is measured
#: by building its rows (:meth:`ConstraintFamily.estimated_size`).
MEASURED_NUMBERS = 2_000_000


@dataclass(frozen=True)
class ProblemShape:
    """What a program's size follows from, in Python integers (nothing of size P).

    Type counts K_i, components C, and the rows and non-zeros of the allocation space's
    matrix M (one feasibility row per row of M and profile).
    """

    counts: tuple[int, ...]
    n_components: int
    space_rows: int
    space_nonzeros: int

    @classmethod
    def of(cls, env: Environment, counts: Sequence[int] | None = None) -> ProblemShape:
        """``env``'s shape, or that of the same problem with other type ``counts``."""
        matrix = env.allocation.matrix
        return cls(
            tuple(int(k) for k in (env.type_counts if counts is None else counts)),
            env.n_components,
            int(matrix.shape[0]),
            int(matrix.nnz),
        )

    @property
    def n_profiles(self) -> int:
        """P = ∏ K_i (exact: a Python integer of any size)."""
        return math.prod(self.counts)

    @property
    def n_agents(self) -> int:
        """N."""
        return len(self.counts)


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

    Sizing, the algorithm choice, verification and the certificate ask too (the *declared
    protocol* block below; nothing outside :mod:`lpmech.constraints` inspects a family's
    class):

    ============================  =================================================
    :meth:`estimated_size`        (rows, non-zeros) without building (size guard);
                                  measured on small problems by default
    :meth:`estimated_start_size`  what generation starts from (default: all rows)
    :attr:`interim_form`          whether :meth:`interim_rows` states the family
    :meth:`bayesian_counterpart`  the family asked in expectation (advice)
    :attr:`states_feasibility`    rows that say a(θ) is feasible
    :attr:`dense_rows`,           what the measured algorithm rule reads
    :attr:`couples_payments`
    :attr:`orbit_role`            how the orbit program states the family, if it can
    :meth:`entry_scales`          the scale each entry's violation is judged against
    :meth:`n_pairs`, …            rows by (true type, report) pair (0: none);
                                  :meth:`every_pair` for full incentive families
    :meth:`cvxpy_constraints`     the family as cvxpy constraints (if
                                  :attr:`requires_cvxpy`)
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
    #: Verification judges each entry against ``tol`` times :meth:`entry_scales` (see
    #: :mod:`lpmech.checks.verification`). One attribute, one default, read by both.
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

    # ---------------------------------------------------------------- per-entry scales
    # What each entry of :meth:`violation` is judged against (lpmech.checks.verification).
    def entry_scales(self, env: Environment) -> FloatArray | float:
        """The scale each entry of :meth:`violation` is measured against, in entry order.

        A verdict fails an entry whose violation exceeds ``tol`` times its scale. The
        default is correct for any family and conservative: 1 for families in
        allocation units, and for others the smallest agent's value scale min_i s_i
        (:func:`lpmech.problem.scales.agent_scales`) — no entry of a family that does
        not say whose money it is about is judged more leniently than the smallest
        agent's rows. Built-in families in money override it with the scale of the
        numbers each entry involves. A scalar applies to every entry.
        """
        if self.units == "allocation":
            return 1.0
        return float(agent_scales(env).min())

    def spec(self) -> dict[str, Any]:
        """The family as plain data, ``{"family": key, **parameters}``, ready for JSON.

        :func:`lpmech.constraints.from_spec` rebuilds it (a family of your own from
        the classes you pass it). A family with parameters adds them under its
        constructor's argument names; the default names the family only.
        """
        return {"family": self.name}

    # ------------------------------------------------------------------------------------
    # Declared protocol: what sizing (lpmech.solving.sizing), the algorithm choice
    # (lpmech.backends.algorithms), the formulations and the certificate (lpmech.exact)
    # ask of a family instead of its class. Every default is right for a family that
    # declares nothing; built-in families override what they know.
    # ------------------------------------------------------------------------------------

    #: Whether the rows state that a(θ) lies in the allocation space (feasibility): a solve
    #: adds :class:`~lpmech.constraints.feasibility.Feasibility` unless a family says so,
    #: and Border's inequalities stand for such rows in the interim form.
    states_feasibility: bool = False
    #: Whether each row is an average over the others' profiles (Bayesian incentive rows:
    #: 2·(P/K_i)·(C + 1) entries a row). With :attr:`couples_payments` rows this is what
    #: the measured algorithm rule sends to interior point.
    dense_rows: bool = False
    #: Whether a row ties every agent's payment at one profile together (ex-post budget).
    couples_payments: bool = False
    #: What the orbit program of identical agents (:mod:`lpmech.solving.orbit_program`)
    #: states the family as: ``"incentive"`` (ex-post IC by agent 0's pairs),
    #: ``"participation"`` (ex-post IR) or ``"feasibility"``; None: it cannot state it.
    orbit_role: str | None = None

    @property
    def interim_form(self) -> bool:
        """Whether :meth:`interim_rows` states the family over interim rules, so that the
        interim formulation may apply (default: whether the class defines ``interim_rows``)."""
        return type(self).interim_rows is not ConstraintFamily.interim_rows

    def estimated_size(self, env: Environment, shape: ProblemShape) -> tuple[int, int]:
        """(rows, non-zeros) of :meth:`rows` for ``env``'s problem with ``shape``'s counts.

        The size guard asks before anything of size P is built, possibly for counts other
        than ``env``'s (to say what would fit), so built-in families compute it from their
        formulas in Python integers. The default, for a family that declares nothing,
        measures: it builds :meth:`rows` on ``env`` when ``env`` has at most
        :data:`MEASURED_NUMBERS` profile numbers P·(N + C), and scales the counts by
        P'/P for ``shape``'s P' (rows proportional to profiles); on a larger ``env`` it
        assumes a row of C + 1 entries per agent and profile, as ex-post participation
        has. A family much larger than that should declare its size.
        """
        measured = self._measured_size(env)
        if measured is None:
            p, n, c = shape.n_profiles, shape.n_agents, shape.n_components
            return p * n, p * n * (c + 1)
        rows, nonzeros = measured
        p, q = shape.n_profiles, env.n_profiles
        return -(-rows * p // q), -(-nonzeros * p // q)

    def _measured_size(self, env: Environment) -> tuple[int, int] | None:
        if env.n_profiles * (env.n_agents + env.n_components) > MEASURED_NUMBERS:
            return None
        known = getattr(self, "_measured", None)  # (env, size) of the last env measured
        if known is None or known[0] is not env:
            block = self.rows(env)
            known = (env, (block.n_rows, int(block.matrix.nnz)))
            self._measured = known
        return known[1]

    def estimated_start_size(self, env: Environment, shape: ProblemShape) -> tuple[int, int]:
        """(rows, non-zeros) that generation formulations start the family from: all its
        rows (the default), or fewer for a :attr:`generated` family that starts from few."""
        return self.estimated_size(env, shape)

    def bayesian_counterpart(self) -> ConstraintFamily | None:
        """The family with ex-post incentive constraints asked in expectation instead, if
        that is what it is (dominant-strategy IC: Bayesian IC), else None: what the size
        guard suggests when a problem does not fit."""
        return None

    def cvxpy_constraints(self, variables: DesignVariables) -> list[Any]:
        """The family as cvxpy constraints on the design variables, for a family that
        :attr:`requires_cvxpy` (:class:`~lpmech.constraints.custom.CvxpyConstraint`)."""
        raise NotImplementedError(f"{self.name}: a family that requires cvxpy defines this")

    def n_pairs(self, env: Environment, agent: int) -> int:
        """Number of an agent's (true type, report) pairs whose rows the family has (0: its
        rows are not by pairs). Families by pair also define :meth:`rows_per_pair`,
        :meth:`pair_at`, :meth:`pair_entries` and :meth:`pair_rows`."""
        return 0

    def every_pair(self, env: Environment) -> bool:
        """Whether the rows are by pair for every (k, r ≠ k) pair of every agent (full IC):
        what symmetric generation and the certificate's row subsets need."""
        counts = env.type_counts
        return any(self.n_pairs(env, i) for i in range(len(counts))) and all(
            self.n_pairs(env, i) == k * (k - 1) for i, k in enumerate(counts)
        )

    def rows_per_pair(self, env: Environment, agent: int) -> int:
        """Rows of one (true type, report) pair of an agent (see :meth:`n_pairs`)."""
        return 1

    def block_size(self, env: Environment, agent: int) -> int:
        """Number of an agent's rows, for families by pair: pairs × rows per pair."""
        return self.n_pairs(env, agent) * self.rows_per_pair(env, agent)

    def pair_at(
        self, env: Environment, agent: int, pair: IntArray | int
    ) -> tuple[IntArray, IntArray]:
        """The (true types, reports) of an agent's pairs by index (families by pair)."""
        raise NotImplementedError(f"{self.name}: a family by pairs defines pair_at")

    def pair_entries(
        self,
        env: Environment,
        agent: int,
        true_types: IntArray,
        reports: IntArray,
        first_row: int = 0,
    ) -> Entries:
        """Coordinates of the rows of some (true type, report) pairs of an agent, numbered
        from ``first_row`` pair by pair (families by pair)."""
        raise NotImplementedError(f"{self.name}: a family by pairs defines pair_entries")

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
