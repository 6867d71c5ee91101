"""Symmetric generation: incentive rows generated on the program over anonymous mechanisms.

With identical agents whose types are multi-dimensional, three reductions apply and
they compose:

* *symmetry* (:mod:`lpmech.formulations.symmetric`): an optimal mechanism may be
  taken anonymous, a(σθ) = σ·a(θ), t(σθ) = σ·t(θ), so the program lives on one
  column per orbit of columns, and the rows of a family about agent 0 stand for
  every agent's (agent j's rows are agent 0's relabelled, and hold for an
  anonymous mechanism exactly when agent 0's do);
* *generation* (:mod:`lpmech.formulations.generation`): of agent 0's full
  incentive rows, N·P·(K − 1)/N of them, only the few the optimum needs are built;
* *utility columns* (:mod:`lpmech.formulations.utility_columns`): payments written
  through utilities, t_i(θ) = V_i(θ)·a(θ) − u_i(θ), a substitution that commutes with
  relabelling agents, so the program over orbits of (a, u) has the same rows with
  fewer non-zeros. On 12 × 12 it cut the solve from 32.4 s to 23.0 s (first solve
  45,646 dual simplex iterations in 5.5 s against 47,597 in 8.6 s), on 10 × 10 from
  2.8 s to 2.1 s.

So the program starts from the families without agents (feasibility) and the
symmetric families' rows of agent 0, merged into orbits
(:func:`~lpmech.formulations.symmetric.reduce_program`) — but of the incentive rows
only each type against its lower neighbour along each axis (:func:`lower_neighbours`),
and of the per-profile participation rows only those where agent 0 has a lowest type
(:func:`profile_seeds`). Each round expands the solution to the anonymous mechanism,
measures each generated family's full violation on it (z = M y over utilities), and
adds agent 0's violated rows — for incentive rows, those of each (type, others' profile)'s
``policy.lies_per_type`` most profitable lies, one row each — their columns merged
into orbits, re-solving from the last basis
(:func:`~lpmech.formulations.row_generation.generate`). With three or more agents,
agent 0's rows that differ only in which other agent holds which type are one row
over orbits, and only the one with the others' types sorted is built.

Measured on 2 bidders × 2 additive items U[0,1] (CPU seconds on a loaded 2-core
machine): 8 × 8 per bidder 1.0 s against 9.0 s for plain generation, 10 × 10 6.3 s
against 164 s (wall) earlier. On a quiet machine, with utility columns and Devex on
small re-solves (:meth:`~lpmech.formulations.row_generation.RowPolicy.resolve_options`):
8 × 8 0.26 s, 12 × 12 22.7 s in 6 solves (the first 5.5 s, the next two 6.6 s and
3.0 s); 2 bidders × 3 items on 5 × 5 × 5 32 s in 7 solves (benchmarks/README.md).

Alternatives measured on 10 × 10 (CPU seconds of the whole solve, each against this
design in the same run; HiGHS 1.16) and left out, all slower:

* feasibility rows generated too, from none (only the bounds 0 ≤ a ≤ 1 kept): 15.2 s
  against 5.3 s — most of them bind (both bidders want an item at most profiles), so
  they come back over six solves instead of four;
* every incentive row of the final program built up front (the best any seeding from a
  coarser grid's binding rows could do): one solve of 23,877 iterations, 7.6 s against
  6.5 s — iterations cost more the more incentive rows the program holds;
* a start from the 5 × 5 optimum copied onto the grid (``setSolution``): 15,057 first-solve
  iterations instead of 21,696 but 7.8 s against 5.6 s;
* fewer lies per round (``lies_per_type`` 1 or 4: 12 or 6 solves, 11.3 s and 8.0 s against
  7.6 s) — each re-solve costs about 0.4 s however few its iterations (HiGHS
  recomputes its steepest-edge weights after new rows; now Devex on small rounds);
* HiGHS options: devex or Dantzig dual pricing throughout (8.1 s, 10.9 s against
  7.1 s), primal simplex (2.2 s against 0.8 s at 8 × 8), presolve off (7.7 s), no
  scaling or another crash (the same iterations); on 12 × 12, HiGHS's parallel dual
  simplex (``simplex_strategy`` 2 or 3 on 2 cores: 43.6 s and 37.4 s against 32.4 s).

*Exactness.* At the last round no row of agent 0 is violated, so the anonymous
mechanism meets every agent's rows; it is therefore feasible for the full program
and optimal for the reduced program with all of agent 0's rows, whose optimum is
the full program's (symmetrisation, as in the symmetric formulation). Rows never
added are slack. :func:`lpmech.solve` verifies the mechanism against the full
families regardless.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from lpmech.arrays import FloatArray, IntArray
from lpmech.backends.engines import Backend, HighspyBackend
from lpmech.constraints.base import ConstraintFamily, RowBlock
from lpmech.errors import InvalidArgumentError
from lpmech.formulations.base import DesignProblem, Formulation, Outcome, Sizes, StageProgram
from lpmech.formulations.generation import Generation, generated_families
from lpmech.formulations.row_generation import (
    DEFAULT_POLICY,
    Candidates,
    GenerationRun,
    RowPolicy,
    Separator,
    generate,
)
from lpmech.formulations.symmetric import (
    AgentSymmetry,
    Reduction,
    SharedDuals,
    Symmetric,
    agent_symmetry,
    merged_columns,
    reduce_program,
)
from lpmech.formulations.utility_columns import UtilityColumns, utility_columns_obstacle
from lpmech.problem.environment import Environment
from lpmech.problem.scales import money_scale
from lpmech.program.compiler import Program, compile_program
from lpmech.results.mechanism import Mechanism


def canonical_keys(env: Environment, family: ConstraintFamily, keys: IntArray) -> IntArray:
    """Agent 0's rows with the others' types sorted, each once.

    Rows of agent 0 that differ only in which of the others holds which type become one
    row over orbits (their columns are the same orbits), so one of them stands for all.
    """
    per_pair = family.rows_per_pair(env, 0)
    pair, other = np.divmod(np.asarray(keys, dtype=np.intp), per_pair)
    shape = (env.type_counts[0],) * (env.n_agents - 1)
    sorted_other = np.ravel_multi_index(
        tuple(np.sort(np.stack(np.unravel_index(other, shape)), axis=0)), shape
    )
    return np.unique(pair * per_pair + sorted_other)


def lower_neighbours(types: FloatArray) -> tuple[IntArray, IntArray]:
    """Each type against the next lower type along each axis (same other coordinates).

    On a grid, k against k − e_d for every d: the downward deviations, those that bind
    where higher types are tempted to pass for lower ones (revenue). Types need not
    fill a grid: along each line of equal other coordinates, consecutive types pair up.
    """
    dimension = types.shape[1]
    true_types, reports = [], []
    for d in range(dimension):
        others = np.delete(types, d, axis=1)
        order = np.lexsort((types[:, d], *others.T[::-1]))
        same_line = np.all(others[order[1:]] == others[order[:-1]], axis=1)
        true_types.append(order[1:][same_line])
        reports.append(order[:-1][same_line])
    return np.concatenate(true_types), np.concatenate(reports)


def first_agent_seeds(env: Environment, family: ConstraintFamily) -> IntArray:
    """Agent 0's rows against its lower neighbours (the rows generation starts from).

    Measured on 2 bidders × 2 additive items U[0,1]: starting from the lower neighbours
    and adding single violated rows takes 0.85 s CPU on 8 × 8 and 8 s on 10 × 10 (3–4
    solves), against 1.8 s and 25 s from the neighbours in every direction with each
    violated lie's rows at every others' profile (2 solves: a first solve of many rows).
    """
    types = env.agents[0].types.reshape(env.type_counts[0], -1)
    return canonical_keys(env, family, family.pair_rows(env, 0, *lower_neighbours(types)))


def shared_incentive_duals(
    env: Environment, family: ConstraintFamily, keys: IntArray, duals: FloatArray
) -> FloatArray:
    """Duals on every row of the family from the duals of agent 0's rows over orbits.

    A row over orbits stands for the rows of every agent j with the same true type,
    report and multiset of the others' types: N·A rows, A the arrangements of that
    multiset among the N − 1 others. Sharing its dual equally among them keeps the dual
    optimal (the average of an optimal dual over relabellings). Rows never generated
    are slack: dual 0.
    """
    n, per_pair = env.n_agents, family.rows_per_pair(env, 0)
    first = np.zeros(family.block_size(env, 0))
    first[keys] = duals
    shape = (env.type_counts[0],) * (n - 1)
    sorted_other = np.ravel_multi_index(
        tuple(np.sort(np.stack(np.unravel_index(np.arange(per_pair), shape)), axis=0)), shape
    )
    arrangements = np.bincount(sorted_other, minlength=per_pair)[sorted_other]
    shared = first.reshape(-1, per_pair)[:, sorted_other] / (n * arrangements)
    return np.tile(shared.ravel(), n)  # agent j's rows are ordered as agent 0's


def most_violated_first_agent_rows(
    env: Environment, family: ConstraintFamily, violation: FloatArray, tol: float, lies: int
) -> IntArray:
    """Agent 0's rows of each (true type, others' profile)'s ``lies`` most profitable lies
    that gain more than ``tol`` — those rows only, not the lies' rows at every profile."""
    n, per_pair = env.type_counts[0], family.rows_per_pair(env, 0)
    gains = violation[: family.block_size(env, 0)].reshape(n, n - 1, per_pair)
    count = min(lies, n - 1)
    best = np.argpartition(-gains, count - 1, axis=1)[:, :count, :]
    true_types, rank, others = np.nonzero(np.take_along_axis(gains, best, axis=1) > tol)
    lie = best[true_types, rank, others]
    return (true_types * (n - 1) + lie) * per_pair + others


