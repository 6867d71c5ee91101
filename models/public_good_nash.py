"""A public project funded with a balanced budget, designed for Nash welfare.

The designer maximises Σ_i log E[u_i], the Nash welfare of the agents' expected
utilities, under Bayesian IC and ex-post budget balance — a concave objective,
solved by a conic solver. Expected utilities add up to at most the first best W*,
so by AM–GM the optimum is at most N log(W*/N); the AGV mechanism with lump sums
that split W* equally attains it (:mod:`lpmech.analytic.nash`).
"""

from __future__ import annotations

from lpmech.analytic import Benchmark, equal_split_agv, nash_welfare_bound
from lpmech.models.public_good import build
from lpmech.models.spec import ModelSpec

SPEC = ModelSpec(
    name="public_good_nash",
    title="public project: Nash welfare under BIC and ex-post budget balance",
    build=build,
    objective="ex_ante_nash_welfare",
    constraints=("bayesian_ic", "ex_post_budget_balance"),
    benchmark=lambda env: Benchmark(
        "N log(W*/N) (AGV split equally)", nash_welfare_bound(env), mechanism=equal_split_agv(env)
    ),
    source="Nash (1950); d'Aspremont and Gérard-Varet (1979); seed notes Def. 2.7",
)
