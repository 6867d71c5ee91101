"""Adjacent-type IC plus monotonicity stands in for full IC exactly when it is equivalent."""

from __future__ import annotations

import numpy as np
import oracle
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import probability_vectors, type_values

import lpmech
from lpmech import BayesianIC, DominantStrategyIC
from lpmech.constraints.incentive import LocalIncentiveCompatibility
from lpmech.errors import InvalidEnvironmentError
from lpmech.testing import check_family


@st.composite
def single_parameter_problems(draw):
    """Independent single-item auctions or public goods with random types and priors."""
    n_agents = draw(st.integers(1, 3))
    types = [draw(type_values(draw(st.integers(1, 4)), low=0, high=9)) for _ in range(n_agents)]
    priors = [draw(probability_vectors(len(t))) for t in types]
    if draw(st.booleans()):
        return lpmech.single_item_auction(
            types, priors=priors, seller_value=draw(st.integers(0, 3))
        )
    return lpmech.public_good(types, priors=priors, cost=draw(st.integers(0, 12)))


@pytest.mark.parametrize(
    ("incentive", "participation", "objective"),
    [
        (DominantStrategyIC, "ex_post_ir", "revenue"),
        (BayesianIC, "interim_ir", "revenue"),
        (DominantStrategyIC, "ex_post_ir", "welfare"),
    ],
)
@given(env=single_parameter_problems())
def test_local_and_full_ic_have_the_same_optimum(incentive, participation, objective, env):
    """Seed notes Thm. 1.4: with SID, local IC + monotonicity ⟺ IC, so the optima coincide;
    the local optimum also passes the brute-force full-IC check."""
    full = lpmech.solve(env, objective, [incentive("full"), participation])
    local = lpmech.solve(env, objective, [incentive("local"), participation])
    assert local.objective_value == pytest.approx(full.objective_value, abs=1e-6)
    assert local.report.reduced == (incentive().name,)
    assert (
        local.report.rows_by_family[incentive().name]
        <= full.report.rows_by_family[incentive().name]
    )
    assert (
        local.verification[incentive().name].n_entries
        == full.verification[incentive().name].n_entries
    )
    names = [incentive().name, participation]
    oracle.assert_satisfies(env, local.mechanism, names)


@pytest.mark.slow
def test_local_form_is_far_smaller_and_reported():
    env = lpmech.single_item_auction(np.arange(1.0, 21.0), n_bidders=2)
    full = lpmech.solve(
        env, "revenue", [DominantStrategyIC("full"), "ex_post_ir"], formulation="direct"
    )
    local = lpmech.solve(
        env,
        "revenue",
        ["dsic", "ex_post_ir"],  # "auto" picks local
        formulation="direct",
    )
    assert local.objective_value == pytest.approx(full.objective_value, abs=1e-6)
    # full: N·P·(K−1) rows; local: N·(P/K)·2(K−1) adjacent rows
    n_profiles, k = 400, 20
    assert full.report.rows_by_family["dominant_strategy_ic"] == 2 * n_profiles * (k - 1)
    assert local.report.rows_by_family["dominant_strategy_ic"] == 2 * (n_profiles // k) * 2 * (
        k - 1
    )
    assert "dominant_strategy_ic (local)" in str(local.report)
    assert local.verification["dominant_strategy_ic"].n_entries == 2 * n_profiles * (k - 1)


@given(env=single_parameter_problems())
def test_local_family_rows_agree_with_its_violation(env):
    for incentive in (DominantStrategyIC("local"), BayesianIC("local")):
        local = incentive.compiled_form(env)
        assert isinstance(local, LocalIncentiveCompatibility)
        check_family(local, env, count=3)


def test_auto_keeps_full_ic_when_local_is_no_smaller():
    """With two types per agent, 2(K−1) = K(K−1): nothing to gain."""
    env = lpmech.single_item_auction([1, 2], n_bidders=3)
    assert lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]).report.reduced == ()
    forced = lpmech.solve(env, "revenue", [DominantStrategyIC("local"), "ex_post_ir"])
    assert forced.report.reduced == ("dominant_strategy_ic",)


def test_auto_falls_back_and_local_refuses_when_the_reduction_is_invalid():
    grid = lpmech.multi_item_auction([[1, 2], [2, 1], [2, 2]], n_bidders=1)
    assert DominantStrategyIC().compiled_form(grid).__class__ is DominantStrategyIC
    solution = lpmech.solve(grid, "revenue", ["dsic", "ex_post_ir"])
    assert solution.report.reduced == ()
    with pytest.raises(InvalidEnvironmentError, match="not single-parameter"):
        lpmech.solve(grid, "revenue", [DominantStrategyIC("local"), "ex_post_ir"])

    correlated = lpmech.single_item_auction(
        [1, 2, 3], 2, prior=[[0.2, 0.1, 0.0], [0.1, 0.2, 0.1], [0.0, 0.1, 0.2]]
    )
    assert lpmech.solve(correlated, "revenue", ["bic", "interim_ir"]).report.reduced == ()
    with pytest.raises(InvalidEnvironmentError, match="types are correlated"):
        lpmech.solve(correlated, "revenue", [BayesianIC("local"), "interim_ir"])
    # dominant-strategy IC does not use beliefs, so the reduction stays valid
    assert lpmech.solve(correlated, "revenue", ["dsic", "ex_post_ir"]).report.reduced == (
        "dominant_strategy_ic",
    )
    with pytest.raises(ValueError, match="reduction must be one of"):
        DominantStrategyIC("sometimes")
