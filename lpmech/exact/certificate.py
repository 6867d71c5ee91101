"""Exact certificates: an optimum proved in rational arithmetic.

A basic optimal solution of a rational linear program is rational, and so is an
optimal dual. :func:`certify` recovers both exactly and checks, in rationals:

1. **Feasibility.** The mechanism satisfies every imposed family, measured by the
   family's own ``violation`` (its definition, not the compiled rows) on the exact
   twin of the environment: all violations are exactly 0.
2. **A bound.** For the program P of the compiled families (the direct program:
   IC between neighbouring types where that is equivalent, seed notes Thm. 1.4),
   a rational row multiplier y gives reduced costs d = c − Aᵀy and, by weak
   duality, for every z feasible in P

   .. math:: c·z + c_0 = y·(Az) + d·z + c_0 ≤ c_0 + \\sum_r h(y_r; r_ℓ, r_u)
             + \\sum_j h(d_j; ℓ_j, u_j),

   with h(w; ℓ, u) = w·u for w > 0, w·ℓ for w < 0 and 0 for w = 0. The bound is
   finite (y is *dual feasible*) when every positive multiplier meets a finite
   upper bound and every negative one a finite lower bound.
3. **Equality.** The mechanism's objective equals the bound.

Which program P. Where the float optimum came from the ``symmetric`` formulation,
P is the reduced program it solved — one column per orbit of columns under
relabelling identical agents, per-agent families by agent 0's rows
(:mod:`lpmech.exact.orbits`) — rebuilt with rational data in the same row order, so
the solve's own basis fits it. Its bound is the full problem's because the problem
is invariant under relabelling (checked exactly on the rational inputs) and
averaging any feasible mechanism over all relabellings gives an anonymous one with
the same objective, whose orbit values satisfy P; the mechanism itself is checked
against the full families on every profile. Otherwise (or if that proof fails) P
is the direct program of the compiled families (IC between neighbouring types
where that is equivalent, seed notes Thm. 1.4): every row of it is a row of an
imposed family (neighbouring-type IC rows are IC rows), so it is a relaxation of
the full problem. Either way its bound holds for every mechanism that satisfies
the imposed families, and a mechanism that satisfies them and attains it is
optimal. ``interim`` and ``generation`` solve other programs with the same
optimum; their certificate is on the direct program. An incentive family left in
full form with thousands of rows (multi-dimensional types) enters the direct
program with only the rows an optimal float dual uses (then, if that fails, the
rows that nearly bind): fewer rows are still a relaxation, and the exact check of
the full family covers the rest.

How. HiGHS finds an optimal basis of P's float image by crossover from the float
optimum and its row duals (optimal at once, with no simplex iterations, when the
duals are the solve's own: the symmetric and direct formulations'); the basis
systems are solved exactly (:mod:`lpmech.exact.linear_systems`); the solver's own mechanism
read as simplest rationals is tried first, then the exact basic solution.

Cost: the bulk work is integer arithmetic over common denominators
(:mod:`lpmech.numbers.integers`): full IC from its definition, summing the exact rows,
Aᵀy and the dual bound; the basis systems are solved by integer refinement.
``benchmarks/certify.py`` reports the time against the float solve's.

For ``deterministic=True`` the incumbent's allocation is fixed (it is integral),
its payments are recovered exactly from the payment program's basis, and the
bound comes from the LP relaxation: when they meet, the incumbent is optimal even
among randomised mechanisms; otherwise only feasibility and the exact objective
are proved (HiGHS's branch-and-bound gap is not checked exactly).
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
from numpy.typing import NDArray

from lpmech.backends.algorithms import BRANCH_AND_BOUND, with_algorithm
from lpmech.backends.engines import HighspyBackend
from lpmech.constraints.base import ConstraintFamily
from lpmech.errors import InvalidArgumentError
from lpmech.exact.linear_systems import SingularSystemError, solve_rational
from lpmech.exact.orbits import ARGUMENT, first_members, orbit_program
from lpmech.exact.program import ExactProgram, exact_program
from lpmech.exact.twin import exact_environment, exact_mechanism
from lpmech.numbers.integers import exact_dot, scaled
from lpmech.numbers.rationals import (
    ExactInputs,
    Rational,
    rational_array,
    rational_from,
    to_fractions,
)
from lpmech.problem.environment import Environment
from lpmech.problem.memory import BYTES_PER_RATIONAL, check_allocation
from lpmech.problem.scales import data_scale
from lpmech.program.objectives import Objective
from lpmech.results.mechanism import Mechanism

if TYPE_CHECKING:
    from lpmech.results.solution import Solution

ObjectArray = NDArray[np.object_]
#: Numbers for a re-check: Fractions, ints, Rationals or floats (read by lpmech.exact).
ArrayLikeExact = Any

#: Largest number of non-zeros of the direct program certified (a Python-level pass over
#: each of them in rationals).
MAX_NONZEROS = 2_000_000
#: Incentive rows in full form from which only the nearly binding ones are certified.
SUBSET_MIN_ROWS = 2_000
#: Failures listed per family before "and n more".
LISTED = 3

_BASIC = int(highspy.HighsBasisStatus.kBasic)
_LOWER = int(highspy.HighsBasisStatus.kLower)
_UPPER = int(highspy.HighsBasisStatus.kUpper)


class _Context:
    """What a certificate re-checks against: the exact twin, families and program, and the
    full program's (maximisation) cost and constant."""

    def __init__(
        self,
        twin: Environment,
        families: tuple[ConstraintFamily, ...],
        objective: Objective,
        program: ExactProgram,
        cost: ObjectArray | None = None,
    ) -> None:
        self.twin, self.families, self.objective, self.program = twin, families, objective, program
        self.cost = program.cost if cost is None else cost

    def expand(self, w: ObjectArray) -> ObjectArray:
        """The full decision vector z of a primal of the program (z = E w over orbits)."""
        orbit = self.program.column_orbit
        return w if orbit is None else w[orbit]


