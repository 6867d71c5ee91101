"""Design-problem files: an environment, an objective, constraint families and solve options.

One format, two spellings: TOML for people, JSON for machines (the JSON document
of :func:`lpmech.save`, with ``"kind": "problem"``). Every file is untrusted input:
each field is checked on its own and an error (:class:`~lpmech.errors.FileFormatError`)
names the file, the field and its place, e.g. ``problem.toml: environment.values[2]:
expected a number, got 'x'``. The JSON Schema is shipped as
``lpmech/problem.schema.json`` (:func:`problem_schema`).

Version 1 (``schema_version = 1``)
----------------------------------
Top level:

``format = "lpmech"``, ``kind = "problem"``, ``schema_version = 1``
    Required (TOML may omit ``format`` and ``kind``).
``name``
    Optional title.
``objective``
    A name (``"revenue"``, ``"profit"``, ``"welfare"``, ``"agents_welfare"``,
    ``"gains_from_trade"``, ``"deficit"``, …; :data:`lpmech.program.objectives.OBJECTIVES`)
    or a spec table such as ``{objective = "welfare", include_principal = false}``.
    Default ``"revenue"``.
``constraints``
    A list of family names or aliases (``"dsic"``, ``"ex_post_ir"``, …;
    :data:`lpmech.constraints.BUILT_IN`) or spec tables. Default DSIC and ex-post IR.
``[environment]``
    In one of three forms:

    * a builder and its parameters: ``builder = "single_item_auction"``,
      ``values = [1, 2, 3]``, ``n_bidders = 2`` (the names in ``BUILDERS``; parameters
      as in :mod:`lpmech.problem.builders`); a number written as a string, ``"1/3"`` or
      ``"0.1"``, is exact (a fraction, kept for ``--exact`` certificates);
    * a ready model: ``model = "single_item"`` and ``[environment.parameters]``
      (:data:`lpmech.models.MODELS`);
    * written out: ``[[environment.agents]]`` tables (``name``, ``types``, optional
      ``labels`` and ``prior``), ``outcomes = [...]`` (a lottery over named
      outcomes) or an ``allocation`` table as :func:`lpmech.save` writes it,
      ``valuations`` (one table per agent: a row per type, a column per outcome or
      component), and optional ``prior`` (the joint table; default the product of
      the agents' priors, themselves uniform by default), ``principal_value`` and
      ``outside_options`` (default 0).
``[solve]``
    Optional: ``formulation``, ``tie_break`` (``"small_payments"`` or ``"none"``),
    ``backend``, ``algorithm``, ``solver``, ``deterministic``, ``tol``,
    ``time_limit`` (seconds), ``memory_limit`` (bytes) and ``[solve.solver_options]``
    — only the options in :data:`SAFE_SOLVER_OPTIONS` (tolerances, limits, algorithm
    choices); nothing that names a file.

>>> import tempfile, pathlib
>>> text = '''
... schema_version = 1
... objective = "revenue"
... constraints = ["dsic", "ex_post_ir"]
... [environment]
... builder = "single_item_auction"
... values = [1, 2, 3, 4]
... n_bidders = 2
... '''
>>> path = pathlib.Path(tempfile.mkdtemp()) / "auction.toml"
>>> _ = path.write_text(text)
>>> parts = read_problem(path)
>>> parts.env.n_profiles, parts.objective, parts.constraints
(16, 'revenue', ('dsic', 'ex_post_ir'))
"""

from __future__ import annotations

import inspect
import json
import math
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from lpmech import files
from lpmech.checks.verification import check_tol
from lpmech.constraints import ConstraintFamily
from lpmech.constraints import from_spec as family_from_spec
from lpmech.constraints import resolve as resolve_family
from lpmech.errors import FileFormatError, LpmechError
from lpmech.problem import builders
from lpmech.problem.environment import Environment
from lpmech.problem.memory import resolve_memory_limit
from lpmech.program.objectives import Objective, resolve_objective
from lpmech.program.objectives import from_spec as objective_from_spec

#: Version of the problem layout; files of another version are refused.
PROBLEM_SCHEMA_VERSION = 1
KIND = "problem"

