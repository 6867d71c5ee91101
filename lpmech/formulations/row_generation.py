"""Row generation: solve with some rows, add those the solution violates, re-solve warm.

One loop serves every formulation that builds a program a few rows at a time —
incentive rows (:mod:`lpmech.formulations.generation`) and Border's inequalities
(:mod:`lpmech.formulations.interim`):

1. load the program into HiGHS, with simplex unless options say otherwise (a
   re-solve starts from the last optimal basis, which only simplex can use);
2. solve; stop unless optimal;
3. ask each :class:`Separator` for the rows the solution violates
   (:class:`Candidates`), dropping rows it already has (by key);
4. let the :class:`RowPolicy` pick the rows to add this round, and stop when
   there are none;
5. drop the added rows that have been slack for ``policy.drop_slack_after`` rounds
   (a row pool: HiGHS ``deleteRows`` keeps the basis, since a slack row's slack is
   basic), add the new ones with HiGHS ``addRows`` (the basis is kept: a warm
   start) and go to 2 — at most ``policy.max_rounds`` solves, after which the run
   fails. A re-solve after a round that added few rows to a large program prices
   with Devex instead of dual steepest edge (:meth:`RowPolicy.resolve_options`).

Rows never added (or dropped and not violated again) are satisfied at the final
solution, so it is optimal for the program with every row. The policy is the
replaceable part: it sees each round's candidates with their violations and may
rank, cap or filter them.
"""

from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from lpmech.arrays import FloatArray, IntArray
from lpmech.backends.algorithms import algorithm_named, warm_start_options
from lpmech.backends.engines import HighspyBackend
from lpmech.backends.status import Status, from_highs
from lpmech.constraints.base import ConstraintFamily, RowBlock
from lpmech.errors import InvalidArgumentError, SolverFailedError
from lpmech.program.compiler import Program


@dataclass(frozen=True)
class Candidates:
    """Rows a separator proposes for the current solution.

    Attributes
    ----------
    rows : RowBlock
        Over the program's columns.
    violation : ndarray
        How much the current solution violates each row.
    keys : ndarray of int or None
        Each row's index in its family's full row order, when rows have one (so a
        row already in the program is not added twice, and duals can be placed);
        None for rows made up on the fly (Border's sets).
    """

    rows: RowBlock
    violation: FloatArray
    keys: IntArray | None = None

    @property
    def n_rows(self) -> int:
        """Number of candidate rows."""
        return self.rows.n_rows

    def take(self, positions: IntArray) -> Candidates:
        """The candidates at ``positions``."""
        rows = RowBlock(
            sp.csr_array(self.rows.matrix[positions]),
            self.rows.lower[positions],
            self.rows.upper[positions],
        )
        keys = None if self.keys is None else self.keys[positions]
        return Candidates(rows, self.violation[positions], keys)


class Separator(ABC):
    """Finds rows a solution violates, for the family called :attr:`name`."""

    #: The family the rows belong to (their duals and row counts are reported under it).
    name: str

    @abstractmethod
    def candidates(self, x: FloatArray) -> Candidates:
        """Rows violated by the program's solution ``x`` (may include rows already added)."""


class FirstColumns(Separator):
    """A separator for a program widened by columns appended after its own (a second
    stage's distance columns, :mod:`lpmech.solving.canonical`): it sees the first
    ``n_columns`` entries of a solution, and its rows, over those columns, are rows of the
    wider program as they are."""

    def __init__(self, separator: Separator, n_columns: int) -> None:
        self.separator, self.n_columns = separator, n_columns
        self.name = separator.name

    def candidates(self, x: FloatArray) -> Candidates:
        return self.separator.candidates(x[: self.n_columns])


