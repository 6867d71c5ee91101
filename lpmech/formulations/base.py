"""What a formulation is: one way to turn a design problem into programs HiGHS solves.

Every formulation returns the same :class:`Outcome` — a status, the full decision
vector z = [vec a; vec t] of the environment (whatever columns it solved over),
duals on each family's own rows, and sizes and timings of what it solved — so
:func:`lpmech.solve` verifies and reports every result the same way.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import numpy as np

from lpmech.arrays import FloatArray, IntArray
from lpmech.backends.algorithms import algorithm_named, with_algorithm
from lpmech.backends.engines import Backend, BackendResult
from lpmech.backends.solver_choice import LINEAR_SOLVER
from lpmech.backends.status import Status
from lpmech.constraints.base import ConstraintFamily
from lpmech.formulations.row_generation import RowPolicy, Separator
from lpmech.problem.environment import Environment
from lpmech.program.compiler import Program
from lpmech.program.equilibration import equilibrate
from lpmech.program.objectives import Objective


@dataclass(frozen=True)
class DesignProblem:
    """What to solve: the families as compiled (see ``ConstraintFamily.compiled_form``)."""

    env: Environment
    objective: Objective
    families: tuple[ConstraintFamily, ...]
    deterministic: bool = False


@dataclass(frozen=True)
class Sizes:
    """Size of the program a formulation handed HiGHS (the last one, if several)."""

    n_variables: int
    n_rows: int
    n_nonzeros: int
    rows_by_family: dict[str, int]
    nonzeros_by_family: dict[str, int]

    @classmethod
    def of(cls, program: Program) -> Sizes:
        """The sizes of a compiled program."""
        return cls(
            program.n_columns,
            program.n_rows,
            program.nnz,
            program.rows_by_family(),
            program.nonzeros_by_family(),
        )


@dataclass(frozen=True)
class OrbitProgram:
    """The program a symmetric solve handed HiGHS, as plain data for an exact certificate.

    Attributes
    ----------
    column_orbit : ndarray of int
        The orbit of each column of z (the reduced program's columns).
    rows : ndarray of int
        The row of the compiled program (symmetric families: agent 0's rows only) that
        each row of the reduced program is, its columns merged into orbits.
    row_duals : ndarray
        HiGHS's row duals of the reduced program (the convention of
        :mod:`lpmech.backends.engines`).
    row_slices : dict
        Each family's rows of the reduced program.
    """

    column_orbit: IntArray
    rows: IntArray
    row_duals: FloatArray
    row_slices: dict[str, slice]

    def rescaled(self, scale: float, allocation_families: set[str]) -> OrbitProgram:
        """Its duals in the user's units when the solve ran on values divided by ``scale``
        (see :func:`lpmech.solving.scaling.restore`: only rows in allocation units change)."""
        duals = self.row_duals.copy()
        for name in allocation_families & set(self.row_slices):
            duals[self.row_slices[name]] *= scale
        return replace(self, row_duals=duals)


@dataclass(frozen=True)
class Outcome:
    """What a formulation found.

    Attributes
    ----------
    status, message
        As the backend reported them.
    z : ndarray or None
        The full decision vector of the environment, when optimal.
    objective : float or None
        The program's optimal value (maximisation form, constant included).
    duals : dict
        Per family, ∂(optimum)/∂(row bound) on the family's own rows (in the
        order of ``family.rows``); a family may be missing where the
        formulation has no rows that correspond.
    sizes : Sizes
    build_seconds, compile_seconds, solve_seconds : float
    details : str
        What the formulation did, in a sentence (e.g. how much symmetry saved).
    algorithm : str
        The HiGHS algorithm used (see :mod:`lpmech.backends.algorithms`), or how another
        solver works.
    solver : str
        The cvxpy name of the solver that ran.
    orbit_program : OrbitProgram or None
        The reduced program a symmetric solve ran (for :mod:`lpmech.exact.certificate`).
    measured : dict
        Violations a formulation already measured on the returned z with a family's
        own ``violation`` (by family name), so verification need not repeat them.
    """

    status: Status
    message: str
    z: FloatArray | None
    objective: float | None
    duals: Mapping[str, FloatArray]
    sizes: Sizes
    build_seconds: float
    compile_seconds: float
    solve_seconds: float
    details: str = ""
    measured: dict[str, FloatArray] = field(default_factory=dict)
    algorithm: str = ""
    solver: str = LINEAR_SOLVER
    orbit_program: OrbitProgram | None = None


@dataclass(frozen=True)
class StageProgram:
    """What a formulation hands a second stage over its optimal face
    (:mod:`lpmech.solving.canonical`): a program holding the rows the first stage's
    optimum needs, and the separators that add the full families' violated rows
    (the formulation's own row-generation loop, :mod:`lpmech.formulations.row_generation`).

    Attributes
    ----------
    program : Program
        Over payment columns where z has them.
    column_of : ndarray of int or None
        For each column of z, the column of x that holds it — z_j = x[column_of[j]] (an
        orbit of anonymous mechanisms), or the interim rule that stands for it (interim
        formulation: z_j's conditional expectation) — or None for z = x. The second
        stage weighs column j of x by the summed weights of the z columns it holds, with
        their weighted mean target.
    decisions : callable or None
        z from a solution x, where it is not x[column_of] (an ex-post allocation
        recovered from interim rules).
    separators : tuple of Separator
        Empty when ``program`` holds every row of every family.
    seeded : dict
        Keys of each separator's rows already in ``program``.
    policy : RowPolicy or None
        The rows added per round and the round cap (None without separators).
    note : str
        Which program it is, for the report.
    row_duals : ndarray or None
        An optimal dual of ``program``'s rows where the first stage's duals give one
        (then the second stage need not solve ``program`` again for it).    complete : bool
        Whether ``program``'s solutions give every optimal mechanism (False: those of a
        form the formulation chooses, such as payments t_i(θ) = M_i(θ_i) of interim rules;
        enough to choose one optimum, not to bound a quantity over all of them).
    """

    program: Program
    column_of: IntArray | None = None
    decisions: Callable[[FloatArray], FloatArray] | None = None
    separators: tuple[Separator, ...] = ()
    seeded: dict[str, IntArray] = field(default_factory=dict)
    policy: RowPolicy | None = None
    note: str = ""
    row_duals: FloatArray | None = None
    complete: bool = True

    def z(self, x: FloatArray) -> FloatArray:
        """The decision vector z of a solution x of ``program``."""
        if self.decisions is not None:
            return self.decisions(x)
        return x if self.column_of is None else x[self.column_of]


class Formulation(ABC):
    """A way to solve a :class:`DesignProblem` with a backend."""

    name: ClassVar[str]

    @abstractmethod
    def obstacle(self, problem: DesignProblem) -> str | None:
        """Why this formulation cannot solve ``problem`` exactly, or None if it can."""

    @abstractmethod
    def run(self, problem: DesignProblem, engine: Backend, options: dict[str, Any]) -> Outcome:
        """Solve ``problem``."""

    def stage_program(
        self, problem: DesignProblem, duals: Mapping[str, FloatArray], anonymous: bool
    ) -> StageProgram | None:
        """The program a second stage over the optimal face extends, or None where the
        formulation has none (the direct program is then used).

        ``duals`` are the first stage's (:attr:`Outcome.duals`); ``anonymous`` says
        whether the second stage's target is the same for identical agents, so that it
        may run over anonymous mechanisms.
        """
        return None

    def spec(self) -> dict[str, Any]:
        """The formulation as plain data; :func:`lpmech.formulations.from_spec` rebuilds it."""
        return {"formulation": self.name}


def family_duals(program: Program, result: BackendResult) -> dict[str, FloatArray]:
    """Row duals of a solved program, split by family; cvxpy-written families appended."""
    if result.row_duals is None:
        return {}
    duals = {name: result.row_duals[rows] for name, rows in program.row_slices.items()}
    for name, values in result.custom_duals.items():
        duals[name] = (
            np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values])
            if values
            else np.zeros(0)
        )
    return duals


def outcome_of(program: Program, result: BackendResult) -> Outcome:
    """The outcome of one program solved on the environment's own columns."""
    return Outcome(
        status=result.status,
        message=result.message,
        z=result.x,
        objective=result.objective,
        duals=family_duals(program, result),
        sizes=Sizes.of(program),
        build_seconds=program.build_seconds,
        compile_seconds=program.stack_seconds + result.compile_seconds,
        solve_seconds=result.solve_seconds,
        algorithm=result.algorithm,
        solver=result.solver,
    )


def program_duals(
    program: Program, duals: Mapping[str, FloatArray], keys: Mapping[str, IntArray]
) -> FloatArray | None:
    """The first stage's duals on ``program``'s rows: each family's, at the rows ``keys``
    names for a family built from some of its rows (None if a family's are missing)."""
    parts = []
    for name in program.row_slices:
        if name not in duals:
            return None
        dual = np.asarray(duals[name])
        parts.append(dual[keys[name]] if name in keys else dual)
    stacked = np.concatenate(parts) if parts else np.zeros(0)
    return stacked if len(stacked) == program.n_rows else None


def run_program(engine: Backend, program: Program, options: dict[str, Any]) -> BackendResult:
    """Solve a program, or report infeasible at once when column bounds conflict.

    Unless ``options`` name HiGHS's ``solver``, :func:`~lpmech.backends.algorithms.
    choose_algorithm` picks simplex or interior point for the program.
    """
    if program.bounds_conflict():
        return BackendResult(
            Status.INFEASIBLE,
            "column bounds of two families conflict",
            None,
            None,
            None,
            {},
            0.0,
            0.0,
        )
    options = with_algorithm(program, options)
    if program.requires_cvxpy:  # cvxpy expressions refer to z's own columns: solve as given
        result = engine.solve(program, options)
    else:  # tolerances relative to each row's own numbers (lpmech.program.equilibration)
        scaled = equilibrate(program)
        result = engine.solve(scaled.program, options)
        result = replace(
            result,
            x=None if result.x is None else scaled.solution(result.x),
            row_duals=None if result.row_duals is None else scaled.row_duals(result.row_duals),
        )
    return replace(
        result, algorithm=result.algorithm or algorithm_named(options, program.deterministic)
    )
