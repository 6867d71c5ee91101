"""Identical bidders on orbits: the single-item DSIC program built and verified on orbits.

    python benchmarks/orbits.py            # the default sizes
    python benchmarks/orbits.py --write    # also rewrite its README table

Each size runs in a fresh process (so its peak memory is its own):
:func:`lpmech.solving.orbit_program.solve_orbits` (build on orbits, HiGHS, the
brute-force check on orbits), and — at the sizes where it fits — ``lpmech.solve``
as a user calls it (the symmetric formulation, which builds agent 0's rows on all
K^N profiles and merges them), whose optimum must agree.
"""

from __future__ import annotations

import argparse
import math
import resource
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import in_fresh_process, machine, write_section  # noqa: E402

BEGIN, END = "<!-- orbit programs -->", "<!-- /orbit programs -->"
DSIC = ["dominant_strategy_ic", "ex_post_ir"]
#: (bidders, types); lpmech.solve is also timed where marked.
SIZES = [(3, 20, True), (4, 20, True), (6, 12, False), (5, 20, False)]


def _orbits(n_bidders: int, n_types: int, queue: Any) -> None:
    import numpy as np

    from lpmech.problem.builders import single_item_auction
    from lpmech.solving.orbit_program import solve_orbits

    env = single_item_auction(np.arange(1, n_types + 1), n_bidders)
    solution = solve_orbits(env)
    queue.put(
        {
            "columns": solution.size.n_columns,
            "rows": solution.size.n_rows,
            "build": solution.build_seconds,
            "highs": solution.solve_seconds,
            "verify": solution.verify_seconds,
            "total": solution.seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "optimum": solution.objective_value,
            "verified": solution.verification is not None and solution.verification.ok,
        }
    )


def _lpmech(n_bidders: int, n_types: int, queue: Any) -> None:
    import numpy as np

    import lpmech
    from lpmech.problem.builders import single_item_auction

    env = single_item_auction(np.arange(1, n_types + 1), n_bidders)
    start = time.perf_counter()
    solution = lpmech.solve(env, "revenue", DSIC)
    queue.put(
        {
            "total": time.perf_counter() - start,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "optimum": solution.objective_value,
            "formulation": solution.report.formulation,
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--write", action="store_true", help="rewrite the README table")
    args = parser.parse_args(argv)
    lines = [
        "| bidders × types | profiles | orbits | columns | rows | build s | HiGHS s | verify s "
        "| total s | total / HiGHS | peak MB | optimum | verified | lpmech.solve s (peak MB) "
        "| agree |",
        "|" + "---|" * 15,
    ]
    for n, k, compare in SIZES:
        r = in_fresh_process(_orbits, (n, k), args.timeout)
        print(n, k, r, flush=True)
        if "total" not in r:
            lines.append(f"| {n} × {k} | {k**n:,} | failed: {r} |" + " |" * 12)
            continue
        other, agree = "refused (estimate over the limit)", "—"
        if compare:
            s = in_fresh_process(_lpmech, (n, k), args.timeout)
            print("  lpmech.solve", s, flush=True)
            if "total" in s:
                other = f"{s['total']:.2f} ({s['peak_mb']:.0f}, {s['formulation']})"
                agree = "yes" if abs(s["optimum"] - r["optimum"]) <= 1e-6 else "NO"
            else:
                other = str(s)
        lines.append(
            f"| {n} × {k} | {k**n:,} | {math.comb(k + n - 1, n):,} | {r['columns']:,} | "
            f"{r['rows']:,} | {r['build']:.2f} | {r['highs']:.2f} | {r['verify']:.3f} | "
            f"{r['total']:.2f} | {r['total'] / r['highs']:.2f} | {r['peak_mb']:.0f} | "
            f"{r['optimum']:.6f} | {'yes' if r['verified'] else 'NO'} | {other} | {agree} |"
        )
    text = f"Measured {time.strftime('%Y-%m-%d')} on {machine()}.\n\n" + "\n".join(lines)
    print("\n" + text)
    if args.write:
        print(f"\nwrote {write_section(BEGIN, END, text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
