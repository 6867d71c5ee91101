r"""The interim (reduced-form) formulation of Bayesian design with independent types.

With independent types and private values, agent i of type k who reports r
expects

.. math:: V_i(k)·Q_i(r) − M_i(r), \qquad Q_i(r) = E[a(r, θ_{-i})],\;
          M_i(r) = E[t_i(r, θ_{-i})],

so Bayesian IC, interim and ex-ante IR, ex-ante budget balance and interim
monotonicity only see the *interim rules* (Q, M) (slides: q_i, m_i). This
formulation compiles them on those: a BIC row has O(C) entries instead of one per
profile of the others, and payments need no ex-post variables — t_i(θ) = M_i(θ_i)
has the same interim payments.

The allocation stays feasible in one of two ways:

* **linking** (any allocation space): ex-post allocation variables a(θ) with the
  environment's feasibility rows, tied to Q by Q_i(k) = Σ_{θ_{-i}} π(θ_{-i}) a(k, θ_{-i});
* **Border** (items, see :func:`border_structure`): no ex-post variables. The
  interim winning probabilities q_i(k) of one item are feasible iff for every set
  S of (bidder, type) pairs

  .. math:: \sum_{(i,k)∈S} f_i(k)\, q_i(k) ≤ 1 − \prod_i \Big(1 − \sum_{k:(i,k)∈S} f_i(k)\Big)

  (Border 1991; seed notes, reduced forms). With several items and additive
  values the condition holds item by item: bidder i's interim utility
  Σ_j V_ij(k) q_ij(r) − M_i(r) sees only its own q_{i·}, and with each item given
  at most once (Σ_i a_ij(θ) ≤ 1, no row joining two items) an ex-post allocation
  is feasible iff each item's part is — so the interim rule is feasible iff each
  item's q_{·j} meets Border's inequalities. The most violated set of an item is
  a product of per-bidder top sets by q_{ij} (see :class:`BorderInequalities`),
  so those are generated for the current q and the program re-solved from its
  basis until none is violated; an ex-post allocation implementing q is then
  recovered item by item (:func:`_recover_allocation`). Where items are coupled
  (unit demand) or a bidder values another's components, linking is used.

**Symmetric interim rules.** When the bidders are identical — the same types,
an exchangeable prior, valuations and the allocation space exchanged by
relabelling them (:func:`~lpmech.formulations.symmetric.agent_symmetry`, the
symmetric formulation's conditions), symmetric families and an objective weighing
every bidder's rule alike — averaging an optimal mechanism over the N!
relabellings of the bidders keeps it feasible, incentive compatible and
individually rational (each condition is linear and mapped onto itself) and
keeps its objective: so an anonymous optimum exists, and its interim rules are
equal across bidders. One rule (q(k), M(k)) per type, shared by all bidders
(:meth:`InterimColumns.of` with ``symmetric``), then loses nothing and has 1/N of
the columns. For a symmetric q Border's condition reduces to sets of one bidder's
types (Border 1991, symmetric reduced forms; the seed notes do not cover reduced
forms):

.. math:: N \sum_{k∈S} f(k)\, q(k) ≤ 1 − (1 − F(S))^N \quad\text{for every } S,

and the most violated S is a top set by q, so sorting q and checking its K
prefixes separates exactly (:class:`SymmetricBorderInequalities`): few exact rows
per round instead of a search over products of sets. The ex-post allocation is
recovered as before, with the shared q as every bidder's target.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from lpmech.arrays import FloatArray, IntArray
from lpmech.backends.engines import Backend, HighspyBackend
from lpmech.backends.status import Status
from lpmech.constraints.base import (
    ConstraintFamily,
    RowBlock,
    VariableBounds,
    broadcast_entries,
)
from lpmech.constraints.feasibility import Feasibility
from lpmech.errors import InvalidArgumentError, SolverFailedError
from lpmech.formulations.base import (
    DesignProblem,
    Formulation,
    Outcome,
    Sizes,
    StageProgram,
    family_duals,
    run_program,
)
from lpmech.formulations.generation import ViolatedRows, generated_families, seed_rows
from lpmech.formulations.row_generation import (
    Candidates,
    RowPolicy,
    Separator,
    generate,
)
from lpmech.formulations.symmetric import Symmetric
from lpmech.problem.allocation import Items
from lpmech.problem.environment import Environment
from lpmech.problem.scales import money_scale
from lpmech.program.compiler import Program, assemble
from lpmech.program.interim_columns import InterimColumns
from lpmech.program.objectives import ZeroObjective


def border_structure(env: Environment) -> bool:
    """Whether Border's inequalities item by item describe the feasible interim rules.

    They do when the allocation is :class:`~lpmech.problem.allocation.Items` without unit
    demand (each item given at most once, no row coupling two items), with a
    component per agent, and every agent values only its own components
    "item j to agent i" (additive values over items): then an allocation is
    feasible iff each item's is, and each agent's interim utility depends on the
    interim rule only through its own winning probabilities (see the module
    docstring). Private values and independent types are the formulation's own
    conditions (:meth:`Interim.obstacle`).
    """
    space = env.allocation
    if not isinstance(space, Items) or space.unit_demand or len(space.agent_names) != env.n_agents:
        return False
    for i in range(env.n_agents):
        others = np.ones(env.n_components, dtype=bool)
        others[[space.component(i, j) for j in range(space.n_items)]] = False
        if np.any(env.valuations[i][..., others] != 0):
            return False
    return True


def _linking(env: Environment, cols: InterimColumns) -> RowBlock:
    """Q_i(k)_c − Σ_{θ_{-i}} π(θ_{-i}) a_c(k, θ_{-i}) = 0 for every agent, type, component."""
    parts, start = [], 0
    layout = env.layout
    for i in range(env.n_agents):
        by_agent = layout.by_agent(i)  # (K, R)
        weights = env.prior.conditional(i)  # (K, R), the same row for every k
        n_types = env.type_counts[i]
        rows = start + np.arange(n_types * cols.width).reshape(n_types, cols.width)
        parts.append(broadcast_entries(rows, cols.q(i, np.arange(n_types)), 1.0))
        parts.append(
            broadcast_entries(
                rows[:, None, :], layout.allocation_columns(by_agent), -weights[:, :, None]
            )
        )
        start += n_types * cols.width
    return cols.block(parts, start, lower=0.0, upper=0.0)


def _objective(
    env: Environment, problem: DesignProblem, cols: InterimColumns
) -> tuple[FloatArray, str | None]:
    """Objective over interim columns, or why it cannot be written on them (agents
    sharing symmetric columns add up on them)."""
    layout = env.layout
    full = problem.objective.sign * problem.objective.coefficients(env)
    on_allocation = full[: layout.n_allocation_columns].reshape(
        layout.n_profiles, env.n_components
    )
    on_payments = full[layout.n_allocation_columns :].reshape(layout.n_profiles, env.n_agents)
    cost = np.zeros(cols.n_columns)
    joint = env.prior.joint
    for i in range(env.n_agents):
        rate = on_payments[:, i] / joint  # must not depend on the profile
        if not np.allclose(rate, rate[0]):
            return cost, "the objective weighs payments other than by the prior"
        cost[cols.m(i, np.arange(env.type_counts[i]))] += rate[0] * env.prior.marginals[i]
    if cols.n_allocation:
        cost[: cols.n_allocation] = on_allocation.ravel()
        return cost, None
    for i in range(env.n_agents):  # E[w_i(θ)·a_i(θ)] through q_i needs w_i to depend on θ_i
        per_unit = on_allocation[:, cols.own[i]] / joint[:, None]
        own_type = env.layout.profile_types[:, i]
        table = np.zeros((env.type_counts[i], cols.width))
        table[own_type] = per_unit
        if not np.allclose(table[own_type], per_unit):
            return cost, "the objective values an allocation by others' types too"
        cost[cols.q(i, np.arange(env.type_counts[i]))] += table * env.prior.marginals[i][:, None]
    return cost, None


@dataclass(frozen=True)
class InterimForms:
    """The families' rows over interim columns (None where a family has no interim form)."""

    columns: InterimColumns
    blocks: dict[str, RowBlock | None]
    build_seconds: float

    def block(self, family: ConstraintFamily) -> RowBlock:
        """The family's interim rows; refused for a family without an interim form."""
        block = self.blocks.get(family.name)
        if block is None:
            raise InvalidArgumentError(
                f"interim formulation: the family {family.name!r} declares no interim form "
                "(ConstraintFamily.interim_rows)"
            )
        return block


