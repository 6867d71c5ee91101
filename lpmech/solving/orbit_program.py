"""Anonymous mechanisms built, solved and verified on orbits of profiles only.

The symmetric formulation (:mod:`lpmech.formulations.symmetric`) merges the columns
of the direct program into orbits after building agent 0's rows on all K^N
profiles, so its arrays — and the returned ex-post mechanism — grow with K^N. For
identical agents with independent types the same reduced program can be written
directly on orbits: an anonymous mechanism (a(σθ) = σ·a(θ), t(σθ) = σ·t(θ), which
loses nothing by the averaging argument of that module) is fixed by agent 0's
allocation x(k, m) ∈ R^J of the J items and payment t(k, m) at its own type k and
the *multiset* m of the others' types. There are K·C(K + N − 2, N − 1) such
(k, m), against K^N profiles: for 5 bidders × 20 types 177,100 against 3,200,000.

Rows, with V(k) agent 0's values for its own J components:

* dominant-strategy IC, for every multiset m and constrained pair (k, r) (every
  r ≠ k, or the neighbours of the compiled local form for single-parameter agents):
  V(k)·x(r, m) − t(r, m) ≤ V(k)·x(k, m) − t(k, m);
* ex-post IR: V(k)·x(k, m) − t(k, m) ≥ o(k);
* feasibility at each multiset M of all N types (one representative profile, θ
  sorted): the allocation space's rows on the components (i, j) ↦ x(θ_i, θ_{−i}, j).

Every agent's row at every profile is one of these (agent i at θ is agent 0 at
(θ_i, multiset of θ_{−i})), and every row here is a row of the full program on an
anonymous mechanism, so the optimum is the full program's. Revenue is
E[Σ_i t_i(θ)] = N·Σ_{k,m} q_k·Pr(m)·t(k, m), with Pr(m) the multinomial
probability of the others' multiset.

:class:`~lpmech.results.orbit_mechanism.OrbitMechanism` keeps the mechanism on
orbits and expands it to every profile only on request (refused when that would
not fit the memory limit); its ``verify`` checks it by brute force from utilities
of true and reported types at every (own type, others' multiset) and every report —
not from the program's rows.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from lpmech.arrays import FloatArray, IntArray
from lpmech.backends.engines import HighspyBackend
from lpmech.backends.status import Status
from lpmech.constraints import resolve_all
from lpmech.errors import InvalidArgumentError, ProblemTooLargeError
from lpmech.formulations.base import run_program
from lpmech.problem.allocation import Items
from lpmech.problem.environment import Environment, check_environment
from lpmech.problem.memory import resolve_memory_limit
from lpmech.problem.profile_orbits import ProfileOrbits, orbit_obstacle
from lpmech.problem.scales import data_scale
from lpmech.program.compiler import Program
from lpmech.program.objectives import Objective, Profit, Revenue, Welfare, resolve_objective
from lpmech.results.orbit_mechanism import OrbitMechanism, OrbitVerification
from lpmech.solving.orbit_size import OrbitSize, estimate_orbit_program, ic_pairs, orbit_families


@dataclass(frozen=True)
class OrbitSolution:
    """The orbit program's optimum, verified on orbits.

    ``seconds`` is the whole call, ``solve_seconds`` HiGHS's own run time.
    """

    status: Status
    mechanism: OrbitMechanism | None
    objective_value: float | None
    verification: OrbitVerification | None
    size: OrbitSize
    build_seconds: float
    solve_seconds: float
    verify_seconds: float
    seconds: float
    algorithm: str


def _n_items(env: Environment) -> int:
    """The number of items J of an orbit program's environment (items, one of each)."""
    if not isinstance(env.allocation, Items):
        raise InvalidArgumentError(
            "env: the orbit program needs an Items allocation, got "
            f"{type(env.allocation).__name__}"
        )
    return env.allocation.n_items


def _objective_weights(
    objective: Objective, env: Environment, n_items: int
) -> tuple[FloatArray, float]:
    """(per-unit weight of agent 0's items by own type (K, J), weight of its payment)."""
    k = env.agents[0].n_types
    v0 = np.broadcast_to(env.principal_value[:n_items], (k, n_items))
    if isinstance(objective, Revenue):
        return np.zeros((k, n_items)), 1.0
    if isinstance(objective, Profit):
        return np.array(v0), 1.0
    if isinstance(objective, Welfare):
        own = env.valuations[0][:, :n_items]
        return own + (v0 if objective.include_principal else 0.0), 0.0
    raise _not_stated(objective)


