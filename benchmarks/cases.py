"""The size sweeps of the benchmark suite, one registry entry per problem and size.

Each case builds an environment with the objective and constraint families it is
solved with. ``naive`` marks the sizes where the per-scalar cvxpy baseline
finishes in a few minutes; ``full`` those where the full-IC direct formulation
does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

import lpmech
from lpmech.problem.environment import Environment


@dataclass(frozen=True)
class Case:
    """One size of one sweep."""

    sweep: str
    size: str
    build: Callable[[], Environment]
    objective: str
    constraints: tuple[str, ...]
    naive: bool = False
    full: bool = False


def _auction(n_bidders: int, n_types: int) -> Callable[[], Environment]:
    return lambda: lpmech.single_item_auction(np.arange(1.0, n_types + 1.0), n_bidders)


def _trade(n_types: int) -> Callable[[], Environment]:
    grid = np.linspace(0.0, 1.0, n_types)
    return lambda: lpmech.bilateral_trade(grid, grid)


def _public_good(n_agents: int, n_types: int) -> Callable[[], Environment]:
    values = np.linspace(0.0, 2.0, n_types)
    return lambda: lpmech.public_good(values, n_agents, cost=0.8 * n_agents + 0.05)


def _items(n_items: int, n_grid: int) -> Callable[[], Environment]:
    grid = (np.arange(n_grid) + 0.5) / n_grid
    types = np.stack(np.meshgrid(*[grid] * n_items, indexing="ij"), axis=-1).reshape(-1, n_items)
    return lambda: lpmech.multi_item_auction(types, n_bidders=1)


DSIC = ("dominant_strategy_ic", "ex_post_ir")
BIC = ("bayesian_ic", "interim_ir")
TRADE = ("bayesian_ic", "interim_ir", "ex_post_budget_balance")
FUNDED = ("dominant_strategy_ic", "ex_post_ir", "ex_post_no_deficit")

CASES: list[Case] = [
    Case("single item, DSIC", "N=1, K=20", _auction(1, 20), "revenue", DSIC, True, True),
    Case("single item, DSIC", "N=2, K=20", _auction(2, 20), "revenue", DSIC, True, True),
    Case("single item, DSIC", "N=2, K=40", _auction(2, 40), "revenue", DSIC, False, True),
    Case("single item, DSIC", "N=3, K=20", _auction(3, 20), "revenue", DSIC, False, True),
    Case("single item, DSIC", "N=4, K=10", _auction(4, 10), "revenue", DSIC, False, True),
    Case("single item, DSIC", "N=4, K=20", _auction(4, 20), "revenue", DSIC),
    Case("single item, BIC", "N=1, K=20", _auction(1, 20), "revenue", BIC, True, True),
    Case("single item, BIC", "N=2, K=20", _auction(2, 20), "revenue", BIC, True, True),
    Case("single item, BIC", "N=2, K=40", _auction(2, 40), "revenue", BIC, False, True),
    Case("single item, BIC", "N=3, K=20", _auction(3, 20), "revenue", BIC, False, True),
    Case("single item, BIC", "N=3, K=40", _auction(3, 40), "revenue", BIC, False, True),
    Case("single item, BIC", "N=4, K=20", _auction(4, 20), "revenue", BIC),
    Case("single item, BIC", "N=2, K=400", _auction(2, 400), "revenue", BIC),
    Case("bilateral trade", "K=10", _trade(10), "gains_from_trade", TRADE, True, True),
    Case("bilateral trade", "K=40", _trade(40), "gains_from_trade", TRADE, False, True),
    Case("bilateral trade", "K=100", _trade(100), "gains_from_trade", TRADE, False, True),
    Case("bilateral trade", "K=250", _trade(250), "gains_from_trade", TRADE),
    Case("public good", "N=3, K=4", _public_good(3, 4), "welfare", FUNDED, True, True),
    Case("public good", "N=3, K=8", _public_good(3, 8), "welfare", FUNDED, False, True),
    Case("public good", "N=4, K=6", _public_good(4, 6), "welfare", FUNDED, False, True),
    Case("public good", "N=4, K=10", _public_good(4, 10), "welfare", FUNDED),
    Case("two additive items", "5 x 5", _items(2, 5), "revenue", DSIC, True, True),
    Case("two additive items", "10 x 10", _items(2, 10), "revenue", DSIC, False, True),
    Case("two additive items", "15 x 15", _items(2, 15), "revenue", DSIC, False, True),
    Case("two additive items", "25 x 25", _items(2, 25), "revenue", DSIC),
    Case("two additive items", "50 x 50", _items(2, 50), "revenue", DSIC),
    Case("three additive items", "4^3", _items(3, 4), "revenue", DSIC, True, True),
    Case("three additive items", "6^3", _items(3, 6), "revenue", DSIC, False, True),
    Case("three additive items", "8^3", _items(3, 8), "revenue", DSIC),
]


def _exact_trade(n_types: int) -> Callable[[], Environment]:
    grid = [Fraction(k, n_types - 1) for k in range(n_types)]
    return lambda: lpmech.bilateral_trade(grid, grid)


#: Exact certificates (``benchmarks/certify.py``): problems whose data are exact as typed.
CERTIFY_CASES: list[Case] = [
    Case("certificate: single item, DSIC", "N=1, K=20", _auction(1, 20), "revenue", DSIC),
    Case("certificate: single item, DSIC", "N=2, K=10", _auction(2, 10), "revenue", DSIC),
    Case("certificate: single item, DSIC", "N=2, K=20", _auction(2, 20), "revenue", DSIC),
    Case("certificate: single item, DSIC", "N=2, K=30", _auction(2, 30), "revenue", DSIC),
    Case("certificate: single item, DSIC", "N=2, K=50", _auction(2, 50), "revenue", DSIC),
    Case("certificate: single item, DSIC", "N=3, K=8", _auction(3, 8), "revenue", DSIC),
    Case("certificate: single item, BIC", "N=2, K=20", _auction(2, 20), "revenue", BIC),
    Case("certificate: bilateral trade", "K=10", _exact_trade(10), "gains_from_trade", TRADE),
    Case("certificate: bilateral trade", "K=25", _exact_trade(25), "gains_from_trade", TRADE),
    Case("certificate: bilateral trade", "K=50", _exact_trade(50), "gains_from_trade", TRADE),
    Case("certificate: public good", "N=3, K=4", _public_good(3, 4), "welfare", FUNDED),
    Case("certificate: two additive items", "5 x 5", _items(2, 5), "revenue", DSIC),
    Case("certificate: two additive items", "10 x 10", _items(2, 10), "revenue", DSIC),
]
