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

What is certified: the Solution's own claim. ``ok`` holds only when the Solution's
mechanism, its ``objective_value`` and (where they are on the certified program's rows)
its duals are proved, never a mechanism the certificate derived for itself. The floats
are read as rationals within a stated rounding ρ = :data:`ROUNDING` (relative): an entry
z_j of the mechanism as the simplest rational (least denominator) within
r·max(s_j, |z_j|), r = :data:`READING` ≤ ρ, with s_j = 1 for an allocation and agent i's
own value scale max(|V_i|, |o_i|) for its payments. The mechanism so read must satisfy
every family exactly and attain the dual bound; or the floats must be the program's exact
optimal basic solution rounded, every entry within ρ·max(s_j, |x_j|); or (an optimum that
is not basic, its exact values not simple) every entry k of every family's exact violation
must be within Σ_j |A_kj|·ρ·max(s_j, |z_j|), what rounding the entries can make of row k,
and its objective within ρ·max(|v|, Σ_j |c_j z_j| + |c_0|) of the exact optimum v.
``objective_value`` must be the certified mechanism's exact objective within that same
objective rounding. The duals, read the same way (each within ρ of itself), must
be dual feasible with the same bound, or fail it by no more than ρ_y = :data:`DUAL_ROUNDING`
times the size of the terms (reduced costs against ρ_y·(|c_j| + (|A|ᵀ|y|)_j)). Whatever
fails is named with its amount, and the exact optimum of the program
(``proved_objective``, ``exact_mechanism``) is reported beside the claim.

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
import html
import math
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from fractions import Fraction
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
from numpy.typing import NDArray

from lpmech.arrays import FloatArray, IntArray
from lpmech.backends.algorithms import BRANCH_AND_BOUND, with_algorithm
from lpmech.backends.engines import HighspyBackend
from lpmech.constraints.base import ConstraintFamily
from lpmech.errors import InvalidArgumentError, InvalidArgumentTypeError
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
    to_float,
    to_fractions,
)
from lpmech.problem.environment import Environment
from lpmech.problem.memory import BYTES_PER_RATIONAL, check_allocation
from lpmech.problem.scales import data_scale
from lpmech.program.objectives import Objective
from lpmech.results.mechanism import Mechanism

if TYPE_CHECKING:
    from lpmech.exact.twin import ExactEnvironment
    from lpmech.formulations.base import OrbitProgram
    from lpmech.results.solution import Solution

ObjectArray = NDArray[np.object_]
#: Numbers for a re-check: Fractions, ints, Rationals or floats (read by lpmech.exact).
ArrayLikeExact = Any

