"""Myerson's optimal auction on finite types, with ironing (Myerson 1981).

With independent private values, bidder i of type θ_i has (ironed) virtual value
φ̄_i(θ_i) (:mod:`lpmech.analytic.virtual_values`). The optimal auction gives the
item to the bidder with the highest φ̄_i(θ_i) if it exceeds the seller's value r
— ties go to the lowest bidder index, a rule that does not look at types inside
an ironed interval, so the allocation is constant there — and charges each
winner its threshold: the lowest type at which it would still win (seed notes
§1.4; slides). Its expected profit, and revenue when r = 0, is

.. math:: E\\big[\\max\\big(\\max_i φ̄_i(θ_i) − r,\\ 0\\big)\\big].
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic.virtual_values import ironed_virtual_values
from lpmech.arrays import FloatArray
from lpmech.characterisation.envelope import envelope_payments
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.allocation import Items
from lpmech.problem.environment import Environment, check_environment
from lpmech.results.mechanism import Mechanism
from lpmech.stable_sums import weighted_sum


def bidder_values(env: Environment) -> list[FloatArray]:
    """Each bidder's value per type, checking the environment is a single-item auction.

    A single-item auction here is an :class:`~lpmech.problem.allocation.Items` space with
    one item, private values, and bidder i valuing only its own component at its
    scalar type.
    """
    space = env.allocation
    if not isinstance(space, Items) or space.n_items != 1:
        raise InvalidEnvironmentError(
            f"expected a single-item auction (Items with one item), got {space!r}"
        )
    values = []
    for i, agent in enumerate(env.agents):
        own = np.eye(env.n_components)[space.component(i)]
        if (
            env.interdependent[i]
            or not agent.is_scalar
            or not np.allclose(env.valuations[i], np.outer(agent.types, own))
        ):
            raise InvalidEnvironmentError(
                f"expected bidder {agent.name!r} to value the item at its scalar type "
                "(private values)"
            )
        values.append(np.asarray(agent.types, dtype=float))
    return values


def ironed_virtual_value_table(env: Environment) -> FloatArray:
    """φ̄_i(θ_i) at every profile, shape (P, N), for a single-item auction."""
    if not env.prior.is_independent:
        raise InvalidEnvironmentError(
            "Myerson's auction needs independent values; with "
            "correlated values see lpmech.analytic.cremer_mclean"
        )
    table = np.zeros((env.n_profiles, env.n_agents))
    for i, values in enumerate(bidder_values(env)):
        order = np.argsort(values)
        ironed = np.empty_like(values)
        ironed[order] = ironed_virtual_values(values[order], env.prior.marginals[i][order])
        table[:, i] = ironed[env.layout.profile_types[:, i]]
    return table


def _seller_values(env: Environment) -> FloatArray:
    space = env.allocation
    return np.array([-env.principal_value[space.component(i)] for i in range(env.n_agents)])


def myerson(env: Environment) -> Mechanism:
    """The optimal (profit-maximising) single-item auction, from its formula.

    Examples
    --------
    >>> from lpmech.problem.builders import single_item_auction
    >>> env = single_item_auction([1, 2, 3, 4], n_bidders=2)
    >>> mechanism = myerson(env)
    >>> mechanism.at("3", "1").payments      # bidder 1 wins at 3 and pays its threshold 3
    {'bidder 1': 3.0, 'bidder 2': 0.0}
    >>> round(mechanism.expected_revenue(), 6), round(myerson_revenue(env), 6)
    (2.375, 2.375)
    """
    check_environment(env, "myerson")
    scores = ironed_virtual_value_table(env) - _seller_values(env)
    winner = np.argmax(scores, axis=1)  # first maximiser: lowest bidder index
    sells = scores[np.arange(env.n_profiles), winner] > 0
    allocation = np.zeros((env.n_profiles, env.n_agents))
    allocation[np.flatnonzero(sells), winner[sells]] = 1.0
    payments = envelope_payments(env, allocation).highest.flat_payments
    return Mechanism(env, allocation, payments, name="Myerson optimal auction")


def myerson_revenue(env: Environment) -> float:
    """E[max(max_i φ̄_i(θ_i) − r, 0)]: the optimal expected profit (revenue when r = 0)."""
    check_environment(env, "myerson_revenue")
    scores = ironed_virtual_value_table(env) - _seller_values(env)
    return float(weighted_sum(env.prior.joint, np.maximum(scores.max(axis=1), 0.0)))