def _program(
    env: Environment,
    problem: DesignProblem,
    forms: InterimForms,
    cost: FloatArray,
    seeds: dict[str, IntArray] | None = None,
) -> Program:
    """The interim program: each family's interim rows (only the rows ``seeds`` names
    for a generated family), the linking rows, column bounds."""
    cols = forms.columns
    start = time.perf_counter()
    seeds = seeds or {}
    named = [
        (name, block if name not in seeds else _rows_at(block, seeds[name]))
        for name, block in forms.blocks.items()
        if block is not None
    ]
    if not cols.border:
        named.append(("interim linking", _linking(env, cols)))
        bounds = Feasibility().bounds(env)  # a(θ) in its box; Q follows from the linking rows
    else:  # Border: q_i(k) is a probability
        q_columns = np.arange(cols.q_start[0], cols.m_start[0])
        bounds = VariableBounds(q_columns, np.zeros(len(q_columns)), np.ones(len(q_columns)))
    build_seconds = forms.build_seconds + time.perf_counter() - start
    return assemble(
        env,
        problem.objective,
        problem.families,
        named,
        [bounds],
        n_columns=cols.n_columns,
        cost=cost,
        constant=problem.objective.sign * problem.objective.constant(env),
        build_seconds=build_seconds,
        standard_layout=False,
    )


def _remaining(options: dict[str, Any], started: float) -> dict[str, Any]:
    """HiGHS options with a ``time_limit`` reduced by the seconds spent since ``started``
    (the formulation's own work counts against the user's limit)."""
    if "time_limit" not in options:
        return options
    left = float(options["time_limit"]) - (time.perf_counter() - started)
    return {**options, "time_limit": max(left, 0.0)}  # 0: HiGHS stops at once


def _rows_at(block: RowBlock, keys: IntArray) -> RowBlock:
    """The rows of ``block`` at ``keys``."""
    return RowBlock(sp.csr_array(block.matrix[keys]), block.lower[keys], block.upper[keys])