@dataclass(frozen=True)
class Certificate:
    """An optimum proved (or refuted) in rational arithmetic.

    Attributes
    ----------
    objective : Fraction or None
        The mechanism's objective, exactly (in the objective's own sense); None when
        the certificate was refused before any check (see ``failures``).
    bound : Fraction or None
        The dual bound on the objective (an upper bound when maximising, a lower one
        when minimising); None when the dual is infeasible.
    allocation, payments : object arrays of Fraction
        The mechanism, shapes (P, C) and (P, N) in profile order.
    duals : dict
        The rational row multipliers y, by compiled family, in the family's row order.
    inputs : ExactInputs
        The exact data the result is proved for.
    program : str
        The program the dual proves a bound on.
    argument : str
        Why that bound is the full problem's.
    proved : str
        What is proved and what is not.
    failures : tuple of str
        Each check that failed, naming the row, entry or column.
    seconds : float
        Time spent certifying.
    claims_optimality : bool
        Whether ``proved`` claims optimality (not so for a deterministic incumbent
        short of the LP relaxation's bound); then the bound must equal the objective.
    """

    objective: Fraction | None
    bound: Fraction | None
    allocation: ObjectArray
    payments: ObjectArray
    duals: dict[str, ObjectArray]
    inputs: ExactInputs
    program: str
    argument: str
    proved: str
    failures: tuple[str, ...]
    seconds: float
    claims_optimality: bool = True
    context: Any = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """Whether every check passed: what ``proved`` states is proved."""
        return not self.failures

    @property
    def optimal(self) -> bool:
        """Whether optimality is proved (objective = dual bound, mechanism feasible)."""
        return self.ok and self.objective is not None and self.bound == self.objective

    def check(
        self,
        allocation: ArrayLikeExact | None = None,
        payments: ArrayLikeExact | None = None,
        duals: dict[str, ArrayLikeExact] | None = None,
    ) -> Certificate:
        """Re-check with some parts replaced (e.g. one entry changed): a new Certificate."""
        context = self.context
        if context is None:
            raise InvalidArgumentError(
                "this certificate was refused before any check; nothing to "
                f"re-check ({self.failures[0]})"
            )
        program = context.program
        y = _stack_duals(program, self.duals if duals is None else duals)
        z = _z(
            self.allocation if allocation is None else allocation,
            self.payments if payments is None else payments,
        )
        checked = _check(context, z, y, self.claims_optimality)
        return replace(self, **checked, duals=_split(program, y))

    def __str__(self) -> str:
        verdict = "PROVED" if self.ok else "FAILED"
        lines = [
            f"Exact certificate: {verdict}",
            f"objective = {self.objective}"
            + (f", dual bound = {self.bound}" if self.bound is not None else "")
            if self.objective is not None
            else "nothing checked",
            f"program: {self.program}",
            f"argument: {self.argument}",
            f"proved: {self.proved}",
            f"({self.seconds:.3f} s)",
            "for the exact inputs:",
            str(self.inputs),
        ]
        lines += [f"failed: {failure}" for failure in self.failures]
        return "\n".join(lines)


