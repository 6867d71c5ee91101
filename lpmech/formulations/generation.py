"""Constraint generation: incentive rows added only where the optimum needs them.

With multi-dimensional types no local reduction is valid, and full IC has K(K−1)
pairs per agent (390,000 for a 25 × 25 grid). At an optimum few of them bind, so
this formulation

1. starts each type with its nearest reports in type space (the deviations most
   likely to bind),
2. solves with HiGHS,
3. measures the *full* incentive violation of the optimum with the family's own
   vectorised check (``family.violation``, written from utilities of true and
   reported types),
4. adds, for every agent, true type (and others' profile) whose best lie gains
   anything, the row of that lie — and re-solves from the current basis
   (HiGHS ``addRows``, a warm start),

until no lie gains more than the tolerance. Rows never added are slack at the
final optimum, so it is the optimum of the full program; :func:`lpmech.solve`
verifies it against full IC regardless.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from lpmech.algorithms import algorithm_named, warm_start_options
from lpmech.backends import Backend, HighspyBackend
from lpmech.compiler import compile_program
from lpmech.constraints.base import RowBlock
from lpmech.constraints.incentive import IncentiveCompatibility, LocalIncentiveCompatibility
from lpmech.environment import Environment
from lpmech.formulations.base import DesignProblem, Formulation, Outcome, Sizes
from lpmech.mechanism import Mechanism
from lpmech.status import Status, from_highs
from lpmech.verify import tolerance_scale

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

#: Reports each type starts with: its nearest neighbours in type space.
INITIAL_NEIGHBOURS = 4
#: Rounds before giving up (each adds every binding lie it finds).
MAX_ROUNDS = 500


def generation_families(problem: DesignProblem) -> list[IncentiveCompatibility]:
    """The incentive families still in full form: the ones generation builds row by row."""
    return [f for f in problem.families if isinstance(f, IncentiveCompatibility)
            and not isinstance(f, LocalIncentiveCompatibility)]


class _Tracker:
    """The rows of one incentive family in the program so far, by full row index."""

    def __init__(self, env: Environment, family: IncentiveCompatibility) -> None:
        self.family = family
        self.sizes = [family.block_size(env, i) for i in range(env.n_agents)]
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)])
        self.n_others = [env.n_profiles // k for k in env.type_counts]
        self.present: list[IntArray] = []  # full row index of each generated row, in order

    def pair_index(self, env: Environment, agent: int, true_types: IntArray,
                   reports: IntArray) -> IntArray:
        """Index of (k, r) among the agent's pairs (k-major, r ≠ k ascending)."""
        n = env.type_counts[agent]
        return true_types * (n - 1) + reports - (reports > true_types)

    def rows_for(self, env: Environment, agent: int, true_types: IntArray,
                 reports: IntArray) -> tuple[RowBlock, IntArray]:
        """Rows of the given pairs (every others' profile, ex post) and their full indices."""
        entries = self.family.pair_entries(env, agent, true_types, reports)
        per_pair = self.n_others[agent] if self.family.ex_post else 1
        pairs = self.pair_index(env, agent, true_types, reports)
        full = (self.offsets[agent] + pairs[:, None] * per_pair
                + np.arange(per_pair)[None, :]).ravel()
        block = RowBlock.from_entries(*entries, shape=(len(full), env.layout.n_columns),
                                      upper=0.0)
        return block, full


def _initial_pairs(env: Environment, agent: int) -> tuple[IntArray, IntArray]:
    """Each type with its nearest reports in type space (Euclidean, by a k-d tree)."""
    types = env.agents[agent].types.reshape(env.type_counts[agent], -1)
    n = len(types)
    if n < 2:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    count = min(INITIAL_NEIGHBOURS, n - 1)
    _, nearest = cKDTree(types).query(types, k=count + 1)  # the closest is the type itself
    reports = nearest[:, 1:] if count else nearest[:, :0]
    true_types = np.repeat(np.arange(n), count)
    keep = reports.ravel() != true_types  # ties at distance 0 cannot happen: types are distinct
    return true_types[keep], reports.ravel()[keep]


def _worst_lies(env: Environment, tracker: _Tracker, violation: FloatArray,
                tol: float) -> list[tuple[int, IntArray, IntArray]]:
    """Per agent, the (true type, report) pairs of the best lie wherever one gains > tol."""
    found = []
    for agent in range(env.n_agents):
        n = env.type_counts[agent]
        if n < 2:
            continue
        block = violation[tracker.offsets[agent]:tracker.offsets[agent + 1]]
        shape = (n, n - 1, tracker.n_others[agent]) if tracker.family.ex_post else (n, n - 1, 1)
        gains = block.reshape(shape)
        best = np.argmax(gains, axis=1)  # (K, R): best lie per true type and others' profile
        worst = np.take_along_axis(gains, best[:, None, :], axis=1)[:, 0, :]
        true_types, columns = np.nonzero(worst > tol)
        if true_types.size == 0:
            continue
        lie = best[true_types, columns]
        reports = lie + (lie >= true_types)  # undo the skipped r = k
        pairs = np.unique(np.stack([true_types, reports], axis=1), axis=0)
        found.append((agent, pairs[:, 0], pairs[:, 1]))
    return found


