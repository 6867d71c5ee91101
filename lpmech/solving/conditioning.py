"""Whether a double-precision solve can resolve the problem's numbers, measured before it runs.

:mod:`lpmech.solving.scaling` divides the program's money by c = max_i s_i (the
agents' value scales, :func:`~lpmech.problem.scales.agent_scales`), so HiGHS sees
numbers of order one. A basic solution of the normalised program is then accurate to
about :data:`RESOLUTION` of c: an error of that size in one type's payment is invisible
to the solver. Two spreads say whether that is fine for a result judged at a relative
``tol`` (issue 21):

* **value spread** c / E, with E = Σ_i E[max_c |V_i(θ)_c| + |o_i(θ_i)|] the prior-weighted
  size of the agents' numbers (:func:`~lpmech.problem.scales.expected_value_scale`):
  what the objective adds up. One buyer with types (1, 2, 3e9) and prior
  (0.5, 0.5 − 1e-9, 1e-9) has c / E = 3e9 / 4.5 ≈ 7e8: the payments of the likely types,
  below 1 in a program whose money is 3e9, are lost, and the revenue of 3 with them.
  Agents at different scales are *not* a spread by this measure: each agent's rows are
  verified against its own s_i, and the small agent's share of the objective is below
  its relative tolerance;
* **belief spread** σ_1 / σ_r of each agent's conditional beliefs π(θ_{-i} | θ_i)
  (largest over smallest singular value above double precision's noise), when a
  family uses them (Bayesian IC, interim IR, interim monotonicity). Crémer–McLean with
  prior (1 − 3ε)/9 + ε·I has belief spread ≈ 1/ε: the full-surplus lotteries need
  payments of order 1/ε, which a solve at ε = 1e-8 misses (2.222 instead of 2.444).

The spread is the larger of the two; above ``tol`` / :data:`RESOLUTION` (1e6 at the
default ``tol`` = 1e-6) :func:`check_conditioning` refuses with
:class:`~lpmech.errors.IllConditionedError`, naming the spread and the way out:
``solve(..., exact=True)`` (:mod:`lpmech.exact.optimum`), which solves in rationals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lpmech.constraints.base import ConstraintFamily
from lpmech.errors import IllConditionedError
from lpmech.problem.environment import Environment
from lpmech.problem.scales import expected_value_scale, money_scale

#: Relative accuracy of a basic solution of a normalised program in double precision
#: (about 1e4 units in the last place: LU factors of a simplex basis, measured on the
#: library's benchmarks), so a relative ``tol`` is met while spread · RESOLUTION ≤ tol.
RESOLUTION = 1e-12

#: Families whose rows weigh the others' types by the conditional beliefs π(θ_{-i} | θ_i).
BELIEF_FAMILIES = frozenset({"bayesian_ic", "interim_ir", "interim_monotonicity"})

#: Singular values below this fraction of the largest (times the matrix's size) are
#: double precision's noise: an independent prior's beliefs have rank one to it.
NOISE = 1e-14


@dataclass(frozen=True)
class Spread:
    """How far apart the numbers a solve must resolve are (see the module docstring)."""

    value: float
    what: str


def value_spread(env: Environment) -> Spread:
    """c / E: the money scale over the prior-weighted size of the agents' numbers."""
    ratio = money_scale(env) / expected_value_scale(env)
    return Spread(
        ratio,
        f"the largest value {money_scale(env):.3g} against the prior-weighted size of the "
        f"agents' values {expected_value_scale(env):.3g}",
    )


def belief_spread(env: Environment) -> Spread:
    """max_i σ_1 / σ_r of agent i's conditional beliefs (1 for independent priors).

    Computed from the beliefs themselves, not from ``Prior.is_independent``: a prior
    within 1e-12 of a product counts as independent there, yet its beliefs may still
    be linearly independent, and then the full surplus is extractable (Crémer–McLean).
    """
    worst = Spread(1.0, "independent beliefs")
    for i, agent in enumerate(env.agents):
        singular = np.linalg.svd(np.asarray(env.prior.conditional(i)), compute_uv=False)
        kept = singular[singular > NOISE * max(singular.shape[0], 1) * singular[0]]
        ratio = float(kept[0] / kept[-1])
        if ratio > worst.value:
            worst = Spread(
                ratio,
                f"agent {agent.name!r}'s conditional beliefs, nearly linearly dependent "
                f"(singular values from {kept[0]:.3g} down to {kept[-1]:.3g})",
            )
    return worst


def spread(env: Environment, families: Sequence[ConstraintFamily]) -> Spread:
    """The larger of :func:`value_spread` and, if a family uses beliefs, :func:`belief_spread`."""
    spreads = [value_spread(env)]
    if any(family.name in BELIEF_FAMILIES for family in families):
        spreads.append(belief_spread(env))
    return max(spreads, key=lambda s: s.value)


def check_conditioning(
    env: Environment, families: Sequence[ConstraintFamily], tol: float
) -> Spread:
    """The spread, if a double-precision solve resolves it at ``tol``.

    Raises
    ------
    IllConditionedError
        When spread · :data:`RESOLUTION` > tol, naming the spread and ``exact=True``.
    """
    found = spread(env, families)
    limit = tol / RESOLUTION
    if found.value > limit:
        raise IllConditionedError(
            f"the data spans {found.value:.3g} ({found.what}), more than the {limit:.3g} a "
            f"double-precision solve resolves at tol={tol:g}; its float optimum could be "
            "wrong and still pass verification. Solve it in rationals with "
            "solve(..., exact=True), or coarsen or rescale the types",
            found.value,
        )
    return found
