"""Solve in normalised units, so the answer is the same in any currency.

HiGHS's feasibility tolerances are absolute (about 1e-7), so values of order 1e-9
drown in them and values of order 1e9 leave them meaningless. The design program
is homogeneous in the problem's values: with z = (a, t), dividing every value
V_i, v_0, o_i by c > 0 and every payment by c maps a feasible mechanism of one
problem onto a feasible mechanism of the other, divides each money row (incentive,
participation, budget) and the objective by c, and leaves allocation rows
(feasibility, monotonicity) unchanged. So with c = s = max(|V_i|, |v_0|, |o_i|)
(:func:`lpmech.problem.scales.data_scale`) the solver sees values in [−1, 1] and

    a*(problem) = a*(problem / c),   t*(problem) = c · t*(problem / c),
    optimum(problem) = c · optimum(problem / c).

Duals: a money row's dual ∂opt/∂b is the same in both programs (both sides are
divided by c); an allocation row's dual is c times the normalised one.

Parts written in the user's own units — a :class:`~lpmech.program.objectives.
CustomObjective`, a :class:`~lpmech.constraints.CvxpyConstraint`, a
:class:`~lpmech.constraints.FixedAllocation` given as a function, any family or
objective whose ``units`` is ``"user"`` (the default for subclasses) — may hold
constants in those units (a payment cap of 2.5), which normalising would
silently change. When one is present the problem is solved as given (c = 1);
declare ``units = "value"`` on a family or objective that is homogeneous in
values and payments to have it normalised too.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from lpmech.formulations.base import DesignProblem, Outcome
from lpmech.problem.scales import money_scale


def normalising_scale(problem: DesignProblem) -> float:
    """c: the problem's value scale, or 1 when a part is written in the user's units."""
    if problem.objective.units == "user" or any(f.units == "user" for f in problem.families):
        return 1.0
    return money_scale(problem.env)


def normalise(problem: DesignProblem) -> tuple[DesignProblem, float]:
    """The problem with every value divided by c, and c (see the module docstring)."""
    scale = normalising_scale(problem)
    if scale == 1.0:
        return problem, 1.0
    return replace(problem, env=problem.env.rescaled(scale)), scale


def restore(outcome: Outcome, problem: DesignProblem, scale: float) -> Outcome:
    """An outcome of the normalised ``problem`` in the original units.

    Payments, the optimum, money violations measured by the formulation are
    multiplied by c; duals of allocation rows too.
    """
    if scale == 1.0:
        return outcome
    layout = problem.env.layout
    z = outcome.z
    if z is not None:
        z = np.concatenate(
            [z[: layout.n_allocation_columns], scale * z[layout.n_allocation_columns :]]
        )
    allocation_rows = {f.name for f in problem.families if f.units == "allocation"}
    return replace(
        outcome,
        z=z,
        objective=None if outcome.objective is None else scale * outcome.objective,
        duals={
            name: dual * scale if name in allocation_rows else dual
            for name, dual in outcome.duals.items()
        },
        measured={
            name: violation if name in allocation_rows else violation * scale
            for name, violation in outcome.measured.items()
        },
        orbit_program=None
        if outcome.orbit_program is None
        else outcome.orbit_program.rescaled(scale, allocation_rows),
    )
