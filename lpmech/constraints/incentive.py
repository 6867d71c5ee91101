"""Incentive compatibility: truth-telling is a best response.

Agent i of true type k who reports r while the others report θ_{-i} truthfully
gets u_i(r; k, θ_{-i}) = V_i(k, θ_{-i})·a(r, θ_{-i}) − t_i(r, θ_{-i}).

* **Dominant-strategy / ex-post IC** (seed notes Def. 2.1.1–2.1.2): for every
  agent i, true type k, report r and others' profile θ_{-i},

  .. math:: u_i(r; k, θ_{-i}) − u_i(k; k, θ_{-i}) ≤ 0.

  In a direct mechanism with private values this is dominant-strategy IC; with
  interdependent values it is ex-post IC (truth-telling is optimal whenever the
  others are truthful).

* **Bayesian IC** (Def. 2.1.3): for every i, k, r, in expectation under the
  conditional prior π(θ_{-i} | k),

  .. math:: \\sum_{θ_{-i}} π(θ_{-i} \\mid k)\\,[u_i(r; k, θ_{-i}) − u_i(k; k, θ_{-i})] ≤ 0.

Each family is one sparse block: rows for every (i, k, r) — and every θ_{-i} for
the ex-post form — from the index table :meth:`~lpmech.layout.Layout.by_agent`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lpmech.constraints.base import (
    ConstraintFamily,
    FloatArray,
    RowBlock,
    agent_offsets,
    locate,
    pair_table,
    stack_entries,
    utility_entries,
)

if TYPE_CHECKING:
    from lpmech.environment import Environment
    from lpmech.mechanism import Mechanism


class _IncentiveCompatibility(ConstraintFamily):
    """Shared machinery: a row per (agent, true type, report[, others' profile])."""

    #: Whether rows hold for each others' profile (ex post) or in expectation (Bayesian).
    ex_post: bool

    def _pairs(self, env: Environment, agent: int) -> tuple[np.ndarray, np.ndarray]:
        """The (true type, report) pairs constrained for an agent: all r ≠ k."""
        return pair_table(env.type_counts[agent])

    def _block_size(self, env: Environment, agent: int) -> int:
        n_pairs = len(self._pairs(env, agent)[0])
        others = env.n_profiles // env.type_counts[agent]
        return n_pairs * others if self.ex_post else n_pairs

    def rows(self, env: Environment) -> RowBlock:
        sizes = [self._block_size(env, i) for i in range(env.n_agents)]
        offsets = agent_offsets(sizes)
        parts = []
        for i in range(env.n_agents):
            by_agent = env.layout.by_agent(i)
            true_types, reports = self._pairs(env, i)
            truthful, deviation = by_agent[true_types], by_agent[reports]  # (Q, R)
            n_pairs, n_others = truthful.shape
            if self.ex_post:
                weights = np.ones((n_pairs, n_others))
                rows = offsets[i] + np.arange(n_pairs * n_others).reshape(n_pairs, n_others)
            else:
                weights = env.prior.conditional(i)[true_types]
                rows = offsets[i] + np.arange(n_pairs)[:, None]
            # gain from deviating: u_i(r; k, θ_{-i}) − u_i(k; k, θ_{-i}) ≤ 0
            parts.append(utility_entries(env, i, truthful, deviation, weights, rows))
            parts.append(utility_entries(env, i, truthful, truthful, -weights, rows))
        shape = (int(offsets[-1]), env.layout.n_columns)
        return RowBlock.from_entries(*stack_entries(parts), shape=shape, upper=0.0)

    def violation(self, mechanism: Mechanism) -> FloatArray:
        env = mechanism.env
        gains = []
        for i in range(env.n_agents):
            true_types, reports = self._pairs(env, i)
            conditional = env.prior.conditional(i)
            for k in np.unique(true_types):
                utilities = mechanism.deviation_utilities(i, int(k))  # (K, R): report r, others j
                gain = utilities[reports[true_types == k]] - utilities[k]
                if not self.ex_post:
                    gain = gain @ conditional[k]
                gains.append(np.maximum(gain, 0.0).ravel())
        return np.concatenate(gains) if gains else np.zeros(0)

    def describe(self, env: Environment, index: int) -> str:
        sizes = [self._block_size(env, i) for i in range(env.n_agents)]
        agent, local = locate(agent_offsets(sizes), index)
        true_types, reports = self._pairs(env, agent)
        spec = env.agents[agent]
        if self.ex_post:
            others = env.n_profiles // env.type_counts[agent]
            pair, column = divmod(local, others)
            context = f" when the others are {env.describe_others(agent, column)}"
        else:
            pair, context = local, " (in expectation over the others)"
        k, r = true_types[pair], reports[pair]
        return f"agent {spec.name!r} of type {spec.labels[k]} reporting {spec.labels[r]}{context}"


class DominantStrategyIC(_IncentiveCompatibility):
    """Dominant-strategy (ex-post) incentive compatibility, seed notes Def. 2.1.1–2.1.2.

    u_i(r; k, θ_{-i}) ≤ u_i(k; k, θ_{-i}) for every agent, true type k, report r
    and others' profile θ_{-i}: N·P·(K_i − 1) rows.
    """

    name = "dominant_strategy_ic"
    ex_post = True


class BayesianIC(_IncentiveCompatibility):
    """Bayesian incentive compatibility, seed notes Def. 2.1.3.

    E[u_i(r; k, θ_{-i}) | θ_i = k] ≤ E[u_i(k; k, θ_{-i}) | θ_i = k] under the
    conditional prior (correlated priors included): Σ_i K_i(K_i − 1) rows.
    """

    name = "bayesian_ic"
    ex_post = False