#: Builders a problem file may name, with the kind of each parameter.
NUMBERS, NUMBER, COUNT, BOOLEAN, STRINGS = "numbers", "number", "count", "boolean", "strings"
BUILDERS: dict[str, tuple[Callable[..., Environment], dict[str, str]]] = {
    "single_item_auction": (
        builders.single_item_auction,
        {
            "values": NUMBERS,
            "n_bidders": COUNT,
            "priors": NUMBERS,
            "prior": NUMBERS,
            "seller_value": NUMBER,
            "names": STRINGS,
            "labels": STRINGS,
        },
    ),
    "bilateral_trade": (
        builders.bilateral_trade,
        {
            "buyer_values": NUMBERS,
            "seller_costs": NUMBERS,
            "buyer_prior": NUMBERS,
            "seller_prior": NUMBERS,
            "prior": NUMBERS,
        },
    ),
    "public_good": (
        builders.public_good,
        {
            "values": NUMBERS,
            "n_agents": COUNT,
            "priors": NUMBERS,
            "cost": NUMBER,
            "prior": NUMBERS,
            "names": STRINGS,
            "labels": STRINGS,
        },
    ),
    "multi_item_auction": (
        builders.multi_item_auction,
        {
            "types": NUMBERS,
            "n_bidders": COUNT,
            "priors": NUMBERS,
            "unit_demand": BOOLEAN,
            "prior": NUMBERS,
            "item_names": STRINGS,
            "names": STRINGS,
            "labels": STRINGS,
        },
    ),
    "procurement_auction": (
        builders.procurement_auction,
        {
            "costs": NUMBERS,
            "n_sellers": COUNT,
            "priors": NUMBERS,
            "buyer_value": NUMBER,
            "prior": NUMBERS,
            "names": STRINGS,
            "labels": STRINGS,
        },
    ),
    "multi_unit_auction": (
        builders.multi_unit_auction,
        {
            "values": NUMBERS,
            "n_bidders": COUNT,
            "priors": NUMBERS,
            "n_units": COUNT,
            "prior": NUMBERS,
            "names": STRINGS,
            "labels": STRINGS,
        },
    ),
    "double_auction": (
        builders.double_auction,
        {
            "buyer_values": NUMBERS,
            "seller_costs": NUMBERS,
            "n_buyers": COUNT,
            "n_sellers": COUNT,
            "buyer_priors": NUMBERS,
            "seller_priors": NUMBERS,
        },
    ),
}

#: HiGHS options a problem file may set: tolerances, limits and algorithm choices.
#: Anything that writes or reads a file (log_file, write_*_to_file, solution_file,
#: read_*) is refused, as is every option not listed.
SAFE_SOLVER_OPTIONS: dict[str, type | tuple[type, ...]] = {
    "time_limit": (int, float),
    "presolve": str,
    "solver": str,
    "parallel": str,
    "run_crossover": str,
    "simplex_strategy": int,
    "ipm_optimality_tolerance": (int, float),
    "primal_feasibility_tolerance": (int, float),
    "dual_feasibility_tolerance": (int, float),
    "mip_rel_gap": (int, float),
    "mip_feasibility_tolerance": (int, float),
    "random_seed": int,
    "threads": int,
    "output_flag": bool,
    "log_to_console": bool,
}

#: Keys of the ``[solve]`` table, with their kinds.
SOLVE_KEYS = {
    "formulation": "string",
    "tie_break": "string",
    "backend": "string",
    "algorithm": "string",
    "solver": "string",
    "deterministic": BOOLEAN,
    "tol": "positive",
    "time_limit": "positive",
    "memory_limit": "positive",
    "solver_options": "table",
}

#: An exact number written as a string: an integer, a decimal or a fraction p/q.
_EXACT = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?(/[0-9]+)?$")
_TOP_KEYS = ("format", "kind", "schema_version", "name", "objective", "constraints")
_WRITTEN_OUT = (
    "name",
    "agents",
    "outcomes",
    "allocation",
    "valuations",
    "prior",
    "principal_value",
    "outside_options",
)


@dataclass(frozen=True)
class ProblemParts:
    """What a problem file holds, checked: the parts of a :class:`lpmech.Problem`.

    ``origin`` is how the environment was given when by builder or model (the
    validated table), None when written out; ``options`` are keyword arguments of
    :func:`lpmech.solve`.
    """

    env: Environment
    objective: str | Objective = "revenue"
    constraints: tuple[str | ConstraintFamily, ...] = ("dominant_strategy_ic", "ex_post_ir")
    options: dict[str, Any] = field(default_factory=dict)
    name: str | None = None
    origin: dict[str, Any] | None = None


