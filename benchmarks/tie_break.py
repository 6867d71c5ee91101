"""The canonical second stage against the plain solve, as the CLI runs them.

``lpmech solve multi_item`` breaks ties towards small payments by default, so the second
stage (:mod:`lpmech.solving.canonical`) runs on every solve of the command: one buyer, two
additive items on an n × n grid, revenue under DSIC and ex-post IR, formulation "auto"
(generation: 24 million incentive rows at n = 70, a few thousand of them built). Each size
and mode runs in a fresh process, so that its peak resident memory
(``resource.getrusage``) is its own; the ratio is measured within one run of this script.

Each is run ``REPEATS`` times and the fastest kept (the machine is shared; the peak memory
is the largest seen). Run ``python benchmarks/tie_break.py [n ...]`` (default 20 30 40 50
70).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

SIZES = (20, 30, 40, 50, 70)
REPEATS = 3


def measure(n_grid: int, tie_break: str | None) -> dict[str, float]:
    """Solve multi_item on an n_grid × n_grid grid in this process: seconds and peak memory."""
    from lpmech import solve
    from lpmech.models import MODELS

    spec = MODELS["multi_item"]
    env = spec.environment(n_grid=n_grid)
    start = time.perf_counter()
    solution = solve(env, spec.objective, spec.constraints, tie_break=tie_break)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "stage_seconds": solution.report.tie_break_seconds,
        "objective": solution.objective_value,
        "peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,  # kB on Linux
    }


def in_fresh_process(n_grid: int, tie_break: str | None) -> dict[str, float]:
    """:func:`measure` in a child process (its own peak memory), best of ``REPEATS``."""
    runs = []
    for _ in range(REPEATS):
        output = subprocess.run(
            [sys.executable, __file__, "--child", str(n_grid), json.dumps(tie_break)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    best = min(runs, key=lambda run: run["seconds"])
    return {**best, "peak_gb": max(run["peak_gb"] for run in runs)}


def main(sizes: tuple[int, ...]) -> None:
    print(
        f"{'n-grid':>6} {'plain s':>8} {'tie-break s':>11} {'(stage s)':>9} "
        f"{'ratio':>6} {'plain GB':>8} {'tie-break GB':>12} {'objective gap':>13}"
    )
    for n_grid in sizes:
        plain = in_fresh_process(n_grid, None)
        broken = in_fresh_process(n_grid, "small_payments")
        print(
            f"{n_grid:>6} {plain['seconds']:>8.2f} {broken['seconds']:>11.2f} "
            f"{broken['stage_seconds']:>9.2f} {broken['seconds'] / plain['seconds']:>6.2f} "
            f"{plain['peak_gb']:>8.2f} {broken['peak_gb']:>12.2f} "
            f"{abs(broken['objective'] - plain['objective']):>13.2g}",
            flush=True,
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(measure(int(sys.argv[2]), json.loads(sys.argv[3]))))
    else:
        main(tuple(int(a) for a in sys.argv[1:]) or SIZES)
