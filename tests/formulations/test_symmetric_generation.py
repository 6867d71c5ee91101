"""Symmetric generation: the direct optimum from agent 0's generated rows over orbits."""

from __future__ import annotations

import numpy as np
import oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import probability_vectors, vector_types
from test_formulations import AgentZeroPaysNothing
from test_row_generation import problem_of

import lpmech
from lpmech.backends.engines import HighspyBackend
from lpmech.errors import InvalidArgumentError
from lpmech.formulations.symmetric_generation import SymmetricGeneration, lower_neighbours

DSIC = ["dominant_strategy_ic", "ex_post_ir"]


def grid_types(n_points: int, n_items: int = 2) -> np.ndarray:
    axis = (np.arange(n_points) + 0.5) / n_points
    return np.stack(np.meshgrid(*[axis] * n_items, indexing="ij"), axis=-1).reshape(-1, n_items)


def _solve_both(env, objective="revenue", constraints=DSIC):
    direct = lpmech.solve(env, objective, constraints, formulation="direct")
    both = lpmech.solve(env, objective, constraints, formulation="symmetric_generation")
    return direct, both


SMALL = {
    "2 bidders, additive 3x3 grid": lpmech.multi_item_auction(grid_types(3), 2),
    "2 bidders, unit demand 3x3 grid": lpmech.multi_item_auction(
        grid_types(3), 2, unit_demand=True
    ),
    "2 bidders, additive 4x4 grid, skewed prior": lpmech.multi_item_auction(
        grid_types(4), 2, priors=np.linspace(1.0, 3.0, 16) / np.linspace(1.0, 3.0, 16).sum()
    ),
    "3 bidders, additive 2x2 grid": lpmech.multi_item_auction(
        grid_types(2) + np.array([0.0, 0.25]), 3
    ),
    "2 bidders, 3 additive items on 2^3": lpmech.multi_item_auction(grid_types(2, 3), 2),
}


@pytest.mark.parametrize("name", SMALL)
def test_symmetric_generation_has_the_direct_optimum(name):
    """Agent 0's generated rows over anonymous mechanisms reach the full program's optimum,
    and the mechanism meets full DSIC and ex-post IR by brute force."""
    env = SMALL[name]
    direct, both = _solve_both(env)
    assert both.report.formulation == "symmetric_generation"
    assert both.objective_value == pytest.approx(direct.objective_value, rel=1e-7, abs=1e-9)
    assert both.verification.ok
    oracle.assert_satisfies(env, both.mechanism, DSIC)
    assert both.report.n_rows < direct.report.n_rows


@st.composite
def identical_multi_item_bidders(draw):
    """Two or three identical bidders with random vector types and a shared random prior."""
    types = draw(vector_types(max_types=5))
    n_types = len(types)
    n_bidders = 3 if n_types <= 3 and draw(st.booleans()) else 2
    return lpmech.multi_item_auction(
        types,
        n_bidders,
        priors=draw(probability_vectors(n_types)),
        unit_demand=draw(st.booleans()),
    )


@pytest.mark.parametrize("constraints", [DSIC, ["bayesian_ic", "interim_ir"]])
@settings(max_examples=20, deadline=None)
@given(env=identical_multi_item_bidders())
def test_symmetric_generation_has_the_direct_optimum_on_random_bidders(constraints, env):
    """Ex post (a row per others' profile) and Bayesian (a row per pair) alike."""
    direct, both = _solve_both(env, constraints=constraints)
    assert both.objective_value == pytest.approx(direct.objective_value, rel=1e-7, abs=1e-7)
    oracle.assert_satisfies(env, both.mechanism, constraints)


def test_duals_are_complementary_to_the_full_rows():
    """Each full IC row's shared dual is zero unless the row binds at the returned mechanism,
    IR duals sum to the number of agents (a unit of revenue per profile's payment
    shift), and every row of every agent gets one."""
    env = SMALL["3 bidders, additive 2x2 grid"]
    both = lpmech.solve(env, "revenue", DSIC, formulation="symmetric_generation")
    family = next(f for f in both.families if f.name == "dominant_strategy_ic")
    block = family.rows(env)
    z = env.layout.join(
        both.mechanism.allocation.reshape(env.n_profiles, -1),
        both.mechanism.payments.reshape(env.n_profiles, -1),
    )
    slack = block.upper - block.matrix @ z
    dual = both.duals["dominant_strategy_ic"]
    assert dual.shape == (block.n_rows,)
    assert np.all(np.abs(dual[slack > 1e-7]) < 1e-9)
    assert np.abs(dual).sum() > 0
    direct = lpmech.solve(env, "revenue", DSIC, formulation="direct")
    assert both.duals["ex_post_ir"].sum() == pytest.approx(
        direct.duals["ex_post_ir"].sum(), rel=1e-7
    )


