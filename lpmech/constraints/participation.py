"""Individual rationality: participating is at least as good as the outside option.

With outside option o_i(θ_i) (seed notes Ass. 7 normalises it to zero) and
truthful utility u_i(θ) = V_i(θ)·a(θ) − t_i(θ), seed notes Def. 2.2:

* **ex post**: u_i(θ) ≥ o_i(θ_i) at every profile θ;
* **interim**: E[u_i(θ) | θ_i] ≥ o_i(θ_i) for every type, under the conditional prior;
* **ex ante**: E[u_i(θ)] ≥ E[o_i(θ_i)].

Ex-post IR implies interim IR implies ex-ante IR (Rem. 2.3).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from lpmech.arrays import FloatArray
from lpmech.constraints.base import (
    ConstraintFamily,
    ProblemShape,
    RowBlock,
    broadcast_entries,
    locate,
    stack_entries,
    utility_entries,
)
from lpmech.problem.scales import agent_scales
from lpmech.stable_sums import weighted_sum

if TYPE_CHECKING:
    from lpmech.problem.environment import Environment
    from lpmech.program.interim_columns import InterimColumns
    from lpmech.results.mechanism import Mechanism


class ExPostIR(ConstraintFamily):
    """Ex-post individual rationality, seed notes Def. 2.2.1: one row per (agent, profile)."""

    name = "ex_post_ir"
    symmetric = True
    per_profile_rows = True
    units = "value"
    orbit_role = "participation"

    def estimated_size(self, env: Environment, shape: ProblemShape) -> tuple[int, int]:
        """A row per agent and profile, C + 1 entries each."""
        p, n, c = shape.n_profiles, shape.n_agents, shape.n_components
        return p * n, p * n * (c + 1)

    def rows(self, env: Environment) -> RowBlock:
        return self.agent_rows(env, range(env.n_agents))

    def agent_rows(self, env: Environment, agents: Sequence[int]) -> RowBlock:
        profiles = np.arange(env.n_profiles)
        parts, upper = [], []
        for position, i in enumerate(agents):
            rows = position * env.n_profiles + profiles
            parts.append(utility_entries(env, i, profiles, profiles, -1.0, rows))
            upper.append(-env.outside_options[i][env.layout.profile_types[:, i]])
        shape = (len(upper) * env.n_profiles, env.layout.n_columns)
        return RowBlock.from_entries(
            *stack_entries(parts), shape=shape, upper=np.concatenate(upper)
        )

    def violation(self, mechanism: Mechanism) -> FloatArray:
        env = mechanism.env
        shortfalls = [
            env.outside_options[i][env.layout.profile_types[:, i]] - mechanism.ex_post_utility(i)
            for i in range(env.n_agents)
        ]
        return np.maximum(np.concatenate(shortfalls), 0.0)

    def entry_scales(self, env: Environment) -> FloatArray:
        """Agent i's own value scale s_i for each of its entries."""
        return np.repeat(agent_scales(env), env.n_profiles)

    def describe(self, env: Environment, index: int) -> str:
        agent, profile = divmod(index, env.n_profiles)
        return f"agent {env.agents[agent].name!r} at profile {env.describe_profile(profile)}"