class InterimViolatedRows(ViolatedRows):
    """A generated family's most violated interim rows (Bayesian IC on interim rules).

    Its interim block has one row per (agent, pair) in the family's own row order,
    so every row's violation at x — V_i(k)·Q_i(r) − M_i(r) − [V_i(k)·Q_i(k) − M_i(k)]
    for Bayesian IC — is one sparse product, and the family names the rows to add
    (``most_violated_rows``: each type's most profitable lies). On columns shared by
    identical agents (``shared``) every agent's rows are agent 0's, so only those —
    the first of N equal parts — are proposed.
    """

    def __init__(
        self,
        env: Environment,
        family: ConstraintFamily,
        block: RowBlock,
        tol: float,
        lies: int,
        shared: bool = False,
    ) -> None:
        super().__init__(env, family, tol, lies)
        self.block = block
        #: Rows that may be proposed: the first ones, agent 0's when shared.
        self.n_proposed = block.n_rows // env.n_agents if shared else block.n_rows

    def candidates(self, x: FloatArray) -> Candidates:
        gain = self.block.matrix @ x - self.block.upper
        gain[self.n_proposed :] = 0.0
        keys = self.family.most_violated_rows(self.env, np.maximum(gain, 0.0), self.tol, self.lies)
        return Candidates(_rows_at(self.block, keys), gain[keys], keys)


#: Most combinations of the other bidders' top sets :class:`BorderInequalities` enumerates.
MAX_BORDER_COMBINATIONS = 500_000
#: HiGHS's primal feasibility tolerance while Border's inequalities are generated: a
#: hundredth of the separator's (1e-7), so an added set is never proposed again.
BORDER_FEASIBILITY_TOLERANCE = 1e-9
#: Most violated Border sets proposed per round.
MAX_BORDER_ROWS = 64


