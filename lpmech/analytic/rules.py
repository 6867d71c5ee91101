"""Standard single-item rules as mechanisms, for comparison with optima.

Each is built from its textbook description. Ties go to the lowest bidder index.

* :func:`second_price` — Vickrey (1961) with a reserve: DSIC and ex-post IR; with k
  identical units, VCG's uniform (k+1)-st price.
* :func:`posted_price` — bidders in index order take the item at a fixed price:
  DSIC and ex-post IR.
* :func:`first_price` — the highest bidder pays its report: with truthful reports
  it is IR but not IC (bidders shade), a case for :func:`lpmech.checks.auditing.audit`.
* :func:`efficient_rule` — the efficient allocation with no payments.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from lpmech.analytic.optimal_auction import bidder_values, units_for_sale
from lpmech.arrays import FloatArray
from lpmech.errors import InvalidArgumentError
from lpmech.problem.environment import Environment, check_environment
from lpmech.results.mechanism import Mechanism


def check_price(price: object, argument: str) -> None:
    if isinstance(price, bool) or not isinstance(price, Real) or not np.isfinite(float(price)):
        raise InvalidArgumentError(f"{argument} must be a finite number, got {price!r}")


def _value_table(env: Environment) -> FloatArray:
    values = bidder_values(env)
    return np.stack(
        [values[i][env.layout.profile_types[:, i]] for i in range(env.n_agents)], axis=1
    )


def second_price(env: Environment, reserve: float = 0.0) -> Mechanism:
    """The highest value at or above ``reserve`` wins and pays max(reserve, highest other).

    With k identical units (:func:`~lpmech.problem.builders.multi_unit_auction`) this
    is VCG's uniform (k+1)-st price: the k highest values at or above ``reserve`` win
    (ties to the lowest index) and each pays max(reserve, the (k+1)-st highest value),
    the lowest report at which it would still win.

    Examples
    --------
    >>> from lpmech.problem.builders import single_item_auction
    >>> env = single_item_auction([1, 2, 3], n_bidders=2)
    >>> second_price(env, reserve=2).at("3", "1").payments
    {'bidder 1': 2.0, 'bidder 2': 0.0}
    """
    check_environment(env, "second_price")
    check_price(reserve, "second_price: reserve")
    values = _value_table(env)
    units = units_for_sale(env)
    order = np.argsort(-values, axis=1, kind="stable")  # ties: the lowest index first
    ranked = np.take_along_axis(values, order, axis=1)
    first_loser = ranked[:, units] if env.n_agents > units else np.full(env.n_profiles, -np.inf)
    price = np.maximum(reserve, first_loser)
    rank = np.argsort(order, axis=1)
    allocation = ((rank < units) & (values >= reserve)).astype(float)
    return Mechanism(
        env, allocation, allocation * price[:, None], name=f"second price, reserve {reserve:g}"
    )


def posted_price(env: Environment, price: float) -> Mechanism:
    """The first bidder (in index order) whose value is at least ``price`` buys at ``price``;
    with k units, the first k such bidders."""
    check_environment(env, "posted_price")
    check_price(price, "posted_price: price")
    values = _value_table(env)
    willing = values >= price
    allocation = (willing & (np.cumsum(willing, axis=1) <= units_for_sale(env))).astype(float)
    return Mechanism(env, allocation, allocation * price, name=f"posted price {price:g}")


def first_price(env: Environment) -> Mechanism:
    """The highest report wins and pays it (truthful reports; not IC); with k units the k
    highest reports win and each pays its own (pay as bid). Ties to the lowest index."""
    check_environment(env, "first_price")
    values = _value_table(env)
    rank = np.argsort(np.argsort(-values, axis=1, kind="stable"), axis=1)
    allocation = (rank < units_for_sale(env)).astype(float)
    return Mechanism(env, allocation, allocation * values, name="first price")


def efficient_rule(env: Environment, include_principal: bool = True) -> Mechanism:
    """The efficient allocation (the space's tie rule) with zero payments."""
    check_environment(env, "efficient_rule")
    return Mechanism(
        env,
        env.efficient_allocation(include_principal),
        np.zeros((env.n_profiles, env.n_agents)),
        name="efficient rule",
    )
