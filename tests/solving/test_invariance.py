"""Names are not data: relabelling agents or reordering types leaves the optimum unchanged."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import probability_vectors, type_values

import lpmech
from lpmech.problem.environment import Agent, Environment

TOL = 1e-6 * 12  # relative to the value scale: type values are at most 12
PROBLEMS = [
    ("revenue", ("dominant_strategy_ic", "ex_post_ir")),
    ("revenue", ("bayesian_ic", "interim_ir")),
    ("welfare", ("dominant_strategy_ic", "ex_post_ir", "ex_post_no_deficit")),
]


@st.composite
def markets(draw, max_agents=3, max_types=3):
    """Per-agent types and priors of an asymmetric auction or public good, and a problem."""
    n_agents = draw(st.integers(1, max_agents))
    types = [draw(type_values(draw(st.integers(1, max_types)), low=1)) for _ in range(n_agents)]
    priors = [draw(probability_vectors(len(t))) for t in types]
    kind = draw(st.sampled_from(["auction", "public_good"]))
    problem = draw(st.sampled_from(PROBLEMS))
    return kind, types, priors, problem


def _build(kind, types, priors, names):
    if kind == "auction":
        return lpmech.single_item_auction(types, priors=priors, names=names)
    return lpmech.public_good(types, priors=priors, cost=2.0, names=names)


def _optimum(env, problem):
    objective, constraints = problem
    return lpmech.solve(env, objective, constraints).objective_value


@given(market=markets(), order=st.randoms(use_true_random=False))
def test_relabelling_agents_leaves_the_optimum(market, order):
    kind, types, priors, problem = market
    names = [f"agent {i}" for i in range(len(types))]
    sigma = list(range(len(types)))
    order.shuffle(sigma)
    original = _optimum(_build(kind, types, priors, names), problem)
    relabelled = _build(
        kind, [types[j] for j in sigma], [priors[j] for j in sigma], [names[j] for j in sigma]
    )
    assert _optimum(relabelled, problem) == pytest.approx(original, abs=TOL)


@given(market=markets(), order=st.randoms(use_true_random=False))
def test_permuting_type_order_leaves_the_optimum(market, order):
    """Types listed in another order (with their priors) describe the same problem."""
    kind, types, priors, problem = market
    names = [f"agent {i}" for i in range(len(types))]
    original = _build(kind, types, priors, names)
    agents, valuations = [], []
    for agent, table in zip(original.agents, original.valuations, strict=True):
        perm = list(range(agent.n_types))
        order.shuffle(perm)
        agents.append(Agent(agent.name, agent.types[perm], agent.prior[perm]))
        valuations.append(table[perm])
    permuted = Environment(
        agents, original.allocation, valuations, principal_value=original.principal_value
    )
    assert _optimum(permuted, problem) == pytest.approx(_optimum(original, problem), abs=TOL)
