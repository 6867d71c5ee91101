"""Generation converges in a few rounds on any support: axis seeds in grid steps, many
lies per type per round (issue 12)."""

from __future__ import annotations

import highspy
import numpy as np
import pytest
from test_row_generation import problem_of, rounds

import lpmech
from lpmech import DominantStrategyIC
from lpmech.analytic.published import SETTINGS
from lpmech.backends.engines import HighspyBackend
from lpmech.backends.status import Status
from lpmech.errors import InvalidArgumentError
from lpmech.formulations.generation import Generation, nearest_reports
from lpmech.formulations.row_generation import CHOOSE, DEVEX, RowPolicy
from lpmech.results.mechanism import Mechanism

ELONGATED = "additive U[4,16]xU[4,7]"


@pytest.mark.parametrize("scale", [1e-9, 1.0, 1e9])
def test_seeds_are_the_axis_neighbours_however_stretched_the_grid(scale):
    """On a 3 × 3 grid 12 wide and 3 tall, the centre starts against its four axis
    neighbours (Euclidean nearest would take the two vertical ones and two diagonals)."""
    types = scale * np.array([[x, y] for x in (4.0, 10.0, 16.0) for y in (4.0, 5.5, 7.0)])
    env = lpmech.multi_item_auction(types, 1)
    true_types, reports = nearest_reports(env, 0)
    assert sorted(reports[true_types == 4].tolist()) == [1, 3, 5, 7]
    assert {1, 3} <= set(reports[true_types == 0].tolist())  # a corner: both axes


def test_many_lies_per_type_include_the_most_profitable_one():
    env = SETTINGS[ELONGATED].build(4)
    rng = np.random.default_rng(0)
    mechanism = Mechanism(env, rng.uniform(size=(16, 2)), rng.uniform(0, 10, size=(16, 1)))
    family = DominantStrategyIC("full")
    violation = family.violation(mechanism)
    one = family.most_violated_rows(env, violation, 1e-9, lies=1)
    many = family.most_violated_rows(env, violation, 1e-9, lies=5)
    assert set(one) < set(many)
    assert np.all(violation[many] > 1e-9)
    gains = violation.reshape(16, 15)  # one bidder: a row per (true type, lie)
    assert len(many) == sum(min(5, int((row > 1e-9).sum())) for row in gains)


@pytest.mark.slow
def test_an_elongated_support_converges_in_a_few_rounds_at_the_direct_optimum():
    """U[4,16]×U[4,7] on 12 × 12 took 81 solves with Euclidean seeds and one lie per round."""
    env = SETTINGS[ELONGATED].build(12)
    constraints = ["dsic", "ex_post_ir"]
    direct = lpmech.solve(env, "revenue", constraints, formulation="direct")
    problem = problem_of(env, constraints)
    default = Generation().run(problem, HighspyBackend(), {})  # with the row pool
    one_lie = Generation(policy=RowPolicy(lies_per_type=1)).run(problem, HighspyBackend(), {})
    for outcome in (default, one_lie):
        assert outcome.status is Status.OPTIMAL
        assert outcome.objective == pytest.approx(direct.objective_value, rel=1e-8)
    assert rounds(default) <= 5  # 4 over payments, 5 over utility columns
    assert rounds(one_lie) > rounds(default)


@pytest.mark.slow
@pytest.mark.parametrize("after", [1, 2])
def test_a_row_pool_drops_slack_rows_and_keeps_the_optimum_and_its_duals(after):
    env = SETTINGS[ELONGATED].build(12)
    constraints = ["dsic", "ex_post_ir"]
    direct = lpmech.solve(env, "revenue", constraints, formulation="direct")
    problem = problem_of(env, constraints)
    kept = Generation(policy=RowPolicy(drop_slack_after=None)).run(problem, HighspyBackend(), {})
    pooled = Generation(policy=RowPolicy(drop_slack_after=after)).run(
        problem, HighspyBackend(), {}
    )
    assert pooled.status is Status.OPTIMAL
    assert pooled.objective == pytest.approx(direct.objective_value, rel=1e-8)
    assert pooled.sizes.n_rows < kept.sizes.n_rows
    # duals land on the full rows: the IR duals of a revenue optimum sum to one (one bidder)
    assert pooled.duals["ex_post_ir"].sum() == pytest.approx(1.0, rel=1e-7)
    incentive = pooled.duals["dominant_strategy_ic"]
    assert incentive.shape == (DominantStrategyIC("full").row_count(env),)
    assert np.count_nonzero(incentive) <= pooled.sizes.rows_by_family["dominant_strategy_ic"]


def test_re_solves_after_small_rounds_on_large_programs_price_with_devex():
    policy = RowPolicy()
    strategy = "simplex_dual_edge_weight_strategy"
    assert policy.resolve_options(74_692, 43)[strategy] == DEVEX
    assert policy.resolve_options(74_692, 10_281)[strategy] == CHOOSE  # a large round
    assert policy.resolve_options(2_937, 12)[strategy] == CHOOSE  # a small program


@pytest.mark.parametrize("user_strategy", [None, 0])
def test_pricing_on_re_solves_keeps_the_optimum_and_a_strategy_the_user_names(
    user_strategy, monkeypatch
):
    """Devex on every re-solve (a policy that always asks for it) ends at the optimum of
    steepest edge throughout; a strategy in the options is never overridden."""
    env = SETTINGS[ELONGATED].build(12)
    constraints = ["dsic", "ex_post_ir"]
    problem = problem_of(env, constraints)
    chosen = []
    set_option = highspy.Highs.setOptionValue

    def recording(self, name, value):
        if name == "simplex_dual_edge_weight_strategy":
            chosen.append(value)
        return set_option(self, name, value)

    monkeypatch.setattr(highspy.Highs, "setOptionValue", recording)
    options = {} if user_strategy is None else {"simplex_dual_edge_weight_strategy": user_strategy}
    always = RowPolicy(devex_min_rows=0, devex_added_fraction=np.inf)
    never = RowPolicy(devex_min_rows=np.iinfo(np.int64).max)
    devex = Generation(policy=always).run(problem, HighspyBackend(), options)
    steepest = Generation(policy=never).run(problem, HighspyBackend(), options)
    assert devex.status is steepest.status is Status.OPTIMAL
    assert devex.objective == pytest.approx(steepest.objective, rel=1e-9)
    assert rounds(devex) > 1
    if user_strategy is None:
        assert DEVEX in chosen
        assert CHOOSE in chosen
    else:
        assert set(chosen) == {user_strategy}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("max_rounds", 0),
        ("lies_per_type", 0),
        ("lies_per_type", 2.5),
        ("drop_slack_after", 0),
        ("devex_min_rows", -1),
        ("devex_min_rows", True),
        ("devex_added_fraction", -0.1),
        ("devex_added_fraction", float("nan")),
        ("devex_added_fraction", "5%"),
    ],
)
def test_a_policy_with_a_bad_value_names_the_field(field, value):
    with pytest.raises(InvalidArgumentError, match=f"RowPolicy {field} must be"):
        RowPolicy(**{field: value})
