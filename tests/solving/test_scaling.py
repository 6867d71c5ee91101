"""Scale invariance: multiplying every value by c multiplies the optimum by c.

The solver sees a normalised program (lpmech.solving.scaling); the optimum is mapped back and
verified against the problem as given. Each returned mechanism is also divided back to
unit values and verified there, by the library and by the brute-force oracle.
"""

from __future__ import annotations

import numpy as np
import oracle
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import environments

import lpmech
from lpmech.analytic import myerson_revenue
from lpmech.constraints import BUILT_IN, DominantStrategyIC, Feasibility, resolve_all
from lpmech.formulations import FORMULATIONS, DesignProblem
from lpmech.problem.environment import Agent, Environment
from lpmech.problem.scales import data_scale
from lpmech.program.objectives import OBJECTIVES, resolve_objective
from lpmech.solving.scaling import normalising_scale

TYPES = np.arange(1, 11)
SCALES = [10.0**k for k in (-9, -6, -3, 0, 3, 6, 9)]
UNIT = lpmech.single_item_auction(TYPES, n_bidders=3)
DSIC = ("dominant_strategy_ic", "ex_post_ir")
BIC = ("bayesian_ic", "interim_ir")


def scaled(env: Environment, c: float) -> Environment:
    """``env`` with every value (valuations, principal value, outside options) times c."""
    agents = [Agent(a.name, a.types, a.prior, a.labels) for a in env.agents]
    return Environment(
        agents,
        env.allocation,
        [v * c for v in env.valuations],
        prior=env.prior.table,
        principal_value=env.principal_value * c,
        outside_options=[o * c for o in env.outside_options],
        name=env.name,
    )


def at_unit_values(mechanism: lpmech.Mechanism, unit: Environment, c: float) -> lpmech.Mechanism:
    """The mechanism of a problem scaled by c, with payments divided back by c."""
    return lpmech.Mechanism(unit, mechanism.flat_allocation, mechanism.flat_payments / c)


def _applicable_cases():
    """(constraints, formulation, backend, deterministic) for which the formulation applies."""
    cases = []
    for constraints in (DSIC, BIC, (DominantStrategyIC("full"), "ex_post_ir")):
        families = (Feasibility(), *resolve_all(constraints))
        for deterministic in (False, True):
            problem = DesignProblem(
                UNIT,
                resolve_objective("revenue"),
                tuple(f.compiled_form(UNIT) for f in families),
                deterministic,
            )
            for name, formulation in FORMULATIONS.items():
                if formulation().obstacle(problem) is not None:
                    continue
                generated = name in ("generation", "symmetric_generation")
                if not generated and isinstance(constraints[0], DominantStrategyIC):
                    continue  # full IC is there for generation; the others run on DSIC
                for backend in ("highspy", "cvxpy"):
                    if backend == "cvxpy" and generated:
                        continue  # generation re-solves from the last basis in highspy
                    label = (
                        "full dsic"
                        if isinstance(constraints[0], DominantStrategyIC)
                        else constraints[0]
                    )
                    cases.append(
                        pytest.param(
                            constraints,
                            name,
                            backend,
                            deterministic,
                            id=f"{label}-{name}-{backend}{'-mip' if deterministic else ''}",
                        )
                    )
    return cases


CASES = _applicable_cases()


def test_every_formulation_is_covered():
    """The case list holds every formulation, both backends and a MIP (so none is skipped)."""
    names = {case.values[1] for case in CASES}
    assert names == set(FORMULATIONS)
    assert {case.values[2] for case in CASES} == {"highspy", "cvxpy"}
    assert any(case.values[3] for case in CASES)