#: Relative rounding ρ allowed between a float of the Solution (an entry of its mechanism,
#: its objective_value, a dual) and the rational it is certified as (module docstring).
ROUNDING = 1e-9
#: Relative radius within which a float of the Solution's mechanism is read as the simplest
#: rational: a basic solution's floats are that close to its exact values.
READING = 1e-12
#: Relative rounding allowed to the Solution's duals beyond their reading as rationals: a
#: dual is a solver's float, feasible to HiGHS's tolerance (1e-7), not a rounded rational.
DUAL_ROUNDING = 1e-6
#: HiGHS tolerances of the last try for an optimal basis, when the default ones (1e-7) are
#: coarse against the data (probabilities of 1e-9): the basis is checked exactly anyway.
FINE_TOLERANCES = MappingProxyType(
    {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
)
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
        twin: ExactEnvironment,
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
class ProvedMechanism:
    """The exact optimal mechanism of the certified program, beside the Solution's.

    Attributes
    ----------
    objective : Fraction
        Its objective, exactly (in the objective's own sense).
    allocation, payments : object arrays of Fraction
        Its rules, shapes (P, C) and (P, N) in profile order.
    """

    objective: Fraction
    allocation: ObjectArray
    payments: ObjectArray

    def to_mechanism(self, env: Environment) -> Mechanism:
        """The rules as a float :class:`~lpmech.results.mechanism.Mechanism` on ``env``."""
        return Mechanism(
            env,
            self.allocation.astype(float),
            self.payments.astype(float),
            name="exact optimum",
        )


@dataclass(frozen=True)
class Certificate:
    """The Solution's optimum proved (or refuted) in rational arithmetic.

    What is certified is the Solution's own mechanism and ``objective_value`` (and its
    duals where they are on the certified program's rows): ``ok`` only when they are
    proved, exactly or within the float rounding ``rounding`` states (see the module
    docstring). The exact optimum of the program is reported beside them
    (``proved_objective``, ``exact_mechanism``), whether or not the Solution attains it.

    Attributes
    ----------
    objective : Fraction or None
        The certified mechanism's objective, exactly (in the objective's own sense);
        None when the certificate was refused before any check (see ``failures``).
    bound : Fraction or None
        The dual bound on the objective (an upper bound when maximising, a lower one
        when minimising); None when the dual is infeasible.
    allocation, payments : object arrays of Fraction
        The Solution's mechanism as certified (its floats read as rationals within
        ``rounding``), shapes (P, C) and (P, N) in profile order.
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
        Each check that failed, naming the check, the row, entry or column, and by how much.
    seconds : float
        Time spent certifying.
    claims_optimality : bool
        Whether ``proved`` claims optimality (not so for a deterministic incumbent
        short of the LP relaxation's bound); then the bound must equal the objective.
    claimed_objective : float or None
        The Solution's ``objective_value``, as claimed.
    proved_objective : Fraction or None
        The exact optimum of the certified program (the dual bound, attained by
        ``exact_mechanism``); None when it is not proved.
    exact_mechanism : ProvedMechanism or None
        The exact optimal mechanism found (the Solution's own when it is proved).
    rounding : str
        How the Solution's floats were read as the rationals certified, with the bound.
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
    claimed_objective: float | None = None
    proved_objective: Fraction | None = None
    exact_mechanism: ProvedMechanism | None = field(default=None, repr=False)
    rounding: str = ""
    context: Any = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        """Whether every check passed: what ``proved`` states is proved."""
        return not self.failures

    @property
    def optimal(self) -> bool:
        """Whether the Solution's mechanism is proved optimal: exactly (objective = dual
        bound) or within the rounding ``rounding`` states (``proved_objective`` is the
        exact optimum then)."""
        return self.ok and self.claims_optimality and self.proved_objective is not None

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
        if not self.ok:
            return self._failed_text()
        lines = [
            "Exact certificate: PROVED (the Solution's own mechanism and objective)",
            f"objective = {self.objective}"
            + (f", dual bound = {self.bound}" if self.bound is not None else "")
            + (
                f"; claimed {self.claimed_objective!r}"
                if self.claimed_objective is not None
                else ""
            ),
            f"program: {self.program}",
            f"argument: {self.argument}",
            f"proved: {self.proved}",
        ]
        if self.rounding:
            lines.append(f"rounding: {self.rounding}")
        lines += [f"({self.seconds:.3f} s)", "for the exact inputs:", str(self.inputs)]
        return "\n".join(lines)

    def _failed_text(self) -> str:
        """A failed certificate's text: what failed and by how much, the exact optimum beside
        the claimed one; no claim about the Solution."""
        lines = ["Exact certificate: FAILED (the Solution is not certified)"]
        if self.claimed_objective is not None:
            lines.append(f"claimed objective_value = {self.claimed_objective!r}")
        if self.objective is not None:
            lines.append(f"the mechanism's exact objective = {self.objective}")
        if self.proved_objective is not None:
            lines.append(
                f"exact optimum of the program = {self.proved_objective} "
                "(its mechanism: certificate.exact_mechanism)"
            )
        if self.program != "none":
            lines.append(f"program: {self.program}")
        lines += [f"failed: {failure}" for failure in self.failures]
        lines += [f"({self.seconds:.3f} s)", "for the exact inputs:", str(self.inputs)]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


def certify(solution: Solution) -> Certificate:
    """The exact certificate of a solution (see the module docstring).

    Needs python-flint (``pip install 'lpmech[exact]'``). Python's cyclic garbage
    collector is paused meanwhile: the checks create some 10⁵ acyclic numbers, and
    collections triggered by them cost a quarter of the time (measured).
    """
    if not isinstance(getattr(solution, "mechanism", None), Mechanism):  # not a Solution
        raise InvalidArgumentTypeError(
            f"certify: solution must be a Solution from lpmech.solve, got "
            f"{type(solution).__name__}"
        )
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
    claim = _Claim(solution)
    if objective.requires_cvxpy:
        return _refused(
            twin,
            f"the objective {objective.name!r} is not linear (it has cvxpy "
            "terms), so its optimum need not be rational",
            start,
            claim,
        )
    unsupported = [f.name for f in families if f.requires_cvxpy]
    if unsupported:
        return _refused(
            twin,
            f"written as cvxpy expressions, with no exact rows: {', '.join(unsupported)}",
            start,
            claim,
        )
    compiled = tuple(f.compiled_form(env) for f in families)
    deterministic = solution.report.algorithm == BRANCH_AND_BOUND
    solved = solution.orbit_program
    if solved is not None and not deterministic:
        built = orbit_program(twin, objective, compiled, solved)
        if not isinstance(built, str):
            certificate = _certify_orbits(solution, claim, twin, solved, *built, start)
            if certificate.ok or certificate.exact_mechanism is not None:
                return certificate
    # a program whose optimum is not found exactly gives way to the next; once it is found,
    # the certificate holds the Solution against it
    for pairs in _incentive_subsets(solution, compiled):
        certificate = _certify_program(
            solution, claim, twin, compiled, pairs, deterministic, start
        )
        if certificate.ok or certificate.exact_mechanism is not None:
            break
    return certificate


def _certify_orbits(
    solution: Solution,
    claim: _Claim,
    twin: ExactEnvironment,
    solved: OrbitProgram,
    program: ExactProgram,
    cost: ObjectArray,
    start: float,
) -> Certificate:
    """The certificate with the bound proved on the reduced ``program`` the symmetric
    formulation solved (``solved``, :mod:`lpmech.exact.orbits`), warm-started from its
    duals."""
    context = _Context(twin, tuple(solution.families), solution.objective, program, cost)
    orbit = solved.column_orbit  # the program's column_orbit: orbit_program merged by it
    duals = np.asarray(solved.row_duals, dtype=float)
    description = (
        f"the reduced program the symmetric formulation solved ({program.n_rows} "
        f"rows, {program.n_columns} orbits of the {len(orbit)} columns; per-agent "
        "families by agent 0's rows, standing for their relabellings)"
    )
    argument = (
        "the float optimum came from the 'symmetric' formulation; the bound holds "
        "on the reduced program it solved: " + ARGUMENT
    )
    return _prove(
        context,
        claim,
        description,
        argument,
        start,
        _floats(solution.mechanism)[first_members(orbit)],
        duals if len(duals) == program.n_rows else None,
    )


def _certify_program(
    solution: Solution,
    claim: _Claim,
    twin: ExactEnvironment,
    compiled: tuple[ConstraintFamily, ...],
    pairs: dict[str, list[tuple[int, IntArray, IntArray]]],
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
            claim,
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
            + " (the bound is on the direct program, re-solved "
            "for a basis)"
        )
    if deterministic:
        try:
            return _certify_deterministic(context, claim, mechanism, description, argument, start)
        except (SingularSystemError, _NoBasis) as error:
            return _refused(twin, str(error), start, claim)
    duals = None if solution.orbit_program is not None else _dual_start(program, solution.duals)
    return _prove(context, claim, description, argument, start, claim.floats, duals)


def _dual_start(program: ExactProgram, duals: Mapping[str, Any]) -> FloatArray | None:
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
    start: FloatArray | None = None,
    duals: FloatArray | None = None,
    options: Mapping[str, float] = MappingProxyType({}),
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
    highs = HighspyBackend.load(floats, with_algorithm(floats, dict(options)))
    if start is not None:
        guess = highspy.HighsSolution()
        row_value: FloatArray = floats.matrix @ start  # scipy-stubs say 2-D; 1-D as start
        guess.col_value = start.tolist()
        guess.row_value = row_value.tolist()
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

    def __init__(self, program: ExactProgram, columns: IntArray, rows: IntArray) -> None:
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


def _floats(mechanism: Mechanism) -> FloatArray:
    """The mechanism's decision vector z = [vec a; vec t], in floats."""
    return mechanism.env.layout.join(mechanism.flat_allocation, mechanism.flat_payments)


