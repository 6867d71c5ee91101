"""Solve a design problem: compile, call HiGHS, read the status, verify the optimum.

:func:`solve` never returns a half-filled result. It either returns a
:class:`Solution` whose mechanism has passed :func:`~lpmech.checks.verification.verify` for
every imposed family, or raises:

* :class:`~lpmech.errors.InfeasibleDesignError` — names the imposed families and
  a minimal conflicting subset, found by a deletion filter (drop one family at a
  time, keep it out if the rest is still infeasible);
* :class:`~lpmech.errors.UnboundedDesignError` — with a hint (e.g. no
  participation family bounds the payments);
* :class:`~lpmech.errors.SolverFailedError` — the solver's own message;
* :class:`~lpmech.errors.VerificationError` — the solver's optimum violates an
  imposed family beyond tolerance (each entry judged against its own scale, see
  :mod:`lpmech.checks.verification`);
* :class:`~lpmech.errors.IllConditionedError` — the data span more than a
  double-precision solve resolves (:mod:`lpmech.solving.conditioning`); ``exact=True``
  solves such problems in rationals (:mod:`lpmech.exact.optimum`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from lpmech.arrays import FloatArray
from lpmech.backends.algorithms import ALGORITHMS
from lpmech.backends.engines import (
    BACKENDS,
    Backend,
    CvxpyBackend,
    check_solver_options,
    highs_option_values,
)
from lpmech.backends.solver_choice import LINEAR_SOLVER, solver_named, verification_tolerance
from lpmech.backends.status import CLOSED_GAP, Status, loosened_tolerances
from lpmech.checks.verification import (
    VerificationReport,
    check_tol,
    objective_tolerance,
    verify,
)
from lpmech.constraints import ConstraintFamily, resolve_all, with_feasibility
from lpmech.errors import (
    InfeasibleDesignError,
    InvalidArgumentError,
    SolverFailedError,
    UnboundedDesignError,
    VerificationError,
)
from lpmech.formulations import DesignProblem, Formulation, Outcome, formulation_named
from lpmech.formulations.base import run_program
from lpmech.problem.environment import Environment
from lpmech.problem.memory import resolve_memory_limit
from lpmech.program.compiler import compile_program
from lpmech.program.objectives import Objective, ZeroObjective, resolve_objective
from lpmech.results.mechanism import Mechanism
from lpmech.solving.canonical import TieBreak, canonical_optimum
from lpmech.solving.conditioning import check_conditioning
from lpmech.solving.scaling import normalise, restore
from lpmech.solving.sizing import check_fits, check_floor

if TYPE_CHECKING:
    pass

from lpmech.results.solution import Solution, SolveReport

#: Families imposed when none are named: the classic revenue-design constraints.
DEFAULT_CONSTRAINTS = ("dominant_strategy_ic", "ex_post_ir")

#: HiGHS's default relative MIP gap (1e-4) would stop short of the optimum that
#: tests compare with formulas to 1e-6; deterministic solves close the gap.
MIP_DEFAULTS = {"mip_rel_gap": CLOSED_GAP, "mip_feasibility_tolerance": 1e-9}


def solve(
    env: Environment,
    objective: str | Objective = "revenue",
    constraints: Sequence[str | ConstraintFamily] = DEFAULT_CONSTRAINTS,
    *,
    formulation: str | Formulation = "auto",
    deterministic: bool = False,
    backend: str = "auto",
    algorithm: str = "auto",
    solver: str = "auto",
    solver_options: Mapping[str, Any] | None = None,
    tol: float = 1e-6,
    diagnose: bool = True,
    verbose: bool = False,
    memory_limit: float | None = None,
    tie_break: TieBreak = None,
    exact: bool = False,
) -> Solution:
    """The optimal mechanism for ``env`` under the chosen families.

    Parameters
    ----------
    env : Environment
        The problem.
    objective : str or Objective
        ``"revenue"`` (default), ``"profit"``, ``"welfare"``,
        ``"agents_welfare"``, ``"gains_from_trade"``, ``"deficit"``, a
        combination such as ``0.5 * Revenue() + 0.5 * Welfare()``, or a
        :class:`~lpmech.program.objectives.CustomObjective`.
    constraints : sequence of str or ConstraintFamily
        The families to impose (see :mod:`lpmech.constraints`); feasibility of
        the allocation is always added. By name: ``"dominant_strategy_ic"``
        (``"dsic"``, ``"ex_post_ic"``), ``"bayesian_ic"`` (``"bic"``),
        ``"ex_post_ir"``, ``"interim_ir"``, ``"ex_ante_ir"``,
        ``"ex_post_budget_balance"`` (``"ex_post_bb"``), ``"ex_post_no_deficit"``,
        ``"ex_ante_budget_balance"`` (``"ex_ante_bb"``), ``"ex_ante_no_deficit"``,
        ``"ex_post_monotonicity"`` (``"monotonicity"``), ``"interim_monotonicity"``,
        ``"feasibility"``, ``"efficient_allocation"``; or any
        :class:`~lpmech.constraints.base.ConstraintFamily` instance, your own included.
    formulation : str
        ``"auto"`` (default) or a name from :mod:`lpmech.formulations`: how to
        compile the problem. Every formulation gives the same optimum, and the
        result is verified against the families as imposed.
    deterministic : bool
        Ask for a deterministic allocation (solved as a MIP; no duals).
    backend : {"auto", "cvxpy", "highspy"}
        HiGHS directly (``"highspy"``, what ``"auto"`` picks unless a part is
        written as cvxpy expressions) or through cvxpy.
    algorithm : {"auto", "simplex", "ipm"}
        HiGHS's algorithm for linear programs: ``"auto"`` (default) chooses by
        the program's size and structure (:func:`lpmech.backends.algorithms.
        choose_algorithm`); the report says which ran.
    solver : str
        ``"auto"`` (default): HiGHS for linear and mixed-integer linear
        programs, Clarabel for other convex programs (objectives or families
        with quadratic, log, entropy, geometric-mean or norm terms); or the name
        of an installed cvxpy solver, which implies ``backend="cvxpy"`` and the
        direct formulation (see :mod:`lpmech.backends.solver_choice`).
    solver_options : mapping, optional
        HiGHS options passed through, e.g. ``{"solver": "ipm"}``; for another
        solver, its cvxpy keyword arguments.
    tol : float
        Relative tolerance of the verification of the optimum (see
        :func:`~lpmech.checks.verification.verify`), 0 < tol ≤ 1e-2; a first-order
        solver's optimum is verified at its stated tolerance if that is larger
        (:data:`lpmech.backends.solver_choice.VERIFICATION_TOLERANCE`).
    diagnose : bool
        On infeasibility, find a minimal conflicting set of families.
    verbose : bool
        Show the solver's log (as ``solver_options={"output_flag": True}`` does
        for HiGHS); a solve is silent otherwise.
    memory_limit : float, optional
        Bytes the solve may use; a larger estimated program is refused before
        anything of its size is allocated (:mod:`lpmech.solving.sizing`). Default: half of
        the machine's available memory.

    tie_break : None, "small_payments" or Mechanism
        Which optimum to return when several are optimal (:mod:`lpmech.solving.canonical`):
        ``None`` (default) the solver's vertex, ``"small_payments"`` the least
        expected absolute payment, a :class:`Mechanism` the optimum closest to it
        (prior-weighted L1). A second program, timed in the report. Independently,
        when the agents are identical and the problem is invariant under relabelling
        them, the optimum is averaged over relabellings (anonymous), unless the
        tie-break's target is not anonymous.

    exact : bool
        Solve in rationals (:mod:`lpmech.exact.optimum`): ``objective_value`` is then the
        exact optimum as a :class:`~fractions.Fraction` and ``solution.exact`` holds the
        mechanism proved optimal, in Fractions. For problems whose numbers span more
        than a float solve resolves (:mod:`lpmech.solving.conditioning`), which a float
        solve refuses with :class:`~lpmech.errors.IllConditionedError`. Programs up to
        the size :func:`lpmech.exact.certificate.certify` handles; needs python-flint.

    The program is solved in normalised units (values divided by their scale,
    :mod:`lpmech.solving.scaling`) and the mechanism mapped back, so scaling every value
    by c scales the optimum by c.

    Returns
    -------
    Solution
        The optimal mechanism (``solution.mechanism``), its objective value
        (``solution.objective_value``), its verification against every imposed
        family (``solution.verification``), the dual of every row by family
        (``solution.duals``; none for ``deterministic=True``) and the program's size,
        formulation, algorithm and timings (``solution.report``). Never ``None``:
        a problem without a verified optimum raises.

    Raises
    ------
    InfeasibleDesignError, UnboundedDesignError, SolverFailedError, VerificationError,
    IllConditionedError, ExactSolveError, ProblemTooLargeError, InvalidArgumentError

    Notes
    -----
    A pipeline of named steps: :func:`resolve_request` (names to objects, options),
    :func:`compiled_problem` (each part's compiled form), :func:`normalise` (values
    divided by their scale), :func:`choose_backend`, :func:`check_fits` (the size guard,
    before and after :func:`choose_formulation`), the formulation's ``run`` with
    :func:`restore` (back to the user's units), :func:`settle` (raise unless optimal),
    :func:`optimal_mechanism`, :func:`check_optimum` (verification), and
    :func:`solve_report`.

    Examples
    --------
    >>> from lpmech.problem.builders import single_item_auction
    >>> env = single_item_auction([1, 2, 3, 4], n_bidders=1)
    >>> solution = solve(env, "revenue", ["dsic", "ex_post_ir"])
    >>> round(solution.objective_value, 6)    # best posted price: 3 (or 2), revenue 1.5
    1.5
    """
    start = time.perf_counter()
    tol = check_tol(tol)
    check_flag(exact, "exact")
    check_flag(diagnose, "diagnose")
    request = resolve_request(
        env, objective, constraints, deterministic, algorithm, solver, solver_options, verbose
    )
    limit = resolve_memory_limit(memory_limit)
    check_floor(request.env, limit, lambda: compiled_problem(request))  # before compiling
    if not isinstance(exact, bool | np.bool_):
        raise InvalidArgumentError(f"exact must be True or False, got {exact!r}")
    if exact:
        unused = {
            "formulation": formulation not in ("auto", "direct"),
            "solver": solver != "auto",
            "tie_break": tie_break is not None,
            "backend": backend != "auto",
            "algorithm": algorithm != "auto",
            "solver_options": bool(solver_options),  # a time limit or gap it would not keep
        }
        return exact_solution(
            request, [name for name, given in unused.items() if given], start, tol
        )
    problem = compiled_problem(request)
    check_conditioning(env, request.families, tol)
    # a Formulation given as an object may hold a program already built in the user's units
    problem, scale = normalise(problem) if isinstance(formulation, str) else (problem, 1.0)
    engine = choose_backend(backend, request)
    # before anything of size ∏ K_i is built; a Formulation object is sized as direct here
    check_fits(problem, formulation if isinstance(formulation, str) else formulation.name, limit)
    method = choose_formulation(formulation, problem, request)
    check_fits(problem, method.name, limit)
    outcome = restore(method.run(problem, engine, request.options), problem, scale)
    settle(outcome, request, problem, engine, diagnose)
    z, optimum = optimal_point(outcome, request.names)
    canonical = canonical_optimum(
        problem,
        method,
        z,
        optimum,
        tie_break,
        engine,
        request.options,
        scale,
        outcome.duals,
        limit,
    )
    if canonical.z is not outcome.z:  # violations measured on the first z do not carry over
        outcome = replace(outcome, z=canonical.z, measured=canonical.measured)
    mechanism = optimal_mechanism(request, outcome)
    verification = check_optimum(mechanism, request, problem, outcome, tol)
    report = replace(
        solve_report(request, problem, outcome, engine, method, start),
        tie_break=canonical.description,
        tie_break_seconds=canonical.seconds,
    )
    return Solution(
        mechanism,
        request.objective.value(mechanism),
        request.objective,
        request.families,
        outcome.duals,
        report,
        verification,
        problem.families,
        request.options,
        outcome.orbit_program,
    )


def exact_solution(request: Request, unused: Sequence[str], start: float, tol: float) -> Solution:
    """The Solution of ``solve(..., exact=True)``: the optimum proved in rationals
    (:func:`lpmech.exact.optimum.exact_optimum`), its mechanism as nearest floats
    verified like any other, its objective value a Fraction.

    ``unused`` names the float solve's options the caller set: refused, since the exact
    solve would not keep them (a time limit or MIP gap silently ignored is a dishonest
    status).
    """
    if unused:
        raise InvalidArgumentError(
            "exact=True solves the direct program in rationals and does not use "
            f"{', '.join(unused)}: leave them at their defaults"
        )
    from lpmech.exact.optimum import exact_optimum
    from lpmech.numbers.rationals import to_float

    env = request.env
    found = exact_optimum(env, request.objective, request.families, request.deterministic)
    proved = found.certificate
    mechanism = Mechanism(
        env, to_float(proved.allocation), to_float(proved.payments), name="exact optimum"
    )
    verification = verify(mechanism, request.families, tol=tol)
    if not verification.ok:  # the nearest floats of a proved optimum: a rounding beyond tol
        raise VerificationError(
            f"the exact optimum, rounded to floats, fails verification at tol={tol:g}:\n"
            f"{verification}"
        )
    program = found.program
    counts = np.diff(program.indptr)
    report = SolveReport(
        backend="exact",
        n_variables=program.n_columns,
        n_rows=program.n_rows,
        n_nonzeros=len(program.data),
        rows_by_family={name: s.stop - s.start for name, s in program.row_slices.items()},
        nonzeros_by_family={name: int(counts[s].sum()) for name, s in program.row_slices.items()},
        build_seconds=0.0,
        compile_seconds=0.0,
        solve_seconds=found.seconds,
        total_seconds=time.perf_counter() - start,
        formulation="direct",
        details=f"optimum proved in rationals ({found.proposal})",
        algorithm="exact",
        solver="exact",
    )
    return Solution(
        mechanism,
        found.objective,
        request.objective,
        request.families,
        {name: to_float(y) for name, y in proved.duals.items()},
        report,
        verification,
        tuple(f.compiled_form(env) for f in request.families),
        request.options,
        exact=proved,
    )


@dataclass(frozen=True)
class Request:
    """What :func:`solve` was asked, resolved: objects for names, HiGHS options settled."""

    env: Environment
    objective: Objective
    families: tuple[ConstraintFamily, ...]  # feasibility first unless given
    deterministic: bool
    options: dict[str, Any]
    solver: str = "auto"  # "auto", HiGHS, or a cvxpy solver (see lpmech.backends.solver_choice)

    @property
    def names(self) -> tuple[str, ...]:
        """The imposed families' names."""
        return tuple(f.name for f in self.families)

    @property
    def needs_cvxpy(self) -> bool:
        """Whether a part is written as cvxpy expressions only."""
        return self.objective.requires_cvxpy or any(f.requires_cvxpy for f in self.families)


def check_flag(value: object, argument: str) -> None:
    """Refuse anything but True or False (numpy's too) for the switch ``argument``:
    ``"yes"``, ``"no"``, 1 or None would otherwise read as a truth value."""
    if not isinstance(value, bool | np.bool_):
        raise InvalidArgumentError(f"{argument} must be True or False, got {value!r}")


def resolve_request(
    env: Environment,
    objective: str | Objective,
    constraints: Sequence[str | ConstraintFamily],
    deterministic: bool,
    algorithm: str,
    solver: str,
    solver_options: Mapping[str, Any] | None,
    verbose: bool = False,
) -> Request:
    """Objects for names, feasibility added, HiGHS options with the algorithm asked for
    (and with the solver's log when ``verbose``)."""
    if not isinstance(env, Environment):
        raise InvalidArgumentError(f"env must be an Environment, got {type(env).__name__}")
    check_flag(verbose, "verbose")
    check_flag(deterministic, "deterministic")
    families = with_feasibility(resolve_all(constraints))
    chosen = solver_named(solver)
    options = check_solver_options(solver_options)
    if chosen in ("auto", LINEAR_SOLVER):  # HiGHS reads them
        options = highs_option_values(options)
    options = _with_requested_algorithm(algorithm, options)
    if verbose:
        options = {"output_flag": True, **options}
    if deterministic:
        options = {**MIP_DEFAULTS, **options}
    return Request(env, resolve_objective(objective), families, deterministic, options, chosen)


def compiled_problem(request: Request) -> DesignProblem:
    """The problem as compiled: each family's and the objective's compiled form."""
    env = request.env
    return DesignProblem(
        env,
        request.objective.compiled_form(env),
        tuple(f.compiled_form(env) for f in request.families),
        request.deterministic,
    )


def choose_backend(name: str, request: Request) -> Backend:
    """The backend called ``name``; "auto" is highspy unless a part or the solver needs cvxpy."""
    return _backend(name, request.needs_cvxpy, request.solver)


def choose_formulation(
    name: str | Formulation, problem: DesignProblem, request: Request
) -> Formulation:
    """The formulation asked for; "auto" is direct when a solver other than HiGHS is named."""
    if name == "auto" and request.solver not in ("auto", LINEAR_SOLVER):
        name = "direct"
    return formulation_named(name, problem)


def settle(
    outcome: Outcome, request: Request, problem: DesignProblem, engine: Backend, diagnose: bool
) -> None:
    """Return if the outcome is optimal; else raise what it is (diagnosed if asked)."""
    status = _settle(outcome, problem, engine, request.options, request.names)
    if status is Status.INFEASIBLE:
        conflicting = (
            _conflicting_families(
                request.env, problem.families, request.deterministic, engine, request.options
            )
            if diagnose
            else ()
        )
        raise InfeasibleDesignError(
            _infeasible_message(request.names, conflicting), request.names, conflicting
        )
    if status is Status.UNBOUNDED:
        raise UnboundedDesignError(
            _unbounded_message(request.objective, request.families), request.names
        )


def optimal_point(outcome: Outcome, names: tuple[str, ...]) -> tuple[FloatArray, float]:
    """The decision vector and program value of a settled (optimal) outcome.

    Raises
    ------
    SolverFailedError
        Naming the status, when the formulation returned no solution.
    """
    if outcome.z is None or outcome.objective is None:
        raise SolverFailedError(
            f"the solve ended {outcome.status} ({outcome.message}) without a solution, on a "
            f"program with families {' + '.join(names)}",
            names,
        )
    return outcome.z, outcome.objective


def optimal_mechanism(request: Request, outcome: Outcome) -> Mechanism:
    """The mechanism of the formulation's optimal decision vector."""
    env = request.env
    z, _ = optimal_point(outcome, request.names)
    return Mechanism(env, *env.layout.split(z), name=f"LP optimum ({request.objective.name})")


def check_optimum(
    mechanism: Mechanism, request: Request, problem: DesignProblem, outcome: Outcome, tol: float
) -> VerificationReport:
    """Verify every imposed family, and the objective against the program's optimum.

    Violations a formulation measured on this very z with the same family objects
    are reused rather than measured again.
    """
    reused = {
        name: vector
        for name, vector in outcome.measured.items()
        if any(
            f.name == name and c is f
            for f, c in zip(request.families, problem.families, strict=True)
        )
    }
    tol = verification_tolerance(outcome.solver, tol)
    verification = verify(mechanism, request.families, tol=tol, measured=reused)
    if not verification.ok:
        raise VerificationError(
            "the solver's optimum violates imposed families beyond tolerance "
            "(tighten the solver tolerances, or solve it in rationals with "
            f"solve(..., exact=True)):\n{verification}"
        )
    _check_objective(
        mechanism, request.objective.value(mechanism), outcome.objective, problem.objective, tol
    )
    return verification


def solve_report(
    request: Request,
    problem: DesignProblem,
    outcome: Outcome,
    engine: Backend,
    method: Formulation,
    start: float,
) -> SolveReport:
    """Sizes and timings of the solve (``start``: when :func:`solve` began)."""
    sizes = outcome.sizes
    tolerances = (
        loosened_tolerances(request.options, request.deterministic)
        if request.solver in ("auto", LINEAR_SOLVER)
        else {}
    )
    return SolveReport(
        backend=engine.name,
        n_variables=sizes.n_variables,
        n_rows=sizes.n_rows,
        n_nonzeros=sizes.n_nonzeros,
        rows_by_family=sizes.rows_by_family,
        nonzeros_by_family=sizes.nonzeros_by_family,
        build_seconds=outcome.build_seconds,
        compile_seconds=outcome.compile_seconds,
        solve_seconds=outcome.solve_seconds,
        total_seconds=time.perf_counter() - start,
        reduced=tuple(
            c.name for f, c in zip(request.families, problem.families, strict=True) if c is not f
        ),
        formulation=method.name,
        details=outcome.details,
        algorithm=outcome.algorithm,
        solver=outcome.solver,
        gap=tolerances.get("mip_rel_gap", 0.0),
        tolerances=tolerances,
    )


def _settle(
    outcome: Outcome,
    problem: DesignProblem,
    engine: Backend,
    options: dict[str, Any],
    names: tuple[str, ...],
) -> Status:
    """The outcome's status, resolving "infeasible or unbounded" with a feasibility solve."""
    _raise_if_failed(outcome.status, outcome.message, names)
    if outcome.status is not Status.INFEASIBLE_OR_UNBOUNDED:
        return outcome.status
    program = compile_program(
        problem.env, ZeroObjective(), problem.families, deterministic=problem.deterministic
    )
    feasible = run_program(engine, program, options)
    _raise_if_failed(feasible.status, feasible.message, names)
    return Status.UNBOUNDED if feasible.status is Status.OPTIMAL else Status.INFEASIBLE


def _with_requested_algorithm(algorithm: str, options: dict[str, Any]) -> dict[str, Any]:
    """HiGHS options with the algorithm asked for, refusing two different asks."""
    if algorithm not in ALGORITHMS:
        raise InvalidArgumentError(f"algorithm: unknown {algorithm!r}; choose one of {ALGORITHMS}")
    if algorithm == "auto":
        return options
    if options.get("solver", algorithm) != algorithm:
        raise InvalidArgumentError(
            f"algorithm={algorithm!r} conflicts with solver_options "
            f"{{'solver': {options['solver']!r}}}; give one of them"
        )
    return {**options, "solver": algorithm}


def _backend(name: str, needs_cvxpy: bool, solver: str = "auto") -> Backend:
    needs_cvxpy = needs_cvxpy or solver not in ("auto", LINEAR_SOLVER)
    if name == "auto":
        name = "cvxpy" if needs_cvxpy else "highspy"
    if name not in BACKENDS:
        raise InvalidArgumentError(
            f"backend: unknown {name!r}; choose 'auto' or one of {sorted(BACKENDS)}"
        )
    if name == CvxpyBackend.name:
        return CvxpyBackend(solver)
    engine = BACKENDS[name]()
    if needs_cvxpy and not engine.takes_cvxpy:
        also = f" nor solver {solver!r}" if solver not in ("auto", LINEAR_SOLVER) else ""
        raise InvalidArgumentError(
            f"backend {name!r} cannot take families or objectives written as cvxpy "
            f"expressions{also}; use backend='cvxpy'"
        )
    return engine


def _raise_if_failed(status: Status, message: str, names: tuple[str, ...]) -> None:
    if status is Status.FAILED:
        raise SolverFailedError(
            f"HiGHS stopped without an answer ({message}) on a program with families "
            f"{' + '.join(names)}; try solver_options={{'solver': 'ipm'}} or a time limit",
            names,
        )


def _conflicting_families(
    env: Environment,
    families: tuple[ConstraintFamily, ...],
    deterministic: bool,
    engine: Backend,
    options: dict[str, Any],
) -> tuple[str, ...]:
    """A minimal infeasible subset of families, by a deletion filter.

    Each family is dropped in turn; if the rest is still infeasible it stays
    dropped. What remains is infeasible, and dropping any one of it is feasible.
    """
    blocks = {f.name: (f.rows(env), f.bounds(env)) for f in families}
    kept = list(families)
    for family in families:
        trial = [f for f in kept if f is not family]
        program = compile_program(
            env, ZeroObjective(), trial, deterministic=deterministic, blocks=blocks
        )
        result = run_program(engine, program, options)
        _raise_if_failed(result.status, result.message, tuple(f.name for f in trial))
        if result.status is not Status.OPTIMAL:
            kept = trial
    return tuple(f.name for f in kept)


def _infeasible_message(names: tuple[str, ...], conflicting: tuple[str, ...]) -> str:
    message = f"the design problem is infeasible: no mechanism satisfies {' + '.join(names)}"
    if conflicting:
        message += (
            f". A minimal conflicting set is {' + '.join(conflicting)} "
            "(dropping any one of these makes the rest feasible)"
        )
    return message


def _unbounded_message(objective: Objective, families: tuple[ConstraintFamily, ...]) -> str:
    names = [f.name for f in families]
    message = (
        f"the design problem is unbounded: {objective.name} can be made arbitrarily "
        f"{'large' if objective.sense == 'maximize' else 'small'} under "
        f"{' + '.join(names)}"
    )
    if not any(name.endswith("_ir") for name in names):
        message += (
            ". No participation family is imposed, so agents can be charged without "
            "limit: add 'ex_post_ir', 'interim_ir' or 'ex_ante_ir'"
        )
    return message


def _check_objective(
    mechanism: Mechanism,
    value: float,
    program_value: float | None,
    objective: Objective,
    tol: float,
) -> None:
    """The objective computed from the mechanism must match the program's optimum."""
    if program_value is None or objective.requires_cvxpy:
        return
    expected = objective.sign * program_value
    if abs(value - expected) > objective_tolerance(objective, mechanism, expected, 10 * tol):
        raise VerificationError(
            f"objective {objective.name}: the program's optimum is {expected:.9g} but the "
            f"mechanism's {objective.name} is {value:.9g}; the objective's coefficients and its "
            "value() disagree"
        )
