"""The direct formulation: every family's rows over the full decision vector, one solve."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lpmech.arrays import FloatArray
from lpmech.backends.engines import Backend
from lpmech.formulations.base import (
    DesignProblem,
    Formulation,
    Outcome,
    StageProgram,
    outcome_of,
    program_duals,
    run_program,
)
from lpmech.program.compiler import compile_program


class Direct(Formulation):
    """One program over z = [vec a; vec t] with every row of every family."""

    name = "direct"

    def obstacle(self, problem: DesignProblem) -> str | None:
        return None

    def run(self, problem: DesignProblem, engine: Backend, options: dict[str, Any]) -> Outcome:
        program = compile_program(
            problem.env, problem.objective, problem.families, deterministic=problem.deterministic
        )
        return outcome_of(program, run_program(engine, program, options))

    def stage_program(
        self, problem: DesignProblem, duals: Mapping[str, FloatArray], anonymous: bool
    ) -> StageProgram:
        program = compile_program(problem.env, problem.objective, problem.families)
        return StageProgram(
            program, note="on the direct program", row_duals=program_duals(program, duals, {})
        )
