"""Where a sweep's points run: in this process, in local processes, or on Dask.

Every executor has one method, :meth:`Executor.run`, which takes
:class:`~lpmech.sweeps.points.Point` s and yields their rows as they finish
(in any order). Workers receive the small point (model name or function
reference, parameters, settings) and build the environment themselves; the
same :func:`~lpmech.sweeps.points.run_point` runs everywhere, so every
executor gives the same numbers.

A worker that dies takes no point with it: Dask's scheduler moves a dead
worker's tasks to the other workers (and records a task whose workers died
``distributed.scheduler.allowed-failures`` times as ``lost``); the process
executor restarts its pool, runs the points that were running when it broke
one at a time to find the one that kills its worker, and records that one as
``lost`` after :data:`ATTEMPTS` deaths.

Workers run each point with BLAS on one thread (:func:`run_quietly`): a solve
left to OpenBLAS's threads keeps about 1.2 cores busy, so one worker per core
would oversubscribe the machine (benchmarks/sweep.py: 2 processes on 2 cores ran
1.6 times as fast as the serial sweep with BLAS threads in the workers, 1.9 times
without). The numbers do not depend on it: every sum lpmech reports is
taken in a fixed order (:mod:`lpmech.stable_sums`), and HiGHS's answers do not
depend on its thread count, so a point gives the same bits in every executor.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

# os._exit is documented public API (the underscore is historical): it ends the process
# at once, without clean-up, from any thread
from os import _exit as end_process_now
from typing import Any, ClassVar

from lpmech.backends.progress import solver_progress
from lpmech.errors import InvalidArgumentError
from lpmech.extras import require
from lpmech.sweeps.points import Point, run_point, unrun_row

#: How many times a point may kill the worker running it alone before it is recorded lost.
ATTEMPTS = 3


class Executor(ABC):
    """Runs points and yields their rows as they finish."""

    name: ClassVar[str]

    @abstractmethod
    def run(self, points: Sequence[Point]) -> Iterator[dict[str, Any]]:
        """Yield one row per point, in the order they finish."""


class SerialExecutor(Executor):
    """One point after another in this process (the solver's live line stays on)."""

    name = "serial"

    def run(self, points: Sequence[Point]) -> Iterator[dict[str, Any]]:
        for point in points:
            yield run_point(point)


class ProcessExecutor(Executor):
    """Local worker processes, one per core by default.

    Workers are forked from a ``forkserver`` that has imported lpmech once (a
    clean process: no state or solver threads inherited from the caller, and
    no import paid per worker; the sweep sets multiprocessing's forkserver
    preload to lpmech, and the server lives as long as this process). As with
    any start method but ``fork``, a script that sweeps on processes must
    guard its work with ``if __name__ == "__main__":``. Points travel with
    cloudpickle, so functions defined in a script or notebook work too.

    Ctrl-C reaches only the sweeping process (the forkserver and workers start with
    SIGINT blocked), which ends the workers and keeps every finished row. Workers
    do not outlive the sweep either: each holds the reading end of a pipe whose
    only writer is the sweeping process, and exits at once when it reads the end
    of the pipe, that is when the sweep's process is gone (even by SIGKILL, which
    runs no clean-up). The forkserver and multiprocessing's resource tracker then
    see their own pipes close and exit too.
    """

    name = "processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = _positive("workers", workers) or os.cpu_count() or 1

    def run(self, points: Sequence[Point]) -> Iterator[dict[str, Any]]:
        """Run the points on a pool; after a worker dies, find the point that killed it.

        Workers report each point they start, so when the pool breaks the
        suspects are the points started and not finished. Suspects then run one
        at a time on a pool of their own, the others on a new full pool; a
        suspect that breaks its own pool :data:`ATTEMPTS` times is ``lost``.
        """
        cloudpickle = require("cloudpickle", "sweep", "a sweep on processes")
        require("threadpoolctl", "sweep", "a sweep on processes")  # here, not in each worker
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["lpmech.sweeps.executors"])
        tasks = {k: cloudpickle.dumps(point) for k, point in enumerate(points)}
        remaining = dict(enumerate(points))
        # the writing end stays in this process only: its death is the workers' signal
        lifeline, kept = context.Pipe(duplex=False)
        try:
            suspects: dict[int, int] = {}  # point → how often it broke a pool running alone
            while remaining:
                suspect = next(iter(suspects), None)
                batch = [suspect] if suspect is not None else list(remaining)
                started = context.SimpleQueue()
                with _without_ctrl_c():
                    pool = ProcessPoolExecutor(
                        min(self.workers, len(batch)),
                        mp_context=context,
                        initializer=_start_worker,
                        initargs=(started, lifeline),
                    )
                    futures = {pool.submit(run_pickled, k, tasks[k]): k for k in batch}
                try:
                    finished, broken = set(), False
                    for future in as_completed(futures):
                        try:
                            row = future.result()
                        except BrokenProcessPool:
                            broken = True
                            break
                        k = futures[future]
                        finished.add(k)
                        del remaining[k]
                        suspects.pop(k, None)
                        yield row
                except BaseException:  # stopped early (Ctrl-C, an error): end the workers now
                    kept.close()
                    raise
                finally:  # start no further point
                    pool.shutdown(wait=True, cancel_futures=True)
                if not broken:
                    continue
                began = set()
                while not started.empty():
                    began.add(started.get())
                for k in (began - finished) or set(batch) - finished:
                    if suspect is None:  # broke with others: try it alone
                        suspects.setdefault(k, 0)
                        continue
                    suspects[k] += 1
                    if suspects[k] >= ATTEMPTS:
                        del suspects[k]
                        yield unrun_row(
                            remaining.pop(k),
                            f"its worker process died each of the {ATTEMPTS} times it ran alone",
                        )
        finally:
            kept.close()
            lifeline.close()