def canonical_profiles(env: Environment, profiles: IntArray) -> IntArray:
    """The profiles with agent 0's type kept and the others' types sorted, each once."""
    types = env.layout.profile_types[profiles]
    types[:, 1:] = np.sort(types[:, 1:], axis=1)
    return np.unique(env.layout.profile_index(types)) if len(types) else np.zeros(0, dtype=np.intp)


def profile_seeds(env: Environment) -> IntArray:
    """Agent 0's per-profile rows where its type has no lower neighbour (IR binds at the
    bottom; higher types' IR follows from IC against lower neighbours for monotone values,
    and is added if violated)."""
    types = env.agents[0].types.reshape(env.type_counts[0], -1)
    bottom = ~np.isin(np.arange(len(types)), lower_neighbours(types)[0])
    return canonical_profiles(env, np.flatnonzero(bottom[env.layout.profile_types[:, 0]]))


def shared_profile_duals(env: Environment, keys: IntArray, duals: FloatArray) -> FloatArray:
    """Duals on every (agent, profile) row from agent 0's rows at canonical profiles.

    Agent j's row at θ stands with agent 0's at (θ_j, sorted θ_{-j}); that row over
    orbits stands for N·A rows (A the arrangements of the others' multiset), which
    share its dual equally. Rows never added are slack: dual 0.
    """
    n, types = env.n_agents, env.layout.profile_types
    first = np.zeros(env.n_profiles)
    first[keys] = duals
    canonical = [
        env.layout.profile_index(
            np.column_stack([types[:, j], np.sort(np.delete(types, j, axis=1), axis=1)])
        )
        for j in range(n)
    ]
    arrangements = np.bincount(canonical[0], minlength=env.n_profiles)
    return np.concatenate([first[c] / (n * arrangements[c]) for c in canonical])


