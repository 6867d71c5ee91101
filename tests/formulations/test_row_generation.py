"""The row-generation engine: one loop, a replaceable policy, one round cap (issue 16).

Incentive-row generation and Border's inequalities run through the same engine, so
a policy that adds only the most violated row per round reaches the same optimum
in more rounds, and a round cap stops both the same way.
"""

from __future__ import annotations

import numpy as np
import pytest

import lpmech
from lpmech.backends.engines import HighspyBackend
from lpmech.backends.status import Status
from lpmech.formulations import generation
from lpmech.formulations.generation import Generation
from lpmech.formulations.interim import Interim
from lpmech.formulations.row_generation import RowPolicy
from lpmech.solving.pipeline import compiled_problem, resolve_request


class MostViolatedOnly(RowPolicy):
    """One row per separator and round: the most violated."""

    def select(self, candidates):
        return np.array([int(np.argmax(candidates.violation))])


def problem_of(env, constraints):
    return compiled_problem(
        resolve_request(
            env,
            "revenue",
            constraints,
            deterministic=False,
            algorithm="auto",
            solver="auto",
            solver_options=None,
        )
    )


def rounds(outcome):
    return int(outcome.details.split(": ")[1].split(" solves")[0])


CASES = {
    "incentive rows": (
        Generation,
        lambda: lpmech.multi_item_auction(
            np.array([[x, y] for x in np.linspace(0, 1, 5) for y in np.linspace(0, 1, 5)]), 1
        ),
        ["dsic", "ex_post_ir"],
    ),
    "Border's inequalities": (
        Interim,
        lambda: lpmech.single_item_auction(
            [np.arange(1.0, 6.0), np.arange(2.0, 7.0), np.arange(1.0, 4.0)]
        ),
        ["bic", "interim_ir"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_one_row_policy_reaches_the_direct_optimum_in_more_rounds(case, monkeypatch):
    monkeypatch.setattr(generation, "INITIAL_NEIGHBOURS", 1)  # start far from the optimum
    formulation, build, constraints = CASES[case]
    env = build()
    direct = lpmech.solve(env, "revenue", constraints, formulation="direct")
    problem = problem_of(env, constraints)
    every = formulation().run(problem, HighspyBackend(), {})
    single = formulation(policy=MostViolatedOnly()).run(problem, HighspyBackend(), {})
    for outcome in (every, single):
        assert outcome.status is Status.OPTIMAL
        assert outcome.objective == pytest.approx(direct.objective_value, abs=1e-7)
    assert rounds(single) > rounds(every) > 1


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_round_cap_fails_the_run_the_same_way(case, monkeypatch):
    monkeypatch.setattr(generation, "INITIAL_NEIGHBOURS", 1)
    formulation, build, constraints = CASES[case]
    outcome = formulation(policy=RowPolicy(max_rounds=1)).run(
        problem_of(build(), constraints), HighspyBackend(), {}
    )
    assert outcome.status is Status.FAILED
    assert outcome.message == "row generation did not converge in 1 rounds"
    assert outcome.z is None