class BorderInequalities(Separator):
    """The most violated Border inequalities at a solution's winning probabilities q.

    Item by item (each item's q_{·j} must meet Border's inequalities on its own, see
    :meth:`Interim._border`). For fixed sets S_j of the other bidders, with
    P = Π_{j≠i} (1 − F_j(S_j)) the chance that none of them has a type in its set,
    Border's slack is Σ_{k∈S_i} f_i(k) (q_i(k) − P) + terms without S_i, largest
    for the top set S_i = {k: q_i(k) > P}. So the violated sets are products of
    per-bidder top sets by q_i, each with its own threshold (a common threshold
    across bidders, {(i, k): q_i(k) ≥ α}, does not suffice for asymmetric bidders:
    40 × 50 types has a q meeting every common-threshold set but violating a
    product by 1e-3). The separator enumerates the top sets of every bidder (of the largest
    one, past :data:`MAX_BORDER_COMBINATIONS` combinations in all, only its best
    top set for the unscaled slack, in closed form) and proposes the
    :data:`MAX_BORDER_ROWS` most violated sets per item, violations in q's units
    (below) — exact when the others' enumeration has at most
    :data:`MAX_BORDER_COMBINATIONS` combinations (for the scaled violation, when
    all top sets together have); beyond
    that the common thresholds are improved by best responses, a local search that
    may miss a set (then :func:`_recover_allocation` finds q infeasible and says so).

    Each row is divided by its set's mass F(S) = Σ_{(i,k)∈S} f_i(k), so it reads
    "the mass-weighted mean of q over S is at most g(S)/F(S)" and its violation is
    in units of q: HiGHS meets an added row within its primal feasibility tolerance
    (1e-7) in those units, however small the set, and ``tol`` (violations proposed)
    matches it. Unscaled, a set of one type of mass 1/400 could be violated by
    1e-7 in mass while its q exceeds what any allocation gives by 4e-5.
    """

    name = "feasibility"

    def __init__(self, env: Environment, cols: InterimColumns, tol: float = 1e-7) -> None:
        self.env, self.cols, self.tol = env, cols, tol
        counts = np.asarray(env.type_counts)
        self.last = int(np.argmax(counts))
        others = np.delete(counts, self.last) + 1
        self.exact = float(np.prod(others.astype(float))) <= MAX_BORDER_COMBINATIONS

    def item_columns(self, item: int) -> IntArray:
        """Columns of q_{i,item}(k) for every bidder i and type k, bidder by bidder."""
        return np.concatenate(
            [self.cols.q(i, np.arange(k))[:, item] for i, k in enumerate(self.env.type_counts)]
        )

    def candidates(self, x: FloatArray) -> Candidates:
        found = [self._item_candidates(x, self.item_columns(j)) for j in range(self.cols.width)]
        rows = RowBlock(
            sp.csr_array(sp.vstack([f.rows.matrix for f in found], format="csr")),
            np.concatenate([f.rows.lower for f in found]),
            np.concatenate([f.rows.upper for f in found]),
        )
        return Candidates(rows, np.concatenate([f.violation for f in found]))

    def _item_candidates(self, x: FloatArray, columns: IntArray) -> Candidates:
        """The most violated Border sets of the item whose q sits in ``columns``."""
        env, cols = self.env, self.cols
        q = x[columns]  # one per (bidder, type)
        offsets = np.concatenate([[0], np.cumsum(env.type_counts)])
        orders = [
            offsets[i] + np.argsort(-q[offsets[i] : offsets[i + 1]], kind="stable")
            for i in range(env.n_agents)
        ]
        lengths = self._product_sets(q, orders) if self.exact else self._common_sets(q, orders)
        mass = np.concatenate(env.prior.marginals)
        members = [
            np.concatenate([order[:n] for order, n in zip(orders, row, strict=True)])
            for row in lengths
        ]
        masses = np.array(
            [
                [mass[order[:n]].sum() for order, n in zip(orders, row, strict=True)]
                for row in lengths
            ]
        ).reshape(len(lengths), env.n_agents)
        set_mass = np.maximum(masses.sum(axis=1), np.finfo(float).tiny)
        bound = (1.0 - np.prod(1.0 - masses, axis=1)) / set_mass
        load = np.array([float(mass[m] @ q[m]) for m in members]) / set_mass
        violated = np.flatnonzero(load > bound + self.tol)
        violated = violated[np.argsort(bound[violated] - load[violated], kind="stable")][
            :MAX_BORDER_ROWS
        ]
        sizes = np.array([len(members[r]) for r in violated], dtype=np.intp)
        flat = (
            np.concatenate([members[r] for r in violated])
            if len(violated)
            else np.zeros(0, dtype=np.intp)
        )
        rows = RowBlock.from_entries(
            np.repeat(np.arange(len(violated)), sizes),
            columns[flat],
            mass[flat] / np.repeat(set_mass[violated], sizes),
            shape=(len(violated), cols.n_columns),
            upper=bound[violated],
        )
        return Candidates(rows, load[violated] - bound[violated])

    def _prefix_sums(self, q: FloatArray, order: IntArray) -> tuple[FloatArray, FloatArray]:
        """Mass F(n) and load L(n) of a bidder's n top types, n = 0 … K."""
        mass = np.concatenate(self.env.prior.marginals)[order]
        return (
            np.concatenate([[0.0], np.cumsum(mass)]),
            np.concatenate([[0.0], np.cumsum(mass * q[order])]),
        )

    def _product_sets(self, q: FloatArray, orders: list[IntArray]) -> IntArray:
        """Top-set sizes (one per bidder) of the most violated product sets, shape (R, N)."""
        n_agents, last = self.env.n_agents, self.last
        others = [i for i in range(n_agents) if i != last]
        grids = np.meshgrid(*[np.arange(len(orders[i]) + 1) for i in others], indexing="ij")
        sizes = (
            np.stack([g.ravel() for g in grids], axis=1)
            if others
            else np.zeros((1, 0), dtype=np.intp)
        )
        outside, load, set_mass = (np.ones(len(sizes)), np.zeros(len(sizes)), np.zeros(len(sizes)))
        for column, i in enumerate(others):
            mass, partial = self._prefix_sums(q, orders[i])
            outside *= 1.0 - mass[sizes[:, column]]
            load += partial[sizes[:, column]]
            set_mass += mass[sizes[:, column]]
        mass, partial = self._prefix_sums(q, orders[last])
        if len(sizes) * len(mass) <= MAX_BORDER_COMBINATIONS:  # every top set of the last
            best = np.broadcast_to(np.arange(len(mass)), (len(sizes), len(mass)))
            outside, load, set_mass = outside[:, None], load[:, None], set_mass[:, None]
        else:  # the last bidder's best top set for the unscaled slack: |{k: q(k) > P}|
            best = np.searchsorted(-q[orders[last]], -outside, side="left")
        slack = 1.0 - outside - load - (partial[best] - outside * mass[best])
        scaled = (slack / np.maximum(set_mass + mass[best], np.finfo(float).tiny)).ravel()
        pick = np.argsort(scaled, kind="stable")[:MAX_BORDER_ROWS]
        pick = pick[scaled[pick] < 0]  # how much in q's units: see _item_candidates
        rows = pick // best.shape[1] if best.ndim == 2 else pick
        chosen = np.zeros((len(pick), n_agents), dtype=np.intp)
        chosen[:, others] = sizes[rows]
        chosen[:, last] = best.ravel()[pick]
        return chosen

    def _common_sets(self, q: FloatArray, orders: list[IntArray]) -> IntArray:
        """Top-set sizes of the sets {(i, k): q_i(k) ≥ α} for every α in q, each then
        improved by best responses S_i = {k: q_i(k) > Π_{j≠i} (1 − F_j(S_j))} until
        none changes (each step raises the violation), shape (R, N)."""
        thresholds = np.unique(q)
        sizes = np.stack(
            [np.sum(q[order][None, :] >= thresholds[:, None], axis=1) for order in orders], axis=1
        )
        masses = [self._prefix_sums(q, order)[0] for order in orders]
        for _ in range(len(q) + 1):  # a guard: each sweep that changes a set gains
            changed = False
            for i, order in enumerate(orders):
                outside = np.ones(len(sizes))
                for j, mass in enumerate(masses):
                    if j != i:
                        outside *= 1.0 - mass[sizes[:, j]]
                best = np.searchsorted(-q[order], -outside, side="left")
                changed |= bool(np.any(best != sizes[:, i]))
                sizes[:, i] = best
            if not changed:
                break
        return np.unique(sizes, axis=0)


#: Violation (in q's units) from which a symmetric Border set is proposed: ten times
#: HiGHS's tolerance while generating. A set met only to 1e-7 leaves a deficit of
#: 1e-7·N·F(S) in mass that the recovery may place on one type (of mass 1/400 at
#: 20 × 20): the 2 × 2 U[0,1] optimum on 20 × 20 fell 2.6e-6 short at 1e-7, 4e-11 at 1e-8.
SYMMETRIC_BORDER_TOLERANCE = 1e-8


