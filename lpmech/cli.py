"""The ``lpmech`` command.

``lpmech``                     solve the default model and print the result
``lpmech list``                list the ready models
``lpmech solve MODEL [--param value …] [--backend B] [--algorithm A] [--verbose]``
                               solve a model, beside its analytic benchmark;
                               parameters come from its builder (counts are
                               whole numbers ≥ 1, reals finite); --verbose
                               shows HiGHS's log
``lpmech sweep MODEL --param a,b,c|start:stop:step … [--executor E] [--output F]``
                               solve a model over a grid of its parameters
                               (see :mod:`lpmech.sweeps.command`)
``lpmech check [--backend B] [--tol T]``
                               solve every model and hold each optimum against
                               its benchmark; exit status 1 if any disagrees
``lpmech check --exact``       the same in rationals: each optimum proved by its
                               certificate and compared with the exact benchmark
``lpmech solve MODEL --exact`` also print the optimum as a fraction and the
                               certificate's verdict (needs ``lpmech[exact]``)

Errors print one line and exit with status 1 (2 for a malformed command line).
"""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Sequence

from lpmech.algorithms import ALGORITHMS
from lpmech.backends import BACKENDS
from lpmech.display import format_table
from lpmech.environment import Environment
from lpmech.errors import InvalidToleranceError, LpmechError
from lpmech.models import DEFAULT_MODEL, MODELS, ModelSpec
from lpmech.progress import solver_progress
from lpmech.solve import Solution, solve
from lpmech.sweeps.command import run_sweep_command
from lpmech.verify import check_tol

BACKEND_CHOICES = ("auto", *BACKENDS)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="lpmech",
        description="Design mechanisms by optimisation. With no command, solves the "
                    f"default model ({DEFAULT_MODEL}).",
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("list", help="list the ready models")
    check_parser = commands.add_parser(
        "check", help="solve every model and compare each optimum with its benchmark")
    check_parser.add_argument("--backend", choices=BACKEND_CHOICES, default="auto")
    check_parser.add_argument("--tol", type=_tolerance, default=1e-6,
                              help="relative tolerance of the comparison (default 1e-6)")
    check_parser.add_argument("--exact", action="store_true",
                              help="certify each optimum in rationals and compare it with "
                                   "the exact benchmark (needs lpmech[exact])")
    solve_parser = commands.add_parser(
        "solve", help="solve a model", add_help=False,
        description="Solve MODEL; run 'lpmech solve MODEL --help' for its parameters.",
    )
    solve_parser.add_argument("model", nargs="?")
    solve_parser.add_argument("-h", "--help", action="store_true")
    sweep_parser = commands.add_parser(
        "sweep", help="solve a model over a grid of its parameters", add_help=False,
        description="Sweep MODEL; run 'lpmech sweep MODEL --help' for its options.")
    sweep_parser.add_argument("model", nargs="?")
    sweep_parser.add_argument("-h", "--help", action="store_true")
    known, rest = parser.parse_known_args(args)
    try:
        if known.command == "list":
            print(_listing())
            return 0
        if known.command == "check":
            if rest:
                parser.error(f"unrecognised arguments: {' '.join(rest)}")
            if known.exact:
                return _check_exact(known.backend)
            return _check(known.backend, known.tol)
        if known.command is None:
            if rest:
                parser.error(f"unrecognised arguments: {' '.join(rest)}")
            return _solve(MODELS[DEFAULT_MODEL], [])
        if known.command == "sweep":
            if known.model is None:
                sweep_parser.print_help() if known.help else parser.error("sweep needs a MODEL")
                return 0
            return run_sweep_command(known.model, rest + (["--help"] if known.help else []))
        if known.model is None:
            solve_parser.print_help() if known.help else parser.error("solve needs a MODEL")
            return 0
        if known.model not in MODELS:
            raise LpmechError(f"unknown model {known.model!r}; run 'lpmech list' "
                              f"(models: {', '.join(MODELS)})")
        return _solve(MODELS[known.model], rest + (["--help"] if known.help else []))
    except (LpmechError, ValueError, KeyError, TypeError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"lpmech: error: {message}", file=sys.stderr)
        return 1


def _listing() -> str:
    rows = [(spec.name, spec.title, spec.objective, " + ".join(spec.constraints))
            for spec in MODELS.values()]
    return format_table(("model", "setting", "objective", "constraints"), rows)


def _check(backend: str, tol: float) -> int:
    rows, failures = [], []
    for spec in MODELS.values():
        check = spec.check(backend=backend, tol=tol)
        distance = "—" if check.distance is None else check.distance
        rows.append((spec.name, spec.title, check.solution.objective_value,
                     check.benchmark.symbol, check.benchmark.value, check.gap, distance,
                     f"{check.seconds:.3f}", "ok" if check.agrees else "DISAGREES"))
        if not check.agrees:
            failures.append(spec.name)
    print(format_table(("model", "setting", "LP optimum", "", "benchmark", "gap",
                        "distance to analytic", "seconds", "verdict"), rows))
    print("distance to analytic: largest ex-post difference between the benchmark's "
          "mechanism and the optimum tie-broken towards it (0: the analytic mechanism is "
          "optimal)")
    if failures:
        print(f"lpmech: error: optimum and benchmark disagree for {', '.join(failures)}",
              file=sys.stderr)
        return 1
    print(f"all {len(rows)} models agree with their benchmarks (tolerance {tol:g})")
    return 0


