"""Constructors for the standard finite-type problems.

Each returns an :class:`~lpmech.problem.environment.Environment`. Type values and priors
are given either once (shared by every agent) or per agent; priors default to
uniform, and a joint ``prior`` table makes types correlated. Numbers may be ints,
floats or fractions (:class:`fractions.Fraction`), which are kept exactly for
certificates (:mod:`lpmech.numbers.rationals` says how floats are read).

* :func:`single_item_auction` — N bidders, one item, bidder i values it at θ_i.
* :func:`bilateral_trade` — a buyer with value θ_b and a seller with cost θ_s.
* :func:`public_good` — N agents, a project with cost c built or not.
* :func:`multi_item_auction` — N bidders, J items, additive or unit-demand
  values θ_{ij} (vector types).
* :func:`procurement_auction` — a buyer (the principal) buys one contract from N
  sellers with private costs c_i.
* :func:`multi_unit_auction` — k identical units, N unit-demand bidders.
* :func:`double_auction` — M buyers and L sellers of one good, each wanting or
  owning one unit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence, Sized
from fractions import Fraction
from typing import TypeGuard

import numpy as np
from numpy.typing import ArrayLike

from lpmech.arrays import float_array
from lpmech.errors import InvalidEnvironmentError
from lpmech.numbers.rationals import exact_copy
from lpmech.problem.allocation import AllocationSpace, Exchange, Items, Units
from lpmech.problem.environment import Agent, Environment
from lpmech.problem.memory import (
    BYTES_PER_AGENT_TYPE,
    BYTES_PER_EXACT_ENTRY,
    BYTES_PER_TABLE_ENTRY,
    check_allocation,
)


def _count(value: object, argument: str) -> int | None:
    """A count of agents given as a whole number ≥ 1 (or None), refused otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise InvalidEnvironmentError(
            f"{argument} must be a whole number of agents, at least 1, got {value!r}"
        )
    return int(value)


