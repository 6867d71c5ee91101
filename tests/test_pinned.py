"""``OptimalRange.pinned`` agrees with the range's own slack: a quantity every optimum
pins is reported pinned however small the probabilities, and one that optima move is not."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lpmech
from lpmech.solving.canonical import Quantity, optimal_range


def _posted_prices(values, prior):
    """Revenue p·P(v ≥ p) of each posted price p among the values (one buyer)."""
    return [v * sum(q for w, q in zip(values, prior, strict=True) if w >= v) for v in values]


@st.composite
def one_buyer(draw):
    k = draw(st.integers(2, 6))
    values = sorted(draw(st.lists(st.integers(1, 40), min_size=k, max_size=k, unique=True)))
    weights = draw(
        st.lists(
            st.one_of(st.floats(1e-4, 1.0), st.sampled_from([1e-6, 1e-5, 3e-4])),
            min_size=k,
            max_size=k,
        )
    )
    prior = [w / sum(weights) for w in weights]
    revenues = _posted_prices(values, prior)
    best = sorted(revenues)[-1]
    second = sorted(revenues)[-2]
    return values, prior, best, second


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(one_buyer(), st.sampled_from(["bic", "dsic"]), st.sampled_from([1e-6, 1.0, 1e6]))
def test_a_single_buyers_pinned_payments_are_reported_pinned(case, incentive, unit):
    """One buyer: the optimum posts the price p maximising p·P(v ≥ p) (BIC = DSIC); when
    that price is unique every type's payment p·1[v ≥ p] is pinned."""
    values, prior, best, second = case
    env = lpmech.single_item_auction(np.array(values, dtype=float) * unit, 1, priors=[prior])
    constraints = ["bayesian_ic", "interim_ir"] if incentive == "bic" else ["dsic", "ex_post_ir"]
    solution = lpmech.solve(env, "revenue", constraints)
    revenues = _posted_prices(values, prior)
    price = values[int(np.argmax(revenues))]
    unique = best - second > 1e-3 * best
    for k, value in enumerate(values):
        ranged = optimal_range(solution, Quantity.interim_payment(env, 0, k))
        expected = price * unit if value >= price else 0.0
        if unique:
            assert ranged.pinned(), (k, ranged)
            # each end is the exact value within the range's own resolution
            slack = 1e-6 * unit * max(values) + ranged.resolution
            assert abs(ranged.low - expected) <= slack
            assert abs(ranged.high - expected) <= slack
    revenue = optimal_range(solution, Quantity.expected_payment(env, 0))
    assert revenue.pinned(), revenue  # the objective itself: always pinned
    assert revenue.low == pytest.approx(best * unit, rel=1e-6)


@pytest.mark.parametrize("small", [1e-4, 1e-6])
def test_ties_that_optima_move_are_not_pinned_whatever_the_probabilities(small):
    """Two bidders with values 1, 2, 3: at the profile where both are 3 the item may go to
    either (virtual values tie), so bidder 1's payment there ranges over [0, 3]."""
    prior = [small, 0.5 - small, 0.5]
    env = lpmech.single_item_auction([1, 2, 3], 2, priors=[prior, prior])
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    tied = optimal_range(solution, Quantity.payment(env, 0, (2, 2)))
    assert tied.high - tied.low == pytest.approx(3.0, abs=1e-6)
    assert not tied.pinned()
    assert tied.resolution < 1e-6


#: Asymmetric BIC auctions (values, priors) where a pinned interim payment's range came
#: out wider than 1e-7 of its scale: found by a random search, small probabilities.
BIC_CASES = [
    (
        [10.0, 11.0, 17.0],
        [
            [0.38132339947944077, 0.2776275804635031, 0.3410490200570562],
            [0.030962141446322585, 0.9492040431862003, 0.019833815367477123],
            [0.0006109191482627975, 0.99136808871212, 0.00802099213961699],
        ],
    ),
    (
        [1.0, 6.0, 13.0, 15.0],
        [
            [
                2.1023057817669878e-06,
                0.19242448892701625,
                0.7949304771238928,
                0.012642931643309183,
            ],
            [0.06913615771539056, 0.47911827384013633, 0.3510483049359948, 0.10069726350847827],
            [0.2563887396255556, 0.5398526076252962, 0.04061436324978166, 0.1631442894993666],
        ],
    ),
    (
        [4.0, 12.0, 17.0, 18.0],
        [
            [0.3261794685774991, 0.03252058342161536, 0.5073629670651042, 0.13393698093578146],
            [0.1330732477534198, 0.027744078755815256, 0.0581146275595148, 0.78106804593125],
        ],
    ),
    (
        [1.0, 10.0, 12.0, 14.0],
        [
            [0.00018939031725573332, 0.44503720012387027, 0.13359499291130328, 0.4211784166475708],
            [0.9427545890003285, 0.0006121926629307502, 0.010048680533875282, 0.04658453780286538],
        ],
    ),
]


@pytest.mark.parametrize(("values", "priors"), BIC_CASES)
@pytest.mark.parametrize("unit", [1.0, 1e-6])
def test_interim_payments_pinned_by_bic_optima_are_reported_pinned(
    values, priors, unit, monkeypatch
):
    """Independent evidence of pinning: with the face's slack 1000 times smaller the
    width shrinks 1000 times (a width made by the slack, not by optima). Such a range
    must say pinned at the default slack; one whose width stays is not pinned."""
    import lpmech.solving.canonical as canonical

    env = lpmech.single_item_auction(np.array(values) * unit, len(priors), priors=priors)
    solution = lpmech.solve(env, "revenue", ["bayesian_ic", "interim_ir"])
    quantities = [
        Quantity.interim_payment(env, i, k)
        for i in range(env.n_agents)
        for k in range(len(values))
    ]
    default = [optimal_range(solution, q) for q in quantities]
    monkeypatch.setattr(canonical, "FACE_SLACK", canonical.FACE_SLACK / 1000)
    tight = [optimal_range(solution, q) for q in quantities]
    checked = 0
    for wide, narrow in zip(default, tight, strict=True):
        scale = max(wide.unit, abs(wide.low), abs(wide.high))
        if narrow.high - narrow.low <= 1e-9 * scale:  # pinned: the width was the slack's
            assert wide.pinned(), wide
            checked += 1
        elif narrow.high - narrow.low > 1e-4 * scale:
            assert not wide.pinned(), wide
    assert checked >= 1
