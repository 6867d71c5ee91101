"""Which solver takes a design program: HiGHS for LP, MILP and convex QP; Clarabel for the rest.

A design program is linear as long as its objective and families are; a
:class:`~lpmech.objectives.CustomObjective` or
:class:`~lpmech.constraints.CvxpyConstraint` may make it quadratic (payment
variance, distance to a reference mechanism) or conic (log, entropy,
geometric-mean, norm terms: Nash welfare of interim utilities). cvxpy's
analysis gives the class (:func:`problem_class`), and :func:`choose_solver` the
solver ``solver="auto"`` uses:

==============================  ==========  ==========================================
class                           solver      why
==============================  ==========  ==========================================
linear, mixed-integer linear    HIGHS       simplex / branch and bound, exact vertices
quadratic (continuous)          HIGHS       its QP solver; vertices stay exact where
                                            the quadratic part is flat
anything else (cones)           CLARABEL    interior point on exponential, power and
                                            second-order cones; ships with cvxpy
==============================  ==========  ==========================================

Measured on the 2 × 4 auction (DSIC, ex-post IR; ``benchmarks/solvers.py``
measures it again): maximising Σ log(1 + t_1(θ)), Clarabel solves in
about 5 ms to a violation of 1e-9, SCS, cvxpy's other bundled conic solver
(first order), takes longer and stops at violations near 1e-5, which the
default verification tolerance (1e-6) rejects. Mixed-integer programs with
cones or quadratic terms have no bundled solver; :func:`choose_solver` says
so.

Verification tolerances (:data:`VERIFICATION_TOLERANCE`): a solver's optimum is
verified at ``max(tol, VERIFICATION_TOLERANCE[solver])``, relative to the data's
scale (:func:`lpmech.verify.tolerance_scale`), and the tolerance applied is
printed with every check. Interior-point solvers (HiGHS, Clarabel) meet the
default 1e-6; first-order solvers (SCS, OSQP) stop near 1e-5 and are verified
at 1e-4.
"""

from __future__ import annotations

import cvxpy as cp
from cvxpy.atoms.affine.affine_atom import AffAtom

from lpmech.errors import SolverMismatchError

#: The solver for linear, mixed-integer linear and convex quadratic programs.
LINEAR_SOLVER = "HIGHS"
#: The solver for every other convex program.
CONIC_SOLVER = "CLARABEL"
#: Relative verification tolerance a solver's optimum is held to, at least.
VERIFICATION_TOLERANCE: dict[str, float] = {"SCS": 1e-4, "OSQP": 1e-4}


def problem_class(problem: cp.Problem) -> str:
    """The class of a DCP problem, e.g. ``"linear program"`` or ``"conic program (log)"``."""
    prefix = "mixed-integer " if problem.is_mixed_integer() else ""
    if problem.is_lp():
        return f"{prefix}linear program"
    if problem.is_qp():
        return f"{prefix}quadratic program"
    atoms = sorted({atom.__name__ for atom in problem.atoms() if not issubclass(atom, AffAtom)})
    return f"{prefix}conic program ({', '.join(atoms)})"


def capable_solvers(problem: cp.Problem) -> list[str]:
    """Installed cvxpy solvers whose interface accepts ``problem`` (cvxpy's own check)."""
    capable = []
    for name in cp.installed_solvers():
        try:
            problem.get_problem_data(solver=name)
        except cp.error.SolverError:
            continue
        capable.append(name)
    return capable


def solver_named(name: str) -> str:
    """A cvxpy solver name, upper-cased, or ``"auto"``; refuses one not installed."""
    if name == "auto":
        return name
    upper = str(name).upper()
    if upper not in cp.installed_solvers():
        raise SolverMismatchError(f"solver: {name!r} is not an installed cvxpy solver; "
                                  f"installed: {cp.installed_solvers()} (or 'auto')")
    return upper


def choose_solver(problem: cp.Problem) -> str:
    """The solver ``solver="auto"`` uses for ``problem`` (see the module's table)."""
    if problem.is_qp() and not (problem.is_mixed_integer() and not problem.is_lp()):
        return LINEAR_SOLVER
    if not problem.is_mixed_integer():
        return CONIC_SOLVER
    capable = capable_solvers(problem)
    if not capable:
        raise SolverMismatchError(
            f"the program is a {problem_class(problem)} and no installed solver takes it: "
            "HiGHS takes integers only with a linear objective, Clarabel no integers at all; "
            "drop deterministic=True or install a mixed-integer conic solver (e.g. SCIP)"
        )
    return capable[0]


def refuse_mismatch(problem: cp.Problem, solver: str) -> None:
    """Raise if ``solver`` cannot take ``problem``'s class, naming the class and who can."""
    capable = capable_solvers(problem)
    if solver in capable:
        return
    others = ", ".join(capable) if capable else "no installed solver"
    raise SolverMismatchError(
        f"solver {solver!r} cannot take this program: it is a {problem_class(problem)}; "
        f"{others} can (solver='auto' chooses)"
    )


def verification_tolerance(solver: str, tol: float) -> float:
    """The relative tolerance an optimum from ``solver`` is verified at."""
    return max(tol, VERIFICATION_TOLERANCE.get(solver, 0.0))
