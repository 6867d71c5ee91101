"""Symmetry: identical agents, anonymous mechanisms, profiles up to relabelling.

When agents have the same types, an exchangeable prior, and valuations that
relabelling agents maps onto each other, every built-in family and objective is
unchanged by a relabelling σ of the agents. The design program is then a convex
program invariant under σ, so averaging an optimum over all relabellings gives an
optimal *anonymous* mechanism: a(σθ) = σ·a(θ), t(σθ) = σ·t(θ). Restricting to
those loses nothing.

An anonymous mechanism is fixed by one value per *orbit* of columns: agent i's
allocation and payment at θ depend only on (θ_i, the multiset of θ_{-i}), and a
common component (a public project) only on the multiset of θ. This formulation
compiles the direct program, merges the columns of each orbit, and keeps one copy
of each row that becomes identical — about K^N/N! profiles instead of K^N. The
solution is expanded back to every profile and verified in full.

The reduction checks what it relies on: column bounds and costs must be constant
on orbits, and the rows of any family that does not declare itself symmetric
must be mapped onto themselves by a transposition and a cycle of the agents
(which generate every relabelling).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from lpmech.arrays import FloatArray, IntArray
from lpmech.backends.engines import Backend
from lpmech.constraints.base import ConstraintFamily
from lpmech.errors import InvalidArgumentError
from lpmech.formulations.base import (
    DesignProblem,
    Formulation,
    OrbitProgram,
    Outcome,
    Sizes,
    StageProgram,
    run_program,
)
from lpmech.problem.allocation import Items
from lpmech.problem.environment import Environment
from lpmech.program.compiler import Program, compile_program
from lpmech.program.objectives import ZeroObjective

if TYPE_CHECKING:
    from lpmech.formulations.utility_columns import UtilityColumns

#: 64-bit row hashes (wrapping unsigned arithmetic).
HashArray = NDArray[np.uint64]

_SEEDS = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB)


@dataclass(frozen=True)
class AgentSymmetry:
    """The orbits of an environment's columns under relabelling agents.

    Attributes
    ----------
    column_orbit : ndarray of int, shape (n_columns,)
        The orbit of each column of z = [vec a; vec t].
    n_orbits : int
    n_profile_orbits : int
        Number of profiles up to relabelling (multisets of types).
    generators : tuple of ndarray
        Column permutations of a transposition and a cycle of the agents.
    relabellings : tuple of (ndarray, ndarray)
        Those two relabellings as (agent j → sigma[j], component permutation).
    """

    column_orbit: IntArray
    n_orbits: int
    n_profile_orbits: int
    generators: tuple[IntArray, ...]
    relabellings: tuple[tuple[IntArray, IntArray], ...] = ()


def _owners(env: Environment) -> tuple[IntArray, IntArray]:
    """Owner agent (−1: common) and item of each allocation component."""
    space = env.allocation
    components = np.arange(env.n_components)
    if isinstance(space, Items):
        return components // space.n_items, components % space.n_items
    return np.full(env.n_components, -1), components


def _relabel(env: Environment, sigma: IntArray) -> tuple[IntArray, IntArray]:
    """Component and column permutations of the relabelling agent j → sigma[j]."""
    owner, item = _owners(env)
    n_items = env.allocation.n_items if isinstance(env.allocation, Items) else 1
    component = np.where(
        owner >= 0, sigma[np.maximum(owner, 0)] * n_items + item, np.arange(env.n_components)
    )
    layout = env.layout
    moved = np.empty_like(layout.profile_types)
    moved[:, sigma] = layout.profile_types
    profile = layout.profile_index(moved)
    allocation = layout.allocation_columns(profile)[:, component]  # column of (σp, σc)
    payments = layout.payment_columns(profile[:, None], sigma[None, :])
    columns = np.concatenate([allocation.ravel(), payments.ravel()])
    return component, columns


def agent_symmetry(env: Environment) -> AgentSymmetry | str:
    """The column orbits, or the reason the environment is not symmetric in its agents."""
    n = env.n_agents
    if n < 2:
        return "there is only one agent"
    first = env.agents[0]
    for agent in env.agents[1:]:
        if agent.types.shape != first.types.shape or not np.array_equal(agent.types, first.types):
            return f"agents {first.name!r} and {agent.name!r} have different types"
    if any(env.interdependent):
        return "values are interdependent"
    table = env.prior.table
    if any(not np.allclose(table, np.swapaxes(table, 0, i), atol=1e-12) for i in range(1, n)):
        return "the prior changes when agents are relabelled (not exchangeable)"
    if any(not np.array_equal(o, env.outside_options[0]) for o in env.outside_options):
        return "outside options differ across agents"
    transposition = np.array([1, 0, *range(2, n)])
    cycle = np.roll(np.arange(n), 1)
    generators, relabellings = [], []
    for sigma in (transposition, cycle):
        component, columns = _relabel(env, sigma)
        for j in range(n):
            if not np.allclose(env.valuations[sigma[j]][:, component], env.valuations[j]):
                return (
                    "valuations are not exchanged by relabelling agents (e.g. "
                    f"{env.agents[j].name!r} and {env.agents[sigma[j]].name!r})"
                )
        if not np.allclose(env.principal_value[component], env.principal_value):
            return "the principal values agents' components differently"
        if not env.allocation.maps_onto_itself(component):
            return "relabelling agents does not map the allocation space onto itself"
        generators.append(columns)
        relabellings.append((sigma, component))
    return AgentSymmetry(
        *_orbits(env), generators=tuple(generators), relabellings=tuple(relabellings)
    )


def _orbits(env: Environment) -> tuple[IntArray, int, int]:
    """Orbit ids of all columns, their number, and the number of profile orbits."""
    layout = env.layout
    n, k = env.n_agents, env.agents[0].n_types
    types = layout.profile_types.astype(np.int64)
    base = k ** np.arange(n, dtype=np.int64)
    whole = np.sort(types, axis=1) @ base  # the multiset of θ, < K^N
    own = np.empty((layout.n_profiles, n), dtype=np.int64)  # (θ_i, multiset of θ_{-i})
    for i in range(n):
        others = np.sort(np.delete(types, i, axis=1), axis=1)
        own[:, i] = types[:, i] * base[-1] + others @ base[:-1]
    owner, item = _owners(env)
    span = k**n
    allocation = np.where(
        owner >= 0,
        item * span + own[:, np.maximum(owner, 0)],
        (np.max(item) + 1 + np.arange(env.n_components)) * span + whole[:, None],
    )
    _, allocation_orbit = np.unique(allocation.ravel(), return_inverse=True)
    _, payment_orbit = np.unique(own.ravel(), return_inverse=True)
    n_allocation = int(allocation_orbit.max()) + 1
    orbit = np.concatenate([allocation_orbit.ravel(), n_allocation + payment_orbit.ravel()])
    return orbit, int(orbit.max()) + 1, len(np.unique(whole))


def _mix(values: HashArray) -> HashArray:
    """The splitmix64 finaliser: a bijection on 64-bit words that spreads every bit."""
    values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def _row_hashes(
    matrix: sp.csr_array, lower: FloatArray, upper: FloatArray, columns: IntArray | None = None
) -> tuple[HashArray, HashArray]:
    """Two independent 64-bit hashes of each row's (column, value) multiset and bounds.

    A row's hash is a sum over its entries, so it does not depend on their order;
    values are rounded to 1e−10 so identical rows built in different orders hash
    alike; an entry that rounds to zero (a cancellation residue, kept in one order and
    exactly zero in another) counts as absent.
    """
    cols = (matrix.indices if columns is None else columns[matrix.indices]).astype(np.uint64)
    rounded = np.round(matrix.data, 10)
    values = rounded.view(np.uint64)
    bounds = _mix(np.nan_to_num(lower, neginf=-1e300).view(np.uint64)) ^ _mix(
        np.nan_to_num(upper, posinf=1e300).view(np.uint64) + np.uint64(_SEEDS[0])
    )
    m = matrix.shape[0]
    starts, empty = matrix.indptr[:-1], np.diff(matrix.indptr) == 0
    hashes = []
    for seed in _SEEDS[1:]:
        entries = np.where(rounded == 0, np.uint64(0), _mix(_mix(cols + np.uint64(seed)) ^ values))
        total = (
            np.add.reduceat(entries, np.minimum(starts, entries.size - 1))
            if entries.size
            else np.zeros(m, dtype=np.uint64)
        )
        total[empty] = 0
        hashes.append(_mix(total ^ bounds))
    return hashes[0], hashes[1]


@dataclass(frozen=True)
class Reduction:
    """A program reduced to orbits.

    Attributes
    ----------
    program : Program
        On ``symmetry.n_orbits`` columns, each distinct row once.
    row_keys : ndarray
        The hash of each row of ``program`` (after merging columns into orbits),
        to find the row any original row became.
    rows : ndarray of int
        The row of the unreduced program each row of ``program`` is.
    """

    program: Program
    row_keys: HashArray
    rows: IntArray


def merged_columns(matrix: sp.csr_array, symmetry: AgentSymmetry) -> sp.csr_array:
    """Rows over z rewritten over orbits: each column's coefficient moves to its orbit."""
    merged = sp.csr_array(
        (matrix.data, symmetry.column_orbit[matrix.indices], matrix.indptr),
        shape=(matrix.shape[0], symmetry.n_orbits),
    )
    merged.sum_duplicates()
    merged.eliminate_zeros()
    return merged


