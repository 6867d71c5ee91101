"""Run lpmech's benchmark suite and print (optionally write) its tables.

    python benchmarks/run.py                 # every sweep
    python benchmarks/run.py --sweep trade   # sweeps whose name contains "trade"
    python benchmarks/run.py --write         # also rewrite benchmarks/README.md
    python benchmarks/run.py --algorithms    # also time HiGHS simplex and IPM
    python benchmarks/run.py --tie-break     # also time tie_break="small_payments"

Every variant of every size runs in a fresh process (so peak memory is its own
and nothing is cached from a previous run), with a time limit. For each size the
table gives the program lpmech solved, its build / compile / solve / total
seconds, the process's peak memory and the optimum, and, measured in the same
run: how many times faster lpmech is than the per-scalar cvxpy formulation
(``benchmarks/naive.py``) and than the full-IC direct formulation, and lpmech's
total time over HiGHS's solve time on lpmech's own program. "agree" checks that
every variant that finished found the same optimum (within 1e-6). "canonical s" is
the default step that picks the returned optimum among optima (anonymising it for
identical agents, :mod:`lpmech.solving.canonical`); with ``--tie-break``, "small payments s"
is the extra time of ``tie_break="small_payments"``'s second stage.
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import platform
import resource
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import CASES, Case  # noqa: E402

VARIANTS = ("lpmech", "full IC", "per-scalar cvxpy")
TIE_BREAK = "lpmech (tie-break small_payments)"


def _families(case: Case, full: bool) -> list[Any]:
    from lpmech import BayesianIC, DominantStrategyIC

    if not full:
        return list(case.constraints)
    replace = {
        "dominant_strategy_ic": DominantStrategyIC("full"),
        "bayesian_ic": BayesianIC("full"),
    }
    return [replace.get(name, name) for name in case.constraints]


def _solve(case: Case, variant: str) -> dict[str, Any]:
    """Solve one case one way; its optimum, program size and timings."""
    from naive import solve_naively

    import lpmech

    env = case.build()
    if variant == "per-scalar cvxpy":
        result = solve_naively(env, case.objective, list(case.constraints))
        return {**result, "formulation": "per-scalar"}
    tie_break = "small_payments" if variant == TIE_BREAK else None
    algorithm = (
        variant[len("lpmech (") : -1]
        if variant.startswith("lpmech (") and tie_break is None
        else "auto"
    )
    full = variant == "full IC"
    solution = lpmech.solve(
        env,
        case.objective,
        _families(case, full),
        formulation="direct" if full else "auto",
        algorithm=algorithm,
        tie_break=tie_break,
    )
    report = solution.report
    return {
        "optimum": solution.objective_value,
        "variables": report.n_variables,
        "rows": report.n_rows,
        "nonzeros": report.n_nonzeros,
        "build_seconds": report.build_seconds,
        "compile_seconds": report.compile_seconds,
        "solve_seconds": report.solve_seconds,
        "total_seconds": report.total_seconds,
        "formulation": report.formulation,
        "algorithm": report.algorithm,
        "verified": solution.verification.ok,
        "canonical_seconds": report.tie_break_seconds,
    }


def _measure(index: int, variant: str, queue: Any) -> None:
    """Child process: warm up on the sweep's smallest size, then solve and measure one case.

    The warm-up solve runs the same code paths once, so one-time costs (lazy
    imports, BLAS start-up) are not charged to the size measured.
    """
    case = CASES[index]
    smallest = next(c for c in CASES if c.sweep == case.sweep)
    _solve(smallest, variant)
    start = time.perf_counter()
    result = _solve(case, variant)
    result["wall_seconds"] = time.perf_counter() - start
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(result)


def run(index: int, variant: str, timeout: float) -> dict[str, Any]:
    """Run one variant of one case in a fresh process, or report its time-out or error."""
    return in_fresh_process(_measure, (index, variant), timeout)


def in_fresh_process(target: Any, args: tuple, timeout: float) -> dict[str, Any]:
    """``target(*args, queue)`` in a fresh process: what it puts on the queue, or why not."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join()
        return {"timeout": timeout}
    if queue.empty():
        return {"error": f"exit code {process.exitcode}"}
    return queue.get()


def write_section(begin: str, end: str, text: str) -> Path:
    """Put ``text`` between the markers ``begin`` and ``end`` of benchmarks/README.md.

    A section not there yet goes before the size sweeps' ``<!-- results -->``, so
    ``run.py --write`` (which rewrites from that marker on) keeps it.
    """
    readme = HERE / "README.md"
    content = readme.read_text()
    section = f"{begin}\n\n{text}\n\n{end}"
    if begin in content:
        before, rest = content.split(begin, 1)
        content = before + section + rest.split(end, 1)[1]
    else:
        content = content.replace("<!-- results -->", section + "\n\n<!-- results -->")
    readme.write_text(content)
    return readme


def machine() -> str:
    """A line describing this machine and the solver stack."""
    import cvxpy
    import numpy

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}, numpy "
        f"{numpy.__version__}, cvxpy {cvxpy.__version__}, highspy "
        f"{version('highspy')}"
    )  # the package's version: a Highs() would print a banner


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None or denominator <= 0:
        return "—"
    return (
        f"{numerator / denominator:.1f}×"
        if numerator / denominator >= 10
        else f"{numerator / denominator:.2f}×"
    )


