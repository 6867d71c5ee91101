"""Border's inequalities: the separator finds the most violated set, and the interim
formulation of a single-item auction has the direct optimum for asymmetric bidders."""

from __future__ import annotations

import itertools

import numpy as np
import oracle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import probability_vectors, type_values

import lpmech
from lpmech.errors import SolverFailedError
from lpmech.formulations import interim
from lpmech.interim_layout import InterimColumns

FAMILIES = ["bic", "interim_ir"]


def brute_force_violation(env, q):
    """max over every set S_i ⊆ types of each bidder of
    Σ_i Σ_{k∈S_i} f_i(k) q_i(k) − (1 − Π_i (1 − Σ_{k∈S_i} f_i(k)))."""
    offsets = np.concatenate([[0], np.cumsum(env.type_counts)])
    per_bidder = []
    for i, f in enumerate(env.prior.marginals):
        own = q[offsets[i]:offsets[i + 1]]
        per_bidder.append([(sum(f[k] * own[k] for k in s), sum(f[k] for k in s))
                           for r in range(len(f) + 1)
                           for s in itertools.combinations(range(len(f)), r)])
    worst = -np.inf
    for sets in itertools.product(*per_bidder):
        outside = np.prod([1.0 - mass for _, mass in sets])
        worst = max(worst, sum(load for load, _ in sets) - (1.0 - outside))
    return worst


@st.composite
def auctions_and_rules(draw):
    """A single-item auction (≤ 3 bidders, ≤ 4 types) and winning probabilities q in
    twentieths (so ties within and across bidders are common)."""
    n_bidders = draw(st.integers(1, 3))
    counts = [draw(st.integers(1, 4 if n_bidders < 3 else 3)) for _ in range(n_bidders)]
    env = lpmech.single_item_auction([draw(type_values(k)) for k in counts],
                                     priors=[draw(probability_vectors(k)) for k in counts])
    q = np.array(draw(st.lists(st.integers(0, 20), min_size=sum(counts),
                               max_size=sum(counts))), dtype=float) / 20
    return env, q


@settings(max_examples=200)  # cheap, and a missed set is rare among random q
@given(auctions_and_rules())
def test_separator_finds_the_most_violated_border_set(case):
    """Over all 2^K sets per bidder, the worst Border violation is the separator's."""
    env, q = case
    columns = InterimColumns.of(env, border=True)
    x = np.zeros(columns.n_columns)
    x[columns.q_start[0]:columns.m_start[0]] = q
    found = interim.BorderInequalities(env, columns).candidates(x)
    worst = brute_force_violation(env, q)
    if worst > 1e-7:
        assert found.violation.max() == pytest.approx(worst, abs=1e-12)
        # each proposed row is a Border inequality that q violates by the stated amount
        load = found.rows.matrix @ x
        np.testing.assert_allclose(load - found.rows.upper, found.violation, atol=1e-12)
    else:
        assert found.n_rows == 0


#: Asymmetric bidders. On 40 x 50 types the common-threshold sets {(i, k): q_i(k) ≥ α}
#: missed a violated Border inequality (by 1e-3), so no ex-post allocation implemented q.
ASYMMETRIC = {
    "40 x 50 types": [np.arange(1.0, 41.0), np.arange(2.0, 52.0)],
    "12 x 15 x 9 types": [np.arange(1.0, 13.0), np.arange(2.0, 17.0), np.arange(1.0, 10.0)],
}


@pytest.mark.parametrize("values", ASYMMETRIC.values(), ids=ASYMMETRIC.keys())
def test_interim_auction_has_the_direct_optimum(values):
    env = lpmech.single_item_auction(values)
    direct = lpmech.solve(env, "revenue", FAMILIES, formulation="direct")
    border = lpmech.solve(env, "revenue", FAMILIES, formulation="interim")
    assert "Border's inequalities" in border.report.details
    assert border.objective_value == pytest.approx(direct.objective_value, rel=1e-7)
    oracle.assert_satisfies(env, border.mechanism, ["feasibility", "bayesian_ic", "interim_ir"])


def test_three_bidders_of_30_to_50_types_solve_on_interim_rules():
    """Too large for the direct program (60,000 profiles): the recovered allocation is
    feasible and earns the optimum the interim program reports."""
    env = lpmech.single_item_auction([np.arange(1.0, 41.0), np.arange(2.0, 52.0),
                                      np.arange(1.0, 31.0)])
    border = lpmech.solve(env, "revenue", FAMILIES, formulation="interim")
    assert oracle.feasibility_violation(env, border.mechanism) <= 1e-6
    assert border.objective_value == pytest.approx(
        oracle.expected_revenue(env, border.mechanism), rel=1e-7)


def test_an_unimplementable_interim_rule_is_a_solver_failure(monkeypatch):
    """Should the separator miss a violated set, the recovery LP is infeasible: the error
    says so and names the way out, instead of returning a mechanism that is not one."""
    def nothing_violated(self, x):
        return original(self, np.zeros_like(x))
    original = interim.BorderInequalities.candidates
    monkeypatch.setattr(interim.BorderInequalities, "candidates", nothing_violated)
    env = lpmech.single_item_auction(ASYMMETRIC["40 x 50 types"])
    with pytest.raises(SolverFailedError, match='formulation="direct"'):
        lpmech.solve(env, "revenue", FAMILIES, formulation="interim")


@st.composite
def asymmetric_auctions(draw):
    """2–3 bidders with their own type sets (up to 8, 8, 4 types) and priors."""
    n_bidders = draw(st.integers(2, 3))
    counts = [draw(st.integers(1, 8 if i < 2 else 4)) for i in range(n_bidders)]
    return lpmech.single_item_auction(
        [draw(type_values(k, high=20)) for k in counts],
        priors=[draw(probability_vectors(k)) for k in counts],
        seller_value=draw(st.sampled_from([0.0, 2.5])))


@given(asymmetric_auctions())
def test_interim_optimum_is_the_direct_optimum(env):
    direct = lpmech.solve(env, "revenue", FAMILIES, formulation="direct")
    border = lpmech.solve(env, "revenue", FAMILIES, formulation="interim")
    assert border.objective_value == pytest.approx(direct.objective_value, rel=1e-7, abs=1e-9)
    oracle.assert_satisfies(env, border.mechanism, ["feasibility", "bayesian_ic", "interim_ir"])
