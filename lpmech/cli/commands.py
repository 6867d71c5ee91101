"""The ``lpmech`` command.

``lpmech``                     solve the default model and print the result
``lpmech list``                list the ready models
``lpmech solve MODEL [--param value …] [--backend B] [--algorithm A] [--verbose]``
                               solve a model, beside its analytic benchmark;
                               parameters come from its builder (counts are
                               whole numbers ≥ 1, reals finite); --verbose
                               shows HiGHS's log
``lpmech solve FILE.toml|FILE.json``
                               solve a problem file (:mod:`lpmech.problem_files`)
``lpmech solve … --objective O --constraints F,G --tie-break T --formulation F``
``  --time-limit S --memory-limit 4G``
                               change the problem or the solve; ``lpmech solve
                               --help`` lists every option
``lpmech new MODEL [--param value …] [--json] [--output FILE]``
                               write a model as an editable problem file (TOML
                               on stdout by default)
``lpmech sweep MODEL --param a,b,c|start:stop:step … [--executor E] [--output F]``
                               solve a model over a grid of its parameters
                               (see :mod:`lpmech.cli.sweep`)
``lpmech check [--backend B] [--tol T] [--json]``
                               solve every model and hold each optimum against
                               its benchmark; exit status 1 if any disagrees
``lpmech check --exact``       the same in rationals: each optimum proved by its
                               certificate and compared with the exact benchmark
``lpmech solve MODEL --exact`` also print the optimum as a fraction and the
                               certificate's verdict (needs ``lpmech[exact]``)
``lpmech solve MODEL --json | --output FILE.json|.csv|- | --plot FILE.png``
                               the result as one JSON document on stdout, saved
                               (a solution file — on stdout for ``-`` — or the
                               rule by profile), or drawn; a line on stderr says
                               what was written where
``lpmech verify FILE [--constraints dsic,ex_post_ir] [--json] [--exact]``
                               verify and audit a saved mechanism or solution;
                               exit status 1 if a family is violated; --exact
                               certifies a solution as loaded (status 1 unless
                               its own mechanism and objective are proved)

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from lpmech.cli.sweep import run_sweep_command
from lpmech.constraints import ConstraintFamily
from lpmech.errors import (
    InvalidArgumentError,
    InvalidToleranceError,
    LpmechError,
    UnknownConstraintError,
    UnknownObjectiveError,
)
from lpmech.exact.certificate import Certificate
from lpmech.files import dumps, load, mechanism_data, save, to_data, verification_data
from lpmech.formulations import FORMULATIONS
from lpmech.models import DEFAULT_MODEL, MODELS, ModelSpec
from lpmech.numbers.formatting import format_table
from lpmech.problem.environment import Environment
from lpmech.problem.memory import check_allocation, resolve_memory_limit
from lpmech.problem.scales import data_scale
from lpmech.problem_files import PROBLEM_SCHEMA_VERSION, to_toml
from lpmech.program.objectives import OBJECTIVES
from lpmech.results.mechanism import Mechanism
from lpmech.results.solution import Solution
from lpmech.solving.canonical import TIE_BREAKS
from lpmech.solving.problem import Problem

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
    verify_parser.add_argument(
        "--exact",
        action="store_true",
        help="certify a saved solution in rationals, as loaded (needs lpmech[exact])",
    )
    # commands whose options depend on the model: parsed again, in full, once it is known
    model_parsers: dict[str, argparse.ArgumentParser] = {}
    for name, summary, description in (
        (
            "solve",
            "solve a model or a problem file",
            "Solve MODEL or FILE.toml|FILE.json; run 'lpmech solve --help' for the "
            "options and 'lpmech solve MODEL --help' for a model's parameters.",
        ),
        (
            "new",
            "write a model as an editable problem file (TOML on stdout)",
            "Write MODEL as a problem file; run 'lpmech new MODEL --help'.",
        ),
        (
            "sweep",
            "solve a model over a grid of its parameters",
            "Sweep MODEL; run 'lpmech sweep MODEL --help' for its options.",
        ),
    ):
        model_parser = commands.add_parser(
            name, help=summary, add_help=False, description=description
        )
        model_parser.add_argument("model", nargs="?")
        model_parser.add_argument("-h", "--help", action="store_true")
        model_parsers[name] = model_parser
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
            return _verify_file(known.file, known.constraints, known.tol, known.json, known.exact)
        if known.command is None:
            if rest:
                parser.error(f"unrecognised arguments: {' '.join(rest)}")
            return _solve_command(DEFAULT_MODEL, [])
        if known.command == "sweep":
            if known.model is None:
                if not known.help:
                    parser.error("sweep needs a MODEL")
                model_parsers["sweep"].print_help()
                return 0
            return run_sweep_command(known.model, rest + (["--help"] if known.help else []))
        if known.command == "new":
            return _new_command(known.model, rest + (["--help"] if known.help else []))
        return _solve_command(known.model, rest + (["--help"] if known.help else []))
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
                "proved" if check.certificate.optimal else "FAILED",
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
            f"lpmech: error: exact optimum and benchmark disagree (or the certificate "
            f"failed) for {', '.join(failures)}",
            file=sys.stderr,
        )
        return 1
    print(
        f"all {len(rows)} models' optima are proved and agree exactly with their benchmarks"
        + (f" (no exact benchmark, not certified: {', '.join(skipped)})" if skipped else "")
    )
    return 0


def _model_arguments(parser: argparse.ArgumentParser, spec: ModelSpec) -> None:
    """One option per parameter of the model's builder, typed by its annotation."""
    group = parser.add_argument_group(f"parameters of {spec.name}")
    for name, parameter in spec.parameters().items():
        # a type, or its name under postponed annotations; argparse calls what it becomes
        kind: Any = parameter.annotation
        kind = (
            {"int": _count, "float": _real, "str": str}.get(kind, kind)
            if isinstance(kind, str)
            else {int: _count, float: _real}.get(kind, kind)
        )
        group.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            type=kind,
            default=parameter.default,
            help=f"default {parameter.default}"
            if parameter.default is not inspect.Parameter.empty
            else None,
        )