class _Claim:
    """What a Solution claims: its mechanism's floats z = [vec a; vec t], their scales and
    their reading as rationals, its ``objective_value`` and its duals."""

    def __init__(self, solution: Solution) -> None:
        mechanism = solution.mechanism
        self.floats = _floats(mechanism)
        self.scales = _column_scales(mechanism.env, self.floats)
        self.read, self.read_distance = _read(self.floats, self.scales)
        self.objective_value = float(solution.objective_value)
        self.duals: Mapping[str, Any] = solution.duals
        self.formulation = solution.report.formulation

    def distance(self, allocation: ObjectArray, payments: ObjectArray) -> tuple[float, int]:
        """max_j |z_j − x_j| / s_j from exact rules x (and the column where it is largest)."""
        exact = np.concatenate([to_float(allocation).ravel(), to_float(payments).ravel()])
        relative = np.abs(self.floats - exact) / np.maximum(self.scales, np.abs(exact))
        worst = int(np.argmax(relative)) if len(relative) else 0
        return (float(relative[worst]) if len(relative) else 0.0), worst

    def objective_tolerance(self, context: _Context, value: Fraction) -> float:
        """The rounding of an objective ``value``: ρ · max(|value|, Σ_j |c_j z_j| + |c_0|),
        the size of the terms it sums (never the values' scale: an objective of 0 is not
        within the rounding of an optimum of 3 because some agent's values reach 3e9)."""
        cost = np.abs(to_float(context.cost))
        constant = abs(float(to_float([context.program.constant])[0]))
        terms = float(cost @ np.abs(self.floats)) + constant
        return ROUNDING * max(abs(float(value)), terms)


