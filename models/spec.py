"""What a ready model is: a problem builder, its objective and constraints, and a benchmark."""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from lpmech.analytic.benchmark import Benchmark
from lpmech.errors import InvalidArgumentError
from lpmech.problem.environment import Environment
from lpmech.problem.memory import BYTES_PER_AGENT_TYPE, check_allocation
from lpmech.problem.scales import data_scale
from lpmech.program.objectives import resolve_objective
from lpmech.results.solution import Solution
from lpmech.solving.canonical import TieBreak
from lpmech.solving.pipeline import solve

if TYPE_CHECKING:
    from lpmech.exact_values.certificate import Certificate


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
        :class:`~lpmech.problem.environment.Environment`.
    objective : str
        Objective name (see :mod:`lpmech.program.objectives`).
    constraints : tuple of str
        Constraint family names (see :mod:`lpmech.constraints`).
    benchmark : callable
        Environment → :class:`~lpmech.analytic.Benchmark`, from a formula.
    source : str
        The literature the setting comes from.
    exact_benchmark : callable
        Environment → the benchmark's value as a Fraction, from the same formula in
        exact arithmetic (:mod:`lpmech.analytic.exact_values`); None for a non-linear
        objective, whose optimum need not be rational.
    """

    name: str
    title: str
    build: Callable[..., Environment]
    objective: str
    constraints: tuple[str, ...]
    benchmark: Callable[[Environment], Benchmark]
    source: str
    exact_benchmark: Callable[[Environment], Fraction] | None = None

    def parameters(self) -> dict[str, inspect.Parameter]:
        """The builder's keyword parameters, with defaults and annotations."""
        return dict(inspect.signature(self.build).parameters)

    def environment(self, **params: Any) -> Environment:
        """Build the environment with the given parameters (defaults elsewhere)."""
        self.check_parameters(params)
        for name, value in params.items():  # a size parameter makes at least that many numbers
            if isinstance(value, int) and not isinstance(value, bool):
                check_allocation(
                    value, f"model {self.name!r}: {name}={value:,}", BYTES_PER_AGENT_TYPE
                )
        return self.build(**params)

    def check_parameters(self, params: Mapping[str, Any], where: str = "") -> None:
        """Refuse unknown parameters, and values not of the builder's declared type: counts
        (``int``) are whole numbers ≥ 1 — never a float such as 2.0000001, a boolean or a
        numeric string — reals (``float``) finite numbers, ``str`` text."""
        known = self.parameters()
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise InvalidArgumentError(
                f"{where}model {self.name!r} has no parameters {unknown}; it takes {sorted(known)}"
            )
        for name, value in params.items():
            kind = {"int": int, "float": float, "str": str}.get(
                str(known[name].annotation), known[name].annotation
            )
            if kind is int and (
                isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1
            ):
                raise InvalidArgumentError(
                    f"{where}{name} must be a whole number, at least 1, got {value!r}"
                )
            if kind is float and (
                isinstance(value, bool)
                or not isinstance(value, int | float | np.integer | np.floating)
                or (isinstance(value, float | np.floating) and not math.isfinite(value))
            ):
                raise InvalidArgumentError(f"{where}{name} must be a finite number, got {value!r}")
            if kind is str and not isinstance(value, str):
                raise InvalidArgumentError(f"{where}{name} must be text, got {value!r}")

    @property
    def linear(self) -> bool:
        """Whether the objective is linear, so that the optima form a face to choose from."""
        return not resolve_objective(self.objective).requires_cvxpy

    @property
    def tie_break(self) -> TieBreak:
        """How printed optima are chosen: small payments where the objective is linear
        (readable; see :mod:`lpmech.solving.canonical`), else the solver's optimum."""
        return "small_payments" if self.linear else None

    def solve(self, backend: str = "auto", **params: Any) -> Solution:
        """Solve the model with its own objective and constraints (ties: :attr:`tie_break`)."""
        return solve(
            self.environment(**params),
            self.objective,
            self.constraints,
            backend=backend,
            tie_break=self.tie_break,
        )

    def check(self, backend: str = "auto", tol: float = 1e-6, **params: Any) -> ModelCheck:
        """Solve the model and hold its optimum against its benchmark.

        Where the benchmark has a mechanism and the objective is linear, the model is
        solved a second time with ties broken towards it (``tie_break=mechanism``): the
        largest ex-post difference between the two is 0 where the analytic mechanism is
        optimal.
        """
        env = self.environment(**params)
        start = time.perf_counter()
        solution = solve(env, self.objective, self.constraints, backend=backend)
        seconds = time.perf_counter() - start
        benchmark = self.benchmark(env)
        recovered = None
        if benchmark.mechanism is not None and self.linear:
            recovered = solve(
                env,
                self.objective,
                self.constraints,
                backend=backend,
                tie_break=benchmark.mechanism,
            )
        return ModelCheck(
            self,
            solution,
            benchmark,
            seconds,
            benchmark.agrees(solution.objective_value, tol, data_scale(env)),
            recovered,
        )

    def check_exact(self, backend: str = "auto", **params: Any) -> ExactModelCheck:
        """Solve, certify the optimum exactly and compare it with the exact benchmark."""
        if self.exact_benchmark is None:
            raise InvalidArgumentError(f"model {self.name!r} has no exact benchmark")
        env = self.environment(**params)
        start = time.perf_counter()
        solution = solve(env, self.objective, self.constraints, backend=backend)
        certificate = solution.certify()
        seconds = time.perf_counter() - start
        benchmark = self.benchmark(env)
        value = self.exact_benchmark(env)
        optimum = certificate.objective
        holds = (
            certificate.optimal
            and {
                "equal": optimum == value,
                "lower_bound": optimum >= value,
                "upper_bound": optimum <= value,
            }[benchmark.relation]
        )
        return ExactModelCheck(self, certificate, benchmark, value, seconds, holds)


