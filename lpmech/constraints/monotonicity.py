"""Monotonicity: a single-parameter agent's quantity rises with its type.

For an agent with single-parameter values v_i(a, θ_i) = θ_i·q_i(a) + h_i(a)
(:meth:`~lpmech.problem.environment.Environment.single_parameter`), seed notes Lem. 1.2
and Thm. 1.4 show that under strictly increasing differences every IC mechanism
has a non-decreasing allocation, and that monotonicity plus the envelope formula
characterise IC. With types sorted θ^1 < … < θ^K, adjacent types suffice:

* **ex post**: q_i(a(θ^m, θ_{-i})) ≤ q_i(a(θ^{m+1}, θ_{-i})) for every θ_{-i};
* **interim**: E[q_i(a) | θ^m] ≤ E[q_i(a) | θ^{m+1}] under the conditional prior
  (the slides' "q_i is non-decreasing").
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
    agent_offsets,
    broadcast_entries,
    locate,
)
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.environment import SingleParameter

if TYPE_CHECKING:
    from lpmech.problem.environment import Environment
    from lpmech.program.interim_columns import InterimColumns
    from lpmech.results.mechanism import Mechanism


class _Monotonicity(ConstraintFamily):
    """Shared machinery: a row per (agent, adjacent type pair[, others' profile])."""

    ex_post: bool
    symmetric = True
    units = "allocation"

    def _form(self, env: Environment, agent: int) -> SingleParameter:
        form = env.single_parameter(agent)
        if form is None:
            raise InvalidEnvironmentError(
                f"{self.name}: agent {env.agents[agent].name!r} is not single-parameter "
                "(monotonicity needs private values v_i(a, θ_i) = θ_i·q_i(a) + h_i(a) "
                "with scalar types)"
            )
        return form

    @property
    def interim_form(self) -> bool:
        """Interim monotonicity is a statement about interim rules; ex-post is not."""
        return not self.ex_post

    def estimated_size(self, env: Environment, shape: ProblemShape) -> tuple[int, int]:
        """Σ_i (K_i − 1)·P/K_i rows of 2·w_i entries ex post; interim Σ_i (K_i − 1) rows of
        2·w_i·P/K_i entries (the others' profiles of both types), w_i the components in
        agent i's quantity direction (C if it is not single-parameter)."""
        p = shape.n_profiles
        widths = [self._width(env, i, shape.n_components) for i in range(shape.n_agents)]
        rows = [(k - 1) * (p // k) for k in shape.counts]
        entries = sum(2 * w * r for w, r in zip(widths, rows, strict=True))
        return (sum(rows) if self.ex_post else sum(k - 1 for k in shape.counts)), entries

    def _width(self, env: Environment, agent: int, n_components: int) -> int:
        form = env.single_parameter(agent) if agent < env.n_agents else None
        return n_components if form is None else int(np.count_nonzero(form.direction))

    def block_size(self, env: Environment, agent: int) -> int:
        pairs = env.type_counts[agent] - 1
        return pairs * (env.n_profiles // env.type_counts[agent]) if self.ex_post else pairs

    def rows(self, env: Environment) -> RowBlock:
        return self.agent_rows(env, range(env.n_agents))

    def agent_rows(self, env: Environment, agents: Sequence[int]) -> RowBlock:
        layout = env.layout
        agents = list(agents)
        offsets = agent_offsets([self.block_size(env, i) for i in agents])
        rows_, columns, values = [], [], []
        for position, i in enumerate(agents):
            form = self._form(env, i)
            by_agent = layout.by_agent(i)
            lower, higher = by_agent[form.order[:-1]], by_agent[form.order[1:]]  # (M, R)
            n_pairs, n_others = lower.shape
            if self.ex_post:
                weights_low = weights_high = np.ones((n_pairs, n_others))
                rows = offsets[position] + np.arange(n_pairs * n_others).reshape(n_pairs, n_others)
            else:
                conditional = env.prior.conditional(i)
                weights_low = conditional[form.order[:-1]]
                weights_high = conditional[form.order[1:]]
                rows = np.broadcast_to(
                    offsets[position] + np.arange(n_pairs)[:, None], lower.shape
                )
            # q_i(a(lower)) − q_i(a(higher)) ≤ 0, with q_i(a) = w·a
            for profiles, weights in ((lower, weights_low), (higher, -weights_high)):
                rows_.append(np.broadcast_to(rows[..., None], (*rows.shape, env.n_components)))
                columns.append(layout.allocation_columns(profiles))
                values.append(weights[..., None] * form.direction)
        shape = (int(offsets[-1]), layout.n_columns)
        if not rows_:
            return RowBlock.empty(layout.n_columns)
        return RowBlock.from_entries(
            np.concatenate([r.ravel() for r in rows_]),
            np.concatenate([c.ravel() for c in columns]),
            np.concatenate([v.ravel() for v in values]),
            shape=shape,
            upper=0.0,
        )

    def interim_rows(self, env: Environment, columns: InterimColumns) -> RowBlock | None:
        """w·Q_i(θ^m) − w·Q_i(θ^{m+1}) ≤ 0 for adjacent types; None for the ex-post family."""
        if self.ex_post:
            return None
        parts, start = [], 0
        for i in range(env.n_agents):
            form = self._form(env, i)
            # with Border's columns Q_i covers bidder i's own components only
            direction = form.direction[columns.own[i]]
            low, high = form.order[:-1], form.order[1:]
            rows = start + np.arange(len(low))
            parts.append(broadcast_entries(rows[:, None], columns.q(i, low), direction))
            parts.append(broadcast_entries(rows[:, None], columns.q(i, high), -direction))
            start += len(low)
        return columns.block(parts, start, upper=0.0)

    def violation(self, mechanism: Mechanism) -> FloatArray:
        env = mechanism.env
        drops = []
        for i in range(env.n_agents):
            form = self._form(env, i)
            if self.ex_post:
                quantity = (mechanism.flat_allocation @ form.direction)[env.layout.by_agent(i)]
            else:
                quantity = mechanism.interim_allocation(i) @ form.direction
            drops.append(
                np.maximum(quantity[form.order[:-1]] - quantity[form.order[1:]], 0.0).ravel()
            )
        return np.concatenate(drops)

    def describe(self, env: Environment, index: int) -> str:
        sizes = [self.block_size(env, i) for i in range(env.n_agents)]
        agent, local = locate(agent_offsets(sizes), index)
        spec, order = env.agents[agent], self._form(env, agent).order
        if self.ex_post:
            pair, column = divmod(local, env.n_profiles // env.type_counts[agent])
            context = f" when the others are {env.describe_others(agent, column)}"
        else:
            pair, context = local, " (interim)"
        low, high = spec.labels[order[pair]], spec.labels[order[pair + 1]]
        return f"agent {spec.name!r}: quantity at type {low} exceeds type {high}{context}"


class ExPostMonotonicity(_Monotonicity):
    """q_i(a(θ_i, θ_{-i})) non-decreasing in θ_i for every θ_{-i} (seed notes Lem. 1.2)."""

    name = "ex_post_monotonicity"
    ex_post = True


class InterimMonotonicity(_Monotonicity):
    """E[q_i(a(θ)) | θ_i] non-decreasing in θ_i (slides: q_i non-decreasing)."""

    name = "interim_monotonicity"
    ex_post = False