@pytest.mark.parametrize("constraints", [DSIC, ["bayesian_ic", "interim_ir"]])
def test_utility_columns_give_the_same_optimum_and_duals_with_sparser_rows(constraints):
    """Over allocations and utilities the reduced program has the same rows (times M), so
    the same optimum, and duals on every family's full rows that are complementary to
    the returned mechanism with the participation duals of the program over payments
    (an optimum may have several vertices; these hold at each)."""
    env = lpmech.multi_item_auction(grid_types(4), 2)
    problem = problem_of(env, constraints)
    payments = SymmetricGeneration(utilities=False).run(problem, HighspyBackend(), {})
    utilities = SymmetricGeneration().run(problem, HighspyBackend(), {})
    assert utilities.objective == pytest.approx(payments.objective, rel=1e-9)
    for family in problem.families:
        block = family.rows(env)
        activity = block.matrix @ utilities.z
        dual = utilities.duals[family.name]
        assert dual.shape == (block.n_rows,)
        slack = np.minimum(
            activity - np.nan_to_num(block.lower, neginf=-np.inf),
            np.nan_to_num(block.upper, posinf=np.inf) - activity,
        )
        assert np.all(np.abs(dual[slack > 1e-7]) < 1e-9), family.name
    participation = constraints[1]
    assert utilities.duals[participation].sum() == pytest.approx(
        payments.duals[participation].sum(), rel=1e-7
    )
    incentive = constraints[0]
    assert (
        utilities.sizes.nonzeros_by_family[incentive]
        < payments.sizes.nonzeros_by_family[incentive]
    )


def test_auto_picks_symmetric_generation_for_identical_multi_item_bidders_only():
    """Identical bidders with full IC get both reductions; different priors (not
    exchangeable) get plain generation, and asking for it by name is refused."""
    types = grid_types(8)
    identical = lpmech.multi_item_auction(types, 2)
    assert lpmech.formulations.choose(_problem(identical)).name == "symmetric_generation"
    skewed = np.linspace(1.0, 2.0, len(types))
    different = lpmech.multi_item_auction(
        types, 2, priors=[np.full(len(types), 1 / 64), skewed / skewed.sum()]
    )
    assert lpmech.formulations.choose(_problem(different)).name == "generation"
    small = SMALL["2 bidders, additive 3x3 grid"]
    with pytest.raises(InvalidArgumentError, match="not exchangeable"):
        lpmech.solve(
            lpmech.multi_item_auction(
                grid_types(3), 2, priors=[np.full(9, 1 / 9), np.arange(1.0, 10.0) / 45]
            ),
            "revenue",
            DSIC,
            formulation="symmetric_generation",
        )
    with pytest.raises(InvalidArgumentError, match="use backend='highspy'"):
        lpmech.solve(small, "revenue", DSIC, formulation="symmetric_generation", backend="cvxpy")


def test_a_family_that_breaks_the_symmetry_is_refused():
    """A fixed allocation that favours bidder 1 makes column bounds differ within orbits."""
    env = SMALL["2 bidders, additive 3x3 grid"]
    favour = np.zeros((env.n_profiles, env.n_components))
    favour[0, 0] = 1.0
    with pytest.raises(InvalidArgumentError, match="orbit"):
        lpmech.solve(
            env,
            "revenue",
            [*DSIC, lpmech.FixedAllocation(favour)],
            formulation="symmetric_generation",
        )


def test_lower_neighbours_pair_each_type_with_the_next_lower_along_each_axis():
    types = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
    pairs = set(zip(*lower_neighbours(types), strict=True))
    assert pairs == {(2, 0), (4, 2), (3, 1), (1, 0), (3, 2)}


def _problem(env):
    from lpmech.formulations import DesignProblem
    from lpmech.program.objectives import Revenue
    from lpmech.solving.pipeline import resolve_request

    request = resolve_request(env, Revenue(), DSIC, False, "auto", "auto", None, False)
    return DesignProblem(
        env, request.objective, tuple(f.compiled_form(env) for f in request.families)
    )


@pytest.mark.slow
def test_auto_falls_back_to_generation_when_a_family_breaks_the_symmetry():
    """Column bounds that are not anonymous are seen before compiling (plain generation is
    chosen); rows that are not are seen in the compiled program, and auto's symmetric
    generation then runs plain generation, with the same optimum as asked by name."""
    env = lpmech.multi_item_auction(grid_types(8), 2)
    favour = np.zeros((env.n_profiles, env.n_components))
    favour[:, 0] = 1.0  # item 1 always to bidder 1
    fixed = [*DSIC, lpmech.FixedAllocation(favour)]
    assert lpmech.solve(env, "revenue", fixed).report.formulation == "generation"
    singled_out = [*DSIC, AgentZeroPaysNothing()]
    auto = lpmech.solve(env, "revenue", singled_out)
    generated = lpmech.solve(env, "revenue", singled_out, formulation="generation")
    assert "no symmetric reduction" in auto.report.details
    assert auto.objective_value == pytest.approx(generated.objective_value, rel=1e-7)
    assert auto.verification.ok
    with pytest.raises(InvalidArgumentError, match="not mapped onto itself"):
        lpmech.solve(env, "revenue", singled_out, formulation="symmetric_generation")


def test_participation_rows_are_generated_from_the_lowest_types():
    """Of agent 0's ex-post IR rows only the lowest type's start; the rest are implied by
    IC against lower neighbours here, so few are added — yet IR holds at every profile."""
    env = SMALL["2 bidders, additive 4x4 grid, skewed prior"]
    both = lpmech.solve(env, "revenue", DSIC, formulation="symmetric_generation")
    assert both.report.rows_by_family["ex_post_ir"] < env.n_profiles // 2
    assert both.verification["ex_post_ir"].ok
    oracle.assert_satisfies(env, both.mechanism, ["ex_post_ir"])
    direct = lpmech.solve(env, "revenue", DSIC, formulation="direct")
    assert both.duals["ex_post_ir"].sum() == pytest.approx(
        direct.duals["ex_post_ir"].sum(), rel=1e-7
    )
