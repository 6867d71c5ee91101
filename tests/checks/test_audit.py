"""Auditing mechanisms: regret, participation slack and budget surplus."""

from __future__ import annotations

import numpy as np
import oracle
import pytest

import lpmech
from lpmech import Mechanism
from lpmech.checks.auditing import audit


def auction(n_bidders=2):
    return lpmech.single_item_auction([1.0, 2.0, 3.0, 5.0], n_bidders, priors=[0.4, 0.3, 0.2, 0.1])


def first_and_second_price(env):
    """Highest value wins (ties to the lowest index); pay own value, or the second highest."""
    allocation = env.efficient_allocation()
    values = np.stack(
        [env.agents[i].types[env.layout.profile_types[:, i]] for i in range(env.n_agents)], axis=1
    )
    second = np.sort(values, axis=1)[:, -2]
    first = Mechanism(env, allocation, allocation * values, name="first price")
    second_price = Mechanism(env, allocation, allocation * second[:, None], name="second price")
    return first, second_price


def brute_force_regrets(env, mechanism, agent):
    """Per true type: the largest ex-post gain from a lie, and each report's interim gain."""
    ex_post, interim = [], []
    for k in range(env.type_counts[agent]):
        mine = [p for p in oracle.profiles(env) if p[agent] == k]
        weight = sum(oracle.probability(env, p) for p in mine)
        gains = {
            r: [
                oracle.utility(env, mechanism, agent, p, r)
                - oracle.utility(env, mechanism, agent, p, k)
                for p in mine
            ]
            for r in range(env.type_counts[agent])
        }
        ex_post.append(max(max(g) for g in gains.values()))
        interim.append(
            {
                r: sum(oracle.probability(env, p) * g for p, g in zip(mine, gains[r], strict=True))
                / weight
                for r in gains
            }
        )
    return ex_post, interim


@pytest.mark.parametrize("which", ["first price", "second price"])
def test_regret_per_type_matches_brute_force(which):
    env = auction()
    mechanism = dict(
        zip(("first price", "second price"), first_and_second_price(env), strict=True)
    )[which]
    report = audit(mechanism)
    for i, agent in enumerate(report.agents):
        ex_post, interim = brute_force_regrets(env, mechanism, i)
        np.testing.assert_allclose(agent.ex_post_regret, ex_post, atol=1e-12)
        np.testing.assert_allclose(
            agent.interim_regret, [max(g.values()) for g in interim], atol=1e-12
        )
        for k, gains in enumerate(interim):  # the named report achieves the interim regret
            named = agent.labels.index(agent.interim_worst_report[k])
            assert gains[named] == pytest.approx(agent.interim_regret[k], abs=1e-12)
            if agent.interim_regret[k] <= 1e-12:
                assert named == k  # nothing to gain: the truth is named


def test_first_price_has_positive_regret_and_second_price_none():
    env = auction()
    first, second = first_and_second_price(env)
    first_audit, second_audit = audit(first), audit(second)
    assert first_audit.max_ex_post_regret == pytest.approx(oracle.dsic_violation(env, first))
    assert first_audit.max_ex_post_regret > 0.5
    assert first_audit.max_interim_regret == pytest.approx(oracle.bic_violation(env, first))
    assert first_audit.max_interim_regret > 0
    assert second_audit.max_ex_post_regret == pytest.approx(0.0, abs=1e-12)
    assert second_audit.max_interim_regret == pytest.approx(0.0, abs=1e-12)
    assert first_audit.min_participation_slack == pytest.approx(0.0, abs=1e-12)
    # paying your value: the top type's best lie is to shade, and the lie named gains
    # the regret at the others' types named (bidder 1 of type 5 bids the others' value)
    top = first_audit.agents[0]
    assert top.interim_worst_report[-1] != top.labels[-1]
    worst = top.ex_post_worst[-1]
    report_label, others = worst.removeprefix("report ").split(" when the others are ")
    other_type = env.agents[1].labels.index(others.split("=")[1].rstrip(")"))
    lie = oracle.utility(env, first, 0, (3, other_type), env.agents[0].labels.index(report_label))
    assert lie - oracle.utility(env, first, 0, (3, other_type), 3) == pytest.approx(
        top.ex_post_regret[-1]
    )


@pytest.mark.parametrize(
    ("constraints", "regret"),
    [
        (["dsic", "ex_post_ir"], "max_ex_post_regret"),
        (["bic", "interim_ir"], "max_interim_regret"),
        (["dsic", "ex_post_ir", "ex_post_budget_balance"], "max_ex_post_regret"),
    ],
)
def test_lp_optima_have_no_regret(constraints, regret):
    env = (
        lpmech.public_good([0.0, 1.0, 2.0], n_agents=3, cost=2.5)
        if "ex_post_budget_balance" in constraints
        else auction(3)
    )
    solution = lpmech.solve(
        env, "welfare" if "ex_post_budget_balance" in constraints else "revenue", constraints
    )
    report = audit(solution.mechanism)
    assert getattr(report, regret) == pytest.approx(0.0, abs=1e-7)
    if "ex_post_budget_balance" in constraints:
        assert report.budget_imbalance == pytest.approx(0.0, abs=1e-7)


def test_participation_slack_per_type_matches_brute_force():
    env = auction()
    _, second = first_and_second_price(env)
    agent = audit(second).agents[1]
    for k in range(4):
        expected = oracle.interim_utility(env, second, 1, k) - env.outside_options[1][k]
        assert agent.interim_participation_slack[k] == pytest.approx(expected)