def certify(solution: Solution) -> Certificate:
    """The exact certificate of a solution (see the module docstring).

    Needs python-flint (``pip install 'lpmech[exact]'``). Python's cyclic garbage
    collector is paused meanwhile: the checks create some 10⁵ acyclic numbers, and
    collections triggered by them cost a quarter of the time (measured).
    """
    with _collector_paused():
        return _certify(solution)


@contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _certify(solution: Solution) -> Certificate:
    start = time.perf_counter()
    mechanism = solution.mechanism
    env = mechanism.env
    objective = solution.objective
    families = tuple(solution.families)
    check_allocation(  # the twin's rules: P·(N + C) rationals
        env.n_profiles * (env.n_agents + env.n_components),
        "certify: the exact mechanism's rules",
        BYTES_PER_RATIONAL,
    )
    twin = exact_environment(env)
    if objective.requires_cvxpy:
        return _refused(
            twin,
            f"the objective {objective.name!r} is not linear (it has cvxpy "
            "terms), so its optimum need not be rational",
            start,
        )
    unsupported = [f.name for f in families if f.requires_cvxpy]
    if unsupported:
        return _refused(
            twin,
            f"written as cvxpy expressions, with no exact rows: {', '.join(unsupported)}",
            start,
        )
    compiled = tuple(f.compiled_form(env) for f in families)
    deterministic = solution.report.algorithm == BRANCH_AND_BOUND
    if solution.orbit_program is not None and not deterministic:
        built = orbit_program(twin, objective, compiled, solution.orbit_program)
        if not isinstance(built, str):
            certificate = _certify_orbits(solution, twin, *built, start)
            if certificate.ok:
                return certificate
    for pairs in _incentive_subsets(solution, compiled):
        certificate = _certify_program(solution, twin, compiled, pairs, deterministic, start)
        if certificate.ok:
            break
    return certificate


def _certify_orbits(
    solution: Solution, twin: Environment, program: ExactProgram, cost: ObjectArray, start: float
) -> Certificate:
    """The certificate with the bound proved on the reduced program the symmetric
    formulation solved (:mod:`lpmech.exact.orbits`), warm-started from its duals."""
    context = _Context(twin, tuple(solution.families), solution.objective, program, cost)
    orbit = program.column_orbit
    duals = np.asarray(solution.orbit_program.row_duals, dtype=float)
    description = (
        f"the reduced program the symmetric formulation solved ({program.n_rows} "
        f"rows, {program.n_columns} orbits of the {len(orbit)} columns; per-agent "
        "families by agent 0's rows, standing for their relabellings)"
    )
    argument = (
        "the float optimum came from the 'symmetric' formulation; the bound is proved "
        "on the reduced program it solved: " + ARGUMENT
    )
    return _prove(
        context,
        solution.mechanism,
        description,
        argument,
        start,
        _floats(solution.mechanism)[first_members(orbit)],
        duals if len(duals) == program.n_rows else None,
    )


