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
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from lpmech.checks.verification import (
    MAX_TOL,
    VerificationReport,
    objective_tolerance,
    verify,
)
from lpmech.constraints import ConstraintFamily, resolve_all
from lpmech.constraints import from_spec as constraints_from_spec
from lpmech.errors import (
    FileFormatError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    LpmechError,
    VerificationError,
)
from lpmech.problem.allocation import AllocationSpace, Exchange, Items, Outcomes, Units
from lpmech.problem.environment import Agent, Environment
from lpmech.problem.memory import ROW_POINTER_BYTES, check_allocation
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
    """
    _check_path(path, "save")
    path = Path(path)
    path.write_text(dumps(to_data(obj, constraints=constraints)) + "\n", encoding="utf-8")
    return path


def load(
    path: str | Path, *, families: SpecConstructors = None, objectives: SpecConstructors = None
) -> Saveable:
    """Read a file written by :func:`save`, rebuilding and re-verifying what it holds.

    Built-in families and objectives are rebuilt from their specs; pass
    ``families`` (or ``objectives``), constructors of your own by spec key, for
    those of your own (see :func:`lpmech.constraints.from_spec`).

    Raises
    ------
    FileFormatError
        Not JSON, not an lpmech file, another schema version, a missing field or
        arrays of inconsistent shapes (the message names the file and the field).
    VerificationError
        The mechanism no longer satisfies a family it satisfied when saved.
    """
    _check_path(path, "load")
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise FileFormatError(f"{path}: not a JSON file ({error})") from error
    return from_data(data, source=str(path), families=families, objectives=objectives)


def _check_path(path: object, where: str) -> None:
    if not isinstance(path, str | os.PathLike):
        raise InvalidArgumentTypeError(
            f"{where}: path must be a file name, got {type(path).__name__}"
        )


def to_data(obj: Saveable, *, constraints: Sequence[str | ConstraintFamily] = ()) -> dict:
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
) -> Saveable:
    """Rebuild the object described by :func:`to_data` output (see :func:`load`)."""
    reader = _Reader(source, families, objectives)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FileFormatError(f'{source}: not an lpmech file (no "format": "{FORMAT}")')
    version = reader.field(data, "schema_version")
    if version != SCHEMA_VERSION:
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
            families = [reader.family(spec) for spec in reader.field(verified, "families")]
            reader.reverify(mechanism, families, reader.field(verified, "verification"))
        return mechanism
    return reader.solution(data, env, mechanism)


def dumps(data: Any) -> str:
    """JSON with one line per array row: readable, and exact (floats by ``repr``)."""
    return _dumps(data, 0)


# ------------------------------------------------------------------ writing
def environment_data(env: Environment) -> dict:
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


def allocation_data(space: AllocationSpace) -> dict:
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


def mechanism_data(mechanism: Mechanism) -> dict:
    """A mechanism's rules in profile order: allocation (P, C), payments (P, N), named columns."""
    env = mechanism.env
    return {
        "name": mechanism.name,
        "components": list(env.allocation.component_names),
        "agents": [a.name for a in env.agents],
        "allocation": _encode(mechanism.flat_allocation),
        "payments": _encode(mechanism.flat_payments),
    }


def verification_data(report: VerificationReport) -> list[dict]:
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


