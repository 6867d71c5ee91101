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

  (Border 1991). It suffices to check the sets {(i, k): q_i(k) ≥ α} (Cai,
  Daskalakis and Weinberg 2012), so those are generated for the current q and the
  program re-solved from its basis until none is violated; an ex-post allocation
  implementing q is then recovered by a feasibility LP.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from lpmech.algorithms import algorithm_named, warm_start_options
from lpmech.allocation import Items
from lpmech.backends import Backend, HighspyBackend
from lpmech.compiler import Program
from lpmech.constraints.base import ConstraintFamily, RowBlock
from lpmech.constraints.budget import ExAnteBudgetBalance
from lpmech.constraints.feasibility import Feasibility
from lpmech.constraints.incentive import IncentiveCompatibility
from lpmech.constraints.monotonicity import InterimMonotonicity
from lpmech.constraints.participation import ExAnteIR, InterimIR
from lpmech.environment import Environment
from lpmech.formulations.base import (
    DesignProblem,
    Formulation,
    Outcome,
    Sizes,
    family_duals,
    run_program,
)
from lpmech.status import Status, from_highs

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

#: Rounds of Border generation before giving up.
MAX_BORDER_ROUNDS = 500


@dataclass(frozen=True)
class InterimColumns:
    """Columns of an interim program: [a (linking only) | Q | M].

    ``width`` is C (Q_i(k) is a vector over components) with linking, 1 with
    Border (q_i(k) is bidder i's own winning probability); ``values[i]`` is the
    matching (K_i, width) table of agent i's values.
    """

    n_allocation: int
    width: int
    q_start: IntArray  # first Q column of each agent
    m_start: IntArray  # first M column of each agent
    n_columns: int
    values: tuple[FloatArray, ...]

    def q(self, agent: int, types: ArrayLikeInt) -> IntArray:
        """Q columns of the given types of an agent, shape (*types.shape, width)."""
        types = np.asarray(types)[..., None]
        return self.q_start[agent] + types * self.width + np.arange(self.width)

    def m(self, agent: int, types: ArrayLikeInt) -> IntArray:
        """M column of the given types of an agent."""
        return self.m_start[agent] + np.asarray(types)


ArrayLikeInt = IntArray | list[int] | int


def _columns(env: Environment, border: bool) -> InterimColumns:
    counts = np.array(env.type_counts)
    if border:
        space = env.allocation
        width, n_allocation = 1, 0
        values = tuple(env.valuations[i][:, [space.component(i)]] for i in range(env.n_agents))
    else:
        width, n_allocation = env.n_components, env.layout.n_allocation_columns
        values = env.valuations
    q_start = n_allocation + width * np.concatenate([[0], np.cumsum(counts)[:-1]])
    m_base = n_allocation + width * int(counts.sum())
    m_start = m_base + np.concatenate([[0], np.cumsum(counts)[:-1]])
    return InterimColumns(n_allocation, width, q_start, m_start, m_base + int(counts.sum()),
                          values)


def _entries(rows: NDArray, columns: NDArray, values: NDArray) -> Iterator[NDArray]:
    shape = np.broadcast_shapes(np.shape(rows), np.shape(columns), np.shape(values))
    for array in (rows, columns, values):
        yield np.broadcast_to(array, shape).ravel()


def _block(parts: list[tuple[NDArray, NDArray, NDArray]], n_rows: int, n_columns: int,
           lower: Any = -np.inf, upper: Any = np.inf) -> RowBlock:
    if not parts:
        return RowBlock.from_entries([], [], [], shape=(n_rows, n_columns), lower=lower,
                                     upper=upper)
    rows, columns, values = (np.concatenate(x) for x in zip(*parts, strict=True))
    return RowBlock.from_entries(rows, columns, values, shape=(n_rows, n_columns), lower=lower,
                                 upper=upper)


def _utility(cols: InterimColumns, agent: int, true_types: NDArray, reports: NDArray,
             rows: NDArray, sign: float) -> list[tuple[NDArray, NDArray, NDArray]]:
    """Entries of sign · (V_i(k)·Q_i(r) − M_i(r)) into ``rows``."""
    values = cols.values[agent][true_types]  # (Q, W)
    return [
        tuple(_entries(rows[:, None], cols.q(agent, reports), sign * values)),
        tuple(_entries(rows, cols.m(agent, reports), -sign)),
    ]