def decisions(
    x: FloatArray, symmetry: AgentSymmetry, columns: UtilityColumns | None
) -> FloatArray:
    """The anonymous mechanism's z of an orbit solution x (over utilities if ``columns``)."""
    full = x[symmetry.column_orbit]
    return full if columns is None else columns.decisions(full)


def orbit_rows(
    block: RowBlock, symmetry: AgentSymmetry, columns: UtilityColumns | None
) -> RowBlock:
    """Rows over z as rows of the reduced program: over utilities if ``columns``, then
    each column's coefficient moved to its orbit."""
    if columns is not None:
        block = columns.rows(block)
    return RowBlock(merged_columns(block.matrix, symmetry), block.lower, block.upper)


class ViolatedProfileRows(Separator):
    """Agent 0's violated per-profile rows (at canonical profiles) of an orbit solution."""

    def __init__(
        self,
        env: Environment,
        family: ConstraintFamily,
        symmetry: AgentSymmetry,
        tol: float,
        columns: UtilityColumns | None = None,
    ) -> None:
        self.env, self.family, self.symmetry, self.tol = env, family, symmetry, tol
        self.columns = columns
        self.name = family.name
        first_agent = family.agent_rows(env, [0])
        if first_agent is None:
            raise InvalidArgumentError(
                f"constraint family {family.name!r} declares per_profile_rows but gives no "
                "rows by agent (agent_rows returns None)"
            )
        self.first_agent = first_agent
        #: The family's full violation at the last solution checked (every agent).
        self.measured: FloatArray | None = None

    def rows(self, keys: IntArray) -> RowBlock:
        """Agent 0's rows at these profiles, over orbits."""
        block = self.first_agent
        return orbit_rows(
            RowBlock(sp.csr_array(block.matrix[keys]), block.lower[keys], block.upper[keys]),
            self.symmetry,
            self.columns,
        )

    def candidates(self, x: FloatArray) -> Candidates:
        env = self.env
        z = decisions(x, self.symmetry, self.columns)
        self.measured = self.family.violation(Mechanism(env, *env.layout.split(z)))
        keys = canonical_profiles(env, np.flatnonzero(self.measured[: env.n_profiles] > self.tol))
        return Candidates(self.rows(keys), self.measured[keys], keys)


