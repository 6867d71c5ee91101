"""One bidder, two items with additive values on a grid (multi-dimensional screening).

The bidder's values for the two items are independent and uniform on a
K-point grid of [0, 1]; the seller maximises revenue under IC and IR. With more
than one dimension the optimum can bundle or randomise (Manelli and Vincent 2006).
"""

from __future__ import annotations

import numpy as np

from lpmech.builders import multi_item_auction
from lpmech.environment import Environment
from lpmech.models import ModelSpec


def build(n_grid: int = 4) -> Environment:
    """Additive values for two items, each uniform on an n_grid-point grid of [0, 1]."""
    grid = np.linspace(0.0, 1.0, n_grid)
    types = np.array([[x, y] for x in grid for y in grid])
    return multi_item_auction(types, n_bidders=1)


SPEC = ModelSpec(
    name="multi_item",
    title="one bidder, two additive items on a grid",
    build=build,
    objective="revenue",
    constraints=("dominant_strategy_ic", "ex_post_ir"),
    source="Manelli and Vincent (2006), Bundling as an optimal selling mechanism",
)