class SymmetricBorderInequalities(BorderInequalities):
    r"""The most violated symmetric Border inequalities at a shared interim rule q.

    With N identical bidders sharing one q per item (:class:`Interim`, symmetric
    interim rules), Border's condition reads, for every set S of one bidder's types,

    .. math:: N \sum_{k∈S} f(k)\, q(k) ≤ 1 − (1 − F(S))^N

    (Border 1991, symmetric reduced forms: products of different sets per bidder
    add nothing for a symmetric q; the chance some bidder has a type in S bounds
    the chance the item goes to a type in S), and the most violated S is a top set.
    With φ(F) = 1 − (1 − F)^N, concave, a set S minimising the slack
    φ(F(S)) − N Σ_S f q gains nothing by dropping any k ∈ S (of mass f(k) > 0) or
    adding any l ∉ S, so q(k) ≥ [φ(F) − φ(F − f(k))] / (N f(k)) > φ'(F)/N ≥ q(l)
    for N ≥ 2: S is {k: q(k) > α}, whole ties included. So the exact separation
    sorts q descending and checks its K prefixes, O(K log K) per item — no
    enumeration of products of sets. Each row is divided by N F(S), as in
    :class:`BorderInequalities` (violations in q's units); the
    :data:`MAX_BORDER_ROWS` most violated prefixes join per item and round.
    """

    def __init__(
        self, env: Environment, cols: InterimColumns, tol: float = SYMMETRIC_BORDER_TOLERANCE
    ) -> None:
        super().__init__(env, cols, tol)

    def item_columns(self, item: int) -> IntArray:
        """Columns of the shared q_{item}(k) for every type k."""
        return self.cols.q(0, np.arange(self.env.type_counts[0]))[:, item]

    def _item_candidates(self, x: FloatArray, columns: IntArray) -> Candidates:
        """The most violated top sets of the item whose shared q sits in ``columns``."""
        n_agents, mass = self.env.n_agents, self.env.prior.marginals[0]
        q = x[columns]
        order = np.argsort(-q, kind="stable")
        set_mass = np.cumsum(mass[order])  # F of the n top types, n = 1 … K
        load = np.cumsum(mass[order] * q[order]) / np.maximum(set_mass, np.finfo(float).tiny)
        bound = (1.0 - (1.0 - np.minimum(set_mass, 1.0)) ** n_agents) / np.maximum(
            n_agents * set_mass, np.finfo(float).tiny
        )
        violated = np.flatnonzero(load > bound + self.tol)
        violated = violated[np.argsort(bound[violated] - load[violated], kind="stable")][
            :MAX_BORDER_ROWS
        ]
        sizes = violated + 1
        flat = (
            np.concatenate([order[:n] for n in sizes])
            if len(sizes)
            else np.zeros(0, dtype=np.intp)
        )
        rows = RowBlock.from_entries(
            np.repeat(np.arange(len(sizes)), sizes),
            columns[flat],
            mass[flat] / np.repeat(set_mass[violated], sizes),
            shape=(len(sizes), self.cols.n_columns),
            upper=bound[violated],
        )
        return Candidates(rows, load[violated] - bound[violated])


#: Largest shortfall of a recovered interim winning probability below the program's q:
#: the program meets Border's inequalities within HiGHS's feasibility tolerance (1e-7),
#: which an ex-post allocation need not meet exactly; beyond this q is not implemented.
MAX_RECOVERY_SHORTFALL = 1e-6


def _recover_item(env: Environment, targets: list[FloatArray]) -> tuple[FloatArray, float]:
    """An ex-post allocation of one item whose interim winning probabilities are ``targets``.

    With y_i(θ) the chance bidder i wins at θ, q is implemented iff some y ≥ 0 with
    Σ_i y_i(θ) ≤ 1 averages to q_i(k) = Σ_{θ_{-i}} π(θ_{-i}) y_i(k, θ_{-i}). The last
    bidder L needs no variables: it can take any share of what the others leave,
    so it reaches q_L(l) iff Σ_{θ_{-L}} π(θ_{-L}) (1 − Σ_{i≠L} y_i(l, θ_{-L})) ≥ q_L(l),
    and then takes that residue scaled by q_L(l) over its mass. The LP is over the
    others' y and shortfalls s ≥ 0 of every target (each bidder's averaging row
    reads ... + s_i(k) = q_i(k), the last one's residue row ... ≤ 1 − q_L(l) +
    s_L(l)), minimising Σ f_i(k) s_i(k): 0 exactly when q is implemented (Border's
    inequalities hold). For two bidders Σ_i y_i(θ) ≤ 1 is a bound on y_1(θ), so the
    LP has only Σ K_i rows. Returns y, shape (P, N), and the largest shortfall of
    its interim rule below ``targets``.
    """
    layout = env.layout
    n_agents, n_profiles = env.n_agents, env.n_profiles
    last, n_free = n_agents - 1, n_agents - 1
    n_allocation, n_targets = n_profiles * n_free, sum(env.type_counts)
    profiles = np.arange(n_profiles)
    parts = [
        broadcast_entries(
            np.arange(n_targets),
            n_allocation + np.arange(n_targets),
            np.where(np.arange(n_targets) < n_targets - env.type_counts[last], 1.0, -1.0),
        )
    ]
    start = 0
    for i in range(n_agents):
        rows = start + np.arange(env.type_counts[i])
        by_agent, weights = layout.by_agent(i), env.prior.conditional(i)
        for other in range(n_free) if i == last else [i]:
            parts.append(broadcast_entries(rows[:, None], by_agent * n_free + other, weights))
        start += env.type_counts[i]
    goal = np.concatenate(targets)
    lower = np.concatenate(
        [goal[: start - env.type_counts[last]], np.full(env.type_counts[last], -np.inf)]
    )
    upper = np.concatenate([goal[: start - env.type_counts[last]], 1.0 - targets[last]])
    if n_free > 1:  # Σ_{i<L} y_i(θ) ≤ 1 at every profile
        parts.append(
            broadcast_entries(
                start + profiles[:, None], profiles[:, None] * n_free + np.arange(n_free), 1.0
            )
        )
        start += n_profiles
        lower = np.concatenate([lower, np.full(n_profiles, -np.inf)])
        upper = np.concatenate([upper, np.ones(n_profiles)])
    rows, columns, values = (np.concatenate(x) for x in zip(*parts, strict=True))
    n_columns = n_allocation + n_targets
    block = RowBlock.from_entries(
        rows, columns, values, shape=(start, n_columns), lower=lower, upper=upper
    )
    program = assemble(
        env,
        ZeroObjective(),
        (),
        [("interim rule", block)],
        [
            VariableBounds(
                np.arange(n_columns),
                np.zeros(n_columns),
                np.concatenate([np.ones(n_allocation), goal]),
            )
        ],
        n_columns=n_columns,
        constant=0.0,
        standard_layout=False,
        cost=np.concatenate([np.zeros(n_allocation), -np.concatenate(env.prior.marginals)]),
    )
    highs = HighspyBackend.load(program, {})
    highs.run()
    status = highs.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:  # y = 0, s = q is always feasible
        raise SolverFailedError(
            "the LP recovering an ex-post allocation from interim rules "
            f"ended {highs.modelStatusToString(status)}",
            [],
        )
    solution = np.asarray(highs.getSolution().col_value, dtype=float)
    won = np.zeros((n_profiles, n_agents))
    won[:, :n_free] = np.clip(solution[:n_allocation].reshape(n_profiles, n_free), 0.0, 1.0)
    won /= np.maximum(won.sum(axis=1, keepdims=True), 1.0)
    residue = 1.0 - won.sum(axis=1)
    by_last = layout.by_agent(last)
    room = (env.prior.conditional(last) * residue[by_last]).sum(axis=1)  # per type l
    share = np.divide(targets[last], room, out=np.zeros_like(room), where=room > 0)
    won[by_last, last] = residue[by_last] * np.minimum(share, 1.0)[:, None]
    shortfall = max(
        float(np.max(target - (env.prior.conditional(i) * won[layout.by_agent(i), i]).sum(axis=1)))
        for i, target in enumerate(targets)
    )
    return won, shortfall