class OrbitViolatedRows(Separator):
    """Agent 0's most violated rows at the anonymous mechanism of an orbit solution."""

    def __init__(
        self,
        env: Environment,
        family: ConstraintFamily,
        symmetry: AgentSymmetry,
        tol: float,
        lies: int,
        columns: UtilityColumns | None = None,
    ) -> None:
        self.env, self.family, self.symmetry, self.tol, self.lies = (
            env,
            family,
            symmetry,
            tol,
            lies,
        )
        self.columns = columns
        self.name = family.name
        #: The family's full violation at the last solution checked (every agent).
        self.measured: FloatArray | None = None

    def candidates(self, x: FloatArray) -> Candidates:
        env = self.env
        z = decisions(x, self.symmetry, self.columns)
        self.measured = self.family.violation(Mechanism(env, *env.layout.split(z)))
        keys = canonical_keys(
            env,
            self.family,
            most_violated_first_agent_rows(env, self.family, self.measured, self.tol, self.lies),
        )
        rows = orbit_rows(self.family.rows_at(env, keys), self.symmetry, self.columns)
        return Candidates(rows, self.measured[keys], keys)


def _generated_per_profile(family: ConstraintFamily) -> bool:
    """Whether symmetric generation generates the family's per-profile rows (participation)."""
    return family.per_profile_rows and family.symmetric