def _certify_program(
    solution: Solution,
    twin: Environment,
    compiled: tuple[ConstraintFamily, ...],
    pairs: dict[str, list[tuple[int, NDArray, NDArray]]],
    deterministic: bool,
    start: float,
) -> Certificate:
    """The certificate with the bound proved on the direct program (``pairs``: a subset of
    full-form incentive rows)."""
    mechanism, objective = solution.mechanism, solution.objective
    families = tuple(solution.families)
    program = exact_program(twin, objective, compiled, pairs)
    if len(program.data) > MAX_NONZEROS:
        return _refused(
            twin,
            f"the direct program has {len(program.data)} non-zeros, over "
            f"the {MAX_NONZEROS} certified in rationals",
            start,
        )
    context = _Context(twin, families, objective, program)
    reduced = [c.name for f, c in zip(families, compiled, strict=True) if c is not f]
    subsets = [
        f"{name}: the {len(rows)} of {program.family_rows[name]} rows that bind "
        "at the float optimum"
        for name, rows in program.row_index.items()
    ]
    description = (
        f"the direct program of the compiled families ({program.n_rows} rows, "
        f"{program.n_columns} columns"
        + (f"; {', '.join(reduced)} between neighbouring types" if reduced else "")
        + "".join(f"; {subset}" for subset in subsets)
        + ")"
    )
    formulation = solution.report.formulation
    argument = (
        "every row of this program is a row of an imposed family, so its optimum "
        "bounds the full problem's; the mechanism satisfies the full families "
        "exactly, so a mechanism attaining the bound is optimal"
    )
    if formulation != "direct":
        argument = (
            f"the float optimum came from the {formulation!r} formulation; "
            + argument
            + " (the bound is proved on the direct program, re-solved "
            "for a basis)"
        )
    if deterministic:
        try:
            return _certify_deterministic(context, mechanism, description, argument, start)
        except (SingularSystemError, _NoBasis) as error:
            return _refused(twin, str(error), start)
    duals = None if solution.orbit_program is not None else _dual_start(program, solution.duals)
    return _prove(context, mechanism, description, argument, start, _floats(mechanism), duals)


def _prove(
    context: _Context,
    mechanism: Mechanism,
    description: str,
    argument: str,
    start: float,
    primal: NDArray,
    duals: NDArray | None,
) -> Certificate:
    """Find an optimal basis of the context's program (from the float optimum ``primal``
    of that program and its row ``duals``, if known), solve it exactly, and check."""
    program, twin = context.program, context.twin
    z_solver = _read(mechanism)
    # a basis warm-started from the float optimum may stop short of exact optimality where
    # HiGHS's tolerances are coarse against the data (values of 1e-9): then start cold
    for warm in (primal, None):
        try:
            basis = _optimal_basis(program, start=warm, duals=None if warm is None else duals)
            y = basis.dual()
            checked = _check(context, z_solver, y, True)
            how = "the solver's mechanism read as simplest rationals"
            if checked["failures"]:  # only then is the basic solution needed
                checked = _check(context, context.expand(basis.primal()), y, True)
                how = "the exact basic solution of the program"
        except (SingularSystemError, _NoBasis) as error:
            if warm is not None:
                continue
            return _refused(twin, str(error), start)
        if not checked["failures"]:
            break
    proved = f"{how} satisfies every imposed family exactly and attains the dual bound: optimal"
    return Certificate(
        **checked,
        duals=_split(program, y),
        inputs=twin.inputs,
        program=description,
        argument=argument,
        proved=proved,
        seconds=time.perf_counter() - start,
        context=context,
    )


def _dual_start(program: ExactProgram, duals: Mapping[str, Any]) -> NDArray | None:
    """The float optimum's row duals on the program's rows, or None where some are unknown."""
    y = np.zeros(program.n_rows)
    for name, rows in program.row_slices.items():
        values = duals.get(name)
        if values is None:
            return None
        values = np.asarray(values, dtype=float)
        if name in program.row_index:
            if len(values) != program.family_rows[name]:
                return None
            values = values[program.row_index[name]]
        if len(values) != rows.stop - rows.start:
            return None
        y[rows] = values
    return y


