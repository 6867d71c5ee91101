"""The canonical second stage on every formulation: the face of the formulation's own program,
with rows generated where the formulation generates them, never the full direct program."""

from __future__ import annotations

import numpy as np
import oracle
import pytest

import lpmech
from lpmech.analytic import myerson
from lpmech.backends.engines import BACKENDS
from lpmech.backends.status import Status
from lpmech.formulations import FORMULATIONS
from lpmech.formulations.base import run_program
from lpmech.formulations.generation import Generation
from lpmech.formulations.interim import Interim
from lpmech.formulations.symmetric_generation import SymmetricGeneration
from lpmech.solving.canonical import tie_break_stage
from lpmech.solving.pipeline import compiled_problem, resolve_request

DSIC = ["dominant_strategy_ic", "ex_post_ir"]
BIC = ["bayesian_ic", "interim_ir"]
VALUES = (1.0, 2.0, 3.0, 4.0)
PRIOR = np.array([0.1, 0.2, 0.3, 0.4])


def _single_item_in_two_items(n_bidders):
    """One bidder or two, two additive items of which only the first is worth anything:
    the types are two-dimensional, so incentive rows stay in full form (generation
    applies), and the second item is free to allocate at every optimum."""
    types = np.array([[v, 0.0] for v in VALUES])
    return lpmech.multi_item_auction(types, n_bidders=n_bidders, priors=[PRIOR] * n_bidders)


def _anonymous_myerson(env):
    """Myerson's auction for the first item (nothing of the second), averaged over the
    relabellings of the bidders: optimal, DSIC, and the same for identical bidders."""
    n = env.n_agents
    single = myerson(lpmech.single_item_auction(list(VALUES), n_bidders=n, priors=[PRIOR] * n))
    allocation = np.zeros((*env.type_counts, env.n_components))
    names = env.allocation.component_names
    for i in range(n):
        allocation[..., names.index(f"item 1 to bidder {i + 1}")] = single.allocation[..., i]
    payments = single.payments.copy()
    if n == 2:  # the average of the mechanism and its relabelling
        allocation = (allocation + allocation.transpose(1, 0, 2)[..., [2, 3, 0, 1]]) / 2
        payments = (payments + payments.transpose(1, 0, 2)[..., ::-1]) / 2
    return lpmech.Mechanism(env, allocation, payments, name="Myerson (anonymous)")


def _accepts(env, constraints, name):
    problem = compiled_problem(
        resolve_request(env, "revenue", constraints, False, "auto", "auto", None)
    )
    return FORMULATIONS[name]().obstacle(problem) is None


def _payment_norm(mechanism):
    """E[Σ_i |t_i(θ)|] + 0.01 max |t_i(θ)|: what "small_payments" minimises (units of V)."""
    payments = np.abs(mechanism.flat_payments)
    return mechanism.env.prior.joint @ payments.sum(axis=1) + 0.01 * payments.max()


def _interim_rules(mechanism):
    return np.concatenate(
        [
            np.concatenate(
                [mechanism.interim_allocation(i).ravel(), mechanism.interim_payment(i).ravel()]
            )
            for i in range(mechanism.env.n_agents)
        ]
    )


CASES = [
    (n_bidders, constraints, formulation)
    for n_bidders in (1, 2)
    for constraints in (DSIC, BIC)
    for formulation in sorted(FORMULATIONS)
    if _accepts(_single_item_in_two_items(n_bidders), constraints, formulation)
]


def test_every_formulation_is_exercised():
    assert {case[2] for case in CASES} == set(FORMULATIONS)


