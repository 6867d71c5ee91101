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
``lpmech check [--backend B] [--tol T] [--json]``
                               solve every model and hold each optimum against
                               its benchmark; exit status 1 if any disagrees
``lpmech check --exact``       the same in rationals: each optimum proved by its
                               certificate and compared with the exact benchmark
``lpmech solve MODEL --exact`` also print the optimum as a fraction and the
                               certificate's verdict (needs ``lpmech[exact]``)
``lpmech solve MODEL --json | --output FILE.json|.csv | --plot FILE.png``
                               the result as one JSON document on stdout, saved
                               (a solution file, or the rule by profile), or drawn
``lpmech verify FILE [--constraints dsic,ex_post_ir] [--json]``
                               verify and audit a saved mechanism or solution;
                               exit status 1 if a family is violated

Errors print one line and exit with status 1 (2 for a malformed command line);
see :mod:`lpmech.cli.errors`. With ``--json``, ``--verbose``'s solver log goes
to stderr so that stdout stays one JSON document.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from lpmech.analytic.benchmark import Benchmark
from lpmech.backends.algorithms import ALGORITHMS
from lpmech.backends.engines import BACKENDS
from lpmech.backends.progress import solver_progress
from lpmech.checks.auditing import audit
from lpmech.checks.verification import check_tol, verify
from lpmech.cli.errors import (
    OneLineParser,
    check_picture_name,
    exit_on_interrupt,
    file_error_message,
    report,
    run_reporting,
)
from lpmech.errors import InvalidArgumentError, InvalidToleranceError, LpmechError
from lpmech.exact.certificate import Certificate
from lpmech.files import load, mechanism_data, save, verification_data
from lpmech.models import DEFAULT_MODEL, MODELS, ModelSpec
from lpmech.problem.environment import Environment
from lpmech.problem.scales import data_scale
from lpmech.results.mechanism import Mechanism
from lpmech.results.solution import Solution
from lpmech.solving.pipeline import solve
from lpmech.sweeps.command import run_sweep_command
from lpmech.views.text import format_table

BACKEND_CHOICES = ("auto", *BACKENDS)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see :mod:`lpmech.cli.errors`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    with exit_on_interrupt():
        return run_reporting(lambda: _run(args))


