"""Exact certificates: optima proved in rationals, for every model and formulation."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from oracle import assert_satisfies

import lpmech
from lpmech.analytic import exact_values as exact_benchmarks
from lpmech.analytic import myerson_revenue
from lpmech.exact.orbits import symmetry_obstacle
from lpmech.exact.twin import exact_environment
from lpmech.formulations.symmetric import agent_symmetry
from lpmech.models import MODELS
from lpmech.numbers.rationals import exact
from lpmech.program.objectives import resolve_objective

EXACT = [name for name, spec in MODELS.items() if spec.exact_benchmark is not None]
EQUALITIES = [
    name
    for name in EXACT
    if MODELS[name].benchmark(MODELS[name].environment()).relation == "equal"
]


def test_every_linear_model_has_an_exact_benchmark():
    for name, spec in MODELS.items():
        linear = not resolve_objective(spec.objective).requires_cvxpy
        assert (spec.exact_benchmark is not None) == linear, name


def _float_mechanism(env, certificate):
    return lpmech.Mechanism(
        env, certificate.allocation.astype(float), certificate.payments.astype(float)
    )


def test_ironing_optimum_is_the_ironed_myerson_benchmark_as_a_fraction():
    spec = MODELS["irregular_auction"]
    env = spec.environment()
    certificate = lpmech.solve(env, spec.objective, spec.constraints).certify()
    assert certificate.ok, certificate.failures
    assert isinstance(certificate.objective, Fraction)
    assert certificate.objective == exact_benchmarks.myerson_revenue(env)
    assert certificate.bound == certificate.objective
    assert float(certificate.objective) == pytest.approx(myerson_revenue(env), abs=1e-12)


@pytest.mark.parametrize("name", EXACT)
def test_every_model_optimum_is_proved_and_meets_its_exact_benchmark(name):
    check = MODELS[name].check_exact()
    assert check.certificate.ok, check.certificate.failures
    assert check.agrees
    if name in EQUALITIES:
        assert check.certificate.objective == check.value
    env = MODELS[name].environment()
    checked = [c for c in MODELS[name].constraints if c != "efficient_allocation"]
    assert_satisfies(env, _float_mechanism(env, check.certificate), checked)  # brute force


def test_exact_benchmarks_agree_with_the_float_formulas():
    for name in EXACT:
        spec = MODELS[name]
        env = spec.environment()
        assert float(spec.exact_benchmark(env)) == pytest.approx(
            spec.benchmark(env).value, rel=1e-9, abs=1e-12
        ), name


FORMULATIONS = [
    (
        "symmetric",
        lambda: lpmech.single_item_auction(range(1, 6), 3),
        "revenue",
        ("dominant_strategy_ic", "ex_post_ir"),
    ),
    (
        "interim",
        lambda: lpmech.single_item_auction([[1, 2, 3], [2, 3, 5], [1, 4, 6]]),
        "revenue",
        ("bayesian_ic", "interim_ir"),
    ),  # Border's inequalities
    (
        "interim",
        lambda: lpmech.public_good([0, 1, 2], 3, cost=Fraction(5, 2)),
        "welfare",
        ("bayesian_ic", "ex_ante_budget_balance"),
    ),  # ex-post allocation linked
    (
        "generation",
        lambda: lpmech.multi_item_auction([[x, y] for x in (1, 2, 3) for y in (1, 2, 4)], 1),
        "revenue",
        ("dominant_strategy_ic", "ex_post_ir"),
    ),
]


@pytest.mark.parametrize(("formulation", "build", "objective", "constraints"), FORMULATIONS)
def test_every_formulation_is_certified_with_the_direct_optimum(
    formulation, build, objective, constraints
):
    env = build()
    reduced = lpmech.solve(env, objective, constraints, formulation=formulation)
    direct = lpmech.solve(env, objective, constraints, formulation="direct")
    assert reduced.report.formulation == formulation
    certificate, reference = reduced.certify(), direct.certify()
    assert certificate.ok, certificate.failures
    assert reference.ok, reference.failures
    assert certificate.objective == reference.objective
    assert formulation in certificate.argument
    assert_satisfies(env, _float_mechanism(env, certificate), constraints)


@pytest.fixture(scope="module")
def symmetric():
    env = lpmech.single_item_auction(range(1, 6), 3)
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], formulation="symmetric")
    return env, solution.certify()


def test_a_symmetric_solve_is_proved_on_the_reduced_program_it_solved(symmetric):
    env, certificate = symmetric
    assert certificate.ok, certificate.failures
    program = certificate.context.program
    assert program.n_columns < env.layout.n_columns / 3  # orbits, not every column
    assert certificate.program.startswith("the reduced program the symmetric formulation")
    assert "averaging any feasible mechanism over all relabellings" in certificate.argument
    assert certificate.objective == exact_benchmarks.myerson_revenue(env)
    assert certificate.allocation.shape == (env.n_profiles, env.n_components)  # in full


def test_a_tampered_reduced_dual_fails_naming_the_entry(symmetric):
    _, certificate = symmetric
    duals = {name: values.copy() for name, values in certificate.duals.items()}
    on_row = certificate.context.program.row_index["dominant_strategy_ic"][0]
    duals["dominant_strategy_ic"][on_row] += 1
    tampered = certificate.check(duals=duals)
    assert not tampered.ok
    row = certificate.context.program.describe_row(
        certificate.context.program.row_slices["dominant_strategy_ic"].start
    )
    assert any(
        failure.startswith("dual infeasible: column payment of agent")
        and "and its relabellings" in failure
        and f"{row} (multiplier {duals['dominant_strategy_ic'][on_row]})" in failure
        for failure in tampered.failures
    ), tampered.failures
    assert certificate.check().ok


def test_a_tampered_entry_of_a_symmetric_optimum_is_found_on_the_full_families(symmetric):
    env, certificate = symmetric
    allocation = certificate.allocation.copy()
    profile = int(env.layout.profile_index([4, 4, 0]))  # one profile, not its relabellings
    winner = int(np.flatnonzero(allocation[profile])[0])
    allocation[profile, winner] += Fraction(1, 2)
    tampered = certificate.check(allocation=allocation)
    assert not tampered.ok
    assert any(
        failure.startswith("feasibility violated by 1/2")
        and env.describe_profile(profile) in failure
        for failure in tampered.failures
    ), tampered.failures


def test_inputs_symmetric_only_in_floats_are_proved_on_the_direct_program():
    tilt = Fraction(1, 10**14)  # within the formulation's float tolerance, not exactly 0
    fifth = Fraction(1, 5)
    env = lpmech.single_item_auction(
        range(1, 6), 2, priors=[[fifth] * 5, [fifth + tilt, fifth - tilt, fifth, fifth, fifth]]
    )
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], formulation="symmetric")
    twin = exact_environment(env)
    symmetry = agent_symmetry(env)
    assert solution.report.formulation == "symmetric"
    assert (
        symmetry_obstacle(twin, tuple(solution.compiled), symmetry, symmetry.column_orbit)
        == "the exact prior is not exchangeable"
    )
    certificate = solution.certify()
    assert certificate.ok, certificate.failures
    assert certificate.program.startswith("the direct program")


def _merged(orbit):
    merged = np.where(orbit == 1, 0, orbit)  # two orbits as one, numbered 0, 1, … again
    return np.unique(merged, return_inverse=True)[1]


def _split(orbit):
    split = orbit.copy()
    split[np.flatnonzero(orbit == 0)[0]] = orbit.max() + 1  # one column taken out
    return split


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (_merged, "an orbit joins columns that no relabelling connects"),
        (_split, "a relabelling moves a column out of its orbit"),
    ],
)
def test_the_orbits_of_a_reduced_program_are_checked_not_assumed(tamper, reason):
    env = lpmech.single_item_auction(range(1, 4), 3)
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], formulation="symmetric")
    symmetry = agent_symmetry(env)
    twin, families = exact_environment(env), tuple(solution.compiled)
    assert symmetry_obstacle(twin, families, symmetry, symmetry.column_orbit) is None
    assert symmetry_obstacle(twin, families, symmetry, tamper(symmetry.column_orbit)) == reason


def test_deterministic_incumbent_is_exact_and_says_when_optimality_is_not_proved():
    spec = MODELS["public_good_funded"]
    env = spec.environment()
    incumbent = lpmech.solve(env, spec.objective, spec.constraints, deterministic=True)
    certificate = incumbent.certify()
    assert certificate.ok, certificate.failures
    assert float(certificate.objective) == pytest.approx(incumbent.objective_value, abs=1e-9)
    assert all(x in (0, 1) for x in certificate.allocation.ravel())
    randomised = lpmech.solve(env, spec.objective, spec.constraints).certify()
    assert certificate.bound == randomised.objective > certificate.objective
    assert not certificate.optimal
    assert "not proved" in certificate.proved


def test_deterministic_incumbent_that_meets_the_relaxation_is_proved_optimal():
    env = lpmech.single_item_auction([1, 2, 3, 4], 2)
    certificate = lpmech.solve(
        env, "revenue", ["dsic", "ex_post_ir"], deterministic=True
    ).certify()
    assert certificate.ok
    assert certificate.optimal
    assert certificate.objective == exact_benchmarks.myerson_revenue(env)


@pytest.fixture(scope="module")
def ironing():
    env = MODELS["irregular_auction"].environment()
    return env, lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]).certify()


def test_a_tampered_mechanism_fails_naming_the_violated_row(ironing):
    env, certificate = ironing
    allocation = certificate.allocation.copy()
    profile = int(env.layout.profile_index([2, 0]))  # bidder 1 = 3, bidder 2 = 1: 1 wins
    assert allocation[profile, 0] == 1
    allocation[profile, 0] = Fraction(0)
    tampered = certificate.check(allocation=allocation)
    assert not tampered.ok
    assert any(
        failure.startswith("ex_post_ir violated by")
        and "at profile (bidder 1=3, bidder 2=1)" in failure
        for failure in tampered.failures
    ), tampered.failures
    assert certificate.check().ok  # the original still passes


def test_a_tampered_dual_fails_naming_the_entry(ironing):
    _, certificate = ironing
    duals = {name: values.copy() for name, values in certificate.duals.items()}
    duals["dominant_strategy_ic"][0] += 1
    tampered = certificate.check(duals=duals)
    assert not tampered.ok
    row = certificate.context.program.describe_row(
        certificate.context.program.row_slices["dominant_strategy_ic"].start
    )
    changed = f"{row} (multiplier {duals['dominant_strategy_ic'][0]})"
    assert any(
        failure.startswith("dual infeasible: column payment of agent") and changed in failure
        for failure in tampered.failures
    ), tampered.failures
    assert tampered.duals["dominant_strategy_ic"][0] == duals["dominant_strategy_ic"][0]


def test_a_tampered_payment_fails_on_the_objective_or_a_row(ironing):
    _, certificate = ironing
    payments = certificate.payments.copy()
    payments[-1, 0] -= Fraction(1, 1000)  # top types pay a little less
    tampered = certificate.check(payments=payments)
    assert not tampered.ok
    assert any(
        "differs from the dual bound" in failure or "violated by" in failure
        for failure in tampered.failures
    )


def test_the_certificate_states_its_exact_inputs(ironing):
    _, certificate = ironing
    assert "marginal prior [9/20, 1/10, 9/20]" in str(certificate)
    assert list(certificate.inputs.marginals[0]) == [
        Fraction(9, 20),
        Fraction(1, 10),
        Fraction(9, 20),
    ]


@pytest.mark.parametrize("unit", [Fraction(1, 10**9), 1e-9, 1, 1e9, 10**9])
def test_certificates_hold_in_any_units(unit):
    env = lpmech.single_item_auction(
        [unit, 2 * unit, 4 * unit], 2, priors=[Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]
    )
    certificate = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]).certify()
    assert certificate.ok, certificate.failures
    assert certificate.objective / exact(unit) == exact_benchmarks.myerson_revenue(
        lpmech.single_item_auction(
            [1, 2, 4], 2, priors=[Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]
        )
    )


def test_a_non_linear_objective_is_refused_with_the_reason():
    spec = MODELS["public_good_nash"]
    env = spec.environment(n_agents=2)
    certificate = lpmech.solve(env, spec.objective, spec.constraints).certify()
    assert not certificate.ok
    assert "is not linear" in certificate.failures[0]
    with pytest.raises(ValueError, match="nothing to re-check"):
        certificate.check()


def test_a_family_written_in_cvxpy_is_refused_by_name():
    env = lpmech.single_item_auction([1, 2], 1)
    cap = lpmech.CvxpyConstraint(lambda v: [v.payments <= 5], name="payment_cap")
    certificate = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir", cap]).certify()
    assert not certificate.ok
    assert "payment_cap" in certificate.failures[0]


def test_the_certified_duals_are_rational_multipliers_by_family(ironing):
    _, certificate = ironing
    assert set(certificate.duals) == {"feasibility", "dominant_strategy_ic", "ex_post_ir"}
    assert all(isinstance(v, Fraction) for values in certificate.duals.values() for v in values)
    assert np.any([v != 0 for v in certificate.duals["dominant_strategy_ic"]])


def test_large_full_incentive_families_are_certified_on_the_rows_that_bind():
    grid = [Fraction(k, 7) for k in range(1, 8)]
    env = lpmech.multi_item_auction([[x, y] for x in grid for y in grid], 1)  # 2,352 IC rows
    solution = lpmech.solve(env, "revenue", ["dominant_strategy_ic", "ex_post_ir"])
    certificate = solution.certify()
    assert certificate.ok, certificate.failures
    assert "rows that bind at the float optimum" in certificate.program
    assert float(certificate.objective) == pytest.approx(solution.objective_value, abs=1e-9)
    full = certificate.duals["dominant_strategy_ic"]
    assert len(full) == 49 * 48  # multipliers on every row, 0 where the row was left out
    assert_satisfies(
        env, _float_mechanism(env, certificate), ["dominant_strategy_ic", "ex_post_ir"]
    )
