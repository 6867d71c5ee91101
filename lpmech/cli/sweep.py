"""``lpmech sweep MODEL --PARAM VALUES …``: a sweep from the command line.

Each model parameter takes ``a,b,c`` or ``start:stop:step`` (stop excluded);
the grid is the product, in the order the parameters are given. The command
exits with status 1, saying how many, if any point did not solve to an optimum
(2 if a value does not parse). The table of
rows goes to stdout, the progress bar to stderr; ``--output`` keeps the rows
(and resumes from them), ``--plot`` draws the optimum against the first swept
parameter, one line per value of the second, with the benchmark dashed.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence

from lpmech.backends.algorithms import ALGORITHMS
from lpmech.backends.engines import BACKENDS
from lpmech.cli.errors import OneLineParser, check_picture_name
from lpmech.errors import InvalidArgumentError
from lpmech.models import MODELS, ModelSpec
from lpmech.numbers.formatting import format_table
from lpmech.sweeps.executors import EXECUTORS
from lpmech.sweeps.grid import parse_values

#: The columns printed, after the parameters.
SHOWN = ("status", "objective", "benchmark", "gap", "formulation", "algorithm", "point_seconds")


def sweep_parser(spec: ModelSpec) -> argparse.ArgumentParser:
    """The options of ``lpmech sweep MODEL``: one per model parameter, then the sweep's."""
    parser = OneLineParser(
        prog=f"lpmech sweep {spec.name}",
        description=f"Sweep {spec.title} over a grid of its parameters. Each parameter takes "
        "a,b,c or start:stop:step (stop excluded); unswept parameters keep "
        "their defaults.",
    )
    for name, parameter in spec.parameters().items():
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            metavar="VALUES",
            help=f"{_kind(parameter.annotation).__name__} values (default {parameter.default})",
        )
    parser.add_argument(
        "--executor",
        choices=sorted(EXECUTORS),
        help="where points run (default: processes, one per core; dask with --scheduler)",
    )
    parser.add_argument("--workers", type=int, help="processes or local Dask workers")
    parser.add_argument(
        "--scheduler", metavar="ADDRESS", help="a Dask scheduler's address (with --executor dask)"
    )
    parser.add_argument(
        "--output",
        metavar="FILE.csv",
        help="write rows as they finish; resume from the rows in it",
    )
    parser.add_argument(
        "--plot", metavar="FILE.png", help="draw the optimum against the first swept parameter"
    )
    parser.add_argument(
        "--time-limit", type=float, metavar="SECONDS", help="solver time per point"
    )
    parser.add_argument("--backend", choices=("auto", *BACKENDS), default="auto")
    parser.add_argument("--algorithm", choices=ALGORITHMS, default="auto")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser


def run_sweep_command(model: str, argv: Sequence[str]) -> int:
    """Parse the sweep's options, run it, print its table; returns the exit status."""
    from lpmech.sweeps import sweep
    from lpmech.views.sweep_plot import plot_sweep

    if model not in MODELS:
        raise InvalidArgumentError(
            f"unknown model {model!r}; run 'lpmech list' (models: {', '.join(MODELS)})"
        )
    spec = MODELS[model]
    parser = sweep_parser(spec)
    options = parser.parse_args(list(argv))
    if options.plot:
        check_picture_name(options.plot, "--plot")
    parameters = spec.parameters()
    given = [name for name in parameters if getattr(options, name) is not None]
    if not given:
        raise InvalidArgumentError(
            f"give at least one parameter of {model} to sweep, e.g. "
            f"--{next(iter(parameters)).replace('_', '-')} 1,2,3"
        )
    given.sort(key=lambda name: _position(argv, name))
    grid = {}
    for name in given:  # a value that does not parse or fit is a malformed command line
        kind, text = _kind(parameters[name].annotation), getattr(options, name)
        try:
            grid[name] = parse_values(text, kind)
            for value in grid[name]:
                spec.check_parameters({name: value})
        except InvalidArgumentError as error:
            parser.error(f"argument --{name.replace('_', '-')}: {error}")
        except ValueError:
            wanted = {int: "whole numbers", float: "numbers"}.get(kind, kind.__name__)
            parser.error(f"argument --{name.replace('_', '-')}: {text!r}: expected {wanted}")
    executor = options.executor or ("dask" if options.scheduler else "processes")
    table = sweep(
        model,
        grid,
        executor=executor,
        workers=options.workers,
        scheduler=options.scheduler,
        output=options.output,
        time_limit=options.time_limit,
        backend=options.backend,
        algorithm=options.algorithm,
        quiet=options.quiet,
    )
    rows = [tuple(record) for record in table[[*given, *SHOWN]].itertuples(index=False)]
    print(f"Sweep of {spec.name}: {spec.title}")
    print(format_table((*given, *SHOWN), rows))
    counts = Counter(table["status"])
    print(f"{len(table)} points: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    failed = len(table) - counts.get("optimal", 0)
    if options.output:
        print(f"rows written to {options.output}")
    if options.plot:
        figure = plot_sweep(
            table,
            given[0],
            given[1] if len(given) > 1 else None,
            title=f"{spec.name}: {spec.title}",
            ylabel=f"optimal {spec.objective.replace('_', ' ')}",
        )
        figure.savefig(options.plot, dpi=120)
        print(f"plot written to {options.plot}")
    if failed:
        print(
            f"lpmech: error: {failed} of {len(table)} points did not solve to an optimum "
            "(see their status and message)",
            file=sys.stderr,
        )
        return 1
    return 0


def _kind(annotation: object) -> type:
    if isinstance(annotation, str):
        return {"int": int, "float": float}.get(annotation, str)
    return annotation if isinstance(annotation, type) else str


def _position(argv: Sequence[str], name: str) -> int:
    flag = f"--{name.replace('_', '-')}"
    return next(
        (k for k, arg in enumerate(argv) if arg == flag or arg.startswith(flag + "=")), len(argv)
    )
