"""A family of the user's own that declares nothing beyond rows and violation.

The declared protocol of :class:`~lpmech.constraints.ConstraintFamily` (sizes, generation
and interim forms, incentive pairs, algorithm flags) has defaults right for such a family:
it solves on every formulation that accepts it, the size guard sizes it within 2× of the
rows it builds, and formulations that need a form it lacks refuse it with a reason.
"""

from __future__ import annotations

import numpy as np
import pytest

import lpmech
from lpmech.constraints import (
    ConstraintFamily,
    DominantStrategyIC,
    ExPostIR,
    RowBlock,
    with_feasibility,
)
from lpmech.constraints.base import ProblemShape
from lpmech.errors import InvalidArgumentError
from lpmech.formulations import FORMULATIONS, DesignProblem
from lpmech.problem.builders import public_good, single_item_auction
from lpmech.program.objectives import resolve_objective
from lpmech.solving.sizing import estimate
from tests import oracle

TOL = 1e-6


class AllocationCap(ConstraintFamily):
    """a_c(θ) ≤ cap for every profile and component: P·C rows of one entry."""

    name = "allocation_cap"

    def __init__(self, cap):
        self.cap = cap

    def rows(self, env):
        n_rows = env.n_profiles * env.n_components
        columns = env.layout.allocation_columns(np.arange(env.n_profiles)).ravel()
        return RowBlock.from_entries(
            np.arange(n_rows),
            columns,
            np.ones(n_rows),
            (n_rows, env.layout.n_columns),
            upper=self.cap,
        )

    def violation(self, mechanism):
        return np.maximum(mechanism.flat_allocation.ravel() - self.cap, 0.0)


class PaymentCap(ConstraintFamily):
    """t_i(θ) ≤ cap for every profile and agent: P·N rows of one entry."""

    name = "payment_cap"

    def __init__(self, cap):
        self.cap = cap

    def rows(self, env):
        n_rows = env.n_profiles * env.n_agents
        columns = env.layout.payment_columns(
            np.arange(env.n_profiles)[:, None], np.arange(env.n_agents)
        )
        return RowBlock.from_entries(
            np.arange(n_rows),
            np.ravel(columns),
            np.ones(n_rows),
            (n_rows, env.layout.n_columns),
            upper=self.cap,
        )

    def violation(self, mechanism):
        return np.maximum(mechanism.flat_payments.ravel() - self.cap, 0.0)


ENVIRONMENTS = {
    "auction 2x3": lambda: single_item_auction([1, 2, 3], n_bidders=2),
    "auction 3x3": lambda: single_item_auction([1, 2, 4], n_bidders=3),
    "public good 2x3": lambda: public_good([[0, 1, 3], [0, 2, 3]], cost=2.5),
}
FAMILIES = {"allocation cap": lambda: AllocationCap(0.75), "payment cap": lambda: PaymentCap(1.5)}


def brute_cap_violation(env, mechanism, family):
    """Loops over profiles and entries, from the family's definition."""
    worst = 0.0
    for profile in oracle.profiles(env):
        entries = (
            mechanism.allocation[profile]
            if isinstance(family, AllocationCap)
            else mechanism.payments[profile]
        )
        worst = max([worst, *(float(x) - family.cap for x in entries)])
    return worst


@pytest.mark.parametrize("family_name", FAMILIES)
@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_a_family_declaring_nothing_is_sized_within_twice_its_rows(env_name, family_name):
    env, family = ENVIRONMENTS[env_name](), FAMILIES[family_name]()
    block = family.rows(env)
    rows, nonzeros = family.estimated_size(env, ProblemShape.of(env))
    assert block.n_rows / 2 <= rows <= 2 * block.n_rows
    assert block.matrix.nnz / 2 <= nonzeros <= 2 * block.matrix.nnz
    # for other counts (what-fits advice) the estimate follows the profiles
    bigger = ProblemShape.of(env, [k + 1 for k in env.type_counts])
    ratio = bigger.n_profiles / env.n_profiles
    assert estimate_ratio(family, env, bigger, rows) == pytest.approx(ratio, rel=0.01)