def _family_rows(env: Environment, family: ConstraintFamily, cols: InterimColumns
                 ) -> RowBlock:
    """The family's rows over the interim columns, in the family's own row order."""
    n = cols.n_columns
    if isinstance(family, IncentiveCompatibility):
        parts, start = [], 0
        for i in range(env.n_agents):
            true_types, reports = family.pairs(env, i)
            rows = start + np.arange(len(true_types))
            parts += _utility(cols, i, true_types, reports, rows, 1.0)
            parts += _utility(cols, i, true_types, true_types, rows, -1.0)
            start += len(true_types)
        return _block(parts, start, n, upper=0.0)
    if isinstance(family, InterimIR):
        parts, start, upper = [], 0, []
        for i in range(env.n_agents):
            types = np.arange(env.type_counts[i])
            parts += _utility(cols, i, types, types, start + types, -1.0)
            upper.append(-env.outside_options[i])
            start += len(types)
        return _block(parts, start, n, upper=np.concatenate(upper))
    if isinstance(family, ExAnteIR):
        parts, upper = [], []
        for i in range(env.n_agents):
            types = np.arange(env.type_counts[i])
            marginal = env.prior.marginals[i]
            # Σ_k f_i(k) (−V_i(k)·Q_i(k) + M_i(k)) ≤ −E[o_i]
            parts.append(tuple(_entries(i, cols.q(i, types),
                                        -marginal[:, None] * cols.values[i])))
            parts.append(tuple(_entries(i, cols.m(i, types), marginal)))
            upper.append(-(marginal @ env.outside_options[i]))
        return _block(parts, env.n_agents, n, upper=np.array(upper))
    if isinstance(family, ExAnteBudgetBalance):
        parts = [tuple(_entries(0, cols.m(i, np.arange(env.type_counts[i])),
                                env.prior.marginals[i])) for i in range(env.n_agents)]
        parts.append(_principal_value(env, cols))
        upper = family.required if family.strict else np.inf
        return _block(parts, 1, n, lower=family.required, upper=upper)
    if isinstance(family, InterimMonotonicity):
        parts, start = [], 0
        for i in range(env.n_agents):
            form = env.single_parameter(i)
            border = cols.n_allocation == 0  # q_i is bidder i's own winning probability
            direction = form.direction[[env.allocation.component(i)]] if border else \
                form.direction
            low, high = form.order[:-1], form.order[1:]
            rows = start + np.arange(len(low))
            parts.append(tuple(_entries(rows[:, None], cols.q(i, low), direction)))
            parts.append(tuple(_entries(rows[:, None], cols.q(i, high), -direction)))
            start += len(low)
        return _block(parts, start, n, upper=0.0)
    if isinstance(family, Feasibility):
        if cols.n_allocation == 0:
            return RowBlock.empty(n)
        block = family.rows(env)
        matrix = sp.hstack([block.matrix[:, :cols.n_allocation],
                            sp.csr_array((block.n_rows, n - cols.n_allocation))], format="csr")
        return RowBlock(sp.csr_array(matrix), block.lower, block.upper)
    raise TypeError(f"{family.name} has no interim form")


def _principal_value(env: Environment, cols: InterimColumns) -> tuple[NDArray, NDArray,
                                                                      NDArray]:
    """Entries of E[v_0·a] in row 0, through a (linking) or through q (Border)."""
    if cols.n_allocation:
        weights = np.outer(env.prior.joint, env.principal_value).ravel()
        return tuple(_entries(0, np.arange(cols.n_allocation), weights))
    space = env.allocation
    columns, values = [], []
    for i in range(env.n_agents):
        types = np.arange(env.type_counts[i])
        columns.append(cols.q(i, types)[:, 0])
        values.append(env.prior.marginals[i] * env.principal_value[space.component(i)])
    return tuple(_entries(0, np.concatenate(columns), np.concatenate(values)))


def _linking(env: Environment, cols: InterimColumns) -> RowBlock:
    """Q_i(k)_c − Σ_{θ_{-i}} π(θ_{-i}) a_c(k, θ_{-i}) = 0 for every agent, type, component."""
    parts, start = [], 0
    layout = env.layout
    for i in range(env.n_agents):
        by_agent = layout.by_agent(i)  # (K, R)
        weights = env.prior.conditional(i)  # (K, R), the same row for every k
        n_types = env.type_counts[i]
        rows = start + np.arange(n_types * cols.width).reshape(n_types, cols.width)
        parts.append(tuple(_entries(rows, cols.q(i, np.arange(n_types)), 1.0)))
        parts.append(tuple(_entries(rows[:, None, :], layout.allocation_columns(by_agent),
                                    -weights[:, :, None])))
        start += n_types * cols.width
    return _block(parts, start, cols.n_columns, lower=0.0, upper=0.0)


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