def _count(text: str) -> int:
    """A model's integer parameter: every one counts agents, types or grid points."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _tolerance(text: str) -> float:
    try:
        return check_tol(_real(text), "--tol")
    except InvalidToleranceError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _real(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
    return value


def _check_exact(backend: str) -> int:
    rows, failures, skipped = [], [], []
    for spec in MODELS.values():
        if spec.exact_benchmark is None:  # a non-linear objective: no rational optimum to prove
            skipped.append(spec.name)
            continue
        check = spec.check_exact(backend=backend)
        rows.append((spec.name, str(check.certificate.objective),
                     "proved" if check.certificate.ok else "NOT proved", check.benchmark.symbol,
                     str(check.value), f"{check.seconds:.3f}",
                     "ok" if check.agrees else "DISAGREES"))
        if not check.agrees:
            failures.append(spec.name)
    print(format_table(("model", "exact optimum", "certificate", "", "exact benchmark",
                        "seconds", "verdict"), rows))
    if failures:
        print(f"lpmech: error: exact optimum and benchmark disagree (or the optimum is not "
              f"proved) for {', '.join(failures)}", file=sys.stderr)
        return 1
    print(f"all {len(rows)} models' optima are proved and agree exactly with their benchmarks"
          + (f" (no exact benchmark, not certified: {', '.join(skipped)})" if skipped else ""))
    return 0


def _model_parser(spec: ModelSpec) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"lpmech solve {spec.name}", description=f"{spec.title}. Source: {spec.source}."
    )
    for name, parameter in spec.parameters().items():
        kind = parameter.annotation
        kind = {"int": _count, "float": _real, "str": str}.get(kind, kind) \
            if isinstance(kind, str) else {int: _count, float: _real}.get(kind, kind)
        parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=kind,
                            default=parameter.default,
                            help=f"default {parameter.default}"
                            if parameter.default is not inspect.Parameter.empty else None)
    parser.add_argument("--backend", choices=BACKEND_CHOICES, default="auto")
    parser.add_argument("--algorithm", choices=ALGORITHMS, default="auto",
                        help="HiGHS algorithm (default: chosen by the program)")
    parser.add_argument("--profiles", type=_count, default=24,
                        help="how many profiles of the ex-post rule to print")
    parser.add_argument("--quiet", action="store_true",
                        help="no live solver line on stderr during a long solve")
    parser.add_argument("--verbose", action="store_true", help="show HiGHS's log")
    parser.add_argument("--exact", action="store_true",
                        help="prove the optimum in rationals and print it as a fraction "
                             "(needs lpmech[exact])")
    return parser


def _solve(spec: ModelSpec, argv: list[str]) -> int:
    options = _model_parser(spec).parse_args(argv)
    params = {name: getattr(options, name) for name in spec.parameters()}
    env = spec.environment(**params)
    with solver_progress(not options.quiet):  # shown only on a terminal (lpmech.progress)
        solution = solve(env, spec.objective, spec.constraints, backend=options.backend,
                         algorithm=options.algorithm, verbose=options.verbose,
                         tie_break=spec.tie_break)
    benchmark = spec.benchmark(env)
    optimum = solution.objective_value
    print(f"Model {spec.name}: {spec.title}")
    print(f"Parameters: {', '.join(f'{k}={v}' for k, v in params.items())}")
    print(f"Source: {spec.source}\n")
    header = (f"Optimal {solution.objective.name} = {optimum:.6g} under "
              f"{' + '.join(f.name for f in solution.families)}")
    verdict = "agrees" if benchmark.agrees(optimum) else "DISAGREES"
    comparison = (f"Benchmark: {benchmark.name} = {benchmark.value:.6g}; LP optimum "
                  f"{benchmark.symbol} benchmark, gap {benchmark.gap(optimum):.3g} ({verdict})")
    parts = [header, comparison]
    if options.exact:
        parts.append(_exact_summary(spec, env, solution))
    print("\n\n".join([*parts, str(solution.verification), str(solution.report),
                       solution.mechanism.summary(max_profiles=options.profiles)]))
    return 0


def _exact_summary(spec: ModelSpec, env: Environment, solution: Solution) -> str:
    """The optimum as a fraction, the certificate's verdict and the exact benchmark."""
    certificate = solution.certify()
    if not certificate.ok:
        return f"Exact optimum: not proved\n{certificate}"
    lines = [f"Exact optimum: {solution.objective.name} = {certificate.objective}",
             str(certificate)]
    if spec.exact_benchmark is not None:
        value = spec.exact_benchmark(env)
        lines.append(f"Exact benchmark: {spec.benchmark(env).name} = {value} "
                     f"({'equal' if value == certificate.objective else 'not equal'} to the "
                     "exact optimum)")
    return "\n".join(lines)