@dataclass(frozen=True)
class RowPolicy:
    """Which candidate rows join the program each round, and how many rounds to allow.

    The default adds every violated row found — few rounds, each a little larger.
    Subclass and override :meth:`select` for another rule (e.g. the most violated
    rows only).
    """

    #: Solves before the run gives up as failed.
    max_rounds: int = 500
    #: How many of each type's most profitable lies a separator proposes per round (for
    #: families whose rows are about lies, see ``ConstraintFamily.most_violated_rows``).
    #: Many per round: a multi-dimensional optimum pools types in regions where a type
    #: is tempted by many reports at once, and one lie per round costs one solve each —
    #: U[4,16]×U[4,7] on 20 × 20 took 229 solves with 1, 3 with 16.
    lies_per_type: int = 16
    #: Rounds an added row may stay slack (not binding, zero dual) before it leaves the
    #: program — a row pool; None keeps every row. A dropped row comes back if violated.
    drop_slack_after: int | None = 2
    #: Re-solves of programs with at least this many rows, after a round that added
    #: fewer than ``devex_added_fraction`` of them, price with Devex (see
    #: :meth:`resolve_options`).
    devex_min_rows: int = 10_000
    devex_added_fraction: float = 0.05

    def __post_init__(self) -> None:
        counts = {
            "max_rounds": (self.max_rounds, 1),
            "lies_per_type": (self.lies_per_type, 1),
            "devex_min_rows": (self.devex_min_rows, 0),
        }
        if self.drop_slack_after is not None:
            counts["drop_slack_after"] = (self.drop_slack_after, 1)
        for name, (value, least) in counts.items():
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
                raise InvalidArgumentError(
                    f"RowPolicy {name} must be an integer ≥ {least}, got {value!r}"
                )
        fraction = self.devex_added_fraction
        if (
            isinstance(fraction, bool)
            or not isinstance(fraction, int | float | np.number)
            or np.isnan(fraction)
            or fraction < 0
        ):
            raise InvalidArgumentError(
                f"RowPolicy devex_added_fraction must be a number "
                f"≥ 0 (inf: Devex after every round), got {fraction!r}"
            )

    def select(self, candidates: Candidates) -> IntArray:
        """Positions of the candidates to add this round (an empty array stops the run)."""
        return np.arange(candidates.n_rows)

    def resolve_options(self, n_rows: int, n_added: int) -> dict[str, Any]:
        """HiGHS options for the re-solve of ``n_rows`` rows after adding ``n_added``.

        New rows void HiGHS's dual steepest-edge weights, and unless the re-solve
        starts near-optimal (primal infeasibilities under 1e-3) HiGHS recomputes them
        exactly, one BTRAN per row: 3.4 s at 74,692 rows (2 bidders × 2 additive items,
        12 × 12), where the last rounds need a few hundred iterations. Devex starts from
        unit weights at no cost but needs more iterations (2.8× as many on that
        program's second solve), so it pays only after a small round on a large
        program: on 12 × 12 the four last re-solves took 4.7, 5.5, 5.3 and 3.5 s with
        steepest edge and 3.0, 0.7, 0.3 and 0.5 s with Devex (the whole solve 48.7 s
        against 32.6 s), while on programs of a few thousand rows (Border's inequalities
        on 20 × 20, 35 re-solves) Devex was slower, 7.8 s against 5.9 s.
        """
        devex = n_rows >= self.devex_min_rows and n_added < self.devex_added_fraction * n_rows
        return {"simplex_dual_edge_weight_strategy": DEVEX if devex else CHOOSE}


#: HiGHS ``simplex_dual_edge_weight_strategy`` values: its own choice (steepest edge,
#: its weights computed when the basis is not logical), and Devex.
CHOOSE, DEVEX = -1, 1

#: The policy formulations use unless told otherwise.
DEFAULT_POLICY = RowPolicy()


@dataclass
class AddedRows:
    """Rows one separator added: their rows in the program and their keys (if any)."""

    program_rows: list[IntArray] = field(default_factory=list)
    keys: list[IntArray] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        """Number of rows added."""
        return int(sum(len(rows) for rows in self.program_rows))

    def all_rows(self) -> IntArray:
        """Program rows added, in order."""
        return (
            np.concatenate(self.program_rows) if self.program_rows else np.zeros(0, dtype=np.intp)
        )

    def all_keys(self) -> IntArray:
        """Keys of the added rows, in order."""
        return np.concatenate(self.keys) if self.keys else np.zeros(0, dtype=np.intp)


