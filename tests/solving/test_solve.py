"""solve(): statuses and errors, duals, sizes, backends, deterministic and custom parts."""

from __future__ import annotations

import numpy as np
import oracle
import pytest

import lpmech
from lpmech import (
    BayesianIC,
    ConstraintFamily,
    CustomObjective,
    CvxpyConstraint,
    DominantStrategyIC,
    FixedAllocation,
    Revenue,
    RowBlock,
    Welfare,
)
from lpmech.errors import InfeasibleDesignError, UnboundedDesignError
from lpmech.testing import check_family

BACKENDS = ["cvxpy", "highspy"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_infeasible_problem_names_a_minimal_conflicting_set(backend):
    """Always building a project that costs more than some profiles' values, with ex-post IR
    and budget balance: the three families conflict; the incentive family is innocent."""
    env = lpmech.public_good([0, 1], n_agents=2, cost=1.5)
    always_build = FixedAllocation(np.ones((env.n_profiles, 1)), name="always_build")
    with pytest.raises(InfeasibleDesignError) as caught:
        lpmech.solve(
            env,
            "welfare",
            ["dsic", "ex_post_ir", "ex_post_budget_balance", always_build],
            backend=backend,
        )
    error = caught.value
    assert set(error.conflicting) == {"always_build", "ex_post_ir", "ex_post_budget_balance"}
    assert "dominant_strategy_ic" in error.families
    assert "infeasible" in str(error)
    assert "always_build" in str(error)


def test_conflicting_column_bounds_are_infeasible_without_a_solve():
    env = lpmech.single_item_auction([1, 2], n_bidders=1)
    with pytest.raises(InfeasibleDesignError) as caught:
        lpmech.solve(env, "revenue", ["ex_post_ir", FixedAllocation(np.full((2, 1), 2.0))])
    assert set(caught.value.conflicting) == {"feasibility", "fixed_allocation"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_unbounded_revenue_without_participation_says_so(backend):
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
    with pytest.raises(UnboundedDesignError, match="No participation family is imposed"):
        lpmech.solve(env, "revenue", ["dsic"], backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("incentive", "participation"),
    [
        ("dominant_strategy_ic", "ex_post_ir"),
        ("bayesian_ic", "interim_ir"),
        ("bayesian_ic", "ex_ante_ir"),
    ],
)
def test_participation_duals_price_a_lump_sum_fee(backend, incentive, participation):
    """Charging every agent a fee δ at every profile leaves IC untouched and shifts each IR
    row by δ, so the optimum rises by exactly N·δ in either direction. Every optimal dual
    vector therefore sums to N over the IR rows (duals are ∂optimum/∂row bound)."""
    env = lpmech.single_item_auction([1.0, 2.0, 4.0], 2, priors=[0.5, 0.3, 0.2])
    solution = lpmech.solve(env, "revenue", [incentive, participation], backend=backend)
    assert solution.duals[participation].sum() == pytest.approx(env.n_agents, abs=1e-7)
    assert np.all(solution.duals[participation] >= -1e-9)  # A z ≤ u rows of a maximisation
    assert np.all(solution.duals[incentive] >= -1e-9)
    fee = 0.25
    shifted = lpmech.Environment(
        env.agents, env.allocation, env.valuations, outside_options=[-fee] * env.n_agents
    )
    gain = (
        lpmech.solve(
            shifted, "revenue", [incentive, participation], backend=backend
        ).objective_value
        - solution.objective_value
    )
    assert gain == pytest.approx(env.n_agents * fee, abs=1e-7)
    assert solution.binding(participation)


@pytest.mark.parametrize("backend", BACKENDS)
def test_equality_dual_is_the_rate_of_the_required_amount(backend):
    """Ex-ante budget balance E[Σ_i t_i] = R pins revenue to R (v_0 = 0), so the optimum is R
    for every R and the equality row's dual is exactly +1."""
    env = lpmech.single_item_auction([1.0, 2.0, 4.0], 2, priors=[0.5, 0.3, 0.2])
    balance = lpmech.ExAnteBudgetBalance(strict=True, required=0.75)
    solution = lpmech.solve(env, "revenue", ["dsic", balance], backend=backend)
    assert solution.objective_value == pytest.approx(0.75)
    assert solution.duals["ex_ante_budget_balance"] == pytest.approx([1.0], abs=1e-9)


def test_size_report_counts_rows_by_formula():
    counts = (3, 4)
    env = lpmech.single_item_auction([[1, 2, 3], [1, 2, 3, 4]])
    n_profiles = int(np.prod(counts))
    full_dsic, full_bic = DominantStrategyIC("full"), BayesianIC("full")
    dsic = lpmech.solve(env, "revenue", [full_dsic, "ex_post_ir"]).report
    assert dsic.rows_by_family["dominant_strategy_ic"] == sum(n_profiles * (k - 1) for k in counts)
    assert dsic.rows_by_family["ex_post_ir"] == len(counts) * n_profiles
    assert dsic.rows_by_family["feasibility"] == n_profiles  # one item: Σ_i a_i ≤ 1
    assert dsic.n_variables == n_profiles * 2 * len(counts)
    # each ex-post IC row touches a_i and t_i at two profiles: 4 non-zeros
    assert dsic.nonzeros_by_family["dominant_strategy_ic"] == 4 * sum(
        n_profiles * (k - 1) for k in counts
    )
    bic = lpmech.solve(env, "revenue", [full_bic, "interim_ir"]).report
    assert bic.rows_by_family["bayesian_ic"] == sum(k * (k - 1) for k in counts)
    assert bic.rows_by_family["interim_ir"] == sum(counts)
    for seconds in (bic.build_seconds, bic.compile_seconds, bic.solve_seconds):
        assert 0.0 <= seconds <= bic.total_seconds
    assert "bayesian_ic" in str(bic)


@pytest.mark.parametrize(
    ("env", "objective", "constraints"),
    [
        (
            lpmech.single_item_auction([1, 2, 5], 3, priors=[0.5, 0.3, 0.2]),
            "revenue",
            ["bic", "interim_ir"],
        ),
        (
            lpmech.bilateral_trade([0, 1, 2, 3], [0, 1, 2, 3]),
            "gains_from_trade",
            ["bic", "interim_ir", "ex_post_budget_balance"],
        ),
        (
            lpmech.public_good([0, 1, 2], 3, cost=2.5),
            "welfare",
            ["dsic", "ex_post_ir", "ex_post_no_deficit"],
        ),
        (
            lpmech.multi_item_auction([[1, 2], [2, 1], [2, 2]], n_bidders=2, unit_demand=True),
            "revenue",
            ["dsic", "ex_post_ir"],
        ),
    ],
    ids=["auction", "bilateral trade", "public good", "unit demand"],
)
def test_backends_and_algorithms_agree(env, objective, constraints):
    values = [
        lpmech.solve(
            env, objective, constraints, backend=backend, solver_options=options
        ).objective_value
        for backend in BACKENDS
        for options in ({}, {"solver": "ipm"}, {"solver": "simplex"})
    ]
    assert np.allclose(values, values[0], atol=1e-7)


def test_bad_backend_and_option_are_named():
    env = lpmech.single_item_auction([1, 2], n_bidders=1)
    with pytest.raises(ValueError, match="backend: unknown 'gurobi'"):
        lpmech.solve(env, backend="gurobi")
    with pytest.raises(ValueError, match="not_an_option"):
        lpmech.solve(env, backend="highspy", solver_options={"not_an_option": 1})


@pytest.mark.parametrize("backend", BACKENDS)
def test_deterministic_mechanism_is_integral(backend):
    """One bidder: the best deterministic mechanism is the best posted price, which is
    also the randomised optimum."""
    env = lpmech.single_item_auction([1, 2, 4, 5], 1, priors=[0.3, 0.3, 0.2, 0.2])
    deterministic = lpmech.solve(
        env, "revenue", ["dsic", "ex_post_ir"], deterministic=True, backend=backend
    )
    randomised = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    assert deterministic.mechanism.is_deterministic()
    assert deterministic.objective_value == pytest.approx(randomised.objective_value, abs=1e-6)
    assert deterministic.duals == {}


def test_deterministic_optimum_can_lose_to_a_lottery():
    """Two additive items, one bidder: randomisation can strictly help (Thanassoulis 2004);
    the deterministic optimum is never better."""
    grid = np.array([[x, y] for x in (1.0, 2.0, 3.0) for y in (1.0, 2.0, 3.0)])
    env = lpmech.multi_item_auction(
        grid, n_bidders=1, priors=[0.2, 0.05, 0.05, 0.05, 0.05, 0.2, 0.05, 0.15, 0.2]
    )
    lottery = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    pure = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], deterministic=True)
    assert pure.objective_value <= lottery.objective_value + 1e-7
    assert pure.mechanism.is_deterministic()


