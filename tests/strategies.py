"""Hypothesis strategies for lpmech's domain objects.

Constructive, with no ``assume`` filtering: priors are positive weights
normalised, type values are distinct sorted draws, so every example is valid.
Sizes stay small (≤ 3 agents, ≤ 3 types) to keep brute-force oracles fast.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import lpmech
from lpmech.problem.allocation import AllocationSpace, Items, Outcomes
from lpmech.problem.environment import Agent, Environment
from lpmech.results.mechanism import Mechanism

weights = st.integers(min_value=1, max_value=9)


@st.composite
def probability_vectors(draw, size):
    """A probability vector with positive entries."""
    raw = np.array(draw(st.lists(weights, min_size=size, max_size=size)), dtype=float)
    return raw / raw.sum()


@st.composite
def type_values(draw, size, low=0, high=12):
    """``size`` distinct values in [low, high], sorted."""
    values = draw(st.lists(st.integers(low, high), min_size=size, max_size=size, unique=True))
    return np.array(sorted(values), dtype=float)


@st.composite
def vector_types(draw, max_types, max_items=3, high=6):
    """Distinct integer type vectors, shape (K, J): K in 2…max_types, J in 2…max_items."""
    n_items = draw(st.integers(2, max_items))
    n_types = draw(st.integers(2, max_types))
    rows = draw(
        st.lists(
            st.tuples(*[st.integers(0, high)] * n_items),
            min_size=n_types,
            max_size=n_types,
            unique=True,
        )
    )
    return np.array(rows, dtype=float)


@st.composite
def environments(
    draw,
    max_agents=3,
    max_types=3,
    kinds=("single_item", "public_good", "outcomes", "interdependent"),
):
    """Small environments of several kinds, with independent or correlated priors."""
    kind = draw(st.sampled_from(kinds))
    n_agents = draw(st.integers(1 if kind != "interdependent" else 2, max_agents))
    counts = [draw(st.integers(1, max_types)) for _ in range(n_agents)]
    correlated = draw(st.booleans())
    names = [f"agent {i}" for i in range(n_agents)]
    types = [draw(type_values(k)) for k in counts]
    if correlated:
        size = int(np.prod(counts))
        joint = draw(probability_vectors(size)).reshape(counts)
        agents = [Agent(n, t) for n, t in zip(names, types, strict=True)]
        prior = joint
    else:
        agents = [
            Agent(n, t, draw(probability_vectors(len(t))))
            for n, t in zip(names, types, strict=True)
        ]
        prior = None
    options = [draw(st.integers(0, 2)) * 0.5 for _ in range(n_agents)]
    if kind == "single_item":
        space = Items(names)
        valuations = [np.outer(t, np.eye(n_agents)[i]) for i, t in enumerate(types)]
        principal = -np.full(n_agents, draw(st.integers(0, 3)))
    elif kind == "public_good":
        space = AllocationSpace(["build"])
        valuations = [t[:, None] for t in types]
        principal = [-float(draw(st.integers(0, 10)))]
    elif kind == "outcomes":
        n_outcomes = draw(st.integers(2, 3))
        space = Outcomes([f"outcome {o}" for o in range(n_outcomes)])
        valuations = [
            np.array(
                draw(
                    st.lists(st.integers(-3, 6), min_size=k * n_outcomes, max_size=k * n_outcomes)
                ),
                dtype=float,
            ).reshape(k, n_outcomes)
            for k in counts
        ]
        principal = np.array(
            draw(st.lists(st.integers(-2, 2), min_size=n_outcomes, max_size=n_outcomes)),
            dtype=float,
        )
    else:  # interdependent single item: v_i = θ_i + mean of others' types
        space = Items(names)
        grids = np.meshgrid(*types, indexing="ij")
        mean_all = sum(grids) / n_agents
        valuations = []
        for i in range(n_agents):
            table = np.zeros((*counts, n_agents))
            table[..., i] = grids[i] + 0.5 * (mean_all - grids[i] / n_agents)
            valuations.append(table)
        principal = np.zeros(n_agents)
    return Environment(
        agents,
        space,
        valuations,
        prior=prior,
        principal_value=principal,
        outside_options=options,
        name=kind,
    )


@st.composite
def mechanisms(draw, env):
    """A random mechanism on ``env``: allocation in [0, 1], integer-ish payments."""
    shape_a = (env.n_profiles, env.n_components)
    shape_t = (env.n_profiles, env.n_agents)
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    allocation = rng.uniform(size=shape_a)
    if draw(st.booleans()):
        allocation = np.round(allocation)
    payments = rng.integers(-4, 8, size=shape_t) * 0.5
    return Mechanism(env, allocation, payments, name=f"random {seed}")


@st.composite
def trades(draw, max_types=4):
    """Bilateral trades with random grids and priors (irregular ones included)."""
    buyer = draw(type_values(draw(st.integers(1, max_types)), low=0, high=8))
    seller = draw(type_values(draw(st.integers(1, max_types)), low=0, high=8))
    return lpmech.bilateral_trade(
        buyer,
        seller,
        draw(probability_vectors(len(buyer))),
        draw(probability_vectors(len(seller))),
    )
