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
* **Border** (a single item): no ex-post variables. The interim winning
  probabilities q_i(k) are feasible iff for every set S of (bidder, type) pairs

  .. math:: \sum_{(i,k)∈S} f_i(k)\, q_i(k) ≤ 1 − \prod_i \Big(1 − \sum_{k:(i,k)∈S} f_i(k)\Big)

  (Border 1991). The most violated set is a product of per-bidder top sets by q_i
  (see :class:`BorderInequalities`), so those are generated for the current q and
  the program re-solved from its basis until none is violated; an ex-post
  allocation implementing q is then recovered by a feasibility LP.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from lpmech.allocation import Items
from lpmech.arrays import FloatArray, IntArray
from lpmech.backends import Backend, HighspyBackend
from lpmech.compiler import Program, assemble
from lpmech.constraints.base import RowBlock, VariableBounds, broadcast_entries
from lpmech.constraints.feasibility import Feasibility
from lpmech.environment import Environment
from lpmech.errors import SolverFailedError
from lpmech.formulations.base import (
    DesignProblem,
    Formulation,
    Outcome,
    Sizes,
    family_duals,
    run_program,
)
from lpmech.formulations.row_generation import (
    DEFAULT_POLICY,
    Candidates,
    RowPolicy,
    Separator,
    generate,
)
from lpmech.interim_layout import InterimColumns
from lpmech.objectives import ZeroObjective
from lpmech.status import Status


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
        parts.append(broadcast_entries(rows[:, None, :], layout.allocation_columns(by_agent),
                                       -weights[:, :, None]))
        start += n_types * cols.width
    return cols.block(parts, start, lower=0.0, upper=0.0)


def _objective(env: Environment, problem: DesignProblem, cols: InterimColumns
               ) -> tuple[FloatArray, str | None]:
    """Objective over interim columns, or why it cannot be written on them."""
    layout = env.layout
    full = problem.objective.sign * problem.objective.coefficients(env)
    on_allocation = full[:layout.n_allocation_columns].reshape(layout.n_profiles,
                                                               env.n_components)
    on_payments = full[layout.n_allocation_columns:].reshape(layout.n_profiles, env.n_agents)
    cost = np.zeros(cols.n_columns)
    joint = env.prior.joint
    for i in range(env.n_agents):
        rate = on_payments[:, i] / joint  # must not depend on the profile
        if not np.allclose(rate, rate[0]):
            return cost, "the objective weighs payments other than by the prior"
        cost[cols.m(i, np.arange(env.type_counts[i]))] = rate[0] * env.prior.marginals[i]
    if cols.n_allocation:
        cost[:cols.n_allocation] = on_allocation.ravel()
        return cost, None
    space = env.allocation
    for i in range(env.n_agents):  # E[w_i(θ) a_i(θ)] through q_i needs w_i to depend on θ_i
        per_unit = on_allocation[:, space.component(i)] / joint
        own = env.layout.profile_types[:, i]
        table = np.zeros(env.type_counts[i])
        table[own] = per_unit
        if not np.allclose(table[own], per_unit):
            return cost, "the objective values an allocation by others' types too"
        cost[cols.q(i, np.arange(env.type_counts[i]))[:, 0]] = table * env.prior.marginals[i]
    return cost, None


@dataclass(frozen=True)
class InterimForms:
    """The families' rows over interim columns (None where a family has no interim form)."""

    columns: InterimColumns
    blocks: dict[str, RowBlock | None]
    build_seconds: float


def _program(env: Environment, problem: DesignProblem, forms: InterimForms,
             cost: FloatArray) -> Program:
    """The interim program: each family's interim rows, the linking rows, column bounds."""
    cols = forms.columns
    start = time.perf_counter()
    named = [(name, block) for name, block in forms.blocks.items() if block is not None]
    if not cols.border:
        named.append(("interim linking", _linking(env, cols)))
        bounds = Feasibility().bounds(env)  # a(θ) in its box; Q follows from the linking rows
    else:  # Border: q_i(k) is a probability
        q_columns = np.arange(cols.q_start[0], cols.m_start[0])
        bounds = VariableBounds(q_columns, np.zeros(len(q_columns)), np.ones(len(q_columns)))
    build_seconds = forms.build_seconds + time.perf_counter() - start
    return assemble(env, problem.objective, problem.families, named, [bounds],
                    n_columns=cols.n_columns, cost=cost,
                    constant=problem.objective.sign * problem.objective.constant(env),
                    build_seconds=build_seconds, standard_layout=False)