def _column_scales(env: Environment, z: FloatArray) -> FloatArray:
    """s_j of each column of z: 1 for an allocation (its own units), agent i's own value
    scale max(|V_i|, |o_i|) for agent i's payments (the problem's scale if that is 0)."""
    whole = data_scale(env)
    agents = np.array(
        [
            max(float(np.abs(values).max(initial=0.0)), float(np.abs(outside).max(initial=0.0)))
            or whole
            for values, outside in zip(env.valuations, env.outside_options, strict=True)
        ]
    )
    scales = np.ones(len(z))
    scales[env.layout.n_allocation_columns :] = np.tile(agents, env.n_profiles)
    return scales


def _read(z: FloatArray, scales: FloatArray) -> tuple[ObjectArray, float]:
    """The floats z as rationals: each the simplest rational (least denominator) within
    r·max(s_j, |z_j|) of it, r = :data:`READING` (so solver noise of 1e-7 on a payment of
    1e9 reads as 0, and 2333333333.3333335 as 7000000000/3); and the largest relative
    distance taken. A guess: the exact checks decide whether it is right."""
    radii = READING * np.maximum(scales, np.abs(z))
    read = np.empty(len(z), dtype=object)
    read[:] = [_simplest_within(x, r) for x, r in zip(z.tolist(), radii.tolist(), strict=True)]
    distance = np.abs(z - to_float(read)) / np.maximum(scales, np.abs(z))
    return read, float(distance.max(initial=0.0))


