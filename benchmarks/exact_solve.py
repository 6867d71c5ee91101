"""Time ``solve(..., exact=True)`` against the float solve, on the certificate benchmark's cases.

    python benchmarks/exact_solve.py            # every case of cases.CERTIFY_CASES
    python benchmarks/exact_solve.py --write    # also rewrite the section in benchmarks/README.md

Each size runs in a fresh process that first solves the sweep's smallest size both
ways (so imports and one-time costs are not charged), then times, in the same
process, the float solve (``lpmech.solve``: build, compile, HiGHS, verification) and
the exact solve (``lpmech.solve(..., exact=True)``: the rational program, HiGHS's
proposed bases, exact simplex pivots where needed, every imposed family checked
exactly, the dual bound; :mod:`lpmech.exact.optimum`). The table gives both times,
their ratio, the proposal that gave the proved basis and the exact optimum.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import CERTIFY_CASES  # noqa: E402
from run import in_fresh_process, machine, write_section  # noqa: E402

BEGIN, END = "<!-- exact solve -->", "<!-- /exact solve -->"


def _time_both(index: int) -> dict[str, Any]:
    import lpmech

    case = CERTIFY_CASES[index]
    env = case.build()
    start = time.perf_counter()
    floating = lpmech.solve(env, case.objective, case.constraints)
    float_seconds = time.perf_counter() - start
    start = time.perf_counter()
    try:
        exact = lpmech.solve(env, case.objective, case.constraints, exact=True)
    except lpmech.errors.LpmechError as error:
        return {"float": float_seconds, "refused": f"{type(error).__name__}: {error}"[:120]}
    exact_seconds = time.perf_counter() - start
    return {
        "float": float_seconds,
        "exact": exact_seconds,
        "agree": abs(float(exact.objective_value) - floating.objective_value)
        <= 1e-6 * max(1.0, abs(floating.objective_value)),
        "how": exact.report.details,
        "optimum": str(exact.objective_value),
    }


def _measure(index: int, queue: Any) -> None:
    case = CERTIFY_CASES[index]
    smallest = next(i for i, c in enumerate(CERTIFY_CASES) if c.sweep == case.sweep)
    _time_both(smallest)
    queue.put(_time_both(index))


def table(results: list[tuple[int, dict[str, Any]]]) -> str:
    """A markdown table of the results."""
    lines = [
        "| problem | size | float s | exact s | exact / float | agree | how | exact optimum |",
        "|" + "---|" * 8,
    ]
    for index, result in results:
        case = CERTIFY_CASES[index]
        name = case.sweep.removeprefix("certificate: ")
        if "exact" not in result:
            lines.append(f"| {name} | {case.size} | {result} |" + " |" * 5)
            continue
        lines.append(
            f"| {name} | {case.size} | {result['float']:.3f} | {result['exact']:.3f} | "
            f"{result['exact'] / result['float']:.1f}× | {result['agree']} | "
            f"{result['how']} | {result['optimum']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--write", action="store_true", help="rewrite benchmarks/README.md")
    parser.add_argument("--only", type=int, nargs="*", help="indices of CERTIFY_CASES to run")
    args = parser.parse_args(argv)
    results = []
    chosen = args.only if args.only else range(len(CERTIFY_CASES))
    for index in chosen:
        case = CERTIFY_CASES[index]
        result = in_fresh_process(_measure, (index,), args.timeout)
        results.append((index, result))
        print(f"{case.sweep}, {case.size}: {result}", flush=True)
    text = f"Measured {datetime.date.today().isoformat()} on {machine()}.\n\n" + table(results)
    print("\n" + text)
    if args.write:
        print(f"\nwrote {write_section(BEGIN, END, text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
