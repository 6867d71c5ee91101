r"""Canonical optima: one mechanism out of the face of optimal ones.

A design LP's optimal mechanisms form a face of its polytope, and HiGHS returns
whichever vertex of it it stops at. The mechanism is the result, so this module
picks one on purpose, and measures how much the face leaves open:

* **Identical agents, identical rules** (:func:`anonymise`). When relabelling the
  agents maps the environment, the objective and every family onto themselves
  (checked with :func:`~lpmech.formulations.symmetric.agent_symmetry` and
  :func:`~lpmech.formulations.symmetric.symmetry_obstacle`), the program is a
  convex program invariant under the group of relabellings, so the average of an
  optimum over the group is optimal, satisfies every family, and is anonymous:
  a(σθ) = σ·a(θ), t(σθ) = σ·t(θ). Averaging over the group is the mean of z over
  each column orbit.

* **Tie-breaking** (:func:`tie_break_stage`): a second program holds the
  objective at its optimum, c·z ≥ c·z* − δ with δ = 10⁻⁹ (|c·z*| + |c|·|z*|)
  (relative to the objective's own terms, so it holds in any units), and
  minimises a prior-weighted L1 distance

  .. math:: \sum_θ π(θ)\Big[\sum_c |a_c(θ) − a^0_c(θ)| + \sum_i |t_i(θ) − t^0_i(θ)|/V\Big]

  (V: the environment's value scale, :func:`~lpmech.problem.scales.data_scale`;
  profiles of prior 0 weigh as the least likely other profile). With
  ``"small_payments"`` the target is t⁰ = 0 and allocations are free: the least
  E[Σ_i |t_i(θ)|] + max_{i,θ} |t_i(θ)|/100 (in units of V; the second term stops
  the L1 norm loading a cost on one agent at one profile). With a :class:`Mechanism` the target
  is that mechanism, so where it is optimal it is the unique closest optimum and
  comes back exactly (distance 0): Myerson's auction, the Clarke pivot, AGV.

  Why L1 and not squared L2, whose minimiser is unique: L2 makes the second stage
  a quadratic program, and HiGHS's active-set QP solver, measured on the
  revenue-optimal DSIC auction over the optimal face, took 0.25 s against 0.04 s
  for the LP at 2 × 20 types and did not finish in 5 minutes at 2 × 30. The L1
  stage is a linear program (auxiliary s ≥ |z − z⁰| on the weighted columns), and
  recovers an optimal target exactly. The face is also restricted by complementary
  slackness with an optimal dual (:func:`_restricted`), so that presolve removes
  most of it. The L1 minimiser need not be unique; with identical agents it is then
  anonymised as above (an average of L1-minimisers is one, by convexity).

* **What the optimum pins down** (:func:`optimal_range`): the minimum and maximum
  of a linear :class:`Quantity` over the optimal face — two LPs. Revenue
  equivalence (seed notes Thm. 1.4) shows up as interim payments that are pinned
  while ex-post payments are not.

The second stage runs on the program of the formulation that solved the first
(the direct program, or the symmetric one reduced to orbits when the target is
anonymous); the interim and generation formulations, and the symmetric one with a
target that is not anonymous, fall back to the direct program, and the report says
so. Deterministic (MIP) mechanisms and parts written as cvxpy expressions are
refused with an error.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from lpmech.arrays import FloatArray, IntArray
from lpmech.backends.engines import BACKENDS, Backend
from lpmech.backends.solver_choice import LINEAR_SOLVER
from lpmech.backends.status import Status
from lpmech.constraints.base import RowBlock
from lpmech.errors import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidMechanismError,
    SolverFailedError,
)
from lpmech.formulations import DesignProblem, Formulation, Symmetric, agent_symmetry
from lpmech.formulations.base import run_program
from lpmech.formulations.symmetric import AgentSymmetry, symmetry_obstacle
from lpmech.problem.environment import AgentRef, Environment
from lpmech.problem.scales import data_scale
from lpmech.program.compiler import Program, compile_program
from lpmech.results.mechanism import Mechanism
from lpmech.solving.scaling import normalise
from lpmech.stable_sums import weighted_sum

#: Tie-breaks by name (besides None and a Mechanism).
TIE_BREAKS = ("small_payments",)
#: The second stage holds c·z ≥ c·z* − FACE_SLACK · (|c·z*| + |c|·|z*|).
FACE_SLACK = 1e-9

#: Weight of the largest payment, max_{i,θ} |t_i(θ)|/V, beside E[Σ_i |t_i(θ)|]/V in
#: ``"small_payments"``: the L1 norm alone can load a cost on one agent at one profile
#: (6 where values are at most 3, on the 4-agent public good of the tests).
LARGEST_PAYMENT_WEIGHT = 0.01
#: HiGHS tolerances of the second stage, tighter than the defaults (1e-7) so that an
#: optimal target comes back to 1e-9 rather than 1e-7 (a user's options still win).
SECOND_STAGE_OPTIONS = {"primal_feasibility_tolerance": 1e-9, "dual_feasibility_tolerance": 1e-9}

TieBreak = str | Mechanism | None


@dataclass(frozen=True)
class Canonical:
    """The decision vector chosen among optima, and what was done to choose it."""

    z: FloatArray
    description: str
    seconds: float


def canonical_optimum(
    problem: DesignProblem,
    formulation: Formulation,
    z: FloatArray,
    optimum: float,
    tie_break: TieBreak,
    engine: Backend,
    options: dict[str, Any],
    scale: float = 1.0,
) -> Canonical:
    """The optimum ``z`` (program value ``optimum``) tie-broken, then anonymised where valid.

    ``problem`` may be in normalised units (its values divided by ``scale``, see
    :mod:`lpmech.solving.scaling`); ``z``, ``optimum``, a target mechanism and the result are in
    the user's units.
    """
    start = time.perf_counter()
    target = _target(problem, tie_break)
    notes = []
    if tie_break is not None:
        layout = problem.env.layout
        chosen, note = tie_break_stage(
            problem,
            formulation,
            _money(z, layout, 1 / scale),
            optimum / scale,
            tie_break,
            engine,
            options,
            scale,
        )
        z = _money(chosen, layout, scale)
        notes.append(note)
    if isinstance(formulation, Symmetric) and target is None:  # both stages on orbits
        notes.append("anonymous (the symmetric formulation solves over anonymous mechanisms)")
        return Canonical(z, "; ".join(notes), time.perf_counter() - start)
    symmetry = anonymity(problem)
    if isinstance(symmetry, AgentSymmetry):
        if target is not None and not _constant_on_orbits(target, symmetry):
            notes.append(
                "not anonymised: the tie-break target treats identical agents differently"
            )
        else:
            z = anonymise(z, symmetry)
            notes.append(
                f"anonymised over relabellings of the {problem.env.n_agents} identical agents"
            )
    elif symmetry:
        notes.append(f"not anonymised: {symmetry}")
    return Canonical(z, "; ".join(notes), time.perf_counter() - start)


def _has_cvxpy_parts(problem: DesignProblem) -> bool:
    """Whether the objective or a family exists only as cvxpy expressions (or is not linear)."""
    return problem.objective.requires_cvxpy or any(f.requires_cvxpy for f in problem.families)


# ------------------------------------------------------------------ anonymity
def anonymity(problem: DesignProblem) -> AgentSymmetry | str:
    """The column orbits when averaging over relabellings keeps every optimum optimal.

    Otherwise the reason, or "" when the agents are not identical at all (nothing
    to say).
    """
    env = problem.env
    symmetry = agent_symmetry(env)
    if isinstance(symmetry, str):
        return ""
    if problem.deterministic:
        return "a deterministic mechanism is not averaged (averaging randomises)"
    if _has_cvxpy_parts(problem):
        return "parts written as cvxpy expressions cannot be checked for symmetry"
    empty = RowBlock.empty(env.layout.n_columns)
    declared = {f.name: (empty, f.bounds(env)) for f in problem.families if f.symmetric}
    program = compile_program(env, problem.objective, problem.families, blocks=declared)
    obstacle = symmetry_obstacle(program, symmetry)
    return symmetry if obstacle is None else obstacle


def anonymise(z: FloatArray, symmetry: AgentSymmetry) -> FloatArray:
    """(1/N!) Σ_σ σ·z: each column replaced by the mean over its orbit."""
    orbit = symmetry.column_orbit
    sums = np.bincount(orbit, weights=z, minlength=symmetry.n_orbits)
    counts = np.bincount(orbit, minlength=symmetry.n_orbits)
    return (sums / counts)[orbit]


def _money(z: FloatArray, layout: Any, factor: float) -> FloatArray:
    """z with its payments (money) multiplied by ``factor``, allocations unchanged."""
    if factor == 1.0:
        return z
    n = layout.n_allocation_columns
    return np.concatenate([z[:n], factor * z[n:]])


def _constant_on_orbits(vector: FloatArray, symmetry: AgentSymmetry) -> bool:
    return bool(
        np.allclose(
            anonymise(vector, symmetry),
            vector,
            rtol=0.0,
            atol=1e-12 * max(1.0, float(np.abs(vector).max(initial=0.0))),
        )
    )


# ------------------------------------------------------------------ tie-break
def _target(problem: DesignProblem, tie_break: TieBreak) -> FloatArray | None:
    """z⁰ of a Mechanism tie-break (None for the others), refusing a bad ``tie_break``."""
    env = problem.env
    if tie_break is None or (isinstance(tie_break, str) and tie_break in TIE_BREAKS):
        return None
    if isinstance(tie_break, Mechanism):
        if tie_break.env is not env and (
            tie_break.env.type_counts != env.type_counts
            or tie_break.env.n_components != env.n_components
        ):
            raise InvalidMechanismError(
                "tie_break: the mechanism is for another environment "
                f"(type counts {tie_break.env.type_counts}, expected "
                f"{env.type_counts})"
            )
        return np.concatenate([tie_break.flat_allocation.ravel(), tie_break.flat_payments.ravel()])
    raise InvalidArgumentError(
        f"tie_break: expected None, one of {TIE_BREAKS} or a Mechanism, got {tie_break!r}"
    )


def distance_weights(env: Environment, allocation: bool) -> FloatArray:
    """w on z = [vec a; vec t]: π(θ) per allocation component (0 unless ``allocation``),
    π(θ)/V per payment; profiles of prior 0 weigh as the least likely other one."""
    joint = env.prior.joint
    positive = joint[joint > 0]
    weight = np.maximum(joint, positive.min() if positive.size else 1.0)
    return np.concatenate(
        [
            np.repeat(weight if allocation else 0.0 * weight, env.n_components),
            np.repeat(weight / data_scale(env), env.n_agents),
        ]
    )


def tie_break_stage(
    problem: DesignProblem,
    formulation: Formulation,
    z: FloatArray,
    optimum: float,
    tie_break: str | Mechanism,
    engine: Backend,
    options: dict[str, Any],
    scale: float = 1.0,
) -> tuple[FloatArray, str]:
    """The optimum closest to the tie-break's target (see the module docstring), and a note.

    Everything is in ``problem``'s units except a target mechanism, whose money is
    divided by ``scale`` first.
    """
    env = problem.env
    if problem.deterministic:
        raise InvalidArgumentError(
            "tie_break: deterministic mechanisms are solved as a MIP, whose "
            "optimal set is not a face; use tie_break=None"
        )
    if _has_cvxpy_parts(problem):
        raise InvalidArgumentError(
            "tie_break: parts written as cvxpy expressions cannot be carried into "
            "the second stage; use tie_break=None"
        )
    solver = getattr(engine, "solver", "auto")
    if solver not in ("auto", LINEAR_SOLVER):
        raise InvalidArgumentError(
            f"tie_break: the second stage is a linear program for HiGHS, not "
            f"solver {solver!r}; use solver='auto' or tie_break=None"
        )
    target = _target(problem, tie_break)
    target_is_zero = target is None
    weights = distance_weights(env, allocation=target is not None)
    target = (
        np.zeros(env.layout.n_columns) if target is None else _money(target, env.layout, 1 / scale)
    )
    cost = problem.objective.sign * problem.objective.coefficients(env)
    slack = FACE_SLACK * (abs(optimum) + float(weighted_sum(np.abs(cost), np.abs(z))))

    program, orbit, note = _second_stage_program(problem, formulation, target)
    if orbit is None:
        column_weights, column_target = weights, target
    else:
        column_weights = np.bincount(orbit, weights=weights, minlength=program.n_columns)
        column_target = np.zeros(program.n_columns)
        column_target[orbit] = target
    face = _face(program, optimum - slack)
    largest = LARGEST_PAYMENT_WEIGHT / data_scale(env) if target_is_zero else 0.0
    stage_options = {**SECOND_STAGE_OPTIONS, **options}
    result = run_program(
        engine,
        _with_distance(
            _restricted(face, program, engine, options), column_weights, column_target, largest
        ),
        stage_options,
    )
    if result.status is not Status.OPTIMAL:  # seen at 1e9 units: fall back to the whole face
        note += "; face not restricted (HiGHS failed on the restricted one)"
        result = run_program(
            engine, _with_distance(face, column_weights, column_target, largest), stage_options
        )
    if result.status is not Status.OPTIMAL or result.x is None:
        raise SolverFailedError(
            f"tie_break: the second stage ended {result.status.value} "
            f"({result.message}) although the first found an optimum; "
            "try tie_break=None",
            tuple(f.name for f in problem.families),
        )
    x = result.x[: program.n_columns]
    chosen = x if orbit is None else x[orbit]
    label = (
        tie_break
        if isinstance(tie_break, str)
        else f"closest to {tie_break.name or 'the given mechanism'}"
    )
    distance = (
        float(np.abs(_money(chosen - target, env.layout, scale)).max(initial=0.0))
        if isinstance(tie_break, Mechanism)
        else None
    )
    described = (
        f"tie-break {label} (prior-weighted L1, {note}"
        + (f"; largest ex-post difference {distance:.3g}" if distance is not None else "")
        + ")"
    )
    return chosen, described


def _second_stage_program(
    problem: DesignProblem,
    formulation: Formulation,
    target: FloatArray,
) -> tuple[Program, IntArray | None, str]:
    """The program the second stage extends: the symmetric one over orbits when the first
    stage used it and the target is anonymous, else the direct one; with a note."""
    env = problem.env
    if isinstance(formulation, Symmetric):
        _, reduction, _ = formulation.reduce(problem)
        symmetry = agent_symmetry(env)
        assert isinstance(symmetry, AgentSymmetry)
        if _constant_on_orbits(target, symmetry):
            return reduction.program, symmetry.column_orbit, "on the symmetric program"
        fallback = "on the direct program: the target is not anonymous"
    elif formulation.name == "direct":
        fallback = "on the direct program"
    else:
        fallback = f"on the direct program: formulation {formulation.name!r} has no second stage"
    return compile_program(env, problem.objective, problem.families), None, fallback


def _restricted(
    face: Program, program: Program, engine: Backend, options: dict[str, Any]
) -> Program:
    """``face`` with complementary slackness imposed from an optimal dual y of ``program``.

    For max c·x over ℓ ≤ Ax ≤ u, x ∈ [lb, ub], every optimum has x_j at its upper
    (lower) bound where the reduced cost d_j = c_j − (Aᵀy)_j is positive (negative),
    and row i at its upper (lower) bound where y_i > 0 (< 0). Imposing that leaves the
    optimal face as it is (values below 10⁻⁷ of the largest count as 0), but HiGHS's
    presolve then removes what is fixed: at 2 × 30 types (DSIC auction) the second
    stage took 1.1 s instead of 10.3 s. y comes from solving ``program`` once more
    (the first stage's duals are on the families' rows, not on a reduced program).
    """
    result = run_program(engine, program, options)
    if result.status is not Status.OPTIMAL or result.row_duals is None:
        return face
    y = result.row_duals
    reduced = program.cost - program.matrix.T @ y
    threshold = 1e-7 * max(1e-300, float(np.abs(program.cost).max(initial=0.0)))
    lower, upper = face.column_lower.copy(), face.column_upper.copy()
    up = (reduced > threshold) & np.isfinite(upper)
    down = (reduced < -threshold) & np.isfinite(lower)
    lower[up] = upper[up]
    upper[down] = lower[down]
    row_lower, row_upper = face.row_lower.copy(), face.row_upper.copy()
    dual_threshold = 1e-7 * max(1e-300, float(np.abs(y).max(initial=0.0)))
    high = np.flatnonzero((y > dual_threshold) & np.isfinite(program.row_upper))
    low = np.flatnonzero((y < -dual_threshold) & np.isfinite(program.row_lower))
    row_lower[high] = row_upper[high]
    row_upper[low] = row_lower[low]
    return replace(
        face, column_lower=lower, column_upper=upper, row_lower=row_lower, row_upper=row_upper
    )


def _face(program: Program, floor: float) -> Program:
    """``program`` with the row c·x + c₀ ≥ ``floor`` (maximisation form) appended."""
    row = sp.csr_array(program.cost[None, :])
    return replace(
        program,
        matrix=sp.csr_array(sp.vstack([program.matrix, row], format="csr")),
        row_lower=np.append(program.row_lower, floor - program.constant),
        row_upper=np.append(program.row_upper, np.inf),
        row_slices={
            **program.row_slices,
            "optimum held": slice(program.n_rows, program.n_rows + 1),
        },
        cvxpy_families=(),
    )


def _with_distance(
    face: Program, weights: FloatArray, target: FloatArray, largest: float
) -> Program:
    """Maximise −Σ_j w_j s_j − ``largest``·s_∞ over the face, with s_j ≥ |x_j − x⁰_j| for
    every w_j > 0, and s_∞ ≥ s_j (only when ``largest`` > 0)."""
    n = face.n_columns
    weighted = np.flatnonzero(weights > 0)
    m = len(weighted)
    extra = m + (largest > 0)
    slack = n + np.arange(m)
    rows = [np.arange(m), np.arange(m), m + np.arange(m), m + np.arange(m)]
    columns = [weighted, slack, weighted, slack]
    values = [np.ones(m), -np.ones(m), -np.ones(m), -np.ones(m)]
    upper = [target[weighted], -target[weighted]]
    if largest > 0:  # s_j − s_∞ ≤ 0
        rows += [2 * m + np.arange(m)] * 2
        columns += [slack, np.full(m, n + m)]
        values += [np.ones(m), -np.ones(m)]
        upper.append(np.zeros(m))
    n_rows = 2 * m + m * (largest > 0)
    distance = sp.csr_array(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(columns))),
        shape=(n_rows, n + extra),
    )
    matrix = sp.hstack([face.matrix, sp.csr_array((face.n_rows, extra))], format="csr")
    cost = np.concatenate([np.zeros(n), -weights[weighted], [-largest] * (largest > 0)])
    return replace(
        face,
        matrix=sp.csr_array(sp.vstack([matrix, distance], format="csr")),
        row_lower=np.concatenate([face.row_lower, np.full(n_rows, -np.inf)]),
        row_upper=np.concatenate([face.row_upper, *upper]),
        row_slices={**face.row_slices, "distance": slice(face.n_rows, face.n_rows + n_rows)},
        column_lower=np.concatenate([face.column_lower, np.zeros(extra)]),
        column_upper=np.concatenate([face.column_upper, np.full(extra, np.inf)]),
        cost=cost,
        constant=0.0,
        standard_layout=False,
    )


# ------------------------------------------------------------ optimal range
@dataclass(frozen=True)
class Quantity:
    """A linear quantity of a mechanism: q·z on z = [vec a; vec t].

    Build one with :meth:`interim_payment`, :meth:`payment`, :meth:`allocation` or
    :meth:`expected_payment`, or from any coefficient vector of length
    ``env.layout.n_columns``.
    """

    name: str
    coefficients: FloatArray

    def value(self, mechanism: Mechanism) -> float:
        """q·z for a mechanism."""
        return float(
            weighted_sum(
                self.coefficients,
                np.concatenate(
                    [mechanism.flat_allocation.ravel(), mechanism.flat_payments.ravel()]
                ),
            )
        )

    @classmethod
    def interim_payment(cls, env: Environment, agent: AgentRef, type_: int | str) -> Quantity:
        """m_i(k) = Σ_{θ_{-i}} π(θ_{-i} | k) t_i(k, θ_{-i})."""
        i = env.agent_index(agent)
        k = env.agents[i].type_index(type_)
        q = np.zeros(env.layout.n_columns)
        q[env.layout.payment_columns(env.layout.by_agent(i)[k], i)] = env.prior.conditional(i)[k]
        return cls(
            f"interim payment of {env.agents[i].name!r} at type {env.agents[i].labels[k]}", q
        )

    @classmethod
    def payment(cls, env: Environment, agent: AgentRef, types: tuple[int | str, ...]) -> Quantity:
        """t_i(θ) at one profile θ (one type per agent, by index or label)."""
        i = env.agent_index(agent)
        profile = cls._profile(env, types)
        q = np.zeros(env.layout.n_columns)
        q[env.layout.payment_columns(profile, i)] = 1.0
        return cls(f"payment of {env.agents[i].name!r} at {tuple(types)}", q)

    @classmethod
    def allocation(
        cls, env: Environment, types: tuple[int | str, ...], component: int | str = 0
    ) -> Quantity:
        """a_c(θ) at one profile θ, component by index or name."""
        names = list(env.allocation.component_names)
        c = names.index(component) if isinstance(component, str) else int(component)
        q = np.zeros(env.layout.n_columns)
        q[env.layout.allocation_columns(cls._profile(env, types))[c]] = 1.0
        return cls(f"allocation of {names[c]!r} at {tuple(types)}", q)

    @classmethod
    def expected_payment(cls, env: Environment, agent: AgentRef) -> Quantity:
        """E[t_i(θ)]."""
        i = env.agent_index(agent)
        q = np.zeros(env.layout.n_columns)
        q[env.layout.payment_columns(np.arange(env.n_profiles), i)] = env.prior.joint
        return cls(f"expected payment of {env.agents[i].name!r}", q)

    @staticmethod
    def _profile(env: Environment, types: tuple[int | str, ...]) -> int:
        if not isinstance(types, Sequence) or isinstance(types, str) or len(types) != env.n_agents:
            raise InvalidArgumentError(
                f"types: need one type per agent ({env.n_agents}), got {types!r}"
            )
        indices = [a.type_index(t) for a, t in zip(env.agents, types, strict=True)]
        return int(env.layout.profile_index(indices))


class OptimalRange(NamedTuple):
    """The least and greatest value of a quantity over all optimal mechanisms."""

    quantity: str
    low: float
    high: float
    #: The quantity's unit: the environment's value scale for money, 1 for allocations.
    unit: float = 1.0

    def pinned(self, tol: float = 1e-7) -> bool:
        """Whether every optimum gives the quantity the same value (within ``tol`` units)."""
        return self.high - self.low <= tol * max(self.unit, abs(self.low), abs(self.high))


def optimal_range(solution: Any, quantity: Quantity) -> OptimalRange:
    """min and max of ``quantity`` over the optimal mechanisms of ``solution``'s problem.

    Two LPs on the direct program with the objective held at its optimum (within the
    second stage's slack δ, see the module docstring). For a single-item auction
    under DSIC and ex-post IR the lowest type's interim payment is pinned (revenue
    equivalence, seed notes Thm. 1.4) while a loser's ex-post payment need not be.

    Parameters
    ----------
    solution : Solution
        As returned by :func:`lpmech.solve` (not deterministic, no cvxpy parts).
    quantity : Quantity
    """
    if not all(hasattr(solution, name) for name in ("mechanism", "compiled", "duals")):
        # duck-typed: lpmech.solve imports this module
        raise InvalidArgumentTypeError(
            f"optimal_range: solution must be a Solution from "
            f"lpmech.solve, got {type(solution).__name__}"
        )
    if not isinstance(quantity, Quantity):
        raise InvalidArgumentTypeError(
            f"optimal_range: quantity must be a Quantity, got {type(quantity).__name__}"
        )
    env = solution.mechanism.env
    if len(quantity.coefficients) != env.layout.n_columns:
        raise InvalidArgumentError(
            f"quantity: {len(quantity.coefficients)} coefficients, expected "
            f"{env.layout.n_columns} (one per column of z = [vec a; vec t])"
        )
    problem = DesignProblem(env, solution.objective, solution.compiled, deterministic=False)
    if solution.mechanism.is_deterministic() and not solution.duals:
        raise InvalidArgumentError("optimal_range: a deterministic optimum's set is not a face")
    if _has_cvxpy_parts(problem):
        raise InvalidArgumentError(
            "optimal_range: parts written as cvxpy expressions are not supported"
        )
    problem, scale = normalise(problem)  # as solve() does; money is divided by scale
    program = compile_program(problem.env, problem.objective, problem.families)
    z = _money(
        np.concatenate(
            [solution.mechanism.flat_allocation.ravel(), solution.mechanism.flat_payments.ravel()]
        ),
        env.layout,
        1 / scale,
    )
    optimum = problem.objective.sign * solution.objective_value / scale
    slack = FACE_SLACK * (abs(optimum) + float(weighted_sum(np.abs(program.cost), np.abs(z))))
    face = _face(program, optimum - slack)
    coefficients = _money(quantity.coefficients, env.layout, scale)  # q·z in the user's units
    size = float(np.abs(coefficients).max(initial=0.0)) or 1.0  # costs of order 1 for HiGHS
    engine = BACKENDS["highspy"]()
    ends = []
    for sign in (-1.0, 1.0):
        result = run_program(
            engine,
            replace(face, cost=sign * coefficients / size, constant=0.0),
            dict(solution.solver_options),
        )
        if result.status is Status.UNBOUNDED or result.status is Status.INFEASIBLE_OR_UNBOUNDED:
            ends.append(sign * np.inf)
        elif result.status is not Status.OPTIMAL or result.objective is None:
            raise SolverFailedError(
                f"optimal_range: HiGHS ended {result.status.value} ({result.message})",
                tuple(f.name for f in problem.families),
            )
        else:
            ends.append(sign * size * result.objective)
    n = env.layout.n_allocation_columns
    unit = data_scale(env) if np.any(quantity.coefficients[n:]) else 1.0
    return OptimalRange(quantity.name, float(ends[0]), float(ends[1]), unit)
