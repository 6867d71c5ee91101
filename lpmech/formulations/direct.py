"""The direct formulation: every family's rows over the full decision vector, one solve."""

from __future__ import annotations

from typing import Any

from lpmech.backends import Backend
from lpmech.compiler import compile_program
from lpmech.formulations.base import (
    DesignProblem,
    Formulation,
    Outcome,
    Sizes,
    family_duals,
    run_program,
)


class Direct(Formulation):
    """One program over z = [vec a; vec t] with every row of every family."""

    name = "direct"

    def obstacle(self, problem: DesignProblem) -> str | None:
        return None

    def run(self, problem: DesignProblem, engine: Backend, options: dict[str, Any]) -> Outcome:
        program = compile_program(problem.env, problem.objective, problem.families,
                                  deterministic=problem.deterministic)
        result = run_program(engine, program, options)
        return Outcome(
            status=result.status, message=result.message, z=result.x,
            objective=result.objective, duals=family_duals(program, result),
            sizes=Sizes.of(program), build_seconds=program.build_seconds,
            compile_seconds=program.stack_seconds + result.compile_seconds,
            solve_seconds=result.solve_seconds, algorithm=result.algorithm,
        )