@lru_cache(maxsize=2**16)
def _simplest_within(value: float, radius: float) -> Rational:
    """The rational with the least denominator in [value − radius, value + radius]
    (continued fractions; mechanisms repeat values, so remembered)."""
    if value == int(value) or radius <= 0:
        number = Fraction(value)
    else:
        number = _simplest_between(
            Fraction(value) - Fraction(radius), Fraction(value) + Fraction(radius)
        )
    return rational_from(number.numerator, number.denominator)


def _simplest_between(low: Fraction, high: Fraction) -> Fraction:
    """The rational with the least denominator in [low, high] (low ≤ high)."""
    if low <= 0 <= high:
        return Fraction(0)
    if high < 0:
        return -_simplest_between(-high, -low)
    whole = low.numerator // low.denominator
    if whole == low or whole + 1 <= high:
        return Fraction(whole if whole == low else whole + 1)
    # low and high lie in (whole, whole + 1): the simplest is whole + 1/(the simplest in
    # [1/(high − whole), 1/(low − whole)])
    return whole + 1 / _simplest_between(1 / (high - whole), 1 / (low - whole))


@lru_cache(maxsize=2**16)
def _simplest(value: float) -> Rational:
    """The rational with denominator up to 10⁷ nearest a float (mechanisms repeat values)."""
    number = Fraction(value).limit_denominator(10**7)
    return rational_from(number.numerator, number.denominator)


def _float_exactly(value: float) -> Rational:
    """A float as the decimal it prints as (``repr``: the shortest that reads back to it,
    within half a unit in the last place) as a Rational."""
    number = Fraction(repr(value))
    return rational_from(number.numerator, number.denominator)


def _prove(
    context: _Context,
    claim: _Claim,
    description: str,
    argument: str,
    start: float,
    primal: FloatArray,
    duals: FloatArray | None,
) -> Certificate:
    """Find an optimal basis of the context's program (from the float optimum ``primal``
    of that program and its row ``duals``, if known), solve it exactly, and check the
    claim against it."""
    program, twin = context.program, context.twin
    # a basis warm-started from the float optimum may stop short of exact optimality where
    # HiGHS's tolerances are coarse against the data (values of 1e-9): then start cold, and
    # then cold with tolerances as fine as doubles resolve
    attempts = [(primal, {}), (None, {}), (None, FINE_TOLERANCES)]
    for warm, options in attempts:
        try:
            basis = _optimal_basis(
                program, start=warm, duals=None if warm is None else duals, options=options
            )
            y = basis.dual()
            claimed = _check(context, claim.read, y, True)
            optimum = claimed
            if claimed["failures"]:  # only then is the basic solution needed
                optimum = _check(context, context.expand(basis.primal()), y, True)
        except (SingularSystemError, _NoBasis) as error:
            if options is not FINE_TOLERANCES:
                continue
            return _refused(twin, str(error), start, claim)
        if not optimum["failures"]:
            break
    return _verdict(
        context,
        claim,
        claimed,
        optimum,
        y,
        (description, argument),
        start,
        OPTIMAL_CLAIM,
        claims_optimality=True,
    )


#: What a proved optimal mechanism satisfies.
OPTIMAL_CLAIM = "satisfies every imposed family exactly and attains the dual bound: optimal"