@pytest.mark.slow
@pytest.mark.parametrize(("constraints", "formulation", "backend", "deterministic"), CASES)
def test_auction_optimum_is_myerson_times_the_scale(
    constraints, formulation, backend, deterministic
):
    """3 bidders × 10 types, values c·(1..10): optimum/c = Myerson's E[max φ⁺] at every c."""
    target = myerson_revenue(UNIT)  # E[max_i φ(θ_i)⁺] with φ(k) = 2k − 11: 6.15
    mip_on_cvxpy = deterministic and backend == "cvxpy"  # the slowest: extremes and 1
    for c in (SCALES[0], 1.0, SCALES[-1]) if mip_on_cvxpy else SCALES:
        env = lpmech.single_item_auction(TYPES * c, n_bidders=3)
        solution = lpmech.solve(
            env,
            "revenue",
            constraints,
            formulation=formulation,
            backend=backend,
            deterministic=deterministic,
        )
        assert solution.objective_value / c == pytest.approx(target, rel=1e-6), c
        unit = at_unit_values(solution.mechanism, UNIT, c)
        assert unit.verify(constraints).ok, c


@pytest.mark.parametrize("c", [SCALES[0], SCALES[-1]])
def test_extreme_scale_optimum_passes_the_brute_force_oracle(c):
    solution = lpmech.solve(lpmech.single_item_auction(TYPES * c, n_bidders=3), "revenue", DSIC)
    oracle.assert_satisfies(UNIT, at_unit_values(solution.mechanism, UNIT, c), list(DSIC))


def test_every_built_in_part_is_normalised():
    """Built-in families and linear objectives declare units, so none silently turns scaling
    off; parts written as cvxpy expressions (a custom or convex objective, a cvxpy
    constraint) are solved as given."""
    assert {
        name: make().units
        for name, make in BUILT_IN.items()
        if make().units not in ("value", "allocation")
    } == {}
    assert {
        name: make().units
        for name, make in OBJECTIVES.items()
        if make().units != ("user" if make().requires_cvxpy else "value")
    } == {}
    assert normalising_scale(_problem(lpmech.single_item_auction(TYPES * 1e6, 2))) == 1e7
    custom = lpmech.CustomObjective(lambda v: v.payments[0, 0])
    assert normalising_scale(_problem(UNIT, objective=custom)) == 1.0
    cap = lpmech.CvxpyConstraint(lambda v: [v.payments <= 2.5], name="cap")
    assert normalising_scale(_problem(lpmech.single_item_auction(TYPES * 1e6, 2), cap)) == 1.0


def _problem(env, *extra, objective="revenue"):
    families = (Feasibility(), *resolve_all([*DSIC, *extra]))
    return DesignProblem(env, resolve_objective(objective), families)


