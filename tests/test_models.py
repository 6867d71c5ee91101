"""Every ready model builds, solves, and passes the brute-force check."""

from __future__ import annotations

import inspect

import oracle
import pytest

from lpmech.models import DEFAULT_MODEL, MODELS


def test_registry_cannot_shrink_silently():
    assert len(MODELS) >= 6
    assert DEFAULT_MODEL in MODELS


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_solves_and_its_optimum_passes_brute_force(name):
    spec = MODELS[name]
    solution = spec.solve()
    assert solution.verification.ok
    names = [f.name for f in solution.families if f.name in oracle.CHECKS]
    oracle.assert_satisfies(spec.environment(), solution.mechanism, names)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_model_parameters_have_defaults_and_types(name):
    for parameter in MODELS[name].parameters().values():
        assert parameter.default is not inspect.Parameter.empty
        assert parameter.annotation in ("int", "float", "str", int, float, str)


def test_unknown_model_parameter_is_named():
    with pytest.raises(TypeError, match=r"has no parameters \['n_bidder'\]"):
        MODELS["single_item"].environment(n_bidder=3)