def merged_row_keys(
    program: Program, symmetry: AgentSymmetry
) -> tuple[HashArray, HashArray, sp.csr_array]:
    """Both hashes of every row of ``program`` once its columns are merged into orbits."""
    merged = merged_columns(program.matrix, symmetry)
    key, check = _row_hashes(merged, program.row_lower, program.row_upper)
    return key, check, merged


def symmetry_obstacle(program: Program, symmetry: AgentSymmetry) -> str | None:
    """Why relabelling agents does not map ``program`` onto itself, or None if it does.

    Column bounds and costs must be constant on orbits, and the rows of every family
    that does not declare itself symmetric must be permuted among themselves by the
    generators (rows of declared families may be left out of ``program``).
    """
    orbit, n_orbits = symmetry.column_orbit, symmetry.n_orbits
    if _varies_on_orbits(symmetry, program.column_lower, program.column_upper):
        return _BOUNDS_DIFFER
    cost = np.bincount(orbit, weights=program.cost, minlength=n_orbits)
    counts = np.bincount(orbit, minlength=n_orbits)
    if not np.allclose(cost[orbit] / counts[orbit], program.cost, atol=1e-12, rtol=1e-9):
        return f"the objective {program.objective.name!r} is not symmetric in the agents"
    for family in program.families:
        if not family.symmetric and not _invariant(program, family.name, symmetry):
            return f"the family {family.name!r} is not mapped onto itself by relabelling agents"
    return None