class NoSubsidies(ConstraintFamily):
    """A user family written as a sparse block: t_i(θ) ≥ 0 for every agent and profile."""

    name = "no_subsidies"

    def rows(self, env):
        layout = env.layout
        count = layout.n_payment_columns
        return RowBlock.from_entries(
            np.arange(count),
            layout.n_allocation_columns + np.arange(count),
            np.ones(count),
            shape=(count, layout.n_columns),
            lower=0.0,
        )

    def violation(self, mechanism):
        return np.maximum(-mechanism.flat_payments, 0.0).ravel()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_user_row_family_is_imposed_and_verified(backend):
    env = lpmech.bilateral_trade([0, 1, 2], [0, 1, 2])
    check_family(NoSubsidies(), env)
    solution = lpmech.solve(
        env, "gains_from_trade", ["dsic", "ex_post_ir", NoSubsidies()], backend=backend
    )
    assert np.all(solution.mechanism.flat_payments >= -1e-9)
    assert "no_subsidies" in solution.verification.families
    # an unpaid seller trades only at cost 0: gains are P(cost 0)·E[buyer value] = 1/3·1
    assert solution.objective_value == pytest.approx(1 / 3, abs=1e-9)


def test_a_cvxpy_constraint_and_objective_are_taken_by_the_cvxpy_backend():
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
    cap = CvxpyConstraint(lambda v: [v.payments <= 2.5], name="payment_cap")
    first_bidder = CustomObjective(
        lambda v: v.env.prior.joint @ v.payments[:, 0], name="bidder 1 revenue"
    )
    solution = lpmech.solve(env, first_bidder, ["dsic", "ex_post_ir", cap])
    assert solution.mechanism.flat_payments.max() <= 2.5 + 1e-7
    assert solution.verification["payment_cap"].ok
    assert solution.objective_value == pytest.approx(
        float(env.prior.joint @ solution.mechanism.flat_payments[:, 0])
    )
    assert solution.duals["payment_cap"].shape == (env.n_profiles * env.n_agents,)
    with pytest.raises(ValueError, match="use backend='cvxpy'"):
        lpmech.solve(env, first_bidder, ["dsic", "ex_post_ir"], backend="highspy")
    with pytest.raises(TypeError, match="build must return cvxpy constraints"):
        CvxpyConstraint(lambda v: [True], name="bad").violation(solution.mechanism)


