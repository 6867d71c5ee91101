"""Ready problems, one per classic setting, installed as ``lpmech.models``.

Each module exports ``SPEC``, a :class:`ModelSpec`: a parametric builder of the
environment, the objective and constraint families the setting is usually solved
with, and where it comes from. :data:`MODELS` lists them by name.

>>> from lpmech.models import MODELS
>>> solution = MODELS["single_item"].solve(n_bidders=1, n_types=4)
>>> round(solution.objective_value, 6)
1.5
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lpmech.environment import Environment
from lpmech.solve import Solution, solve


@dataclass(frozen=True)
class ModelSpec:
    """A ready design problem.

    Attributes
    ----------
    name : str
        Registry key and command-line name.
    title : str
        One line for listings.
    build : callable
        Keyword parameters (each with a default and a type annotation) →
        :class:`~lpmech.environment.Environment`.
    objective : str
        Objective name (see :mod:`lpmech.objectives`).
    constraints : tuple of str
        Constraint family names (see :mod:`lpmech.constraints`).
    source : str
        The literature the setting comes from.
    """

    name: str
    title: str
    build: Callable[..., Environment]
    objective: str
    constraints: tuple[str, ...]
    source: str

    def parameters(self) -> dict[str, inspect.Parameter]:
        """The builder's keyword parameters, with defaults and annotations."""
        return dict(inspect.signature(self.build).parameters)

    def environment(self, **params: Any) -> Environment:
        """Build the environment with the given parameters (defaults elsewhere)."""
        unknown = sorted(set(params) - set(self.parameters()))
        if unknown:
            raise TypeError(f"model {self.name!r} has no parameters {unknown}; "
                            f"it takes {sorted(self.parameters())}")
        return self.build(**params)

    def solve(self, backend: str = "cvxpy", **params: Any) -> Solution:
        """Solve the model with its own objective and constraints."""
        return solve(self.environment(**params), self.objective, self.constraints,
                     backend=backend)


def _registry() -> dict[str, ModelSpec]:
    from lpmech.models import (
        bilateral_trade,
        correlated_auction,
        multi_item,
        public_good,
        single_item,
        unit_demand,
    )

    specs = [m.SPEC for m in (single_item, bilateral_trade, public_good, multi_item,
                              unit_demand, correlated_auction)]
    return {spec.name: spec for spec in specs}


#: Every ready model, by name.
MODELS: dict[str, ModelSpec] = _registry()

#: The model ``lpmech`` solves when run without arguments.
DEFAULT_MODEL = "single_item"