def _program(env: Environment, problem: DesignProblem, cols: InterimColumns,
             cost: FloatArray) -> Program:
    start = time.perf_counter()
    blocks = [(f.name, _family_rows(env, f, cols)) for f in problem.families]
    if cols.n_allocation:
        blocks.append(("interim linking", _linking(env, cols)))
    build_seconds = time.perf_counter() - start
    start = time.perf_counter()
    stacked = RowBlock.stack([b for _, b in blocks], cols.n_columns)
    slices, position = {}, 0
    for name, block in blocks:
        slices[name] = slice(position, position + block.n_rows)
        position += block.n_rows
    lower = np.full(cols.n_columns, -np.inf)
    upper = np.full(cols.n_columns, np.inf)
    if cols.n_allocation:  # a(θ) in its box; Q follows from the linking rows
        bounds = Feasibility().bounds(env)
        lower[bounds.columns], upper[bounds.columns] = bounds.lower, bounds.upper
    else:  # Border: q_i(k) is a probability
        lower[cols.q_start[0]:cols.m_start[0]] = 0.0
        upper[cols.q_start[0]:cols.m_start[0]] = 1.0
    return Program(env=env, objective=problem.objective, families=problem.families,
                   matrix=stacked.matrix, row_lower=stacked.lower, row_upper=stacked.upper,
                   row_slices=slices, column_lower=lower, column_upper=upper, cost=cost,
                   constant=problem.objective.sign * problem.objective.constant(env),
                   deterministic=False, build_seconds=build_seconds,
                   stack_seconds=time.perf_counter() - start, standard_layout=False)


def _border_cuts(env: Environment, cols: InterimColumns, q: FloatArray, tol: float
                 ) -> list[tuple[IntArray, float]]:
    """Violated Border inequalities on the threshold sets of ``q``: (columns, bound)."""
    agent = np.concatenate([np.full(k, i) for i, k in enumerate(env.type_counts)])
    types = np.concatenate([np.arange(k) for k in env.type_counts])
    mass = np.concatenate(env.prior.marginals)
    order = np.argsort(-q, kind="stable")
    taken = np.zeros((len(order), env.n_agents))
    taken[np.arange(len(order)), agent[order]] = mass[order]
    per_agent = np.cumsum(taken, axis=0)  # mass of each bidder's types in the prefix
    bound = 1.0 - np.prod(1.0 - per_agent, axis=1)
    load = np.cumsum(mass[order] * q[order])
    cuts = []
    for end in np.flatnonzero(load > bound + tol):
        chosen = order[:end + 1]
        cuts.append((np.array([cols.q(agent[c], types[c])[0] for c in chosen]), bound[end]))
    return cuts


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
        parts.append(tuple(_entries(rows[:, None], columns, env.prior.conditional(i))))
        targets.extend(q[cols.q(i, np.arange(env.type_counts[i]))[:, 0] - cols.q_start[0]])
    linking = _block(parts, len(targets), layout.n_allocation_columns, lower=np.array(targets),
                     upper=np.array(targets))
    allocation_rows = sp.csr_array(block.matrix[:, :layout.n_allocation_columns])
    stacked = RowBlock.stack([RowBlock(allocation_rows, block.lower, block.upper), linking],
                             layout.n_allocation_columns)
    bounds = feasibility.bounds(env)
    program = Program(
        env=env, objective=problem.objective, families=(), matrix=stacked.matrix,
        row_lower=stacked.lower, row_upper=stacked.upper, row_slices={},
        column_lower=bounds.lower, column_upper=bounds.upper,
        cost=np.zeros(layout.n_allocation_columns), constant=0.0, deterministic=False,
        build_seconds=0.0, stack_seconds=0.0, standard_layout=False,
    )
    highs = HighspyBackend.load(program, {})
    build_seconds = time.perf_counter() - start
    start = time.perf_counter()
    highs.run()
    solve_seconds = time.perf_counter() - start
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError("internal error: Border's inequalities hold but no ex-post "
                           "allocation implements the interim rule")
    allocation = np.asarray(highs.getSolution().col_value, dtype=float).reshape(
        layout.n_profiles, env.n_components)
    return allocation, build_seconds, solve_seconds


