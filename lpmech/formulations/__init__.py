"""Formulations: ways to compile and solve one design problem, with the same answer.

============  ==============================================================
name          what it does
============  ==============================================================
direct        every family's rows over a(θ), t(θ) at every profile
symmetric     identical agents: anonymous mechanisms, profiles up to
              relabelling (:mod:`lpmech.formulations.symmetric`)
generation    incentive rows added as the optimum needs them, re-solving from
              the last basis (:mod:`lpmech.formulations.generation`)
============  ==============================================================

:func:`choose` says which one ``formulation="auto"`` uses.

Every formulation returns the full ex-post mechanism, which :func:`lpmech.solve`
verifies against the families as imposed (so a reduced program is never trusted
on its own).
"""

from __future__ import annotations

from lpmech.formulations.base import DesignProblem, Formulation, Outcome, Sizes
from lpmech.formulations.direct import Direct
from lpmech.formulations.generation import Generation, generation_families
from lpmech.formulations.symmetric import Symmetric, agent_symmetry

#: Formulations by name.
FORMULATIONS: dict[str, type[Formulation]] = {
    Direct.name: Direct,
    Symmetric.name: Symmetric,
    Generation.name: Generation,
}

#: Below this many profiles the direct program is solved in milliseconds, and a
#: reduction would cost more than it saves.
SYMMETRY_MIN_PROFILES = 200
#: Full incentive rows from which generation pays: measured on one bidder with two
#: additive items, 600 rows take 10 ms either way, 9,900 rows 0.36 s direct and
#: 0.03 s generated, 390,000 rows 340 s direct and under a second generated.
GENERATION_MIN_ROWS = 2_000


def choose(problem: DesignProblem) -> Formulation:
    """The formulation ``formulation="auto"`` uses for ``problem``.

    Generation where an incentive family stays in full form (multi-dimensional
    types) with at least :data:`GENERATION_MIN_ROWS` rows; else symmetry where the
    agents are identical and there are at least :data:`SYMMETRY_MIN_PROFILES`
    profiles; else the direct program.
    """
    generation = Generation()
    if generation.obstacle(problem) is None:
        env = problem.env
        full_rows = sum(f._block_size(env, i) for f in generation_families(problem)
                        for i in range(env.n_agents))
        if full_rows >= GENERATION_MIN_ROWS:
            return generation
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
