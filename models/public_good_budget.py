"""A public project funded with a balanced budget: the AGV mechanism.

Welfare under Bayesian IC and ex-post budget balance (payments cover the cost at
every profile). With independent values the expected-externality mechanism of
d'Aspremont, Gérard-Varet and Arrow (seed notes Def. 2.7, Rem. 2.8) is efficient,
BIC and budget balanced, so the optimum is the first best — but participation is
not guaranteed (AGV is not interim IR in general).
"""

from __future__ import annotations

from lpmech.analytic import Benchmark, agv, efficient_welfare, exact_values
from lpmech.models.public_good import build
from lpmech.models.spec import ModelSpec

SPEC = ModelSpec(
    name="public_good_budget",
    title="public project: welfare under BIC and ex-post budget balance (AGV)",
    build=build,
    objective="welfare",
    constraints=("bayesian_ic", "ex_post_budget_balance"),
    benchmark=lambda env: Benchmark(
        "first best (AGV)", efficient_welfare(env), mechanism=agv(env)
    ),
    source="d'Aspremont and Gérard-Varet (1979); Arrow (1979); seed notes Def. 2.7",
    exact_benchmark=exact_values.efficient_welfare,
)
