"""Double auctions: M buyers who each want one unit, L sellers who each own one.

On an environment of :func:`~lpmech.problem.builders.double_auction`, sort the
reported values v_(1) ≥ v_(2) ≥ … and costs c_(1) ≤ c_(2) ≤ … (ties to the lowest
index), and let q be the number of efficient trades, the largest q with
v_(q) > c_(q).

* **First best** (:func:`double_auction_first_best`): E[Σ_{r ≤ q} (v_(r) − c_(r))].
* **McAfee's trade reduction** (:func:`mcafee`; McAfee 1992): with
  p = (v_(q+1) + c_(q+1))/2, if c_(q) ≤ p ≤ v_(q) all q pairs trade at p; otherwise
  the q − 1 best pairs trade, buyers pay v_(q) and sellers receive c_(q), and the
  auctioneer keeps (q − 1)(v_(q) − c_(q)). DSIC, ex-post IR, never a deficit, and at
  most one efficient trade lost; so its gains are a lower bound on the second best
  under BIC, interim IR and budget balance (:func:`lpmech.analytic.balance_budget`
  makes its transfers balanced without changing its trades).
* **VCG** (:func:`double_auction_vcg`) and its deficit
  (:func:`double_auction_vcg_deficit`): VCG runs the q
  efficient trades, each buyer paying max(v_(q+1), c_(q)) and each seller receiving
  min(c_(q+1), v_(q)) (a missing (q+1)-st value is −∞, cost +∞), so the auctioneer
  loses E[q (min(c_(q+1), v_(q)) − max(v_(q+1), c_(q)))] ≥ 0 — the many-agent
  Myerson–Satterthwaite impossibility (seed notes §2.6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lpmech.arrays import FloatArray, IntArray
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.allocation import Exchange
from lpmech.problem.environment import Environment, check_environment
from lpmech.results.mechanism import Mechanism
from lpmech.stable_sums import weighted_sum


@dataclass(frozen=True)
class Market:
    """Every profile's market in sorted order.

    ``values`` (P, M) decreasing and ``costs`` (P, L) increasing, padded to one more
    column with −∞ and +∞; ``buyers`` and ``sellers`` the agent indices in that
    order; ``trades`` the number q of efficient trades, shape (P,).
    """

    values: FloatArray
    costs: FloatArray
    buyers: IntArray
    sellers: IntArray
    trades: IntArray

    def entry(self, table: FloatArray, rank: IntArray) -> FloatArray:
        """Entry ``rank[p]`` (0-based, may be −1 → NaN) of each row of a padded table."""
        rows = np.arange(len(table))
        return np.where(rank >= 0, table[rows, np.maximum(rank, 0)], np.nan)


def market(env: Environment) -> Market:
    """The sorted market at every profile, checking the environment is a double auction."""
    space = env.allocation
    if not isinstance(space, Exchange):
        raise InvalidEnvironmentError(f"expected a double auction (Exchange), got {space!r}")
    own = []
    for i, agent in enumerate(env.agents):
        table = np.asarray(env.valuations[i], dtype=float)
        if env.interdependent[i] or np.any(np.delete(table, i, axis=1) != 0):
            raise InvalidEnvironmentError(
                f"expected agent {agent.name!r} to value only its own unit (private values)"
            )
        own.append(table[:, i][env.layout.profile_types[:, i]])
    worth = np.stack(own, axis=1)
    values, costs = worth[:, : space.n_buyers], -worth[:, space.n_buyers :]
    buyers = np.argsort(-values, axis=1, kind="stable")
    sellers = np.argsort(costs, axis=1, kind="stable")
    pad = np.ones((env.n_profiles, 1))
    values = np.hstack([np.take_along_axis(values, buyers, axis=1), -np.inf * pad])
    costs = np.hstack([np.take_along_axis(costs, sellers, axis=1), np.inf * pad])
    pairs = min(space.n_buyers, costs.shape[1] - 1)
    trades = (values[:, :pairs] > costs[:, :pairs]).sum(axis=1)
    return Market(values, costs, buyers, sellers + space.n_buyers, trades)


def double_auction_first_best(env: Environment) -> float:
    """E[Σ_{r ≤ q} (v_(r) − c_(r))]: the largest expected gains from trade."""
    check_environment(env, "double_auction_first_best")
    sides = market(env)
    pairs = min(sides.values.shape[1], sides.costs.shape[1]) - 1
    gains = np.maximum(sides.values[:, :pairs] - sides.costs[:, :pairs], 0.0).sum(axis=1)
    return float(weighted_sum(env.prior.joint, gains))


def mcafee(env: Environment) -> Mechanism:
    """McAfee's (1992) trade-reduction double auction, from its description above.

    Examples
    --------
    >>> from lpmech.problem.builders import double_auction
    >>> env = double_auction([1, 4], [0, 3], n_buyers=2, n_sellers=2)
    >>> mcafee(env).at("4", "1", "0", "3").payments   # q = 1, p = (1 + 3)/2 fits: trade at 2
    {'buyer 1': 2.0, 'buyer 2': 0.0, 'seller 1': -2.0, 'seller 2': 0.0}
    >>> mcafee(env).at("4", "4", "0", "0").payments   # q = 2, no third pair: one trade at 4 / 0
    {'buyer 1': 4.0, 'buyer 2': 0.0, 'seller 1': 0.0, 'seller 2': 0.0}
    """
    check_environment(env, "mcafee")
    sides = market(env)
    q = sides.trades
    with np.errstate(invalid="ignore"):  # ±inf pads give NaN midpoints: no such pair
        mid = (sides.entry(sides.values, q) + sides.entry(sides.costs, q)) / 2  # (q+1)-st pair
        full = (sides.entry(sides.costs, q - 1) <= mid) & (mid <= sides.entry(sides.values, q - 1))
    trading = np.where(full, q, np.maximum(q - 1, 0))
    buyer_price = np.where(full, mid, sides.entry(sides.values, q - 1))
    seller_price = np.where(full, mid, sides.entry(sides.costs, q - 1))
    allocation = np.zeros((env.n_profiles, env.n_agents))
    payments = np.zeros((env.n_profiles, env.n_agents))
    for order, price, sign in (
        (sides.buyers, buyer_price, 1.0),
        (sides.sellers, seller_price, -1.0),
    ):
        chosen = np.arange(order.shape[1])[None, :] < trading[:, None]
        rows, ranks = np.nonzero(chosen)
        agents = order[rows, ranks]
        allocation[rows, agents] = 1.0
        payments[rows, agents] = sign * price[rows] + 0.0  # + 0.0: no −0.0
    return Mechanism(env, allocation, payments, name="McAfee trade reduction")


def _vcg_prices(sides: Market) -> tuple[FloatArray, FloatArray]:
    """What each trading buyer pays, max(v_(q+1), c_(q)), and each trading seller
    receives, min(c_(q+1), v_(q)); NaN where nothing trades."""
    q = sides.trades
    paid = np.maximum(sides.entry(sides.values, q), sides.entry(sides.costs, q - 1))
    received = np.minimum(sides.entry(sides.costs, q), sides.entry(sides.values, q - 1))
    return paid, received


def double_auction_vcg(env: Environment) -> Mechanism:
    """VCG: the q efficient trades, buyers paying max(v_(q+1), c_(q)), sellers receiving
    min(c_(q+1), v_(q)) — each agent's externality on the market without it.

    (:func:`lpmech.analytic.clarke_pivot` is another mechanism here: it values an
    absent seller's unit at 0, as if it could still be sold.)

    Examples
    --------
    >>> from lpmech.problem.builders import double_auction
    >>> env = double_auction([1, 4], [0, 3], n_buyers=2, n_sellers=2)
    >>> double_auction_vcg(env).at("4", "1", "0", "3").payments   # pays 1, receives 3
    {'buyer 1': 1.0, 'buyer 2': 0.0, 'seller 1': -3.0, 'seller 2': 0.0}
    """
    check_environment(env, "double_auction_vcg")
    sides = market(env)
    paid, received = _vcg_prices(sides)
    allocation = np.zeros((env.n_profiles, env.n_agents))
    payments = np.zeros((env.n_profiles, env.n_agents))
    for order, price in ((sides.buyers, paid), (sides.sellers, -received)):
        rows, ranks = np.nonzero(np.arange(order.shape[1])[None, :] < sides.trades[:, None])
        allocation[rows, order[rows, ranks]] = 1.0
        payments[rows, order[rows, ranks]] = price[rows]
    return Mechanism(env, allocation, payments, name="VCG double auction")


def double_auction_vcg_deficit(env: Environment) -> float:
    """E[q (min(c_(q+1), v_(q)) − max(v_(q+1), c_(q)))]: VCG's expected deficit."""
    check_environment(env, "double_auction_vcg_deficit")
    sides = market(env)
    paid, received = _vcg_prices(sides)
    deficit = np.where(sides.trades > 0, sides.trades * np.nan_to_num(received - paid), 0.0)
    return float(weighted_sum(env.prior.joint, deficit))