def _finite(value: object, argument: str) -> None:
    """Refuse anything but one finite real number, naming ``argument``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float | np.number | Fraction)
        or not math.isfinite(float_array(value, argument, InvalidEnvironmentError))
    ):
        raise InvalidEnvironmentError(f"{argument} must be a finite number, got {value!r}")


def _numbers(values: ArrayLike, argument: str) -> np.ndarray:
    """Floats, or Fractions (an object array) where the input holds exact numbers."""
    try:
        floats = float_array(values, argument, InvalidEnvironmentError)  # text, 10**400…
        kept = exact_copy(values)
    except (TypeError, ValueError):
        raise InvalidEnvironmentError(
            f"{argument} must be numbers (one array, or one per agent), got {values!r:.80}"
        ) from None
    return floats if kept is None else kept


def _names(names: Sequence[str] | None, n_agents: int, default: str) -> list[str]:
    """Agent names: ``default 1`` … when omitted, else one distinct string per agent."""
    if names is None:
        return [f"{default} {i + 1}" for i in range(n_agents)]
    if isinstance(names, Iterator):  # read once, here, not consumed by the check below
        names = list(names)
    if isinstance(names, str) or not all(isinstance(n, str) for n in names):
        raise InvalidEnvironmentError(
            f"names must be a sequence of strings, one per agent, got {names!r}"
        )
    names = list(names)
    if len(names) != n_agents:
        raise InvalidEnvironmentError(
            f"names has {len(names)} entries, expected one per agent ({n_agents})"
        )
    return names


def _labels(
    labels: Sequence[str] | Sequence[Sequence[str]] | None, n_agents: int
) -> Sequence[Sequence[str] | None]:
    """Type labels: None, one sequence shared by every agent, or one per agent."""
    if labels is None:
        return [None] * n_agents
    if isinstance(labels, str):
        raise InvalidEnvironmentError(
            "labels must be a sequence of strings (one per type), "
            "or one such sequence per agent, not one string"
        )
    entries = list(labels)
    shared = [label for label in entries if isinstance(label, str)]
    if len(shared) == len(entries):
        return [shared] * n_agents
    if len(entries) != n_agents:
        raise InvalidEnvironmentError(
            f"labels has {len(entries)} entries, expected one sequence per agent ({n_agents}) "
            "or one sequence of strings shared by all"
        )
    return entries


def _per_agent(
    values: ArrayLike | Sequence[ArrayLike],
    n_agents: int | None,
    argument: str,
    item_ndim: int,
    count_name: str = "n_agents",
) -> list[np.ndarray]:
    """Expand one shared array (ndim == item_ndim) or a sequence of per-agent arrays."""
    n_agents = _count(n_agents, count_name)
    if isinstance(values, str):
        raise InvalidEnvironmentError(f"{argument} must be numbers, got the string {values!r}")
    if isinstance(values, Iterator):
        raise InvalidEnvironmentError(
            f"{argument} must be an array of numbers (a list), got {type(values).__name__}"
        )
    if isinstance(values, Sized) and not isinstance(values, np.ndarray):
        # a range(10**9) or a long list is refused before numpy converts it to floats
        check_allocation(
            len(values) + 1, f"{argument} of {len(values):,} entries", BYTES_PER_AGENT_TYPE
        )
    if _is_shared(values, item_ndim):
        if n_agents is None:
            raise InvalidEnvironmentError(
                f"{argument} is shared by all agents, so the number of agents must be given "
                f"({count_name})"
            )
        shared = _numbers(values, argument)
        check_allocation(
            n_agents * (shared.size + 1),
            f"{argument} shared by {n_agents:,} agents",
            BYTES_PER_AGENT_TYPE,
        )
        return [shared] * n_agents
    try:
        if not isinstance(values, Iterable):
            raise TypeError
        per_agent = [_numbers(v, argument) for v in values]
    except TypeError:  # not iterable: a single number (or a 0-d array)
        raise InvalidEnvironmentError(
            f"{argument} must be an array of numbers, got {values!r}"
        ) from None
    if n_agents is not None and len(per_agent) != n_agents:
        raise InvalidEnvironmentError(
            f"{argument} has {len(per_agent)} entries, expected one per agent ({n_agents})"
        )
    return per_agent


def _check_tables(types: Sequence[np.ndarray], n_components: int, where: str) -> None:
    """Refuse value tables Σ_i K_i × C too large to allocate, before building any agent."""
    n_types = sum(len(t) for t in types)
    exact = any(t.dtype == object for t in types)  # Fractions: a Python object per entry
    check_allocation(
        n_types * (n_components + 1),
        f"{where}: value tables of {n_types:,} types × {n_components:,} components",
        BYTES_PER_EXACT_ENTRY if exact else BYTES_PER_TABLE_ENTRY,
    )


def _is_shared(values: ArrayLike | Sequence[ArrayLike], item_ndim: int) -> TypeGuard[ArrayLike]:
    """Whether ``values`` is one array shared by every agent (of ``item_ndim`` dimensions)."""
    try:
        return np.asarray(values, dtype=float).ndim == item_ndim
    except (TypeError, ValueError):  # ragged: one array per agent, of different lengths
        return False


def _uniform(types: np.ndarray) -> np.ndarray | None:
    """The uniform prior; None for an empty type set, which Agent then reports."""
    return np.full(len(types), 1.0 / len(types)) if len(types) else None


def _priors(
    priors: ArrayLike | Sequence[ArrayLike] | None, types: list[np.ndarray]
) -> list[np.ndarray | None]:
    if priors is None:
        return [_uniform(t) for t in types]
    return list(_per_agent(priors, len(types), "priors", 1))


def _agents(
    names: Sequence[str],
    types: list[np.ndarray],
    priors: ArrayLike | Sequence[ArrayLike] | None,
    joint: ArrayLike | None,
    labels: Sequence[str] | Sequence[Sequence[str]] | None = None,
) -> list[Agent]:
    if joint is not None and priors is not None:
        raise InvalidEnvironmentError("give either per-agent priors or a joint prior, not both")
    marginals = [None] * len(types) if joint is not None else _priors(priors, types)
    return [
        Agent(name, t, p, labels=own)
        for name, t, p, own in zip(
            names, types, marginals, _labels(labels, len(types)), strict=True
        )
    ]


def single_item_auction(
    values: ArrayLike | Sequence[ArrayLike],
    n_bidders: int | None = None,
    priors: ArrayLike | Sequence[ArrayLike] | None = None,
    *,
    prior: ArrayLike | None = None,
    seller_value: float | Fraction = 0.0,
    names: Sequence[str] | None = None,
    labels: Sequence[str] | Sequence[Sequence[str]] | None = None,
) -> Environment:
    """A seller with one item and N bidders with private values.

    Parameters
    ----------
    values : array_like
        The type values: one sequence shared by all bidders, or one per bidder.
    n_bidders : int, optional
        Required when ``values`` is shared.
    priors : array_like, optional
        Marginal priors, shared or per bidder; uniform if omitted.
    prior : array_like, optional
        A joint prior table (correlated values) instead of ``priors``.
    seller_value : float
        The seller's value r for keeping the item: selling costs the principal r
        (v_0 = −r on each bidder's component), so efficiency sells only above r.
    names : sequence of str, optional
        Bidder names (default ``bidder 1`` …).
    labels : sequence of str, optional
        Type labels, shared or one sequence per bidder (default: the values, with
        as many digits as keep them distinct).

    Examples
    --------
    >>> env = single_item_auction([1, 2, 3], n_bidders=2)
    >>> env.n_profiles, env.allocation.component_names
    (9, ('item to bidder 1', 'item to bidder 2'))
    """
    _finite(seller_value, "single_item_auction: seller_value")
    types = _per_agent(values, n_bidders, "values", 1, "n_bidders")
    _check_tables(types, len(types), "single_item_auction")
    names = _names(names, len(types), "bidder")
    agents = _agents(names, types, priors, prior, labels)
    space = Items(names)
    valuations = []
    for i, t in enumerate(types):
        table = np.zeros((len(t), len(types)), dtype=t.dtype)
        table[:, space.component(i)] = t
        valuations.append(table)
    return Environment(
        agents,
        space,
        valuations,
        prior=prior,
        principal_value=np.array([-seller_value] * len(types)),
        name=f"single-item auction, {len(types)} bidders",
    )


def bilateral_trade(
    buyer_values: ArrayLike,
    seller_costs: ArrayLike,
    buyer_prior: ArrayLike | None = None,
    seller_prior: ArrayLike | None = None,
    *,
    prior: ArrayLike | None = None,
) -> Environment:
    """A buyer and a seller of one good (Myerson and Satterthwaite 1983).

    The allocation is the probability of trade a ∈ [0, 1]. The buyer values trade
    at θ_b·a, the seller at −θ_s·a (it gives up a good worth θ_s); both outside
    options are 0 (no trade). Payments: t_buyer is paid by the buyer, and the
    seller receives −t_seller. Ex-post budget balance is t_b + t_s = 0.

    Examples
    --------
    >>> env = bilateral_trade([0, 1], [0, 1])
    >>> [agent.name for agent in env.agents]
    ['buyer', 'seller']
    """
    buyer_values = _numbers(buyer_values, "buyer_values")
    seller_costs = _numbers(seller_costs, "seller_costs")
    for argument, given in (("buyer_values", buyer_values), ("seller_costs", seller_costs)):
        if given.ndim != 1:
            raise InvalidEnvironmentError(
                f"{argument} must be a vector of numbers, got shape {given.shape}"
            )
    if prior is None:
        buyer_prior = _uniform(buyer_values) if buyer_prior is None else buyer_prior
        seller_prior = _uniform(seller_costs) if seller_prior is None else seller_prior
    elif buyer_prior is not None or seller_prior is not None:
        raise InvalidEnvironmentError("give either per-agent priors or a joint prior, not both")
    agents = [
        Agent("buyer", buyer_values, buyer_prior),
        Agent("seller", seller_costs, seller_prior),
    ]
    valuations = [buyer_values[:, None], -seller_costs[:, None]]
    return Environment(
        agents, AllocationSpace(["trade"]), valuations, prior=prior, name="bilateral trade"
    )


def public_good(
    values: ArrayLike | Sequence[ArrayLike],
    n_agents: int | None = None,
    priors: ArrayLike | Sequence[ArrayLike] | None = None,
    *,
    cost: float | Fraction,
    prior: ArrayLike | None = None,
    names: Sequence[str] | None = None,
    labels: Sequence[str] | Sequence[Sequence[str]] | None = None,
) -> Environment:
    """A public project of cost c, built (a = 1) or not, valued θ_i·a by agent i.

    The cost enters as the principal's value v_0 = −c, so welfare is
    (Σ_i θ_i − c)·a and budget balance makes the payments cover the cost.
    ``names`` and ``labels`` are as in :func:`single_item_auction`.

    Examples
    --------
    >>> env = public_good([0, 1, 2], n_agents=3, cost=2.5)
    >>> env.efficient_allocation()[env.layout.profile_index([2, 1, 0])]
    array([1.])
    """
    _finite(cost, "public_good: cost")
    types = _per_agent(values, n_agents, "values", 1)
    _check_tables(types, 1, "public_good")
    names = _names(names, len(types), "agent")
    agents = _agents(names, types, priors, prior, labels)
    return Environment(
        agents,
        AllocationSpace(["build"]),
        [t[:, None] for t in types],
        prior=prior,
        principal_value=np.array([-cost]),
        name=f"public good, {len(types)} agents, cost {float(cost):g}",
    )


def multi_item_auction(
    types: ArrayLike | Sequence[ArrayLike],
    n_bidders: int | None = None,
    priors: ArrayLike | Sequence[ArrayLike] | None = None,
    *,
    unit_demand: bool = False,
    prior: ArrayLike | None = None,
    item_names: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
    labels: Sequence[str] | Sequence[Sequence[str]] | None = None,
) -> Environment:
    """J items sold to N bidders with additive or unit-demand values.

    Parameters
    ----------
    types : array_like, shape (K, J)
        Each row is a type: the bidder's value for each item. Shared by all
        bidders, or one (K_i, J) array per bidder.
    n_bidders : int, optional
        Required when ``types`` is shared.
    priors : array_like, optional
        Marginal priors over the K type rows, shared or per bidder.
    unit_demand : bool
        Whether each bidder gets at most one item (otherwise values add up).
    names, labels : optional
        Bidder names and type labels, as in :func:`single_item_auction`.

    Examples
    --------
    >>> grid = [[x, y] for x in (1, 2) for y in (1, 2)]
    >>> env = multi_item_auction(grid, n_bidders=1)
    >>> env.n_components, env.agents[0].labels[1]
    (2, '(1, 2)')
    """
    per_bidder = _per_agent(types, n_bidders, "types", 2, "n_bidders")
    n_items = per_bidder[0].shape[1] if per_bidder[0].ndim == 2 else 0
    if n_items == 0 or any(t.ndim != 2 or t.shape[1] != n_items for t in per_bidder):
        raise InvalidEnvironmentError(
            "multi_item_auction: types must be (K, J) arrays with the same number of items J"
        )
    _check_tables(per_bidder, len(per_bidder) * n_items, "multi_item_auction")
    names = _names(names, len(per_bidder), "bidder")
    agents = _agents(names, per_bidder, priors, prior, labels)
    space = Items(names, n_items, item_names, unit_demand=unit_demand)
    valuations = []
    for i, t in enumerate(per_bidder):
        table = np.zeros((len(t), space.n_components), dtype=t.dtype)
        table[:, [space.component(i, j) for j in range(n_items)]] = t
        valuations.append(table)
    kind = "unit-demand" if unit_demand else "additive"
    return Environment(
        agents,
        space,
        valuations,
        prior=prior,
        name=f"{kind} auction, {len(per_bidder)} bidders, {n_items} items",
    )


def _own_component(types: list[np.ndarray], n_components: int, sign: int) -> list[np.ndarray]:
    """Valuation tables where agent i values only component i, at ``sign`` · its type."""
    tables = []
    for i, t in enumerate(types):
        table = np.zeros((len(t), n_components), dtype=t.dtype)
        table[:, i] = t if sign > 0 else -t
        tables.append(table)
    return tables


def procurement_auction(
    costs: ArrayLike | Sequence[ArrayLike],
    n_sellers: int | None = None,
    priors: ArrayLike | Sequence[ArrayLike] | None = None,
    *,
    buyer_value: float | Fraction,
    prior: ArrayLike | None = None,
    names: Sequence[str] | None = None,
    labels: Sequence[str] | Sequence[Sequence[str]] | None = None,
) -> Environment:
    """A buyer (the principal) buys one contract from N sellers with private costs.

    Seller i with cost c_i values being chosen at −c_i·a_i and receives −t_i (t_i is
    paid *by* the agent, so a payment to a seller is negative); its outside option
    is 0. The buyer values the contract at R = ``buyer_value`` (v_0 = R on each
    component), so its expected profit is E[R·Σ_i a_i + Σ_i t_i], the objective
    ``"profit"``. The reverse of :func:`single_item_auction`: the optimum buys from
    the lowest ironed virtual cost γ̄_i(c_i) = c_i + F(c_i)/f(c_i) (discrete form in
    :func:`lpmech.analytic.virtual.virtual_costs`) when it is below R.

    Parameters
    ----------
    costs : array_like
        The cost types: one sequence shared by all sellers, or one per seller.
    n_sellers : int, optional
        Required when ``costs`` is shared.
    priors, prior, names, labels
        As in :func:`single_item_auction` (names default to ``seller 1`` …).

    Examples
    --------
    >>> env = procurement_auction([1, 2, 3], n_sellers=2, buyer_value=4)
    >>> env.allocation.component_names, env.valuations[0][:, 0].tolist()
    (('contract to seller 1', 'contract to seller 2'), [-1.0, -2.0, -3.0])
    """
    _finite(buyer_value, "procurement_auction: buyer_value")
    types = _per_agent(costs, n_sellers, "costs", 1, "n_sellers")
    _check_tables(types, len(types), "procurement_auction")
    names = _names(names, len(types), "seller")
    agents = _agents(names, types, priors, prior, labels)
    return Environment(
        agents,
        Items(names, item_names=["contract"]),
        _own_component(types, len(types), -1),
        prior=prior,
        principal_value=np.array([buyer_value] * len(types)),
        name=f"procurement, {len(types)} sellers, buyer value {float(buyer_value):g}",
    )


def multi_unit_auction(
    values: ArrayLike | Sequence[ArrayLike],
    n_bidders: int | None = None,
    priors: ArrayLike | Sequence[ArrayLike] | None = None,
    *,
    n_units: int,
    prior: ArrayLike | None = None,
    names: Sequence[str] | None = None,
    labels: Sequence[str] | Sequence[Sequence[str]] | None = None,
) -> Environment:
    """k identical units sold to N unit-demand bidders with private values.

    Bidder i values a unit at θ_i and wants at most one; the allocation is the
    :class:`~lpmech.problem.allocation.Units` polytope (a_i ∈ [0, 1], Σ a_i ≤ k).
    Myerson's optimum serves the k highest non-negative ironed virtual values; VCG
    is the uniform (k+1)-st price. ``priors``, ``prior``, ``names``, ``labels`` are
    as in :func:`single_item_auction`.

    Examples
    --------
    >>> env = multi_unit_auction([1, 2, 3], n_bidders=3, n_units=2)
    >>> env.efficient_allocation()[env.layout.profile_index([2, 0, 2])].tolist()
    [1.0, 0.0, 1.0]
    """
    types = _per_agent(values, n_bidders, "values", 1, "n_bidders")
    _check_tables(types, len(types), "multi_unit_auction")
    names = _names(names, len(types), "bidder")
    agents = _agents(names, types, priors, prior, labels)
    if isinstance(n_units, bool) or not isinstance(n_units, int | np.integer) or n_units < 1:
        raise InvalidEnvironmentError(
            f"multi_unit_auction: n_units must be a whole number, at least 1, got {n_units!r}"
        )
    return Environment(
        agents,
        Units(names, n_units),
        _own_component(types, len(types), 1),
        prior=prior,
        name=f"{n_units}-unit auction, {len(types)} unit-demand bidders",
    )


def double_auction(
    buyer_values: ArrayLike | Sequence[ArrayLike],
    seller_costs: ArrayLike | Sequence[ArrayLike],
    n_buyers: int | None = None,
    n_sellers: int | None = None,
    *,
    buyer_priors: ArrayLike | Sequence[ArrayLike] | None = None,
    seller_priors: ArrayLike | Sequence[ArrayLike] | None = None,
) -> Environment:
    """M buyers who each want one unit and L sellers who each own one (independent types).

    Buyer b values a unit at θ_b·x_b, seller s its own unit at −θ_s·y_s, on the
    :class:`~lpmech.problem.allocation.Exchange` polytope (Σ x_b = Σ y_s); every
    outside option is 0 (no trade). As in :func:`bilateral_trade`, t_i is paid by
    agent i, so ex-post budget balance is Σ_i t_i = 0. Gains from trade are
    Σ_b θ_b x_b − Σ_s θ_s y_s (objective ``"gains_from_trade"``).

    Parameters
    ----------
    buyer_values, seller_costs : array_like
        Shared by the side (then give ``n_buyers`` / ``n_sellers``) or one per agent.
    buyer_priors, seller_priors : array_like, optional
        Marginal priors, shared by the side or one per agent; uniform if omitted.

    Examples
    --------
    >>> env = double_auction([1, 3], [0, 2], n_buyers=2, n_sellers=2)
    >>> [agent.name for agent in env.agents], env.n_profiles
    (['buyer 1', 'buyer 2', 'seller 1', 'seller 2'], 16)
    """
    values = _per_agent(buyer_values, n_buyers, "buyer_values", 1, "n_buyers")
    costs = _per_agent(seller_costs, n_sellers, "seller_costs", 1, "n_sellers")
    _check_tables([*values, *costs], len(values) + len(costs), "double_auction")
    buyers = _names(None, len(values), "buyer")
    sellers = _names(None, len(costs), "seller")
    agents = _agents(buyers, values, buyer_priors, None) + _agents(
        sellers, costs, seller_priors, None
    )
    n = len(values) + len(costs)
    tables = _own_component(values, n, 1)
    tables += [np.roll(t, len(values), axis=1) for t in _own_component(costs, n, -1)]
    return Environment(
        agents,
        Exchange(buyers, sellers),
        tables,
        name=f"double auction, {len(values)} buyers, {len(costs)} sellers",
    )