@pytest.mark.parametrize(("n_bidders", "constraints", "formulation"), CASES)
def test_small_payments_keeps_the_optimum_on_every_formulation(
    n_bidders, constraints, formulation
):
    env = _single_item_in_two_items(n_bidders)
    plain = lpmech.solve(env, "revenue", constraints, formulation=formulation)
    broken = lpmech.solve(
        env, "revenue", constraints, formulation=formulation, tie_break="small_payments"
    )
    reference = lpmech.solve(
        env, "revenue", constraints, formulation="direct", tie_break="small_payments"
    )
    assert "on the direct program" not in broken.report.tie_break or formulation == "direct"
    assert broken.objective_value == pytest.approx(plain.objective_value, rel=1e-7)
    oracle.assert_satisfies(env, broken.mechanism, constraints)
    assert broken.verification.ok
    # the least payments over the whole optimal face, whichever program found them
    assert _payment_norm(broken.mechanism) == pytest.approx(
        _payment_norm(reference.mechanism), abs=1e-7
    )
    assert _payment_norm(broken.mechanism) <= _payment_norm(plain.mechanism) + 1e-7


@pytest.mark.parametrize(("n_bidders", "constraints", "formulation"), CASES)
def test_a_tie_break_towards_myerson_returns_it_on_every_formulation(
    n_bidders, constraints, formulation
):
    env = _single_item_in_two_items(n_bidders)
    target = _anonymous_myerson(env)
    oracle.assert_satisfies(env, target, DSIC)
    solution = lpmech.solve(env, "revenue", constraints, formulation=formulation, tie_break=target)
    oracle.assert_satisfies(env, solution.mechanism, constraints)
    assert solution.objective_value == pytest.approx(target.expected_revenue(), rel=1e-7)
    if formulation == "interim":  # payments t_i(θ) = M_i(θ_i): the interim rules are the target's
        np.testing.assert_allclose(
            _interim_rules(solution.mechanism), _interim_rules(target), atol=1e-7
        )
    else:
        assert np.abs(solution.mechanism.flat_allocation - target.flat_allocation).max() <= 1e-7
        assert np.abs(solution.mechanism.flat_payments - target.flat_payments).max() <= 1e-7


@pytest.mark.parametrize(
    ("formulation", "n_bidders", "constraints"),
    [(Generation(), 1, DSIC), (SymmetricGeneration(), 2, DSIC), (Interim(), 2, BIC)],
    ids=["generation", "symmetric_generation", "interim"],
)
def test_second_stage_from_seed_rows_generates_the_rows_it_needs(
    formulation, n_bidders, constraints
):
    """Without the first stage's duals the second stage starts from the seed rows, whose
    program is a strict relaxation (its optimum is above the true one): the rows it
    needs are generated, and the result meets every row of the full families."""
    types = np.unique(np.random.default_rng(0).integers(1, 10, size=(12, 2)), axis=0)
    env = lpmech.multi_item_auction(types.astype(float), n_bidders=n_bidders)
    problem = compiled_problem(
        resolve_request(env, "revenue", constraints, False, "auto", "auto", None)
    )
    engine = BACKENDS["highspy"]()
    first = formulation.run(problem, engine, {})
    assert first.status is Status.OPTIMAL
    seeded = formulation.stage_program(problem, {}, anonymous=True)
    relaxed = run_program(engine, seeded.program, {})
    assert relaxed.objective > first.objective + 1e-6  # the seed rows alone do not hold it
    z, _ = tie_break_stage(
        problem, formulation, first.z, first.objective, "small_payments", engine, {}, duals={}
    )
    chosen = lpmech.Mechanism(env, *env.layout.split(z))
    oracle.assert_satisfies(env, chosen, constraints, tol=1e-6)
    reference = lpmech.solve(
        env, "revenue", constraints, formulation="direct", tie_break="small_payments"
    )
    assert reference.objective.value(chosen) == pytest.approx(first.objective, rel=1e-7)
    assert _payment_norm(chosen) == pytest.approx(_payment_norm(reference.mechanism), abs=1e-6)


def test_symmetric_formulation_with_a_target_that_is_not_anonymous_says_so():
    env = lpmech.single_item_auction(list(VALUES), n_bidders=2, priors=[PRIOR] * 2)
    target = myerson(env)  # ties go to the lowest index: not anonymous
    solution = lpmech.solve(env, "revenue", DSIC, formulation="symmetric", tie_break=target)
    assert "the target is not anonymous" in solution.report.tie_break
    assert np.abs(solution.mechanism.flat_payments - target.flat_payments).max() <= 1e-7