def _solve_parser(spec: ModelSpec | None, target: str | None) -> argparse.ArgumentParser:
    """Every option of ``lpmech solve``; a model's parameters too when ``spec`` is given."""
    if target is None:
        parser = OneLineParser(
            prog="lpmech solve",
            usage="lpmech solve (MODEL | FILE.toml | FILE.json) [options]",
            description="Solve a ready model (see 'lpmech list'; its parameters: "
            "'lpmech solve MODEL --help') or a problem file (lpmech.Problem; "
            "'lpmech new MODEL > problem.toml' writes one to edit).",
        )
    elif spec is not None:
        parser = OneLineParser(
            prog=f"lpmech solve {target}", description=f"{spec.title}. Source: {spec.source}."
        )
        _model_arguments(parser, spec)
    else:
        parser = OneLineParser(
            prog=f"lpmech solve {target}", description=f"Solve the problem file {target}."
        )
    problem = parser.add_argument_group("the problem (default: the model's or the file's)")
    problem.add_argument(
        "--objective", help=f"objective name, e.g. {', '.join(list(OBJECTIVES)[:6])}"
    )
    problem.add_argument(
        "--constraints",
        type=_families,
        metavar="FAMILY,…",
        help="comma-separated constraint families, e.g. dsic,ex_post_ir or bic,interim_ir",
    )
    problem.add_argument(
        "--tie-break",
        choices=("none", *TIE_BREAKS, "analytic"),
        help="which optimum among equals: none (the solver's), small_payments, or "
        "analytic (the closest to a model's analytic mechanism)",
    )
    problem.add_argument(
        "--formulation",
        choices=("auto", *FORMULATIONS),
        help="how the program is compiled (default auto)",
    )
    solver = parser.add_argument_group("the solver")
    solver.add_argument("--backend", choices=BACKEND_CHOICES, default="auto")
    solver.add_argument(
        "--algorithm",
        choices=ALGORITHMS,
        default="auto",
        help="HiGHS algorithm (default: chosen by the program)",
    )
    solver.add_argument(
        "--time-limit", type=_seconds, metavar="SECONDS", help="stop HiGHS after this long"
    )
    solver.add_argument(
        "--memory-limit",
        type=_bytes,
        metavar="BYTES",
        help="refuse a larger program before building it: bytes, or with K, M, G, T "
        "(powers of 1024), e.g. 4G (default: half the available memory)",
    )
    solver.add_argument(
        "--quiet", action="store_true", help="no live solver line on stderr during a long solve"
    )
    solver.add_argument("--verbose", action="store_true", help="show HiGHS's log")
    results = parser.add_argument_group("the results")
    results.add_argument(
        "--profiles",
        type=_count,
        default=24,
        help="how many profiles of the ex-post rule to print",
    )
    results.add_argument(
        "--exact",
        action="store_true",
        help="prove the optimum in rationals and print it as a fraction (needs lpmech[exact])",
    )
    results.add_argument(
        "--json",
        action="store_true",
        help="print the result as one JSON document instead of tables",
    )
    results.add_argument(
        "--output",
        metavar="FILE",
        help="save the result: .json (lpmech.load reads it), .csv (by profile), or - for "
        "the JSON solution on stdout",
    )
    results.add_argument("--plot", metavar="FILE.png", help="draw the optimum to an image file")
    return parser


