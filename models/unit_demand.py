"""Two unit-demand bidders and two items.

Each bidder wants at most one item; its values for the items are drawn uniformly
from a small set of vectors. The seller maximises revenue under DSIC and ex-post
IR; assignment probabilities lie in the bipartite matching polytope, so every
feasible allocation is a lottery over matchings. The benchmark is the VCG (Clarke
pivot) auction, which is DSIC and IR and so a lower bound on the optimal revenue.
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic import Benchmark, clarke_pivot, exact_values
from lpmech.models.spec import ModelSpec
from lpmech.problem.builders import multi_item_auction
from lpmech.problem.environment import Environment


def build(n_bidders: int = 2, high: float = 3.0) -> Environment:
    """Types (1, high), (high, 1), (high, high) for each bidder, uniform."""
    types = np.array([[1.0, high], [high, 1.0], [high, high]])
    return multi_item_auction(types, n_bidders, unit_demand=True)


SPEC = ModelSpec(
    name="unit_demand",
    title="unit-demand auction, two items",
    build=build,
    objective="revenue",
    constraints=("dominant_strategy_ic", "ex_post_ir"),
    benchmark=lambda env: Benchmark(
        "VCG revenue", clarke_pivot(env).expected_revenue(), "lower_bound", clarke_pivot(env)
    ),
    source="Demange, Gale and Sotomayor (1986); Pavlov (2011)",
    exact_benchmark=exact_values.clarke_pivot_revenue,
)