def _verdict(
    context: _Context,
    claim: _Claim,
    claimed: dict[str, Any],
    optimum: dict[str, Any],
    y: ObjectArray,
    texts: tuple[str, str],
    start: float,
    achievement: str,
    claims_optimality: bool,
) -> Certificate:
    """The certificate of the claim, given the exact checks of the Solution's mechanism as
    read (``claimed``) and of the program's exact optimum (``optimum``, on the same y)."""
    program = context.program
    failures: list[str] = []
    found = not optimum["failures"]
    exact = (
        ProvedMechanism(optimum["objective"], optimum["allocation"], optimum["payments"])
        if found
        else None
    )
    distance, column = claim.distance(optimum["allocation"], optimum["payments"])
    if not claimed["failures"] and (not found or claimed["objective"] == optimum["objective"]):
        certified = claimed
        rounding = (
            "the Solution's floats read as the simplest rationals near them: each within "
            f"{claim.read_distance:.3g} of its scale (at most {ROUNDING:g})"
        )
    elif found and distance <= ROUNDING:
        certified = optimum
        rounding = (
            "the Solution's floats are the exact optimum rounded: each within "
            f"{distance:.3g} of its scale (at most {ROUNDING:g})"
        )
    elif found and (near := _near_optimal(context, claim, claimed, optimum)) is not None:
        certified, (rounding, achievement) = claimed, near
    else:
        certified, rounding = claimed, ""
        failures += [f"mechanism: {failure}" for failure in claimed["failures"]]
        if found:
            failures.append(
                f"mechanism: its objective {claimed['objective']} is not the exact optimum "
                f"{optimum['objective']} (off by "
                f"{_gap(claimed['objective'], optimum['objective'])}); "
                f"it differs from the exact optimal mechanism by up to {distance:.3g} of the "
                f"scale, at {_column_name(program, column)}"
            )
        else:
            failures += [f"exact optimum not found: {failure}" for failure in optimum["failures"]]
    failures += _objective_value_failures(context, claim, certified["objective"])
    dual_note, dual_failures = _duals_check(context, claim, optimum["bound"] if found else None, y)
    failures += dual_failures
    description, argument = texts
    return Certificate(
        **{**certified, "failures": tuple(failures)},
        duals=_split(program, y),
        inputs=context.twin.inputs,
        program=description,
        argument=argument,
        proved=(
            f"the Solution's mechanism {achievement}; its objective_value is its objective "
            f"within the rounding; {dual_note}"
            if not failures
            else "nothing about the Solution: see the failures"
        ),
        seconds=time.perf_counter() - start,
        claims_optimality=claims_optimality,
        claimed_objective=claim.objective_value,
        proved_objective=optimum["objective"] if found and claims_optimality else None,
        exact_mechanism=exact,
        rounding=rounding,
        context=context,
    )


def _near_optimal(
    context: _Context, claim: _Claim, claimed: dict[str, Any], optimum: dict[str, Any]
) -> tuple[str, str] | None:
    """Whether the Solution's mechanism as read is optimal within the rounding of its
    entries (a non-basic optimum whose exact values are not simple, on data read from
    floats): every entry k of every imposed family's exact violation is at most
    Σ_j |A_kj|·ρ·max(s_j, |z_j|), what rounding the entries by ρ can make of row k, and
    its objective is within the objective's rounding of the exact optimum. The rounding
    statement and what is proved, or None."""
    twin = context.twin
    env = twin.float_environment
    mechanism = exact_mechanism(twin, claimed["allocation"], claimed["payments"])
    radius = ROUNDING * np.maximum(claim.scales, np.abs(claim.floats))
    worst = 0.0
    for family in context.families:
        violation = to_float(np.asarray(family.violation(mechanism), dtype=object))
        allowed: FloatArray = abs(family.rows(env).matrix) @ radius  # 1-D, as radius
        if len(allowed) != len(violation):  # entries that are not rows (bounds): the widest
            allowed = np.full(len(violation), max(float(allowed.max(initial=0.0)), ROUNDING))
        broken = violation > allowed
        if np.any(broken):
            return None
        positive = violation > 0
        if np.any(positive):
            worst = max(worst, float(np.max(violation[positive] / allowed[positive])))
    gap = abs(claimed["objective"] - optimum["objective"])
    tolerance = claim.objective_tolerance(context, optimum["objective"])
    if gap > tolerance:
        return None
    rounding = (
        f"the Solution's floats read as rationals (each within {claim.read_distance:.3g} "
        f"of its scale) violate no family beyond what rounding its entries by {ROUNDING:g} "
        f"of their scales allows (at most {worst:.3g} of that), and their objective is "
        f"within {float(gap):.3g} of the exact optimum (the rounding allows {tolerance:.3g})"
    )
    achievement = (
        "is optimal within the rounding of its floats: it satisfies every imposed family "
        "and attains the exact optimum up to that rounding"
    )
    return rounding, achievement


