"""Weak and cyclical monotonicity, and Rochet's theorem (seed notes Def. 1.5–1.6, Thm. 1.5)."""

from __future__ import annotations

import itertools

import numpy as np
import oracle
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import probability_vectors

import lpmech
from lpmech import FixedAllocation
from lpmech.characterisation import (
    cyclical_monotonicity,
    envelope_payments,
    rochet_payments,
    weak_monotonicity,
)
from lpmech.errors import InfeasibleDesignError, NotImplementableError

# Three types, three outcomes; type k is given outcome k. Each type values the others'
# outcomes at ±1 so that every 2-cycle has length 0 but the 3-cycle has length 3.
ROCK_PAPER_SCISSORS = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])


def three_outcome_agent(values, name="a", labels=("A", "B", "C")):
    agent = lpmech.Agent(name, values, [1 / 3] * 3, labels=list(labels))
    return lpmech.Environment([agent], lpmech.Outcomes(["x", "y", "z"]), [values])


def cycle_length(env, allocation, agent, labels):
    """Σ_j v(x(θ^j), θ^{j+1}) − v(x(θ^j), θ^j) along the chain, from Def. 1.6."""
    index = [env.agents[agent].labels.index(label) for label in labels]
    total = 0.0
    for a, b in itertools.pairwise(index):
        outcome = allocation[a]
        total += oracle.value(env, agent, (b,), outcome) - oracle.value(env, agent, (a,), outcome)
    return total


def test_weakly_monotone_rule_that_is_not_cyclically_monotone_is_caught_with_its_cycle():
    env = three_outcome_agent(ROCK_PAPER_SCISSORS)
    allocation = np.eye(3)
    weak, _ = weak_monotonicity(env, allocation)
    assert weak
    report = cyclical_monotonicity(env, allocation)
    assert report.weakly_monotone
    assert not report.implementable
    cycle = report.cycle
    assert cycle.types[0] == cycle.types[-1]
    assert cycle.length == pytest.approx(3.0)
    assert cycle_length(env, allocation, 0, cycle.types) == pytest.approx(cycle.length)
    with pytest.raises(NotImplementableError) as caught:
        rochet_payments(env, allocation)
    assert caught.value.witness == cycle
    with pytest.raises(InfeasibleDesignError):  # no payments exist: the LP agrees
        lpmech.solve(env, "revenue", ["dsic", FixedAllocation(allocation)])


def test_a_swap_that_pays_both_types_is_not_weakly_monotone():
    values = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    env = three_outcome_agent(values)
    swapped = np.eye(3)[[1, 0, 2]]  # A gets B's favourite and B gets A's
    weak, detail = weak_monotonicity(env, swapped)
    assert not weak
    assert "types A and B gain 2" in detail


@st.composite
def outcome_environments(draw):
    """One or two agents with vector types (values over 3 outcomes) and random priors."""
    n_agents = draw(st.integers(1, 2))
    agents, valuations = [], []
    for i in range(n_agents):
        n_types = draw(st.integers(1, 3))
        values = np.array(
            draw(
                st.lists(
                    st.lists(st.integers(-3, 4), min_size=3, max_size=3),
                    min_size=n_types,
                    max_size=n_types,
                    unique_by=tuple,
                )
            ),
            dtype=float,
        )
        agents.append(lpmech.Agent(f"agent {i}", values, draw(probability_vectors(n_types))))
        valuations.append(values)
    return lpmech.Environment(agents, lpmech.Outcomes(["x", "y", "z"]), valuations)


@given(outcome_environments())
def test_efficient_rule_is_cyclically_monotone_and_rochet_payments_are_ic(env):
    allocation = env.efficient_allocation()
    assert cyclical_monotonicity(env, allocation).implementable
    mechanism = rochet_payments(env, allocation)
    oracle.assert_satisfies(env, mechanism, ["dominant_strategy_ic", "ex_post_ir"])
    interim = rochet_payments(env, allocation, "bayesian")
    oracle.assert_satisfies(env, interim, ["bayesian_ic", "interim_ir"])


@given(outcome_environments(), st.data())
def test_rochet_agrees_with_the_lp(env, data):
    """Thm. 1.5 as a decision procedure: a rule is cyclically monotone iff the LP with the rule
    fixed and DSIC imposed is feasible."""
    allocation = np.eye(3)[
        data.draw(st.lists(st.integers(0, 2), min_size=env.n_profiles, max_size=env.n_profiles))
    ]
    report = cyclical_monotonicity(env, allocation)
    try:
        lpmech.solve(env, "welfare", ["dsic", FixedAllocation(allocation)])
        feasible = True
    except InfeasibleDesignError:
        feasible = False
    assert report.implementable == feasible
    if not report.implementable:
        cycle = report.cycle
        assert (
            cycle_length(env, allocation, env.agent_index(cycle.agent), cycle.types) > 0
            if env.n_agents == 1
            else cycle.length > 0
        )


def test_rochet_potentials_give_the_threshold_envelope_end():
    """Longest chains from the first type solve V(θ) ≥ V(θ') + ℓ(θ', θ) with the least V, so
    for a single-parameter monotone rule with the lowest type first they leave each type the
    least utility IC allows: Rochet's payments are the highest envelope payments."""
    env = lpmech.single_item_auction([1, 2, 4, 7], n_bidders=2)
    allocation = env.efficient_allocation()
    rochet = rochet_payments(env, allocation)
    highest = envelope_payments(env, allocation).highest
    np.testing.assert_allclose(rochet.flat_payments, highest.flat_payments, atol=1e-12)
