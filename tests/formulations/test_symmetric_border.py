"""Symmetric interim rules for identical bidders: Border's inequalities on one
bidder's top sets separate exactly, and the shared-rule program has the direct
optimum with a mechanism that passes the brute-force oracle."""

from __future__ import annotations

import itertools

import numpy as np
import oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import probability_vectors, type_values
from test_border import brute_force_violation, grid_types

import lpmech
from lpmech.formulations import interim
from lpmech.program.interim_columns import InterimColumns

FAMILIES = ["bayesian_ic", "interim_ir"]


def symmetric_brute_force(f, q, n_bidders):
    """max over every nonempty set S of one bidder's types of
    [N Σ_{k∈S} f(k) q(k) − (1 − (1 − F(S))^N)] / (N F(S))."""
    worst = -np.inf
    for r in range(1, len(f) + 1):
        for s in itertools.combinations(range(len(f)), r):
            mass = f[list(s)].sum()
            if mass > 0:
                load = n_bidders * f[list(s)] @ q[list(s)]
                worst = max(worst, (load - (1.0 - (1.0 - mass) ** n_bidders)) / (n_bidders * mass))
    return worst


@st.composite
def identical_auctions_and_rules(draw):
    """2–3 identical bidders of one item (≤ 5 types) and a shared q in twentieths."""
    n_bidders, n_types = draw(st.integers(2, 3)), draw(st.integers(1, 5))
    env = lpmech.single_item_auction(
        draw(type_values(n_types)), n_bidders=n_bidders, priors=draw(probability_vectors(n_types))
    )
    q = (
        np.array(
            draw(st.lists(st.integers(0, 20), min_size=n_types, max_size=n_types)), dtype=float
        )
        / 20
    )
    return env, q


@pytest.mark.slow
@settings(max_examples=150)
@given(identical_auctions_and_rules())
def test_top_sets_find_the_most_violated_symmetric_set(case):
    """Over all 2^K sets of one bidder's types, the worst symmetric violation is the
    separator's (top sets by q suffice), and it is violated iff some product of the
    bidders' own sets is (Border's symmetric form)."""
    env, q = case
    columns = InterimColumns.of(env, border=True, symmetric=True)
    separator = interim.SymmetricBorderInequalities(env, columns)
    x = np.zeros(columns.n_columns)
    x[separator.item_columns(0)] = q
    found = separator.candidates(x)
    worst = symmetric_brute_force(env.prior.marginals[0], q, env.n_agents)
    everywhere = brute_force_violation(env, np.tile(q, env.n_agents))
    if worst > 1e-7:
        np.testing.assert_allclose(
            found.rows.matrix @ x - found.rows.upper, found.violation, atol=1e-12
        )
        np.testing.assert_allclose(found.rows.matrix.sum(axis=1), 1.0)
        assert found.violation.max() == pytest.approx(worst, abs=1e-12)
    else:
        assert found.n_rows == 0
    assert (everywhere > 1e-9) == (worst > 1e-9)


#: Identical bidders of two additive items: 2 and 3 bidders, uniform and skewed priors.
IDENTICAL = {
    "2 bidders, 3 x 3 grid": dict(types=grid_types([[1, 2, 3], [1, 2, 3]]), n_bidders=2),
    "2 bidders, 4 x 3 grid, skewed": dict(
        types=grid_types([[0.5, 1, 2, 4], [1, 2, 3]]),
        n_bidders=2,
        priors=np.arange(1.0, 13.0) / 78,
    ),
    "3 bidders, 2 x 3 grid": dict(types=grid_types([[1, 2], [1, 2, 4]]), n_bidders=3),
}


@pytest.mark.parametrize("objective", ["revenue", "welfare"])
@pytest.mark.parametrize("case", IDENTICAL.values(), ids=IDENTICAL.keys())
def test_shared_interim_rule_has_the_direct_optimum(case, objective):
    """One (q, M) per type shared by identical bidders — half the columns with two
    bidders — reaches the direct BIC optimum, and the recovered ex-post mechanism
    passes the brute-force oracle."""
    env = lpmech.multi_item_auction(**case)
    extra = [] if objective == "revenue" else ["ex_ante_no_deficit"]
    direct = lpmech.solve(env, objective, [*FAMILIES, *extra], formulation="direct")
    shared = lpmech.solve(env, objective, [*FAMILIES, *extra], formulation="interim")
    assert "one interim rule shared by identical bidders" in shared.report.details
    assert shared.report.n_variables == (env.allocation.n_items + 1) * env.type_counts[0]
    assert shared.objective_value == pytest.approx(direct.objective_value, rel=1e-7, abs=1e-9)
    oracle.assert_satisfies(
        env, shared.mechanism, ["feasibility", "bayesian_ic", "interim_ir", *extra]
    )


def test_bidders_with_different_priors_keep_their_own_rules():
    """Identical type sets but different priors are not exchangeable: each bidder keeps
    its own interim rule and the product-set separator, with the direct optimum."""
    types = grid_types([[1, 2], [1, 3]])
    env = lpmech.multi_item_auction(
        [types, types], priors=[np.full(4, 0.25), np.array([0.4, 0.3, 0.2, 0.1])]
    )
    direct = lpmech.solve(env, "revenue", FAMILIES, formulation="direct")
    own = lpmech.solve(env, "revenue", FAMILIES, formulation="interim")
    assert "shared" not in own.report.details
    assert own.objective_value == pytest.approx(direct.objective_value, rel=1e-7)


def test_auto_shares_a_rule_meeting_every_product_of_top_sets():
    """``auto`` solves the published 2 x 2 setting on 8 x 8 with one shared rule, and
    that q, repeated for each bidder, violates no Border set of the general (product)
    separator either."""
    env = lpmech.analytic.published.SETTINGS["2 bidders, additive U[0,1]^2"].build(8)
    solution = lpmech.solve(env, "revenue", FAMILIES)
    assert solution.report.formulation == "interim"
    assert "shared by identical bidders" in solution.report.details
    columns = InterimColumns.of(env, border=True)
    x = np.zeros(columns.n_columns)
    for i in range(env.n_agents):
        q = solution.mechanism.interim_allocation(i)[
            :, env.allocation.component(i, np.arange(env.allocation.n_items))
        ]
        x[columns.q(i, np.arange(env.type_counts[i]))] = q
    assert interim.BorderInequalities(env, columns).candidates(x).n_rows == 0
    assert solution.verification.ok
