"""Formulations: ways to compile and solve one design problem, with the same answer.

============  ==============================================================  ===========
name          what it does                                                    when "auto"
                                                                              picks it
============  ==============================================================  ===========
direct        every family's rows over a(θ), t(θ) at every profile            otherwise
symmetric     identical agents: anonymous mechanisms, profiles up to          see
              relabelling (:mod:`lpmech.formulations.symmetric`)              :func:`choose`
============  ==============================================================  ===========

Every formulation returns the full ex-post mechanism, which :func:`lpmech.solve`
verifies against the families as imposed (so a reduced program is never trusted
on its own).
"""

from __future__ import annotations

from lpmech.formulations.base import DesignProblem, Formulation, Outcome, Sizes
from lpmech.formulations.direct import Direct
from lpmech.formulations.symmetric import Symmetric, agent_symmetry

#: Formulations by name.
FORMULATIONS: dict[str, type[Formulation]] = {
    Direct.name: Direct,
    Symmetric.name: Symmetric,
}

#: Below this many profiles the direct program is solved in milliseconds, and a
#: reduction would cost more than it saves.
SYMMETRY_MIN_PROFILES = 200


def choose(problem: DesignProblem) -> Formulation:
    """The formulation ``formulation="auto"`` uses for ``problem``."""
    symmetric = Symmetric()
    if problem.env.n_profiles >= SYMMETRY_MIN_PROFILES and symmetric.obstacle(problem) is None:
        return symmetric
    return Direct()


def formulation_named(name: str, problem: DesignProblem) -> Formulation:
    """The formulation called ``name``, or "auto"'s choice; refuses one that does not apply."""
    if name == "auto":
        return choose(problem)
    if name not in FORMULATIONS:
        raise ValueError(f"formulation: unknown {name!r}; choose 'auto' or one of "
                         f"{sorted(FORMULATIONS)}")
    formulation = FORMULATIONS[name]()
    obstacle = formulation.obstacle(problem)
    if obstacle is not None:
        raise ValueError(f"formulation {name!r} does not apply: {obstacle}")
    return formulation


__all__ = [
    "FORMULATIONS",
    "DesignProblem",
    "Direct",
    "Formulation",
    "Outcome",
    "Sizes",
    "Symmetric",
    "agent_symmetry",
    "choose",
    "formulation_named",
]
