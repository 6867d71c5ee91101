"""Joint, marginal and conditional laws of the prior."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from strategies import probability_vectors

from lpmech.problem.priors import Prior


@given(
    st.lists(st.integers(1, 3), min_size=1, max_size=3).flatmap(
        lambda counts: probability_vectors(int(np.prod(counts))).map(lambda p: p.reshape(counts))
    )
)
def test_conditional_is_joint_over_marginal(table):
    prior = Prior(table)
    counts = table.shape
    for i in range(len(counts)):
        conditional = prior.conditional(i)
        np.testing.assert_allclose(conditional.sum(axis=1), 1.0)
        for own in range(counts[i]):
            others = [range(k) for j, k in enumerate(counts) if j != i]
            for column, rest in enumerate(itertools.product(*others)):
                profile = (*rest[:i], own, *rest[i:])
                expected = table[profile] / table.take(own, axis=i).sum()
                assert np.isclose(conditional[own, column], expected)


@given(
    st.lists(st.integers(1, 3), min_size=1, max_size=3).flatmap(
        lambda counts: st.tuples(*(probability_vectors(k) for k in counts))
    )
)
def test_independent_prior_has_its_marginals_and_is_detected(marginals):
    prior = Prior.independent(marginals)
    assert prior.is_independent
    for i, marginal in enumerate(marginals):
        np.testing.assert_allclose(prior.marginals[i], marginal)
        np.testing.assert_allclose(
            prior.conditional(i),
            np.broadcast_to(prior.conditional(i)[0], prior.conditional(i).shape),
        )


def test_correlated_prior_is_not_independent():
    prior = Prior(np.array([[0.4, 0.1], [0.1, 0.4]]))
    assert not prior.is_independent
    np.testing.assert_allclose(prior.conditional(0), [[0.8, 0.2], [0.2, 0.8]])
