"""Keep results: environments, mechanisms and solutions as human-readable JSON files.

:func:`save` writes one JSON document with a ``format``, a ``kind``
(``environment``, ``mechanism`` or ``solution``) and a ``schema_version``;
:func:`load` reads it back, rebuilding every object through its constructor, so
everything a constructor validates is validated again. Floats are written in
Python's shortest round-trip form (``repr``), so arrays reload bit for bit;
infinite bounds are written as the strings ``"inf"`` and ``"-inf"`` (JSON has no
infinity). Names and labels are kept.

A mechanism reloads *verified*: the families it was checked against when saved
(a solution's imposed families, or ``constraints=`` given to :func:`save`) are
checked again by brute force (:func:`lpmech.checks.verification.verify`), and a family that
passed when saved but fails now raises :class:`~lpmech.errors.VerificationError`.

>>> import lpmech, tempfile, pathlib
>>> env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
>>> solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
>>> path = pathlib.Path(tempfile.mkdtemp()) / "optimum.json"
>>> again = lpmech.load(lpmech.save(solution, path))
>>> again.objective_value == solution.objective_value, again.verification.ok
(True, True)
"""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from lpmech.checks.verification import (
    VerificationReport,
    check_tol,
    objective_tolerance,
    verify,
)
from lpmech.constraints import ConstraintFamily, resolve_all
from lpmech.constraints import from_spec as constraints_from_spec
from lpmech.errors import (
    FileAccessError,
    FileFormatError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    LpmechError,
    VerificationError,
)
from lpmech.problem.allocation import AllocationSpace, Exchange, Items, Outcomes, Units
from lpmech.problem.environment import Agent, Environment
from lpmech.problem.memory import BYTES_PER_FILE_BYTE, check_allocation
from lpmech.program.objectives import Objective
from lpmech.program.objectives import from_spec as objective_from_spec
from lpmech.results.mechanism import Mechanism
from lpmech.results.solution import Solution, SolveReport

#: Version of the file layout; files of another version are refused.
SCHEMA_VERSION = 1
FORMAT = "lpmech"
KINDS = ("environment", "mechanism", "solution")

Saveable = Environment | Mechanism | Solution
#: Constructors of a user's own families or objectives, by the key of their spec.
SpecConstructors = Mapping[str, Callable[..., Any]] | None


# ------------------------------------------------------------------ public API
def save(
    obj: Saveable, path: str | Path, *, constraints: Sequence[str | ConstraintFamily] = ()
) -> Path:
    """Write ``obj`` (Environment, Mechanism or Solution) to ``path`` as JSON; returns the path.

    ``constraints`` (mechanisms only) are verified now and recorded, so that
    :func:`load` verifies them again.

    Raises
    ------
    FileAccessError
        The file cannot be written (no such directory, no space left, no permission).
    """
    path = checked_path(path, "save")
    return write_text_file(path, dumps(to_data(obj, constraints=constraints)) + "\n")


