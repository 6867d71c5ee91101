"""What a ready model is: a problem builder, its objective and constraints, and a benchmark."""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lpmech.analytic.benchmark import Benchmark
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
    benchmark : callable
        Environment → :class:`~lpmech.analytic.Benchmark`, from a formula.
    source : str
        The literature the setting comes from.
    """

    name: str
    title: str
    build: Callable[..., Environment]
    objective: str
    constraints: tuple[str, ...]
    benchmark: Callable[[Environment], Benchmark]
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

    def solve(self, backend: str = "auto", **params: Any) -> Solution:
        """Solve the model with its own objective and constraints."""
        return solve(self.environment(**params), self.objective, self.constraints,
                     backend=backend)

    def check(self, backend: str = "auto", tol: float = 1e-6, **params: Any) -> ModelCheck:
        """Solve the model and hold its optimum against its benchmark."""
        env = self.environment(**params)
        start = time.perf_counter()
        solution = solve(env, self.objective, self.constraints, backend=backend)
        seconds = time.perf_counter() - start
        benchmark = self.benchmark(env)
        return ModelCheck(self, solution, benchmark, seconds,
                          benchmark.agrees(solution.objective_value, tol))


@dataclass(frozen=True)
class ModelCheck:
    """A model's LP optimum beside its benchmark."""

    spec: ModelSpec
    solution: Solution
    benchmark: Benchmark
    seconds: float
    agrees: bool

    @property
    def gap(self) -> float:
        """LP optimum minus benchmark."""
        return self.benchmark.gap(self.solution.objective_value)

    def __str__(self) -> str:
        verdict = "agrees" if self.agrees else "DISAGREES"
        return (f"LP optimum {self.solution.objective_value:.6g} "
                f"{self.benchmark.symbol} benchmark {self.benchmark.name} = "
                f"{self.benchmark.value:.6g} (gap {self.gap:.3g}, {verdict})")
