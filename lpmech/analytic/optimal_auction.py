"""Myerson's optimal auction on finite types, with ironing (Myerson 1981).

With independent private values, bidder i of type θ_i has (ironed) virtual value
φ̄_i(θ_i) (:mod:`lpmech.analytic.virtual`). The optimal auction gives the
item to the bidder with the highest φ̄_i(θ_i) if it exceeds the seller's value r
— ties go to the lowest bidder index, a rule that does not look at types inside
an ironed interval, so the allocation is constant there — and charges each
winner its threshold: the lowest type at which it would still win (seed notes
§1.4; slides). Its expected profit, and revenue when r = 0, is

.. math:: E\\big[\\max\\big(\\max_i φ̄_i(θ_i) − r,\\ 0\\big)\\big].

The same formulas cover two more single-parameter settings:

* **k identical units** to unit-demand bidders
  (:func:`~lpmech.problem.builders.multi_unit_auction`): serve the k highest
  non-negative φ̄_i(θ_i) − r; profit E[Σ of the k largest (φ̄_i − r)⁺].
* **Procurement** (:func:`~lpmech.problem.builders.procurement_auction`): seller i
  with cost c_i is a bidder with value −c_i, whose virtual value is minus its
  ironed virtual cost, φ̄(−c) = −γ̄(c) with γ(c) = c + F(c)/f(c) in the continuum
  (:func:`~lpmech.analytic.virtual.ironed_virtual_costs`). The buyer, who
  values the contract at R (r = −R), buys from the lowest γ̄_i(c_i) when it is
  below R and pays the winner its threshold, the highest cost at which it still
  wins; its profit is E[max(R − min_i γ̄_i(c_i), 0)] (the reverse auction of
  Myerson 1981, §6; seed slides, "virtual costs").
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic.virtual import ironed_virtual_values
from lpmech.arrays import FloatArray
from lpmech.characterisation.envelope import envelope_payments
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.allocation import Items, Units
from lpmech.problem.environment import Environment, check_environment
from lpmech.results.mechanism import Mechanism
from lpmech.stable_sums import weighted_sum


def units_for_sale(env: Environment) -> int:
    """How many units k the space sells to single-unit agents: 1 for a single item
    (:class:`~lpmech.problem.allocation.Items` with one item), k for
    :class:`~lpmech.problem.allocation.Units`; refused for any other space."""
    space = env.allocation
    if isinstance(space, Items) and space.n_items == 1:
        return 1
    if isinstance(space, Units):
        return space.n_units
    raise InvalidEnvironmentError(
        "expected a single-item auction (Items with one item), a procurement auction or "
        f"a multi-unit auction (Units), got {space!r}"
    )


def bidder_values(env: Environment) -> list[FloatArray]:
    """Each agent's value for its own unit per type, checking the environment's form.

    The form: one item (:class:`~lpmech.problem.allocation.Items`) or k units
    (:class:`~lpmech.problem.allocation.Units`), private values, and agent i valuing
    only its own component, at a number per type. A bidder's value is its type; a
    seller in a procurement auction (:func:`~lpmech.problem.builders.procurement_auction`)
    values being chosen at −c_i, and every formula here then reads it as a bidder
    with value −c_i: its virtual value is φ(−c) = −γ(c), minus its virtual cost.
    """
    units_for_sale(env)
    values = []
    for i, agent in enumerate(env.agents):
        table = np.asarray(env.valuations[i], dtype=float)
        own = table[:, i] if table.ndim == 2 else None
        others = np.delete(table, i, axis=1) if own is not None else None
        if env.interdependent[i] or own is None or np.any(others != 0):
            raise InvalidEnvironmentError(
                f"expected agent {agent.name!r} to value only its own unit, at a number "
                "per type (private values)"
            )
        values.append(own)
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
    """r_i = −v_0 on agent i's component (component i in every accepted space)."""
    return -np.asarray(env.principal_value[: env.n_agents], dtype=float)


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
    # the space's own rule: the k highest positive scores, ties to the lowest index
    allocation = env.allocation.efficient(scores)
    payments = envelope_payments(env, allocation).highest.flat_payments
    return Mechanism(env, allocation, payments, name="Myerson optimal auction")


def myerson_revenue(env: Environment) -> float:
    """E[Σ of the k largest (φ̄_i(θ_i) − r_i)⁺]: the optimal expected profit (revenue
    when r = 0); with one item E[max(max_i φ̄_i(θ_i) − r, 0)], in a procurement auction
    E[max(R − min_i γ̄_i(c_i), 0)]."""
    check_environment(env, "myerson_revenue")
    scores = ironed_virtual_value_table(env) - _seller_values(env)
    top = -np.sort(-scores, axis=1)[:, : units_for_sale(env)]
    return float(weighted_sum(env.prior.joint, np.maximum(top, 0.0).sum(axis=1)))
