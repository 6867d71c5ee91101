r"""Myerson's auction item by item, and of the grand bundle, for several additive bidders.

Two classic baselines for selling J items to N bidders with additive values
v_i(a, θ_i) = Σ_j θ_ij a_ij and independent types (the deep-learning papers'
"item-wise Myerson" and "bundled Myerson"):

* :func:`itemwise_myerson` — each item j is sold by its own optimal auction
  (Myerson 1981; seed notes §1.4) for the values θ_1j, …, θ_Nj, with bidder i's
  discrete ironed virtual value φ̄_ij computed from the marginal law of θ_ij
  (:func:`~lpmech.analytic.virtual.ironed_virtual_values`);
* :func:`bundle_myerson` — the J items are sold together by the optimal auction
  for the bundle values s_i = Σ_j θ_ij.

Each part allocates to the highest positive ironed virtual value (ties to the
lowest bidder index) and charges the winner its threshold: the least value in
its support at which it would still win. An additive bidder's utility is the sum
of its utilities in the parts, each part is DSIC and ex-post IR in the one
coordinate it reads, so the whole is DSIC and ex-post IR — whatever the
correlation between one bidder's item values. Expected revenue is

.. math:: \sum_j E\big[\max(\max_i φ̄_{ij}(θ_{ij}), 0)\big]
          \quad\text{and}\quad E\big[\max(\max_i φ̄_i(s_i), 0)\big].

With one bidder they are separate sales and pure bundling at the best posted
prices (:mod:`lpmech.analytic.bundling`).
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic.virtual import ironed_virtual_values
from lpmech.arrays import FloatArray, IntArray
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.allocation import Items
from lpmech.problem.environment import Environment, check_environment
from lpmech.results.mechanism import Mechanism

#: Values closer than this, relative to the largest |value|, are one point of a support
#: (bundle sums of the same total computed in different orders differ in the last bits).
SUPPORT_TOLERANCE = 1e-12


def additive_values(env: Environment) -> list[FloatArray]:
    """Each bidder's value for each item at each of its types, shape (K_i, J).

    Raises
    ------
    InvalidEnvironmentError
        Unless the environment sells :class:`~lpmech.problem.allocation.Items` without
        unit demand to bidders with private additive values and independent types.
    """
    space = _item_space(env)
    if not env.prior.is_independent:
        raise InvalidEnvironmentError(
            "env: the Myerson baselines need independent types across bidders"
        )
    tables = []
    for i, agent in enumerate(env.agents):
        own = [space.component(i, j) for j in range(space.n_items)]
        others = np.setdiff1d(np.arange(env.n_components), own)
        if env.interdependent[i] or np.any(env.valuations[i][:, others] != 0):
            raise InvalidEnvironmentError(
                f"env: bidder {agent.name!r} must value only its "
                "own items, at its own type (private values)"
            )
        tables.append(np.asarray(env.valuations[i][:, own], dtype=float))
    return tables


def _item_space(env: Environment) -> Items:
    """The environment's :class:`~lpmech.problem.allocation.Items`, refused unless sold to
    additive bidders (no unit demand)."""
    space = env.allocation
    if not isinstance(space, Items) or space.unit_demand:
        raise InvalidEnvironmentError(
            "env: expected items sold to additive bidders "
            f"(Items without unit demand), got {space!r}"
        )
    return space


def _support(values: FloatArray, prior: FloatArray) -> tuple[FloatArray, FloatArray, IntArray]:
    """Distinct values (merged within the tolerance), their probabilities, each type's point."""
    order = np.argsort(values, kind="stable")
    scale = max(float(np.abs(values).max()), np.finfo(float).tiny)
    new_point = np.diff(values[order]) > SUPPORT_TOLERANCE * scale
    point_of_sorted = np.concatenate([[0], np.cumsum(new_point)])
    point = np.empty(len(values), dtype=np.intp)
    point[order] = point_of_sorted
    first = np.flatnonzero(np.concatenate([[True], new_point]))
    # numpy's stub types bincount as intp whatever the weights; with float weights it is float
    mass: FloatArray = np.bincount(point, weights=prior)  # type: ignore[assignment]
    return values[order][first], mass, point