# ------------------------------------------------------------------ reading
def read_problem(path: str | Path) -> ProblemParts:
    """Read and check a problem file: ``.toml`` as TOML, anything else as JSON.

    A JSON environment file written by :func:`lpmech.save` (``"kind": "environment"``)
    is read as a problem with the default objective and constraints.
    """
    path = files.checked_path(path, "read_problem")
    is_toml = path.suffix.lower() == ".toml"
    text = files.read_text_file(path, "TOML" if is_toml else "JSON")
    try:
        if is_toml:
            data = {"format": files.FORMAT, "kind": KIND, **tomllib.loads(text)}
        else:
            data = json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        language = "TOML" if is_toml else "JSON"
        raise FileFormatError(f"{path}: not a {language} file ({error})") from error
    except RecursionError:
        raise FileFormatError(
            f"{path}: nested deeper than Python can parse; not an lpmech file"
        ) from None
    return problem_from_data(data, str(path))


def problem_from_data(data: Any, source: str = "data") -> ProblemParts:
    """Check plain data (a parsed TOML or JSON document) and build its parts."""
    reader = _Reader(source)
    top = reader.table(data, "the document")
    if top.get("format") != files.FORMAT:
        raise reader.fail("format", f'not an lpmech file (expected "format": "{files.FORMAT}")')
    if top.get("kind") == "environment":  # a file of lpmech.save: the environment alone
        return ProblemParts(env=_environment_file(top, source))
    if top.get("kind") != KIND:
        raise reader.fail("kind", f"expected {KIND!r} (or 'environment'), got {top.get('kind')!r}")
    reader.keys(top, "", (*_TOP_KEYS, "environment", "solve"), ("schema_version", "environment"))
    version = top["schema_version"]
    if isinstance(version, bool) or version != PROBLEM_SCHEMA_VERSION:
        raise reader.fail(
            "schema_version",
            f"{top['schema_version']!r} is not supported; this lpmech reads version "
            f"{PROBLEM_SCHEMA_VERSION}",
        )
    name = reader.string(top["name"], "name") if "name" in top else None
    objective = reader.objective(top.get("objective", "revenue"))
    constraints = reader.constraints(top.get("constraints", list(ProblemParts.constraints)))
    options = reader.solve_options(top.get("solve", {}))
    env, origin = reader.environment(top["environment"])
    return ProblemParts(env, objective, constraints, options, name, origin)


def _environment_file(data: dict[str, Any], source: str) -> Environment:
    env = files.from_data(data, source)
    if not isinstance(env, Environment):  # pragma: no cover - kind checked by the caller
        raise FileFormatError(f"{source}: kind: expected an environment")
    return env