def write_text_file(path: Path, text: str) -> Path:
    """Write ``text`` as UTF-8 to ``path``; an OS failure is a :class:`FileAccessError`."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise FileAccessError(f"cannot write {path}: {_reason(error)}") from error
    return path


def load(
    path: str | Path,
    *,
    families: SpecConstructors = None,
    objectives: SpecConstructors = None,
    tol: float = 1e-6,
) -> Saveable:
    """Read a file written by :func:`save`, rebuilding and re-verifying what it holds.

    Built-in families and objectives are rebuilt from their specs; pass
    ``families`` (or ``objectives``), constructors of your own by spec key, for
    those of your own (see :func:`lpmech.constraints.from_spec`).

    A file is untrusted input: every verdict is recomputed by brute force at the
    relative tolerance ``tol`` given here (a tolerance or verdict written in the
    file is never used), a solution's objective value is recomputed from its
    mechanism, and of its ``solver_options`` only :data:`SAFE_SOLVER_OPTIONS`
    are kept (no option that names a file survives a load).

    Raises
    ------
    FileAccessError
        The file cannot be read (missing, a directory, no permission).
    FileFormatError
        Not JSON, not an lpmech file, another schema version, a missing field,
        a number that is not finite, arrays of inconsistent shapes, counts the
        data does not hold, or nesting deeper than :data:`MAX_DEPTH` (the message
        names the file and the field).
    VerificationError
        The mechanism violates a family it is recorded to satisfy.
    """
    path = checked_path(path, "load")
    tol = check_tol(tol, "load: tol")
    text = read_text_file(path, "JSON")
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise FileFormatError(f"{path}: not a JSON file ({error})") from error
    except RecursionError:
        raise FileFormatError(
            f"{path}: nested deeper than {MAX_DEPTH} levels; not an lpmech file"
        ) from None
    except _NonFinite as error:
        field = _field_of_constant(text)
        raise FileFormatError(f"{path}: {field}: {error} is not a finite number") from None
    return from_data(data, source=str(path), families=families, objectives=objectives, tol=tol)


def read_text_file(path: Path, language: str) -> str:
    """The UTF-8 text of the regular file ``path``, an untrusted input.

    Only a regular file is opened (a directory, a FIFO that would block, a device
    such as ``/dev/zero`` that never ends are refused before any read), its declared
    size is checked against the memory guard at :data:`BYTES_PER_FILE_BYTE` (what
    parsing costs per byte of text), and no more than that size is read.

    Raises
    ------
    FileAccessError
        Missing, not a regular file, or unreadable.
    FileFormatError
        Not UTF-8 text (``language`` names what the file should have been).
    ProblemTooLargeError
        The file is too large to parse within the memory limit.
    """
    try:
        status = path.stat()
    except OSError as error:
        raise FileAccessError(f"cannot read {path}: {_reason(error)}") from error
    if not stat.S_ISREG(status.st_mode):
        kind = "Is a directory" if stat.S_ISDIR(status.st_mode) else "not a regular file"
        raise FileAccessError(f"cannot read {path}: {kind}")
    check_allocation(
        status.st_size, f"{path}: a file of {status.st_size:,} bytes", BYTES_PER_FILE_BYTE
    )
    try:
        with path.open("rb") as handle:
            raw = handle.read(status.st_size + 1)
    except OSError as error:
        raise FileAccessError(f"cannot read {path}: {_reason(error)}") from error
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FileFormatError(f"{path}: not a {language} file ({error})") from error


def checked_path(path: object, where: str) -> Path:
    """``path`` as a Path; refuses a non-path and a name holding a NUL character."""
    if not isinstance(path, str | os.PathLike):
        raise InvalidArgumentTypeError(
            f"{where}: path must be a file name, got {type(path).__name__}"
        )
    name = os.fspath(path)
    if not isinstance(name, str) or "\x00" in name:
        raise InvalidArgumentError(f"{where}: path {name!r} is not a valid file name")
    return Path(name)


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


class _NonFinite(Exception):
    """JSON's NaN, Infinity or -Infinity, which lpmech never writes."""


def _refuse_constant(name: str) -> Any:
    raise _NonFinite(name)


#: What a NaN or an infinity is parsed as when looking for where it stands.
_MARK = "\x00non-finite"


def _field_of_constant(text: str) -> str:
    """The field path (``mechanism.payments[2][0]``) of the first NaN or infinity in the
    JSON ``text``, found by parsing it again with the constant marked (only on error)."""
    stack: list[tuple[str, Any]] = [("", json.loads(text, parse_constant=lambda _: _MARK))]
    while stack:
        where, value = stack.pop()
        if value == _MARK:
            return where or "the document"
        children = (
            [(_join(where, str(k)), v) for k, v in value.items()]
            if isinstance(value, dict)
            else [(f"{where}[{i}]", v) for i, v in enumerate(value)]
            if isinstance(value, list)
            else []
        )
        stack.extend(reversed(children))
    return "the document"


