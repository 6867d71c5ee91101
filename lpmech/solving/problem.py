"""A design problem as one object: environment, objective, constraints and solve options.

:class:`Problem` is what a problem file holds (:mod:`lpmech.problem_files`): load
it, change a part, solve it, save it as TOML or JSON.

>>> import lpmech
>>> problem = Problem(lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2),
...                   "revenue", ("dsic", "ex_post_ir"))
>>> round(problem.solve().objective_value, 6)
2.375
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lpmech.constraints import ConstraintFamily, resolve_all
from lpmech.errors import InvalidArgumentError, InvalidArgumentTypeError
from lpmech.problem.environment import Environment
from lpmech.program.objectives import Objective, resolve_objective
from lpmech.results.solution import Solution
from lpmech.solving.pipeline import DEFAULT_CONSTRAINTS, check_flag, solve

#: Keyword arguments of :func:`lpmech.solve` a problem may carry.
SOLVE_OPTIONS = (
    "formulation",
    "tie_break",
    "backend",
    "algorithm",
    "solver",
    "deterministic",
    "tol",
    "memory_limit",
    "solver_options",
)


@dataclass(frozen=True)
class Problem:
    """A mechanism design problem: what :func:`lpmech.solve` takes, kept together.

    Parameters
    ----------
    env : Environment
    objective : str or Objective
    constraints : sequence of str or ConstraintFamily
    options : mapping
        Keyword arguments of :func:`lpmech.solve` (:data:`SOLVE_OPTIONS`).
    name : str, optional
    origin : mapping, optional
        How the environment was built — ``{"builder": name, **parameters}`` or
        ``{"model": name, "parameters": {...}}`` — which :meth:`save` writes instead
        of the environment written out. Set by :meth:`load` and :meth:`from_model`.
    """

    env: Environment
    objective: str | Objective = "revenue"
    constraints: tuple[str | ConstraintFamily, ...] = DEFAULT_CONSTRAINTS
    options: Mapping[str, Any] = field(default_factory=dict)
    name: str | None = None
    origin: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.env, Environment):
            raise InvalidArgumentTypeError(
                f"Problem: env must be an Environment, got {type(self.env).__name__}"
            )
        resolve_objective(self.objective)
        if isinstance(self.constraints, str) or not isinstance(self.constraints, Sequence):
            raise InvalidArgumentTypeError(
                f"Problem: constraints must be a sequence of families, got {self.constraints!r}"
            )
        object.__setattr__(self, "constraints", tuple(self.constraints))
        resolve_all(self.constraints)
        unknown = sorted(set(self.options) - set(SOLVE_OPTIONS))
        if unknown:
            raise InvalidArgumentError(
                f"Problem: options {unknown} are not options of solve; "
                f"known are {', '.join(SOLVE_OPTIONS)}"
            )

    def solve(self, **overrides: Any) -> Solution:
        """Solve with the problem's options, ``overrides`` taking precedence."""
        return solve(self.env, self.objective, self.constraints, **{**self.options, **overrides})

    def replace(self, **changes: Any) -> Problem:
        """A copy with some parts changed (a new ``env`` forgets how the old one was built)."""
        if "env" in changes and "origin" not in changes:
            changes["origin"] = None
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_model(cls, model: str, **parameters: Any) -> Problem:
        """A ready model of :data:`lpmech.models.MODELS` with its objective, families and
        tie-break, built with ``parameters`` (the rest at their defaults)."""
        from lpmech.models import MODELS  # the zoo is built on solve: import it when asked

        if model not in MODELS:
            raise InvalidArgumentError(
                f"Problem.from_model: unknown model {model!r}; known are {', '.join(MODELS)}"
            )
        spec = MODELS[model]
        options = {"tie_break": spec.tie_break} if spec.tie_break is not None else {}
        origin = (
            {"model": model, "parameters": dict(parameters)} if parameters else {"model": model}
        )
        return cls(
            spec.environment(**parameters),
            spec.objective,
            spec.constraints,
            options,
            spec.title,
            origin,
        )

    @classmethod
    def load(cls, path: str | Path) -> Problem:
        """Read a problem file (``.toml`` or JSON), checking every field.

        Raises
        ------
        FileFormatError
            Naming the file, the field and its place.
        """
        from lpmech.problem_files import read_problem  # the file format sits above solving

        parts = read_problem(path)
        return cls(
            parts.env,
            parts.objective,
            parts.constraints,
            parts.options,
            parts.name,
            parts.origin,
        )

    def save(self, path: str | Path, *, written_out: bool = False) -> Path:
        """Write the problem: TOML for a ``.toml`` path, else JSON. ``written_out`` writes
        the environment's agents, types and valuations even if it came from a builder."""
        from lpmech.problem_files import write_problem

        return write_problem(self.data(written_out=written_out), path)

    def data(self, *, written_out: bool = False) -> dict[str, Any]:
        """The problem as plain data (the JSON file's content)."""
        from lpmech.problem_files import problem_data

        check_flag(written_out, "written_out")
        return problem_data(
            self.env,
            self.objective,
            self.constraints,
            self.options,
            self.name,
            None if written_out else self.origin,
        )