def _gap(left: Fraction, right: Fraction) -> str:
    difference = left - right
    return f"{difference} ≈ {float(difference):.3g}"


def _objective_value_failures(context: _Context, claim: _Claim, value: Fraction) -> list[str]:
    """The Solution's objective_value against its mechanism's exact objective."""
    claimed = claim.objective_value
    if not math.isfinite(claimed):
        return [f"objective_value: the Solution claims {claimed!r}, not a finite number"]
    tolerance = claim.objective_tolerance(context, value)
    gap = abs(Fraction(claimed) - value)
    if gap <= tolerance:
        return []
    return [
        f"objective_value: the Solution claims {claimed!r} but its mechanism's "
        f"{context.objective.name} is {value} ≈ {float(value):.9g}, off by "
        f"{float(gap):.3g} (the rounding allows {tolerance:.3g})"
    ]


def _duals_check(
    context: _Context, claim: _Claim, bound: Fraction | None, y: ObjectArray
) -> tuple[str, list[str]]:
    """The Solution's duals as multipliers of the certified program: they must prove the
    same bound (exactly as read, or within the rounding); read as the certificate's own
    multipliers ``y``, they do. A note and the failures."""
    program = context.program
    if program.column_orbit is not None:
        return (
            "the Solution's duals are on the full families, not on the reduced "
            "program's rows: not checked",
            [],
        )
    floats = _dual_start(program, claim.duals)
    if floats is None:
        return (
            f"the Solution's duals are on the {claim.formulation!r} formulation's rows, "
            "not the certified program's: not checked",
            [],
        )
    if bound is None:
        return "the Solution's duals are not checked (no exact bound to hold them against)", []
    sign = 1 if context.objective.sense == "maximize" else -1
    target = sign * bound  # the program maximises sign × objective; the duals are its own
    simple = [_simplest(x) for x in floats.tolist()]
    near = np.abs(floats - to_float(np.array(simple, dtype=object))) <= ROUNDING * np.abs(floats)
    read = np.empty(len(floats), dtype=object)
    read[:] = [
        s if close else _float_exactly(x)
        for s, close, x in zip(simple, near.tolist(), floats.tolist(), strict=True)
    ]
    if all(a == b for a, b in zip(read.tolist(), y.tolist(), strict=True)):
        return "the Solution's duals, read as rationals, are the certificate's own", []
    total, infeasible = _dual_bound(program, read)
    if not infeasible and total == target:
        return "the Solution's duals, read as rationals, prove the same bound", []
    shortfall = _dual_shortfall(program, read, floats, target)
    if not shortfall:
        return f"the Solution's duals prove the bound within the rounding ({DUAL_ROUNDING:g})", []
    return "", [f"duals: {failure}" for failure in shortfall]


