"""Solvers behind one interface: HiGHS through cvxpy, or HiGHS directly.

A backend takes a compiled :class:`~lpmech.program.compiler.Program` and HiGHS options,
and returns a :class:`BackendResult`: a :class:`Status`, the solution vector,
and row duals in one convention for both backends,

    row_duals[r] = ∂ (optimal objective) / ∂ (shift of both bounds of row r),

so a binding ``A z ≤ u`` row of a maximisation has a non-negative dual, a binding
``A z ≥ ℓ`` row a non-positive one. Neither backend raises on an infeasible or
unbounded program; :func:`lpmech.solve` turns the status into an error.

* ``"cvxpy"`` builds a cvxpy problem (one constraint per family and side) and
  solves it with the solver :func:`lpmech.backends.solver_choice.choose_solver` picks for its
  class (HiGHS for LP and MILP, Clarabel for quadratic and conic programs) or
  the one named. It also takes user constraints and objectives written as cvxpy
  expressions, refused before solving if they are not DCP
  (:func:`lpmech.program.convexity.require_dcp`).
* ``"highspy"`` hands the stacked matrix to HiGHS in one ``passModel`` call,
  skipping cvxpy's canonicalisation.

Both are silent unless the options ask for HiGHS's log (``output_flag`` true, as
``solve(verbose=True)`` sets it): :func:`silence_banner` keeps HiGHS's one-time
banner off stdout.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import cvxpy as cp
import highspy
import numpy as np
from numpy.typing import NDArray

from lpmech.arrays import FloatArray, IntArray
from lpmech.backends.progress import attach_solver_progress
from lpmech.backends.solver_choice import (
    LINEAR_SOLVER,
    SOLVER_METHODS,
    choose_solver,
    problem_class,
    refuse_mismatch,
    solver_named,
)
from lpmech.backends.status import Status, from_cvxpy, from_highs
from lpmech.constraints.custom import DesignVariables
from lpmech.errors import InvalidArgumentError, SolverFailedError, SolverMismatchError
from lpmech.program.compiler import Program
from lpmech.program.convexity import require_dcp

#: Builds one side's constraints from a block of rows and their indices. The block is Any:
#: scipy-stubs type ``csr_array @ x`` as sparse, but with a cvxpy expression scipy defers to
#: the expression's __rmatmul__, which builds the product.
_SideBuilder = Callable[[Any, IntArray], cp.Constraint]

_BANNER_LOCK = threading.Lock()
_banner_silenced = False


def silence_banner() -> None:
    """Let HiGHS print its once-per-process banner into /dev/null, before any real solve.

    highspy prints "Running HiGHS … Copyright …" to the C-level stdout when the first
    ``highspy.Highs()`` of a process is created — before any option can be set, and
    also inside cvxpy's HIGHS interface. Creating that first instance here with file
    descriptor 1 pointed at /dev/null spends the banner; later instances log only
    what their options ask for. Runs once per process (a no-op afterwards).
    """
    global _banner_silenced
    with _BANNER_LOCK:
        if _banner_silenced:
            return
        _banner_silenced = True
        try:
            sys.stdout.flush()
            saved = os.dup(1)
        except (OSError, ValueError):  # no file descriptor 1: nothing can be printed
            highspy.Highs()
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)


def wants_log(options: dict[str, Any]) -> bool:
    """Whether HiGHS options ask for the solver's log (``output_flag`` true)."""
    return bool(options.get("output_flag", False))


def check_solver_options(options: object, argument: str = "solver_options") -> dict[str, Any]:
    """``options`` as a dict of solver options named by text, refused naming ``argument``
    otherwise (the solver itself checks each name and value)."""
    if options is None:
        return {}
    if not isinstance(options, Mapping):
        raise InvalidArgumentError(
            f"{argument} must be a dict of HiGHS options, got {type(options).__name__}"
        )
    for key in options:
        if not isinstance(key, str):
            raise InvalidArgumentError(f"{argument}: option names must be text, got {key!r}")
    return dict(options)