def bounds_obstacle(problem: DesignProblem, symmetry: AgentSymmetry) -> str | None:
    """Why the families' column bounds are not constant on orbits, or None.

    Checked before compiling, from the bounds alone (a fixed allocation such as the
    efficient one, whose ties go to the lowest index, is not anonymous), so ``auto``
    never chooses a reduction that :func:`reduce_program` would then refuse.
    """
    n_columns = len(symmetry.column_orbit)
    lower, upper = np.full(n_columns, -np.inf), np.full(n_columns, np.inf)
    for family in problem.families:
        bounds = family.bounds(problem.env)
        if bounds is None:
            continue
        lower[bounds.columns] = np.maximum(lower[bounds.columns], bounds.lower)
        upper[bounds.columns] = np.minimum(upper[bounds.columns], bounds.upper)
    return _BOUNDS_DIFFER if _varies_on_orbits(symmetry, lower, upper) else None


_BOUNDS_DIFFER = (
    "column bounds differ within an orbit (e.g. a fixed allocation that is not anonymous)"
)


def _varies_on_orbits(symmetry: AgentSymmetry, *vectors: FloatArray) -> bool:
    """Whether any of the column vectors takes two values on one orbit."""
    orbit = symmetry.column_orbit
    on_orbit = np.empty(symmetry.n_orbits)
    for vector in vectors:
        on_orbit[orbit] = vector  # any member's
        if np.any(on_orbit[orbit] != vector):
            return True
    return False


def reduce_program(program: Program, symmetry: AgentSymmetry) -> Reduction | str:
    """The program over orbits, with each distinct row once, or why it is not symmetric."""
    obstacle = symmetry_obstacle(program, symmetry)
    if obstacle is not None:
        return obstacle
    orbit, n_orbits = symmetry.column_orbit, symmetry.n_orbits
    lower, upper = np.empty(n_orbits), np.empty(n_orbits)
    lower[orbit], upper[orbit] = program.column_lower, program.column_upper
    # numpy's stubs type bincount as integer even with float weights
    cost: FloatArray = np.bincount(orbit, weights=program.cost, minlength=n_orbits)  # type: ignore[assignment]

    key, check, merged = merged_row_keys(program, symmetry)
    first, row_map = _groups(key)
    if np.any(check != check[first][row_map]):
        raise RuntimeError("internal error: two different rows share a 64-bit hash")
    # rows that became 0 ≤ 0 (or similar) say nothing: drop them
    empty = np.diff(merged.indptr)[first] == 0
    feasible = (program.row_lower[first] <= 0) & (program.row_upper[first] >= 0)
    dropped = empty & feasible
    order = np.argsort(first)  # keep rows in program order, so families stay contiguous
    order = order[~dropped[order]]
    kept = first[order]
    family_of_row = np.searchsorted(
        [s.stop for s in program.row_slices.values()], kept, side="right"
    )
    names = list(program.row_slices)
    slices, start = {}, 0
    for f, name in enumerate(names):
        count = int(np.count_nonzero(family_of_row == f))
        slices[name] = slice(start, start + count)
        start += count
    reduced = replace(
        program,
        matrix=sp.csr_array(merged[kept]),
        row_lower=program.row_lower[kept],
        row_upper=program.row_upper[kept],
        row_slices=slices,
        column_lower=lower,
        column_upper=upper,
        cost=cost,
        standard_layout=False,
    )
    return Reduction(reduced, key[kept], kept)