class _NoBasis(Exception):
    """HiGHS did not return an optimal basis for the program to certify."""


def _optimal_basis(
    program: ExactProgram,
    fixed: ObjectArray | None = None,
    start: NDArray | None = None,
    duals: NDArray | None = None,
) -> _Basis:
    """HiGHS's optimal basis of ``program``, to be solved exactly (:class:`_Basis`).

    ``fixed`` optionally fixes the allocation columns (a deterministic incumbent).
    ``start``, the float optimum already found, and its row ``duals`` if known, are
    crossed over to a basis: with the duals that basis is optimal at once (no simplex
    iterations; without them the simplex method starts from it and needs about as many
    as cold, measured). Only the speed depends on them, since the basis found is
    solved and checked exactly.
    """
    if fixed is not None:
        lower, upper = program.column_lower.copy(), program.column_upper.copy()
        lower[: len(fixed)] = fixed
        upper[: len(fixed)] = fixed
        program = replace(program, column_lower=lower, column_upper=upper)
    floats = program.float_program()
    highs = HighspyBackend.load(floats, with_algorithm(floats, {}))
    if start is not None:
        guess = highspy.HighsSolution()
        guess.col_value = start.tolist()
        guess.row_value = (floats.matrix @ start).tolist()
        guess.value_valid = True
        if duals is not None:
            guess.row_dual = duals.tolist()
            guess.col_dual = (floats.cost - floats.matrix.T @ duals).tolist()
            guess.dual_valid = True
        highs.crossover(guess)  # a failed crossover leaves the simplex method to start cold
    if start is None or highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise _NoBasis(
            f"HiGHS found no optimum of the program to certify "
            f"({highs.modelStatusToString(highs.getModelStatus())})"
        )
    basis = highs.getBasis()
    if not basis.valid:
        raise _NoBasis("HiGHS returned no valid basis for the program to certify")
    return _Basis(
        program,
        np.array([int(s) for s in basis.col_status]),
        np.array([int(s) for s in basis.row_status]),
    )


class _Basis:
    """A basis of a program: its basic columns B and tight rows T (|B| = |T|).

    The basic solution z fixes each non-basic column at the bound its status names
    and solves A[T, B] z_B = (row bounds at T) − A[T, N] z_N; the row multipliers y
    are 0 off T and solve A[T, B]ᵀ y_T = c_B. Each is solved exactly when asked
    (:func:`lpmech.exact.linear_systems.solve_rational`).
    """

    def __init__(self, program: ExactProgram, columns: NDArray, rows: NDArray) -> None:
        self.program, self.columns, self.rows = program, columns, rows
        self.basic = np.flatnonzero(columns == _BASIC)
        self.tight = np.flatnonzero(rows != _BASIC)
        if len(self.basic) != len(self.tight):
            raise _NoBasis(
                f"HiGHS's basis is not square ({len(self.basic)} basic columns, "
                f"{len(self.tight)} tight rows)"
            )
        position = np.full(program.n_columns, -1)
        position[self.basic] = np.arange(len(self.basic))
        counts = np.diff(program.indptr)[self.tight]
        self.entry_rows = np.repeat(np.arange(len(self.tight)), counts)
        entries = np.repeat(
            program.indptr[self.tight] - np.cumsum(counts) + counts, counts
        ) + np.arange(counts.sum())  # the tight rows' entries, in row order
        self.entry_columns = program.indices[entries]
        self.values = program.data[entries]
        self.in_basis = position[self.entry_columns] >= 0
        self.basis_columns = position[self.entry_columns[self.in_basis]]

    def primal(self) -> ObjectArray:
        """The exact basic solution z."""
        program, columns, tight = self.program, self.columns, self.tight
        z = np.zeros(program.n_columns, dtype=object)
        z[:] = Rational(0)
        for j in np.flatnonzero(columns != _BASIC):
            z[j] = _at_bound(program.column_lower[j], program.column_upper[j], columns[j])
        row_values = np.array(
            [_at_bound(program.row_lower[r], program.row_upper[r], self.rows[r]) for r in tight],
            dtype=object,
        )
        known = np.zeros(len(tight), dtype=object)
        known[:] = Rational(0)
        outside = ~self.in_basis
        if np.any(outside):
            np.add.at(
                known,
                self.entry_rows[outside],
                self.values[outside] * z[self.entry_columns[outside]],
            )
        z[self.basic] = solve_rational(
            self.entry_rows[self.in_basis],
            self.basis_columns,
            self.values[self.in_basis],
            row_values - known,
        )
        return z

    def dual(self) -> ObjectArray:
        """The exact row multipliers y."""
        y = np.zeros(self.program.n_rows, dtype=object)
        y[:] = Rational(0)
        y[self.tight] = solve_rational(
            self.basis_columns,
            self.entry_rows[self.in_basis],
            self.values[self.in_basis],
            self.program.cost[self.basic],
        )
        return y