def _not_stated(objective: Objective) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"objective: the orbit program takes revenue, profit or welfare, not {objective.name!r}"
    )


def build_orbit_program(
    env: Environment, objective: Objective, constraints: Any, scale: float = 1.0
) -> Program:
    """The program over (x(k, m), t(k, m)), values divided by ``scale``.

    Columns: allocation (k·M + m)·J + j, then payments K·M·J + k·M + m.
    """
    families = orbit_families(constraints)
    n, k = env.n_agents, env.agents[0].n_types
    j = _n_items(env)
    others, profiles = ProfileOrbits(k, n - 1), ProfileOrbits(k, n)
    m_count = others.count
    n_alloc = k * m_count * j
    n_columns = n_alloc + k * m_count
    values = env.valuations[0][:, :j] / scale
    m = np.arange(m_count)

    def x_col(types: IntArray, multisets: IntArray, item: int) -> IntArray:
        return (types * m_count + multisets) * j + item

    def t_col(types: IntArray, multisets: IntArray) -> IntArray:
        return n_alloc + types * m_count + multisets

    blocks: list[sp.csr_array] = []
    lowers: list[FloatArray] = []
    uppers: list[FloatArray] = []
    slices: dict[str, slice] = {}
    start = 0
    if families["ic"] is not None:
        true_types, reports = ic_pairs(families["ic"], env)
        kk, rr = true_types[:, None], reports[:, None]  # (pairs, 1) against m (M,)
        rows = np.arange(len(true_types) * m_count).reshape(len(true_types), m_count)
        r_idx, c_idx, v_idx = [], [], []
        for item in range(j):  # V(k)·x(r, m) − V(k)·x(k, m)
            for types, sign in ((rr, 1.0), (kk, -1.0)):
                r_idx.append(rows)
                c_idx.append(x_col(types, m, item) + 0 * rows)
                v_idx.append(sign * values[kk, item] + 0 * rows)
        for types, sign in ((rr, -1.0), (kk, 1.0)):  # − t(r, m) + t(k, m)
            r_idx.append(rows)
            c_idx.append(t_col(types, m) + 0 * rows)
            v_idx.append(np.full(rows.shape, sign))
        blocks.append(_block(r_idx, c_idx, v_idx, rows.size, n_columns))
        lowers.append(np.full(rows.size, -np.inf))
        uppers.append(np.zeros(rows.size))
        slices[families["ic"].name] = slice(start, start + rows.size)
        start += rows.size
    if families["ir"] is not None:  # −V(k)·x(k, m) + t(k, m) ≤ −o(k)
        kk = np.arange(k)[:, None]
        rows = np.arange(k * m_count).reshape(k, m_count)
        r_idx = [rows] * (j + 1)
        c_idx = [x_col(kk, m, item) + 0 * rows for item in range(j)] + [t_col(kk, m) + 0 * rows]
        v_idx = [-values[kk, item] + 0 * rows for item in range(j)] + [np.ones(rows.shape)]
        blocks.append(_block(r_idx, c_idx, v_idx, rows.size, n_columns))
        lowers.append(np.full(rows.size, -np.inf))
        uppers.append(np.repeat(-env.outside_options[0] / scale, m_count))
        slices["ex_post_ir"] = slice(start, start + rows.size)
        start += rows.size
    space = env.allocation.matrix.tocoo()
    members = profiles.members
    ranks = [profiles.without(members, i) for i in range(n)]
    n_space = space.shape[0]
    rows_of = np.arange(profiles.count)[:, None] * n_space
    r_idx, c_idx, v_idx = [], [], []
    for row, component, value in zip(space.row, space.col, space.data, strict=True):
        agent, item = divmod(int(component), j)
        r_idx.append(rows_of[:, 0] + row)
        c_idx.append(x_col(members[:, agent], ranks[agent], item))
        v_idx.append(np.full(profiles.count, value))
    n_rows = profiles.count * n_space
    blocks.append(_block(r_idx, c_idx, v_idx, n_rows, n_columns))
    lowers.append(np.tile(env.allocation.row_lower, profiles.count))
    uppers.append(np.tile(env.allocation.row_upper, profiles.count))
    slices["feasibility"] = slice(start, start + n_rows)

    per_unit, per_payment = _objective_weights(objective, env, j)
    weights = n * env.prior.marginals[0][:, None] * others.probabilities(env.prior.marginals[0])
    cost = np.concatenate(
        [
            (weights[:, :, None] * per_unit[:, None, :] / scale).ravel(),
            (weights * per_payment).ravel(),
        ]
    )
    sign = 1.0 if objective.sense == "maximize" else -1.0
    column_lower = np.concatenate(
        [np.tile(env.allocation.lower[:j], k * m_count), np.full(k * m_count, -np.inf)]
    )
    column_upper = np.concatenate(
        [np.tile(env.allocation.upper[:j], k * m_count), np.full(k * m_count, np.inf)]
    )
    return Program(
        env=env,
        objective=objective,
        families=tuple(resolve_all(constraints)),
        matrix=sp.csr_array(sp.vstack(blocks, format="csr")),
        row_lower=np.concatenate(lowers),
        row_upper=np.concatenate(uppers),
        row_slices=slices,
        column_lower=column_lower,
        column_upper=column_upper,
        cost=sign * cost,
        constant=0.0,
        deterministic=False,
        build_seconds=0.0,
        stack_seconds=0.0,
        standard_layout=False,
    )


