"""The verification rule: violations judged against the problem's own value scale.

A money violation fails beyond tol·s, s = max(|V_i|, |o_i|, |v_0|); an allocation
violation beyond tol; feasibility is always checked; tol is validated.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import lpmech
from lpmech.analytic import myerson_revenue
from lpmech.analytic.benchmark import Benchmark
from lpmech.checks.verification import verify
from lpmech.errors import InvalidToleranceError
from lpmech.problem.scales import data_scale


@pytest.mark.parametrize("c", [1e-7, 1.0, 1e7])
def test_pay_your_bid_fails_dsic_at_any_scale(c):
    """One buyer winning always and paying its report: type 3c gains 2c by reporting c."""
    env = lpmech.single_item_auction([c, 2 * c, 3 * c], n_bidders=1)
    pay_your_bid = lpmech.Mechanism(env, [[1], [1], [1]], [[c], [2 * c], [3 * c]])
    report = pay_your_bid.verify(["dsic"])
    assert not report.ok
    assert report["dominant_strategy_ic"].max_violation == pytest.approx(2 * c)
    assert report["dominant_strategy_ic"].tolerance == pytest.approx(1e-6 * 3 * c)


@pytest.mark.parametrize("c", [1e-7, 1.0, 1e7])
def test_a_violation_just_inside_tolerance_passes_at_any_scale(c):
    """Charging type k a little above its value: 0.5·tol·s passes, 2·tol·s fails."""
    env = lpmech.single_item_auction([c, 2 * c, 3 * c], n_bidders=1)
    s = data_scale(env)
    assert s == pytest.approx(3 * c)
    for excess, ok in ((0.5e-6 * s, True), (2e-6 * s, False)):
        posted = lpmech.Mechanism(env, [[0], [0], [1]], [[0], [0], [3 * c + excess]])
        assert posted.verify(["ex_post_ir"]).ok is ok


def test_five_units_of_one_item_fail_without_naming_feasibility():
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
    allocation = np.zeros((env.n_profiles, 2))
    allocation[:, 0] = 5.0
    payments = np.zeros((env.n_profiles, 2))
    report = lpmech.Mechanism(env, allocation, payments).verify(["dsic", "ex_post_ir"])
    assert not report.ok
    assert report.families[0] == "feasibility"
    assert report["feasibility"].max_violation >= 4.0


def test_allocation_families_are_judged_in_allocation_units():
    """At values of 1e9 a 0.01 excess of probability is still a violation."""
    env = lpmech.single_item_auction([1e9, 2e9], n_bidders=1)
    mechanism = lpmech.Mechanism(env, [[0.0], [1.01]], [[0.0], [0.0]])
    check = mechanism.verify([])["feasibility"]
    assert not check.ok
    assert check.tolerance == pytest.approx(1e-6)


@pytest.mark.parametrize("tol", [-1, 0, 1e9, math.nan, math.inf, "small", None])
def test_tol_is_validated(tol):
    env = lpmech.single_item_auction([1, 2], n_bidders=1)
    mechanism = lpmech.Mechanism(env, [[0], [1]], [[0], [2]])
    with pytest.raises(InvalidToleranceError, match="tol must be"):
        verify(mechanism, ["dsic"], tol=tol)
    with pytest.raises(InvalidToleranceError, match="tol must be"):
        lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], tol=tol)


@pytest.mark.parametrize("unit", [1e-9, 1.0, 1e9])
def test_a_benchmark_verdict_is_the_same_in_any_units(unit):
    """Myerson's 2.375 against an optimum 1 % off: disagrees at every scale, no absolute floor."""
    env = lpmech.single_item_auction(np.arange(1, 5) * unit, n_bidders=2)
    benchmark = Benchmark("Myerson", myerson_revenue(env))
    scale = data_scale(env)
    assert benchmark.agrees(benchmark.value * (1 + 1e-9), scale=scale)
    assert not benchmark.agrees(benchmark.value * 1.01, scale=scale)
    assert not Benchmark("lower", benchmark.value, "lower_bound").agrees(
        benchmark.value * 0.99, scale=scale
    )
