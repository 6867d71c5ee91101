"""Refuse a program that is not convex before solving, naming the term and the rule it breaks.

cvxpy solves disciplined convex programs (DCP): a maximised objective must be
concave, every constraint read ``convex ≤ concave`` or ``affine == affine``, and
every expression be built by composition rules — a convex function increasing in
an argument needs that argument convex, decreasing needs it concave, neither
needs it affine (mirrored for concave functions). :func:`require_dcp` applies
cvxpy's analysis part by part, so the error names the objective or the family,
the smallest subexpressions that break a rule, and which rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cvxpy as cp
from cvxpy.atoms.affine.add_expr import AddExpression
from cvxpy.constraints.nonpos import Inequality
from cvxpy.constraints.zero import Equality

from lpmech.errors import NotConvexError


def require_dcp(
    objective_name: str,
    objective: cp.Expression,
    constraints: Mapping[str, Sequence[cp.Constraint]],
) -> None:
    """Raise :class:`NotConvexError` unless the maximised objective and constraints are DCP.

    ``constraints`` are a family's cvxpy constraints by family name.
    """
    problems = [f"objective {objective_name!r}: {why}" for why in _objective_faults(objective)]
    for name, family in constraints.items():
        problems += [
            f"constraint family {name!r}: {why}"
            for constraint in family
            if not constraint.is_dcp()
            for why in _constraint_faults(constraint)
        ]
    if problems:
        raise NotConvexError(
            "the program is not convex by cvxpy's DCP rules, so no solver is "
            "called:\n  " + "\n  ".join(problems)
        )


def offending_terms(expression: cp.Expression) -> list[str]:
    """The smallest non-DCP subexpressions of ``expression``, each with the rule it breaks."""
    if expression.is_dcp():
        return []
    inner = [why for arg in expression.args for why in offending_terms(arg)]
    return inner or [_composition_fault(expression)]


def _objective_faults(objective: cp.Expression) -> list[str]:
    if not objective.is_dcp():
        return offending_terms(objective)
    if objective.is_concave():
        return []
    terms = objective.args if isinstance(objective, AddExpression) else [objective]
    return [
        f"maximising {term}, which is {term.curvature.lower()}: a maximised objective must "
        "be concave (minimise a convex one)"
        for term in terms
        if not term.is_concave()
    ]


def _constraint_faults(constraint: cp.Constraint) -> list[str]:
    inner = [why for arg in constraint.args for why in offending_terms(arg)]
    if inner:
        return inner
    if isinstance(constraint, Equality):
        left, right = constraint.args
        return [
            f"{constraint}: both sides of == must be affine, but they are "
            f"{left.curvature.lower()} and {right.curvature.lower()}"
        ]
    if isinstance(constraint, Inequality):
        left, right = constraint.args
        return [
            f"{constraint}: a <= b needs a convex and b concave, but a is "
            f"{left.curvature.lower()} and b {right.curvature.lower()}"
        ]
    return [f"{constraint} is not DCP"]


def _composition_fault(atom: cp.Expression) -> str:
    """Why an atom whose arguments are each DCP is not: the first argument breaking a rule."""
    if atom.is_atom_convex():
        curvature, needs = "convex", ("convex", "concave")
    elif atom.is_atom_concave():
        curvature, needs = "concave", ("concave", "convex")
    else:
        return (
            f"{atom}: {type(atom).__name__} is neither convex nor concave unless all but "
            "one of its arguments are constant"
        )
    for k, arg in enumerate(atom.args):
        if atom.is_incr(k):
            monotone, need = "increasing", needs[0]
        elif atom.is_decr(k):
            monotone, need = "decreasing", needs[1]
        else:
            monotone, need = "not monotone", "affine"
        if not (arg.is_affine() or getattr(arg, f"is_{need}")()):
            return (
                f"{atom}: {type(atom).__name__} is {curvature} and {monotone} in argument "
                f"{k}, so that argument must be {need}, but {arg} is "
                f"{arg.curvature.lower()}"
            )
    return f"{atom} is not DCP"