def _block(
    rows: list[Any], columns: list[Any], values: list[Any], n_rows: int, n_columns: int
) -> sp.csr_array:
    """A CSR block from lists of coordinate arrays (duplicates summed)."""
    matrix = sp.csr_array(
        (
            np.concatenate([np.ravel(v) for v in values]),
            (
                np.concatenate([np.ravel(r) for r in rows]),
                np.concatenate([np.ravel(c) for c in columns]),
            ),
        ),
        shape=(n_rows, n_columns),
    )
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    return matrix


def solve_orbits(
    env: Environment,
    objective: str | Objective = "revenue",
    constraints: Any = ("dominant_strategy_ic", "ex_post_ir"),
    *,
    tol: float = 1e-6,
    memory_limit: float | None = None,
    options: dict[str, Any] | None = None,
) -> OrbitSolution:
    """Solve the design problem over anonymous mechanisms on orbits (module docstring).

    Values are divided by their scale before solving and payments multiplied back.
    The optimum is verified by :meth:`OrbitMechanism.verify`.

    Raises
    ------
    InvalidArgumentError
        When the environment has no orbit program, or a family or objective is
        not one it states.
    ProblemTooLargeError
        When the estimated program exceeds ``memory_limit``.
    """

    start = time.perf_counter()
    env = check_environment(env, "solve_orbits: env")
    obstacle = orbit_obstacle(env)
    if obstacle is not None:
        raise InvalidArgumentError(f"solve_orbits: env: {obstacle}")
    objective = resolve_objective(objective)
    size = estimate_orbit_program(env, constraints)
    limit = resolve_memory_limit(memory_limit)
    if size.n_bytes > limit:
        raise ProblemTooLargeError(
            f"solve_orbits: the orbit program ({size.n_columns:,} columns, {size.n_rows:,} "
            f"rows) needs about {size.n_bytes / 2**20:,.0f} MiB, over the limit of "
            f"{limit / 2**20:,.0f} MiB",
            size.n_bytes,
            limit,
        )
    scale = data_scale(env)
    program = build_orbit_program(env, objective, constraints, scale)
    program = replace(program, build_seconds=time.perf_counter() - start)
    result = run_program(HighspyBackend(), program, dict(options or {}))
    if result.status is not Status.OPTIMAL or result.x is None:
        return OrbitSolution(
            result.status,
            None,
            None,
            None,
            size,
            program.build_seconds,
            result.solve_seconds,
            0.0,
            time.perf_counter() - start,
            result.algorithm,
        )
    k = env.agents[0].n_types
    j = _n_items(env)
    m_count = math.comb(k + env.n_agents - 2, env.n_agents - 1)
    n_alloc = k * m_count * j
    mechanism = OrbitMechanism(
        env,
        result.x[:n_alloc].reshape(k, m_count, j),
        scale * result.x[n_alloc:].reshape(k, m_count),
        name=f"LP optimum on orbits ({objective.name})",
    )
    verify_start = time.perf_counter()
    verification = mechanism.verify(constraints, tol=tol)
    verify_seconds = time.perf_counter() - verify_start
    value = _value(objective, mechanism)
    return OrbitSolution(
        result.status,
        mechanism,
        value,
        verification,
        size,
        program.build_seconds,
        result.solve_seconds,
        verify_seconds,
        time.perf_counter() - start,
        result.algorithm,
    )


def _value(objective: Objective, mechanism: OrbitMechanism) -> float:
    if isinstance(objective, Revenue):
        return mechanism.expected_revenue()
    if isinstance(objective, Profit):
        return mechanism.expected_budget_surplus()
    if not isinstance(objective, Welfare):
        raise _not_stated(objective)
    return mechanism.expected_welfare(objective.include_principal)