def _groups(key: HashArray) -> tuple[IntArray, IntArray]:
    """First index of each group of equal keys, and the group of each element.

    What ``np.unique(..., return_index, return_inverse)`` returns, with one
    unstable sort: numpy's stable sort is ten times slower on millions of 64-bit
    keys, and the first index is recovered with a minimum per group instead.
    """
    order = np.argsort(key)
    ordered = key[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    group = np.empty(len(key), dtype=np.intp)
    group[order] = np.cumsum(np.concatenate([[True], ordered[1:] != ordered[:-1]])) - 1
    first = np.minimum.reduceat(order, starts) if len(key) else np.zeros(0, dtype=np.intp)
    return first, group


def _invariant(program: Program, name: str, symmetry: AgentSymmetry) -> bool:
    """Whether each generator maps the family's rows onto the same multiset of rows."""
    rows = program.row_slices[name]
    block = program.matrix[rows]
    lower, upper = program.row_lower[rows], program.row_upper[rows]
    original = np.sort(_row_hashes(block, lower, upper)[0])
    for generator in symmetry.generators:
        moved = np.sort(_row_hashes(block, lower, upper, columns=generator)[0])
        if not np.array_equal(original, moved):
            return False
    return True


class SharedDuals(Mapping[str, FloatArray]):
    """Duals on every family's own rows, computed on first use.

    The reduced program holds one row per orbit of rows (of the program over utility
    columns, if ``columns``: the same rows, so the same duals); its dual is shared equally
    among the rows of the orbit (averaging an optimal dual over relabellings keeps it
    optimal). Finding each original row's orbit needs all of the original rows, which
    the reduction itself never builds, so that work waits until duals are asked for.
    It keeps only plain data (the environment, the compiled families, the orbits and
    the reduced duals), and pickles as the plain dictionary of duals.
    """

    def __init__(
        self,
        env: Environment,
        families: tuple[ConstraintFamily, ...],
        symmetry: AgentSymmetry,
        row_keys: HashArray,
        reduced_duals: FloatArray,
        columns: UtilityColumns | None = None,
    ) -> None:
        self._arguments = (env, families, symmetry, row_keys, reduced_duals, columns)
        self._duals: dict[str, FloatArray] | None = None

    def _compute(self) -> dict[str, FloatArray]:
        env, families, symmetry, row_keys, reduced_duals, columns = self._arguments
        full = compile_program(env, ZeroObjective(), families)
        if columns is not None:  # the reduction was of the program over utilities
            full = columns.program(full)
        key, _, merged = merged_row_keys(full, symmetry)
        order = np.argsort(row_keys)
        position = (
            np.minimum(np.searchsorted(row_keys, key, sorter=order), len(order) - 1)
            if len(order)
            else np.zeros(len(key), int)
        )
        index = order[position] if len(order) else position
        found = len(order) > 0
        matched = (row_keys[index] == key) if found else np.zeros(len(key), bool)
        if np.any(~matched & (np.diff(merged.indptr) > 0)):
            raise RuntimeError("internal error: a row has no counterpart in the reduction")
        copies = np.bincount(index[matched], minlength=len(row_keys))
        shared = np.where(matched, reduced_duals[index] / np.maximum(copies[index], 1), 0.0)
        return {name: shared[rows] for name, rows in full.row_slices.items()}

    def _values(self) -> dict[str, FloatArray]:
        if self._duals is None:
            self._duals = self._compute()
        return self._duals

    def __getitem__(self, name: str) -> FloatArray:
        return self._values()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values())

    def __len__(self) -> int:
        return len(self._values())

    def __reduce__(self) -> tuple[type, tuple[dict[str, FloatArray]]]:
        """Pickle as the dictionary of duals: plain data, whatever is computed."""
        return dict, (dict(self._values()),)


