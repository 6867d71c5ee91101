"""The LP recovers each analytic benchmark, and each benchmark satisfies what theory says.

Every expected value below is computed by :mod:`lpmech.analytic` from its formula;
the LP is never compared with itself.
"""

from __future__ import annotations

import numpy as np
import oracle
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import probability_vectors, trades, type_values

import lpmech
from lpmech import FixedAllocation
from lpmech.analytic import (
    agv,
    belief_ranks,
    clarke_pivot,
    cremer_mclean,
    efficient_trade_deficit,
    efficient_welfare,
    first_best_gains,
    full_surplus,
    myerson,
    myerson_revenue,
    second_best_gains,
    second_best_trade,
    vcg,
    virtual_values,
)
from lpmech.analytic.bundling import pure_bundling, separate_sales
from lpmech.characterisation import check_monotone
from lpmech.errors import InfeasibleDesignError


@st.composite
def auctions(draw, max_bidders=3, max_types=4):
    """Single-item auctions with asymmetric supports and priors (irregular ones included)."""
    n_bidders = draw(st.integers(1, max_bidders))
    types = [
        draw(type_values(draw(st.integers(1, max_types)), low=1, high=12))
        for _ in range(n_bidders)
    ]
    priors = [draw(probability_vectors(len(t))) for t in types]
    return lpmech.single_item_auction(
        types, priors=priors, seller_value=draw(st.sampled_from([0.0, 2.0]))
    )


# ---------------------------------------------------------------------------- Myerson
@pytest.mark.slow
@given(auctions())
def test_lp_profit_equals_myerson(env):
    """Myerson (1981): the optimal DSIC/BIC profit is E[max(max_i φ̄_i − r, 0)], ironing
    included; the formula mechanism attains it and is DSIC and ex-post IR."""
    expected = myerson_revenue(env)
    dsic = lpmech.solve(env, "profit", ["dsic", "ex_post_ir"])
    bic = lpmech.solve(env, "profit", ["bic", "interim_ir"])
    assert dsic.objective_value == pytest.approx(expected, abs=1e-6)
    assert bic.objective_value == pytest.approx(expected, abs=1e-6)
    mechanism = myerson(env)
    assert mechanism.expected_budget_surplus() == pytest.approx(expected, abs=1e-9)
    oracle.assert_satisfies(env, mechanism, ["dominant_strategy_ic", "ex_post_ir", "feasibility"])


def test_ironing_is_needed_and_the_ironed_rule_matches_the_lp():
    """With φ = (−0.22, −2.5, 3) selling whenever the raw φ is highest and ≥ −0.5 (a rule
    that separates the two lower types by their raw φ) is not monotone, so no payments make
    it IC; the ironed rule is, and its revenue is the LP optimum."""
    values, prior = np.array([1.0, 2.0, 3.0]), np.array([0.45, 0.1, 0.45])
    env = lpmech.single_item_auction(values, 2, priors=prior)
    raw = virtual_values(values, prior)
    assert np.any(np.diff(raw) < 0)
    scores = raw[env.layout.profile_types]  # (P, 2)
    winner = np.argmax(scores, axis=1)
    unironed = np.zeros((env.n_profiles, 2))
    sells = scores[np.arange(env.n_profiles), winner] >= -0.5
    unironed[np.flatnonzero(sells), winner[sells]] = 1.0
    assert not check_monotone(env, unironed).monotone
    with pytest.raises(InfeasibleDesignError):
        lpmech.solve(env, "revenue", ["dsic", FixedAllocation(unironed)])
    ironed = myerson(env)
    assert check_monotone(env, ironed.flat_allocation).monotone
    optimum = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]).objective_value
    assert ironed.expected_revenue() == pytest.approx(optimum, abs=1e-7)
    assert myerson_revenue(env) == pytest.approx(optimum, abs=1e-7)


# --------------------------------------------------------------------- VCG and AGV
@st.composite
def public_goods(draw, min_agents=1):
    n_agents = draw(st.integers(min_agents, 3))
    types = [draw(type_values(draw(st.integers(1, 3)), low=0, high=5)) for _ in range(n_agents)]
    priors = [draw(probability_vectors(len(t))) for t in types]
    return lpmech.public_good(types, priors=priors, cost=draw(st.integers(0, 9)) + 0.5)


