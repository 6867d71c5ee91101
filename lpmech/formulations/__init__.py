"""Stage 7, formulations: ways to compile and solve one design problem, with the same answer.

============  ==============================================================
name          what it does
============  ==============================================================
direct        every family's rows over a(θ), t(θ) at every profile
symmetric     identical agents: anonymous mechanisms, profiles up to
              relabelling (:mod:`lpmech.formulations.symmetric`)
generation    incentive rows added as the optimum needs them, re-solving from
              the last basis (:mod:`lpmech.formulations.generation`)
interim       Bayesian design on interim rules, with Border's inequalities item
              by item for additive items — one rule shared by identical bidders
              (:mod:`lpmech.formulations.interim`)
============  ==============================================================

With identical agents and full incentive rows, ``symmetric_generation``
(:mod:`lpmech.formulations.symmetric_generation`) does both: agent 0's incentive
rows generated over anonymous mechanisms.

:func:`choose` says which one ``formulation="auto"`` uses.

Every formulation returns the full ex-post mechanism, which :func:`lpmech.solve`
verifies against the families as imposed (so a reduced program is never trusted
on its own).

May import :mod:`lpmech.numbers`, :mod:`lpmech.problem`, :mod:`lpmech.constraints`,
:mod:`lpmech.program`, :mod:`lpmech.backends` and :mod:`lpmech.results`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lpmech.errors import InvalidArgumentError
from lpmech.formulations.base import DesignProblem, Formulation, Outcome, Sizes
from lpmech.formulations.direct import Direct
from lpmech.formulations.generation import Generation, generated_families
from lpmech.formulations.interim import Interim
from lpmech.formulations.symmetric import Symmetric, agent_symmetry
from lpmech.formulations.symmetric_generation import SymmetricGeneration

#: Formulations by name.
FORMULATIONS: dict[str, type[Formulation]] = {
    Direct.name: Direct,
    Symmetric.name: Symmetric,
    Generation.name: Generation,
    Interim.name: Interim,
    SymmetricGeneration.name: SymmetricGeneration,
}

#: Below this many profiles the direct program is solved in milliseconds, and a
#: reduction would cost more than it saves.
SYMMETRY_MIN_PROFILES = 200
#: Full incentive rows from which generation pays: measured on one bidder with two
#: additive items, 600 rows take 10 ms either way, 9,900 rows 0.36 s direct and
#: 0.03 s generated, 390,000 rows 340 s direct and under a second generated.
GENERATION_MIN_ROWS = 2_000
#: Interim pays with three or more agents from a few thousand profiles: asymmetric
#: single-item BIC, 3 x 20 types: 0.22 s against 0.40 s direct; 3 x 40: 3.3 s against
#: 5.0 s; with two bidders the direct program stays faster (2 x 100: 0.5 s against 1.1 s).
INTERIM_MIN_AGENTS = 3
#: ... and from this many profiles.
INTERIM_MIN_PROFILES = 2_000
#: Bayesian additive auctions of several items go to interim rules with Border's
#: inequalities item by item from here: 2 bidders x 2 items U[0,1] on a 6 x 6 grid
#: per bidder (1,296 profiles) took 0.46 s against 0.38 s by generation, 10 x 10
#: (10,000 profiles) 3.2 s against 16 s.
BORDER_ITEMS_MIN_PROFILES = 1_000


def choose(problem: DesignProblem) -> Formulation:
    """The formulation ``formulation="auto"`` uses for ``problem``.

    Interim rules under Border's inequalities item by item for Bayesian additive
    auctions of several items with at least :data:`BORDER_ITEMS_MIN_PROFILES`
    profiles (one rule shared by identical bidders, else one per bidder); else
    generation where an incentive family stays in full form (multi-dimensional
    types) with at least :data:`GENERATION_MIN_ROWS` rows — on anonymous mechanisms
    (symmetric generation) where the agents are identical; else
    symmetry where the agents are identical and there are at least :data:`SYMMETRY_MIN_PROFILES`
    profiles; else the interim formulation for Bayesian problems with at least
    :data:`INTERIM_MIN_AGENTS` agents and :data:`INTERIM_MIN_PROFILES` profiles; else
    the direct program. The thresholds are measured (see their comments).
    """
    interim = Interim()
    if problem.env.n_profiles >= BORDER_ITEMS_MIN_PROFILES and interim.itemwise(problem):
        return interim
    generation = Generation()
    if generation.obstacle(problem) is None:
        env = problem.env
        full_rows = sum(f.row_count(env) for f in generated_families(problem))
        if full_rows >= GENERATION_MIN_ROWS:
            both = SymmetricGeneration(generation.policy, fall_back=True)
            return both if both.obstacle(problem) is None else generation
    env = problem.env
    symmetric = Symmetric()
    if env.n_profiles >= SYMMETRY_MIN_PROFILES and symmetric.obstacle(problem) is None:
        return symmetric
    if (
        env.n_agents >= INTERIM_MIN_AGENTS
        and env.n_profiles >= INTERIM_MIN_PROFILES
        and interim.obstacle(problem) is None
    ):
        return interim
    return Direct()


def from_spec(spec: Mapping[str, Any]) -> Formulation:
    """The formulation a :meth:`Formulation.spec` describes (``{"formulation": "interim"}``)."""
    name = spec.get("formulation")
    if name not in FORMULATIONS:
        raise InvalidArgumentError(
            f"from_spec: unknown formulation {name!r}; known are {sorted(FORMULATIONS)}"
        )
    return FORMULATIONS[name]()


def formulation_named(name: str | Formulation, problem: DesignProblem) -> Formulation:
    """The formulation called ``name``, or "auto"'s choice; refuses one that does not apply.

    A :class:`Formulation` instance is used as given (e.g. a prebuilt program,
    :mod:`lpmech.solving.design_program`).
    """
    if isinstance(name, Formulation):
        return name
    if name == "auto":
        return choose(problem)
    if name not in FORMULATIONS:
        raise InvalidArgumentError(
            f"formulation: unknown {name!r}; choose 'auto' or one of {sorted(FORMULATIONS)}"
        )
    formulation = FORMULATIONS[name]()
    obstacle = formulation.obstacle(problem)
    if obstacle is not None:
        raise InvalidArgumentError(f"formulation {name!r} does not apply: {obstacle}")
    return formulation


__all__ = [
    "FORMULATIONS",
    "DesignProblem",
    "Direct",
    "Formulation",
    "Outcome",
    "Sizes",
    "Symmetric",
    "SymmetricGeneration",
    "agent_symmetry",
    "choose",
    "formulation_named",
    "from_spec",
]