class Symmetric(Formulation):
    """The direct program reduced to anonymous mechanisms (see the module docstring)."""

    name = "symmetric"

    def __init__(self) -> None:
        self._symmetry: tuple[Environment, AgentSymmetry | str] | None = None

    def _symmetry_of(self, env: Environment) -> AgentSymmetry | str:
        """``agent_symmetry(env)``, remembered for the last environment asked about."""
        if self._symmetry is None or self._symmetry[0] is not env:
            self._symmetry = (env, agent_symmetry(env))
        return self._symmetry[1]

    def _agent_symmetry(self, env: Environment) -> AgentSymmetry:
        """``agent_symmetry(env)``, refused when the agents are not symmetric."""
        symmetry = self._symmetry_of(env)
        if isinstance(symmetry, str):
            raise InvalidArgumentError(f"formulation 'symmetric': {symmetry}")
        return symmetry

    def obstacle(self, problem: DesignProblem) -> str | None:
        if problem.objective.requires_cvxpy or any(f.requires_cvxpy for f in problem.families):
            return "parts written as cvxpy expressions cannot be reduced"
        if problem.deterministic:
            return "a deterministic optimum need not be anonymous (averaging randomises)"
        symmetry = self._symmetry_of(problem.env)
        if isinstance(symmetry, str):
            return symmetry
        return bounds_obstacle(problem, symmetry)

    def reduce(self, problem: DesignProblem) -> tuple[Program, Reduction, float]:
        """The program as compiled (symmetric families: agent 0's rows only), its reduction
        to orbits, and the seconds spent building agent 0's rows."""
        env = problem.env
        symmetry = self._agent_symmetry(env)
        start = time.perf_counter()
        blocks = {}
        for family in problem.families:  # other agents' rows are relabelled copies of agent 0's
            rows = family.agent_rows(env, [0]) if family.symmetric else None
            if rows is not None:
                blocks[family.name] = (rows, family.bounds(env))
        build_seconds = time.perf_counter() - start
        program = compile_program(env, problem.objective, problem.families, blocks=blocks)
        reduction = reduce_program(program, symmetry)
        if isinstance(reduction, str):
            raise InvalidArgumentError(f"formulation 'symmetric': {reduction}")
        return program, reduction, build_seconds

    def stage_program(
        self, problem: DesignProblem, duals: Mapping[str, FloatArray], anonymous: bool
    ) -> StageProgram | None:
        """The program over orbits for an anonymous target (else None: the direct one)."""
        if not anonymous:
            return None
        symmetry = self._agent_symmetry(problem.env)  # the first stage ran on it
        return StageProgram(
            self.reduce(problem)[1].program,
            symmetry.column_orbit,
            note="on the symmetric program",
        )

    def run(self, problem: DesignProblem, engine: Backend, options: dict[str, Any]) -> Outcome:
        env = problem.env
        symmetry = self._agent_symmetry(env)
        start = time.perf_counter()
        program, reduction, build_seconds = self.reduce(problem)
        reduced = reduction.program
        reduce_seconds = (
            time.perf_counter()
            - start
            - build_seconds
            - program.build_seconds
            - program.stack_seconds
        )
        result = run_program(engine, reduced, options)
        z = None if result.x is None else result.x[symmetry.column_orbit]
        duals = (
            {}
            if result.row_duals is None
            else SharedDuals(env, problem.families, symmetry, reduction.row_keys, result.row_duals)
        )
        details = (
            f"symmetric: {symmetry.n_profile_orbits} of {env.n_profiles} profiles up to "
            f"relabelling agents; {reduced.n_rows} rows and {reduced.n_columns} of "
            f"{program.n_columns} columns"
        )
        return Outcome(
            status=result.status,
            message=result.message,
            z=z,
            objective=result.objective,
            duals=duals,
            sizes=Sizes.of(reduced),
            build_seconds=build_seconds + program.build_seconds,
            compile_seconds=program.stack_seconds + reduce_seconds + result.compile_seconds,
            solve_seconds=result.solve_seconds,
            algorithm=result.algorithm,
            details=details,
            orbit_program=None
            if result.row_duals is None
            else OrbitProgram(
                symmetry.column_orbit, reduction.rows, result.row_duals, reduced.row_slices
            ),
        )