def _spec(obj: ConstraintFamily | Objective, what: str) -> dict:
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
class _Reader:
    """Rebuilds objects from plain data; every failure names the source and the field."""

    def __init__(
        self, source: str, families: SpecConstructors = None, objectives: SpecConstructors = None
    ) -> None:
        self.source = source
        self.families = families
        self.objectives = objectives

    def fail(self, message: str) -> FileFormatError:
        return FileFormatError(f"{self.source}: {message}")

    def field(self, data: Any, name: str) -> Any:
        if not isinstance(data, dict):
            raise self.fail(f"expected an object holding {name!r}, got {type(data).__name__}")
        if name not in data:
            raise self.fail(f"missing field {name!r} (has {sorted(data)})")
        return data[name]

    def array(self, data: Any, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
        try:
            array = np.array(self.field(data, name), dtype=float)
        except (TypeError, ValueError) as error:
            raise self.fail(
                f"field {name!r} is not a rectangular array of numbers ({error})"
            ) from error
        if shape is not None and array.shape != shape:
            raise self.fail(f"field {name!r} has shape {array.shape}, expected {shape}")
        return array

    def environment(self, data: Any) -> Environment:
        try:
            agents = [
                Agent(
                    self.field(a, "name"),
                    self.array(a, "types"),
                    None if self.field(a, "prior") is None else self.array(a, "prior"),
                    self.field(a, "labels"),
                )
                for a in self.field(data, "agents")
            ]
            valuations = [np.array(v, dtype=float) for v in self.field(data, "valuations")]
            return Environment(
                agents,
                self.allocation(self.field(data, "allocation")),
                valuations,
                prior=self.array(data, "prior"),
                principal_value=self.array(data, "principal_value"),
                outside_options=[
                    np.array(o, dtype=float) for o in self.field(data, "outside_options")
                ],
                name=self.field(data, "name"),
            )
        except (TypeError, ValueError) as error:
            if isinstance(error, FileFormatError):
                raise
            raise self.fail(f"environment: {error}") from error

    def allocation(self, data: Any) -> AllocationSpace:
        kind = self.field(data, "kind")
        if kind == "items":
            return Items(
                self.field(data, "agents"),
                self.field(data, "n_items"),
                self.field(data, "item_names"),
                self.field(data, "unit_demand"),
            )
        if kind == "outcomes":
            return Outcomes(self.field(data, "names"))
        if kind == "units":
            return Units(self.field(data, "agents"), self.field(data, "n_units"))
        if kind == "exchange":
            return Exchange(self.field(data, "buyers"), self.field(data, "sellers"))
        if kind == "polytope":
            matrix = self.field(data, "matrix")
            shape = tuple(self.field(matrix, "shape"))
            check_allocation(int(shape[0]) + 1, f"{self.source}: field 'shape'", ROW_POINTER_BYTES)
            entries = (
                self.array(matrix, "values"),
                (
                    np.array(self.field(matrix, "rows"), dtype=np.intp),
                    np.array(self.field(matrix, "columns"), dtype=np.intp),
                ),
            )
            return AllocationSpace(
                self.field(data, "component_names"),
                sp.csr_array(entries, shape=shape),
                self.array(data, "row_lower"),
                self.array(data, "row_upper"),
                self.array(data, "lower"),
                self.array(data, "upper"),
            )
        raise self.fail(
            f"allocation kind {kind!r} is not one of items, outcomes, units, exchange, polytope"
        )

    def mechanism(self, env: Environment, data: Any) -> Mechanism:
        allocation = self.array(data, "allocation", (env.n_profiles, env.n_components))
        payments = self.array(data, "payments", (env.n_profiles, env.n_agents))
        return Mechanism(env, allocation, payments, name=self.field(data, "name"))

    def family(self, spec: Any) -> ConstraintFamily:
        try:
            return constraints_from_spec(spec, self.families)
        except (TypeError, ValueError) as error:
            raise self.fail(f"family {spec!r}: {error}") from error

    def objective(self, spec: Any) -> Objective:
        try:
            return objective_from_spec(spec, self.objectives)
        except (TypeError, ValueError, KeyError) as error:
            raise self.fail(f"objective {spec!r}: {error}") from error

    def reverify(
        self, mechanism: Mechanism, families: Sequence[ConstraintFamily], saved: Any
    ) -> VerificationReport:
        """Verify again at the tolerance used when saved; a family that passed must pass."""
        try:
            checks = VerificationReport.from_spec(saved).checks
        except (TypeError, KeyError) as error:
            raise self.fail(f"verification: {error!r}") from error
        passed = {c.family: c.ok for c in checks}
        # a saved tolerance is absolute: read back the relative tol each family was held to
        relative = [min(c.tolerance / c.scale, MAX_TOL) for c in checks]
        report = verify(mechanism, families, tol=max(relative, default=1e-6))
        broken = [c for c in report.checks if not c.ok and passed.get(c.family, False)]
        if broken:
            details = "; ".join(f"{c.family}: {c.max_violation:.3g} at {c.worst}" for c in broken)
            names = ", ".join(c.family for c in broken)
            raise VerificationError(
                f"{self.source}: the mechanism passed {names} when saved "
                f"but violates it now ({details})"
            )
        return report

    def solution(self, data: dict, env: Environment, mechanism: Mechanism) -> Solution:
        families = tuple(self.family(spec) for spec in self.field(data, "families"))
        objective = self.objective(self.field(data, "objective"))
        verification = self.reverify(mechanism, families, self.field(data, "verification"))
        value = float(self.field(data, "objective_value"))
        recomputed = objective.value(mechanism)
        if abs(recomputed - value) > objective_tolerance(objective, mechanism, value, 1e-6):
            raise VerificationError(
                f"{self.source}: objective_value {value!r} but the "
                f"mechanism's {objective.name} is {recomputed!r}"
            )
        report = self.report(self.field(data, "report"))
        duals = {
            str(name): self.array(self.field(data, "duals"), name)
            for name in self.field(data, "duals")
        }
        compiled = tuple(f.compiled_form(env) for f in families)
        return Solution(
            mechanism,
            value,
            objective,
            families,
            duals,
            report,
            verification,
            compiled,
            dict(self.field(data, "solver_options")),
        )

    def report(self, data: Any) -> SolveReport:
        try:
            return SolveReport.from_spec(data)
        except TypeError as error:
            raise self.fail(f"report: {error}") from error
