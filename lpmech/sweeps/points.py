"""One point of a sweep: a small task description, and the row it becomes.

A :class:`Point` is what travels to a worker: the name of a ready model (or a
reference to an importable function) and its parameters, plus how to solve —
never an environment, so a remote worker builds its own. :func:`run_point`
builds, solves and benchmarks it and returns one row; it never raises for a
point that fails, so a failed point is a row and the sweep goes on.

Statuses (column ``status``):

========== ===========================================================
optimal    solved and verified; ``objective`` is the optimum
infeasible the families conflict; ``conflicting`` names a minimal set
unbounded  the objective is unbounded under the families
time_limit the solver stopped at the point's time limit
failed     the solver stopped without an answer for another reason
too_large  refused, or out of memory, because of the program's size
error      anything else (bad parameters, a builder's error), with its message
lost       the worker running it died every time it was tried
========== ===========================================================
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import socket
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lpmech.analytic.benchmark import Benchmark
from lpmech.constraints import ConstraintFamily
from lpmech.errors import (
    DesignError,
    InfeasibleDesignError,
    InvalidArgumentError,
    SolverFailedError,
    UnboundedDesignError,
)
from lpmech.problem.environment import Environment
from lpmech.problem.scales import data_scale
from lpmech.program.objectives import Objective
from lpmech.results.solution import Solution
from lpmech.solving.pipeline import solve

#: A parameter value that a results file can hold and read back.
Scalar = bool | int | float | str

#: Every status a row can have.
STATUSES = (
    "optimal",
    "infeasible",
    "unbounded",
    "time_limit",
    "failed",
    "too_large",
    "error",
    "lost",
)

#: The result columns of a row, after the parameters, with their types.
RESULT_COLUMNS: dict[str, type] = {
    "status": str,
    "objective": float,
    "benchmark": float,
    "gap": float,
    "agrees": bool,
    "conflicting": str,
    "message": str,
    "n_variables": int,
    "n_rows": int,
    "n_nonzeros": int,
    "formulation": str,
    "algorithm": str,
    "backend": str,
    "build_seconds": float,
    "compile_seconds": float,
    "solve_seconds": float,
    "total_seconds": float,
    "point_seconds": float,
    "worker": str,
    "key": str,
}


@dataclass(frozen=True)
class SolveSettings:
    """How every point of a sweep is solved (``None``: the model's own choice).

    ``time_limit`` (seconds) is passed to HiGHS; a point that reaches it is
    recorded with status ``time_limit``.
    """

    objective: str | Objective | None = None
    constraints: Sequence[str | ConstraintFamily] | None = None
    formulation: str = "auto"
    backend: str = "auto"
    algorithm: str = "auto"
    deterministic: bool = False
    solver_options: Mapping[str, Any] = field(default_factory=dict)
    tol: float = 1e-6
    time_limit: float | None = None

    def identity(self) -> dict[str, Any]:
        """What changes the answer, as plain data (the time limit does not)."""
        constraints = (
            None
            if self.constraints is None
            else [c if isinstance(c, str) else repr(c) for c in self.constraints]
        )
        objective = (
            self.objective
            if self.objective is None or isinstance(self.objective, str)
            else repr(self.objective)
        )
        return {
            "objective": objective,
            "constraints": constraints,
            "formulation": self.formulation,
            "backend": self.backend,
            "algorithm": self.algorithm,
            "deterministic": self.deterministic,
            "solver_options": {k: repr(v) for k, v in sorted(self.solver_options.items())},
            "tol": self.tol,
        }


@dataclass(frozen=True)
class Point:
    """One point: what to build (``target``), with which ``params``, solved how.

    ``target`` is a model name from :data:`lpmech.models.MODELS`, or a function
    of the parameters returning an :class:`~lpmech.problem.environment.Environment` or
    a mapping of :func:`~lpmech.solving.pipeline.solve`'s arguments (``env`` required).
    ``benchmark`` (functions only) maps the environment to a number or a
    :class:`~lpmech.analytic.Benchmark`.
    """

    target: str | Callable[..., Any]
    params: Mapping[str, Scalar]
    settings: SolveSettings = field(default_factory=SolveSettings)
    benchmark: Callable[[Environment], float | Benchmark] | None = None

    @property
    def target_name(self) -> str:
        """The model's name, or the function's ``module:qualified name``."""
        if isinstance(self.target, str):
            return self.target
        return f"{self.target.__module__}:{self.target.__qualname__}"

    @cached_property
    def key(self) -> str:
        """A stable identity: the same target, parameters and settings give the same key
        (computed once: a sweep looks points up by key several times).

        Objectives and families given as objects are identified by their ``repr``
        (lpmech's are stable; an object without one makes every run a new sweep).
        """
        text = json.dumps(
            {
                "target": self.target_name,
                "params": dict(self.params),
                "settings": self.settings.identity(),
            },
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def run_point(point: Point) -> dict[str, Any]:
    """Build, solve and benchmark one point; a failure becomes the row's status."""
    start = time.perf_counter()
    row: dict[str, Any] = {**point.params, **_empty_result()}
    try:
        env, solve_arguments, benchmark = _inputs(point)
        solution = solve(env, **solve_arguments)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # every failure of a point is its row
        row.update(_failure(error, point.settings.time_limit, time.perf_counter() - start))
    else:
        row.update(_success(solution))
        row.update(_compare(env, float(solution.objective_value), benchmark, point.settings.tol))
    row["point_seconds"] = time.perf_counter() - start
    row["worker"] = f"{socket.gethostname()}:{os.getpid()}"
    row["key"] = point.key
    return row


def unrun_row(point: Point, message: str, status: str = "lost") -> dict[str, Any]:
    """The row of a point its workers could not run: ``lost`` if they died running it,
    ``error`` if, say, a worker could not unpickle it."""
    return {
        **point.params,
        **_empty_result(),
        "status": status,
        "message": message,
        "key": point.key,
    }


def _empty_result() -> dict[str, Any]:
    """Every result column missing: NaN for numbers, None for flags, "" for text."""
    return {
        name: {float: math.nan, int: None, bool: None}.get(kind, "")
        for name, kind in RESULT_COLUMNS.items()
    }


def _inputs(point: Point) -> tuple[Environment, dict[str, Any], Callable[..., Any] | None]:
    """The environment, the arguments of ``solve`` and the benchmark of a point."""
    settings = point.settings
    options: dict[str, Any] = {
        "formulation": settings.formulation,
        "backend": settings.backend,
        "algorithm": settings.algorithm,
        "deterministic": settings.deterministic,
        "tol": settings.tol,
        "solver_options": dict(settings.solver_options),
    }
    if settings.time_limit is not None:
        options["solver_options"].setdefault("time_limit", float(settings.time_limit))
    if isinstance(point.target, str):
        from lpmech.models import MODELS

        spec = MODELS[point.target]
        env = spec.environment(**point.params)
        arguments = {"objective": spec.objective, "constraints": spec.constraints, **options}
        benchmark = spec.benchmark
    else:
        built = point.target(**point.params)
        arguments = {"objective": "revenue", **options}
        if isinstance(built, Environment):
            env = built
        elif isinstance(built, Mapping) and isinstance(built.get("env"), Environment):
            env = built["env"]
            arguments.update({k: v for k, v in built.items() if k != "env"})
        else:
            raise InvalidArgumentError(
                f"{point.target_name} returned {type(built).__name__}; a sweep's "
                "function must return an Environment or a mapping of solve's "
                "arguments with 'env'"
            )
        benchmark = point.benchmark
    if settings.objective is not None:
        arguments["objective"] = settings.objective
    if settings.constraints is not None:
        arguments["constraints"] = settings.constraints
    return env, arguments, benchmark


def _success(solution: Solution) -> dict[str, Any]:
    report = solution.report
    return {
        "status": "optimal",
        "objective": solution.objective_value,
        "n_variables": report.n_variables,
        "n_rows": report.n_rows,
        "n_nonzeros": report.n_nonzeros,
        "formulation": report.formulation,
        "algorithm": report.algorithm,
        "backend": report.backend,
        "build_seconds": report.build_seconds,
        "compile_seconds": report.compile_seconds,
        "solve_seconds": report.solve_seconds,
        "total_seconds": report.total_seconds,
    }


def _compare(
    env: Environment, optimum: float, benchmark: Callable[..., Any] | None, tol: float
) -> dict[str, Any]:
    """The benchmark's value, the gap and the verdict; a failing benchmark is a message."""
    if benchmark is None:
        return {}
    try:
        value = benchmark(env)
    except Exception as error:  # the optimum stands without its benchmark
        return {"message": f"benchmark failed: {type(error).__name__}: {error}"}
    if not isinstance(value, Benchmark):
        value = Benchmark("benchmark", float(value))
    return {
        "benchmark": value.value,
        "gap": value.gap(optimum),
        "agrees": value.agrees(optimum, tol, data_scale(env)),
    }


def _failure(error: BaseException, time_limit: float | None, seconds: float) -> dict[str, Any]:
    """Status and message of a point that did not solve."""
    message = str(error) or type(error).__name__
    result: dict[str, Any] = {"status": "error", "message": message}
    if isinstance(error, InfeasibleDesignError):
        result.update(status="infeasible", conflicting=" + ".join(error.conflicting))
    elif isinstance(error, UnboundedDesignError):
        result["status"] = "unbounded"
    elif isinstance(error, SolverFailedError):
        # HiGHS says "Time limit reached" (a time_limit in solver_options counts too)
        reached = "time limit reached" in message.lower() or (
            time_limit is not None and seconds >= time_limit
        )
        result["status"] = "time_limit" if reached else "failed"
    elif isinstance(error, MemoryError):  # the size guard's refusal is a MemoryError too
        result["status"] = "too_large"
    elif not isinstance(error, DesignError):
        last = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
        where = f" (at {last[0].filename}:{last[0].lineno})" if last else ""
        result["message"] = f"{type(error).__name__}: {message}{where}"
    return result