def _run(args: list[str]) -> int:
    """Parse ``args`` and run the command they name."""
    from lpmech import __version__

    parser = OneLineParser(
        prog="lpmech",
        description="Design mechanisms by optimisation. With no command, solves the "
        f"default model ({DEFAULT_MODEL}).",
    )
    parser.add_argument("--version", action="version", version=f"lpmech {__version__}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("list", help="list the ready models")
    check_parser = commands.add_parser(
        "check", help="solve every model and compare each optimum with its benchmark"
    )
    check_parser.add_argument("--backend", choices=BACKEND_CHOICES, default="auto")
    check_parser.add_argument(
        "--tol",
        type=_tolerance,
        default=1e-6,
        help="relative tolerance of the comparison (default 1e-6)",
    )
    check_parser.add_argument(
        "--exact",
        action="store_true",
        help="certify each optimum in rationals and compare it with "
        "the exact benchmark (needs lpmech[exact])",
    )
    check_parser.add_argument("--json", action="store_true", help="print one JSON document")
    verify_parser = commands.add_parser(
        "verify", help="verify and audit a mechanism saved with lpmech.save"
    )
    verify_parser.add_argument("file")
    verify_parser.add_argument(
        "--constraints", default=None, help="comma-separated families (default: those in the file)"
    )
    verify_parser.add_argument("--tol", type=float, default=1e-6)
    verify_parser.add_argument("--json", action="store_true", help="print one JSON document")
    solve_parser = commands.add_parser(
        "solve",
        help="solve a model",
        add_help=False,
        description="Solve MODEL; run 'lpmech solve MODEL --help' for its parameters.",
    )
    solve_parser.add_argument("model", nargs="?")
    solve_parser.add_argument("-h", "--help", action="store_true")
    sweep_parser = commands.add_parser(
        "sweep",
        help="solve a model over a grid of its parameters",
        add_help=False,
        description="Sweep MODEL; run 'lpmech sweep MODEL --help' for its options.",
    )
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
            return _check(known.backend, known.tol, known.json)
        if known.command == "verify":
            if rest:
                parser.error(f"unrecognised arguments: {' '.join(rest)}")
            return _verify_file(known.file, known.constraints, known.tol, known.json)
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
            raise LpmechError(
                f"unknown model {known.model!r}; run 'lpmech list' (models: {', '.join(MODELS)})"
            )
        return _solve(MODELS[known.model], rest + (["--help"] if known.help else []))
    except LpmechError as error:
        return report(error)
    except BrokenPipeError:  # stdout's reader went away: run_reporting ends quietly
        raise
    except OSError as error:  # a file named on the command line cannot be read or written
        return report(file_error_message(error))


def _listing() -> str:
    rows = [
        (spec.name, spec.title, spec.objective, " + ".join(spec.constraints))
        for spec in MODELS.values()
    ]
    return format_table(("model", "setting", "objective", "constraints"), rows)


def _check(backend: str, tol: float, as_json: bool = False) -> int:
    rows, failures, documents = [], [], []
    for spec in MODELS.values():
        check = spec.check(backend=backend, tol=tol)
        distance = "—" if check.distance is None else check.distance
        documents.append(
            {
                "model": spec.name,
                "title": spec.title,
                "objective_value": check.solution.objective_value,
                "benchmark": _benchmark_data(
                    check.benchmark, check.solution.objective_value, check.agrees
                ),
                "distance_to_analytic": check.distance,
                "seconds": check.seconds,
                "agrees": check.agrees,
            }
        )
        rows.append(
            (
                spec.name,
                spec.title,
                check.solution.objective_value,
                check.benchmark.symbol,
                check.benchmark.value,
                check.gap,
                distance,
                f"{check.seconds:.3f}",
                "ok" if check.agrees else "DISAGREES",
            )
        )
        if not check.agrees:
            failures.append(spec.name)
    if as_json:
        print(json.dumps({"tolerance": tol, "models": documents, "agree": not failures}, indent=2))
        return 1 if failures else 0
    print(
        format_table(
            (
                "model",
                "setting",
                "LP optimum",
                "",
                "benchmark",
                "gap",
                "distance to analytic",
                "seconds",
                "verdict",
            ),
            rows,
        )
    )
    print(
        "distance to analytic: largest ex-post difference between the benchmark's "
        "mechanism and the optimum tie-broken towards it (0: the analytic mechanism is "
        "optimal)"
    )
    if failures:
        print(
            f"lpmech: error: optimum and benchmark disagree for {', '.join(failures)}",
            file=sys.stderr,
        )
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
        rows.append(
            (
                spec.name,
                str(check.certificate.objective),
                "proved" if check.certificate.optimal else "NOT proved",
                check.benchmark.symbol,
                str(check.value),
                f"{check.seconds:.3f}",
                "ok" if check.agrees else "DISAGREES",
            )
        )
        if not check.agrees:
            failures.append(spec.name)
    print(
        format_table(
            ("model", "exact optimum", "certificate", "", "exact benchmark", "seconds", "verdict"),
            rows,
        )
    )
    if failures:
        print(
            f"lpmech: error: exact optimum and benchmark disagree (or the optimum is not "
            f"proved) for {', '.join(failures)}",
            file=sys.stderr,
        )
        return 1
    print(
        f"all {len(rows)} models' optima are proved and agree exactly with their benchmarks"
        + (f" (no exact benchmark, not certified: {', '.join(skipped)})" if skipped else "")
    )
    return 0


def _model_parser(spec: ModelSpec) -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=f"lpmech solve {spec.name}", description=f"{spec.title}. Source: {spec.source}."
    )
    for name, parameter in spec.parameters().items():
        kind = parameter.annotation
        kind = (
            {"int": _count, "float": _real, "str": str}.get(kind, kind)
            if isinstance(kind, str)
            else {int: _count, float: _real}.get(kind, kind)
        )
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            type=kind,
            default=parameter.default,
            help=f"default {parameter.default}"
            if parameter.default is not inspect.Parameter.empty
            else None,
        )
    parser.add_argument("--backend", choices=BACKEND_CHOICES, default="auto")
    parser.add_argument(
        "--algorithm",
        choices=ALGORITHMS,
        default="auto",
        help="HiGHS algorithm (default: chosen by the program)",
    )
    parser.add_argument(
        "--profiles",
        type=_count,
        default=24,
        help="how many profiles of the ex-post rule to print",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no live solver line on stderr during a long solve"
    )
    parser.add_argument("--verbose", action="store_true", help="show HiGHS's log")
    parser.add_argument(
        "--exact",
        action="store_true",
        help="prove the optimum in rationals and print it as a fraction (needs lpmech[exact])",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the result as one JSON document instead of tables",
    )
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="save the result: .json (lpmech.load reads it) or .csv (by profile)",
    )
    parser.add_argument("--plot", metavar="FILE.png", help="draw the optimum to an image file")
    return parser