#: Most combinations of the other bidders' top sets :class:`BorderInequalities` enumerates.
MAX_BORDER_COMBINATIONS = 500_000
#: Most violated Border sets proposed per round.
MAX_BORDER_ROWS = 64


class BorderInequalities(Separator):
    """The most violated Border inequalities at a solution's winning probabilities q.

    For fixed sets S_j of the other bidders, with P = Π_{j≠i} (1 − F_j(S_j)) the
    chance that none of them has a type in its set, Border's slack is
    Σ_{k∈S_i} f_i(k) (q_i(k) − P) + terms without S_i, largest for the top set
    S_i = {k: q_i(k) > P}. So the violated sets are products of per-bidder top sets
    by q_i, each with its own threshold (a common threshold across bidders,
    {(i, k): q_i(k) ≥ α}, does not suffice for asymmetric bidders: 40 × 50 types
    has a q meeting every common-threshold set but violating a product by 1e-3).
    The separator enumerates the top sets of every bidder but the largest, takes
    the best top set of that one in closed form, and proposes the
    :data:`MAX_BORDER_ROWS` most violated sets — exact when the enumeration has at
    most :data:`MAX_BORDER_COMBINATIONS` combinations; beyond that the common
    thresholds are improved by best responses, a local search that may miss a set
    (then :func:`_recover_allocation` finds q infeasible and says so).

    q is a probability and f a prior, so ``tol`` is scale-free; it matches HiGHS's
    primal feasibility tolerance (1e-7), within which added rows are met.
    """

    name = "feasibility"

    def __init__(self, env: Environment, cols: InterimColumns, tol: float = 1e-7) -> None:
        self.env, self.cols, self.tol = env, cols, tol
        counts = np.asarray(env.type_counts)
        self.last = int(np.argmax(counts))
        others = np.delete(counts, self.last) + 1
        self.exact = float(np.prod(others.astype(float))) <= MAX_BORDER_COMBINATIONS

    def candidates(self, x: FloatArray) -> Candidates:
        env, cols = self.env, self.cols
        q = x[cols.q_start[0]:cols.m_start[0]]  # Border's columns: one per (bidder, type)
        offsets = np.concatenate([[0], np.cumsum(env.type_counts)])
        orders = [offsets[i] + np.argsort(-q[offsets[i]:offsets[i + 1]], kind="stable")
                  for i in range(env.n_agents)]
        lengths = self._product_sets(q, orders) if self.exact else self._common_sets(q, orders)
        mass = np.concatenate(env.prior.marginals)
        members = [np.concatenate([order[:n] for order, n in zip(orders, row, strict=True)])
                   for row in lengths]
        masses = np.array([[mass[order[:n]].sum() for order, n in
                            zip(orders, row, strict=True)] for row in lengths]).reshape(
            len(lengths), env.n_agents)
        bound = 1.0 - np.prod(1.0 - masses, axis=1)
        load = np.array([float(mass[m] @ q[m]) for m in members])
        violated = np.flatnonzero(load > bound + self.tol)
        violated = violated[np.argsort(bound[violated] - load[violated],
                                       kind="stable")][:MAX_BORDER_ROWS]
        sizes = np.array([len(members[r]) for r in violated], dtype=np.intp)
        flat = np.concatenate([members[r] for r in violated]) if len(violated) else \
            np.zeros(0, dtype=np.intp)
        rows = RowBlock.from_entries(np.repeat(np.arange(len(violated)), sizes),
                                     cols.q_start[0] + flat, mass[flat],
                                     shape=(len(violated), cols.n_columns),
                                     upper=bound[violated])
        return Candidates(rows, load[violated] - bound[violated])

    def _prefix_sums(self, q: FloatArray, order: IntArray) -> tuple[FloatArray, FloatArray]:
        """Mass F(n) and load L(n) of a bidder's n top types, n = 0 … K."""
        mass = np.concatenate(self.env.prior.marginals)[order]
        return (np.concatenate([[0.0], np.cumsum(mass)]),
                np.concatenate([[0.0], np.cumsum(mass * q[order])]))

    def _product_sets(self, q: FloatArray, orders: list[IntArray]) -> IntArray:
        """Top-set sizes (one per bidder) of the most violated product sets, shape (R, N)."""
        n_agents, last = self.env.n_agents, self.last
        others = [i for i in range(n_agents) if i != last]
        grids = np.meshgrid(*[np.arange(len(orders[i]) + 1) for i in others], indexing="ij")
        sizes = np.stack([g.ravel() for g in grids], axis=1) if others else \
            np.zeros((1, 0), dtype=np.intp)
        outside, load = np.ones(len(sizes)), np.zeros(len(sizes))
        for column, i in enumerate(others):
            mass, partial = self._prefix_sums(q, orders[i])
            outside *= 1.0 - mass[sizes[:, column]]
            load += partial[sizes[:, column]]
        mass, partial = self._prefix_sums(q, orders[last])
        descending = q[orders[last]]
        best = np.searchsorted(-descending, -outside, side="left")  # |{k: q(k) > P}|
        slack = 1.0 - outside - load - (partial[best] - outside * mass[best])
        pick = np.argsort(slack, kind="stable")[:MAX_BORDER_ROWS]
        pick = pick[slack[pick] < -self.tol]
        chosen = np.zeros((len(pick), n_agents), dtype=np.intp)
        chosen[:, others] = sizes[pick]
        chosen[:, last] = best[pick]
        return chosen

    def _common_sets(self, q: FloatArray, orders: list[IntArray]) -> IntArray:
        """Top-set sizes of the sets {(i, k): q_i(k) ≥ α} for every α in q, each then
        improved by best responses S_i = {k: q_i(k) > Π_{j≠i} (1 − F_j(S_j))} until
        none changes (each step raises the violation), shape (R, N)."""
        thresholds = np.unique(q)
        sizes = np.stack([np.sum(q[order][None, :] >= thresholds[:, None], axis=1)
                          for order in orders], axis=1)
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


