"""The expected-externality mechanism of d'Aspremont, Gérard-Varet and Arrow (AGV).

With independent private values, agent i's expected externality on the others
when it reports θ_i is (seed notes Def. 2.7)

.. math:: E_i(θ_i) = E_{θ_{-i}}\\Big[\\sum_{j≠i} v_j(x^*(θ_i, θ_{-i}), θ_j)\\Big],

and the transfers t_i(θ) = −E_i(θ_i) + (1/(N−1)) Σ_{j≠i} E_j(θ_j) make the efficient
rule Bayesian IC (Rem. 2.7) and ex-post budget balanced, Σ_i t_i(θ) = 0 (Rem. 2.8).

A principal's value v_0 (a project's cost) is shared equally: each agent's value
counts v_0/N as its own, which leaves x* and BIC unchanged, and each agent pays its
share −v_0(x*(θ))/N on top, so that Σ_i t_i(θ) + v_0(x*(θ)) = 0 at every profile.
AGV is not interim IR in general: a type may expect to pay more than it gains.
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic.groves import require_private_values
from lpmech.arrays import FloatArray
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.environment import Environment, check_environment
from lpmech.results.mechanism import Mechanism
from lpmech.stable_sums import weighted_sum


def expected_externalities(env: Environment) -> list[FloatArray]:
    """E_i(θ_i) for each agent, shape (K_i,), with the principal's value shared equally."""
    check_environment(env, "expected_externalities")
    require_private_values(env, "AGV")
    if env.n_agents < 2:
        raise InvalidEnvironmentError("AGV needs at least two agents")
    if not env.prior.is_independent:
        raise InvalidEnvironmentError("AGV needs independent types")
    allocation = env.efficient_allocation()
    share = env.principal_value / env.n_agents
    externalities = []
    for i in range(env.n_agents):
        others = env.surplus_weights(include_principal=False) - env.values_at_profiles(i)
        welfare = np.einsum("pc,pc->p", others + (env.n_agents - 1) * share, allocation)
        by_agent = env.layout.by_agent(i)
        externalities.append(weighted_sum(env.prior.conditional(i)[0], welfare[by_agent].T))
    return externalities


def agv(env: Environment) -> Mechanism:
    """The AGV (expected externality) mechanism: efficient, BIC, ex-post budget balanced.

    Examples
    --------
    >>> from lpmech.problem.builders import public_good
    >>> env = public_good([0, 1, 2], n_agents=3, cost=2.5)
    >>> mechanism = agv(env)
    >>> float(abs(mechanism.budget_surplus()).max()) < 1e-12
    True
    """
    check_environment(env, "agv")
    externality = expected_externalities(env)
    allocation = env.efficient_allocation()
    profile_types = env.layout.profile_types
    own = np.stack([externality[i][profile_types[:, i]] for i in range(env.n_agents)], axis=1)
    others = (own.sum(axis=1, keepdims=True) - own) / (env.n_agents - 1)
    cost_share = -(allocation @ env.principal_value) / env.n_agents
    payments = -own + others + cost_share[:, None]
    return Mechanism(env, allocation, payments, name="AGV expected externality")


def balance_budget(mechanism: Mechanism) -> Mechanism:
    """The same allocation with ex-post balanced transfers, each interim payment less E[S]/N.

    With independent types, let m_i(θ_i) = E[t_i | θ_i] be the interim payments and
    S(θ) = Σ_i t_i(θ) the surplus (the principal values nothing here). The transfers

    .. math:: t'_i(θ) = m_i(θ_i) − \\frac{1}{N−1}\\sum_{j≠i}\\big(m_j(θ_j) − E\\,m_j\\big)
                       − \\frac{E\\,S}{N}

    sum to 0 at every profile and change each agent's interim payment by the constant
    −E[S]/N only: a BIC mechanism stays BIC, and one that is interim IR with E[S] ≥ 0
    stays interim IR (the AGV idea, Rem. 2.8, applied to any transfers; for two
    agents :func:`lpmech.analytic.second_best_trade`).

    Raises
    ------
    InvalidEnvironmentError
        Fewer than two agents, correlated types, or a principal who values the allocation.
    """
    env = mechanism.env
    check_environment(env, "balance_budget")
    if env.n_agents < 2 or not env.prior.is_independent:
        raise InvalidEnvironmentError(
            "balance_budget needs at least two agents with independent types"
        )
    if np.any(np.asarray(env.principal_value, dtype=float) != 0):
        raise InvalidEnvironmentError(
            "balance_budget: the principal values the allocation (v_0 ≠ 0), so the "
            "surplus to balance is not a sum of transfers alone"
        )
    payments = mechanism.flat_payments
    interim = np.empty_like(payments)
    for i in range(env.n_agents):
        by_agent = env.layout.by_agent(i)  # (K_i, R_i)
        own = weighted_sum(env.prior.conditional(i)[0], payments[by_agent, i].T)
        interim[:, i] = own[env.layout.profile_types[:, i]]
    mean = weighted_sum(env.prior.joint, interim)
    deviation = interim - mean
    others = (deviation.sum(axis=1, keepdims=True) - deviation) / (env.n_agents - 1)
    balanced = interim - others - mean.sum() / env.n_agents
    return Mechanism(
        env, mechanism.flat_allocation, balanced, name=f"{mechanism.name}, budget balanced"
    )
