"""Every ready model builds, solves, passes brute force, and meets its benchmark."""

from __future__ import annotations

import inspect

import oracle
import pytest

from lpmech.errors import InvalidArgumentError
from lpmech.models import DEFAULT_MODEL, MODELS
from lpmech.program.objectives import resolve_objective


def test_registry_cannot_shrink_silently():
    assert len(MODELS) >= 12
    assert DEFAULT_MODEL in MODELS


@pytest.mark.parametrize("name", sorted(MODELS))
def test_optimum_passes_brute_force_and_meets_its_benchmark(name):
    spec = MODELS[name]
    check = spec.check()
    assert check.solution.verification.ok
    assert check.agrees, str(check)
    names = [f.name for f in check.solution.families if f.name in oracle.CHECKS]
    oracle.assert_satisfies(spec.environment(), check.solution.mechanism, names)


WITH_MECHANISM = sorted(
    name for name, spec in MODELS.items() if spec.benchmark(spec.environment()).mechanism
)


def test_some_benchmarks_come_with_a_mechanism():
    assert len(WITH_MECHANISM) >= 3, WITH_MECHANISM


@pytest.mark.parametrize("name", WITH_MECHANISM)
def test_benchmark_mechanism_is_feasible_and_attains_the_benchmark(name):
    """A benchmark that comes with a mechanism must satisfy the model's constraints and
    deliver the benchmark's value — so "LP optimum = benchmark" compares like with like."""
    spec = MODELS[name]
    env = spec.environment()
    benchmark = spec.benchmark(env)
    assert benchmark.mechanism.verify(spec.constraints).ok
    value = resolve_objective(spec.objective).value(benchmark.mechanism)
    assert value == pytest.approx(benchmark.value, abs=1e-9)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_parameters_have_defaults_and_types(name):
    for parameter in MODELS[name].parameters().values():
        assert parameter.default is not inspect.Parameter.empty
        assert parameter.annotation in ("int", "float", "str", int, float, str)


def test_unknown_model_parameter_is_named():
    with pytest.raises(InvalidArgumentError, match=r"has no parameters \['n_bidder'\]"):
        MODELS["single_item"].environment(n_bidder=3)