def _recover_allocation(problem: DesignProblem, cols: InterimColumns, q: FloatArray
                        ) -> tuple[FloatArray, float, float]:
    """An ex-post single-item allocation whose interim winning probabilities are ``q``.

    A feasibility LP: the environment's feasibility rows on a(θ), and
    Σ_{θ_{-i}} π(θ_{-i}) a_i(k, θ_{-i}) = q_i(k) for every bidder and type.
    Returns the allocation, the seconds spent building the LP and HiGHS's seconds.
    """
    start = time.perf_counter()
    env = problem.env
    layout = env.layout
    space = env.allocation
    feasibility = Feasibility()
    block = feasibility.rows(env)
    parts, targets = [], []
    for i in range(env.n_agents):
        by_agent = layout.by_agent(i)
        rows = len(targets) + np.arange(env.type_counts[i])
        columns = layout.allocation_columns(by_agent)[..., space.component(i)]
        parts.append(broadcast_entries(rows[:, None], columns, env.prior.conditional(i)))
        targets.extend(q[cols.q(i, np.arange(env.type_counts[i]))[:, 0] - cols.q_start[0]])
    rows, columns, values = (np.concatenate(x) for x in zip(*parts, strict=True))
    linking = RowBlock.from_entries(rows, columns, values,
                                    shape=(len(targets), layout.n_allocation_columns),
                                    lower=np.array(targets), upper=np.array(targets))
    allocation_rows = RowBlock(sp.csr_array(block.matrix[:, :layout.n_allocation_columns]),
                               block.lower, block.upper)
    program = assemble(env, ZeroObjective(), (), [("feasibility", allocation_rows),
                                                  ("interim rule", linking)],
                       [feasibility.bounds(env)], n_columns=layout.n_allocation_columns,
                       cost=np.zeros(layout.n_allocation_columns), constant=0.0,
                       standard_layout=False)
    highs = HighspyBackend.load(program, {})
    build_seconds = time.perf_counter() - start
    start = time.perf_counter()
    highs.run()
    solve_seconds = time.perf_counter() - start
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise SolverFailedError(
            "the interim winning probabilities meet the Border inequalities generated, but "
            "no ex-post allocation implements them (recovery LP: "
            f"{highs.modelStatusToString(highs.getModelStatus())}); the separator searches "
            "Border's sets only locally past MAX_BORDER_COMBINATIONS combinations of "
            "bidders' top sets. Solve with formulation=\"direct\" instead",
            [family.name for family in problem.families])
    allocation = np.asarray(highs.getSolution().col_value, dtype=float).reshape(
        layout.n_profiles, env.n_components)
    return allocation, build_seconds, solve_seconds


