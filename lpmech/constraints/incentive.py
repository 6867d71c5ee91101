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
the ex-post form — from the index table :meth:`~lpmech.problem.layout.Layout.by_agent`.

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

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from lpmech.arrays import FloatArray, IntArray, NumberArray
from lpmech.constraints.base import (
    ConstraintFamily,
    ProblemShape,
    RowBlock,
    agent_offsets,
    locate,
    pair_table,
    stack_entries,
    utility_entries,
)
from lpmech.errors import InvalidArgumentError, InvalidEnvironmentError
from lpmech.numbers.integers import integer_array, largest, ratios, scaled
from lpmech.problem.lying import report_utilities
from lpmech.problem.scales import agent_scales

#: Numbers per chunk when measuring violations pair by pair (bounds memory to ~16 MB).
CHUNK = 2_000_000

#: How an IC family is compiled: adjacent pairs when valid ("auto"), always ("local",
#: refusing when invalid) or never ("full").
REDUCTIONS = ("auto", "local", "full")

if TYPE_CHECKING:
    from lpmech.problem.environment import Environment
    from lpmech.program.interim_columns import InterimColumns
    from lpmech.results.mechanism import Mechanism


class IncentiveCompatibility(ConstraintFamily):
    """Shared machinery: a row per (agent, true type, report[, others' profile])."""

    #: Whether rows hold for each others' profile (ex post) or in expectation (Bayesian).
    ex_post: bool
    symmetric = True
    #: Full IC has K(K − 1) pairs per agent, few of which bind: worth generating.
    generated = True
    units = "value"

    def __init__(self, reduction: str = "auto") -> None:
        if reduction not in REDUCTIONS:
            raise InvalidArgumentError(
                f"{type(self).__name__}: reduction must be one of {REDUCTIONS}, got {reduction!r}"
            )
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

    def spec(self) -> dict[str, Any]:
        return {"family": self.name, "reduction": self.reduction}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reduction={self.reduction!r})"

    @property
    def orbit_role(self) -> str | None:  # type: ignore[override]
        """Ex-post IC is stated on orbits by agent 0's pairs; Bayesian IC is not."""
        return "incentive" if self.ex_post else None

    def pairs(self, env: Environment, agent: int) -> tuple[np.ndarray, np.ndarray]:
        """The (true type, report) pairs constrained for an agent: all r ≠ k."""
        return pair_table(env.type_counts[agent])

    def n_pairs(self, env: Environment, agent: int) -> int:
        """Number of (true type, report) pairs constrained: K(K − 1)."""
        return self._pair_count(env.type_counts[agent])

    def _pair_count(self, k: int) -> int:
        return k * (k - 1)

    # declared protocol (lpmech.constraints.base): sizes from the formulas of the module
    @property
    def dense_rows(self) -> bool:  # type: ignore[override]
        """Bayesian rows average over the others' profiles."""
        return not self.ex_post

    @property
    def interim_form(self) -> bool:
        """Bayesian IC is a statement about interim rules; ex-post IC is not."""
        return not self.ex_post

    def estimated_size(self, env: Environment, shape: ProblemShape) -> tuple[int, int]:
        """Ex post Σ_i pairs_i·P/K_i rows of 2(C + 1) entries; Bayesian Σ_i pairs_i rows of
        2·(P/K_i)·(C + 1) entries."""
        p, c = shape.n_profiles, shape.n_components
        pairs = [(self._pair_count(k), p // k) for k in shape.counts]
        if self.ex_post:
            rows = sum(q * others for q, others in pairs)
            return rows, 2 * (c + 1) * rows
        return sum(q for q, _ in pairs), sum(2 * q * others * (c + 1) for q, others in pairs)

    def estimated_start_size(self, env: Environment, shape: ProblemShape) -> tuple[int, int]:
        """Generation starts ex-post IC from few rows (none counted) and Bayesian IC in full."""
        return (0, 0) if self.ex_post and self.generated else self.estimated_size(env, shape)

    def bayesian_counterpart(self) -> ConstraintFamily | None:
        return BayesianIC(self.reduction) if self.ex_post else None

    def pair_at(
        self, env: Environment, agent: int, pair: IntArray | int
    ) -> tuple[IntArray, IntArray]:
        """The (true type, report) of pairs by index, without building the table of all."""
        k, offset = np.divmod(pair, env.type_counts[agent] - 1)
        return k, offset + (offset >= k)

    def pair_index(
        self, env: Environment, agent: int, true_types: IntArray, reports: IntArray
    ) -> IntArray:
        """Index of each (k, r) among the agent's pairs (k-major, r ≠ k ascending)."""
        n = env.type_counts[agent]
        return true_types * (n - 1) + reports - (reports > true_types)

    def rows_per_pair(self, env: Environment, agent: int) -> int:
        """Rows of one pair: one per others' profile ex post, one in expectation."""
        return env.n_profiles // env.type_counts[agent] if self.ex_post else 1

    def block_size(self, env: Environment, agent: int) -> int:
        """Number of the agent's rows: one per pair, times the others' profiles ex post."""
        return self.n_pairs(env, agent) * self.rows_per_pair(env, agent)

    def row_count(self, env: Environment) -> int:
        return sum(self.block_size(env, i) for i in range(env.n_agents))

    def entry_scales(self, env: Environment) -> FloatArray:
        """Agent i's own value scale s_i for each of its rows (a gain is in its money)."""
        sizes = [self.block_size(env, i) for i in range(env.n_agents)]
        return np.repeat(agent_scales(env), sizes)

    def pair_rows(
        self, env: Environment, agent: int, true_types: IntArray, reports: IntArray
    ) -> IntArray:
        offset = sum(self.block_size(env, i) for i in range(agent))
        per_pair = self.rows_per_pair(env, agent)
        pairs = self.pair_index(env, agent, np.asarray(true_types), np.asarray(reports))
        return (offset + pairs[:, None] * per_pair + np.arange(per_pair)).ravel()

    def rows_at(self, env: Environment, keys: IntArray) -> RowBlock:
        """Rows by index, built pair by pair for the pairs they belong to (never all rows)."""
        keys = np.asarray(keys, dtype=np.intp)
        offsets = agent_offsets([self.block_size(env, i) for i in range(env.n_agents)])
        agent_of = np.searchsorted(offsets, keys, side="right") - 1
        matrices, order = [], []
        for i in np.unique(agent_of):
            mine = np.flatnonzero(agent_of == i)
            per_pair = self.rows_per_pair(env, i)
            pair, other = np.divmod(keys[mine] - offsets[i], per_pair)
            whole = pair[::per_pair]  # keys that are whole pairs, in order, need no selection
            if len(pair) % per_pair == 0 and np.array_equal(
                keys[mine] - offsets[i], (whole[:, None] * per_pair + np.arange(per_pair)).ravel()
            ):
                unique, selection = whole, None
            else:
                unique, position = np.unique(pair, return_inverse=True)
                selection = position * per_pair + other
            entries = self.pair_entries(env, i, *self.pair_at(env, i, unique))
            block = RowBlock.from_entries(
                *entries, shape=(len(unique) * per_pair, env.layout.n_columns)
            )
            matrices.append(block.matrix if selection is None else block.matrix[selection])
            order.append(mine)
        if not matrices:
            return RowBlock.from_entries([], [], [], shape=(0, env.layout.n_columns))
        matrix = sp.csr_array(sp.vstack(matrices, format="csr"))
        stacked_order = np.concatenate(order)
        if np.any(stacked_order != np.arange(len(keys))):
            matrix = sp.csr_array(matrix[np.argsort(stacked_order)])
        return RowBlock(matrix, np.full(len(keys), -np.inf), np.zeros(len(keys)))

    def most_violated_rows(
        self, env: Environment, violation: FloatArray, tol: float, lies: int = 1
    ) -> IntArray:
        """For each agent, true type (and others' profile), the rows of the pairs of its
        ``lies`` most profitable lies that gain more than ``tol`` (every others' profile,
        ex post)."""
        if any(self.n_pairs(env, i) != k * (k - 1) for i, k in enumerate(env.type_counts)):
            return super().most_violated_rows(env, violation, tol)  # not the full pair table
        offsets = agent_offsets([self.block_size(env, i) for i in range(env.n_agents)])
        keys = []
        for agent, n in enumerate(env.type_counts):
            if n < 2:
                continue
            block = violation[offsets[agent] : offsets[agent + 1]]
            gains = block.reshape(n, n - 1, self.rows_per_pair(env, agent))
            count = min(lies, n - 1)
            # (K, count, R): the best lies per true type and others' profile, unordered
            best = np.argpartition(-gains, count - 1, axis=1)[:, :count, :]
            worst = np.take_along_axis(gains, best, axis=1)
            true_types, rank, columns = np.nonzero(worst > tol)
            if true_types.size == 0:
                continue
            lie = best[true_types, rank, columns]
            reports = lie + (lie >= true_types)  # undo the skipped r = k
            pairs = np.unique(np.stack([true_types, reports], axis=1), axis=0)
            keys.append(self.pair_rows(env, agent, pairs[:, 0], pairs[:, 1]))
        return np.concatenate(keys) if keys else np.zeros(0, dtype=np.intp)

    def rows(self, env: Environment) -> RowBlock:
        return self.agent_rows(env, range(env.n_agents))

    def agent_rows(self, env: Environment, agents: Sequence[int]) -> RowBlock:
        agents = list(agents)
        offsets = agent_offsets([self.block_size(env, i) for i in agents])
        parts = [
            self.pair_entries(env, i, *self.pairs(env, i), first_row=offsets[position])
            for position, i in enumerate(agents)
        ]
        shape = (int(offsets[-1]), env.layout.n_columns)
        return RowBlock.from_entries(*stack_entries(parts), shape=shape, upper=0.0)

    def interim_rows(self, env: Environment, columns: InterimColumns) -> RowBlock | None:
        """Bayesian IC on interim rules: V_i(k)·Q_i(r) − M_i(r) − [V_i(k)·Q_i(k) − M_i(k)] ≤ 0.

        One row per (agent, pair), as in :meth:`rows`; None for the ex-post family,
        which constrains every others' profile.
        """
        if self.ex_post:
            return None
        parts, start = [], 0
        for i in range(env.n_agents):
            true_types, reports = self.pairs(env, i)
            rows = start + np.arange(len(true_types))
            parts += columns.utility_entries(i, true_types, reports, rows, 1.0)
            parts += columns.utility_entries(i, true_types, true_types, rows, -1.0)
            start += len(true_types)
        return columns.block(parts, start, upper=0.0)

    def pair_entries(
        self,
        env: Environment,
        agent: int,
        true_types: np.ndarray,
        reports: np.ndarray,
        first_row: int = 0,
    ) -> tuple[np.ndarray, np.ndarray, FloatArray]:
        """Coordinates of the rows of the given (true type, report) pairs of one agent.

        Rows are numbered from ``first_row``, pair by pair, and within a pair by the
        others' profile (ex post); each reads u_i(r; k, θ_{-i}) − u_i(k; k, θ_{-i}) ≤ 0.
        """
        by_agent = env.layout.by_agent(agent)
        truthful, deviation = by_agent[true_types], by_agent[reports]  # (Q, R)
        n_pairs, n_others = truthful.shape
        if self.ex_post:
            weights = np.ones((n_pairs, n_others))
            rows = first_row + np.arange(n_pairs * n_others).reshape(n_pairs, n_others)
        else:
            weights = env.prior.conditional(agent)[true_types]
            rows = first_row + np.arange(n_pairs)[:, None]
        deviate = utility_entries(env, agent, truthful, deviation, weights, rows)
        truth = utility_entries(env, agent, truthful, truthful, -weights, rows)
        return stack_entries([deviate, truth])

    def violation(self, mechanism: Mechanism) -> FloatArray:
        """Gains from each lie, from utilities of true and reported types, pair by pair.

        For a pair (k, r) the gain at others' profile θ_{-i} is
        V_i(k, θ_{-i})·a(r, θ_{-i}) − t_i(r, θ_{-i}) − [V_i(k, θ_{-i})·a(k, θ_{-i}) −
        t_i(k, θ_{-i})], averaged with π(θ_{-i} | k) for Bayesian IC. Pairs are taken
        in chunks of about :data:`CHUNK` numbers, so memory stays bounded. On exact
        numbers (an exact twin, :mod:`lpmech.exact.twin`) the same formula runs on
        integers over one denominator (:func:`_exact_gains`).
        """
        env = mechanism.env
        gains = []
        for i in range(env.n_agents):
            by_agent = env.layout.by_agent(i)
            values = env.values_at_profiles(i)[by_agent]  # (K, R, C): true type k at θ_{-i}
            outcomes = mechanism.flat_allocation[by_agent]  # (K, R, C): report r at θ_{-i}
            paid = mechanism.flat_payments[by_agent, i]  # (K, R)
            conditional = env.prior.conditional(i)
            if values.dtype == object:
                gains += _exact_gains(self, env, i, values, outcomes, paid, conditional)
            else:
                gains += self._gains(env, i, values, outcomes, paid, conditional)
        return np.concatenate(gains) if gains else np.zeros(0)

    def _gains(
        self,
        env: Environment,
        i: int,
        values: NumberArray,
        outcomes: NumberArray,
        paid: NumberArray,
        conditional: NumberArray,
    ) -> list[NumberArray]:
        """The agent's gains from lying, floored at 0, in row order, in chunks; any
        number type numpy multiplies (floats, int64, Python ints)."""
        gains = []
        n_types, n_others, n_components = values.shape
        every_pair = self.n_pairs(env, i) == n_types * (n_types - 1)
        if every_pair and not self.ex_post:  # interim utilities as two matrix products
            gain = _interim_utilities(values, outcomes, paid, conditional)
            gain -= np.diag(gain)[:, None]
            off_diagonal = ~np.eye(n_types, dtype=bool)
            return [np.maximum(gain[off_diagonal], 0)]
        truthful = np.einsum("krc,krc->kr", values, outcomes) - paid
        if every_pair:  # batched products
            step = max(1, CHUNK // max(1, n_types * n_others * n_components))
            for start in range(0, n_types, step):
                k = np.arange(start, min(start + step, n_types))
                gain = report_utilities(values[k], outcomes, paid)
                gain -= truthful[k][:, None, :]  # (S, K, R): gain of k_s reporting r
                # drop r = k: its block of R entries sits at (s·K + k_s)·R in the flat array
                width = gain.shape[2]
                diagonal = (
                    (np.arange(len(k)) * n_types + k)[:, None] * width + np.arange(width)
                ).ravel()
                chosen = np.delete(gain.ravel(), diagonal)
                gains.append(np.maximum(chosen, 0, out=chosen))
            return gains
        true_types, reports = self.pairs(env, i)  # a subset: take it pair by pair
        step = max(1, CHUNK // max(1, n_others * n_components))
        for start in range(0, len(true_types), step):
            k, r = true_types[start : start + step], reports[start : start + step]
            gain = np.einsum("qjc,qjc->qj", values[k], outcomes[r]) - paid[r] - truthful[k]
            if not self.ex_post:
                gain = (gain * conditional[k]).sum(axis=1)
            gains.append(np.maximum(gain, 0).ravel())
        return gains

    def describe(self, env: Environment, index: int) -> str:
        sizes = [self.block_size(env, i) for i in range(env.n_agents)]
        agent, local = locate(agent_offsets(sizes), index)
        spec = env.agents[agent]
        if self.ex_post:
            others = env.n_profiles // env.type_counts[agent]
            pair, column = divmod(local, others)
            context = f" when the others are {env.describe_others(agent, column)}"
        else:
            pair, context = local, " (in expectation over the others)"
        k, r = self.pair_at(env, agent, pair)
        return f"agent {spec.name!r} of type {spec.labels[k]} reporting {spec.labels[r]}{context}"


def _exact_gains(
    family: IncentiveCompatibility,
    env: Environment,
    i: int,
    values: NumberArray,
    outcomes: NumberArray,
    paid: NumberArray,
    conditional: NumberArray,
) -> list[NumberArray]:
    """The gains of :meth:`IncentiveCompatibility._gains` on exact numbers, computed on
    integers (:mod:`lpmech.numbers.integers`).

    With V = V'/d_V, a = a'/d_a, t = t'/d_t, π(·|k) = π'/d_π and L = lcm(d_V·d_a, d_t),
    the utilities of true and reported types scale to integers,
    L·u_i(r; k, θ_{-i}) = V'·(L/(d_V·d_a))·a' − t'·(L/d_t), and Bayesian gains to
    L·d_π times theirs: positive scales, so a gain is > 0 exactly when its integer is.
    """
    value_n, value_d = scaled(values)
    outcome_n, outcome_d = scaled(outcomes)
    paid_n, paid_d = scaled(paid)
    weight_n, weight_d = scaled(conditional) if not family.ex_post else (conditional, 1)
    scale = math.lcm(value_d * outcome_d, paid_d)
    value_n = value_n * (scale // (value_d * outcome_d))
    paid_n = paid_n * (scale // paid_d)
    n_others, n_components = values.shape[1], values.shape[2]
    weight = largest(weight_n) if not family.ex_post else 1
    bound = max(  # every product and sum reached, and each factor itself (a zero factor
        # elsewhere would leave a factor beyond int64 out of the products' bound)
        4
        * n_others
        * weight
        * (n_components * largest(value_n) * largest(outcome_n) + largest(paid_n)),
        largest(value_n),
        largest(outcome_n),
        largest(paid_n),
        weight,
    )
    if not family.ex_post:
        weight_n = integer_array(weight_n, bound)
    gains = family._gains(
        env,
        i,
        integer_array(value_n, bound),
        integer_array(outcome_n, bound),
        integer_array(paid_n, bound),
        weight_n,
    )
    denominator = scale * (weight_d if not family.ex_post else 1)
    return [ratios(gain, denominator) for gain in gains]


def _interim_utilities(
    values: FloatArray, outcomes: FloatArray, paid: FloatArray, conditional: FloatArray
) -> FloatArray:
    """U[k, r] = Σ_j π(θ_{-i}^j | k)·[V_i(k, θ_{-i}^j)·a(r, θ_{-i}^j) − t_i(r, θ_{-i}^j)].

    The interim utility of true type k reporting r (seed notes Def. 2.1.3: Bayesian IC reads
    U[k, k] ≥ U[k, r]), for arrays indexed (own type, others' profile[, component])
    as :meth:`~lpmech.problem.layout.Layout.by_agent` orders them: one matrix product for
    the values and one for the payments, O(K²·R·C) multiplications in BLAS.
    """
    n_types = values.shape[0]
    weighted = (values * conditional[:, :, None]).reshape(n_types, -1)
    return weighted @ outcomes.reshape(n_types, -1).T - conditional @ paid.T


class DominantStrategyIC(IncentiveCompatibility):
    """Dominant-strategy (ex-post) incentive compatibility, seed notes Def. 2.1.1–2.1.2.

    u_i(r; k, θ_{-i}) ≤ u_i(k; k, θ_{-i}) for every agent, true type k, report r
    and others' profile θ_{-i}: N·P·(K_i − 1) rows.
    """

    name = "dominant_strategy_ic"
    ex_post = True


class BayesianIC(IncentiveCompatibility):
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
            return (
                f"agent {agent.name!r} is not single-parameter (needs private values "
                "θ_i·q_i(a) + h_i(a) with scalar types)"
            )
    if not ex_post and not env.prior.is_independent:
        return "types are correlated, so interim quantities depend on the reporter's beliefs"
    return None


class LocalIncentiveCompatibility(IncentiveCompatibility):
    """IC between neighbouring types only: the compiled form of IC for single-parameter agents.

    Equivalent to the full family it stands for (see the module docstring), with
    Σ_i 2(K_i − 1) instead of Σ_i K_i(K_i − 1) incentive pairs per others' profile
    (ex post) or in all (Bayesian).
    """

    #: Already small (2(K − 1) pairs per agent): built in full.
    generated = False

    def __init__(self, full: IncentiveCompatibility) -> None:
        super().__init__("full")
        self.ex_post = full.ex_post
        self.name = full.name

    def pairs(self, env: Environment, agent: int) -> tuple[np.ndarray, np.ndarray]:
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

    def _pair_count(self, k: int) -> int:
        """Number of neighbouring pairs: 2(K − 1)."""
        return 2 * (k - 1)

    def bayesian_counterpart(self) -> ConstraintFamily | None:
        return LocalIncentiveCompatibility(BayesianIC("full")) if self.ex_post else None

    def pair_at(
        self, env: Environment, agent: int, pair: IntArray | int
    ) -> tuple[IntArray, IntArray]:
        true_types, reports = self.pairs(env, agent)
        return true_types[pair], reports[pair]

    def pair_index(
        self, env: Environment, agent: int, true_types: IntArray, reports: IntArray
    ) -> IntArray:
        true_table, report_table = self.pairs(env, agent)
        n = env.type_counts[agent]
        return np.searchsorted(true_table * n + report_table, true_types * n + reports)

    def compiled_form(self, env: Environment) -> ConstraintFamily:
        return self

    def spec(self) -> dict[str, Any]:
        """The family it stands for, with the local reduction insisted on."""
        return {"family": self.name, "reduction": "local"}

    def __repr__(self) -> str:
        return f"LocalIncentiveCompatibility({self.name!r})"
