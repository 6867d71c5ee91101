"""Second-best double auction: several buyers and sellers of one good.

M buyers with values and L sellers with costs, each uniform on the grid
k/(K − 1) of [0, 1]. The designer maximises expected gains from trade under
Bayesian IC, interim IR and ex-post budget balance; with overlapping supports the
first best is out of reach (Myerson and Satterthwaite 1983, many-agent form). The
benchmark is McAfee's (1992) trade-reduction mechanism, DSIC, ex-post IR and never
in deficit, with its surplus handed back without touching incentives
(:func:`lpmech.analytic.balance_budget`): a feasible mechanism, so the LP's second
best is at least its gains (and at most the first best).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from lpmech.analytic import Benchmark, balance_budget, exact_values, mcafee
from lpmech.errors import InvalidArgumentError
from lpmech.models.spec import ModelSpec
from lpmech.problem.builders import double_auction
from lpmech.problem.environment import Environment
from lpmech.program.objectives import GainsFromTrade


def build(n_buyers: int = 2, n_sellers: int = 2, n_types: int = 3) -> Environment:
    """Values and costs uniform on the grid k/(n_types − 1) of [0, 1], exact."""
    if n_types < 2:
        raise InvalidArgumentError(f"n_types must be at least 2, got {n_types}")
    grid = np.array([Fraction(k, n_types - 1) for k in range(n_types)], dtype=object)
    return double_auction(grid, grid, n_buyers, n_sellers)


def _benchmark(env: Environment) -> Benchmark:
    reduced = balance_budget(mcafee(env))
    return Benchmark(
        "McAfee trade reduction gains", GainsFromTrade().value(reduced), "lower_bound", reduced
    )


SPEC = ModelSpec(
    name="double_auction",
    title="second-best double auction, uniform grid on [0, 1]",
    build=build,
    objective="gains_from_trade",
    constraints=("bayesian_ic", "interim_ir", "ex_post_budget_balance"),
    benchmark=_benchmark,
    source="McAfee (1992), A dominant strategy double auction; Myerson and Satterthwaite (1983)",
    exact_benchmark=exact_values.mcafee_gains,
)
