"""Stage 16, sweeps: comparative statics, one design problem solved over a grid of parameters.

:func:`sweep` takes a ready model's name (or a function building the problem)
and a grid, runs every point on an executor — this process, local processes
(the default, one per core) or a Dask cluster — and returns a pandas DataFrame
with one row per point: the parameters, the status, the optimum, the model's
benchmark and the gap, the program's size, formulation, algorithm and timings
(columns in :data:`~lpmech.sweeps.points.RESULT_COLUMNS`). A point that fails
is a row with its status and message, never the end of the sweep.

With ``output="file.csv"`` every row is written as soon as it is finished,
and a sweep run again with the same file solves only the points not in it.

>>> import lpmech
>>> table = lpmech.sweep("single_item", {"n_bidders": [1, 2], "n_types": [4]},
...                      executor="serial")
>>> table[["n_bidders", "n_types", "status", "objective", "benchmark"]]
   n_bidders  n_types   status  objective  benchmark
0          1        4  optimal      1.500      1.500
1          2        4  optimal      2.375      2.375

Needs the ``sweep`` extra (pandas, dask.distributed, tqdm, threadpoolctl):
``pip install "lpmech[sweep]"``.

May import every earlier stage.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lpmech.analytic.benchmark import Benchmark
from lpmech.backends.algorithms import ALGORITHMS
from lpmech.backends.engines import BACKENDS, check_solver_options
from lpmech.backends.progress import progress_bar, solver_progress, watched
from lpmech.checks.verification import check_tol
from lpmech.constraints import ConstraintFamily, resolve_all
from lpmech.errors import InvalidArgumentError
from lpmech.extras import require
from lpmech.formulations import FORMULATIONS
from lpmech.problem.environment import Environment
from lpmech.program.objectives import Objective, resolve_objective
from lpmech.sweeps.executors import (
    DaskExecutor,
    Executor,
    ProcessExecutor,
    SerialExecutor,
    executor_named,
)
from lpmech.sweeps.grid import points as grid_points
from lpmech.sweeps.points import RESULT_COLUMNS, Point, SolveSettings, run_point
from lpmech.sweeps.results import ResultsFile, frame, parse_result

__all__ = [
    "RESULT_COLUMNS",
    "DaskExecutor",
    "Executor",
    "Point",
    "ProcessExecutor",
    "SerialExecutor",
    "SolveSettings",
    "run_point",
    "sweep",
]


def sweep(
    model_or_function: str | Callable[..., Any],
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    *,
    objective: str | Objective | None = None,
    constraints: Sequence[str | ConstraintFamily] | None = None,
    benchmark: Callable[[Environment], float | Benchmark] | None = None,
    formulation: str = "auto",
    backend: str = "auto",
    algorithm: str = "auto",
    deterministic: bool = False,
    solver_options: Mapping[str, Any] | None = None,
    tol: float = 1e-6,
    time_limit: float | None = None,
    executor: str | Executor = "processes",
    workers: int | None = None,
    scheduler: Any = None,
    output: str | Path | None = None,
    quiet: bool = False,
) -> Any:
    """Solve at every point of ``grid``; one row per point, in the grid's order.

    Parameters
    ----------
    model_or_function : str or callable
        A model name from :data:`lpmech.models.MODELS` (its objective,
        constraints and benchmark are used), or a function of the grid's
        parameters returning an :class:`~lpmech.problem.environment.Environment` or a
        mapping of :func:`~lpmech.solving.pipeline.solve`'s arguments with ``env``. On
        processes or Dask the function is shipped by reference when importable
        (by value otherwise).
    grid : mapping or sequence of mappings
        ``{name: values}`` for the product of the values (first name slowest),
        or a list of points ``[{name: value}, …]``. Values are numbers,
        strings or booleans.
    objective, constraints
        Override the model's (a function's default objective is revenue and
        constraints :data:`~lpmech.solving.pipeline.DEFAULT_CONSTRAINTS`).
    benchmark : callable, optional
        For a function: environment → number or
        :class:`~lpmech.analytic.Benchmark`, for the ``benchmark`` and ``gap``
        columns (a model brings its own).
    formulation, backend, algorithm, deterministic, solver_options, tol
        As in :func:`~lpmech.solving.pipeline.solve`, for every point.
    time_limit : float, optional
        Seconds of solver time per point; a point that reaches it has status
        ``time_limit``.
    executor : {"processes", "serial", "dask"} or Executor
        Where points run (see :mod:`lpmech.sweeps.executors`).
    workers : int, optional
        Processes (or workers of the Dask cluster the sweep starts); default one
        per core.
    scheduler : dask.distributed.Client or str, optional
        The Dask cluster to use (a client or a scheduler address); without it
        ``executor="dask"`` starts a local cluster and closes it afterwards.
    output : path, optional
        A CSV file: rows are appended as points finish; points already in it
        (same target, parameters and settings) are not solved again.
    quiet : bool
        No progress bar or solver line (they appear only on a terminal anyway).

    Returns
    -------
    pandas.DataFrame
        The parameters, then :data:`~lpmech.sweeps.points.RESULT_COLUMNS`.
    """
    require("pandas", "sweep", "lpmech.sweep")  # before any point is solved
    target = _target(model_or_function)
    listed = grid_points(grid)
    _check_parameters(target, listed)
    if benchmark is not None and isinstance(target, str):
        raise InvalidArgumentError(
            "benchmark: a model brings its own; pass benchmark= with a function"
        )
    if time_limit is not None and not (isinstance(time_limit, int | float) and time_limit > 0):
        raise InvalidArgumentError(
            f"time_limit: expected a positive number of seconds, got {time_limit!r}"
        )
    for name, value, known in (
        ("formulation", formulation, ("auto", *FORMULATIONS)),
        ("backend", backend, ("auto", *BACKENDS)),
        ("algorithm", algorithm, ALGORITHMS),
    ):
        if value not in known:  # refused once here rather than as an error row per point
            raise InvalidArgumentError(f"{name}: unknown {value!r}; choose one of {list(known)}")
    if isinstance(constraints, str | ConstraintFamily):
        constraints = [constraints]
    _check_settings(objective, constraints, deterministic, solver_options, tol)
    settings = SolveSettings(
        objective,
        None if constraints is None else tuple(constraints),
        formulation,
        backend,
        algorithm,
        deterministic,
        dict(solver_options or {}),
        tol,
        time_limit,
    )
    runner = executor_named(executor, workers, scheduler)
    points = [Point(target, params, settings, benchmark) for params in listed]

    names = list(dict.fromkeys(name for params in listed for name in params))
    store = ResultsFile(output, [*names, *RESULT_COLUMNS]) if output is not None else None
    try:
        rows = _run(runner, points, store, quiet)
    finally:
        if store is not None:
            store.close()
    return frame(points, rows)


def _run(
    runner: Executor, points: list[Point], store: ResultsFile | None, quiet: bool
) -> list[dict[str, Any]]:
    """The rows of every point: those already in ``store``, then the others as they finish."""
    rows: list[dict[str, Any]] = []
    if store is not None:
        wanted = {point.key: point for point in points}
        rows = [
            {**wanted[key].params, **parse_result(text)}
            for key, text in store.finished().items()
            if key in wanted
        ]
    finished = {row["key"] for row in rows}
    todo = [point for point in points if point.key not in finished]

    with (
        progress_bar(len(points), quiet=quiet, initial=len(finished)) as bar,
        _solver_line(runner, bar, quiet),
    ):
        for row in runner.run(todo):
            if store is not None:
                store.append(row)
            rows.append(row)
            bar.set_postfix_str(f"last: {row['status']}", refresh=False)
            bar.update()
    return rows


def _target(model_or_function: str | Callable[..., Any]) -> str | Callable[..., Any]:
    if isinstance(model_or_function, str):
        from lpmech.models import MODELS

        if model_or_function not in MODELS:
            raise InvalidArgumentError(
                f"model_or_function: unknown model {model_or_function!r}; "
                f"models: {', '.join(MODELS)}"
            )
        return model_or_function
    if not callable(model_or_function):
        raise InvalidArgumentError(
            "model_or_function: expected a model name or a function, got "
            f"{type(model_or_function).__name__}"
        )
    return model_or_function


def _check_parameters(target: str | Callable[..., Any], listed: list[dict[str, Any]]) -> None:
    """Every grid name must be a parameter of the model's builder or of the function."""
    if isinstance(target, str):
        from lpmech.models import MODELS

        signature = inspect.signature(MODELS[target].build)
        what = f"model {target!r}"
    else:
        try:
            signature = inspect.signature(target)
        except (TypeError, ValueError):
            return
        what = f"function {getattr(target, '__qualname__', target)!r}"
    parameters = signature.parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    unknown = sorted({name for params in listed for name in params} - set(parameters))
    if unknown:
        raise InvalidArgumentError(
            f"grid: {what} has no parameters {unknown}; it takes {sorted(parameters)}"
        )
    if isinstance(target, str):  # values of the types the model's builder declares
        for params in listed:
            MODELS[target].check_parameters(params, "grid: ")


def _check_settings(
    objective: str | Objective | None,
    constraints: Sequence[str | ConstraintFamily] | None,
    deterministic: bool,
    solver_options: Mapping[str, Any] | None,
    tol: float,
) -> None:
    """Refuse, once and before any point runs, what would make every point an error row."""
    if objective is not None:
        resolve_objective(objective)
    if constraints is not None:
        resolve_all(constraints)
    if not isinstance(deterministic, bool):
        raise InvalidArgumentError(f"deterministic must be True or False, got {deterministic!r}")
    check_solver_options(solver_options)
    check_tol(tol)


def _solver_line(runner: Executor, bar: Any, quiet: bool) -> Any:
    """In this process, show a long solve's live line in the bar (or not at all)."""
    shown = isinstance(runner, SerialExecutor) and not quiet and not bar.disable and watched()
    return solver_progress(shown, show=lambda text: bar.set_postfix_str(text or ""))
