"""compare(): objectives, rule differences and violations of two mechanisms."""

from __future__ import annotations

import numpy as np
import pytest

import lpmech
from lpmech.analytic import agv, clarke_pivot, myerson, second_price
from lpmech.checks.comparison import compare


def test_lp_optimum_against_myerson_and_second_price():
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
    optimum = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]).mechanism
    against_myerson = compare(optimum, myerson(env))
    assert against_myerson.gap("revenue") == pytest.approx(0.0, abs=1e-7)
    against_vickrey = compare(second_price(env), optimum)
    # E[second highest] = 30/16 for two bidders on {1..4}; the optimum earns 38/16
    assert against_vickrey.objectives["revenue"] == pytest.approx((30 / 16, 38 / 16))
    assert against_vickrey.gap("welfare") < 0  # the optimum keeps the item sometimes
    for name in ("dominant_strategy_ic", "ex_post_ir", "feasibility"):
        assert max(against_vickrey.violations[name]) <= 1e-9
    assert against_vickrey.max_allocation_difference == pytest.approx(1.0)
    assert "revenue" in str(against_vickrey)


def test_violations_show_what_each_benchmark_gives_up():
    env = lpmech.public_good([0, 1, 2], n_agents=3, cost=2.5)
    result = compare(clarke_pivot(env), agv(env))
    pivot_bb, agv_bb = result.violations["ex_post_budget_balance"]
    assert pivot_bb > 0
    assert agv_bb == pytest.approx(0.0, abs=1e-12)
    pivot_ir, agv_ir = result.violations["interim_ir"]
    assert pivot_ir == pytest.approx(0.0, abs=1e-12)
    assert agv_ir > 0
    assert result.max_allocation_difference == 0.0  # both efficient
    assert result.max_interim_payment_difference > 0


def test_families_that_do_not_apply_are_skipped_unless_asked_for():
    grid = np.array([[1.0, 2.0], [2.0, 1.0]])
    env = lpmech.multi_item_auction(grid, n_bidders=1)
    mechanism = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]).mechanism
    assert "ex_post_monotonicity" not in compare(mechanism, mechanism).violations
    with pytest.raises(lpmech.InvalidEnvironmentError):
        compare(mechanism, mechanism, constraints=["ex_post_monotonicity"])


def test_mechanisms_for_different_problems_are_refused():
    first = myerson(lpmech.single_item_auction([1, 2], n_bidders=2))
    second = myerson(lpmech.single_item_auction([1, 2, 3], n_bidders=2))
    with pytest.raises(lpmech.InvalidMechanismError, match="different environments"):
        compare(first, second)


def test_verdicts_take_the_tolerance_of_verification():
    """A violation of 1e-9 is within tolerance; the verdict says so, the number stays."""
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
    exact = second_price(env)
    noise = np.where(env.layout.profile_types[:, :1] == 0, 1e-9, 0.0) * np.ones((1, 2))
    nudged = lpmech.Mechanism(env, exact.flat_allocation, exact.flat_payments + noise)
    result = compare(exact, nudged, ["dsic", "ex_post_ir"])
    assert 0 < result.violations["dominant_strategy_ic"][1] < 1e-8
    assert result.satisfied["dominant_strategy_ic"] == (True, True)
    strict = compare(exact, nudged, ["dsic"], tol=1e-12)
    assert strict.satisfied["dominant_strategy_ic"] == (True, False)
    assert "VIOLATED" in str(strict)


def test_compare_shows_only_families_either_mechanism_satisfies_and_tabulates_them():
    from lpmech.analytic import first_price, second_price

    env = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
    result = lpmech.compare(first_price(env), second_price(env))
    # no auction balances a budget: neither family is about these two mechanisms
    assert "ex_post_budget_balance" not in result.violations
    assert "ex_ante_budget_balance" not in result.violations
    assert result.satisfied["dominant_strategy_ic"] == (False, True)
    for name, pair in result.satisfied.items():
        assert any(pair), name
        brute = [m.verify([name]).ok for m in (first_price(env), second_price(env))]
        assert list(pair) == brute, name
    # asked for by name, a family is shown even when both violate it
    asked = lpmech.compare(first_price(env), second_price(env), ["ex_post_budget_balance"])
    assert asked.satisfied == {"ex_post_budget_balance": (False, False)}
    frame = result.to_frame()
    second = result.names[1]
    assert frame.loc["revenue", "gap"] == pytest.approx(result.gap("revenue"))
    assert frame.loc["dominant_strategy_ic", f"ok: {second}"]
    assert set(frame["kind"]) == {"objective", "family"}
    assert len(frame) == len(result.objectives) + len(result.violations)