def test_weighted_objectives_combine():
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
    mix = 0.5 * Revenue() + 0.5 * Welfare()
    solution = lpmech.solve(env, mix, ["dsic", "ex_post_ir"])
    mechanism = solution.mechanism
    assert solution.objective_value == pytest.approx(
        0.5 * mechanism.expected_revenue() + 0.5 * mechanism.expected_welfare()
    )
    revenue = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]).objective_value
    welfare = lpmech.solve(env, "welfare", ["dsic", "ex_post_ir"]).objective_value
    assert solution.objective_value <= 0.5 * revenue + 0.5 * welfare + 1e-7
    deficit = lpmech.solve(env, "deficit", ["dsic", "ex_post_ir"])
    assert deficit.objective_value == pytest.approx(-revenue, abs=1e-7)


def test_correlated_prior_allows_full_surplus_extraction():
    """Crémer–McLean: with linearly independent conditional beliefs, BIC + interim IR revenue
    equals the expected highest value (the whole surplus)."""
    values = np.array([1.0, 2.0, 3.0])
    joint = 0.5 * np.full((3, 3), 1 / 9) + 0.5 * np.eye(3) / 3
    env = lpmech.single_item_auction(values, 2, prior=joint)
    surplus = sum(joint[a, b] * max(values[a], values[b]) for a in range(3) for b in range(3))
    solution = lpmech.solve(env, "revenue", ["bic", "interim_ir"])
    assert solution.objective_value == pytest.approx(surplus, abs=1e-6)
    oracle.assert_satisfies(env, solution.mechanism, ["bayesian_ic", "interim_ir"])


def test_interdependent_values_use_ex_post_ic():
    """v_i = θ_i + θ_j / 2: a welfare optimum under ex-post IC is checked by brute force."""
    types = np.array([0.0, 1.0, 2.0])
    grid_a, grid_b = np.meshgrid(types, types, indexing="ij")
    values = [
        np.stack([grid_a + grid_b / 2, np.zeros_like(grid_a)], axis=-1),
        np.stack([np.zeros_like(grid_a), grid_b + grid_a / 2], axis=-1),
    ]
    agents = [lpmech.Agent("a", types, [1 / 3] * 3), lpmech.Agent("b", types, [1 / 3] * 3)]
    env = lpmech.Environment(agents, lpmech.Items(["a", "b"]), values)
    assert env.interdependent == (True, True)
    solution = lpmech.solve(env, "revenue", ["ex_post_ic", "ex_post_ir"])
    oracle.assert_satisfies(env, solution.mechanism, ["dominant_strategy_ic", "ex_post_ir"])


def test_solution_reads_and_reverifies():
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
    solution = lpmech.solve(env, "revenue", ["bic", "interim_ir"])
    report = solution.verify(also=["dsic", "ex_post_ir"])
    assert {"bayesian_ic", "interim_ir", "dominant_strategy_ic"} <= set(report.families)
    text = str(solution)
    for part in ("Optimal revenue", "Verification", "build"):
        assert part in text
    assert solution.verification.ok  # a Solution exists only for a verified optimum
