"""Incentive checks on exact numbers: integers over one denominator agree with the
definition evaluated in Fractions, down to violations of 10⁻¹²."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

import lpmech
from lpmech.constraints import resolve
from lpmech.exact.twin import exact_environment, exact_mechanism
from lpmech.numbers.integers import INT64_LIMIT, integer_array, ratios, scaled
from lpmech.numbers.rationals import exact

TINY = Fraction(1, 10**12)


def _fraction_utility(env, allocation, payments, agent, profile, report):
    """u_i(r; θ) from the definition, in Fractions: V_i(θ)·a(r, θ_{-i}) − t_i(r, θ_{-i})."""
    reported = (*profile[:agent], report, *profile[agent + 1 :])
    table = env.inputs.valuations[agent]
    values = table[profile] if env.interdependent[agent] else table[profile[agent]]
    outcome = allocation[reported]
    return sum(exact(v) * exact(x) for v, x in zip(values, outcome, strict=True)) - exact(
        payments[reported][agent]
    )


def _fraction_gains(env, mechanism, ex_post):
    """Every positive gain from a lie, from loops over the definition (seed notes Def.
    2.1.1–2.1.3), sorted."""
    allocation, payments = mechanism.allocation, mechanism.payments
    profiles = list(itertools.product(*(range(k) for k in env.type_counts)))
    prior = {p: exact(env.inputs.prior[p]) for p in profiles}
    gains = []
    for agent in range(env.n_agents):
        for own, report in itertools.permutations(range(env.type_counts[agent]), 2):
            mine = [p for p in profiles if p[agent] == own]
            each = [
                _fraction_utility(env, allocation, payments, agent, p, report)
                - _fraction_utility(env, allocation, payments, agent, p, own)
                for p in mine
            ]
            if ex_post:
                gains += each
            else:
                weight = sum(prior[p] for p in mine)
                gains.append(sum(prior[p] / weight * g for p, g in zip(mine, each, strict=True)))
    return sorted(g for g in gains if g > 0)


def _random_fractions(rng, shape, denominators):
    numbers = rng.integers(0, 50, size=shape)
    below = rng.choice(denominators, size=shape)
    return np.vectorize(Fraction, otypes=[object])(numbers, below)


def _normalised(weights):
    return [Fraction(int(w), int(sum(weights))) for w in weights]


ENVIRONMENTS = {
    "two bidders": lambda rng: lpmech.single_item_auction(
        [Fraction(int(v), 7) for v in np.sort(rng.choice(40, 3, replace=False)) + 1],
        n_bidders=2,
        priors=_normalised(rng.integers(1, 9, 3)),
    ),
    "two items": lambda rng: lpmech.multi_item_auction(
        [[Fraction(int(a), 3), Fraction(int(b), 5)] for a, b in rng.integers(1, 20, (3, 2))],
        n_bidders=1,
    ),
    "three bidders": lambda rng: lpmech.single_item_auction(
        [Fraction(1), Fraction(5, 2), Fraction(4)], n_bidders=3
    ),
}


@pytest.mark.parametrize("family", ["dominant_strategy_ic", "bayesian_ic"])
@pytest.mark.parametrize("build", ENVIRONMENTS.values(), ids=ENVIRONMENTS.keys())
@pytest.mark.parametrize("seed", range(4))
def test_integer_gains_equal_the_definition_in_fractions(build, family, seed):
    rng = np.random.default_rng(seed)
    env = build(rng)
    twin = exact_environment(env)
    allocation = _random_fractions(rng, (env.n_profiles, env.n_components), [1, 3, 10**9])
    payments = _random_fractions(rng, (env.n_profiles, env.n_agents), [1, 7, 10**12])
    mechanism = exact_mechanism(twin, allocation, payments)
    ic = resolve(family)
    violation = ic.violation(mechanism)
    assert len(violation) == ic.row_count(twin)
    found = sorted(exact(v) for v in violation if v > 0)
    assert found == _fraction_gains(twin, mechanism, ic.ex_post)


@pytest.mark.parametrize("family", ["dominant_strategy_ic", "bayesian_ic"])
@pytest.mark.parametrize("build", ENVIRONMENTS.values(), ids=ENVIRONMENTS.keys())
def test_a_lie_gaining_a_trillionth_is_found_exactly(build, family):
    """A posted price is IC with zero gains; cutting one report's payment by 10⁻¹² makes
    that report gain exactly 10⁻¹² for every true type that could make it."""
    env = build(np.random.default_rng(0))
    twin = exact_environment(env)
    allocation = np.full((env.n_profiles, env.n_components), Fraction(1, 3), dtype=object)
    payments = np.full((env.n_profiles, env.n_agents), Fraction(2, 7), dtype=object)
    ic = resolve(family)
    assert not any(v > 0 for v in ic.violation(exact_mechanism(twin, allocation, payments)))
    payments[0, 0] -= TINY
    mechanism = exact_mechanism(twin, allocation, payments)
    found = sorted(exact(v) for v in ic.violation(mechanism) if v > 0)
    assert found
    assert found == _fraction_gains(twin, mechanism, ic.ex_post)
    if ic.ex_post:
        assert set(found) == {TINY}


def test_huge_numbers_stay_exact_beyond_int64():
    numerators, denominator = scaled([Fraction(2**70, 3), Fraction(1, 2**40)])
    assert denominator == 3 * 2**40
    big = integer_array(numerators, INT64_LIMIT)
    assert big.dtype == object
    assert list(ratios(big * 2, denominator)) == [Fraction(2**71, 3), Fraction(2, 2**40)]
    small = integer_array(np.array([3, -4], dtype=object), 10)
    assert small.dtype == np.int64
    assert list(ratios(small, 6)) == [Fraction(1, 2), Fraction(-2, 3)]
