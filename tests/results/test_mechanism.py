"""Mechanisms: shapes, look-up by label, interim and expected quantities, verification."""

from __future__ import annotations

import numpy as np
import oracle
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import environments, mechanisms

import lpmech
from lpmech import Mechanism
from lpmech.errors import InvalidMechanismError


@given(data=st.data())
def test_interim_quantities_match_brute_force(data):
    env = data.draw(environments())
    mechanism = data.draw(mechanisms(env))
    for i in range(env.n_agents):
        for k in range(env.type_counts[i]):
            assert np.isclose(
                mechanism.interim_utility(i)[k], oracle.interim_utility(env, mechanism, i, k)
            )
            profiles = [p for p in oracle.profiles(env) if p[i] == k]
            weight = oracle.marginal(env, i, k)
            payment = (
                sum(oracle.probability(env, p) * mechanism.payments[p][i] for p in profiles)
                / weight
            )
            assert np.isclose(mechanism.interim_payment(i)[k], payment)
            allocation = (
                sum(oracle.probability(env, p) * mechanism.allocation[p] for p in profiles)
                / weight
            )
            np.testing.assert_allclose(mechanism.interim_allocation(i)[k], allocation)
    assert np.isclose(mechanism.expected_revenue(), oracle.expected_revenue(env, mechanism))


@given(data=st.data())
def test_deviation_utilities_match_brute_force(data):
    env = data.draw(environments(max_agents=2))
    mechanism = data.draw(mechanisms(env))
    for i in range(env.n_agents):
        by_agent = env.layout.by_agent(i)
        for k in range(env.type_counts[i]):
            table = mechanism.deviation_utilities(i, k)
            for column in range(by_agent.shape[1]):
                profile = tuple(env.layout.profile_types[by_agent[k, column]])
                for report in range(env.type_counts[i]):
                    assert np.isclose(
                        table[report, column], oracle.utility(env, mechanism, i, profile, report)
                    )


def second_price(env):
    """Second-price auction (ties to the lowest index), from its formula."""
    values = np.stack(np.meshgrid(*[a.types for a in env.agents], indexing="ij"), axis=-1)
    flat = values.reshape(env.n_profiles, env.n_agents)
    winner = np.argmax(flat, axis=1)
    allocation = np.eye(env.n_agents)[winner]
    second = np.sort(flat, axis=1)[:, -2] if env.n_agents > 1 else np.zeros(env.n_profiles)
    return Mechanism(env, allocation, allocation * second[:, None], name="second price")


def first_price(env):
    """First-price rule with truthful bids: the winner pays its bid."""
    sp = second_price(env)
    values = np.stack(np.meshgrid(*[a.types for a in env.agents], indexing="ij"), axis=-1)
    bids = values.reshape(env.n_profiles, env.n_agents)
    return Mechanism(env, sp.flat_allocation, sp.flat_allocation * bids, name="first price")


def test_second_price_is_dsic_and_first_price_is_not():
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=3)
    assert second_price(env).verify(["dsic", "ex_post_ir", "feasibility"]).ok
    report = first_price(env).verify(["dsic", "ex_post_ir"])
    assert not report.ok
    assert report["ex_post_ir"].ok
    assert report["dominant_strategy_ic"].max_violation == pytest.approx(
        oracle.dsic_violation(env, first_price(env))
    )
    assert "reporting" in report["dominant_strategy_ic"].worst
    assert "VIOLATED" in str(report)


def test_lookup_by_label_and_name():
    env = lpmech.bilateral_trade([0, 1, 2], [0, 1, 2])
    allocation = np.zeros((3, 3, 1))
    allocation[2, 0] = 1.0
    payments = np.zeros((3, 3, 2))
    payments[2, 0] = [1.0, -1.0]
    mechanism = Mechanism(env, allocation, payments)
    outcome = mechanism.at(buyer="2", seller="0")
    assert outcome.allocation == {"trade": 1.0}
    assert outcome.payments == {"buyer": 1.0, "seller": -1.0}
    assert mechanism.iat(2, 0) == outcome
    assert mechanism.iat(buyer=np.int64(2), seller=0) == outcome
    assert mechanism.allocation.shape == (3, 3, 1)
    with pytest.raises(KeyError, match="no type labelled"):
        mechanism.at("5", "0")
    with pytest.raises(KeyError, match="missing agents"):
        mechanism.at(buyer="2")


def test_at_reads_labels_only_and_iat_positions_only():
    """Labels that look like numbers: at("3", "1") is the profile of values 3 and 1, and
    iat(2, 0) the same by position; an int given to at() (or a str to iat()) is refused,
    naming the other accessor."""
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
    allocation = np.zeros((3, 3, 2))
    allocation[2, 0, 0] = 1.0
    mechanism = Mechanism(env, allocation, np.zeros((3, 3, 2)))
    assert mechanism.at("3", "1").allocation["item to bidder 1"] == 1.0
    assert mechanism.iat(2, 0) == mechanism.at("3", "1")
    assert mechanism.iat(2, 0) != mechanism.at("2", "1")  # positions are not labels
    with pytest.raises(TypeError, match=r"at\(\) takes type labels .* use iat\(…, 3, …\)"):
        mechanism.at(3, "1")
    with pytest.raises(TypeError, match=r"iat\(\) takes 0-based .* use at\(…, '3', …\)"):
        mechanism.iat("3", 0)
    with pytest.raises(TypeError, match=r"iat\(\) takes 0-based .*got True"):
        mechanism.iat(True, 0)
    with pytest.raises(IndexError, match=r"index 3 out of range 0\.\.2"):
        mechanism.iat(3, 0)


def test_bad_mechanism_arrays_are_rejected():
    env = lpmech.single_item_auction([1, 2], n_bidders=2)
    with pytest.raises(InvalidMechanismError, match=r"allocation has shape \(3, 2\)"):
        Mechanism(env, np.zeros((3, 2)), np.zeros((4, 2)))
    with pytest.raises(InvalidMechanismError, match="payments contains NaN"):
        Mechanism(env, np.zeros((4, 2)), np.full((4, 2), np.nan))


def test_arrays_are_read_only_and_summary_reads():
    env = lpmech.single_item_auction([1, 2], n_bidders=2)
    mechanism = second_price(env)
    with pytest.raises(ValueError, match="read-only"):
        mechanism.flat_payments[0, 0] = 5.0
    text = str(mechanism)
    assert "Interim rule of 'bidder 1'" in text
    assert "expected revenue" in text
    assert mechanism.is_deterministic()