class DaskExecutor(Executor):
    """A Dask cluster: a ``distributed.Client``, a scheduler address, or neither —
    then a ``LocalCluster`` of worker processes is started for the sweep and closed
    after it.
    """

    name = "dask"

    def __init__(self, scheduler: Any = None, workers: int | None = None) -> None:
        if (
            scheduler is not None
            and not isinstance(scheduler, str)
            and not hasattr(scheduler, "submit")
        ):
            raise InvalidArgumentError(
                "scheduler: give a dask.distributed.Client or an address such as "
                f"'tcp://host:8786', not {type(scheduler).__name__}"
            )
        if scheduler is not None and workers is not None:
            raise InvalidArgumentError(
                "workers: sizes the local cluster a sweep starts; with a "
                "scheduler, its cluster's own workers run the points"
            )
        self.scheduler = scheduler
        self.workers = _positive("workers", workers)

    def run(self, points: Sequence[Point]) -> Iterator[dict[str, Any]]:
        distributed = require("distributed", "sweep", "a sweep on Dask")
        require("threadpoolctl", "sweep", "a sweep on Dask")
        cluster = None
        if self.scheduler is None:
            # ":0": the scheduler's HTTP server on a free port, so a dashboard already on
            # Dask's default port 8787 does not make the cluster warn or fail to start
            cluster = distributed.LocalCluster(
                n_workers=self.workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
                silence_logs=logging.ERROR,
            )
            client = distributed.Client(cluster)
        elif isinstance(self.scheduler, str):
            client = _connect(distributed, self.scheduler)
        else:
            client = self.scheduler
        try:
            run = uuid.uuid4().hex[:8]
            futures = {
                client.submit(
                    run_quietly, point, pure=False, key=f"lpmech-point-{point.key}-{run}"
                ): point
                for point in points
            }
            for future in distributed.as_completed(futures):
                try:
                    row = future.result()
                except Exception as error:  # KilledWorker, or a worker without lpmech
                    killed = isinstance(error, distributed.KilledWorker)
                    row = unrun_row(
                        futures[future],
                        f"Dask could not run it: {type(error).__name__}: {error}",
                        "lost" if killed else "error",
                    )
                yield row
        finally:
            if client is not self.scheduler:
                client.close()
            if cluster is not None:
                cluster.close()