class InterimIR(ConstraintFamily):
    """Interim individual rationality, seed notes Def. 2.2.2: one row per (agent, type)."""

    name = "interim_ir"
    symmetric = True
    units = "value"

    def estimated_size(self, env: Environment, shape: ProblemShape) -> tuple[int, int]:
        """A row per agent and type, averaging its P/K_i profiles' C + 1 entries."""
        p, n, c = shape.n_profiles, shape.n_agents, shape.n_components
        return sum(shape.counts), n * p * (c + 1)

    def rows(self, env: Environment) -> RowBlock:
        return self.agent_rows(env, range(env.n_agents))

    def agent_rows(self, env: Environment, agents: Sequence[int]) -> RowBlock:
        agents = list(agents)
        offsets = np.concatenate([[0], np.cumsum([env.type_counts[i] for i in agents])])
        parts = []
        for position, i in enumerate(agents):
            by_agent = env.layout.by_agent(i)
            rows = offsets[position] + np.arange(env.type_counts[i])[:, None]
            weights = -env.prior.conditional(i)
            parts.append(utility_entries(env, i, by_agent, by_agent, weights, rows))
        shape = (int(offsets[-1]), env.layout.n_columns)
        return RowBlock.from_entries(
            *stack_entries(parts),
            shape=shape,
            upper=-np.concatenate([env.outside_options[i] for i in agents]),
        )

    def interim_rows(self, env: Environment, columns: InterimColumns) -> RowBlock:
        """−(V_i(k)·Q_i(k) − M_i(k)) ≤ −o_i(k) for every agent and type."""
        parts, start, upper = [], 0, []
        for i in range(env.n_agents):
            types = np.arange(env.type_counts[i])
            parts += columns.utility_entries(i, types, types, start + types, -1.0)
            upper.append(-env.outside_options[i])
            start += len(types)
        return columns.block(parts, start, upper=np.concatenate(upper))

    def violation(self, mechanism: Mechanism) -> FloatArray:
        env = mechanism.env
        shortfalls = [
            env.outside_options[i] - mechanism.interim_utility(i) for i in range(env.n_agents)
        ]
        return np.maximum(np.concatenate(shortfalls), 0.0)

    def entry_scales(self, env: Environment) -> FloatArray:
        """Agent i's own value scale s_i for each of its entries."""
        return np.repeat(agent_scales(env), env.type_counts)

    def describe(self, env: Environment, index: int) -> str:
        agent, k = locate(np.concatenate([[0], np.cumsum(env.type_counts)]), index)
        spec = env.agents[agent]
        return f"agent {spec.name!r} of type {spec.labels[k]}"


class ExAnteIR(ConstraintFamily):
    """Ex-ante individual rationality, seed notes Def. 2.2.3: one row per agent."""

    name = "ex_ante_ir"
    symmetric = True
    units = "value"

    def estimated_size(self, env: Environment, shape: ProblemShape) -> tuple[int, int]:
        """A row per agent over every profile's C + 1 entries."""
        p, n, c = shape.n_profiles, shape.n_agents, shape.n_components
        return n, n * p * (c + 1)

    def rows(self, env: Environment) -> RowBlock:
        return self.agent_rows(env, range(env.n_agents))

    def agent_rows(self, env: Environment, agents: Sequence[int]) -> RowBlock:
        agents = list(agents)
        profiles = np.arange(env.n_profiles)
        parts = [
            utility_entries(env, i, profiles, profiles, -env.prior.joint, np.full(1, position))
            for position, i in enumerate(agents)
        ]
        upper = [-weighted_sum(env.prior.marginals[i], env.outside_options[i]) for i in agents]
        shape = (len(agents), env.layout.n_columns)
        return RowBlock.from_entries(*stack_entries(parts), shape=shape, upper=upper)

    def interim_rows(self, env: Environment, columns: InterimColumns) -> RowBlock:
        """Σ_k f_i(k)·(−V_i(k)·Q_i(k) + M_i(k)) ≤ −E[o_i] for every agent."""
        parts, upper = [], []
        for i in range(env.n_agents):
            types = np.arange(env.type_counts[i])
            marginal = env.prior.marginals[i]
            parts.append(
                broadcast_entries(i, columns.q(i, types), -marginal[:, None] * columns.values[i])
            )
            parts.append(broadcast_entries(i, columns.m(i, types), marginal))
            upper.append(-weighted_sum(marginal, env.outside_options[i]))
        return columns.block(parts, env.n_agents, upper=np.array(upper))

    def violation(self, mechanism: Mechanism) -> FloatArray:
        env = mechanism.env
        shortfalls = [
            weighted_sum(env.prior.marginals[i], env.outside_options[i])
            - mechanism.expected_utility(i)
            for i in range(env.n_agents)
        ]
        return np.maximum(np.asarray(shortfalls), 0.0)

    def entry_scales(self, env: Environment) -> FloatArray:
        """Agent i's own value scale s_i for each of its entries."""
        return agent_scales(env)

    def describe(self, env: Environment, index: int) -> str:
        return f"agent {env.agents[index].name!r} ex ante"
