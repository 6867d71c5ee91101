"""The deep-learning papers' settings: grid optimum, its continuous evaluation, published value.

    python benchmarks/deep_learning.py                 # every setting, default grids
    python benchmarks/deep_learning.py --grid 50       # one-bidder grids of 50 x 50
    python benchmarks/deep_learning.py --bic-grid 20   # several bidders under BIC, 20 x 20
    python benchmarks/deep_learning.py --three-items-grid 5   # 3 items: 5 x 5 x 5 per bidder
    python benchmarks/deep_learning.py --write         # also rewrite its README table
    python benchmarks/deep_learning.py --setting "2 bidders, additive U[0,1]^2"   # one setting
    python benchmarks/deep_learning.py --bridge --write   # the continuum bridge only

Each setting of :mod:`lpmech.analytic.published` is solved for revenue under
DSIC and ex-post IR on a midpoint grid, and the several-bidder settings also
under BIC and interim IR (column IC), in a fresh process with a time limit
(so peak memory is its own). The table gives the grid, the formulation, solves
(rounds of generation), rows HiGHS saw, seconds, peak memory, whether the
mechanism meets the full families (every incentive row, not only those generated:
``solution.verification``), the LP optimum on the grid, the optimum evaluated on
the continuous law (one bidder: as a menu, exactly IC and IR on the continuum;
several: reports rounded to the grid, with the sampled regret — ex post, so a BIC
optimum has some by design), and the published number, or — where none is
(RegretNet's is for DSIC up to its regret).
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import in_fresh_process, machine, write_section  # noqa: E402

BEGIN, END = "<!-- deep-learning settings -->", "<!-- /deep-learning settings -->"
BRIDGE_BEGIN, BRIDGE_END = "<!-- continuum bridge -->", "<!-- /continuum bridge -->"
#: Several-bidder settings of the bridge, with the grids (points per item) solved.
BRIDGE = {
    "2 bidders, additive U[0,1]^2": [4, 6, 8, 10, 12],
    "2 bidders, 3 additive items U[0,1]^3": [3, 4, 5],
}
SAMPLES = 200_000
#: The families of each incentive notion the table reports.
CONSTRAINTS = {
    "DSIC": ["dominant_strategy_ic", "ex_post_ir"],
    "BIC": ["bayesian_ic", "interim_ir"],
}


def _solve(name: str, n_points: int, ic: str, queue: Any) -> None:
    """Child process: solve one setting on one grid and evaluate it on the continuum."""
    import lpmech
    from lpmech.analytic.published import SETTINGS
    from lpmech.checks.continuous import evaluate

    setting = SETTINGS[name]
    env = setting.build(n_points)
    start = time.perf_counter()
    solution = lpmech.solve(env, "revenue", CONSTRAINTS[ic])
    seconds = time.perf_counter() - start
    estimate = evaluate(solution.mechanism, setting.law, n_samples=SAMPLES)
    solves = re.search(r"(\d+) solves", solution.report.details or "")
    queue.put(
        {
            "formulation": solution.report.formulation,
            "rows": solution.report.n_rows,
            "solves": int(solves.group(1)) if solves else 1,
            "seconds": seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "grid": solution.objective_value,
            "continuous": estimate.revenue,
            "standard_error": estimate.standard_error,
            "regret": estimate.mean_regret,
            "ir_violation": estimate.ir_violation,
            "verified": solution.verification.ok,
            "published": setting.published,
        }
    )


def _bridge(name: str, n_points: int, at: str, queue: Any) -> None:
    """Child process: DSIC on the midpoint or corner grid, evaluated on the continuum.

    Midpoints with reports rounded to the nearest type; corners with reports rounded
    down (exactly IR, the grid law kept: :mod:`lpmech.checks.continuous`).
    """
    import lpmech
    from lpmech.analytic.published import SETTINGS
    from lpmech.checks.continuous import evaluate

    setting = SETTINGS[name]
    env = setting.build(n_points, at)
    start = time.perf_counter()
    solution = lpmech.solve(env, "revenue", CONSTRAINTS["DSIC"])
    seconds = time.perf_counter() - start
    rounding = "down" if at == "corner" else "nearest"
    estimate = evaluate(solution.mechanism, setting.law, n_samples=SAMPLES, rounding=rounding)
    queue.put(
        {
            "seconds": seconds,
            "highs": solution.report.solve_seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "verified": solution.verification.ok,
            "grid": solution.objective_value,
            "continuous": estimate.revenue,
            "standard_error": estimate.standard_error,
            "regret": estimate.mean_regret,
            "max_regret": estimate.max_regret,
            "ir_violation": estimate.ir_violation,
        }
    )


def bridge_text(timeout: float) -> str:
    """The bridge tables: every grid of each setting, then the extrapolations."""
    from lpmech.analytic.published import SETTINGS
    from lpmech.checks.continuous import extrapolate

    lines = [
        "| setting | grid | points at | seconds | HiGHS s (all rounds) | total / HiGHS | peak MB "
        "| verified | grid optimum | continuous (± s.e.) | mean regret | max regret "
        "| IR violation |",
        "|" + "---|" * 13,
    ]
    series: dict[tuple[str, str], list[tuple[int, float]]] = {}
    for name, grids in BRIDGE.items():
        for at in ("corner", "midpoint"):
            for n_points in grids:
                result = in_fresh_process(_bridge, (name, n_points, at), timeout)
                print(name, n_points, at, result, flush=True)
                grid = "×".join([str(n_points)] * SETTINGS[name].n_items)
                if "seconds" not in result:
                    lines.append(f"| {name} | {grid} | {at} | {result} |" + " |" * 9)
                    continue
                r = result
                series.setdefault((name, at), []).append((n_points, r["grid"]))
                lines.append(
                    f"| {name} | {grid} | {at} | {r['seconds']:.2f} | {r['highs']:.2f} | "
                    f"{r['seconds'] / max(r['highs'], 1e-9):.2f} | {r['peak_mb']:.0f} | "
                    f"{'yes' if r['verified'] else 'NO'} | {r['grid']:.4f} | "
                    f"{r['continuous']:.4f} ± {r['standard_error']:.4f} | {r['regret']:.2g} | "
                    f"{r['max_regret']:.2g} | {r['ir_violation']:.2g} |"
                )
    lines += [
        "",
        "| setting | points at | grids | extrapolated n → ∞ (± uncertainty) | published |",
        "|---|---|---|---|---|",
    ]
    for (name, at), points in series.items():
        value = extrapolate(points)
        published = SETTINGS[name].published
        lines.append(
            f"| {name} | {at} | {', '.join(str(n) for n, _ in points)} | "
            + ("—" if value is None else f"{value[0]:.4f} ± {value[1]:.4f}")
            + f" | {'—' if published is None else published} |"
        )
    return "\n".join(lines)


def run(name: str, n_points: int, timeout: float, ic: str = "DSIC") -> dict[str, Any]:
    """One setting on one grid in a fresh process, or its time-out or failure."""
    result = in_fresh_process(_solve, (name, n_points, ic), timeout)
    if "timeout" in result:
        return {"failure": f"over {timeout:.0f} s"}
    return {"failure": result["error"]} if "error" in result else result


def table(rows: list[tuple[str, int, int, str, dict[str, Any]]]) -> str:
    lines = [
        "| setting | grid | IC | formulation | solves | rows | seconds | peak MB "
        "| verified | grid optimum | continuous (± s.e.) | sampled regret | IR violation "
        "| published | grid / published |",
        "|" + "---|" * 15,
    ]
    for name, n_points, n_items, n_bidders, ic, r in rows:
        grid = "×".join([str(n_points)] * n_items) + (
            "" if n_bidders == 1 else f" × {n_bidders} bidders"
        )
        if "failure" in r:
            lines.append(f"| {name} | {grid} | {ic} | {r['failure']} |" + " |" * 11)
            continue
        published, ratio = (
            ("—", "—")
            if r["published"] is None
            else (r["published"], f"{100 * (r['grid'] / r['published'] - 1):+.1f} %")
        )
        lines.append(
            f"| {name} | {grid} | {ic} | {r['formulation']} | {r['solves']} | {r['rows']} | "
            f"{r['seconds']:.2f} | {r['peak_mb']:.0f} | {'yes' if r['verified'] else 'NO'} | "
            f"{r['grid']:.4f} | "
            f"{r['continuous']:.4f} ± {r['standard_error']:.4f} | {r['regret']:.2g} | "
            f"{r['ir_violation']:.2g} | {published} | {ratio} |"
        )
    return "\n".join(lines)


def runs_of(setting: Any, args: argparse.Namespace) -> list[tuple[int, str]]:
    """(points per item, incentive notion) of each run of one setting."""
    if setting.n_bidders == 1:  # with one bidder BIC is DSIC
        return [(n_points, "DSIC") for n_points in args.grid or [20, 50]]
    if setting.n_items == 3:
        grids = args.three_items_grid or [5]
        return [(n_points, ic) for ic in ("DSIC", "BIC") for n_points in grids]
    return [(n_points, "DSIC") for n_points in args.bidders_grid or [8, 12]] + [
        (n_points, "BIC") for n_points in args.bic_grid or [10, 20]
    ]


def main(argv: list[str] | None = None) -> int:
    from lpmech.analytic.published import SETTINGS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--grid",
        type=int,
        action="append",
        help="points per item for one bidder (repeatable; default 20 and 50)",
    )
    parser.add_argument(
        "--bidders-grid",
        type=int,
        action="append",
        help="points per item with several bidders (default 8 and 12)",
    )
    parser.add_argument(
        "--bic-grid",
        type=int,
        action="append",
        help="points per item with several bidders under BIC (default 10 and 20)",
    )
    parser.add_argument(
        "--three-items-grid",
        type=int,
        action="append",
        help="points per item with several bidders and three items, under "
        "DSIC and BIC (default 5)",
    )
    parser.add_argument(
        "--setting",
        action="append",
        choices=sorted(SETTINGS),
        help="only this setting (repeatable; default every setting)",
    )
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--write", action="store_true", help="rewrite the README table")
    parser.add_argument(
        "--bridge",
        action="store_true",
        help="only the continuum bridge: several bidders on midpoint and corner grids",
    )
    args = parser.parse_args(argv)
    if args.bridge:
        text = (
            f"Measured {time.strftime('%Y-%m-%d')} on {machine()}.\n\n{bridge_text(args.timeout)}"
        )
        print("\n" + text)
        if args.write:
            print(f"\nwrote {write_section(BRIDGE_BEGIN, BRIDGE_END, text)}")
        return 0
    rows = []
    for name, setting in SETTINGS.items():
        if args.setting and name not in args.setting:
            continue
        for n_points, ic in runs_of(setting, args):
            result = run(name, n_points, args.timeout, ic)
            print(name, n_points, ic, result, flush=True)
            rows.append((name, n_points, setting.n_items, setting.n_bidders, ic, result))
    text = f"Measured {time.strftime('%Y-%m-%d')} on {machine()}.\n\n{table(rows)}"
    print("\n" + text)
    if args.write:
        print(f"\nwrote {write_section(BEGIN, END, text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