def to_data(
    obj: Saveable, *, constraints: Sequence[str | ConstraintFamily] = ()
) -> dict[str, Any]:
    """The plain-data (JSON-able) form of an Environment, Mechanism or Solution."""
    header = {"format": FORMAT, "schema_version": SCHEMA_VERSION}
    if isinstance(obj, Environment):
        return {**header, "kind": "environment", "environment": environment_data(obj)}
    if isinstance(obj, Mechanism):
        data = {
            **header,
            "kind": "mechanism",
            "environment": environment_data(obj.env),
            "mechanism": mechanism_data(obj),
        }
        if constraints:
            families = resolve_all(constraints)
            data["verified"] = {
                "families": [_spec(f, f"constraint family {f.name!r}") for f in families],
                "verification": _plain(verify(obj, families).spec()),
            }
        return data
    if isinstance(obj, Solution):
        if constraints:
            raise InvalidArgumentError(
                "save: constraints= is for mechanisms; a solution records its own"
            )
        return {
            **header,
            "kind": "solution",
            "environment": environment_data(obj.mechanism.env),
            "mechanism": mechanism_data(obj.mechanism),
            "objective": _spec(obj.objective, f"objective {obj.objective.name!r}"),
            "objective_value": obj.objective_value,
            "families": [_spec(f, f"constraint family {f.name!r}") for f in obj.families],
            "verification": _plain(obj.verification.spec()),
            "duals": {name: _encode(values) for name, values in obj.duals.items()},
            "report": _plain(obj.report.spec()),
            "solver_options": {k: _plain(v) for k, v in obj.solver_options.items()},
        }
    raise InvalidArgumentTypeError(
        f"save: obj must be an Environment, Mechanism or Solution, got {type(obj).__name__}"
    )


def from_data(
    data: Any,
    source: str = "data",
    *,
    families: SpecConstructors = None,
    objectives: SpecConstructors = None,
    tol: float = 1e-6,
) -> Saveable:
    """Rebuild the object described by :func:`to_data` output (see :func:`load`)."""
    reader = _Reader(source, families, objectives, check_tol(tol, "from_data: tol"))
    _check_depth(data, source)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FileFormatError(f'{source}: not an lpmech file (no "format": "{FORMAT}")')
    version = reader.field(data, "schema_version")
    if isinstance(version, bool) or version != SCHEMA_VERSION:
        raise FileFormatError(
            f"{source}: schema_version {version!r} is not supported; this "
            f"lpmech reads version {SCHEMA_VERSION}"
        )
    kind = reader.field(data, "kind")
    if kind not in KINDS:
        raise FileFormatError(f"{source}: kind {kind!r} is not one of {KINDS}")
    env = reader.environment(reader.field(data, "environment"))
    if kind == "environment":
        return env
    mechanism = reader.mechanism(env, reader.field(data, "mechanism"))
    if kind == "mechanism":
        if "verified" in data:
            verified = reader.field(data, "verified")
            specs = reader.items(verified, "families", "verified")
            recorded = [reader.family(spec, f"verified.families[{k}]") for k, spec in specs]
            reader.reverify(
                mechanism, recorded, reader.field(verified, "verification", "verified")
            )
        return mechanism
    return reader.solution(data, env, mechanism)


def dumps(data: Any) -> str:
    """JSON with one line per array row: readable, and exact (floats by ``repr``)."""
    return _dumps(data, 0)


# ------------------------------------------------------------------ writing
def environment_data(env: Environment) -> dict[str, Any]:
    """An environment as plain data: agents, outcomes, valuations, prior, options."""
    return {
        "name": env.name,
        "agents": [
            {
                "name": a.name,
                "types": _encode(a.types),
                "labels": list(a.labels),
                "prior": None if a.prior is None else _encode(a.prior),
            }
            for a in env.agents
        ],
        "allocation": allocation_data(env.allocation),
        "valuations": [_encode(v) for v in env.valuations],
        "prior": _encode(env.prior.table),
        "principal_value": _encode(env.principal_value),
        "outside_options": [_encode(o) for o in env.outside_options],
    }