@pytest.mark.slow
@given(st.one_of(public_goods(), auctions()))
def test_clarke_pivot_is_dsic_ir_and_attains_the_first_best(env):
    """Seed notes Rem. 2.5 and Def. 2.5: the pivot is DSIC, ex-post IR (values ≥ 0), and
    efficient, so the welfare optimum under DSIC and ex-post IR is E[max welfare]."""
    pivot = clarke_pivot(env)
    oracle.assert_satisfies(env, pivot, ["dominant_strategy_ic", "ex_post_ir"])
    optimum = lpmech.solve(env, "welfare", ["dsic", "ex_post_ir"]).objective_value
    assert optimum == pytest.approx(efficient_welfare(env), abs=1e-6)
    assert pivot.expected_welfare() == pytest.approx(efficient_welfare(env), abs=1e-9)


def test_clarke_pivot_is_not_budget_balanced():
    env = lpmech.public_good([0, 1, 2], n_agents=3, cost=2.5)
    report = clarke_pivot(env).verify(["dsic", "ex_post_ir", "ex_post_no_deficit"])
    assert report["dominant_strategy_ic"].ok
    assert report["ex_post_ir"].ok
    assert not report["ex_post_no_deficit"].ok  # nobody pivotal, the cost goes unpaid


@given(public_goods(), st.data())
def test_any_groves_transfers_are_dsic(env, data):
    """Def. 2.4: τ_i may be any function of the others' types."""
    tau = np.zeros((env.n_profiles, env.n_agents))
    for i in range(env.n_agents):
        others = np.delete(env.layout.profile_types, i, axis=1)
        weights = np.array(
            data.draw(
                st.lists(st.integers(-3, 3), min_size=others.shape[1], max_size=others.shape[1])
            ),
            dtype=float,
        )
        tau[:, i] = others @ weights
    oracle.assert_satisfies(env, vcg(env, tau), ["dominant_strategy_ic"])


def test_groves_transfers_must_ignore_own_type():
    env = lpmech.public_good([0, 1], n_agents=2, cost=1.5)
    own = env.layout.profile_types.astype(float)
    with pytest.raises(lpmech.InvalidMechanismError, match="depends on that agent's own type"):
        vcg(env, own)


@given(st.one_of(public_goods(min_agents=2), auctions().filter(lambda e: e.n_agents > 1)))
def test_agv_is_bic_budget_balanced_and_efficient(env):
    """Seed notes Rem. 2.7–2.8: AGV is BIC and ex-post budget balanced (here with the
    principal's cost shared), so welfare under BIC and ex-post budget balance is the first
    best."""
    mechanism = agv(env)
    oracle.assert_satisfies(env, mechanism, ["bayesian_ic", "ex_post_budget_balance"])
    optimum = lpmech.solve(env, "welfare", ["bic", "ex_post_budget_balance"]).objective_value
    assert optimum == pytest.approx(efficient_welfare(env), abs=1e-6)


def test_agv_is_not_interim_ir():
    env = lpmech.public_good([0, 1, 2], n_agents=3, cost=2.5)
    report = agv(env).verify(["bic", "ex_post_budget_balance", "interim_ir"])
    assert report["bayesian_ic"].ok
    assert report["ex_post_budget_balance"].ok
    assert not report["interim_ir"].ok  # the lowest type expects to pay for others' project


# ------------------------------------------------------------------ bilateral trade
@given(trades())
def test_efficient_trade_needs_exactly_the_formula_subsidy(env):
    """Myerson–Satterthwaite: with trade iff b > s, the least deficit under IC and IR is
    E[(γ(s) − φ(b)) 1{b > s}], for dominant-strategy and Bayesian IC alike."""
    expected = efficient_trade_deficit(env)
    for constraints in (["bic", "interim_ir"], ["dsic", "ex_post_ir"]):
        optimum = lpmech.solve(env, "deficit", [*constraints, "efficient_allocation"])
        assert optimum.objective_value == pytest.approx(expected, abs=1e-6)