def _optimal_auction(
    env: Environment, bidder_values: list[FloatArray]
) -> tuple[FloatArray, FloatArray]:
    """Myerson's auction for one good: who wins at each profile (P, N) and what it pays.

    ``bidder_values[i]`` is bidder i's value for the good at each of its types.
    """
    n_profiles, n_agents = env.n_profiles, env.n_agents
    types = env.layout.profile_types
    scores = np.empty((n_profiles, n_agents))
    supports = []
    for i, values in enumerate(bidder_values):
        points, mass, point = _support(values, env.prior.marginals[i])
        ironed = ironed_virtual_values(points, mass)
        supports.append((points, ironed))
        scores[:, i] = ironed[point[types[:, i]]]
    winner = np.argmax(scores, axis=1)  # first maximiser: the lowest bidder index
    rows = np.arange(n_profiles)
    sells = scores[rows, winner] > 0
    allocation = np.zeros((n_profiles, n_agents))
    payments = np.zeros((n_profiles, n_agents))
    for i, (points, ironed) in enumerate(supports):
        won = np.flatnonzero(sells & (winner == i))
        # i wins at φ̄ > every lower index's score and 0, and ≥ every higher index's
        strict = scores[won][:, :i].max(axis=1, initial=0.0)
        weak = scores[won][:, i + 1 :].max(axis=1, initial=-np.inf)
        threshold = np.maximum(
            np.searchsorted(ironed, strict, side="right"),
            np.searchsorted(ironed, weak, side="left"),
        )
        allocation[won, i] = 1.0
        payments[won, i] = points[threshold]
    return allocation, payments


def itemwise_myerson(env: Environment) -> Mechanism:
    """Each item sold by its own optimal auction, with threshold payments.

    Examples
    --------
    >>> from lpmech.problem.builders import multi_item_auction
    >>> grid = [[x, y] for x in (1, 2) for y in (1, 2)]
    >>> env = multi_item_auction(grid, n_bidders=2)
    >>> round(itemwise_myerson(env).expected_revenue(), 6)  # 2 × E[max φ̄⁺] = 2 × 3/4 · 2
    3.0
    """
    check_environment(env, "itemwise_myerson")
    tables = additive_values(env)
    n_items = tables[0].shape[1]
    space = _item_space(env)
    allocation = np.zeros((env.n_profiles, env.n_components))
    payments = np.zeros((env.n_profiles, env.n_agents))
    for j in range(n_items):
        won, paid = _optimal_auction(env, [table[:, j] for table in tables])
        allocation[:, [space.component(i, j) for i in range(env.n_agents)]] = won
        payments += paid
    return Mechanism(env, allocation, payments, name="item-wise Myerson")


def bundle_myerson(env: Environment) -> Mechanism:
    """All items together to the winner of the optimal auction for the bundle values.

    Examples
    --------
    >>> from lpmech.problem.builders import multi_item_auction
    >>> grid = [[x, y] for x in (1, 2) for y in (1, 2)]
    >>> env = multi_item_auction(grid, n_bidders=1)
    >>> round(bundle_myerson(env).expected_revenue(), 6)   # bundle at 3: 3 × 3/4
    2.25
    """
    check_environment(env, "bundle_myerson")
    tables = additive_values(env)
    won, payments = _optimal_auction(env, [table.sum(axis=1) for table in tables])
    space = _item_space(env)
    allocation = np.zeros((env.n_profiles, env.n_components))
    for i in range(env.n_agents):
        for j in range(space.n_items):
            allocation[:, space.component(i, j)] = won[:, i]
    return Mechanism(env, allocation, payments, name="grand-bundle Myerson")