class _Reader:
    """Checks each field of a problem document; every failure names the file and the place."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, place: str, message: str) -> FileFormatError:
        return FileFormatError(f"{self.source}: {place or 'top level'}: {message}")

    # ---------------------------------------------------------------- shapes
    def table(self, value: Any, place: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(place, f"expected a table, got {_kind(value)}")
        return value

    def keys(
        self,
        value: dict[str, Any],
        place: str,
        allowed: Sequence[str],
        required: Sequence[str] = (),
    ) -> None:
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise self.fail(
                _join(place, unknown[0]),
                f"unknown field {unknown[0]!r}; {place or 'the top level'} takes "
                f"{', '.join(sorted(allowed))}",
            )
        missing = [key for key in required if key not in value]
        if missing:
            raise self.fail(_join(place, missing[0]), "missing (required)")

    def string(self, value: Any, place: str, choices: Sequence[str] | None = None) -> str:
        if not isinstance(value, str):
            raise self.fail(place, f"expected a string, got {_kind(value)}")
        if choices is not None and value not in choices:
            raise self.fail(place, f"unknown {value!r}; expected one of {', '.join(choices)}")
        return value

    def number(self, value: Any, place: str, positive: bool = False) -> float | int:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(place, f"expected a number, got {_kind(value)}")
        if not math.isfinite(value):
            raise self.fail(place, f"expected a finite number, got {value!r}")
        if positive and value <= 0:
            raise self.fail(place, f"expected a positive number, got {value!r}")
        return value

    def count(self, value: Any, place: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(place, f"expected a whole number at least 1, got {value!r}")
        return value

    def boolean(self, value: Any, place: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(place, f"expected true or false, got {_kind(value)}")
        return value

    def numbers(self, value: Any, place: str, depth: int = 0) -> Any:
        """A number or (nested) list of numbers; ``"inf"``/``"-inf"`` as :func:`lpmech.save`
        writes infinite bounds, and an exact number as a string (``"1/3"``, ``"0.1"``),
        read as a :class:`~fractions.Fraction` that builders keep exact for certificates."""
        if isinstance(value, list):
            if depth > 8:
                raise self.fail(place, "lists nested more than 8 deep")
            return [self.numbers(v, f"{place}[{i}]", depth + 1) for i, v in enumerate(value)]
        if value in ("inf", "-inf"):
            return value
        if isinstance(value, str) and _EXACT.match(value):
            try:
                return Fraction(value)
            except ZeroDivisionError:
                raise self.fail(place, f"{value!r} divides by zero") from None
            except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
                raise self.fail(place, f"a number of {len(value):,} characters") from None
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise self.fail(place, f"expected a number, got {_kind(value)}")
        return value

    def strings(self, value: Any, place: str) -> list[str | list[str]]:
        if not isinstance(value, list):
            raise self.fail(place, f"expected a list of strings, got {_kind(value)}")
        for i, item in enumerate(value):
            inner = item if isinstance(item, list) else [item]
            for j, text in enumerate(inner):
                if not isinstance(text, str):
                    where = f"{place}[{i}]" + (f"[{j}]" if isinstance(item, list) else "")
                    raise self.fail(where, f"expected a string, got {_kind(text)}")
        return value

    def of_kind(self, value: Any, kind: str, place: str) -> Any:
        return {
            NUMBERS: self.numbers,
            NUMBER: self.number,
            COUNT: self.count,
            BOOLEAN: self.boolean,
            STRINGS: self.strings,
            "string": self.string,
            "positive": lambda v, p: self.number(v, p, positive=True),
            "table": self.table,
        }[kind](value, place)

    # ---------------------------------------------------------------- parts
    def objective(self, value: Any) -> str | Objective:
        try:
            if isinstance(value, str):
                resolve_objective(value)
                return value
            return objective_from_spec(self.table(value, "objective"))
        except FileFormatError:
            raise
        except (LpmechError, TypeError, ValueError, KeyError) as error:
            raise self.fail("objective", _message(error)) from error

    def constraints(self, value: Any) -> tuple[str | ConstraintFamily, ...]:
        if not isinstance(value, list):
            raise self.fail("constraints", f"expected a list of families, got {_kind(value)}")
        families: list[str | ConstraintFamily] = []
        for i, item in enumerate(value):
            place = f"constraints[{i}]"
            try:
                if isinstance(item, str):
                    resolve_family(item)
                    families.append(item)
                else:
                    families.append(family_from_spec(self.table(item, place)))
            except FileFormatError:
                raise
            except (LpmechError, TypeError, ValueError, KeyError) as error:
                raise self.fail(place, _message(error)) from error
        return tuple(families)

    def solve_options(self, value: Any) -> dict[str, Any]:
        table = self.table(value, "solve")
        self.keys(table, "solve", tuple(SOLVE_KEYS))
        options = {
            key: self.of_kind(v, SOLVE_KEYS[key], f"solve.{key}") for key, v in table.items()
        }
        solver_options = dict(options.pop("solver_options", {}))
        for key, option in solver_options.items():
            place = f"solve.solver_options.{key}"
            if key not in SAFE_SOLVER_OPTIONS:
                raise self.fail(
                    place,
                    f"solver option {key!r} is not allowed in a problem file; allowed are "
                    f"{', '.join(sorted(SAFE_SOLVER_OPTIONS))}",
                )
            kinds = SAFE_SOLVER_OPTIONS[key]
            if not isinstance(option, kinds) or (isinstance(option, bool) and kinds is not bool):
                raise self.fail(place, f"unexpected {_kind(option)}")
            if isinstance(option, float) and not math.isfinite(option):
                raise self.fail(place, f"expected a finite number, got {option!r}")
        for key, choices in _solve_choices().items():
            if key in options:
                self.string(options[key], f"solve.{key}", choices)
        for key, check in (("tol", check_tol), ("memory_limit", resolve_memory_limit)):
            if key in options:
                try:
                    check(options[key])
                except LpmechError as error:
                    raise self.fail(f"solve.{key}", _message(error)) from error
        if "time_limit" in options:
            solver_options["time_limit"] = options.pop("time_limit")
        from lpmech.backends.engines import highs_with_options  # a later stage, as models

        try:  # each value as HiGHS itself checks it (a negative tolerance, text for a number)
            highs_with_options(solver_options)
        except LpmechError as error:
            raise self.fail("solve.solver_options", _message(error)) from error
        if solver_options:
            options["solver_options"] = solver_options
        if options.get("tie_break") == "none":
            options["tie_break"] = None
        return options

    def environment(self, value: Any) -> tuple[Environment, dict[str, Any] | None]:
        table = self.table(value, "environment")
        if "builder" in table:
            return self.built(table), dict(table)
        if "model" in table:
            return self.model(table), dict(table)
        self.keys(table, "environment", _WRITTEN_OUT, ("agents", "valuations"))
        return self.written_out(table), None

    def built(self, table: dict[str, Any]) -> Environment:
        name = self.string(table["builder"], "environment.builder")
        if name not in BUILDERS:
            raise self.fail(
                "environment.builder",
                f"unknown builder {name!r}; known are {', '.join(BUILDERS)}",
            )
        function, kinds = BUILDERS[name]
        required = [
            p.name
            for p in inspect.signature(function).parameters.values()
            if p.default is inspect.Parameter.empty
        ]
        self.keys(table, "environment", ("builder", *kinds), required)
        params = {
            key: self.of_kind(v, kinds[key], f"environment.{key}")
            for key, v in table.items()
            if key != "builder"
        }
        try:
            return function(**params)
        except LpmechError as error:
            raise self.fail("environment", f"{name}: {_message(error)}") from error

    def model(self, table: dict[str, Any]) -> Environment:
        from lpmech.models import MODELS  # the zoo solves problems: import it when named

        self.keys(table, "environment", ("model", "parameters"))
        name = self.string(table["model"], "environment.model")
        if name not in MODELS:
            raise self.fail(
                "environment.model", f"unknown model {name!r}; known are {', '.join(MODELS)}"
            )
        spec = MODELS[name]
        given = self.table(table.get("parameters", {}), "environment.parameters")
        self.keys(given, "environment.parameters", tuple(spec.parameters()))
        kinds = {"int": COUNT, "float": NUMBER, "str": "string", int: COUNT, float: NUMBER}
        params = {
            key: self.of_kind(
                v, kinds.get(spec.parameters()[key].annotation, "string"), f"environment.{key}"
            )
            for key, v in given.items()
        }
        try:
            return spec.environment(**params)
        except LpmechError as error:
            raise self.fail("environment", f"model {name}: {_message(error)}") from error

    def written_out(self, table: dict[str, Any]) -> Environment:
        agents = table["agents"]
        if not isinstance(agents, list) or not agents:
            raise self.fail("environment.agents", "expected a non-empty list of agent tables")
        joint = "prior" in table
        data_agents = []
        for i, agent in enumerate(agents):
            place = f"environment.agents[{i}]"
            self.keys(
                self.table(agent, place),
                place,
                ("name", "types", "labels", "prior"),
                ("name", "types"),
            )
            types = self.numbers(agent["types"], f"{place}.types")
            if not isinstance(types, list) or not types:
                raise self.fail(f"{place}.types", "expected a non-empty list of types")
            prior = agent.get("prior")
            if prior is not None:
                prior = self.numbers(prior, f"{place}.prior")
            elif not joint:
                prior = [1 / len(types)] * len(types)
            data_agents.append(
                {
                    "name": self.string(agent["name"], f"{place}.name"),
                    "types": types,
                    "labels": self.strings(agent["labels"], f"{place}.labels")
                    if "labels" in agent
                    else None,
                    "prior": prior,
                }
            )
        valuations = table["valuations"]
        if not isinstance(valuations, list) or len(valuations) != len(agents):
            raise self.fail(
                "environment.valuations", f"expected one table per agent ({len(agents)})"
            )
        valuations = [
            self.numbers(v, f"environment.valuations[{i}]") for i, v in enumerate(valuations)
        ]
        if "outcomes" in table and "allocation" in table:
            raise self.fail("environment.outcomes", "give outcomes or allocation, not both")
        if "outcomes" in table:
            allocation = {
                "kind": "outcomes",
                "names": self.strings(table["outcomes"], "environment.outcomes"),
            }
        elif "allocation" in table:
            allocation = self.table(table["allocation"], "environment.allocation")
        else:
            raise self.fail("environment.outcomes", "missing: give outcomes or allocation")
        n_components = _components(valuations[0])
        data = {
            "name": self.string(table.get("name", ""), "environment.name"),
            "agents": data_agents,
            "allocation": allocation,
            "valuations": valuations,
            "prior": self.numbers(table["prior"], "environment.prior")
            if joint
            else _product([a["prior"] for a in data_agents]),
            "principal_value": self.numbers(
                table.get("principal_value", [0.0] * n_components), "environment.principal_value"
            ),
            "outside_options": self.numbers(
                table.get("outside_options", [[0.0] * len(a["types"]) for a in data_agents]),
                "environment.outside_options",
            ),
        }
        document = {
            "format": files.FORMAT,
            "schema_version": files.SCHEMA_VERSION,
            "kind": "environment",
            "environment": data,
        }
        try:
            return _environment_file(document, f"{self.source}: environment")
        except FileFormatError:
            raise
        except LpmechError as error:
            raise self.fail("environment", _message(error)) from error


def _components(valuation: Any) -> int:
    """Number of columns of a (nested) valuation table: the length of its innermost lists."""
    while isinstance(valuation, list) and valuation and isinstance(valuation[0], list):
        valuation = valuation[0]
    return len(valuation) if isinstance(valuation, list) else 0


def _product(marginals: list[Any]) -> Any:
    table = np.ones(())
    for marginal in marginals:
        table = np.multiply.outer(table, np.asarray(marginal, dtype=float))
    return table.tolist()


def _solve_choices() -> dict[str, tuple[str, ...]]:
    """The values a ``[solve]`` option naming a choice may take, from the stages that
    define them (later in the pipeline than files, so imported when a file is read)."""
    from lpmech.backends.algorithms import ALGORITHMS
    from lpmech.backends.engines import BACKENDS
    from lpmech.formulations import FORMULATIONS
    from lpmech.solving.canonical import TIE_BREAKS

    return {
        "formulation": ("auto", *FORMULATIONS),
        "tie_break": ("none", *TIE_BREAKS),
        "backend": ("auto", *BACKENDS),
        "algorithm": ALGORITHMS,
    }


def _join(place: str, key: str) -> str:
    return f"{place}.{key}" if place else key


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r:.60}"


def _message(error: BaseException) -> str:
    return str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)


# ------------------------------------------------------------------ writing
def problem_data(
    env: Environment,
    objective: str | Objective,
    constraints: Sequence[str | ConstraintFamily],
    options: Mapping[str, Any],
    name: str | None = None,
    origin: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The plain-data form of a problem, as the JSON file holds it.

    The environment is written as ``origin`` (its builder or model and parameters)
    when given, else written out (:func:`lpmech.files.environment_data`, without the
    entries that are the defaults).
    """
    data: dict[str, Any] = {
        "format": files.FORMAT,
        "kind": KIND,
        "schema_version": PROBLEM_SCHEMA_VERSION,
    }
    if name:
        data["name"] = name
    data["objective"] = objective if isinstance(objective, str) else _spec(objective)
    data["constraints"] = [c if isinstance(c, str) else _spec(c) for c in constraints]
    solve = _solve_table(options)
    if solve:
        data["solve"] = solve
    data["environment"] = dict(origin) if origin is not None else _written_out(env)
    return data