def _solve(spec: ModelSpec, argv: list[str]) -> int:
    options = _model_parser(spec).parse_args(argv)
    if options.plot is not None:
        check_picture_name(options.plot, "--plot")
    params = {name: getattr(options, name) for name in spec.parameters()}
    env = spec.environment(**params)
    # the live line shows only on a terminal (lpmech.backends.progress); with --json, the
    # --verbose log goes to stderr and stdout holds only the JSON document
    with solver_progress(not options.quiet), _stdout_to_stderr(options.json):
        solution = solve(
            env,
            spec.objective,
            spec.constraints,
            backend=options.backend,
            algorithm=options.algorithm,
            verbose=options.verbose,
            tie_break=spec.tie_break,
        )
    benchmark = spec.benchmark(env)
    optimum = solution.objective_value
    _keep(solution, options.output, options.plot)
    certificate = solution.certify() if options.exact else None
    # with --exact, the exit status says whether optimality was proved
    status = 0 if certificate is None or certificate.optimal else 1
    if options.json:
        document = _solve_document(spec, params, solution, benchmark)
        if certificate is not None:
            exact = certificate.objective
            document["exact"] = {
                "objective": None if exact is None else str(exact),
                "checks_passed": certificate.ok,
                "optimal": certificate.optimal,
            }
        print(json.dumps(document, indent=2))
        return status
    print(f"Model {spec.name}: {spec.title}")
    print(f"Parameters: {', '.join(f'{k}={v}' for k, v in params.items())}")
    print(f"Source: {spec.source}\n")
    header = (
        f"Optimal {solution.objective.name} = {optimum:.6g} under "
        f"{' + '.join(f.name for f in solution.families)}"
    )
    verdict = "agrees" if benchmark.agrees(optimum, scale=data_scale(env)) else "DISAGREES"
    comparison = (
        f"Benchmark: {benchmark.name} = {benchmark.value:.6g}; LP optimum "
        f"{benchmark.symbol} benchmark, gap {benchmark.gap(optimum):.3g} ({verdict})"
    )
    parts = [header, comparison]
    if certificate is not None:
        parts.append(_exact_summary(spec, env, certificate))
    print(
        "\n\n".join(
            [
                *parts,
                str(solution.verification),
                str(solution.report),
                solution.mechanism.summary(max_profiles=options.profiles),
            ]
        )
    )
    return status


@contextmanager
def _stdout_to_stderr(redirect: bool) -> Iterator[None]:
    """Within this block, what is written to stdout (HiGHS's C-level log too) goes to stderr."""
    if not redirect:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _exact_summary(spec: ModelSpec, env: Environment, certificate: Certificate) -> str:
    """The optimum as a fraction, the certificate's verdict and the exact benchmark."""
    if not certificate.optimal:
        return f"Exact optimum: not proved\n{certificate}"
    lines = [f"Exact optimum: {spec.objective} = {certificate.objective}", str(certificate)]
    if spec.exact_benchmark is not None:
        value = spec.exact_benchmark(env)
        lines.append(
            f"Exact benchmark: {spec.benchmark(env).name} = {value} "
            f"({'equal' if value == certificate.objective else 'not equal'} to the "
            "exact optimum)"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- results as data and files
def _benchmark_data(benchmark: Benchmark, optimum: float, agrees: bool) -> dict:
    return {
        "name": benchmark.name,
        "value": benchmark.value,
        "relation": benchmark.relation,
        "gap": benchmark.gap(optimum),
        "agrees": agrees,
    }


def _solve_document(
    spec: ModelSpec, params: dict, solution: Solution, benchmark: Benchmark
) -> dict:
    """objective_value, benchmark, verification by family, report and mechanism, as JSON data."""
    env = solution.mechanism.env
    return {
        "model": spec.name,
        "parameters": params,
        "objective": solution.objective.name,
        "constraints": [f.name for f in solution.families],
        "objective_value": solution.objective_value,
        "benchmark": _benchmark_data(
            benchmark,
            solution.objective_value,
            benchmark.agrees(solution.objective_value, scale=data_scale(env)),
        ),
        "verification": {c.pop("family"): c for c in verification_data(solution.verification)},
        "report": solution.report.spec(),
        "mechanism": {
            "profiles": [
                [a.labels[k] for a, k in zip(env.agents, types, strict=True)]
                for types in env.layout.profile_types
            ],
            **mechanism_data(solution.mechanism),
        },
    }


def _keep(solution: Solution, output: str | None, picture: str | None) -> None:
    """Write the solution to ``output`` (.json or .csv) and its picture to ``picture``."""
    if output is not None:
        suffix = Path(output).suffix.lower()
        if suffix == ".json":
            save(solution, output)
        elif suffix == ".csv":
            solution.mechanism.to_frame().to_csv(output)
        else:
            raise InvalidArgumentError(f"--output: {output!r} should end in .json or .csv")
    if picture is not None:
        solution.plot().savefig(picture)


def _verify_file(path: str, constraints: str | None, tol: float, as_json: bool) -> int:
    """Verify (and audit) the mechanism in a saved mechanism or solution file."""
    loaded = load(path)
    if isinstance(loaded, Solution):
        mechanism, families = loaded.mechanism, list(loaded.families)
    elif isinstance(loaded, Mechanism):
        mechanism, families = loaded, []
    else:
        raise LpmechError(f"{path} holds an environment, not a mechanism")
    if constraints is not None:
        families = [name.strip() for name in constraints.split(",") if name.strip()]
    if not families:
        raise LpmechError(f"{path} records no constraint families; give --constraints")
    report = verify(mechanism, families, tol=tol)
    review = audit(mechanism)
    if as_json:
        print(
            json.dumps(
                {
                    "file": path,
                    "mechanism": mechanism.name,
                    "ok": report.ok,
                    "verification": {c.pop("family"): c for c in verification_data(report)},
                    "max_ex_post_regret": review.max_ex_post_regret,
                    "max_interim_regret": review.max_interim_regret,
                    "min_participation_slack": review.min_participation_slack,
                    "budget_imbalance": review.budget_imbalance,
                },
                indent=2,
            )
        )
    else:
        print(f"{report}\n\n{review}")
    return 0 if report.ok else 1