def _at_bound(lower: Any, upper: Any, status: int) -> Rational:
    """The value of a non-basic column or row at the bound its status names."""
    finite_lower = not isinstance(lower, float)
    finite_upper = not isinstance(upper, float)
    if status == _UPPER and finite_upper:
        return upper
    if status == _LOWER and finite_lower:
        return lower
    if finite_lower:
        return lower
    return upper if finite_upper else Rational(0)


def _floats(mechanism: Mechanism) -> NDArray:
    """The mechanism's decision vector z = [vec a; vec t], in floats."""
    return mechanism.env.layout.join(mechanism.flat_allocation, mechanism.flat_payments)


def _read(mechanism: Mechanism) -> ObjectArray:
    """The mechanism's decision vector as the rationals with denominators up to 10⁷
    nearest its floats (a guess: the exact checks decide whether it is right)."""
    z = _floats(mechanism)
    read = np.empty(len(z), dtype=object)
    read[:] = [_simplest(x) for x in z.tolist()]
    return read


@lru_cache(maxsize=2**16)
def _simplest(value: float) -> Rational:
    """The rational with denominator up to 10⁷ nearest a float (mechanisms repeat values)."""
    number = Fraction(value).limit_denominator(10**7)
    return rational_from(number.numerator, number.denominator)


def _z(allocation: Any, payments: Any) -> ObjectArray:
    return rational_array(
        np.concatenate(
            [
                np.ravel(np.asarray(allocation, dtype=object)),
                np.ravel(np.asarray(payments, dtype=object)),
            ]
        )
    )


def _check(
    context: _Context, z: ObjectArray, y: ObjectArray, claim_optimal: bool
) -> dict[str, Any]:
    """Exact checks of a primal z and row multipliers y; the Certificate fields they give."""
    twin, program = context.twin, context.program
    layout = twin.layout
    allocation = z[: layout.n_allocation_columns].reshape(twin.n_profiles, twin.n_components)
    payments = z[layout.n_allocation_columns :].reshape(twin.n_profiles, twin.n_agents)
    mechanism = exact_mechanism(twin, allocation, payments, name="certified optimum")
    failures = []
    for family in context.families:
        violation = np.asarray(family.violation(mechanism), dtype=object)
        broken = np.flatnonzero([v > 0 for v in violation])
        for index in broken[:LISTED]:
            failures.append(
                f"{family.name} violated by {_fraction(violation[index])} at "
                f"{family.describe(twin, int(index))}"
            )
        if len(broken) > LISTED:
            failures.append(f"{family.name}: {len(broken) - LISTED} more violated entries")
    value = _fraction(context.objective.value(mechanism))
    sign = 1 if context.objective.sense == "maximize" else -1
    linear = _fraction(exact_dot(context.cost, z) + program.constant)
    if linear != sign * value:
        failures.append(
            f"objective {context.objective.name!r}: its coefficients give "
            f"{sign * linear} but its value on the mechanism is {value}"
        )
    bound, dual_failures = _dual_bound(program, y)
    failures += dual_failures
    if bound is not None and claim_optimal and bound != linear:
        failures.append(
            f"the dual bound {sign * bound} differs from the objective {value}: "
            "optimality is not proved"
        )
    return {
        "objective": value,
        "bound": None if bound is None else sign * bound,
        "allocation": to_fractions(allocation),
        "payments": to_fractions(payments),
        "failures": tuple(failures),
    }