def test_duals_are_the_same_rates_in_any_units():
    """A money row's dual ∂opt/∂b is unit-free; an allocation row's scales with c."""
    unit = lpmech.solve(UNIT, "revenue", DSIC, formulation="direct")
    big = lpmech.solve(
        lpmech.single_item_auction(TYPES * 1e6, n_bidders=3), "revenue", DSIC, formulation="direct"
    )
    assert np.allclose(big.duals["ex_post_ir"], unit.duals["ex_post_ir"], atol=1e-6)
    assert np.allclose(big.duals["feasibility"] / 1e6, unit.duals["feasibility"], atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("family", ["feasibility", "ex_post_ir"])
def test_rows_bind_in_any_units(family):
    """binding() and duals_frame(binding_only=True) judge duals in their own unit.

    An allocation row's dual scales with c, so an absolute cut-off lost every binding
    feasibility row at c = 1e-9. The optimal duals are not unique (HiGHS may stop at
    another dual vertex at another scale), so the counts agree closely, not exactly.
    """

    def binding_rows(solution):
        frame = solution.duals_frame(binding_only=True)
        rows = set(frame[frame.family == family].row)
        assert len(solution.binding(family, top=10**6)) == len(rows)
        return rows

    at_unit = binding_rows(lpmech.solve(UNIT, "revenue", DSIC, formulation="direct"))
    assert at_unit  # some rows of the family bind at unit scale
    for c in (1e-9, 1e9):
        scaled = lpmech.solve(
            lpmech.single_item_auction(TYPES * c, n_bidders=3),
            "revenue",
            DSIC,
            formulation="direct",
        )
        assert len(binding_rows(scaled)) == pytest.approx(len(at_unit), rel=0.1)


def test_user_units_are_solved_as_given():
    """A cvxpy-written cap of 2.5·c stays 2.5·c: parts in the user's units are not normalised."""
    results = []
    for c in (1e-3, 1.0, 1e3):
        env = lpmech.single_item_auction([c, 2 * c, 4 * c], n_bidders=2)
        cap = lpmech.CvxpyConstraint(lambda v, c=c: [v.payments <= 2.5 * c], name="cap")
        solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir", cap])
        assert solution.mechanism.flat_payments.max() <= 2.5 * c * (1 + 1e-6)
        results.append(solution.objective_value / c)
    uncapped = lpmech.solve(lpmech.single_item_auction([1, 2, 4], n_bidders=2), "revenue", DSIC)
    assert results == pytest.approx([results[1]] * 3, rel=1e-6)
    assert results[1] < uncapped.objective_value - 1e-3  # the cap binds


def test_budget_requirement_is_in_the_users_units():
    """ExAnteBudgetBalance(required=R) pins revenue to R, at any scale of values."""
    for c in (1e-6, 1e6):
        env = lpmech.single_item_auction(np.array([1.0, 2.0, 4.0]) * c, 2)
        balance = lpmech.ExAnteBudgetBalance(strict=True, required=0.75 * c)
        solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir", balance])
        assert solution.objective_value == pytest.approx(0.75 * c, rel=1e-6)


@given(
    env=environments(max_agents=2, max_types=3), power=st.integers(-9, 9), bayesian=st.booleans()
)
def test_scaling_values_scales_the_optimum(env, power, bayesian):
    """For any problem and c = 10^k, k ∈ [−9, 9]: optimum(c·env) = c·optimum(env), and the
    scaled optimum divided back by c satisfies the families at unit values."""
    c = 10.0**power
    constraints = BIC if bayesian else DSIC
    unit = lpmech.solve(env, "revenue", constraints)
    big = lpmech.solve(scaled(env, c), "revenue", constraints)
    scale = data_scale(env)
    assert big.objective_value / c == pytest.approx(unit.objective_value, abs=1e-6 * scale)
    back = at_unit_values(big.mechanism, env, c)
    assert back.verify(constraints).ok
    oracle.assert_satisfies(env, back, list(constraints))


GRID = np.array([(a, b) for a in (1.0, 2.0, 3.0) for b in (1.0, 2.0, 3.0)])
MULTI_ITEM_CASES = [  # the multi-item paths: utility columns, diagonal seeds, Border by item
    (lpmech.multi_item_auction(GRID, 1, unit_demand=True), DSIC, "generation"),
    (lpmech.multi_item_auction(GRID, 2), DSIC, "symmetric_generation"),
    (lpmech.multi_item_auction(GRID, 2), BIC, "symmetric_generation"),  # over utilities
    (lpmech.multi_item_auction(GRID, 2), BIC, "interim"),  # one shared rule, Border by item
    (
        lpmech.multi_item_auction(GRID, 2, priors=[np.full(9, 1 / 9), np.arange(1.0, 10.0) / 45]),
        BIC,
        "interim",
    ),  # a rule per bidder, Border by item
]


@pytest.mark.parametrize(("unit", "constraints", "formulation"), MULTI_ITEM_CASES)
def test_multi_item_optimum_scales_with_the_values(unit, constraints, formulation):
    """Vector types on a 3 × 3 grid: at c = 1e-9 and 1e9 the optimum is c times the direct
    program's at unit values, and the mechanism divided back by c passes the brute force."""
    target = lpmech.solve(unit, "revenue", constraints, formulation="direct").objective_value
    for c in (SCALES[0], SCALES[-1]):
        solution = lpmech.solve(scaled(unit, c), "revenue", constraints, formulation=formulation)
        assert solution.objective_value / c == pytest.approx(target, rel=1e-6), c
        oracle.assert_satisfies(
            unit, at_unit_values(solution.mechanism, unit, c), list(constraints)
        )