class SymmetricGeneration(Formulation):
    """Generation of agent 0's incentive rows over anonymous mechanisms (module docstring)."""

    name = "symmetric_generation"

    def __init__(
        self,
        policy: RowPolicy = DEFAULT_POLICY,
        *,
        fall_back: bool = False,
        utilities: bool = True,
    ) -> None:
        #: Which violated rows join each round, and the round cap.
        self.policy = policy
        #: Solve over allocations and utilities where no family bounds a payment
        #: (:mod:`lpmech.formulations.utility_columns`); False keeps payments.
        self.utilities = utilities
        #: Whether a program that relabelling agents does not map onto itself (a family or
        #: objective that treats identical agents differently) is solved by plain
        #: generation instead of refused (what ``formulation="auto"`` asks for).
        self.fall_back = fall_back

    def obstacle(self, problem: DesignProblem) -> str | None:
        obstacle = Generation(self.policy).obstacle(problem) or Symmetric().obstacle(problem)
        if obstacle is not None:
            return obstacle
        env = problem.env
        for family in generated_families(problem):
            if not family.symmetric or not family.every_pair(env):
                return (
                    f"the generated family {family.name!r} has no rows by (true type, "
                    "report[, others' profile]) for every pair"
                )
        return None

    def run(self, problem: DesignProblem, engine: Backend, options: dict[str, Any]) -> Outcome:
        if not isinstance(engine, HighspyBackend):
            raise InvalidArgumentError(
                "formulation 'symmetric_generation' re-solves from the last basis with "
                "highspy; use backend='highspy' (or 'auto')"
            )
        env = problem.env
        symmetry = agent_symmetry(env)
        if isinstance(symmetry, str):
            raise InvalidArgumentError(f"formulation 'symmetric_generation': {symmetry}")
        start = time.perf_counter()
        generated = generated_families(problem)  # each by pair for every pair (obstacle)
        seeds = self._seeds(problem)
        program, columns, separators, reduction = self._orbit_program(
            problem, symmetry, seeds, self.utilities
        )
        if isinstance(reduction, str) and self.fall_back:
            outcome = Generation(self.policy).run(problem, engine, options)
            return replace(
                outcome, details=f"{outcome.details} (no symmetric reduction: {reduction})"
            )
        if isinstance(reduction, str):
            raise InvalidArgumentError(f"formulation 'symmetric_generation': {reduction}")
        reduced = reduction.program
        build_seconds = time.perf_counter() - start
        run = generate(reduced, separators, options, seeded=seeds, policy=self.policy)
        rows_by_family = reduced.rows_by_family()
        for separator in separators:
            rows_by_family[separator.name] += run.added[separator.name].n_rows
        sizes = Sizes(
            reduced.n_columns,
            run.n_rows,
            run.n_nonzeros,
            rows_by_family,
            reduced.nonzeros_by_family(),
        )
        details = (
            f"symmetric generation: {symmetry.n_profile_orbits} of {env.n_profiles} "
            f"profiles up to relabelling agents, {reduced.n_columns} of "
            f"{program.n_columns} columns; "
            + run.details(
                "incentive rows of agent 0",
                sum(rows_by_family[f.name] for f in generated),
                sum(f.block_size(env, 0) for f in generated),
            )
        )
        compile_seconds = program.stack_seconds + run.compile_seconds
        if run.x is None:
            return Outcome(
                run.status,
                run.message,
                None,
                None,
                {},
                sizes,
                build_seconds,
                compile_seconds,
                run.solve_seconds,
                details,
                algorithm=run.algorithm,
            )
        return Outcome(
            run.status,
            run.message,
            decisions(run.x, symmetry, columns),
            run.objective,
            self._duals(env, problem, reduction, run, seeds, separators, symmetry, columns),
            sizes,
            build_seconds,
            compile_seconds,
            run.solve_seconds,
            details,
            measured={s.name: s.measured for s in separators if s.measured is not None},
            algorithm=run.algorithm,
        )

    @staticmethod
    def _seeds(problem: DesignProblem) -> dict[str, IntArray]:
        """Agent 0's rows each generated family starts with (canonical keys)."""
        env = problem.env
        seeds = {f.name: first_agent_seeds(env, f) for f in generated_families(problem)}
        seeds.update(
            {f.name: profile_seeds(env) for f in problem.families if _generated_per_profile(f)}
        )
        return seeds

    def _orbit_program(
        self,
        problem: DesignProblem,
        symmetry: AgentSymmetry,
        keys: dict[str, IntArray],
        utilities: bool,
    ) -> tuple[
        Program,
        UtilityColumns | None,
        list[OrbitViolatedRows | ViolatedProfileRows],
        Reduction | str,
    ]:
        """The program with agent 0's rows ``keys`` of each generated family (agent 0's
        rows of the other symmetric families), over utilities if ``utilities`` and they
        apply; its separators; and its reduction to orbits (or why there is none)."""
        env = problem.env
        tol = 1e-9 * money_scale(env)  # the agents' money, not the principal's values
        blocks = {}
        for family in problem.families:  # the others' rows are relabelled copies of agent 0's
            if family.name in keys:
                blocks[family.name] = (family.rows_at(env, keys[family.name]), family.bounds(env))
            elif family.symmetric and (rows := family.agent_rows(env, [0])) is not None:
                blocks[family.name] = (rows, family.bounds(env))
        program = compile_program(env, problem.objective, problem.families, blocks=blocks)
        columns = None
        if utilities and utility_columns_obstacle(program) is None:
            columns = UtilityColumns.of(env)
            program = columns.program(program)
        generated = generated_families(problem)
        separators: list[OrbitViolatedRows | ViolatedProfileRows] = [
            OrbitViolatedRows(env, f, symmetry, tol, self.policy.lies_per_type, columns)
            for f in generated
        ]
        separators += [
            ViolatedProfileRows(env, f, symmetry, tol, columns)
            for f in problem.families
            if _generated_per_profile(f)
        ]
        return program, columns, separators, reduce_program(program, symmetry)

    def stage_program(
        self, problem: DesignProblem, duals: Mapping[str, FloatArray], anonymous: bool
    ) -> StageProgram:
        """Over anonymous mechanisms for an anonymous target: agent 0's seed rows and those
        whose (shared) dual is non-zero at the first stage's optimum, over payment columns,
        with :meth:`run`'s separators; else plain generation's
        (:meth:`Generation.stage_program`)."""
        env = problem.env
        symmetry = agent_symmetry(env)
        if not anonymous or isinstance(symmetry, str):
            return Generation(self.policy).stage_program(problem, duals, anonymous)
        keys = self._seeds(problem)
        for family in problem.families:
            if family.name not in keys or family.name not in duals:
                continue
            if _generated_per_profile(family):
                first = np.flatnonzero(duals[family.name][: env.n_profiles])
                binding = canonical_profiles(env, first)
            else:
                size = family.block_size(env, 0)
                first = np.flatnonzero(duals[family.name][:size])
                binding = canonical_keys(env, family, first)
            keys[family.name] = np.union1d(keys[family.name], binding).astype(np.intp)
        _, _, separators, reduction = self._orbit_program(problem, symmetry, keys, False)
        if isinstance(reduction, str):  # as run() falls back
            return Generation(self.policy).stage_program(problem, duals, anonymous)
        return StageProgram(
            reduction.program,
            symmetry.column_orbit,
            None,
            tuple(separators),
            keys,
            self.policy,
            "on agent 0's generated incentive rows over anonymous mechanisms",
        )

    @staticmethod
    def _duals(
        env: Environment,
        problem: DesignProblem,
        reduction: Reduction,
        run: GenerationRun,
        seeds: dict[str, IntArray],
        separators: list[OrbitViolatedRows | ViolatedProfileRows],
        symmetry: AgentSymmetry,
        columns: UtilityColumns | None,
    ) -> dict[str, FloatArray]:
        """Duals on each family's own rows: incentive rows by :func:`shared_incentive_duals`,
        the others shared over their orbits of rows (:class:`SharedDuals`). Over utility
        columns the rows are the same rows, with the same duals."""
        reduced = reduction.program
        row_dual = run.optimal_duals(problem.families)
        duals = {}
        by_name = {s.name: s for s in separators}
        others = np.ones(reduced.n_rows, dtype=bool)
        for family in problem.families:
            if family.name not in seeds:
                continue
            initial = reduced.row_slices[family.name]
            if initial.stop - initial.start != len(seeds[family.name]):
                raise RuntimeError("internal error: generated rows were merged by the reduction")
            others[initial] = False
            added = run.added[family.name]
            rows = np.concatenate([np.arange(initial.start, initial.stop), added.all_rows()])
            keys = np.concatenate([seeds[family.name], added.all_keys()])
            duals[family.name] = (
                shared_incentive_duals(env, family, keys, row_dual[rows])
                if isinstance(by_name[family.name], OrbitViolatedRows)
                else shared_profile_duals(env, keys, row_dual[rows])
            )
        rest = tuple(f for f in problem.families if f.name not in seeds)
        shared = SharedDuals(
            env,
            rest,
            symmetry,
            reduction.row_keys[others],
            row_dual[: reduced.n_rows][others],
            columns,
        )
        return {**dict(shared), **duals}