def _dual_bound(program: ExactProgram, y: ObjectArray) -> tuple[Fraction | None, list[str]]:
    """The weak-duality bound of row multipliers y, or the reasons it is infinite.

    On integers over common denominators (:mod:`lpmech.numbers.integers`): y = y'/d_y,
    Aᵀy = m/d_m, c = c'/d_c and the reduced costs d = (c'·(L/d_c) − m·(L/d_m))/L with
    L = lcm(d_c, d_m); signs are the integers' signs.
    """
    products, products_d = program.transposed_scaled(y)
    cost, cost_d = scaled(program.cost)
    common = math.lcm(cost_d, products_d)
    reduced = cost * (common // cost_d) - products * (common // products_d)
    failures: list[str] = []
    total = _fraction(program.constant)
    for kind, (weights, denominator), lower, upper, name in (
        ("row", scaled(y), program.row_lower, program.row_upper, program.describe_row),
        (
            "column",
            (reduced, common),
            program.column_lower,
            program.column_upper,
            program.describe_column,
        ),
    ):
        label = "multiplier" if kind == "row" else "reduced cost"
        nonzero = np.flatnonzero(weights != 0)
        positive = np.asarray(weights[nonzero] > 0, dtype=bool)
        ends = np.where(positive, upper[nonzero], lower[nonzero])
        infinite = np.array([type(end) is float for end in ends.tolist()], dtype=bool)
        for index, up in zip(nonzero[infinite].tolist(), positive[infinite], strict=True):
            if len(failures) >= LISTED * 2:
                failures.append("dual infeasible: more entries")
                return None, failures
            failures.append(
                f"dual infeasible: {kind} {name(index)} has {label} "
                f"{Fraction(int(weights[index]), denominator)} but no "
                f"{'upper' if up else 'lower'} bound"
                + (_multipliers_on(program, y, index) if kind == "column" else "")
            )
        finite_ends, ends_d = scaled(ends[~infinite])
        total += Fraction(
            int(np.dot(weights[nonzero[~infinite]], finite_ends)) if len(finite_ends) else 0,
            denominator * ends_d,
        )
    return (None if failures else total), failures


def _multipliers_on(program: ExactProgram, y: ObjectArray, column: int) -> str:
    """The rows with non-zero multipliers through a column: where a wrong one would be."""
    entries = np.flatnonzero(program.indices == column)
    rows = np.searchsorted(program.indptr, entries, side="right") - 1
    named = [
        f"{program.describe_row(int(r))} (multiplier {_fraction(y[r])})" for r in rows if y[r]
    ][:LISTED]
    return "; its reduced cost comes from " + ", ".join(named) if named else ""


def _fraction(value: Any) -> Fraction:
    return value.fraction if isinstance(value, Rational) else Fraction(value)


def _split(program: ExactProgram, y: ObjectArray) -> dict[str, ObjectArray]:
    """Multipliers by family, on all of each family's rows (0 on rows left out)."""
    duals = {}
    for name, rows in program.row_slices.items():
        values = to_fractions(y[rows])
        if name in program.row_index:
            full = np.full(program.family_rows[name], Fraction(0), dtype=object)
            full[program.row_index[name]] = values
            values = full
        duals[name] = values
    return duals


def _stack_duals(program: ExactProgram, duals: dict[str, Any]) -> ObjectArray:
    """The program's multiplier vector from multipliers by family (on all their rows)."""
    y = np.zeros(program.n_rows, dtype=object)
    for name, rows in program.row_slices.items():
        values = np.asarray(duals[name], dtype=object)
        if name in program.row_index:
            left_out = np.ones(len(values), dtype=bool)
            left_out[program.row_index[name]] = False
            if any(values[left_out]):
                raise InvalidArgumentError(
                    f"duals[{name!r}]: a multiplier on a row the certified "
                    "program leaves out must be 0"
                )
            values = values[program.row_index[name]]
        y[rows] = rational_array(values)
    return y


def _incentive_subsets(
    solution: Solution, compiled: tuple[ConstraintFamily, ...]
) -> Iterator[dict[str, list[tuple[int, NDArray, NDArray]]]]:
    """Which rows of large full-form incentive families to certify on, in order of trial.

    A subset of rows is a relaxation, so its bound holds for the full problem, and it is
    attained when the subset holds every row an optimal dual needs. First the rows with a
    non-zero float dual (the dual's support), then every row that nearly binds at the
    float optimum (slack within 10⁻⁶ of the problem's scale; built only if the first
    trial fails). The exact check of the full family covers the rows left out. Without
    such families: all rows, once.
    """
    env = solution.mechanism.env
    large = [f for f in compiled if f.every_pair(env) and f.row_count(env) >= SUBSET_MIN_ROWS]
    if not large:
        yield {}
        return
    if all(f.name in solution.duals for f in large):
        yield {f.name: _pairs_of(env, f, np.flatnonzero(solution.duals[f.name])) for f in large}
    mechanism = solution.mechanism
    z = env.layout.join(mechanism.flat_allocation, mechanism.flat_payments)
    tol = 1e-6 * data_scale(env)
    yield {
        f.name: _pairs_of(env, f, np.flatnonzero(f.rows(env).matrix @ z >= -tol)) for f in large
    }


def _pairs_of(
    env: Environment, family: ConstraintFamily, rows: NDArray
) -> list[tuple[int, NDArray, NDArray]]:
    """The (agent, true types, reports) of some rows of an incentive family."""
    sizes = [family.block_size(env, i) for i in range(env.n_agents)]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    picks = []
    for agent in range(env.n_agents):
        local = rows[(rows >= offsets[agent]) & (rows < offsets[agent + 1])] - offsets[agent]
        pairs = np.unique(local // family.rows_per_pair(env, agent))
        picks.append((agent, *family.pair_at(env, agent, pairs)))
    return picks


def _certify_deterministic(
    context: _Context, mechanism: Mechanism, description: str, argument: str, start: float
) -> Certificate:
    """Fix the incumbent's integral allocation, recover its payments, bound by the LP."""
    program, twin = context.program, context.twin
    fixed = rational_array(np.rint(mechanism.flat_allocation).astype(int).ravel())
    z = _optimal_basis(program, fixed).primal()
    y = _optimal_basis(program).dual()
    checked = _check(context, z, y, False)
    closed = checked["bound"] is not None and checked["bound"] == checked["objective"]
    proved = (
        "the deterministic incumbent satisfies every imposed family exactly and its "
        "objective is exact; "
        + (
            "it attains the LP relaxation's bound, so it is optimal even among "
            "randomised mechanisms"
            if closed
            else "optimality among deterministic mechanisms is not proved (the LP "
            "relaxation's bound is larger; HiGHS's branch-and-bound gap is not checked "
            "exactly)"
        )
    )
    return Certificate(
        **checked,
        duals=_split(program, y),
        inputs=twin.inputs,
        program=description + " with the allocation fixed to the incumbent's; "
        "bound from its LP relaxation",
        argument=argument,
        proved=proved,
        seconds=time.perf_counter() - start,
        claims_optimality=closed,
        context=context,
    )


def _refused(twin: Environment, reason: str, start: float) -> Certificate:
    empty = np.zeros((0,), dtype=object)
    return Certificate(
        None,
        None,
        empty,
        empty,
        {},
        twin.inputs,
        "none",
        "",
        "nothing",
        (f"not certified: {reason}",),
        time.perf_counter() - start,
    )


# ------------------------------------------------ shared with lpmech.exact.optimum
# solve(..., exact=True) finds and proves an optimum with the same machinery.
ExactContext = _Context
BasisSolution = _Basis
NoBasisError = _NoBasis
exact_checks = _check
duals_by_family = _split
value_at_bound = _at_bound
collector_paused = _collector_paused
