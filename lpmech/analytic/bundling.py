"""Simple menus for one buyer of several items with additive values.

Both are take-it-or-leave-it menus, hence DSIC and ex-post IR, so each is a
feasible mechanism and a lower bound on the optimal revenue:

* :func:`separate_sales` — each item at the posted price that is best for its
  own marginal value distribution;
* :func:`pure_bundling` — all items together at the best price for their sum.

With two items uniform on [0, 1] the optimum is neither: Manelli and Vincent
(2006) show it sells each item at 2/3 and the bundle at (4 − √2)/3, for revenue
(12 + 2√2)/27 ≈ 0.5492 (:data:`MANELLI_VINCENT_REVENUE`), above separate sales
(1/2) and pure bundling (≈ 0.5443).
"""

from __future__ import annotations

import numpy as np

from lpmech.arrays import FloatArray
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.allocation import Items
from lpmech.problem.environment import Environment
from lpmech.results.mechanism import Mechanism

#: (12 + 2√2)/27, the optimal revenue from two items with values uniform on [0, 1].
MANELLI_VINCENT_REVENUE = (12 + 2 * np.sqrt(2)) / 27


def _additive_buyer(env: Environment) -> FloatArray:
    """The single buyer's value for each item at each type, shape (K, J)."""
    space = env.allocation
    if env.n_agents != 1 or not isinstance(space, Items) or space.unit_demand:
        raise InvalidEnvironmentError(
            "expected one buyer of several items with additive "
            "values (lpmech.multi_item_auction, 1 bidder)"
        )
    return env.valuations[0][:, [space.component(0, j) for j in range(space.n_items)]]


def _best_price(values: FloatArray, prior: FloatArray) -> float:
    """The posted price among the support points maximising price · P(value ≥ price)."""
    candidates = np.unique(values)
    revenue = [price * prior[values >= price - 1e-12].sum() for price in candidates]
    return float(candidates[int(np.argmax(revenue))])


def separate_sales(env: Environment) -> Mechanism:
    """Each item sold alone at its best posted price."""
    values = _additive_buyer(env)
    prior = env.prior.marginals[0]
    prices = np.array([_best_price(values[:, j], prior) for j in range(values.shape[1])])
    allocation = (values >= prices - 1e-12).astype(float)
    return Mechanism(env, allocation, (allocation @ prices)[:, None], name="separate sales")


def pure_bundling(env: Environment) -> Mechanism:
    """All items together at the best posted price for the sum of values."""
    values = _additive_buyer(env)
    total = values.sum(axis=1)
    price = _best_price(total, env.prior.marginals[0])
    buys = (total >= price - 1e-12).astype(float)
    allocation = np.repeat(buys[:, None], values.shape[1], axis=1)
    return Mechanism(env, allocation, (buys * price)[:, None], name="pure bundling")