def allocation_data(space: AllocationSpace) -> dict[str, Any]:
    """An allocation space: Items, Outcomes, Units and Exchange by their parameters, any
    other by its polytope."""
    if type(space) is Items:
        return {
            "kind": "items",
            "agents": list(space.agent_names),
            "n_items": space.n_items,
            "item_names": list(space.item_names),
            "unit_demand": space.unit_demand,
        }
    if type(space) is Outcomes:
        return {"kind": "outcomes", "names": list(space.component_names)}
    if type(space) is Units:
        return {"kind": "units", "agents": list(space.agent_names), "n_units": space.n_units}
    if type(space) is Exchange:
        return {
            "kind": "exchange",
            "buyers": list(space.buyer_names),
            "sellers": list(space.seller_names),
        }
    matrix = sp.coo_array(space.matrix)
    return {
        "kind": "polytope",
        "component_names": list(space.component_names),
        "matrix": {
            "shape": list(matrix.shape),
            "rows": matrix.row.tolist(),
            "columns": matrix.col.tolist(),
            "values": _encode(matrix.data),
        },
        "row_lower": _encode(space.row_lower),
        "row_upper": _encode(space.row_upper),
        "lower": _encode(space.lower),
        "upper": _encode(space.upper),
    }


def mechanism_data(mechanism: Mechanism) -> dict[str, Any]:
    """A mechanism's rules in profile order: allocation (P, C), payments (P, N), named columns."""
    env = mechanism.env
    return {
        "name": mechanism.name,
        "components": list(env.allocation.component_names),
        "agents": [a.name for a in env.agents],
        "allocation": _encode(mechanism.flat_allocation),
        "payments": _encode(mechanism.flat_payments),
    }


def verification_data(report: VerificationReport) -> list[dict[str, Any]]:
    """Per family: verdict, largest violation, absolute tolerance, entries, worst entry."""
    return [
        {
            "family": c.family,
            "ok": c.ok,
            "max_violation": c.max_violation,
            "tolerance": c.tolerance,
            "entries": c.n_entries,
            "worst": c.worst,
        }
        for c in report.checks
    ]


def _spec(obj: ConstraintFamily | Objective, what: str) -> dict[str, Any]:
    """``obj.spec()``, refusing a spec that records a Python function anywhere inside."""
    spec = _plain(obj.spec())
    functions = list(_functions(spec))
    if functions:
        raise LpmechError(
            f"{what} cannot be written to a file: it holds the Python function "
            f"{functions[0]}, which plain data cannot rebuild"
        )
    return spec


def _functions(value: Any) -> Iterator[str]:
    """The ``"function"`` entries of a spec and of the specs nested in it."""
    if isinstance(value, dict):
        if "function" in value:
            yield str(value["function"])
        for item in value.values():
            yield from _functions(item)
    elif isinstance(value, list):
        for item in value:
            yield from _functions(item)