def estimate_ratio(family, env, shape, rows):
    return family.estimated_size(env, shape)[0] / rows


@pytest.mark.parametrize("family_name", FAMILIES)
@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_a_family_declaring_nothing_solves_on_every_formulation_that_accepts_it(
    env_name, family_name
):
    env = ENVIRONMENTS[env_name]()
    objective = "revenue" if env_name.startswith("auction") else "welfare"

    def constraints():  # full incentive rows, so generation formulations apply
        return [FAMILIES[family_name](), DominantStrategyIC("full"), ExPostIR()]

    problem = DesignProblem(
        env,
        resolve_objective(objective),
        tuple(f.compiled_form(env) for f in with_feasibility(constraints())),
    )
    accepted, values = [], []
    for name, formulation in FORMULATIONS.items():
        if formulation().obstacle(problem) is not None:
            with pytest.raises(InvalidArgumentError, match="does not apply"):
                lpmech.solve(env, objective, constraints(), formulation=name)
            continue
        family, *others = constraints()
        solution = lpmech.solve(env, objective, [family, *others], formulation=name)
        mechanism = solution.mechanism
        assert brute_cap_violation(env, mechanism, family) <= TOL
        assert oracle.dsic_violation(env, mechanism) <= TOL
        assert oracle.ex_post_ir_violation(env, mechanism) <= TOL
        built = solution.report.rows_by_family.get(family.name)
        if name == "direct":  # the guard's estimate against the rows the solve built
            estimated = estimate(problem, "direct")
            assert built is not None
            assert built / 2 <= family.estimated_size(env, ProblemShape.of(env))[0] <= 2 * built
            assert estimated.n_rows >= solution.report.n_rows / 2
        accepted.append(name)
        values.append(solution.objective_value)
    assert {"direct", "generation"} <= set(accepted)
    assert "interim" not in accepted  # it has no interim rows (the default)
    np.testing.assert_allclose(values, values[0], rtol=1e-6, atol=1e-7)


def test_declared_defaults_of_a_family_declaring_nothing():
    env = single_item_auction([1, 2, 3], n_bidders=2)
    family = PaymentCap(1.0)
    assert family.n_pairs(env, 0) == 0
    assert not family.every_pair(env)
    assert not family.interim_form
    assert not family.dense_rows
    assert not family.couples_payments
    assert not family.states_feasibility
    assert family.bayesian_counterpart() is None
    assert family.estimated_start_size(env, ProblemShape.of(env)) == family.estimated_size(
        env, ProblemShape.of(env)
    )
    with pytest.raises(NotImplementedError, match="payment_cap"):
        family.pair_at(env, 0, 0)


@pytest.mark.parametrize("name", sorted(lpmech.constraints.BUILT_IN))
@pytest.mark.parametrize("counts", [(3, 3), (2, 4), (4, 2, 3)])
def test_built_in_families_declare_their_exact_sizes(name, counts):
    env = _auction(counts)
    family = lpmech.constraints.resolve(name)
    block = family.rows(env)
    rows, nonzeros = family.estimated_size(env, ProblemShape.of(env))
    assert rows == block.n_rows
    assert block.matrix.nnz <= nonzeros <= 2 * block.matrix.nnz


def _auction(counts):
    from lpmech.problem.allocation import Items
    from lpmech.problem.environment import Agent, Environment

    agents = [
        Agent(f"b{i}", np.arange(1, k + 1) * (i + 1.5), prior=np.full(k, 1 / k))
        for i, k in enumerate(counts)
    ]
    valuations = []
    for i, agent in enumerate(agents):
        table = np.zeros((agent.n_types, len(counts)))
        table[:, i] = agent.types
        valuations.append(table)
    return Environment(agents, Items([a.name for a in agents]), valuations)