@given(trades())
def test_budget_balanced_efficient_trade_is_feasible_exactly_when_no_subsidy_is_needed(env):
    """The impossibility bites exactly where the formula deficit is positive, and then all
    four of Myerson–Satterthwaite's requirements conflict — each one is needed: without IC
    split-the-difference prices work, without IR AGV, without budget balance VCG, without
    efficiency no trade."""
    needs_subsidy = efficient_trade_deficit(env) > 1e-9
    conflicting = None
    try:
        lpmech.solve(
            env,
            "gains_from_trade",
            ["bic", "interim_ir", "ex_post_budget_balance", "efficient_allocation"],
        )
    except InfeasibleDesignError as error:
        conflicting = set(error.conflicting)
    assert (conflicting is not None) == needs_subsidy
    if needs_subsidy:
        assert conflicting == {
            "bayesian_ic",
            "interim_ir",
            "ex_post_budget_balance",
            "efficient_allocation",
        }


@given(trades())
def test_second_best_gains(env):
    """The LP's second best equals the knapsack formula when its rule is monotone, and never
    exceeds the knapsack relaxation; the formula mechanism is BIC, interim IR and budget
    balanced. First best bounds it above."""
    optimum = lpmech.solve(
        env, "gains_from_trade", ["bic", "interim_ir", "ex_post_budget_balance"]
    ).objective_value
    relaxed = second_best_gains(env, require_monotone=False)
    assert optimum <= relaxed + 1e-6
    assert optimum <= first_best_gains(env) + 1e-6
    try:
        expected = second_best_gains(env)
    except lpmech.InvalidEnvironmentError:
        return  # irregular grid: only the bound applies
    assert optimum == pytest.approx(expected, abs=1e-6)
    mechanism = second_best_trade(env)
    oracle.assert_satisfies(
        env, mechanism, ["bayesian_ic", "interim_ir", "ex_post_budget_balance"]
    )
    assert mechanism.expected_welfare() == pytest.approx(expected, abs=1e-9)


# -------------------------------------------------------------------- Crémer–McLean
@st.composite
def correlated_auctions(draw):
    sizes = [draw(st.integers(2, 3)) for _ in range(2)]
    types = [draw(type_values(k, low=1, high=9)) for k in sizes]
    joint = draw(probability_vectors(sizes[0] * sizes[1])).reshape(sizes)
    return lpmech.single_item_auction(types, prior=joint)


@given(correlated_auctions())
def test_full_extraction_when_beliefs_are_independent_vectors(env):
    """Crémer–McLean (1988): with full-rank conditional beliefs the BIC, interim-IR optimum
    is the whole expected surplus, attained by the formula mechanism."""
    surplus = full_surplus(env)
    optimum = lpmech.solve(env, "revenue", ["bic", "interim_ir"]).objective_value
    if all(rank.full for rank in belief_ranks(env)):
        assert optimum == pytest.approx(surplus, abs=1e-6)
        mechanism = cremer_mclean(env)
        oracle.assert_satisfies(env, mechanism, ["bayesian_ic", "interim_ir"], tol=1e-7)
        assert mechanism.expected_revenue() == pytest.approx(surplus, abs=1e-6)
    else:
        assert optimum <= surplus + 1e-6


def test_independent_types_leave_rents():
    env = lpmech.single_item_auction([1, 2, 3], 2)
    assert not any(rank.full for rank in belief_ranks(env))
    optimum = lpmech.solve(env, "revenue", ["bic", "interim_ir"]).objective_value
    assert optimum < full_surplus(env) - 0.1
    with pytest.raises(lpmech.InvalidEnvironmentError, match="Crémer–McLean condition fails"):
        cremer_mclean(env)


# ------------------------------------------------------------------------ bundling
def test_simple_menus_are_feasible_lower_bounds():
    grid = np.array([[x, y] for x in (0.0, 1.0, 2.0) for y in (0.0, 1.0, 2.0)])
    env = lpmech.multi_item_auction(grid, n_bidders=1)
    optimum = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]).objective_value
    for menu in (separate_sales(env), pure_bundling(env)):
        oracle.assert_satisfies(env, menu, ["dominant_strategy_ic", "ex_post_ir"])
        assert optimum >= menu.expected_revenue() - 1e-9
