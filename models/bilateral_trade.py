"""Second-best bilateral trade (Myerson and Satterthwaite 1983).

A buyer with value uniform on {0, 1/(K−1), …, 1} and a seller with cost on the
same grid. The designer maximises expected gains from trade under Bayesian IC,
interim IR and ex-post budget balance; Myerson–Satterthwaite says the first best
(trade whenever value exceeds cost) is out of reach when supports overlap. The
benchmark is the discrete second best (a fractional knapsack over profiles,
:func:`lpmech.analytic.trade.second_best_gains`); as the grid refines it approaches the
continuous 9/64, against a first best of 1/6.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from lpmech.analytic import Benchmark, exact_values, second_best_gains, second_best_trade
from lpmech.errors import InvalidArgumentError
from lpmech.models.spec import ModelSpec
from lpmech.problem.builders import bilateral_trade
from lpmech.problem.environment import Environment


def build(n_types: int = 5) -> Environment:
    """Buyer values and seller costs uniform on the grid k/(n_types − 1) of [0, 1], exact."""
    if n_types < 2:
        raise InvalidArgumentError(f"n_types must be at least 2, got {n_types}")
    grid = np.array([Fraction(k, n_types - 1) for k in range(n_types)], dtype=object)
    return bilateral_trade(grid, grid)


SPEC = ModelSpec(
    name="bilateral_trade",
    title="second-best bilateral trade, uniform grid on [0, 1]",
    build=build,
    objective="gains_from_trade",
    constraints=("bayesian_ic", "interim_ir", "ex_post_budget_balance"),
    benchmark=lambda env: Benchmark(
        "second-best gains", second_best_gains(env), mechanism=second_best_trade(env)
    ),
    source="Myerson and Satterthwaite (1983), Efficient mechanisms for bilateral trading",
    exact_benchmark=exact_values.second_best_gains,
)