def _plain(value: Any) -> Any:
    """Numbers, strings, lists and dicts as they are; arrays and tuples as lists."""
    if isinstance(value, np.ndarray):
        return _encode(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _encode(array: Any) -> Any:
    """An array as nested lists of floats, with ±inf as the strings "inf" and "-inf"."""
    array = np.asarray(array, dtype=float)
    if np.all(np.isfinite(array)):
        return array.tolist()
    return np.where(
        np.isfinite(array), array.astype(object), np.where(array > 0, "inf", "-inf")
    ).tolist()


def _dumps(value: Any, level: int) -> str:
    pad, inner = "  " * level, "  " * (level + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(k)}: {_dumps(v, level + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value):
        return "[\n" + ",\n".join(inner + _dumps(v, level + 1) for v in value) + "\n" + pad + "]"
    return json.dumps(value, allow_nan=False, ensure_ascii=False)


# ------------------------------------------------------------------ reading
#: Deepest nesting a file may have (lpmech writes at most about eight levels).
MAX_DEPTH = 64

#: HiGHS options a loaded solution keeps, with the values each may take. None of
#: them reads or writes a file; every other option in a file (``log_file``,
#: ``solution_file``, ``write_solution_to_file``, …) is dropped on load.
SAFE_SOLVER_OPTIONS: dict[str, tuple[type, ...] | tuple[str, ...]] = {
    "solver": ("choose", "simplex", "ipm", "pdlp"),
    "presolve": ("choose", "on", "off"),
    "run_crossover": ("choose", "on", "off"),
    "simplex_strategy": (int,),
    "random_seed": (int,),
    "time_limit": (int, float),
    "primal_feasibility_tolerance": (int, float),
    "dual_feasibility_tolerance": (int, float),
    "ipm_optimality_tolerance": (int, float),
    "mip_rel_gap": (int, float),
}


#: The fields :func:`environment_data` and :func:`allocation_data` write; a loaded file
#: may hold no others.
ENVIRONMENT_FIELDS = (
    "name",
    "agents",
    "allocation",
    "valuations",
    "prior",
    "principal_value",
    "outside_options",
)
AGENT_FIELDS = ("name", "types", "labels", "prior")
ALLOCATION_FIELDS = {
    "items": ("kind", "agents", "n_items", "item_names", "unit_demand"),
    "outcomes": ("kind", "names"),
    "units": ("kind", "agents", "n_units"),
    "exchange": ("kind", "buyers", "sellers"),
    "polytope": ("kind", "component_names", "matrix", "row_lower", "row_upper", "lower", "upper"),
}


def _check_depth(data: Any, source: str) -> None:
    """Refuse data nested deeper than :data:`MAX_DEPTH` (walked without recursion)."""
    level = [data]
    for _ in range(MAX_DEPTH + 1):
        level = [
            child
            for item in level
            if isinstance(item, dict | list)
            for child in (item.values() if isinstance(item, dict) else item)
            if isinstance(child, dict | list)
        ]
        if not level:
            return
    raise FileFormatError(f"{source}: nested deeper than {MAX_DEPTH} levels; not an lpmech file")


class _Reader:
    """Rebuilds objects from plain data; every failure names the source and the field path
    (such as ``environment.agents[1].types``)."""

    def __init__(
        self,
        source: str,
        families: SpecConstructors = None,
        objectives: SpecConstructors = None,
        tol: float = 1e-6,
    ) -> None:
        self.source = source
        self.families = families
        self.objectives = objectives
        self.tol = tol

    def fail(self, message: str) -> FileFormatError:
        return FileFormatError(f"{self.source}: {message}")

    def field(self, data: Any, name: str, where: str = "") -> Any:
        """``data[name]``; ``where`` is the path of ``data`` in the file."""
        path = _join(where, name)
        if not isinstance(data, dict):
            raise self.fail(
                f"{where or 'the file'}: expected an object holding {name!r}, "
                f"got {type(data).__name__}"
            )
        if name not in data:
            raise self.fail(f"missing field {name!r} at {path} (has {sorted(data)})")
        return data[name]

    def items(self, data: Any, name: str, where: str = "") -> list[tuple[int, Any]]:
        """The entries of the list ``data[name]``, numbered."""
        value = self.field(data, name, where)
        if not isinstance(value, list):
            raise self.fail(f"{_join(where, name)}: expected a list, got {type(value).__name__}")
        return list(enumerate(value))

    def text(self, data: Any, name: str, where: str = "") -> str:
        value = self.field(data, name, where)
        if not isinstance(value, str):
            raise self.fail(f"{_join(where, name)}: expected text, got {value!r}")
        return value

    def texts(self, data: Any, name: str, where: str = "") -> list[str]:
        listed = self.items(data, name, where)
        bad = [k for k, value in listed if not isinstance(value, str)]
        if bad:
            raise self.fail(
                f"{_join(where, name)}[{bad[0]}]: expected text, got {listed[bad[0]][1]!r}"
            )
        return [value for _, value in listed]

    def count(self, data: Any, name: str, where: str = "") -> int:
        value = self.field(data, name, where)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(f"{_join(where, name)}: expected a whole number, got {value!r}")
        return value

    def array(
        self,
        data: Any,
        name: str,
        where: str = "",
        shape: tuple[int, ...] | None = None,
        *,
        infinite: bool = False,
    ) -> np.ndarray:
        """A rectangular array of finite numbers (``"inf"``/``"-inf"`` too if ``infinite``)."""
        return self.numbers(self.field(data, name, where), _join(where, name), shape, infinite)

    def numbers(
        self,
        value: Any,
        path: str,
        shape: tuple[int, ...] | None = None,
        infinite: bool = False,
    ) -> np.ndarray:
        try:
            cells = np.array(value, dtype=object)
        except ValueError as error:
            raise self.fail(f"{path}: not a rectangular array of numbers ({error})") from None
        for cell in cells.flat:
            if isinstance(cell, bool) or not isinstance(cell, int | float | str):
                what = "a list at uneven depth" if isinstance(cell, list) else repr(cell)
                raise self.fail(f"{path}: not a rectangular array of numbers (holds {what})")
            if isinstance(cell, str) and not (infinite and cell in ("inf", "-inf")):
                allowed = ' (only "inf" and "-inf" may be text)' if infinite else ""
                raise self.fail(f"{path}: holds the text {cell!r}, not a number{allowed}")
        try:
            array = cells.astype(float)
        except OverflowError:
            raise self.fail(f"{path}: holds a whole number too large for a float") from None
        finite = np.isfinite(array) | (infinite & np.isinf(array))  # "inf", or TOML's inf
        if not np.all(finite):
            raise self.fail(f"{path}: holds a number that is not finite")
        if shape is not None and array.shape != shape:
            raise self.fail(f"{path} has shape {array.shape}, expected {shape}")
        return array

    def only(self, data: Any, known: Sequence[str], where: str) -> None:
        """Refuse a field this format does not have (a typo, or a forged extra)."""
        if isinstance(data, dict):
            for name in data:
                if name not in known:
                    raise self.fail(
                        f"{_join(where, str(name))}: unknown field; {where} takes "
                        f"{', '.join(known)}"
                    )

    def environment(self, data: Any) -> Environment:
        where = "environment"
        self.only(data, ENVIRONMENT_FIELDS, where)
        agents = []
        for k, agent in self.items(data, "agents", where):
            at = f"{where}.agents[{k}]"
            self.only(agent, AGENT_FIELDS, at)
            types = self.array(agent, "types", at)
            prior = self.field(agent, "prior", at)
            agents.append(
                (
                    self.text(agent, "name", at),
                    types,
                    None if prior is None else self.array(agent, "prior", at, (len(types),)),
                    None  # absent or null: the Agent's default labels
                    if isinstance(agent, dict) and agent.get("labels") is None
                    else self.texts(agent, "labels", at),
                )
            )
        allocation = self.allocation(self.field(data, "allocation", where))
        counts = tuple(len(types) for _, types, _, _ in agents)
        # shapes (private or interdependent) are the Environment's to check
        valuations = [
            self.numbers(v, f"{where}.valuations[{k}]")
            for k, v in self.items(data, "valuations", where)
        ]
        outside = [
            self.numbers(o, f"{where}.outside_options[{k}]")
            for k, o in self.items(data, "outside_options", where)
        ]
        # the joint prior is in the file, so the declared profiles are data that is present
        prior = self.array(data, "prior", where, counts)
        try:
            return Environment(
                [Agent(*agent) for agent in agents],
                allocation,
                valuations,
                prior=prior,
                principal_value=self.array(
                    data, "principal_value", where, (allocation.n_components,)
                ),
                outside_options=outside,
                name=self.text(data, "name", where),
            )
        except (TypeError, ValueError) as error:
            if isinstance(error, FileFormatError):
                raise
            raise self.fail(f"{where}: {error}") from error

    def allocation(self, data: Any) -> AllocationSpace:
        where = "environment.allocation"
        kind = self.field(data, "kind", where)
        if kind in ALLOCATION_FIELDS:  # an unknown kind is named below
            self.only(data, ALLOCATION_FIELDS[kind], where)
        try:
            if kind == "items":
                names = self.texts(data, "item_names", where)
                if self.count(data, "n_items", where) != len(names):
                    raise self.fail(
                        f"{where}.n_items: {data['n_items']} items declared but "
                        f"{len(names)} item_names given"
                    )
                unit_demand = self.field(data, "unit_demand", where)
                if not isinstance(unit_demand, bool):
                    raise self.fail(f"{where}.unit_demand: expected true or false")
                return Items(self.texts(data, "agents", where), len(names), names, unit_demand)
            if kind == "outcomes":
                return Outcomes(self.texts(data, "names", where))
            if kind == "units":
                return Units(self.texts(data, "agents", where), self.count(data, "n_units", where))
            if kind == "exchange":
                return Exchange(
                    self.texts(data, "buyers", where), self.texts(data, "sellers", where)
                )
            if kind == "polytope":
                return self.polytope(data, where)
        except (TypeError, ValueError) as error:
            if isinstance(error, FileFormatError):
                raise
            raise self.fail(f"{where}: {error}") from error
        raise self.fail(
            f"{where}.kind {kind!r} is not one of items, outcomes, units, exchange, polytope"
        )

    def polytope(self, data: Any, where: str) -> AllocationSpace:
        names = self.texts(data, "component_names", where)
        row_lower = self.array(data, "row_lower", where, infinite=True)
        n_rows = len(row_lower)
        bounds = [
            self.array(data, "row_upper", where, (n_rows,), infinite=True),
            self.array(data, "lower", where, (len(names),), infinite=True),
            self.array(data, "upper", where, (len(names),), infinite=True),
        ]
        matrix = self.field(data, "matrix", where)
        at = f"{where}.matrix"
        shape = tuple(self.numbers(self.field(matrix, "shape", at), f"{at}.shape", (2,)))
        if shape != (n_rows, len(names)):
            raise self.fail(
                f"{at}.shape: {list(shape)} does not match the {n_rows} row bounds and "
                f"{len(names)} component_names"
            )
        values = self.array(matrix, "values", at)
        if values.ndim != 1:
            raise self.fail(f"{at}.values: expected a list of numbers")
        rows, columns = (
            self.array(matrix, name, at, values.shape) for name in ("rows", "columns")
        )
        for name, index, size in (("rows", rows, n_rows), ("columns", columns, len(names))):
            if np.any((index < 0) | (index >= size) | (index != np.round(index))):
                raise self.fail(f"{at}.{name}: expected whole numbers in 0..{size - 1}")
        entries = (values, (rows.astype(np.intp), columns.astype(np.intp)))
        return AllocationSpace(
            names, sp.csr_array(entries, shape=(n_rows, len(names))), row_lower, *bounds
        )

    def mechanism(self, env: Environment, data: Any) -> Mechanism:
        where = "mechanism"
        allocation = self.array(data, "allocation", where, (env.n_profiles, env.n_components))
        payments = self.array(data, "payments", where, (env.n_profiles, env.n_agents))
        return Mechanism(env, allocation, payments, name=self.text(data, "name", where))

    def family(self, spec: Any, where: str) -> ConstraintFamily:
        try:
            return constraints_from_spec(spec, self.families)
        except (TypeError, ValueError, KeyError) as error:
            raise self.fail(f"family {spec!r} at {where}: {error}") from error

    def objective(self, spec: Any) -> Objective:
        try:
            return objective_from_spec(spec, self.objectives)
        except (TypeError, ValueError, KeyError) as error:
            raise self.fail(f"objective {spec!r}: {error}") from error

    def reverify(
        self,
        mechanism: Mechanism,
        families: Sequence[ConstraintFamily],
        saved: Any,
        *,
        required: bool = False,
    ) -> VerificationReport:
        """Verify again at the reader's tolerance: the verdicts in the file are not used.

        A family must hold if ``required`` (a solution's imposed families), or if the
        file records it as passed; one that fails raises :class:`VerificationError`.
        """
        try:
            saved_checks = VerificationReport.from_spec(saved).checks
        except (TypeError, KeyError, ValueError, AttributeError) as error:
            raise self.fail(f"verification: {error!r}") from error
        recorded_failing = {c.family for c in saved_checks if c.ok is False}
        report = verify(mechanism, families, tol=self.tol)
        broken = [
            c for c in report.checks if not c.ok and (required or c.family not in recorded_failing)
        ]
        if broken:
            details = "; ".join(f"{c.family}: {c.max_violation:.3g} at {c.worst}" for c in broken)
            names = ", ".join(c.family for c in broken)
            raise VerificationError(
                f"{self.source}: the mechanism violates {names} at tol={self.tol:g}, "
                f"which it is recorded to satisfy ({details})"
            )
        return report

    def solution(self, data: dict[str, Any], env: Environment, mechanism: Mechanism) -> Solution:
        families = tuple(
            self.family(spec, f"families[{k}]") for k, spec in self.items(data, "families")
        )
        objective = self.objective(self.field(data, "objective"))
        verification = self.reverify(
            mechanism, families, self.field(data, "verification"), required=True
        )
        value = float(self.numbers(self.field(data, "objective_value"), "objective_value", ()))
        recomputed = objective.value(mechanism)
        if abs(recomputed - value) > objective_tolerance(objective, mechanism, value, self.tol):
            raise VerificationError(
                f"{self.source}: objective_value {value!r} but the "
                f"mechanism's {objective.name} is {recomputed!r}"
            )
        report = self.report(self.field(data, "report"))
        compiled = tuple(f.compiled_form(env) for f in families)
        return Solution(
            mechanism,
            value,
            objective,
            families,
            self.duals(self.field(data, "duals"), families),
            report,
            verification,
            compiled,
            self.solver_options(self.field(data, "solver_options")),
        )

    def duals(self, data: Any, families: Sequence[ConstraintFamily]) -> dict[str, np.ndarray]:
        """One finite vector per imposed family, by its name."""
        if not isinstance(data, dict):
            raise self.fail(f"duals: expected an object, got {type(data).__name__}")
        names = {f.name for f in families}
        unknown = sorted(set(data) - names)
        if unknown:
            raise self.fail(f"duals.{unknown[0]}: not one of the imposed families {sorted(names)}")
        duals = {name: self.array(data, name, "duals") for name in data}
        flat = [name for name, values in duals.items() if values.ndim != 1]
        if flat:
            raise self.fail(
                f"duals.{flat[0]}: expected a vector, got shape {duals[flat[0]].shape}"
            )
        return duals

    def solver_options(self, data: Any) -> dict[str, Any]:
        """The :data:`SAFE_SOLVER_OPTIONS` among ``data``, checked; every other is dropped."""
        if not isinstance(data, dict):
            raise self.fail(f"solver_options: expected an object, got {type(data).__name__}")
        kept = {}
        for name, allowed in SAFE_SOLVER_OPTIONS.items():
            if name not in data:
                continue
            value = data[name]
            kinds = tuple(kind for kind in allowed if isinstance(kind, type))
            if not kinds:
                fits = value in allowed
            else:  # a number of an allowed kind; a flag is not one
                fits = (
                    isinstance(value, int | float)
                    and isinstance(value, kinds)
                    and not isinstance(value, bool)
                    and math.isfinite(value)
                )
            if not fits:
                raise self.fail(f"solver_options.{name}: {value!r} is not allowed")
            kept[name] = value
        return kept

    def report(self, data: Any) -> SolveReport:
        try:
            return SolveReport.from_spec(data)
        except (TypeError, ValueError, AttributeError) as error:
            raise self.fail(f"report: {error}") from error


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