def _recover_allocation(
    problem: DesignProblem, cols: InterimColumns, x: FloatArray
) -> tuple[FloatArray, float]:
    """An ex-post allocation whose interim winning probabilities are those in ``x``.

    Item by item (:func:`_recover_item`): the items' feasibility rows share no
    component, so the allocation is feasible iff each item's is. Returns the
    allocation, shape (P, C), and the seconds it took.

    Raises
    ------
    SolverFailedError
        When an item's q is not implemented within :data:`MAX_RECOVERY_SHORTFALL`.
    """
    start = time.perf_counter()
    env = problem.env
    allocation = np.zeros((env.n_profiles, env.n_components))
    for item in range(cols.width):
        targets = [x[cols.q(i, np.arange(k))[:, item]] for i, k in enumerate(env.type_counts)]
        won, shortfall = _recover_item(env, targets)
        if shortfall > MAX_RECOVERY_SHORTFALL:
            raise SolverFailedError(
                "the interim winning probabilities meet the Border inequalities generated, "
                f"but no ex-post allocation implements them (short by {shortfall:.3g}); the "
                "separator searches Border's sets only locally past MAX_BORDER_COMBINATIONS "
                'combinations of bidders\' top sets. Solve with formulation="direct" instead',
                [family.name for family in problem.families],
            )
        allocation[:, [cols.own[i][item] for i in range(env.n_agents)]] = won
    return allocation, time.perf_counter() - start


def _border_separator(env: Environment, cols: InterimColumns) -> BorderInequalities:
    """Border's inequalities for the columns: by top sets of one shared rule, or of each
    bidder's."""
    return (
        SymmetricBorderInequalities(env, cols) if cols.symmetric else BorderInequalities(env, cols)
    )


#: The row policy of interim generation: the default, but an added row leaves the program
#: only after five slack rounds (not two). Border's top sets by q change as q moves and
#: come back once dropped: with two bidders and three additive items under BIC, 8 × 8 × 8
#: took 497 solves (158 s) with two rounds and 164 solves (111 s) with five, and 6 × 6 × 6
#: 55 solves against 28 (4.3 s against 4.0 s); two items on 20 × 20, 34 solves against 25
#: in the same time (7.4 s, 7.7 s). Incentive-row generation keeps two: on 2 × 2 DSIC at
#: 12 × 12 five changed nothing (23.0 s against 23.8 s).
INTERIM_POLICY = RowPolicy(drop_slack_after=5)


