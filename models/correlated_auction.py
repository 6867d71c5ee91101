"""A single-item auction with correlated values (Crémer and McLean 1988).

Two bidders whose values in {1, 2, 3} are positively correlated. Under Bayesian IC
and interim IR the seller can use the correlation to extract (almost) the whole
surplus: the optimum revenue is the expected highest value when the conditional
beliefs are linearly independent.
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic import Benchmark, cremer_mclean, exact_values, full_surplus
from lpmech.errors import InvalidArgumentError
from lpmech.models.spec import ModelSpec
from lpmech.problem.builders import single_item_auction
from lpmech.problem.environment import Environment


def build(correlation: float = 0.5) -> Environment:
    """Joint prior mixing independence (0) and perfect correlation (1) with this weight."""
    if not 0.0 <= correlation < 1.0:
        raise InvalidArgumentError(f"correlation must be in [0, 1), got {correlation}")
    values = np.array([1.0, 2.0, 3.0])
    joint = (1 - correlation) * np.full((3, 3), 1 / 9) + correlation * np.eye(3) / 3
    return single_item_auction(values, 2, prior=joint)


SPEC = ModelSpec(
    name="correlated_auction",
    title="single-item auction with correlated values (full surplus extraction)",
    build=build,
    objective="revenue",
    constraints=("bayesian_ic", "interim_ir"),
    benchmark=lambda env: Benchmark(
        "full surplus E[max θ]", full_surplus(env), mechanism=cremer_mclean(env)
    ),
    source="Crémer and McLean (1988), Full extraction of the surplus",
    exact_benchmark=exact_values.full_surplus,
)
