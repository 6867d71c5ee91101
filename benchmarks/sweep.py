"""Benchmark lpmech.sweep: its per-point overhead, and its speed-up on local processes.

    python benchmarks/sweep.py              # measure and print
    python benchmarks/sweep.py --write      # also rewrite benchmarks/sweep_results.md

Everything is measured in one run, each against its baseline:

* **overhead** — for points of about 0.1 s and 0.5 s, the serial sweep (with an
  output file, so rows are written as they finish) against a bare loop that
  builds and solves the same points with ``lpmech.solve``, as a share of the
  loop's solve time per point. Two estimates: the plain difference (sweep time −
  loop time) / points, which carries the run-to-run noise of the solves (a few
  per cent of them, more on a busy machine), and the difference of the time
  each spends outside its solves (its time minus the sum of its solves' own
  ``total_seconds``), which removes that noise: what is left is the sweep's
  machinery (task, row, file, table) against the loop's. Each is the best of
  ``--repeats`` alternating runs. Target: under 10 % for points of 0.1 s and more.
* **speed-up** — ``--points`` (default 40) points of about 0.5 s, serially in
  this process and then on ``--workers`` (default 2) local processes, from the
  call to the returned table (so starting the sweep's worker processes is
  charged to it). Target on a 2-core machine: 1.7 or more. The process executor
  forks its workers from a server that imports lpmech once per Python session;
  that one-time start is measured first (a sweep of two tiny points) and shown
  in its own column, and the speed-up is also given with it charged.

A point is one replica of a fixed problem (``copy`` only makes the points
distinct), so every point has the same work and the comparison is of the
machinery, not of the problems.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import lpmech

HERE = Path(__file__).resolve().parent

#: Point sizes: bidders and types of a symmetric DSIC auction, by solve time (CPU
#: seconds measured on the machine of benchmarks/README.md).
SIZES = {"0.1 s": (3, 14), "0.5 s": (4, 13)}


def replica(copy: int, n_bidders: int, n_types: int) -> lpmech.Environment:
    """The auction of ``n_bidders`` with values uniform on 1..n_types (``copy`` is a label)."""
    return lpmech.single_item_auction(np.arange(1, n_types + 1), n_bidders)


def bare_loop(n_points: int, n_bidders: int, n_types: int) -> tuple[float, float]:
    """Wall seconds to build and solve the points one by one without a sweep, and the
    sum of the solves' own times."""
    start, solves = time.perf_counter(), 0.0
    for copy in range(n_points):
        solution = lpmech.solve(
            replica(copy, n_bidders, n_types), "revenue", ["dsic", "ex_post_ir"]
        )
        solves += solution.report.total_seconds
    return time.perf_counter() - start, solves


def swept(
    n_points: int,
    n_bidders: int,
    n_types: int,
    executor: str,
    workers: int | None,
    output: Path | None,
) -> tuple[float, object]:
    """Wall seconds for a sweep over the same points, and its table."""
    start = time.perf_counter()
    table = lpmech.sweep(
        replica,
        {"copy": list(range(n_points)), "n_bidders": [n_bidders], "n_types": [n_types]},
        constraints=["dsic", "ex_post_ir"],
        executor=executor,
        workers=workers,
        output=output,
        quiet=True,
    )
    seconds = time.perf_counter() - start
    if not (table["status"] == "optimal").all():
        raise RuntimeError(f"a point failed:\n{table[table.status != 'optimal']}")
    return seconds, table


def overhead(n_points: int, repeats: int) -> list[str]:
    lines = [
        "| points of | points | loop s (its solves) | serial sweep s (its solves) "
        "| overhead per point: difference | outside the solves |",
        "|---|---|---|---|---|---|",
    ]
    for label, (n_bidders, n_types) in SIZES.items():
        bare_loop(2, n_bidders, n_types)  # warm caches and lazy imports once
        with tempfile.TemporaryDirectory() as folder:
            swept(2, n_bidders, n_types, "serial", None, Path(folder) / "rows.csv")
        loops, sweeps = [], []
        for _ in range(repeats):
            loops.append(bare_loop(n_points, n_bidders, n_types))
            with tempfile.TemporaryDirectory() as folder:
                seconds, table = swept(
                    n_points, n_bidders, n_types, "serial", None, Path(folder) / "rows.csv"
                )
            sweeps.append((seconds, float(table["total_seconds"].sum())))
        (loop, loop_solves), (sweep, sweep_solves) = min(loops), min(sweeps)
        outside = min(s - solves for s, solves in sweeps) - min(s - solves for s, solves in loops)
        per_solve = loop_solves / n_points
        lines.append(
            f"| {label} | {n_points} | {loop:.2f} ({loop_solves:.2f}) | {sweep:.2f} "
            f"({sweep_solves:.2f}) | {(sweep - loop) / n_points * 1e3:.1f} ms, "
            f"{100 * (sweep - loop) / n_points / per_solve:.1f} % | "
            f"{outside / n_points * 1e3:.1f} ms, {100 * outside / n_points / per_solve:.1f} % |"
        )
        print(lines[-1], flush=True)
    return lines


def speedup(n_points: int, workers: int) -> list[str]:
    n_bidders, n_types = SIZES["0.5 s"]
    first, _ = swept(2, 2, 3, "processes", workers, None)  # the session's forkserver starts
    serial, serial_table = swept(n_points, n_bidders, n_types, "serial", None, None)
    parallel, parallel_table = swept(n_points, n_bidders, n_types, "processes", workers, None)
    same = all(
        list(serial_table[column]) == list(parallel_table[column])
        for column in ("objective", "n_rows")
    )
    mean = float(serial_table["point_seconds"].mean())
    line = (
        f"| {n_points} | {mean:.2f} | {serial:.2f} | {workers} | {parallel:.2f} | "
        f"{serial / parallel:.2f}× | {first:.2f} | {serial / (parallel + first):.2f}× | "
        f"{'yes' if same else 'NO'} |"
    )
    print(line, flush=True)
    return [
        "| points | s per point | serial s | processes | processes s | speed-up "
        "| first sweep of the session (forkserver start) s | speed-up with it "
        "| identical optima |",
        "|---|---|---|---|---|---|---|---|---|",
        line,
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=40, help="points of the speed-up run")
    parser.add_argument(
        "--overhead-points", type=int, default=20, help="points of each overhead run"
    )
    parser.add_argument("--repeats", type=int, default=3, help="overhead runs, best taken")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--write", action="store_true", help="rewrite benchmarks/sweep_results.md")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    from run import machine

    load = os.getloadavg()[0]
    text = "\n".join(
        [
            f"Measured {datetime.date.today().isoformat()} on {machine()}; load average "
            f"{load:.1f} at the start.",
            "",
            "### Per-point overhead (serial, with an output file)",
            "",
            *overhead(args.overhead_points, args.repeats),
            "",
            "### Speed-up on local processes",
            "",
            *speedup(args.points, args.workers),
            "",
            f"Load average {os.getloadavg()[0]:.1f} at the end.",
        ]
    )
    print("\n" + text)
    if args.write:
        results = HERE / "sweep_results.md"
        results.write_text(
            "# lpmech.sweep benchmark\n\n`python benchmarks/sweep.py --write`"
            " (see its docstring for what is measured).\n\n" + text + "\n"
        )
        print(f"\nwrote {results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
