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

*Local reduction.* For single-parameter agents, v_i = s(θ_i)·q_i(a) + h_i(a) with
types ordered s_1 < … < s_K, IC holds iff the quantity q_i is monotone and every
type is IC against its neighbours (seed notes Lem. 1.2–1.3, Thm. 1.4): chaining
the adjacent constraints gives U_k ≥ U_j + Σ_{m=j+1..k} (s_m − s_{m−1}) q_{m−1}
≥ U_j + (s_k − s_j) q_j, which is IC of k against j < k (and symmetrically for
j > k). Monotonicity needs no rows of its own: adding the two adjacent
constraints between k−1 and k gives (s_k − s_{k−1})(q_k − q_{k−1}) ≥ 0.
:class:`LocalIncentiveCompatibility` compiles that system — 2(K−1) pairs instead
of K(K−1), fewer as soon as K ≥ 3 — and :func:`lpmech.solve` still verifies the
full family. Bayesian IC also needs independent types, so that a report's
interim quantity does not depend on the reporter's beliefs.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from lpmech.errors import InvalidEnvironmentError

#: How an IC family is compiled: adjacent pairs when valid ("auto"), always ("local",
#: refusing when invalid) or never ("full").
REDUCTIONS = ("auto", "local", "full")

if TYPE_CHECKING:
    from lpmech.environment import Environment
    from lpmech.mechanism import Mechanism


class _IncentiveCompatibility(ConstraintFamily):
    """Shared machinery: a row per (agent, true type, report[, others' profile])."""

    #: Whether rows hold for each others' profile (ex post) or in expectation (Bayesian).
    ex_post: bool
    symmetric = True

    def __init__(self, reduction: str = "auto") -> None:
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {REDUCTIONS}, "
                             f"got {reduction!r}")
        self.reduction = reduction

    def compiled_form(self, env: Environment) -> ConstraintFamily:
        """Adjacent-type IC where equivalent and smaller (see the module docstring)."""
        if self.reduction == "full":
            return self
        obstacle = local_reduction_obstacle(env, self.ex_post)
        smaller = max(env.type_counts) >= 3
        if obstacle is None and (smaller or self.reduction == "local"):
            return LocalIncentiveCompatibility(self)
        if self.reduction == "local":
            raise InvalidEnvironmentError(
                f"{self.name}: the local reduction is not valid here: {obstacle}"
            )
        return self

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reduction={self.reduction!r})"

    def _pairs(self, env: Environment, agent: int) -> tuple[np.ndarray, np.ndarray]:
        """The (true type, report) pairs constrained for an agent: all r ≠ k."""
        return pair_table(env.type_counts[agent])

    def _block_size(self, env: Environment, agent: int) -> int:
        n_pairs = len(self._pairs(env, agent)[0])
        others = env.n_profiles // env.type_counts[agent]
        return n_pairs * others if self.ex_post else n_pairs

    def rows(self, env: Environment) -> RowBlock:
        return self.agent_rows(env, range(env.n_agents))

    def agent_rows(self, env: Environment, agents: Sequence[int]) -> RowBlock:
        agents = list(agents)
        offsets = agent_offsets([self._block_size(env, i) for i in agents])
        parts = []
        for position, i in enumerate(agents):
            by_agent = env.layout.by_agent(i)
            true_types, reports = self._pairs(env, i)
            truthful, deviation = by_agent[true_types], by_agent[reports]  # (Q, R)
            n_pairs, n_others = truthful.shape
            if self.ex_post:
                weights = np.ones((n_pairs, n_others))
                rows = offsets[position] + np.arange(n_pairs * n_others).reshape(n_pairs,
                                                                                 n_others)
            else:
                weights = env.prior.conditional(i)[true_types]
                rows = offsets[position] + np.arange(n_pairs)[:, None]
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


def local_reduction_obstacle(env: Environment, ex_post: bool) -> str | None:
    """Why adjacent IC + monotonicity would not be equivalent to IC, or None if it is."""
    for i, agent in enumerate(env.agents):
        if env.single_parameter(i) is None:
            return (f"agent {agent.name!r} is not single-parameter (needs private values "
                    "θ_i·q_i(a) + h_i(a) with scalar types)")
    if not ex_post and not env.prior.is_independent:
        return "types are correlated, so interim quantities depend on the reporter's beliefs"
    return None


class LocalIncentiveCompatibility(_IncentiveCompatibility):
    """IC between neighbouring types only: the compiled form of IC for single-parameter agents.

    Equivalent to the full family it stands for (see the module docstring), with
    Σ_i 2(K_i − 1) instead of Σ_i K_i(K_i − 1) incentive pairs per others' profile
    (ex post) or in all (Bayesian).
    """

    def __init__(self, full: _IncentiveCompatibility) -> None:
        super().__init__("full")
        self.ex_post = full.ex_post
        self.name = full.name

    def _pairs(self, env: Environment, agent: int) -> tuple[np.ndarray, np.ndarray]:
        """(k, r) for neighbours in increasing scalar type, sorted by k then r."""
        form = env.single_parameter(agent)
        if form is None:
            raise InvalidEnvironmentError(
                f"{self.name}: agent {env.agents[agent].name!r} is not single-parameter"
            )
        lower, upper = form.order[:-1], form.order[1:]
        true_types = np.concatenate([upper, lower])
        reports = np.concatenate([lower, upper])
        by_true_type = np.lexsort((reports, true_types))
        return true_types[by_true_type], reports[by_true_type]

    def compiled_form(self, env: Environment) -> ConstraintFamily:
        return self

    def __repr__(self) -> str:
        return f"LocalIncentiveCompatibility({self.name!r})"