class Interim(Formulation):
    """Bayesian design on interim rules (see the module docstring)."""

    name = "interim"

    def __init__(self, policy: RowPolicy = INTERIM_POLICY) -> None:
        #: Which violated Border inequalities join each round, and the round cap.
        self.policy = policy
        self._forms: tuple[DesignProblem, InterimForms] | None = None

    def forms(self, problem: DesignProblem) -> InterimForms:
        """Each family's interim rows (:meth:`ConstraintFamily.interim_rows`), built once.

        Remembered for the last problem asked about, so :meth:`obstacle` and
        :meth:`run` build them once. Stops at the first family without a form.
        """
        if self._forms is None or self._forms[0] is not problem:
            start = time.perf_counter()
            border = self._border(problem)
            columns = InterimColumns.of(
                problem.env, border, symmetric=border and self._symmetric(problem)
            )
            blocks: dict[str, RowBlock | None] = {}
            for family in problem.families:
                blocks[family.name] = family.interim_rows(problem.env, columns)
                if blocks[family.name] is None:
                    break
            self._forms = (problem, InterimForms(columns, blocks, time.perf_counter() - start))
        return self._forms[1]

    def obstacle(self, problem: DesignProblem) -> str | None:
        env = problem.env
        if problem.deterministic:
            return "deterministic mechanisms need ex-post allocation variables"
        if not env.prior.is_independent:
            return "types are correlated, so interim rules depend on the reporter's beliefs"
        if any(env.interdependent):
            return "values are interdependent"
        if problem.objective.requires_cvxpy:
            return "the objective is written as a cvxpy expression"
        reason = _objective(env, problem, InterimColumns.of(env, border=False))[1]
        if reason is not None:
            return reason
        blocks = self.forms(problem).blocks
        for family in problem.families:
            if blocks.get(family.name) is None:
                return (
                    f"the family {family.name!r} is not about interim rules alone (it needs "
                    "ex-post payments or allocations): it declares no interim form. A "
                    "family of your own takes part by defining interim_rows(env, columns) "
                    "(see ConstraintFamily.interim_rows)"
                )
        return None

    def run(self, problem: DesignProblem, engine: Backend, options: dict[str, Any]) -> Outcome:
        started = time.perf_counter()
        env = problem.env
        forms = self.forms(problem)
        cols = forms.columns
        cost, _ = _objective(env, problem, cols)
        if cols.border:
            return self._run_border(problem, forms, cost, options, started)
        program = _program(env, problem, forms, cost)
        result = run_program(engine, program, _remaining(options, started))
        z = None
        if result.x is not None:
            allocation = result.x[: cols.n_allocation]
            z = np.concatenate([allocation, self._payments(env, cols, result.x).ravel()])
        duals = {
            name: values
            for name, values in family_duals(program, result).items()
            if name != "interim linking"
        }
        details = (
            f"interim: {cols.n_columns - cols.n_allocation} interim variables, "
            "allocation linked to them"
        )
        return Outcome(
            result.status,
            result.message,
            z,
            result.objective,
            duals,
            Sizes.of(program),
            program.build_seconds,
            program.stack_seconds + result.compile_seconds,
            result.solve_seconds,
            details,
            algorithm=result.algorithm,
        )

    def _generated(
        self, problem: DesignProblem, forms: InterimForms
    ) -> dict[str, InterimViolatedRows]:
        """The separators of the generated (full-form incentive) families, by name."""
        env, cols = problem.env, forms.columns
        tol = 1e-9 * money_scale(env)  # the agents' money, not the principal's values
        return {
            f.name: InterimViolatedRows(
                env, f, forms.block(f), tol, self.policy.lies_per_type, cols.symmetric
            )
            for f in generated_families(problem)
        }

    def stage_program(
        self, problem: DesignProblem, duals: Mapping[str, FloatArray], anonymous: bool
    ) -> StageProgram:
        """The interim program, whose columns hold each z column's interim rule: the
        second stage weighs interim rules (Q_i(k) and M_i(k) with weight f_i(k)) towards
        the target's, and its payments are t_i(θ) = M_i(θ_i) as in :meth:`run`. With
        Border's inequalities it starts from the generated families' seed rows and those
        with a non-zero dual at the first optimum, and generates Border's sets and
        incentive rows with :meth:`run`'s separators."""
        env = problem.env
        forms = self.forms(problem)
        cols = forms.columns
        cost = _objective(env, problem, cols)[0]
        types = env.layout.profile_types
        payments = np.stack([cols.m(i, types[:, i]) for i in range(env.n_agents)], axis=1)
        note = "on the interim program (interim rules weighed; t_i(θ) = M_i(θ_i))"
        if not anonymous and cols.symmetric:
            note += "; one rule shared by identical bidders, so the target's are averaged"
        if not cols.border:
            allocation = np.arange(cols.n_allocation)
            return StageProgram(
                _program(env, problem, forms, cost),
                np.concatenate([allocation, payments.ravel()]),
                note=note,
                complete=False,
            )
        allocation = np.zeros((env.n_profiles, env.n_components), dtype=np.intp)
        for i in range(env.n_agents):
            allocation[:, cols.own[i]] = cols.q(i, types[:, i])
        generated = self._generated(problem, forms)
        keys = {}
        for name, g in generated.items():
            seeds = seed_rows(env, g.family)
            binding = np.flatnonzero(np.asarray(duals.get(name, np.zeros(0)))[: g.n_proposed])
            keys[name] = np.union1d(seeds[seeds < g.n_proposed], binding).astype(np.intp)

        def decisions(x: FloatArray) -> FloatArray:
            recovered = _recover_allocation(problem, cols, x)[0]
            return np.concatenate([recovered.ravel(), self._payments(env, cols, x).ravel()])

        return StageProgram(
            _program(env, problem, forms, cost, keys),
            np.concatenate([allocation.ravel(), payments.ravel()]),
            decisions,
            (_border_separator(env, cols), *generated.values()),
            keys,
            self.policy,
            note,
            complete=False,
        )

    def itemwise(self, problem: DesignProblem) -> bool:
        """Whether this formulation applies with Border's inequalities item by item to
        several items (no ex-post variables; see :func:`border_structure`)."""
        if self.obstacle(problem) is not None:
            return False
        columns = self.forms(problem).columns
        return columns.border and columns.width > 1

    @staticmethod
    def _border(problem: DesignProblem) -> bool:
        """Whether Border's inequalities can stand in for the ex-post allocation."""
        env = problem.env
        if not border_structure(env):
            return False
        return _objective(env, problem, InterimColumns.of(env, border=True))[1] is None

    @staticmethod
    def _symmetric(problem: DesignProblem) -> bool:
        """Whether one interim rule shared by all agents loses nothing (see the module
        docstring): identical agents (:func:`agent_symmetry`, with the symmetric
        formulation's other conditions), symmetric families, and an objective weighing
        every agent's interim rule alike."""
        env = problem.env
        if Symmetric().obstacle(problem) is not None or not all(
            family.symmetric for family in problem.families
        ):
            return False
        cols = InterimColumns.of(env, border=True)
        cost = _objective(env, problem, cols)[0]
        per_agent = [
            cost[np.concatenate([cols.q(i, np.arange(k)).ravel(), cols.m(i, np.arange(k))])]
            for i, k in enumerate(env.type_counts)
        ]
        return all(np.array_equal(c, per_agent[0]) for c in per_agent[1:])

    @staticmethod
    def _payments(env: Environment, cols: InterimColumns, x: FloatArray) -> FloatArray:
        """t_i(θ) = M_i(θ_i), shape (P, N)."""
        types = env.layout.profile_types
        return np.stack([x[cols.m(i, types[:, i])] for i in range(env.n_agents)], axis=1)

    def _run_border(
        self,
        problem: DesignProblem,
        forms: InterimForms,
        cost: FloatArray,
        options: dict[str, Any],
        started: float,
    ) -> Outcome:
        """Border's inequalities as violated, and the rows of generated (full-form
        incentive) families as violated, starting from each type's grid neighbours.
        A ``time_limit`` counts from ``started``: the generation loop gets what remains,
        and an allocation recovered after it ran out is not returned."""
        env, cols = problem.env, forms.columns
        generated = self._generated(problem, forms)
        seeds = {
            name: seeds[seeds < g.n_proposed]
            for name, g in generated.items()
            for seeds in [seed_rows(env, g.family)]
        }
        program = _program(env, problem, forms, cost, seeds)
        # rows met to well within the separator's tolerance, or a set HiGHS deems met
        # is proposed again each round (unless the caller asks otherwise)
        options = {"primal_feasibility_tolerance": BORDER_FEASIBILITY_TOLERANCE, **options}
        border = _border_separator(env, cols)
        run = generate(
            program,
            [border, *generated.values()],
            _remaining(options, started),
            seeded=seeds,
            policy=self.policy,
        )
        cuts_added = run.added["feasibility"].n_rows
        rows_by_family = {**program.rows_by_family(), "feasibility": cuts_added}
        for name in generated:
            rows_by_family[name] += run.added[name].n_rows
        sizes = Sizes(
            program.n_columns,
            run.n_rows,
            run.n_nonzeros,
            rows_by_family,
            program.nonzeros_by_family(),
        )
        compile_seconds = program.stack_seconds + run.compile_seconds
        if run.x is not None:
            allocation, recover_seconds = _recover_allocation(problem, cols, run.x)
            if _remaining(options, started).get("time_limit", math.inf) <= 0:
                run = replace(
                    run,
                    status=Status.FAILED,
                    message=f"Time limit reached: {options['time_limit']:g} s spent before "
                    "the ex-post allocation was recovered",
                    x=None,
                )
        if run.x is None:
            return Outcome(
                run.status,
                run.message,
                None,
                None,
                {},
                sizes,
                program.build_seconds,
                compile_seconds,
                run.solve_seconds,
                algorithm=run.algorithm,
            )
        row_dual = run.optimal_duals(problem.families)
        duals = {
            name: row_dual[rows]
            for name, rows in program.row_slices.items()
            if name != "feasibility"
        }
        for name, g in generated.items():  # rows never added are slack: dual 0
            full = np.zeros(g.block.n_rows)
            rows = program.row_slices[name]
            full[np.concatenate([seeds[name], run.added[name].all_keys()])] = row_dual[
                np.concatenate([np.arange(rows.start, rows.stop), run.added[name].all_rows()])
            ]
            if cols.symmetric:  # agent 0's row stands for each agent's: an equal share each
                full = np.tile(full[: g.n_proposed] / env.n_agents, env.n_agents)
            duals[name] = full
        z = np.concatenate([allocation.ravel(), self._payments(env, cols, run.x).ravel()])
        items = "" if cols.width == 1 else f" item by item ({cols.width} items)"
        if cols.symmetric:
            items += ", one interim rule shared by identical bidders"
        incentive = "".join(
            f"; {rows_by_family[name]} of {g.block.n_rows} {name} rows"
            for name, g in generated.items()
        )
        details = (
            f"interim with Border's inequalities{items}: "
            f"{run.details('inequalities', cuts_added)}{incentive}; ex-post allocation "
            f"recovered in {recover_seconds:.3f} s"
        )
        return Outcome(
            Status.OPTIMAL,
            "optimal",
            z,
            run.objective,
            duals,
            sizes,
            program.build_seconds,
            compile_seconds,
            run.solve_seconds + recover_seconds,
            details,
            algorithm=run.algorithm,
        )