def table(
    sweep: str, rows: list[tuple[Case, dict[str, dict]]], algorithms: bool, tie_break: bool = False
) -> str:
    """A markdown table for one sweep."""
    head = (
        "| size | formulation, algorithm | variables | rows | build s | compile s | solve s "
        "| total s | peak MB | optimum | vs per-scalar | vs full IC | total / HiGHS | agree |"
    )
    lines = [f"### {sweep}", "", head, "|" + "---|" * 14]
    for case, results in rows:
        main = results["lpmech"]
        if "optimum" not in main:
            lines.append(f"| {case.size} | {_failure(main)} |" + " |" * 13)
            continue
        naive, full = results.get("per-scalar cvxpy", {}), results.get("full IC", {})
        optima = [r["optimum"] for r in results.values() if "optimum" in r]
        agree = max(optima) - min(optima) <= 1e-6 * max(1.0, abs(main["optimum"]))
        lines.append(
            f"| {case.size} | {main['formulation']}, {main['algorithm']} | "
            f"{main['variables']} | {main['rows']} | "
            f"{_seconds(main['build_seconds'])} | {_seconds(main['compile_seconds'])} | "
            f"{_seconds(main['solve_seconds'])} | {_seconds(main['total_seconds'])} | "
            f"{main['peak_mb']:.0f} | {main['optimum']:.6f} | "
            f"{_ratio(naive.get('total_seconds'), main['total_seconds']) if naive else '—'}"
            f"{_note(naive)} | "
            f"{_ratio(full.get('total_seconds'), main['total_seconds']) if full else '—'}"
            f"{_note(full)} | "
            f"{main['total_seconds'] / main['solve_seconds']:.2f} | "
            f"{'yes' if agree else 'NO'} ({len(optima)}) |"
        )
    lines += [
        "",
        "| size | solve s | canonical s | canonical / solve |"
        + (" small payments s | small payments / solve |" if tie_break else ""),
        "|---|---|---|---|" + ("---|---|" if tie_break else ""),
    ]
    for case, results in rows:
        main = results["lpmech"]
        if "optimum" not in main:
            continue
        line = (
            f"| {case.size} | {_seconds(main['solve_seconds'])} | "
            f"{_seconds(main['canonical_seconds'])} | "
            f"{_ratio(main['canonical_seconds'], main['solve_seconds'])} |"
        )
        if tie_break:
            small = results.get(TIE_BREAK, {})
            extra = small.get("canonical_seconds")
            line += f" {_seconds(extra)}{_note(small)} | {_ratio(extra, main['solve_seconds'])} |"
        lines.append(line)
    if algorithms:
        lines += [
            "",
            "| size | simplex solve s | IPM solve s | auto's solve s |",
            "|---|---|---|---|",
        ]
        for case, results in rows:
            solve = {
                variant: _seconds(result.get("solve_seconds"))
                for variant, result in results.items()
            }
            lines.append(
                f"| {case.size} | {solve.get('lpmech (simplex)', '—')} | "
                f"{solve.get('lpmech (ipm)', '—')} | {solve['lpmech']} |"
            )
    return "\n".join(lines)


def _failure(result: dict) -> str:
    if "timeout" in result:
        return f"over {result['timeout']:.0f} s"
    return result.get("error", "failed")


def _note(result: dict) -> str:
    if "timeout" in result:
        return f" (over {result['timeout']:.0f} s)"
    if "error" in result:
        return " (failed)"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sweep",
        action="append",
        default=[],
        help="run sweeps whose name contains this text (repeatable)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds allowed to each variant of each size (default 300)",
    )
    parser.add_argument("--write", action="store_true", help="rewrite benchmarks/README.md")
    parser.add_argument(
        "--algorithms",
        action="store_true",
        help="also time lpmech with HiGHS simplex and IPM forced",
    )
    parser.add_argument(
        "--tie-break", action="store_true", help='also time tie_break="small_payments"'
    )
    args = parser.parse_args(argv)
    chosen = [
        i
        for i, case in enumerate(CASES)
        if not args.sweep or any(text in case.sweep for text in args.sweep)
    ]
    by_sweep: dict[str, list[tuple[Case, dict[str, dict]]]] = {}
    for index in chosen:
        case = CASES[index]
        variants = ["lpmech"]
        if case.full:
            variants.append("full IC")
        if case.naive:
            variants.append("per-scalar cvxpy")
        if args.algorithms:
            variants += ["lpmech (simplex)", "lpmech (ipm)"]
        if args.tie_break:
            variants.append(TIE_BREAK)
        results = {variant: run(index, variant, args.timeout) for variant in variants}
        by_sweep.setdefault(case.sweep, []).append((case, results))
        main_result = results["lpmech"]
        print(
            f"{case.sweep}, {case.size}: "
            + ", ".join(
                f"{v} {_seconds(r.get('total_seconds'))} s"
                if "total_seconds" in r
                else f"{v} {_failure(r)}"
                for v, r in results.items()
            )
            + (f" [{main_result.get('formulation')}]" if "formulation" in main_result else ""),
            flush=True,
        )
    tables = [
        table(sweep, rows, args.algorithms, args.tie_break) for sweep, rows in by_sweep.items()
    ]
    stamp = datetime.date.today().isoformat()
    text = f"Measured {stamp} on {machine()}.\n\n" + "\n\n".join(tables)
    print("\n" + text)
    if args.write:
        readme = HERE / "README.md"
        intro = readme.read_text().split("<!-- results -->")[0] if readme.exists() else ""
        readme.write_text(intro + "<!-- results -->\n\n" + text + "\n")
        print(f"\nwrote {readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