def _dual_shortfall(
    program: ExactProgram, y: ObjectArray, floats: FloatArray, target: Fraction
) -> list[str]:
    """How multipliers y fail to prove the bound ``target`` beyond the rounding: reduced
    costs d = c − Aᵀy of the wrong sign at an infinite bound larger than ρ·(|c| + |A|ᵀ|y|),
    multipliers of the wrong sign at an infinite row bound larger than ρ·max|y| over the
    row's family, and a
    bound (of the feasible part) off ``target`` by more than ρ times its terms' size."""
    matrix = program.float_program().matrix
    cost = to_float(program.cost)
    column_scale = np.abs(cost) + abs(matrix).T @ np.abs(floats)
    row_scale = np.zeros(program.n_rows)  # the largest |y| of the row's family: its units
    for rows in program.row_slices.values():
        row_scale[rows] = float(np.abs(floats[rows]).max(initial=0.0))
    reduced, common = _reduced_costs(program, y)
    failures: list[str] = []
    total = _fraction(program.constant)
    size = abs(float(total))
    for kind, (weights, denominator), lower, upper, scale, name in (
        ("row", scaled(y), program.row_lower, program.row_upper, row_scale, program.describe_row),
        (
            "column",
            (reduced, common),
            program.column_lower,
            program.column_upper,
            column_scale,
            program.describe_column,
        ),
    ):
        for index in np.flatnonzero(weights != 0).tolist():
            weight = Fraction(int(weights[index]), denominator)
            end = upper[index] if weight > 0 else lower[index]
            if type(end) is float:  # infinite: a wrong sign, allowed only within the rounding
                if abs(float(weight)) > DUAL_ROUNDING * scale[index] and len(failures) < LISTED:
                    failures.append(
                        f"{kind} {name(index)} has "
                        f"{'multiplier' if kind == 'row' else 'reduced cost'} "
                        f"{float(weight):.3g} but no {'upper' if weight > 0 else 'lower'} "
                        f"bound (allowed {DUAL_ROUNDING * scale[index]:.3g})"
                    )
                continue
            term = weight * _fraction(end)
            total += term
            size += abs(float(term))
    if abs(float(total - target)) > DUAL_ROUNDING * max(size, abs(float(target))):
        failures.append(
            f"their bound {float(total):.9g} differs from the exact optimum's "
            f"{float(target):.9g} by {float(total - target):.3g}"
        )
    return failures


def _column_name(program: ExactProgram, column: int) -> str:
    """What column ``column`` of the full z is (its orbit, on a reduced program)."""
    orbit = program.column_orbit
    return program.describe_column(column if orbit is None else int(orbit[column]))


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
            f"objective {value} differs from the dual bound {sign * bound} by "
            f"{_gap(value, sign * bound)}: not attained"
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
    reduced, common = _reduced_costs(program, y)
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


def _reduced_costs(program: ExactProgram, y: ObjectArray) -> tuple[ObjectArray, int]:
    """d = c − Aᵀy as integers over one denominator L = lcm(d_c, d_m) (c = c'/d_c,
    Aᵀy = m/d_m): d = (c'·(L/d_c) − m·(L/d_m))/L."""
    products, products_d = program.transposed_scaled(y)
    cost, cost_d = scaled(program.cost)
    common = math.lcm(cost_d, products_d)
    return cost * (common // cost_d) - products * (common // products_d), common


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
) -> Iterator[dict[str, list[tuple[int, IntArray, IntArray]]]]:
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
    env: Environment, family: ConstraintFamily, rows: IntArray
) -> list[tuple[int, IntArray, IntArray]]:
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
    context: _Context,
    claim: _Claim,
    mechanism: Mechanism,
    description: str,
    argument: str,
    start: float,
) -> Certificate:
    """Fix the incumbent's integral allocation, recover its best payments exactly, bound by
    the LP relaxation, and hold the incumbent itself against them."""
    program = context.program
    fixed = rational_array(np.rint(mechanism.flat_allocation).astype(int).ravel())
    z = _optimal_basis(program, fixed).primal()
    y = _optimal_basis(program).dual()
    optimum = _check(context, z, y, False)
    closed = optimum["bound"] is not None and optimum["bound"] == optimum["objective"]
    claimed = _check(context, claim.read, y, False)
    achievement = (
        "is deterministic, satisfies every imposed family exactly and its objective is "
        "exact; "
        + (
            "it attains the LP relaxation's bound, so it is optimal even among "
            "randomised mechanisms"
            if closed
            else "optimality among deterministic mechanisms is not proved (the LP "
            "relaxation's bound is larger; HiGHS's branch-and-bound gap is not checked "
            "exactly)"
        )
    )
    return _verdict(
        context,
        claim,
        claimed,
        optimum,
        y,
        (
            description + " with the allocation fixed to the incumbent's; "
            "bound from its LP relaxation",
            argument,
        ),
        start,
        achievement,
        claims_optimality=closed,
    )


def _refused(twin: ExactEnvironment, reason: str, start: float, claim: _Claim) -> Certificate:
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
        claimed_objective=claim.objective_value,
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