_INTERIM_FAMILIES = (Feasibility, InterimIR, ExAnteIR, ExAnteBudgetBalance, InterimMonotonicity)


class Interim(Formulation):
    """Bayesian design on interim rules (see the module docstring)."""

    name = "interim"

    def obstacle(self, problem: DesignProblem) -> str | None:
        env = problem.env
        if problem.deterministic:
            return "deterministic mechanisms need ex-post allocation variables"
        if not env.prior.is_independent:
            return "types are correlated, so interim rules depend on the reporter's beliefs"
        if any(env.interdependent):
            return "values are interdependent"
        for family in problem.families:
            bayesian = isinstance(family, IncentiveCompatibility) and not family.ex_post
            if not bayesian and not isinstance(family, _INTERIM_FAMILIES):
                return (f"the family {family.name!r} is not about interim rules alone (it needs "
                        "ex-post payments or allocations)")
        if problem.objective.requires_cvxpy:
            return "the objective is written as a cvxpy expression"
        reason = _objective(env, problem, _columns(env, border=False))[1]
        return reason

    def run(self, problem: DesignProblem, engine: Backend, options: dict[str, Any]) -> Outcome:
        env = problem.env
        border = self._border(problem)
        cols = _columns(env, border)
        cost, _ = _objective(env, problem, cols)
        program = _program(env, problem, cols, cost)
        if border:
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
        return _objective(env, problem, _columns(env, border=True))[1] is None

    @staticmethod
    def _payments(env: Environment, cols: InterimColumns, x: FloatArray) -> FloatArray:
        """t_i(θ) = M_i(θ_i), shape (P, N)."""
        types = env.layout.profile_types
        return np.stack([x[cols.m(i, types[:, i])] for i in range(env.n_agents)], axis=1)

    def _run_border(self, problem: DesignProblem, program: Program, cols: InterimColumns,
                    options: dict[str, Any]) -> Outcome:
        env = problem.env
        start = time.perf_counter()
        options = warm_start_options(options, problem.deterministic)
        highs = HighspyBackend.load(program, options)
        compile_seconds = program.stack_seconds + time.perf_counter() - start
        solve_seconds, rounds, cuts_added = 0.0, 0, 0
        q_columns = slice(cols.q_start[0], cols.m_start[0])
        while True:
            start = time.perf_counter()
            highs.run()
            solve_seconds += time.perf_counter() - start
            rounds += 1
            status = from_highs(highs.getModelStatus())
            if status is not Status.OPTIMAL:
                return Outcome(status, highs.modelStatusToString(highs.getModelStatus()), None,
                               None, {}, Sizes.of(program), program.build_seconds,
                               compile_seconds, solve_seconds)
            x = np.asarray(highs.getSolution().col_value, dtype=float)
            cuts = _border_cuts(env, cols, x[q_columns], 1e-9)
            if not cuts:
                break
            if rounds >= MAX_BORDER_ROUNDS:
                return Outcome(Status.FAILED, "Border generation did not converge",
                               None, None, {}, Sizes.of(program), program.build_seconds,
                               compile_seconds, solve_seconds)
            for columns, bound in cuts:
                highs.addRows(1, np.array([-highspy.kHighsInf]), np.array([bound]),
                              len(columns), np.array([0]), columns,
                              np.concatenate(env.prior.marginals)[columns - cols.q_start[0]])
            cuts_added += len(cuts)
        row_dual = np.asarray(highs.getSolution().row_dual, dtype=float)
        duals = {name: row_dual[rows] for name, rows in program.row_slices.items()
                 if name != "feasibility"}
        allocation, recover_build, recover_solve = _recover_allocation(problem, cols,
                                                                       x[q_columns])
        z = np.concatenate([allocation.ravel(), self._payments(env, cols, x).ravel()])
        sizes = Sizes(program.n_columns, highs.getNumRow(), highs.getNumNz(),
                      {**program.rows_by_family(), "feasibility": cuts_added},
                      program.nonzeros_by_family())
        details = (f"interim with Border's inequalities: {rounds} solves, {cuts_added} "
                   f"inequalities; ex-post allocation recovered by an LP in "
                   f"{recover_build + recover_solve:.3f} s")
        return Outcome(Status.OPTIMAL, "optimal", z,
                       float(highs.getInfo().objective_function_value), duals, sizes,
                       program.build_seconds, compile_seconds + recover_build,
                       solve_seconds + recover_solve, details,
                       algorithm=algorithm_named(options, problem.deterministic))