def _spec(part: Objective | ConstraintFamily) -> dict[str, Any]:
    spec = json.loads(json.dumps(part.spec(), default=_plain))
    if "function" in json.dumps(spec):
        raise LpmechError(
            f"{part.name!r} holds a Python function, which a problem file cannot keep"
        )
    return spec


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__}")


def _solve_table(options: Mapping[str, Any]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for key, value in options.items():
        if key == "tie_break":
            if value is not None and not isinstance(value, str):
                raise LpmechError("a problem file keeps tie_break as a name, not a mechanism")
            table[key] = "none" if value is None else value
        elif key == "solver_options":
            table[key] = dict(value)
        else:
            table[key] = value
    return table


def _written_out(env: Environment) -> dict[str, Any]:
    data = files.environment_data(env)
    independent = env.prior.is_independent
    agents = []
    for agent in data["agents"]:
        entry = {"name": agent["name"], "types": agent["types"], "labels": agent["labels"]}
        if agent["prior"] is not None and independent:
            entry["prior"] = agent["prior"]
        agents.append(entry)
    out: dict[str, Any] = {"name": data["name"]} if data["name"] else {}
    out["agents"] = agents
    if data["allocation"]["kind"] == "outcomes":
        out["outcomes"] = data["allocation"]["names"]
    else:
        out["allocation"] = data["allocation"]
    out["valuations"] = data["valuations"]
    if not independent:
        out["prior"] = data["prior"]
    if np.any(np.asarray(env.principal_value, dtype=float) != 0):
        out["principal_value"] = data["principal_value"]
    if any(np.any(np.asarray(o, dtype=float) != 0) for o in env.outside_options):
        out["outside_options"] = data["outside_options"]
    return out


def write_problem(data: Mapping[str, Any], path: str | Path) -> Path:
    """Write problem data (:func:`problem_data`) to ``path``: TOML for ``.toml``, else JSON."""
    path = files.checked_path(path, "save")
    text = to_toml(data) if path.suffix.lower() == ".toml" else files.dumps(data) + "\n"
    return files.write_text_file(path, text)


# ------------------------------------------------------------------ TOML
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def to_toml(data: Mapping[str, Any]) -> str:
    """TOML text for a problem's plain data (``format`` and ``kind`` left implicit).

    Scalars and lists of scalars come first at each level, then tables, then arrays
    of tables; arrays of arrays are written one row per line.
    """
    body = {k: v for k, v in data.items() if k not in ("format", "kind")}
    allocation = body.get("environment", {}).get("allocation")
    if isinstance(allocation, Mapping) and allocation.get("kind") == "polytope":
        # lpmech.save spells an infinite bound "inf" (JSON has no infinity); TOML has one
        bounds = {k: _infinities(allocation[k]) for k in _BOUNDS if k in allocation}
        body = {
            **body,
            "environment": {**body["environment"], "allocation": {**allocation, **bounds}},
        }
    return "\n".join(_toml_table(body, ())).strip() + "\n"


_BOUNDS = ("row_lower", "row_upper", "lower", "upper")


def _infinities(values: Any) -> Any:
    if isinstance(values, list):
        return [_infinities(v) for v in values]
    return float(values) if values in ("inf", "-inf") else values


def _toml_table(table: Mapping[str, Any], path: tuple[str, ...]) -> list[str]:
    lines = []
    plain = {k: v for k, v in table.items() if not _is_table(v) and not _is_table_list(v)}
    for key, value in plain.items():
        if value is not None:
            lines.append(f"{_toml_key(key)} = {_toml_value(value, 0)}")
    for key, value in table.items():
        if _is_table(value):
            lines += ["", f"[{'.'.join(_toml_key(k) for k in (*path, key))}]"]
            lines += _toml_table(value, (*path, key))
    for key, value in table.items():
        if _is_table_list(value):
            for item in value:
                lines += ["", f"[[{'.'.join(_toml_key(k) for k in (*path, key))}]]"]
                lines += _toml_table(item, (*path, key))
    return lines


def _is_table(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_string(key)


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_string(text: str) -> str:
    """A TOML basic string: quote, backslash and control characters escaped."""
    return (
        '"'
        + "".join(
            _ESCAPES.get(c, f"\\u{ord(c):04X}" if ord(c) < 0x20 or ord(c) == 0x7F else c)
            for c in text
        )
        + '"'
    )


def _toml_value(value: Any, level: int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return "nan"
        if math.isinf(number):
            return "inf" if number > 0 else "-inf"
        return repr(number)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v, level)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, list | tuple):
        if any(isinstance(v, list | tuple) for v in value):
            pad = "  " * (level + 1)
            rows = ",\n".join(pad + _toml_value(v, level + 1) for v in value)
            return "[\n" + rows + ",\n" + "  " * level + "]"
        return "[" + ", ".join(_toml_value(v, level) for v in value) + "]"
    raise LpmechError(f"cannot write {type(value).__name__} to TOML")


# ------------------------------------------------------------------ schema
def problem_schema() -> dict[str, Any]:
    """The JSON Schema of problem files (shipped as ``lpmech/problem.schema.json``)."""
    text = resources.files("lpmech").joinpath("problem.schema.json").read_text(encoding="utf-8")
    return json.loads(text)
