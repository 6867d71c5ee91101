"""Constraint generation: incentive rows added only where the optimum needs them.

With multi-dimensional types no local reduction is valid, and full IC has K(K−1)
pairs per agent (390,000 for a 25 × 25 grid). At an optimum few of them bind, so
this formulation

1. starts each type with its neighbours along every axis of the grid (counted in
   grid steps, so an elongated support such as U[4,16]×U[4,7] is treated like a
   square) — the deviations most likely to bind — and, where a feasibility row
   caps several items the agent values together (unit demand), the type one step
   down in every coordinate (:func:`capped_together`),
2. solves with HiGHS, over allocations and utilities rather than payments where no
   family bounds a payment (:mod:`lpmech.formulations.utility_columns`: the same
   program with sparser rows),
3. measures the *full* incentive violation of the optimum with the family's own
   vectorised check (``family.violation``, written from utilities of true and
   reported types),
4. adds the rows the family names for it (``family.most_violated_rows``: for
   incentive compatibility, for every agent, true type and others' profile, the
   rows of its ``policy.lies_per_type`` most profitable lies that gain anything) —
   and re-solves from the current basis (HiGHS ``addRows``, a warm start),

until no lie gains more than the tolerance. The loop is the one row-generation
engine (:mod:`lpmech.formulations.row_generation`); this module says which
families it generates (``family.generated``) and how each starts. Rows never added are slack at the
final optimum, so it is the optimum of the full program; :func:`lpmech.solve`
verifies it against full IC regardless.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from lpmech.arrays import FloatArray, IntArray
from lpmech.backends.engines import Backend, HighspyBackend
from lpmech.constraints.base import ConstraintFamily
from lpmech.formulations.base import (
    DesignProblem,
    Formulation,
    Outcome,
    Sizes,
    StageProgram,
    program_duals,
)
from lpmech.formulations.row_generation import (
    DEFAULT_POLICY,
    Candidates,
    GenerationRun,
    RowPolicy,
    Separator,
    generate,
)
from lpmech.formulations.utility_columns import UtilityColumns, utility_columns_obstacle
from lpmech.problem.environment import Environment
from lpmech.problem.scales import money_scale
from lpmech.program.compiler import Program, compile_program
from lpmech.results.mechanism import Mechanism

#: Reports each type starts with: its nearest neighbours with each coordinate counted in
#: grid steps; None for two per dimension (on a grid, the neighbours along every axis —
#: the reports that bind in typical optima, whatever the aspect ratio of the support).
#: Adding each type's report of the lowest type as well was measured slower (2,500 more
#: rows on 50 × 50 that do not bind, same number of solves).
INITIAL_NEIGHBOURS: int | None = None
#: How near (in grid steps) a type must lie to the point one step down in every
#: coordinate to be seeded as that report (:func:`capped_together`).
DIAGONAL_REACH = 0.25


def generated_families(problem: DesignProblem) -> list[ConstraintFamily]:
    """The families generation builds row by row (``family.generated``)."""
    return [f for f in problem.families if f.generated]


def grid_steps(types: FloatArray) -> FloatArray:
    """Types with each coordinate divided by its typical grid step (the median gap between
    its distinct values), so neighbours along every axis are equally near."""
    steps = []
    for column in types.T:
        gaps = np.diff(np.unique(column))
        steps.append(np.median(gaps) if gaps.size else 1.0)
    return types / np.asarray(steps)


def nearest_reports(env: Environment, agent: int) -> tuple[IntArray, IntArray]:
    """Each type with its nearest reports in grid steps (by a k-d tree), and with the
    type one step down in every coordinate where the agent's values are capped
    together (:func:`capped_together`)."""
    types = grid_steps(env.agents[agent].types.reshape(env.type_counts[agent], -1))
    n, dimension = types.shape
    if n < 2:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    count = min(INITIAL_NEIGHBOURS or 2 * dimension, n - 1)
    tree = cKDTree(types)
    _, nearest = _query(tree, types, k=count + 1)  # the closest is the type itself
    reports = nearest[:, 1:].ravel()
    true_types = np.repeat(np.arange(n), count)
    keep = reports != true_types  # ties at distance 0 cannot happen: types are distinct
    true_types, reports = true_types[keep], reports[keep]
    if dimension > 1 and capped_together(env, agent):
        distance, below = _query(tree, types - 1.0, distance_upper_bound=DIAGONAL_REACH)
        new = np.isfinite(distance)
        new[new] = ~np.isin(np.flatnonzero(new) * n + below[new], true_types * n + reports)
        true_types = np.concatenate([true_types, np.flatnonzero(new)])
        reports = np.concatenate([reports, below[new]])
    return true_types, reports


def _query(
    tree: cKDTree, points: FloatArray, k: int = 1, distance_upper_bound: float = np.inf
) -> tuple[FloatArray, IntArray]:
    """The distances and indices of each point's ``k`` nearest neighbours in ``tree``, as
    arrays (scipy types ``query`` as returning scalars too, for a single point)."""
    distance, index = tree.query(points, k=k, distance_upper_bound=distance_upper_bound)
    return np.asarray(distance, dtype=float), np.asarray(index, dtype=np.intp)


def capped_together(env: Environment, agent: int) -> bool:
    """Whether a feasibility row of the allocation space holds several components the
    agent values (unit demand: Σ_j a_ij ≤ 1).

    Then lowering every value by one grid step lowers the agent's utility from any
    allocation on that row by the same amount, and the optima of such settings bind
    those reports along the diagonal: on 50 × 50 unit-demand U[0,1]², nearly every
    lie still violated after the axis seeds' solve was a step (−d, −d), and with the
    step (−1, −1) seeded generation finishes in its first solve (against 3 to 5).
    Additive items are capped one at a time, and there the extra rows do not bind."""
    valued = np.any(np.asarray(env.values_at_profiles(agent)) != 0, axis=0)
    held = env.allocation.matrix[:, np.flatnonzero(valued)]
    return bool(np.any(np.diff(sp.csr_array(held).indptr) >= 2))


def seed_rows(env: Environment, family: ConstraintFamily) -> IntArray:
    """The rows a generated family starts with: each type against its nearest reports."""
    return np.concatenate(
        [
            family.pair_rows(env, agent, *nearest_reports(env, agent))
            for agent in range(env.n_agents)
        ]
    )


def generated_program(problem: DesignProblem, keys: Mapping[str, IntArray]) -> Program:
    """The program with only the rows ``keys[name]`` of each generated family (in full form
    the others)."""
    env = problem.env
    blocks = {
        f.name: (f.rows_at(env, keys[f.name]), f.bounds(env)) for f in generated_families(problem)
    }
    return compile_program(env, problem.objective, problem.families, blocks=blocks)


def stage_keys(
    problem: DesignProblem, duals: Mapping[str, FloatArray], seeds: Mapping[str, IntArray]
) -> dict[str, IntArray]:
    """Each generated family's seed rows and the rows with a non-zero dual at the first
    stage's optimum (those its dual certificate uses: with them the program's optimum is
    the full program's)."""
    keys = {}
    for family in generated_families(problem):
        dual = np.asarray(duals.get(family.name, np.zeros(0)))
        keys[family.name] = np.union1d(seeds[family.name], np.flatnonzero(dual)).astype(np.intp)
    return keys