@dataclass(frozen=True)
class GenerationRun:
    """What a row-generation run found.

    ``row_duals`` cover every row of the final program (the initial rows, then the
    added ones in order); ``added`` lists, per separator, the rows it added.
    """

    status: Status
    message: str
    x: FloatArray | None
    objective: float | None
    row_duals: FloatArray | None
    added: dict[str, AddedRows]
    rounds: int
    n_rows: int
    n_nonzeros: int
    compile_seconds: float
    solve_seconds: float
    algorithm: str

    def details(self, what: str, generated: int, of: int | None = None) -> str:
        """A sentence for the report: solves, and rows generated (of how many)."""
        total = "" if of is None else f" of {of}"
        return f"{self.rounds} solves; {generated}{total} {what} generated"

    def optimal_duals(self, families: Sequence[ConstraintFamily]) -> FloatArray:
        """``row_duals`` of a run that ended optimal, over a program with ``families``.

        Raises
        ------
        SolverFailedError
            Naming the status, when the run has no duals.
        """
        if self.row_duals is None:
            names = tuple(f.name for f in families)
            raise SolverFailedError(
                f"row generation ended {self.status} ({self.message}) without row duals, "
                f"with families {' + '.join(names)}",
                names,
            )
        return self.row_duals


@dataclass
class RowPool:
    """How many rounds in a row each added row has been slack, to drop the long-slack ones.

    A row is slack at a solution when its activity is strictly inside its bounds
    (by more than 1e-9 of the largest activity) and its dual is zero.
    """

    after: int
    bounds: dict[str, tuple[list[FloatArray], list[FloatArray]]] = field(default_factory=dict)
    ages: dict[str, IntArray] = field(default_factory=dict)

    def added(self, name: str, rows: RowBlock) -> None:
        """Rows just appended for separator ``name``, with their bounds."""
        lower, upper = self.bounds.setdefault(name, ([], []))
        lower.append(rows.lower)
        upper.append(rows.upper)
        self.ages[name] = np.concatenate(
            [self.ages.get(name, np.zeros(0, dtype=np.intp)), np.zeros(rows.n_rows, dtype=np.intp)]
        )

    def drop(
        self,
        highs: highspy.Highs,
        added: dict[str, AddedRows],
        present: dict[str, list[IntArray]],
        seeded: dict[str, IntArray],
    ) -> int:
        """Age every added row at the current solution; delete those slack too long.

        Returns the number of rows deleted; ``added`` and ``present`` are renumbered.
        """
        solution = highs.getSolution()
        value = np.asarray(solution.row_value, dtype=float)
        dual = np.asarray(solution.row_dual, dtype=float)
        tol = 1e-9 * max(float(np.abs(value).max(initial=0.0)), np.finfo(float).tiny)
        doomed = {}
        for name, block in added.items():
            if name not in self.ages:
                continue
            at = block.all_rows()
            lower = np.concatenate(self.bounds[name][0])
            upper = np.concatenate(self.bounds[name][1])
            slack = np.minimum(value[at] - lower, upper - value[at])
            idle = (slack > tol) & (dual[at] == 0)
            self.ages[name] = np.where(idle, self.ages[name] + 1, 0)
            doomed[name] = self.ages[name] >= self.after
        deleted = np.sort(
            np.concatenate(
                [added[name].all_rows()[d] for name, d in doomed.items()] or [np.zeros(0, int)]
            )
        )
        if deleted.size == 0:
            return 0
        highs.deleteRows(len(deleted), deleted.astype(np.int32))
        for name, d in doomed.items():
            keep = ~d
            rows, keys = added[name].all_rows()[keep], added[name].all_keys()
            rows = rows - np.searchsorted(deleted, rows)
            added[name].program_rows = [rows]
            if keys.size:
                added[name].keys = [keys[keep]]
                present[name] = [np.asarray(seeded.get(name, []), dtype=np.intp), keys[keep]]
            self.ages[name] = self.ages[name][keep]
            self.bounds[name] = (
                [np.concatenate(self.bounds[name][0])[keep]],
                [np.concatenate(self.bounds[name][1])[keep]],
            )
        return int(deleted.size)