def _family_names(text: str) -> tuple[str, ...] | None:
    """The comma-separated family names of ``text``, or None if any is empty (``a,,b``)."""
    names = tuple(name.strip() for name in text.split(","))
    return names if all(names) else None


def _families(text: str) -> tuple[str, ...]:
    names = _family_names(text)
    if names is None:
        raise argparse.ArgumentTypeError(f"expected comma-separated family names, got {text!r}")
    return names


def _seconds(text: str) -> float:
    value = _real(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


_BYTE_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def _bytes(text: str) -> float:
    unit = text[-1:].upper() if text[-1:].upper() in _BYTE_UNITS else ""
    number = text[: len(text) - len(unit)].strip()
    try:
        value = float(number) * _BYTE_UNITS[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected bytes, e.g. 4G or 500M or 1e9, got {text!r}"
        ) from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive size, got {text!r}")
    try:
        resolve_memory_limit(value)  # the library's own bounds, refused here as usage
    except LpmechError as error:
        raise argparse.ArgumentTypeError(f"{error} (from {text!r})") from None
    return value


@dataclass(frozen=True)
class _Target:
    """What ``lpmech solve`` solves: a problem, and the model it came from (if any)."""

    problem: Problem
    name: str
    spec: ModelSpec | None = None
    params: dict[str, Any] | None = None
    file: str | None = None


def _target(name: str, options: argparse.Namespace, spec: ModelSpec | None) -> _Target:
    if spec is not None:
        params = {key: getattr(options, key) for key in spec.parameters()}
        problem = Problem.from_model(spec.name, **params)
        return _Target(problem, spec.name, spec, params)
    problem = Problem.load(name)
    origin = problem.origin or {}
    if "model" in origin:  # a file naming a ready model keeps its benchmark
        parameters = dict(origin.get("parameters", {}))
        return _Target(problem, name, MODELS[origin["model"]], parameters, file=name)
    return _Target(problem, name, file=name)


def _is_file(target: str) -> bool:
    return Path(target).suffix.lower() in (".toml", ".json") or Path(target).exists()


def _solve_command(target: str | None, argv: list[str]) -> int:
    """``lpmech solve [MODEL | FILE] [options]``: solve, print, keep."""
    if target is None:
        if "--help" in argv or "-h" in argv:
            _solve_parser(None, None).print_help()
            return 0
        _solve_parser(None, None).error("solve needs a MODEL or a problem FILE")
    spec = MODELS.get(target)
    if spec is None and not _is_file(target):
        raise LpmechError(
            f"unknown model {target!r}; run 'lpmech list' (models: {', '.join(MODELS)}), "
            "or name a problem file ending in .toml or .json"
        )
    options = _solve_parser(spec, target).parse_args(argv)
    if options.plot is not None:
        check_picture_name(options.plot, "--plot")
    if options.output == "-" and options.json:
        raise InvalidArgumentError("--output - and --json both write to stdout; give one")
    chosen = _target(target, options, spec)
    problem = chosen.problem
    if options.objective is not None:
        problem = _changed(problem, "--objective", objective=options.objective)
    if options.constraints is not None:
        problem = _changed(problem, "--constraints", constraints=options.constraints)
    # a model's benchmark holds for its own objective and families only
    model = chosen.spec
    own = (
        model is not None
        and problem.objective == model.objective
        and problem.constraints == model.constraints
    )
    # the benchmark is as large as a mechanism: built first only to break ties towards it,
    # after the solve otherwise, so the size guard refuses a problem too large before it
    benchmark = None
    if own and model is not None and options.tie_break == "analytic":
        env = problem.env
        check_allocation(
            env.n_profiles * (env.n_components + env.n_agents), "the analytic mechanism", 8
        )
        benchmark = model.benchmark(env)
    overrides = _solve_overrides(options, problem, benchmark)
    # the live line shows only on a terminal (lpmech.backends.progress); with --json, the
    # --verbose log goes to stderr and stdout holds only the JSON document
    quiet_stdout = options.json or options.output == "-"
    with solver_progress(not options.quiet), _stdout_to_stderr(quiet_stdout):
        solution = problem.solve(
            backend=options.backend,
            algorithm=options.algorithm,
            verbose=options.verbose,
            **overrides,
        )
    if own and model is not None and benchmark is None:
        benchmark = model.benchmark(problem.env)
    _keep(solution, options.output, options.plot)
    certificate = solution.certify() if options.exact else None
    # with --exact, the exit status says whether optimality was proved
    status = 0 if certificate is None or certificate.optimal else 1
    if options.output == "-":
        return status
    if options.json:
        document = _solve_document(chosen, solution, benchmark)
        if certificate is not None:
            document["exact"] = _certificate_data(certificate)
        print(json.dumps(document, indent=2))
        return status
    print(_solve_text(chosen, problem, solution, benchmark, certificate, options.profiles))
    return status


def _changed(problem: Problem, option: str, **change: Any) -> Problem:
    """The problem with a part replaced from the command line; a bad name names the option."""
    try:
        return problem.replace(**change)
    except (UnknownObjectiveError, UnknownConstraintError) as error:
        raise LpmechError(f"{option}: {error}") from error


def _solve_overrides(
    options: argparse.Namespace, problem: Problem, benchmark: Benchmark | None
) -> dict[str, Any]:
    """solve()'s keyword arguments that the command line sets (over the problem's own)."""
    overrides: dict[str, Any] = {}
    if options.tie_break == "analytic":
        if benchmark is None or benchmark.mechanism is None:
            raise InvalidArgumentError(
                "--tie-break analytic: only a model solved with its own objective and "
                "constraints has an analytic mechanism to break ties towards"
            )
        overrides["tie_break"] = benchmark.mechanism
    elif options.tie_break is not None:
        overrides["tie_break"] = None if options.tie_break == "none" else options.tie_break
    if options.formulation is not None:
        overrides["formulation"] = options.formulation
    if options.memory_limit is not None:
        overrides["memory_limit"] = options.memory_limit
    if options.time_limit is not None:
        solver_options = dict(problem.options.get("solver_options", {}))
        overrides["solver_options"] = {**solver_options, "time_limit": options.time_limit}
    return overrides


def _solve_text(
    chosen: _Target,
    problem: Problem,
    solution: Solution,
    benchmark: Benchmark | None,
    certificate: Certificate | None,
    profiles: int,
) -> str:
    env = solution.mechanism.env
    if chosen.spec is not None:
        lines = [
            *([f"Problem file {chosen.file}"] if chosen.file else []),
            f"Model {chosen.spec.name}: {chosen.spec.title}",
            f"Parameters: {', '.join(f'{k}={v}' for k, v in (chosen.params or {}).items())}",
            f"Source: {chosen.spec.source}\n",
        ]
    else:
        lines = [f"Problem {chosen.name}: {problem.name or env.name}\n"]
    optimum = solution.objective_value
    parts = [
        "\n".join(lines) + f"Optimal {solution.objective.name} = {optimum:.6g} under "
        f"{' + '.join(f.name for f in solution.families)}"
    ]
    if benchmark is not None:
        # a float, as Fraction − float would make it anyway
        optimum_value = float(optimum)
        agrees = benchmark.agrees(optimum_value, scale=data_scale(env))
        verdict = "agrees" if agrees else "DISAGREES"
        parts.append(
            f"Benchmark: {benchmark.name} = {benchmark.value:.6g}; LP optimum "
            f"{benchmark.symbol} benchmark, gap {benchmark.gap(optimum_value):.3g} ({verdict})"
        )
    if certificate is not None:
        parts.append(
            _exact_summary(
                chosen.spec if benchmark is not None else None, env, solution, certificate
            )
        )
    parts += [
        str(solution.verification),
        str(solution.report),
        solution.mechanism.summary(max_profiles=profiles),
    ]
    return "\n\n".join(parts)


def _new_command(target: str | None, argv: list[str]) -> int:
    """``lpmech new MODEL [parameters] [--json] [--output FILE]``: an editable problem file."""
    if target is None or target not in MODELS:
        if target is None and ("--help" in argv or "-h" in argv):
            print(
                f"usage: lpmech new MODEL [--PARAMETER VALUE …] [--json] [--output FILE]\n\n"
                f"Write a ready model, written out, as a problem file to edit and solve with "
                f"'lpmech solve FILE'.\nModels: {', '.join(MODELS)}"
            )
            return 0
        raise LpmechError(
            f"new needs a MODEL; run 'lpmech list' (models: {', '.join(MODELS)})"
            if target is None
            else f"unknown model {target!r}; run 'lpmech list' (models: {', '.join(MODELS)})"
        )
    spec = MODELS[target]
    parser = OneLineParser(
        prog=f"lpmech new {target}",
        description=f"Write {target} ({spec.title}) as an editable problem file.",
    )
    _model_arguments(parser, spec)
    parser.add_argument("--json", action="store_true", help="JSON instead of TOML")
    parser.add_argument(
        "--output", metavar="FILE", default="-", help="where to write (default -: stdout)"
    )
    options = parser.parse_args(argv)
    params = {key: getattr(options, key) for key in spec.parameters()}
    problem = Problem.from_model(target, **params)
    data = problem.data(written_out=True)
    if options.json:
        text = dumps(data) + "\n"
    else:
        settings = ", ".join(f"{k}={v}" for k, v in params.items())
        text = (
            f"# lpmech problem file (schema version {PROBLEM_SCHEMA_VERSION}): model {target} "
            f"({settings}), written out.\n# {spec.title}; source: {spec.source}.\n"
            "# Edit it and solve it with: lpmech solve FILE.toml\n" + to_toml(data)
        )
    if options.output == "-":
        sys.stdout.write(text)
        where = "stdout"
    else:
        Path(options.output).write_text(text, encoding="utf-8")
        where = options.output
    print(f"lpmech: wrote model {target} as a problem file to {where}", file=sys.stderr)
    return 0


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


def _exact_summary(
    spec: ModelSpec | None, env: Environment, solution: Solution, certificate: Certificate
) -> str:
    """The optimum as a fraction, the certificate's verdict and the exact benchmark."""
    if not certificate.optimal:
        return f"Exact certificate of the optimum: FAILED\n{certificate}"
    lines = [
        f"Exact optimum: {solution.objective.name} = {certificate.objective}",
        str(certificate),
    ]
    if spec is not None and spec.exact_benchmark is not None:
        value = spec.exact_benchmark(env)
        lines.append(
            f"Exact benchmark: {spec.benchmark(env).name} = {value} "
            f"({'equal' if value == certificate.objective else 'not equal'} to the "
            "exact optimum)"
        )
    return "\n".join(lines)


# ---------------------------------------------------------------- results as data and files
def _benchmark_data(benchmark: Benchmark, optimum: float, agrees: bool) -> dict[str, Any]:
    return {
        "name": benchmark.name,
        "value": benchmark.value,
        "relation": benchmark.relation,
        "gap": benchmark.gap(optimum),
        "agrees": agrees,
    }


def _solve_document(
    chosen: _Target, solution: Solution, benchmark: Benchmark | None
) -> dict[str, Any]:
    """objective_value, benchmark, verification by family, report and mechanism, as JSON data."""
    env = solution.mechanism.env
    return {
        "model": chosen.spec.name if chosen.spec is not None else None,
        "file": chosen.file,
        "parameters": chosen.params,
        "objective": solution.objective.name,
        "constraints": [f.name for f in solution.families],
        "objective_value": solution.objective_value,
        "benchmark": None
        if benchmark is None
        else _benchmark_data(
            benchmark,
            float(solution.objective_value),
            benchmark.agrees(float(solution.objective_value), scale=data_scale(env)),
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
    """Write the solution to ``output`` (.json, .csv, or - for JSON on stdout) and its
    picture to ``picture``, saying on stderr what went where."""
    if output == "-":
        sys.stdout.write(dumps(to_data(solution)) + "\n")
        _said("the solution (JSON, lpmech.load reads it)", "stdout")
    elif output is not None:
        suffix = Path(output).suffix.lower()
        if suffix == ".json":
            save(solution, output)
            _said("the solution (JSON, lpmech.load reads it)", output)
        elif suffix == ".csv":
            solution.mechanism.to_frame().to_csv(output)
            _said("the mechanism by profile (CSV)", output)
        else:
            raise InvalidArgumentError(
                f"--output: {output!r} should end in .json or .csv (or be - for stdout)"
            )
    if picture is not None:
        solution.plot().savefig(picture)
        _said("a picture of the optimum", picture)


def _said(what: str, where: str) -> None:
    print(f"lpmech: wrote {what} to {where}", file=sys.stderr)


def _verify_file(
    path: str, constraints: str | None, tol: float, as_json: bool, exact: bool = False
) -> int:
    """Verify (and audit) the mechanism in a saved mechanism or solution file; with
    ``exact``, also certify a solution as loaded (exit status 1 unless it is certified)."""
    loaded = load(path)
    families: list[str | ConstraintFamily]
    if isinstance(loaded, Solution):
        mechanism, families = loaded.mechanism, list(loaded.families)
    elif isinstance(loaded, Mechanism):
        mechanism, families = loaded, []
    else:
        raise LpmechError(f"{path} holds an environment, not a mechanism")
    if constraints is not None:
        names = _family_names(constraints)
        if names is None:
            raise InvalidArgumentError(
                f"--constraints: expected comma-separated family names, got {constraints!r}"
            )
        families = list(names)
    if exact and not isinstance(loaded, Solution):
        raise LpmechError(
            f"--exact: {path} holds a mechanism, not a solution: no objective to certify"
        )
    if not families:
        raise LpmechError(f"{path} records no constraint families; give --constraints")
    report = verify(mechanism, families, tol=tol)
    review = audit(mechanism)
    certificate = loaded.certify() if exact and isinstance(loaded, Solution) else None
    certified = certificate is None or certificate.ok
    if as_json:
        print(
            json.dumps(
                {
                    "file": path,
                    "mechanism": mechanism.name,
                    "ok": report.ok and certified,
                    "verification": {c.pop("family"): c for c in verification_data(report)},
                    "max_ex_post_regret": review.max_ex_post_regret,
                    "max_interim_regret": review.max_interim_regret,
                    "min_participation_slack": review.min_participation_slack,
                    "budget_imbalance": review.budget_imbalance,
                    **({} if certificate is None else {"exact": _certificate_data(certificate)}),
                },
                indent=2,
            )
        )
    else:
        print(f"{report}\n\n{review}" + ("" if certificate is None else f"\n\n{certificate}"))
    return 0 if report.ok and certified else 1


def _certificate_data(certificate: Certificate) -> dict[str, Any]:
    """A certificate's verdict as plain data: what was claimed, what is proved, what failed."""
    exact = certificate.objective
    return {
        "objective": None if exact is None else str(exact),
        "checks_passed": certificate.ok,
        "optimal": certificate.optimal,
        "claimed_objective": certificate.claimed_objective,
        "exact_optimum": None
        if certificate.proved_objective is None
        else str(certificate.proved_objective),
        "failures": list(certificate.failures),
    }
