"""How much money efficient bilateral trade needs (Myerson and Satterthwaite 1983).

Trade whenever the buyer's value exceeds the seller's cost is fixed; payments
minimise the principal's expected deficit under Bayesian IC and interim IR. With
overlapping supports the deficit is positive: efficient, IC, IR trade cannot
balance its budget. The benchmark is E[(γ(s) − φ(b)) 1{b > s}].
"""

from __future__ import annotations

from lpmech.analytic import Benchmark, efficient_trade_deficit, exact_values
from lpmech.models.bilateral_trade import build as build_trade
from lpmech.models.spec import ModelSpec
from lpmech.problem.environment import Environment


def build(n_types: int = 6) -> Environment:
    """The bilateral trade model's grid; six points, where efficient trade needs a subsidy."""
    return build_trade(n_types)


SPEC = ModelSpec(
    name="trade_subsidy",
    title="efficient bilateral trade: the least expected subsidy",
    build=build,
    objective="deficit",
    constraints=("bayesian_ic", "interim_ir", "efficient_allocation"),
    benchmark=lambda env: Benchmark("E[(γ(s) − φ(b)) 1{b > s}]", efficient_trade_deficit(env)),
    source="Myerson and Satterthwaite (1983)",
    exact_benchmark=exact_values.efficient_trade_deficit,
)
