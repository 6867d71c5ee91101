"""Correlated types: full surplus extraction (Crémer and McLean 1988).

When types are correlated, agent i's type is also information about the others'.
Let B_i be the K_i × R_i matrix of conditional beliefs π(θ_{-i} | θ_i). If B_i has
full row rank K_i for every agent (the beliefs are linearly independent), the
designer can attach to each report k a side bet c_k(θ_{-i}) with

.. math:: B_i\\,c_k = (U_i(k) − o_i(k))\\,e_k + M\\,(\\mathbf 1 − e_k):

a truthful type k expects to pay exactly its rent U_i(k) − o_i(k) under a dominant-
strategy base mechanism, and any type lying about being k expects to pay M, more
than any lie can gain. Starting from the Clarke pivot, this is Bayesian IC and
interim IR with every type's participation binding, so the principal's expected
utility is the whole expected surplus E[max_a Σ_i v_i + v_0] − E[Σ_i o_i].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lpmech.analytic.groves import clarke_pivot, efficient_welfare
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.environment import Environment, check_environment
from lpmech.results.mechanism import Mechanism
from lpmech.stable_sums import weighted_sum


@dataclass(frozen=True)
class BeliefRank:
    """The rank of one agent's conditional-belief matrix."""

    agent: str
    rank: int
    n_types: int

    @property
    def full(self) -> bool:
        """Whether the beliefs of different types are linearly independent."""
        return self.rank == self.n_types


def belief_ranks(env: Environment, tol: float = 1e-9) -> tuple[BeliefRank, ...]:
    """Rank of π(θ_{-i} | θ_i) for each agent (the Crémer–McLean condition: all full).

    Examples
    --------
    >>> from lpmech.problem.builders import single_item_auction
    >>> env = single_item_auction([1, 2], 2, prior=[[0.4, 0.1], [0.1, 0.4]])
    >>> [rank.full for rank in belief_ranks(env)]
    [True, True]
    >>> [rank.full for rank in belief_ranks(single_item_auction([1, 2], 2))]  # independent
    [False, False]
    """
    check_environment(env, "belief_ranks")
    ranks = []
    for i, agent in enumerate(env.agents):
        beliefs = env.prior.conditional(i)
        rank = int(np.linalg.matrix_rank(beliefs, tol=tol))
        ranks.append(BeliefRank(agent.name, rank, agent.n_types))
    return tuple(ranks)


def full_surplus(env: Environment) -> float:
    """E[max_a Σ_i v_i(a, θ_i) + v_0(a)] − E[Σ_i o_i(θ_i)]: all the principal could get."""
    check_environment(env, "full_surplus")
    options = sum(
        weighted_sum(env.prior.marginals[i], env.outside_options[i]) for i in range(env.n_agents)
    )
    return efficient_welfare(env) - float(options)


def cremer_mclean(env: Environment) -> Mechanism:
    """A full-extraction mechanism: efficient, BIC, interim IR, principal gets all surplus.

    Raises
    ------
    InvalidEnvironmentError
        If some agent's beliefs are not linearly independent.
    """
    check_environment(env, "cremer_mclean")
    failing = [rank for rank in belief_ranks(env) if not rank.full]
    if failing:
        detail = ", ".join(f"{r.agent!r} has rank {r.rank} < {r.n_types} types" for r in failing)
        raise InvalidEnvironmentError(f"the Crémer–McLean condition fails: {detail}")
    base = clarke_pivot(env)
    payments = base.flat_payments.copy()
    for i in range(env.n_agents):
        beliefs = env.prior.conditional(i)
        rents = base.interim_utility(i) - env.outside_options[i]
        gains = [
            (base.deviation_utilities(i, k) @ beliefs[k]) - env.outside_options[i][k]
            for k in range(env.agents[i].n_types)
        ]
        penalty = 1.0 + max(float(np.max(g)) for g in gains)
        by_agent = env.layout.by_agent(i)
        for k in range(env.agents[i].n_types):
            target = np.full(env.agents[i].n_types, penalty)
            target[k] = rents[k]
            bet, *_ = np.linalg.lstsq(beliefs, target, rcond=None)
            payments[by_agent[k], i] += bet
    return Mechanism(env, base.flat_allocation, payments, name="Crémer–McLean")
