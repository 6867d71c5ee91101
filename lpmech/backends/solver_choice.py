"""Which solver takes a design program: HiGHS for LP and MILP, Clarabel for the rest.

A design program is linear as long as its objective and families are; a
:class:`~lpmech.program.objectives.CustomObjective`, a
:class:`~lpmech.constraints.CvxpyConstraint` or a non-linear objective such as
``"nash_welfare"`` or ``"revenue_variance"`` makes it quadratic (payment
variance, distance to a reference mechanism) or conic (log, entropy,
geometric-mean, norm terms). cvxpy's analysis gives the class
(:func:`problem_class`), and :func:`choose_solver` the solver ``solver="auto"``
uses:

=================================  ==========  ====================================
class                              solver      why
=================================  ==========  ====================================
linear, mixed-integer linear       HIGHS       simplex and branch and bound: exact
                                               vertices, 2–4× faster than Clarabel
quadratic, conic (continuous)      CLARABEL    interior point on quadratic,
                                               second-order, exponential and power
                                               cones; ships with cvxpy
mixed-integer quadratic or conic   —           no bundled solver; refused by name
=================================  ==========  ====================================

Measured by ``benchmarks/solvers.py`` (one core of an AMD EPYC, whole
``lpmech.solve`` calls; two bidders with K types, DSIC and ex-post IR):

* LP (revenue), K = 20: HiGHS 0.11 s, Clarabel 0.31 s (optimum 3e-9 lower),
  SCS 0.57 s, OSQP 0.69 s (1.7e-5 lower).
* QP (revenue − 0.1 · revenue variance), K = 20: HiGHS's QP solver 3.1 s,
  Clarabel 0.3–0.5 s with an optimum 3.5e-6 *higher* than HiGHS's (SCS agrees with
  Clarabel); at K = 4 and 10 the two are even. Hence QPs go to Clarabel,
  although HiGHS takes them.
* Conic (E log(1 + revenue)), K = 20: Clarabel 0.4–0.6 s, SCS 3.4–4.5 s with
  a violation of 1.1e-4; Nash welfare of a public good, 3 agents × 8 types,
  Bayesian IC and budget balance: Clarabel 0.4–0.6 s, SCS 0.9–1.0 s.

Verification tolerances (:data:`VERIFICATION_TOLERANCE`): a solver's optimum is
verified at ``max(tol, VERIFICATION_TOLERANCE[solver])``, relative to the data's
scale (:func:`lpmech.problem.scales.data_scale`), and the tolerance applied is
printed with every check. Interior-point solvers (HiGHS, Clarabel) meet the
default 1e-6 (largest violation measured: 2e-11). First-order solvers stop
looser: OSQP violates by up to 7.6e-6 and is verified at 1e-4; SCS by up to
1.1e-4 and is verified at 1e-3.
"""

from __future__ import annotations

import cvxpy as cp
from cvxpy.atoms.affine.affine_atom import AffAtom

from lpmech.errors import SolverMismatchError

#: The solver for linear and mixed-integer linear programs.
LINEAR_SOLVER = "HIGHS"
#: The solver for every other convex program.
CONIC_SOLVER = "CLARABEL"
#: How reports describe the method of solvers other than HiGHS (whose algorithm is named
#: by :mod:`lpmech.backends.algorithms`).
SOLVER_METHODS: dict[str, str] = {
    "CLARABEL": "interior point (conic)",
    "SCS": "first order (conic ADMM)",
    "OSQP": "first order (QP ADMM)",
}
#: Relative verification tolerance a solver's optimum is held to, at least.
VERIFICATION_TOLERANCE: dict[str, float] = {"SCS": 1e-3, "OSQP": 1e-4}


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
        raise SolverMismatchError(
            f"solver: {name!r} is not an installed cvxpy solver; "
            f"installed: {cp.installed_solvers()} (or 'auto')"
        )
    return upper


def choose_solver(problem: cp.Problem) -> str:
    """The solver ``solver="auto"`` uses for ``problem`` (see the module's table)."""
    if problem.is_lp():
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
