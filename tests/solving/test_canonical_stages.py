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
from lpmech.errors import ProblemTooLargeError
from lpmech.formulations import FORMULATIONS
from lpmech.formulations.base import run_program
from lpmech.formulations.generation import Generation
from lpmech.formulations.interim import Interim
from lpmech.formulations.symmetric_generation import SymmetricGeneration
from lpmech.solving.canonical import Quantity, optimal_range, tie_break_stage
from lpmech.solving.pipeline import compiled_problem, resolve_request
from lpmech.solving.sizing import estimate

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
    z, _, _ = tie_break_stage(
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


# -------------------------------------------------------------- optimal range
def _quantities(env):
    revenue = sum(Quantity.expected_payment(env, i).coefficients for i in range(env.n_agents))
    top = (len(VALUES) - 1,) * env.n_agents
    return [
        Quantity("revenue", revenue),
        Quantity.interim_payment(env, 0, 0),
        Quantity.payment(env, 0, top),
        Quantity.allocation(env, top, "item 2 to bidder 1"),
    ]


@pytest.mark.parametrize(("n_bidders", "constraints", "formulation"), CASES)
def test_optimal_range_is_the_same_on_every_formulation(n_bidders, constraints, formulation):
    """The range over the optimal face does not depend on the program that found the
    optimum (the direct program's range is the reference)."""
    env = _single_item_in_two_items(n_bidders)
    solution = lpmech.solve(env, "revenue", constraints, formulation=formulation)
    reference = lpmech.solve(env, "revenue", constraints, formulation="direct")
    for quantity in _quantities(env):
        span = optimal_range(solution, quantity)
        expected = optimal_range(reference, quantity)
        assert span.low == pytest.approx(expected.low, abs=1e-6)
        assert span.high == pytest.approx(expected.high, abs=1e-6)
    # revenue equivalence pins revenue; the second item is worth nothing, so is free
    assert optimal_range(solution, _quantities(env)[0]).pinned()
    item_2 = optimal_range(solution, _quantities(env)[3])
    assert (item_2.low, item_2.high) == pytest.approx((0.0, 1.0), abs=1e-7)


def test_optimal_range_on_generated_rows_holds_each_end_to_every_incentive_row():
    """On the generation formulation each end of the range is a mechanism of the face of
    the generated program: the rows it needs are generated, so the ends are those of
    the full program (a quantity that pushes against rows slack at the optimum)."""
    types = np.unique(np.random.default_rng(0).integers(1, 10, size=(12, 2)), axis=0)
    env = lpmech.multi_item_auction(types.astype(float), n_bidders=1)
    solution = lpmech.solve(env, "revenue", DSIC, formulation="generation")
    reference = lpmech.solve(env, "revenue", DSIC, formulation="direct")
    for profile in range(len(types)):
        quantity = Quantity.payment(env, 0, (profile,))
        span, expected = optimal_range(solution, quantity), optimal_range(reference, quantity)
        assert (span.low, span.high) == pytest.approx((expected.low, expected.high), abs=1e-6)


def test_the_direct_program_is_refused_by_name_when_it_would_not_fit():
    env = lpmech.single_item_auction(list(VALUES), n_bidders=3, priors=[PRIOR] * 3)
    problem = compiled_problem(resolve_request(env, "revenue", DSIC, False, "auto", "auto", None))
    symmetric, direct = estimate(problem, "symmetric").n_bytes, estimate(problem, "direct").n_bytes
    assert symmetric < direct
    between = (symmetric + direct) // 2  # the symmetric program fits, the direct one not
    solution = lpmech.solve(env, "revenue", DSIC, formulation="direct")
    with pytest.raises(
        ProblemTooLargeError, match=r"optimal_range: this needs the direct program"
    ):
        optimal_range(solution, Quantity.payment(env, 0, (1, 2, 3)), memory_limit=between)
    target = myerson(env)  # ties go to the lowest index: not anonymous, so the direct program
    with pytest.raises(ProblemTooLargeError, match=r"tie_break: this needs the direct program"):
        lpmech.solve(
            env, "revenue", DSIC, formulation="symmetric", tie_break=target, memory_limit=between
        )
    broken = lpmech.solve(env, "revenue", DSIC, formulation="symmetric", tie_break=target)
    assert "on the direct program: the target is not anonymous" in broken.report.tie_break