def highs_option_values(options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` with each HiGHS option's value read as HiGHS reads it: a number given as
    text (``"0.3"``) or as a numpy scalar becomes the option's own type (float, int or bool).

    HiGHS applies ``mip_rel_gap="0.3"`` as the gap 0.3, so what loosens "optimal"
    (:func:`lpmech.backends.status.loosened_tolerances`) and the time limits the
    formulations keep must read the same number. A value HiGHS cannot read (a list, text
    that is no number) is refused naming the option; names HiGHS does not know pass
    through, for HiGHS to refuse.
    """
    defaults = highspy.HighsOptions()  # a plain struct of HiGHS's defaults
    read: dict[str, Any] = {}
    for name, value in options.items():
        default = getattr(defaults, name, None) if not name.startswith("_") else None
        kind = type(default)
        if kind not in (bool, int, float) or type(value) is kind:
            read[name] = value
            continue
        read[name] = _option_value(name, value, kind)
    return read


_KIND_WORDS = {bool: "True or False", int: "a whole number", float: "a number"}


def _option_value(name: str, value: Any, kind: type) -> Any:
    """``value`` as the ``kind`` (bool, int or float) of HiGHS option ``name``."""
    wrong = InvalidArgumentError(
        f"solver_options: {name} must be {_KIND_WORDS[kind]}, got {type(value).__name__} {value!r}"
    )
    if kind is bool:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        if isinstance(value, str):
            return value  # HiGHS reads "true"/"on"/… itself and refuses the rest by name
        raise wrong
    if isinstance(value, bool | np.bool_):
        raise wrong
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise wrong from None
    elif isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
    else:
        raise wrong
    if kind is int:
        if not number.is_integer():
            raise wrong
        return int(number)
    return number


def highs_with_options(options: Mapping[str, Any]) -> highspy.Highs:
    """A silent HiGHS instance with ``options`` set, each checked by HiGHS itself: a name
    or value it rejects is an :class:`InvalidArgumentError` naming the option, whichever
    backend (highspy, or cvxpy's HiGHS interface) is to run it."""
    silence_banner()
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("log_to_console", wants_log(dict(options)))
    for key, value in options.items():
        try:
            accepted = highs.setOptionValue(key, value) == highspy.HighsStatus.kOk
        except TypeError:  # a value of no type HiGHS takes (a list, None, …)
            accepted = False
        if not accepted:
            raise InvalidArgumentError(f"solver_options: HiGHS rejected option {key}={value!r}")
    return highs


@dataclass(frozen=True)
class BackendResult:
    """What a backend returns.

    Attributes
    ----------
    status : Status
    message : str
        The solver's own words for the status.
    x : ndarray or None
        The solution (optimal status only).
    objective : float or None
        c·x + c_0 at the solution.
    row_duals : ndarray or None
        One per row of the program (LPs only).
    custom_duals : dict
        Duals of cvxpy-only families, by family name.
    compile_seconds, solve_seconds : float
        Model construction (canonicalisation, passModel) and solver time.
    algorithm : str
        The HiGHS algorithm asked for (see :mod:`lpmech.backends.algorithms`), or how
        another solver works.
    solver : str
        The cvxpy name of the solver that ran.
    """

    status: Status
    message: str
    x: FloatArray | None
    objective: float | None
    row_duals: FloatArray | None
    custom_duals: dict[str, list[Any]]
    compile_seconds: float
    solve_seconds: float
    algorithm: str = ""
    solver: str = LINEAR_SOLVER


@dataclass(frozen=True)
class CvxpyProgram:
    """A program as cvxpy objects: the problem, its variables, and row bookkeeping.

    ``sides`` lists, per family and side (==, ≤, ≥), the family's row slice, the
    rows taken, the dual sign and the cvxpy constraint; ``custom`` the constraints
    of cvxpy-written families by name.
    """

    problem: cp.Problem
    variables: list[cp.Variable]
    sides: list[tuple[slice, IntArray, float, cp.Constraint]]
    custom: dict[str, list[cp.Constraint]]


class Backend(ABC):
    """A way to solve a compiled program with HiGHS."""

    name: ClassVar[str]
    #: Whether cvxpy-only families and objectives are accepted.
    takes_cvxpy: ClassVar[bool]

    @abstractmethod
    def solve(self, program: Program, options: dict[str, Any]) -> BackendResult:
        """Solve ``program`` with HiGHS options ``options``."""


class CvxpyBackend(Backend):
    """A cvxpy solver: HiGHS, Clarabel for conic programs, or any solver named.

    Parameters
    ----------
    solver : str
        ``"auto"`` (:func:`lpmech.backends.solver_choice.choose_solver`) or an installed cvxpy
        solver's name.
    """

    name = "cvxpy"
    takes_cvxpy = True

    def __init__(self, solver: str = "auto") -> None:
        self.solver = solver_named(solver)

    def build(self, program: Program) -> CvxpyProgram:
        """The cvxpy problem for ``program``: a few constraints per family, never per row.

        A program on the standard columns gets two variables, allocation and
        payments (which cvxpy-written families see through
        :class:`DesignVariables`); any other program gets one variable.
        """
        lower, upper = program.column_lower, program.column_upper
        if program.standard_layout:
            layout = program.env.layout
            n_allocation = layout.n_allocation_columns
            allocation = cp.Variable(
                n_allocation,
                integer=program.deterministic,
                bounds=[lower[:n_allocation], upper[:n_allocation]],
                name="allocation",
            )
            payments = cp.Variable(
                layout.n_payment_columns,
                name="payments",
                bounds=[lower[n_allocation:], upper[n_allocation:]],
            )
            parts = [allocation, payments]
            variables = DesignVariables.from_vectors(program.env, allocation, payments)
            custom = {f.name: f.cvxpy_constraints(variables) for f in program.cvxpy_families}
        else:
            parts, variables, custom = (
                [cp.Variable(program.n_columns, bounds=[lower, upper])],
                None,
                {},
            )
        # cvxpy re-exports its atoms by a star import of a package without __all__, which
        # mypy does not follow: cp.hstack exists at run time but not to the type checker
        z = cp.hstack(parts) if len(parts) > 1 else parts[0]  # type: ignore[attr-defined]
        sides = [
            side
            for rows in program.row_slices.values()
            for side in self._family_constraints(program, rows, z)
        ]
        objective = program.cost @ z + program.constant
        if variables is not None:
            for term in program.objective.cvxpy_terms(variables):
                objective = objective + term
        problem = cp.Problem(
            cp.Maximize(objective),
            [c for *_, c in sides] + [c for cs in custom.values() for c in cs],
        )
        return CvxpyProgram(problem, parts, sides, custom)

    def solve(self, program: Program, options: dict[str, Any]) -> BackendResult:
        return self.run(self.build(program), program, options)

    def run(self, built: CvxpyProgram, program: Program, options: dict[str, Any]) -> BackendResult:
        """Solve a built program: DCP check, solver choice, then :meth:`read`.

        ``options`` are HiGHS options for HiGHS (its algorithm key ``"solver"`` is
        dropped for any other solver) and keyword arguments of the solver otherwise.
        The solve is silent unless ``options`` set ``output_flag`` (see :func:`wants_log`).
        """
        silence_banner()
        problem = built.problem
        require_dcp(program.objective.name, problem.objective.expr, built.custom)
        solver = choose_solver(problem) if self.solver == "auto" else self.solver
        verbose = wants_log(options)
        if solver == LINEAR_SOLVER:
            highs_with_options(options)  # refused here, naming the option, not by cvxpy
            # HiGHS option names (e.g. "solver") can clash with cvxpy's own keywords,
            # so they travel in cvxpy's highs_options dictionary; cvxpy sets HiGHS's
            # log_to_console from ``verbose`` before applying them.
            arguments: dict[str, Any] = {
                "highs_options": {"output_flag": verbose, "log_to_console": verbose, **options}
            }
        else:
            arguments = {
                key: value
                for key, value in options.items()
                if key not in ("solver", "output_flag", "log_to_console")
            }
        try:
            with warnings.catch_warnings():
                # an inaccurate solution is reported as a failure by read(), not a warning
                warnings.filterwarnings("ignore", message="Solution may be inaccurate")
                problem.solve(solver=solver, verbose=verbose, **arguments)
        except cp.SolverError as error:
            refuse_mismatch(problem, solver)
            if solver != LINEAR_SOLVER:
                raise self._failure(problem, program, solver, str(error)) from error
            return BackendResult(
                Status.FAILED, f"{solver}: {error}", None, None, None, {}, 0.0, 0.0, solver=solver
            )
        return self.read(built, program)

    @staticmethod
    def _failure(
        problem: cp.Problem, program: Program, solver: str, what: str
    ) -> SolverFailedError:
        names = tuple(f.name for f in program.families)
        return SolverFailedError(
            f"{solver} stopped without an answer ({what}) on a {problem_class(problem)} with "
            f"families {' + '.join(names)}; rescale the problem (values near 1 suit conic "
            "solvers best), or name another solver that takes this class",
            names,
        )

    def read(self, built: CvxpyProgram, program: Program) -> BackendResult:
        """The result of a built program that has been solved (by :meth:`run` or anyone).

        A solver other than HiGHS that stops without an answer raises
        :class:`~lpmech.errors.SolverFailedError` here, with its status.
        """
        problem = built.problem
        solver = problem.solver_stats.solver_name
        status = from_cvxpy(problem.status)
        if status is Status.FAILED and solver != LINEAR_SOLVER:
            raise self._failure(problem, program, solver, f"status {problem.status}")
        compile_seconds = problem.compilation_time or 0.0
        solve_seconds = problem.solver_stats.solve_time or 0.0
        algorithm = SOLVER_METHODS.get(solver, "")
        if status is not Status.OPTIMAL:
            return BackendResult(
                status,
                problem.status,
                None,
                None,
                None,
                {},
                compile_seconds,
                solve_seconds,
                algorithm,
                solver,
            )
        x = np.concatenate([variable.value for variable in built.variables])
        row_duals = None
        if not program.deterministic:
            row_duals = np.zeros(program.n_rows)
            for rows, index, sign, constraint in built.sides:
                row_duals[rows.start + index] += sign * np.asarray(constraint.dual_value)
        custom_duals = (
            {}
            if program.deterministic
            else {name: [c.dual_value for c in cs] for name, cs in built.custom.items()}
        )
        return BackendResult(
            status,
            problem.status,
            x,
            float(problem.value),
            row_duals,
            custom_duals,
            compile_seconds,
            solve_seconds,
            algorithm,
            solver,
        )

    @staticmethod
    def _family_constraints(
        program: Program, rows: slice, z: cp.Expression
    ) -> list[tuple[slice, IntArray, float, cp.Constraint]]:
        """Equality, ≤ and ≥ constraints for a family's rows, with dual signs.

        cvxpy's dual of ``A z ≤ u`` or ``A z == b`` is ∂opt/∂(right-hand side) for
        a maximisation; its dual of ``A z ≥ ℓ`` is −∂opt/∂ℓ, hence the sign.
        """
        matrix = program.matrix[rows]
        lower, upper = program.row_lower[rows], program.row_upper[rows]
        equal = lower == upper
        below = ~equal & np.isfinite(upper)
        above = ~equal & np.isfinite(lower)
        out = []
        sides: tuple[tuple[NDArray[np.bool_], float, _SideBuilder], ...] = (
            (equal, 1.0, lambda m, k: m @ z == upper[k]),
            (below, 1.0, lambda m, k: m @ z <= upper[k]),
            (above, -1.0, lambda m, k: m @ z >= lower[k]),
        )
        for mask, sign, build in sides:
            index = np.flatnonzero(mask)
            if index.size:
                out.append((rows, index, sign, build(matrix[index], index)))
        return out


class HighspyBackend(Backend):
    """HiGHS directly: the CSR matrix is passed once with ``passModel``."""

    name = "highspy"
    takes_cvxpy = False

    def solve(self, program: Program, options: dict[str, Any]) -> BackendResult:
        if program.requires_cvxpy:
            raise SolverMismatchError(
                "backend 'highspy' cannot take constraints or objectives written as cvxpy "
                "expressions; use backend='cvxpy'"
            )
        start = time.perf_counter()
        highs = self.load(program, options)
        compile_seconds = time.perf_counter() - start
        highs.run()
        solve_seconds = highs.getRunTime()
        model_status = highs.getModelStatus()
        status = from_highs(model_status)
        message = highs.modelStatusToString(model_status)
        if status is not Status.OPTIMAL:
            return BackendResult(
                status, message, None, None, None, {}, compile_seconds, solve_seconds
            )
        solution = highs.getSolution()
        x = np.asarray(solution.col_value, dtype=float)
        duals = None if program.deterministic else np.asarray(solution.row_dual, dtype=float)
        objective = float(highs.getInfo().objective_function_value)
        return BackendResult(
            status, message, x, objective, duals, {}, compile_seconds, solve_seconds
        )

    @classmethod
    def load(cls, program: Program, options: dict[str, Any]) -> highspy.Highs:
        """A HiGHS instance with ``options`` set and ``program`` passed in one call.

        Silent unless ``options`` set ``output_flag`` (then the log goes to the console).
        """
        highs = highs_with_options(options)
        cls._pass_model(highs, program)
        attach_solver_progress(highs)  # a live line on stderr for a long run, if wanted
        return highs

    @staticmethod
    def _pass_model(highs: highspy.Highs, program: Program) -> None:
        """Hand HiGHS the whole program in one ``passModel`` call on numpy arrays.

        The array overload reads the CSR arrays in place; filling a ``HighsLp``
        field by field would copy each through Python lists first.
        """
        infinity = highspy.kHighsInf
        matrix = program.matrix
        integrality = np.full(
            program.n_columns, int(highspy.HighsVarType.kContinuous), dtype=np.int32
        )
        if program.deterministic:
            integrality[program.integer_columns] = int(highspy.HighsVarType.kInteger)
        status = highs.passModel(
            program.n_columns,
            program.n_rows,
            matrix.nnz,
            int(highspy.MatrixFormat.kRowwise),
            int(highspy.ObjSense.kMaximize),
            program.constant,
            np.ascontiguousarray(program.cost, dtype=float),
            np.nan_to_num(program.column_lower, neginf=-infinity),
            np.nan_to_num(program.column_upper, posinf=infinity),
            np.nan_to_num(program.row_lower, neginf=-infinity),
            np.nan_to_num(program.row_upper, posinf=infinity),
            matrix.indptr.astype(np.int32, copy=False),
            matrix.indices.astype(np.int32, copy=False),
            matrix.data.astype(float, copy=False),
            integrality,
        )
        if status == highspy.HighsStatus.kError:
            raise ValueError("HiGHS rejected the compiled program (passModel failed)")


#: Backends by name.
BACKENDS: dict[str, type[Backend]] = {
    CvxpyBackend.name: CvxpyBackend,
    HighspyBackend.name: HighspyBackend,
}
