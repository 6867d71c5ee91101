"""Optimal k-unit auction to unit-demand bidders (Myerson 1981).

N bidders, each wanting one of k identical units, with values uniform on
{1, …, K}; the seller maximises revenue under dominant-strategy IC and ex-post IR.
The optimum serves the k highest non-negative (ironed) virtual values and charges
each winner its threshold; its revenue is E[Σ of the k largest φ̄⁺].
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic import Benchmark, exact_values, myerson, myerson_revenue
from lpmech.models.spec import ModelSpec
from lpmech.problem.builders import multi_unit_auction
from lpmech.problem.environment import Environment


def build(n_bidders: int = 3, n_units: int = 2, n_types: int = 4) -> Environment:
    """N unit-demand bidders with values uniform on {1, …, n_types}, k units."""
    return multi_unit_auction(np.arange(1, n_types + 1), n_bidders, n_units=n_units)


SPEC = ModelSpec(
    name="multi_unit",
    title="optimal k-unit auction, unit demand, uniform values 1..K",
    build=build,
    objective="revenue",
    constraints=("dominant_strategy_ic", "ex_post_ir"),
    benchmark=lambda env: Benchmark(
        "Myerson E[Σ top-k φ̄⁺]", myerson_revenue(env), mechanism=myerson(env)
    ),
    source="Myerson (1981); Krishna, Auction Theory (2010), §14 (multi-unit)",
    exact_benchmark=exact_values.myerson_revenue,
)