#: Seconds a sweep waits to reach a Dask scheduler given by address.
CONNECT_SECONDS = 5


def _connect(distributed: Any, address: str) -> Any:
    """A client of the scheduler at ``address``, or a named error within
    :data:`CONNECT_SECONDS` (Dask's own default waits 30 s, then raises ``OSError``)."""
    try:
        return distributed.Client(address, timeout=f"{CONNECT_SECONDS}s")
    except Exception as error:  # refused, timed out, malformed, or not a Dask scheduler
        raise InvalidArgumentError(
            f"scheduler: cannot reach a Dask scheduler at {address!r} within "
            f"{CONNECT_SECONDS} s ({type(error).__name__}: {error})"
        ) from None


#: Executors by name.
EXECUTORS: dict[str, type[Executor]] = {
    SerialExecutor.name: SerialExecutor,
    ProcessExecutor.name: ProcessExecutor,
    DaskExecutor.name: DaskExecutor,
}


def executor_named(
    name: str | Executor, workers: int | None = None, scheduler: Any = None
) -> Executor:
    """The executor for ``name`` ("serial", "processes", "dask") or ``name`` itself."""
    if isinstance(name, Executor):
        return name
    if name not in EXECUTORS:
        raise InvalidArgumentError(
            f"executor: unknown {name!r}; choose one of {sorted(EXECUTORS)}"
        )
    if scheduler is not None and name != "dask":
        raise InvalidArgumentError(f"scheduler: only the 'dask' executor takes one, not {name!r}")
    if name == "dask":
        return DaskExecutor(scheduler, workers)
    if name == "processes":
        return ProcessExecutor(workers)
    if workers is not None:
        raise InvalidArgumentError("workers: the 'serial' executor runs in this process only")
    return SerialExecutor()


def run_quietly(point: Point) -> dict[str, Any]:
    """A worker's run of a point: no live solver line (the sweep's bar is the progress),
    BLAS on one thread (the workers share the cores; see the module docstring)."""
    with solver_progress(False), _one_blas_thread():
        return run_point(point)


#: In a worker process: its BLAS libraries, found once (threadpoolctl's search takes ~5 ms).
_blas: Any = None


def _one_blas_thread() -> Any:
    """A context in which every BLAS library of this process uses one thread
    (and afterwards as many as before: a user's Dask workers keep their setting)."""
    global _blas
    if _blas is None:
        _blas = require("threadpoolctl", "sweep", "a sweep's worker").ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


#: In a worker process: where to report the index of each point it starts.
_starts: Any = None


@contextmanager
def _without_ctrl_c() -> Iterator[None]:
    """Processes started in this block do not receive Ctrl-C: SIGINT is blocked in this
    thread meanwhile, and a new process inherits the mask (a Ctrl-C pressed meanwhile
    arrives when the block ends)."""
    if not hasattr(signal, "pthread_sigmask"):  # not POSIX: nothing to block
        yield
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _start_worker(queue: Any, lifeline: Any) -> None:
    """Worker initializer: remember the queue of started points, and watch the sweep's
    process (a daemon thread that ends this worker when ``lifeline`` reaches its end)."""
    global _starts
    _starts = queue
    threading.Thread(target=_exit_with_sweep, args=(lifeline,), daemon=True).start()


def _exit_with_sweep(lifeline: Any) -> None:
    """Block until the sweep's end of the pipe is closed, then end this process at once
    (even in the middle of a solve: nobody is left to receive its row)."""
    try:
        while True:
            lifeline.recv()
    except (EOFError, OSError):
        end_process_now(1)


def run_pickled(index: int, data: bytes) -> dict[str, Any]:
    """Run a cloudpickled point in a worker process, having reported its start."""
    import cloudpickle

    if _starts is not None:
        _starts.put(index)
    return run_quietly(cloudpickle.loads(data))


def _positive(name: str, value: int | None) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidArgumentError(f"{name}: expected a positive integer, got {value!r}")
    return value
