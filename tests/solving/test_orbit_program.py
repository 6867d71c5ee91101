"""Orbit programs: anonymous mechanisms built, solved and verified on orbits of profiles."""

from __future__ import annotations

import math

import numpy as np
import oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import probability_vectors, type_values

import lpmech
from lpmech.errors import InvalidArgumentError, ProblemTooLargeError
from lpmech.problem.builders import single_item_auction
from lpmech.problem.profile_orbits import ProfileOrbits, orbit_obstacle
from lpmech.results.orbit_mechanism import OrbitMechanism
from lpmech.solving.orbit_program import estimate_orbit_program, solve_orbits

DSIC = ["dominant_strategy_ic", "ex_post_ir"]


def grid_types(n_points: int, n_items: int = 2) -> np.ndarray:
    axis = (np.arange(n_points) + 0.5) / n_points
    return np.stack(np.meshgrid(*[axis] * n_items, indexing="ij"), axis=-1).reshape(-1, n_items)


CASES = {
    "3 bidders, values 1..5": single_item_auction(np.arange(1, 6), 3),
    "4 bidders, skewed prior": single_item_auction(
        [1.0, 2.5, 3.0, 7.0], 4, priors=[0.4, 0.3, 0.2, 0.1]
    ),
    "3 bidders, seller value 2": single_item_auction(np.arange(1, 5), 3, seller_value=2.0),
    "2 bidders, additive 3x3 grid": lpmech.multi_item_auction(grid_types(3), 2),
    "2 bidders, unit demand 3x3 grid": lpmech.multi_item_auction(
        grid_types(3), 2, unit_demand=True
    ),
    "3 bidders, additive 2x2 grid": lpmech.multi_item_auction(grid_types(2), 3),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("objective", ["revenue", "welfare", "profit"])
def test_optimum_is_the_full_programs_and_meets_every_row(name, objective):
    env = CASES[name]
    full = lpmech.solve(env, objective, DSIC, formulation="direct")
    orbits = solve_orbits(env, objective, DSIC)
    assert orbits.verification.ok
    assert orbits.objective_value == pytest.approx(full.objective_value, rel=1e-7, abs=1e-9)
    expanded = orbits.mechanism.expand()
    assert oracle.dsic_violation(env, expanded) <= 1e-7
    assert oracle.ex_post_ir_violation(env, expanded) <= 1e-7
    assert expanded.verify(DSIC).ok
    assert orbits.objective_value == pytest.approx(
        getattr(expanded, {"revenue": "expected_revenue"}.get(objective, "expected_welfare"))()
        if objective != "profit"
        else expanded.expected_budget_surplus(),
        rel=1e-9,
        abs=1e-12,
    )


@pytest.mark.parametrize("scale", [1e-9, 1.0, 1e9])
def test_scale_invariance(scale):
    values = np.array([1.0, 2.0, 4.0, 5.0])
    base = solve_orbits(single_item_auction(values, 3))
    scaled = solve_orbits(single_item_auction(scale * values, 3))
    assert scaled.verification.ok
    assert scaled.objective_value == pytest.approx(scale * base.objective_value, rel=1e-7)


@given(
    st.integers(2, 4).flatmap(
        lambda k: st.tuples(type_values(k, 1, 9), probability_vectors(k), st.integers(2, 4))
    )
)
@settings(max_examples=15, deadline=None)
def test_orbit_optimum_is_myersons_for_any_prior(data):
    values, prior, n_bidders = data
    env = single_item_auction(values, n_bidders, priors=prior)
    solution = solve_orbits(env)
    assert solution.verification.ok
    assert solution.objective_value == pytest.approx(
        lpmech.analytic.myerson_revenue(env), rel=1e-7, abs=1e-9
    )


def _perturbed(mechanism: OrbitMechanism, where: tuple[int, int], by: float) -> OrbitMechanism:
    payments = mechanism.payments.copy()
    payments[where] += by
    return OrbitMechanism(mechanism.env, mechanism.allocation, payments)


@pytest.mark.parametrize("by", [-0.3, 0.3])
def test_orbit_verification_agrees_with_the_brute_force_on_every_profile(by):
    env = CASES["3 bidders, values 1..5"]
    optimum = solve_orbits(env).mechanism
    for where in [(0, 0), (2, 3), (4, optimum.others.count - 1)]:
        broken = _perturbed(optimum, where, by)
        report = broken.verify(DSIC)
        expanded = broken.expand()
        assert report.violations["dominant_strategy_ic"] == pytest.approx(
            oracle.dsic_violation(env, expanded) / 5.0, abs=1e-9
        )
        assert report.violations["ex_post_ir"] == pytest.approx(
            oracle.ex_post_ir_violation(env, expanded) / 5.0, abs=1e-9
        )
        assert report.ok == expanded.verify(DSIC).ok


def test_orbit_verification_catches_an_infeasible_allocation():
    env = CASES["3 bidders, values 1..5"]
    optimum = solve_orbits(env).mechanism
    allocation = optimum.allocation.copy()
    allocation[...] = 0.5  # three bidders each get half the item
    broken = OrbitMechanism(env, allocation, optimum.payments)
    assert broken.verify(DSIC).violations["feasibility"] == pytest.approx(0.5)
    assert not broken.verify(DSIC).ok
    assert not broken.expand().verify(["feasibility"]).ok


@given(st.integers(1, 6), st.integers(0, 4))
@settings(max_examples=30, deadline=None)
def test_ranks_number_the_multisets(n_types, size):
    orbits = ProfileOrbits(n_types, size)
    assert orbits.count == math.comb(n_types + size - 1, size)
    assert np.array_equal(orbits.rank(orbits.members), np.arange(orbits.count))
    assert np.all(np.diff(orbits.members, axis=1) >= 0)
    marginal = np.arange(1.0, n_types + 1) / np.arange(1.0, n_types + 1).sum()
    assert orbits.probabilities(marginal).sum() == pytest.approx(1.0)


def test_sizes_grow_with_orbits_not_profiles():
    env = single_item_auction(np.arange(1, 21), 5)  # 3.2 million profiles
    size = estimate_orbit_program(env, DSIC)
    others = math.comb(23, 4)
    assert size.n_columns == 2 * 20 * others
    assert size.n_rows == 2 * 19 * others + 20 * others + math.comb(24, 5)
    assert size.n_bytes < 2**30


def test_expansion_is_refused_when_it_does_not_fit():
    env = CASES["3 bidders, values 1..5"]
    mechanism = solve_orbits(env).mechanism
    with pytest.raises(ProblemTooLargeError, match="expand"):
        mechanism.expand(memory_limit=1000)
    with pytest.raises(ProblemTooLargeError, match="orbit program"):
        solve_orbits(env, memory_limit=1000)


def test_bad_input_names_the_argument():
    asymmetric = single_item_auction([[1.0, 2.0], [1.0, 3.0]])
    assert orbit_obstacle(asymmetric) is not None
    with pytest.raises(InvalidArgumentError, match="env"):
        solve_orbits(asymmetric)
    env = CASES["3 bidders, values 1..5"]
    with pytest.raises(InvalidArgumentError, match="constraints"):
        solve_orbits(env, "revenue", ["bayesian_ic", "interim_ir"])
    with pytest.raises(InvalidArgumentError, match="objective"):
        solve_orbits(env, "gains_from_trade", DSIC)
    optimum = solve_orbits(env).mechanism
    with pytest.raises(InvalidArgumentError, match="payments"):
        OrbitMechanism(env, optimum.allocation, optimum.payments[:, :2])


def test_the_size_guard_points_to_the_orbit_program_when_it_fits():
    env = single_item_auction(np.arange(1, 21), 5)
    size = estimate_orbit_program(env, DSIC)
    with pytest.raises(ProblemTooLargeError, match="solve_orbits") as refused:
        lpmech.solve(env, "revenue", DSIC, memory_limit=2 * size.n_bytes)
    assert refused.value.limit == 2 * size.n_bytes
    with pytest.raises(ProblemTooLargeError) as too_small:
        lpmech.solve(env, "revenue", DSIC, memory_limit=size.n_bytes // 2)
    assert "solve_orbits" not in str(too_small.value)
