"""Standard procurement rules: a buyer buys one contract from sellers with private costs.

Each is built from its textbook description, on an environment of
:func:`~lpmech.problem.builders.procurement_auction` (seller i values being chosen at
−c_i; a payment *to* a seller is a negative t_i). Ties go to the lowest seller index.
Reverse Myerson, the profit-maximising procurement auction, is
:func:`lpmech.analytic.myerson` itself (see :mod:`lpmech.analytic.optimal_auction`).

* :func:`reverse_second_price` — the lowest cost at or below ``reserve`` wins and is
  paid min(reserve, second-lowest cost): DSIC and ex-post IR (Vickrey 1961, reversed).
* :func:`reverse_posted_price` — sellers in index order accept a fixed ``price``;
  the first whose cost is at most the price sells: DSIC and ex-post IR.
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic.optimal_auction import bidder_values
from lpmech.analytic.rules import check_price
from lpmech.arrays import FloatArray
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.allocation import Items
from lpmech.problem.environment import Environment, check_environment
from lpmech.results.mechanism import Mechanism


def seller_costs(env: Environment) -> FloatArray:
    """c_i(θ) at every profile, shape (P, N), checking the environment is a procurement."""
    if not (isinstance(env.allocation, Items) and env.allocation.n_items == 1):
        raise InvalidEnvironmentError(
            f"expected a procurement auction (one contract, Items), got {env.allocation!r}"
        )
    costs = [-values for values in bidder_values(env)]
    return np.stack(
        [costs[i][env.layout.profile_types[:, i]] for i in range(env.n_agents)], axis=1
    )


def reverse_second_price(env: Environment, reserve: float) -> Mechanism:
    """The lowest cost c ≤ ``reserve`` sells and is paid min(reserve, second-lowest cost).

    Examples
    --------
    >>> from lpmech.problem.builders import procurement_auction
    >>> env = procurement_auction([1, 2, 3], n_sellers=2, buyer_value=4)
    >>> reverse_second_price(env, reserve=3).at("1", "2").payments   # seller 1 is paid 2
    {'seller 1': -2.0, 'seller 2': 0.0}
    """
    check_environment(env, "reverse_second_price")
    check_price(reserve, "reverse_second_price: reserve")
    costs = seller_costs(env)
    rows = np.arange(env.n_profiles)
    winner = np.argmin(costs, axis=1)  # first minimiser: the lowest seller index
    buys = costs[rows, winner] <= reserve
    others = costs.copy()
    others[rows, winner] = np.inf
    price = np.minimum(reserve, others.min(axis=1))
    allocation, payments = np.zeros_like(costs), np.zeros_like(costs)
    allocation[rows[buys], winner[buys]] = 1.0
    payments[rows[buys], winner[buys]] = -price[buys]  # paid to the seller
    return Mechanism(env, allocation, payments, name=f"reverse second price, reserve {reserve:g}")


def reverse_posted_price(env: Environment, price: float) -> Mechanism:
    """The first seller (in index order) whose cost is at most ``price`` sells at ``price``."""
    check_environment(env, "reverse_posted_price")
    check_price(price, "reverse_posted_price: price")
    costs = seller_costs(env)
    willing = costs <= price
    first = np.argmax(willing, axis=1)
    rows = np.arange(env.n_profiles)
    buys = willing[rows, first]
    allocation, payments = np.zeros_like(costs), np.zeros_like(costs)
    allocation[rows[buys], first[buys]] = 1.0
    payments[rows[buys], first[buys]] = -price  # paid to the seller
    return Mechanism(env, allocation, payments, name=f"reverse posted price {price:g}")