class ViolatedRows(Separator):
    """A family's most violated rows at a solution, from the family's own violation."""

    def __init__(
        self, env: Environment, family: ConstraintFamily, tol: float, lies: int = 1
    ) -> None:
        self.env, self.family, self.tol, self.lies = env, family, tol, lies
        self.name = family.name
        #: The family's violation at the last solution checked.
        self.measured: FloatArray | None = None

    def candidates(self, x: FloatArray) -> Candidates:
        env = self.env
        mechanism = Mechanism(env, *env.layout.split(x))
        self.measured = self.family.violation(mechanism)
        keys = self.family.most_violated_rows(env, self.measured, self.tol, self.lies)
        return Candidates(self.family.rows_at(env, keys), self.measured[keys], keys)


@dataclass(frozen=True)
class Generated:
    """A generated family: its separator and the rows it started with."""

    family: ConstraintFamily
    separator: ViolatedRows
    seeds: IntArray


class Generation(Formulation):
    """Incentive rows generated as the optimum needs them (see the module docstring)."""

    name = "generation"

    def __init__(self, policy: RowPolicy = DEFAULT_POLICY, utilities: bool = True) -> None:
        #: Which violated rows join each round, and the round cap.
        self.policy = policy
        #: Solve over utility columns where they apply (:mod:`lpmech.formulations.
        #: utility_columns`: the same program, sparser rows); False keeps payments.
        self.utilities = utilities

    def obstacle(self, problem: DesignProblem) -> str | None:
        if not generated_families(problem):
            return "no incentive family is left in full form (a local reduction applies)"
        if problem.deterministic:
            return "a deterministic mechanism is a MIP, which gains nothing from generation"
        if problem.objective.requires_cvxpy or any(f.requires_cvxpy for f in problem.families):
            return "parts written as cvxpy expressions need the cvxpy backend"
        return None

    def run(self, problem: DesignProblem, engine: Backend, options: dict[str, Any]) -> Outcome:
        if not isinstance(engine, HighspyBackend):
            raise ValueError(
                "formulation 'generation' re-solves from the last basis with "
                "highspy; use backend='highspy' (or 'auto')"
            )
        env = problem.env
        start = time.perf_counter()
        tol = 1e-9 * money_scale(env)  # the agents' money, not the principal's values
        generated = [
            Generated(f, ViolatedRows(env, f, tol, self.policy.lies_per_type), seed_rows(env, f))
            for f in generated_families(problem)
        ]
        program = generated_program(problem, {g.family.name: g.seeds for g in generated})
        separators: list[Separator] = [g.separator for g in generated]
        columns = None
        if self.utilities and utility_columns_obstacle(program) is None:
            columns = UtilityColumns.of(env)
            program = columns.program(program)
            separators = [columns.separator(s) for s in separators]
        build_seconds = time.perf_counter() - start
        run = generate(
            program,
            separators,
            options,
            seeded={g.family.name: g.seeds for g in generated},
            policy=self.policy,
        )
        if columns is not None and run.x is not None:
            run = replace(run, x=columns.decisions(run.x))
        rows_by_family = program.rows_by_family()
        for g in generated:
            rows_by_family[g.family.name] += run.added[g.family.name].n_rows
        sizes = Sizes(
            program.n_columns,
            run.n_rows,
            run.n_nonzeros,
            rows_by_family,
            program.nonzeros_by_family(),
        )
        details = "generation: " + run.details(
            "incentive rows",
            sum(rows_by_family[g.family.name] for g in generated),
            sum(g.family.row_count(env) for g in generated),
        )
        if run.x is None:
            return Outcome(
                run.status,
                run.message,
                None,
                None,
                {},
                sizes,
                build_seconds,
                program.stack_seconds + run.compile_seconds,
                run.solve_seconds,
                details,
                algorithm=run.algorithm,
            )
        return Outcome(
            run.status,
            run.message,
            run.x,
            run.objective,
            self._duals(env, program, run, generated),
            sizes,
            build_seconds,
            program.stack_seconds + run.compile_seconds,
            run.solve_seconds,
            details,
            measured={
                g.family.name: g.separator.measured
                for g in generated
                if g.separator.measured is not None
            },
            algorithm=run.algorithm,
        )

    def stage_program(
        self, problem: DesignProblem, duals: Mapping[str, FloatArray], anonymous: bool
    ) -> StageProgram:
        """The first stage's binding incentive rows and seeds over payment columns, with the
        separators of :meth:`run` (payments, since a second stage weighs them)."""
        env = problem.env
        tol = 1e-9 * money_scale(env)  # the agents' money, not the principal's values
        families = generated_families(problem)
        keys = stage_keys(problem, duals, {f.name: seed_rows(env, f) for f in families})
        program = generated_program(problem, keys)
        return StageProgram(
            program,
            separators=tuple(
                ViolatedRows(env, f, tol, self.policy.lies_per_type) for f in families
            ),
            seeded=keys,
            policy=self.policy,
            note="on the generated incentive rows",
            row_duals=program_duals(program, duals, keys),
        )

    @staticmethod
    def _duals(
        env: Environment, program: Program, run: GenerationRun, generated: list[Generated]
    ) -> dict[str, FloatArray]:
        """Duals on each family's full rows; rows never generated are slack: dual 0."""
        row_dual = run.optimal_duals(program.families)
        duals = {name: row_dual[rows] for name, rows in program.row_slices.items()}
        for g in generated:
            name = g.family.name
            added = run.added[name]
            full = np.zeros(g.family.row_count(env))
            in_program = np.concatenate(
                [
                    np.arange(program.row_slices[name].start, program.row_slices[name].stop),
                    added.all_rows(),
                ]
            )
            full[np.concatenate([g.seeds, added.all_keys()])] = row_dual[in_program]
            duals[name] = full
        return duals
