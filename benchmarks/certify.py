"""Time exact certificates against the float solve they certify.

    python benchmarks/certify.py            # every case of cases.CERTIFY_CASES
    python benchmarks/certify.py --write    # also rewrite the section in benchmarks/README.md

Each size runs in a fresh process that first solves and certifies the sweep's
smallest size (so imports and one-time costs are not charged). The table gives the
formulation lpmech solved with, the environment's columns, the columns of the program
the certificate proves its bound on (the symmetric formulation's reduced program, or
the direct one), the float solve's total seconds (``lpmech.solve``: build, compile,
HiGHS, verification), the certificate's seconds (``Solution.certify``: exact rows,
HiGHS's basis by crossover from the float optimum, the basis systems in rationals,
every imposed family checked exactly on every profile, the dual bound), their ratio
(the target is at most 5×), the verdict and the exact optimum.
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

BEGIN, END = "<!-- certificates -->", "<!-- /certificates -->"


def _certify(index: int) -> dict[str, Any]:
    import lpmech

    case = CERTIFY_CASES[index]
    env = case.build()
    start = time.perf_counter()
    solution = lpmech.solve(env, case.objective, case.constraints)
    solve_seconds = time.perf_counter() - start
    certificate = solution.certify()
    program = certificate.context.program if certificate.context is not None else None
    return {
        "formulation": solution.report.formulation,
        "columns": env.layout.n_columns,
        "certified": None if program is None else program.n_columns,
        "solve": solve_seconds,
        "certify": certificate.seconds,
        "ok": certificate.ok,
        "optimum": str(certificate.objective),
        "failure": certificate.failures[:1],
    }


def _measure(index: int, queue: Any) -> None:
    case = CERTIFY_CASES[index]
    smallest = next(i for i, c in enumerate(CERTIFY_CASES) if c.sweep == case.sweep)
    _certify(smallest)
    queue.put(_certify(index))


def table(results: list[tuple[int, dict[str, Any]]]) -> str:
    """A markdown table of the results."""
    lines = [
        "| problem | size | formulation | columns | columns certified | solve s | "
        "certify s | certify / solve | verdict | exact optimum |",
        "|" + "---|" * 10,
    ]
    for index, result in results:
        case = CERTIFY_CASES[index]
        name = case.sweep.removeprefix("certificate: ")
        if "solve" not in result:
            lines.append(f"| {name} | {case.size} | {result} |" + " |" * 7)
            continue
        verdict = "proved" if result["ok"] else f"FAILED: {result['failure'][0]}"
        lines.append(
            f"| {name} | {case.size} | {result['formulation']} | {result['columns']} "
            f"| {result['certified']} | {result['solve']:.3f} | "
            f"{result['certify']:.3f} | {result['certify'] / result['solve']:.1f}× | "
            f"{verdict} | "
            f"{result['optimum']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--write", action="store_true", help="rewrite benchmarks/README.md")
    args = parser.parse_args(argv)
    results = []
    for index, case in enumerate(CERTIFY_CASES):
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
