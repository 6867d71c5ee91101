"""One buyer, two items with additive values on a grid (multi-dimensional screening).

The buyer's values for the two items are independent and uniform on a K-point
grid of [0, 1]; the seller maximises revenue under IC and IR. With more than one
dimension the optimum can bundle or randomise. The benchmark is the better of
separate sales and pure bundling, both feasible, so the optimum is at least it; as
the grid refines the optimum approaches Manelli and Vincent's (12 + 2√2)/27.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from lpmech.analytic import Benchmark, exact_values
from lpmech.analytic.bundling import pure_bundling, separate_sales
from lpmech.analytic.discretisation import discretise
from lpmech.models.spec import ModelSpec
from lpmech.problem.builders import multi_item_auction
from lpmech.problem.environment import Environment
from lpmech.problem.memory import BYTES_PER_AGENT_TYPE, check_allocation


def build(n_grid: int = 4) -> Environment:
    """Additive values for two items, each uniform on an n_grid-point midpoint grid of [0, 1]."""
    check_allocation(
        n_grid * n_grid, f"multi_item: n_grid={n_grid:,}² types", BYTES_PER_AGENT_TYPE
    )
    grid, prior = discretise(stats.uniform(), n_grid, grid="uniform")
    types = np.array([[x, y] for x in grid for y in grid])
    return multi_item_auction(types, n_bidders=1, priors=[np.outer(prior, prior).ravel()])


def _benchmark(env: Environment) -> Benchmark:
    best = max((separate_sales(env), pure_bundling(env)), key=lambda m: m.expected_revenue())
    return Benchmark(
        f"best simple menu ({best.name})", best.expected_revenue(), "lower_bound", best
    )


SPEC = ModelSpec(
    name="multi_item",
    title="one bidder, two additive items on a grid",
    build=build,
    objective="revenue",
    constraints=("dominant_strategy_ic", "ex_post_ir"),
    benchmark=_benchmark,
    source="Manelli and Vincent (2006), Bundling as an optimal selling mechanism",
    exact_benchmark=exact_values.best_simple_menu,
)