@dataclass(frozen=True)
class ModelCheck:
    """A model's LP optimum beside its benchmark."""

    spec: ModelSpec
    solution: Solution
    benchmark: Benchmark
    seconds: float
    agrees: bool
    recovered: Solution | None = None

    @property
    def gap(self) -> float:
        """LP optimum minus benchmark."""
        return self.benchmark.gap(self.solution.objective_value)

    @property
    def distance(self) -> float | None:
        """Largest ex-post difference (allocation or payment) between the benchmark's
        mechanism and the optimum closest to it; None where not measured."""
        if self.recovered is None or self.benchmark.mechanism is None:
            return None
        ours, theirs = self.recovered.mechanism, self.benchmark.mechanism
        return float(
            max(
                np.abs(ours.flat_allocation - theirs.flat_allocation).max(),
                np.abs(ours.flat_payments - theirs.flat_payments).max(),
            )
        )

    def recovery(self, tol: float = 1e-6) -> str:
        """Whether the analytic mechanism is itself an optimum, in words."""
        distance = self.distance
        if self.benchmark.mechanism is None:
            return "no analytic mechanism"
        if distance is None:
            return "distance not measured: the objective is not linear"
        if distance <= tol * data_scale(self.solution.mechanism.env):
            return "analytic mechanism is optimal"
        return f"analytic mechanism is not an optimum (closest optimum differs by {distance:.3g})"

    def __str__(self) -> str:
        verdict = "agrees" if self.agrees else "DISAGREES"
        return (
            f"LP optimum {self.solution.objective_value:.6g} "
            f"{self.benchmark.symbol} benchmark {self.benchmark.name} = "
            f"{self.benchmark.value:.6g} (gap {self.gap:.3g}, {verdict}); "
            f"{self.recovery()}"
        )


@dataclass(frozen=True)
class ExactModelCheck:
    """A model's exact optimum (proved by its certificate) beside its exact benchmark.

    ``agrees`` holds when the certificate is ok and the two Fractions stand in the
    benchmark's relation (equal, ≥ or ≤) exactly.
    """

    spec: ModelSpec
    certificate: Certificate
    benchmark: Benchmark
    value: Fraction
    seconds: float
    agrees: bool

    def __str__(self) -> str:
        verdict = "agrees" if self.agrees else "DISAGREES"
        proof = "proved" if self.certificate.optimal else "NOT proved"
        return (
            f"exact optimum {self.certificate.objective} ({proof}) "
            f"{self.benchmark.symbol} benchmark {self.benchmark.name} = {self.value} "
            f"({verdict})"
        )
