"""The exact optimum of ``solve(..., exact=True)``: an optimal mechanism proved in rationals.

Where the problem's numbers span more than a double-precision solve resolves
(:mod:`lpmech.solving.conditioning`: a likely type beside a huge improbable one,
nearly dependent beliefs), the float optimum may be wrong. The exact route solves the
*rational* program instead, reusing the certificate's machinery
(:mod:`lpmech.exact.certificate`):

1. the compiled families' direct program is built with rational data on the exact twin
   of the environment (:func:`lpmech.exact.program.exact_program`);
2. HiGHS proposes a basis of its float image — first as given, then with tolerances
   near double precision's and no presolve, then equilibrated (rows and columns
   divided by powers of two so every row's and column's largest entry is near 1), then
   with each payment column in its type's own money (:func:`in_types_money`); scaling
   by powers of two maps bases onto bases, and each proposed basis that is not optimal
   is repaired by exact simplex pivots (:class:`_Repair`);
3. each proposed basis is solved exactly (:mod:`lpmech.exact.linear_systems`) and its
   primal z and row multipliers y are checked in rationals (the certificate's
   ``exact_checks``): z satisfies every imposed family by its definition, y is dual
   feasible and its weak-duality bound equals the objective of z — so z is optimal
   (seed notes: LP duality, Thm. on weak duality). The first basis that passes is the
   answer; a basis that fails only means HiGHS's float view was too coarse.

If no proposal passes, :class:`~lpmech.errors.ExactSolveError` says so; nothing
unproved is returned. Programs are limited to the certificate's size
(:data:`~lpmech.exact.certificate.MAX_NONZEROS`). ``deterministic=True`` is proved when
the exact optimum of the relaxation is integral (then it is optimal among
deterministic mechanisms too); otherwise the exact route refuses.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import highspy
import numpy as np
import scipy.sparse as sp

from lpmech.backends.algorithms import with_algorithm
from lpmech.backends.engines import HighspyBackend
from lpmech.constraints.base import ConstraintFamily
from lpmech.errors import ExactSolveError
from lpmech.exact.certificate import (
    MAX_NONZEROS,
    BasisSolution,
    Certificate,
    ExactContext,
    NoBasisError,
    ProvedMechanism,
    collector_paused,
    duals_by_family,
    exact_checks,
    value_at_bound,
)
from lpmech.exact.linear_systems import SingularSystemError, solve_rational
from lpmech.exact.program import ExactProgram, exact_program
from lpmech.exact.twin import exact_environment
from lpmech.numbers.rationals import Rational
from lpmech.problem.environment import Environment
from lpmech.program.compiler import Program
from lpmech.program.equilibration import equilibrate
from lpmech.program.objectives import Objective

#: HiGHS options for the second proposal: tolerances near double precision's, no presolve
#: (whose reductions are made in floats), on the equilibrated program.
TIGHT_OPTIONS = {
    "presolve": "off",
    "primal_feasibility_tolerance": 1e-10,
    "dual_feasibility_tolerance": 1e-10,
    "simplex_scale_strategy": 0,
}

#: Exact simplex pivots tried from a proposed basis before it is given up.
MAX_PIVOTS = 500

_BASIC_STATUS = int(highspy.HighsBasisStatus.kBasic)
_LOWER_STATUS = int(highspy.HighsBasisStatus.kLower)
_UPPER_STATUS = int(highspy.HighsBasisStatus.kUpper)
#: The basis matrix B of a repair step in coordinates (rows, columns, values).
_System = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class ExactOptimum:
    """An optimum proved in rationals.

    Attributes
    ----------
    certificate : Certificate
        The exact mechanism (``allocation``, ``payments`` as Fractions), its objective
        (a Fraction), the dual bound it attains and the multipliers proving it.
    program : ExactProgram
        The rational program solved.
    proposal : str
        Which HiGHS proposal gave the proved basis.
    seconds : float
    """

    certificate: Certificate
    program: ExactProgram
    proposal: str
    seconds: float

    @property
    def objective(self) -> Fraction:
        """The exact optimal value."""
        assert self.certificate.objective is not None  # proved certificates have one
        return self.certificate.objective


def exact_optimum(
    env: Environment,
    objective: Objective,
    families: Sequence[ConstraintFamily],
    deterministic: bool = False,
) -> ExactOptimum:
    """The optimal mechanism of ``env`` under ``families``, found and proved in rationals.

    Parameters
    ----------
    env : Environment
    objective : Objective
        A linear objective (no cvxpy terms).
    families : sequence of ConstraintFamily
        Every imposed family, feasibility included, as resolved by :func:`lpmech.solve`.
    deterministic : bool
        Require an integral allocation (see the module docstring).

    Raises
    ------
    ExactSolveError
        The program is too large, not linear, or no proposed basis was proved optimal.
    """
    start = time.perf_counter()
    if objective.requires_cvxpy or any(f.requires_cvxpy for f in families):
        raise ExactSolveError(
            "exact=True: the objective or a family is written as cvxpy expressions, with "
            "no rational rows; solve it in floats"
        )
    with collector_paused():
        twin = exact_environment(env)
        compiled = tuple(f.compiled_form(env) for f in families)
        program = exact_program(twin, objective, compiled)
        if len(program.data) > MAX_NONZEROS:
            raise ExactSolveError(
                f"exact=True: the direct program has {len(program.data)} non-zeros, over the "
                f"{MAX_NONZEROS} solved in rationals; solve it in floats (exact=False)"
            )
        context = ExactContext(twin, tuple(families), objective, program)
        failures: list[str] = []
        for proposal, basis in _proposals(program, env, failures):
            try:
                y = basis.dual()
                checked = exact_checks(context, basis.primal(), y, True)
            except SingularSystemError as error:
                failures.append(f"{proposal}: {error}")
                continue
            if checked["failures"]:
                failures.append(f"{proposal}: {checked['failures'][0]}")
                continue
            certificate = Certificate(
                **checked,
                duals=duals_by_family(program, y),
                inputs=twin.inputs,
                program=f"the direct program of the compiled families ({program.n_rows} "
                f"rows, {program.n_columns} columns)",
                argument="every row of this program is a row of an imposed family, so its "
                "optimum bounds the full problem's; the mechanism satisfies the full "
                "families exactly and attains the bound",
                proved="the exact basic solution satisfies every imposed family exactly "
                "and attains the dual bound: optimal",
                seconds=time.perf_counter() - start,
                proved_objective=checked["objective"],
                exact_mechanism=ProvedMechanism(
                    checked["objective"], checked["allocation"], checked["payments"]
                ),
                context=context,
            )
            if deterministic and not _integral(certificate.allocation):
                raise ExactSolveError(
                    "exact=True with deterministic=True: the exact optimum found is a "
                    "randomised mechanism, so the deterministic optimum is not proved; "
                    "solve it with exact=False"
                )
            return ExactOptimum(certificate, program, proposal, time.perf_counter() - start)
    raise ExactSolveError(
        "exact=True: no basis HiGHS proposed was proved optimal in rationals ("
        + "; ".join(failures)
        + ")"
    )


def _proposals(
    program: ExactProgram, env: Environment, skipped: list[str]
) -> Iterator[tuple[str, BasisSolution]]:
    """Bases of the program's float image that HiGHS finds optimal, one per proposal
    (each then repaired by exact pivots if it is not optimal); why one gave none is
    appended to ``skipped``."""
    floats = program.float_program()
    images = [
        ("HiGHS on the float program", floats, with_algorithm(floats, {})),
        ("HiGHS on the float program, tight tolerances", floats, TIGHT_OPTIONS),
        ("HiGHS on the equilibrated program, tight tolerances", equilibrate(floats).program, {}),
    ]
    if floats.standard_layout:
        images.append(
            ("HiGHS on the program in each type's money", in_types_money(floats, env), {})
        )
    for name, image, options in images:
        try:
            highs = HighspyBackend.load(image, options)
        except ValueError as error:  # entries HiGHS calls infinite (|a| ≥ 1e15)
            skipped.append(f"{name}: {error}")
            continue
        highs.run()
        basis = highs.getBasis()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal or not basis.valid:
            skipped.append(f"{name}: {highs.modelStatusToString(highs.getModelStatus())}")
            continue
        columns = np.array([int(s) for s in basis.col_status])
        rows = np.array([int(s) for s in basis.row_status])
        try:
            yield name, BasisSolution(program, columns, rows)
        except NoBasisError as error:
            skipped.append(f"{name}: {error}")
            continue
        try:
            repaired = _Repair(program, columns, rows).run(MAX_PIVOTS)
        except SingularSystemError as error:
            skipped.append(f"{name}, exact pivots: {error}")
            continue
        if isinstance(repaired, str):
            skipped.append(f"{name}, exact pivots: {repaired}")
        else:
            yield f"{name}, then exact simplex pivots", BasisSolution(program, *repaired)


def in_types_money(program: Program, env: Environment) -> Program:
    """The float program with each payment column t_i(θ) in units of its type's own scale
    max(|V_i(θ)|, |o_i(θ_i)|) (powers of two), rows then equilibrated and the objective
    divided by its largest |coefficient|: the scaling that keeps a huge improbable type's
    payments (3e12 at probability 1e-3) near 1, which HiGHS otherwise calls unbounded.
    A basis of it is a basis of the program."""
    layout = env.layout
    columns = np.ones(program.n_columns)
    profiles = np.arange(env.n_profiles)
    for i in range(env.n_agents):
        own = np.maximum(
            np.abs(env.values_at_profiles(i)).max(axis=1, initial=0.0),
            np.abs(env.outside_options[i])[layout.profile_types[:, i]],
        )
        columns[layout.payment_columns(profiles, i)] = np.where(own > 0, own, 1.0)
    columns = np.exp2(np.round(np.log2(columns)))
    cost = program.cost * columns
    largest = float(np.abs(cost).max(initial=0.0)) or 1.0
    scaled = replace(
        program,
        matrix=sp.csr_array(program.matrix @ sp.diags(columns)),
        column_lower=program.column_lower / columns,
        column_upper=program.column_upper / columns,
        cost=cost / np.exp2(np.round(np.log2(largest))),
        constant=0.0,
    )
    return equilibrate(scaled, integer_columns=np.arange(program.n_columns)).program


class _Repair:
    """The bounded primal simplex method in rationals, from a basis HiGHS proposed.

    Variables w = (z, s) with A z − s = 0, z within its column bounds and s within the
    row bounds; a basis is m of them (HiGHS's basic columns and basic rows' slacks), the
    others at the bound their status names. Each step prices with the exact y of
    B ᵀ y = c_B (reduced cost c_j − A_jᵀ y of a column, y_r of a slack), lets the first
    improvable variable enter (Bland's rule: no cycling), and moves to the first bound
    the step meets (the smallest index among ties). It needs a basis whose exact basic
    solution is feasible, which a float optimum's is in the cases seen (issue 21: its
    fault was dual, the wrong vertex); otherwise it stops and the proposal fails.
    """

    def __init__(self, program: ExactProgram, columns: np.ndarray, rows: np.ndarray) -> None:
        self.program = program
        self.n, self.m = program.n_columns, program.n_rows
        self.status = np.concatenate([columns, rows]).astype(int)
        self.lower = np.concatenate([program.column_lower, program.row_lower])
        self.upper = np.concatenate([program.column_upper, program.row_upper])
        numbers = sp.csr_array(  # entry number + 1 (no zero is dropped), read by column
            (np.arange(1, len(program.data) + 1), program.indices, program.indptr),
            shape=(self.m, self.n),
        ).tocsc()
        starts, entry = numbers.indptr, numbers.data.astype(np.intp) - 1
        self.column_rows = [numbers.indices[starts[j] : starts[j + 1]] for j in range(self.n)]
        self.column_data = [program.data[entry[starts[j] : starts[j + 1]]] for j in range(self.n)]
        self.cost = np.concatenate([program.cost, np.full(self.m, Rational(0))])

    def entries(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows and values of column j of [A, −I]."""
        if j < self.n:
            return self.column_rows[j], self.column_data[j]
        return np.array([j - self.n]), np.array([Rational(-1)], dtype=object)

    def basis_system(self, basic: np.ndarray) -> _System:
        rows, columns, values = [], [], []
        for position, j in enumerate(basic):
            r, v = self.entries(int(j))
            rows.append(r)
            columns.append(np.full(len(r), position))
            values.append(v)
        return np.concatenate(rows), np.concatenate(columns), np.concatenate(values)

    def values(self, basic: np.ndarray, system: _System) -> np.ndarray:
        """w: non-basic variables at their bounds, basic ones from B w_B = −N w_N."""
        w = np.empty(self.n + self.m, dtype=object)
        w[:] = Rational(0)
        rhs = np.empty(self.m, dtype=object)
        rhs[:] = Rational(0)
        for j in np.flatnonzero(self.status != _BASIC_STATUS):
            w[j] = value_at_bound(self.lower[j], self.upper[j], self.status[j])
            if w[j]:
                r, v = self.entries(int(j))
                rhs[r] = rhs[r] - v * w[j]
        rows, columns, data = system
        w[basic] = solve_rational(rows, columns, data, rhs)
        return w

    def run(self, max_pivots: int) -> tuple[np.ndarray, np.ndarray] | str:
        """Optimal (column, row) statuses, or why the repair stopped."""
        for _ in range(max_pivots):
            basic = np.flatnonzero(self.status == _BASIC_STATUS)
            system = self.basis_system(basic)
            w = self.values(basic, system)
            if any(w[j] < self.lower[j] or w[j] > self.upper[j] for j in basic):
                return "the proposed basis is not feasible in rationals"
            rows, columns, data = system
            y = solve_rational(columns, rows, data, self.cost[basic])
            entering, direction = self.entering(w, y)
            if entering < 0:
                return self.status[: self.n], self.status[self.n :]
            step = self.pivot(basic, system, w, entering, direction)
            if isinstance(step, str):
                return step
        return f"no optimal basis within {max_pivots} exact pivots"

    def entering(self, w: np.ndarray, y: np.ndarray) -> tuple[int, int]:
        """The first variable whose move improves the objective, and its direction."""
        reduced = np.concatenate([self.cost[: self.n] - self.program.transposed_product(y), y])
        for j in np.flatnonzero(self.status != _BASIC_STATUS):
            d = reduced[j]
            if d > 0 and w[j] < self.upper[j]:
                return int(j), 1
            if d < 0 and w[j] > self.lower[j]:
                return int(j), -1
        return -1, 0

    def pivot(
        self, basic: np.ndarray, system: _System, w: np.ndarray, entering: int, direction: int
    ) -> str | None:
        """Move the entering variable to the first bound met; update the statuses."""
        rows, columns, data = system
        r, v = self.entries(entering)
        column = np.empty(self.m, dtype=object)
        column[:] = Rational(0)
        column[r] = v
        change = -direction * solve_rational(rows, columns, data, column)  # of w_B per unit
        best, leaving, bound = _span(self.lower[entering], self.upper[entering]), -1, 0
        for position, j in enumerate(basic):
            g = change[position]
            if g > 0 and not isinstance(self.upper[j], float):
                ratio, at = (self.upper[j] - w[j]) / g, _UPPER_STATUS
            elif g < 0 and not isinstance(self.lower[j], float):
                ratio, at = (self.lower[j] - w[j]) / g, _LOWER_STATUS
            else:
                continue
            if best is None or ratio < best:
                best, leaving, bound = ratio, int(j), at
        if best is None:
            return "the program is unbounded in rationals"
        if leaving < 0:  # the entering variable meets its own other bound
            self.status[entering] = _UPPER_STATUS if direction > 0 else _LOWER_STATUS
            return None
        self.status[entering] = _BASIC_STATUS
        self.status[leaving] = bound
        return None


def _span(lower: Any, upper: Any) -> Any:
    """upper − lower if both are finite, else None (no limit of its own)."""
    if isinstance(lower, float) or isinstance(upper, float):
        return None
    return upper - lower


def _integral(allocation: Any) -> bool:
    return all(Fraction(x).denominator == 1 for x in np.ravel(allocation))