def generate(
    program: Program,
    separators: Sequence[Separator],
    options: dict[str, Any],
    *,
    seeded: dict[str, IntArray] | None = None,
    policy: RowPolicy = DEFAULT_POLICY,
) -> GenerationRun:
    """Solve ``program``, adding the rows the separators find, until none is violated.

    Parameters
    ----------
    program : Program
        The starting program (compiled with the rows to start from).
    separators : sequence of Separator
    options : dict
        HiGHS options; simplex is asked for unless they name a solver.
    seeded : dict, optional
        Keys of the rows each separator's family already has in ``program``, so they
        are not added again.
    policy : RowPolicy
        Which rows to add per round, and the round cap.

    A ``time_limit`` in ``options`` bounds the whole loop, separation and added rows
    included: each round's HiGHS run gets what remains (HiGHS's run clock accumulates
    over the runs of one model), and a loop out of time ends with status FAILED and
    "Time limit reached", as a single HiGHS run does.
    """
    start = began = time.perf_counter()
    limit = float(options.get("time_limit", math.inf))
    options = warm_start_options(options, program.deterministic)
    highs = HighspyBackend.load(program, options)
    compile_seconds = time.perf_counter() - start
    solve_seconds, rounds = 0.0, 0
    seeded = seeded or {}
    present = {s.name: [np.asarray(seeded.get(s.name, []), dtype=np.intp)] for s in separators}
    added = {s.name: AddedRows() for s in separators}
    pool = RowPool(policy.drop_slack_after) if policy.drop_slack_after is not None else None

    def finish(status: Status, message: str, x: FloatArray | None = None) -> GenerationRun:
        solution = highs.getSolution()
        optimal = status is Status.OPTIMAL
        return GenerationRun(
            status,
            message,
            x,
            float(highs.getInfo().objective_function_value) if optimal else None,
            np.asarray(solution.row_dual, dtype=float) if optimal else None,
            added,
            rounds,
            highs.getNumRow(),
            highs.getNumNz(),
            compile_seconds,
            solve_seconds,
            algorithm_named(options, program.deterministic),
        )

    n_added = 0
    while True:
        if math.isfinite(limit):
            remaining = limit - (time.perf_counter() - began)
            if remaining <= 0:
                return finish(
                    Status.FAILED,
                    f"Time limit reached after {rounds} rounds of row generation",
                )
            highs.setOptionValue("time_limit", highs.getRunTime() + remaining)
        if rounds and "simplex_dual_edge_weight_strategy" not in options:
            for option, value in policy.resolve_options(highs.getNumRow(), n_added).items():
                highs.setOptionValue(option, value)
        start = time.perf_counter()  # getRunTime accumulates over runs: time each one
        highs.run()
        solve_seconds += time.perf_counter() - start
        rounds += 1
        model_status = highs.getModelStatus()
        status = from_highs(model_status)
        if status is not Status.OPTIMAL:
            return finish(status, highs.modelStatusToString(model_status))
        x = np.asarray(highs.getSolution().col_value, dtype=float)
        chosen = []
        for separator in separators:
            found = separator.candidates(x)
            if found.keys is not None and found.n_rows:
                found = found.take(
                    np.flatnonzero(~np.isin(found.keys, np.concatenate(present[separator.name])))
                )
            if found.n_rows:
                found = found.take(policy.select(found))
            if found.n_rows:
                chosen.append((separator.name, found))
        if not chosen:
            return finish(Status.OPTIMAL, "optimal", x)
        if rounds >= policy.max_rounds:
            return finish(
                Status.FAILED, f"row generation did not converge in {policy.max_rounds} rounds"
            )
        start = time.perf_counter()
        if pool is not None:  # before the model changes, while the solution is current
            pool.drop(highs, added, present, seeded)
        n_added = sum(found.n_rows for _, found in chosen)
        for name, found in chosen:
            first = highs.getNumRow()
            matrix = found.rows.matrix
            highs.addRows(
                found.n_rows,
                np.nan_to_num(found.rows.lower, neginf=-highspy.kHighsInf),
                np.nan_to_num(found.rows.upper, posinf=highspy.kHighsInf),
                matrix.nnz,
                matrix.indptr[:-1],
                matrix.indices,
                matrix.data,
            )
            added[name].program_rows.append(first + np.arange(found.n_rows))
            if pool is not None:
                pool.added(name, found.rows)
            if found.keys is not None:
                added[name].keys.append(found.keys)
                present[name].append(found.keys)
        compile_seconds += time.perf_counter() - start