class Interim(Formulation):
    """Bayesian design on interim rules (see the module docstring)."""

    name = "interim"

    def __init__(self, policy: RowPolicy = DEFAULT_POLICY) -> None:
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
            columns = InterimColumns.of(problem.env, self._border(problem))
            blocks: dict[str, RowBlock | None] = {}
            for family in problem.families:
                blocks[family.name] = family.interim_rows(problem.env, columns)
                if blocks[family.name] is None:
                    break
            self._forms = (problem, InterimForms(columns, blocks,
                                                 time.perf_counter() - start))
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
                return (f"the family {family.name!r} is not about interim rules alone (it needs "
                        "ex-post payments or allocations): it declares no interim form. A "
                        "family of your own takes part by defining interim_rows(env, columns) "
                        "(see ConstraintFamily.interim_rows)")
        return None

    def run(self, problem: DesignProblem, engine: Backend, options: dict[str, Any]) -> Outcome:
        env = problem.env
        forms = self.forms(problem)
        cols = forms.columns
        cost, _ = _objective(env, problem, cols)
        program = _program(env, problem, forms, cost)
        if cols.border:
            return self._run_border(problem, program, cols, options)
        result = run_program(engine, program, options)
        z = None
        if result.x is not None:
            allocation = result.x[:cols.n_allocation]
            z = np.concatenate([allocation, self._payments(env, cols, result.x).ravel()])
        duals = {name: values for name, values in family_duals(program, result).items()
                 if name != "interim linking"}
        details = (f"interim: {cols.n_columns - cols.n_allocation} interim variables, "
                   "allocation linked to them")
        return Outcome(result.status, result.message, z, result.objective, duals,
                       Sizes.of(program), program.build_seconds,
                       program.stack_seconds + result.compile_seconds, result.solve_seconds,
                       details, algorithm=result.algorithm)

    @staticmethod
    def _border(problem: DesignProblem) -> bool:
        """Whether Border's inequalities can stand in for the ex-post allocation."""
        env = problem.env
        space = env.allocation
        if not isinstance(space, Items) or space.n_items != 1:
            return False
        for i in range(env.n_agents):  # each bidder values only its own winning
            own = np.zeros(env.n_components)
            own[space.component(i)] = 1.0
            if not np.allclose(env.valuations[i], env.valuations[i] * own):
                return False
        return _objective(env, problem, InterimColumns.of(env, border=True))[1] is None

    @staticmethod
    def _payments(env: Environment, cols: InterimColumns, x: FloatArray) -> FloatArray:
        """t_i(θ) = M_i(θ_i), shape (P, N)."""
        types = env.layout.profile_types
        return np.stack([x[cols.m(i, types[:, i])] for i in range(env.n_agents)], axis=1)

    def _run_border(self, problem: DesignProblem, program: Program, cols: InterimColumns,
                    options: dict[str, Any]) -> Outcome:
        env = problem.env
        run = generate(program, [BorderInequalities(env, cols)], options, policy=self.policy)
        cuts_added = run.added["feasibility"].n_rows
        sizes = Sizes(program.n_columns, run.n_rows, run.n_nonzeros,
                      {**program.rows_by_family(), "feasibility": cuts_added},
                      program.nonzeros_by_family())
        compile_seconds = program.stack_seconds + run.compile_seconds
        if run.x is None:
            return Outcome(run.status, run.message, None, None, {}, sizes,
                           program.build_seconds, compile_seconds, run.solve_seconds,
                           algorithm=run.algorithm)
        duals = {name: run.row_duals[rows] for name, rows in program.row_slices.items()
                 if name != "feasibility"}
        q = run.x[cols.q_start[0]:cols.m_start[0]]
        allocation, recover_build, recover_solve = _recover_allocation(problem, cols, q)
        z = np.concatenate([allocation.ravel(), self._payments(env, cols, run.x).ravel()])
        details = (f"interim with Border's inequalities: "
                   f"{run.details('inequalities', cuts_added)}; ex-post allocation recovered "
                   f"by an LP in {recover_build + recover_solve:.3f} s")
        return Outcome(Status.OPTIMAL, "optimal", z, run.objective, duals, sizes,
                       program.build_seconds, compile_seconds + recover_build,
                       run.solve_seconds + recover_solve, details, algorithm=run.algorithm)