class Generation(Formulation):
    """Incentive rows generated as the optimum needs them (see the module docstring)."""

    name = "generation"
    needs_highspy = True

    def obstacle(self, problem: DesignProblem) -> str | None:
        if not generation_families(problem):
            return "no incentive family is left in full form (a local reduction applies)"
        if problem.deterministic:
            return "a deterministic mechanism is a MIP, which gains nothing from generation"
        if problem.objective.requires_cvxpy or any(getattr(f, "requires_cvxpy", False)
                                                   for f in problem.families):
            return "parts written as cvxpy expressions need the cvxpy backend"
        return None

    def run(self, problem: DesignProblem, engine: Backend, options: dict[str, Any]) -> Outcome:
        if not isinstance(engine, HighspyBackend):
            raise ValueError("formulation 'generation' re-solves from the last basis with "
                             "highspy; use backend='highspy' (or 'auto')")
        env = problem.env
        start = time.perf_counter()
        trackers = {f.name: _Tracker(env, f) for f in generation_families(problem)}
        blocks = {}
        for name, tracker in trackers.items():
            parts, indices = [], []
            for agent in range(env.n_agents):
                block, full = tracker.rows_for(env, agent, *_initial_pairs(env, agent))
                parts.append(block)
                indices.append(full)
            tracker.present.append(np.concatenate(indices))
            blocks[name] = (RowBlock.stack(parts, env.layout.n_columns), None)
        program = compile_program(env, problem.objective, problem.families, blocks=blocks)
        build_seconds = time.perf_counter() - start

        start = time.perf_counter()
        options = warm_start_options(options, problem.deterministic)
        highs = HighspyBackend.load(program, options)
        compile_seconds = time.perf_counter() - start
        solve_seconds, rounds = 0.0, 0
        tol = 1e-9 * tolerance_scale(env)
        added_rows: dict[str, list[int]] = {name: [] for name in trackers}  # program rows
        while True:
            start = time.perf_counter()  # getRunTime accumulates over runs: time each one
            highs.run()
            solve_seconds += time.perf_counter() - start
            rounds += 1
            status = from_highs(highs.getModelStatus())
            if status is not Status.OPTIMAL:
                return self._outcome(status, highs.modelStatusToString(highs.getModelStatus()),
                                     None, None, {}, program, highs, build_seconds,
                                     compile_seconds, solve_seconds, rounds, trackers)
            z = np.asarray(highs.getSolution().col_value, dtype=float)
            mechanism = Mechanism(env, *env.layout.split(z))
            new_blocks, measured = [], {}
            for name, tracker in trackers.items():
                measured[name] = tracker.family.violation(mechanism)
                lies = _worst_lies(env, tracker, measured[name], tol)
                for agent, true_types, reports in lies:
                    block, full = tracker.rows_for(env, agent, true_types, reports)
                    fresh = ~np.isin(full, np.concatenate(tracker.present))
                    if np.any(fresh):
                        matrix = block.matrix[np.flatnonzero(fresh)]
                        tracker.present.append(full[fresh])
                        new_blocks.append((name, matrix, block.upper[fresh]))
            if not new_blocks:
                break
            if rounds >= MAX_ROUNDS:
                return self._outcome(Status.FAILED, f"constraint generation did not converge "
                                     f"in {MAX_ROUNDS} rounds", None, None, {}, program, highs,
                                     build_seconds, compile_seconds, solve_seconds, rounds,
                                     trackers)
            start = time.perf_counter()
            for name, matrix, upper in new_blocks:
                first = highs.getNumRow()
                matrix = sp.csr_array(matrix)
                highs.addRows(matrix.shape[0], np.full(matrix.shape[0], -highspy.kHighsInf),
                              upper, matrix.nnz, matrix.indptr[:-1], matrix.indices,
                              matrix.data)
                added_rows[name].extend(range(first, first + matrix.shape[0]))
            compile_seconds += time.perf_counter() - start
        duals = self._duals(program, highs, trackers, added_rows)
        objective = float(highs.getInfo().objective_function_value)
        outcome = self._outcome(Status.OPTIMAL, "optimal", z, objective, duals, program, highs,
                                build_seconds, compile_seconds, solve_seconds, rounds, trackers)
        return replace(outcome, measured=measured,
                       algorithm=algorithm_named(options, problem.deterministic))

    @staticmethod
    def _duals(program: Any, highs: highspy.Highs, trackers: dict[str, _Tracker],
               added_rows: dict[str, list[int]]) -> dict[str, FloatArray]:
        """Duals on each family's full rows; rows never generated are slack: dual 0."""
        row_dual = np.asarray(highs.getSolution().row_dual, dtype=float)
        duals = {name: row_dual[rows] for name, rows in program.row_slices.items()}
        for name, tracker in trackers.items():
            full = np.zeros(int(tracker.offsets[-1]))
            in_program = np.concatenate([np.arange(program.row_slices[name].start,
                                                   program.row_slices[name].stop),
                                         np.asarray(added_rows[name], dtype=np.intp)])
            full[np.concatenate(tracker.present)] = row_dual[in_program]
            duals[name] = full
        return duals

    @staticmethod
    def _outcome(status: Status, message: str, z: FloatArray | None, objective: float | None,
                 duals: dict[str, FloatArray], program: Any, highs: highspy.Highs,
                 build_seconds: float, compile_seconds: float, solve_seconds: float,
                 rounds: int, trackers: dict[str, _Tracker]) -> Outcome:
        generated = sum(len(np.concatenate(t.present)) for t in trackers.values())
        full = sum(int(t.offsets[-1]) for t in trackers.values())
        rows_by_family = program.rows_by_family()
        for name, tracker in trackers.items():
            rows_by_family[name] = len(np.concatenate(tracker.present))
        sizes = Sizes(program.n_columns, highs.getNumRow(), highs.getNumNz(), rows_by_family,
                      program.nonzeros_by_family())
        details = (f"generation: {rounds} solves; {generated} of {full} incentive rows "
                   "generated")
        return Outcome(status, message, z, objective, duals, sizes, build_seconds,
                       compile_seconds, solve_seconds, details)
