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
import lpmech.analytic.published
from lpmech.errors import SolverFailedError
from lpmech.formulations import interim
from lpmech.problem.allocation import Items
from lpmech.program.interim_columns import InterimColumns

FAMILIES = ["bic", "interim_ir"]


def brute_force_violation(env, q):
    """max over every set S_i ⊆ types of each bidder (not all empty) of
    [Σ_i Σ_{k∈S_i} f_i(k) q_i(k) − (1 − Π_i (1 − Σ_{k∈S_i} f_i(k)))] / F(S), the
    violation in q's units, with F(S) = Σ_i Σ_{k∈S_i} f_i(k)."""
    offsets = np.concatenate([[0], np.cumsum(env.type_counts)])
    per_bidder = []
    for i, f in enumerate(env.prior.marginals):
        own = q[offsets[i] : offsets[i + 1]]
        per_bidder.append(
            [
                (sum(f[k] * own[k] for k in s), sum(f[k] for k in s))
                for r in range(len(f) + 1)
                for s in itertools.combinations(range(len(f)), r)
            ]
        )
    worst = -np.inf
    for sets in itertools.product(*per_bidder):
        outside = np.prod([1.0 - mass for _, mass in sets])
        total = sum(mass for _, mass in sets)
        if total > 0:
            worst = max(worst, (sum(load for load, _ in sets) - (1.0 - outside)) / total)
    return worst


@st.composite
def auctions_and_rules(draw):
    """A single-item auction (≤ 3 bidders, ≤ 4 types) and winning probabilities q in
    twentieths (so ties within and across bidders are common)."""
    n_bidders = draw(st.integers(1, 3))
    counts = [draw(st.integers(1, 4 if n_bidders < 3 else 3)) for _ in range(n_bidders)]
    env = lpmech.single_item_auction(
        [draw(type_values(k)) for k in counts],
        priors=[draw(probability_vectors(k)) for k in counts],
    )
    q = (
        np.array(
            draw(st.lists(st.integers(0, 20), min_size=sum(counts), max_size=sum(counts))),
            dtype=float,
        )
        / 20
    )
    return env, q


@pytest.mark.slow
@settings(max_examples=200)  # cheap, and a missed set is rare among random q
@given(auctions_and_rules())
def test_separator_finds_the_most_violated_border_set(case):
    """Over all 2^K sets per bidder, the worst Border violation is the separator's."""
    env, q = case
    columns = InterimColumns.of(env, border=True)
    x = np.zeros(columns.n_columns)
    x[columns.q_start[0] : columns.m_start[0]] = q
    found = interim.BorderInequalities(env, columns).candidates(x)
    worst = brute_force_violation(env, q)
    if worst > 1e-7:
        assert_most_violated(found, x, worst)
    else:
        assert found.n_rows == 0


def assert_most_violated(found, x, worst):
    """Each proposed row is a Border inequality divided by its set's mass (coefficients
    f_i(k)/F(S), summing to 1) that x violates by the stated amount, the largest of
    which is the brute-force worst."""
    matrix = found.rows.matrix
    np.testing.assert_allclose(matrix @ x - found.rows.upper, found.violation, atol=1e-12)
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
    assert found.violation.max() == pytest.approx(worst, abs=1e-12)


#: Asymmetric bidders. On 40 x 50 types the common-threshold sets {(i, k): q_i(k) ≥ α}
#: missed a violated Border inequality (by 1e-3), so no ex-post allocation implemented q.
ASYMMETRIC = {
    "40 x 50 types": [np.arange(1.0, 41.0), np.arange(2.0, 52.0)],
    "12 x 15 x 9 types": [np.arange(1.0, 13.0), np.arange(2.0, 17.0), np.arange(1.0, 10.0)],
}


def assert_interim_is_direct(env, details, objective="revenue", extra=()):
    """The interim formulation (its report saying ``details``) reaches the direct
    optimum under BIC and interim IR (and ``extra``), and its mechanism passes the
    brute-force oracle. Returns the interim solution."""
    constraints = [*FAMILIES, *extra]
    direct = lpmech.solve(env, objective, constraints, formulation="direct")
    solution = lpmech.solve(env, objective, constraints, formulation="interim")
    assert details in solution.report.details
    assert solution.objective_value == pytest.approx(direct.objective_value, rel=1e-7, abs=1e-9)
    oracle.assert_satisfies(
        env, solution.mechanism, ["feasibility", "bayesian_ic", "interim_ir", *extra]
    )
    return solution


@pytest.mark.slow
@pytest.mark.parametrize("values", ASYMMETRIC.values(), ids=ASYMMETRIC.keys())
def test_interim_auction_has_the_direct_optimum(values):
    assert_interim_is_direct(lpmech.single_item_auction(values), "Border's inequalities")


@pytest.mark.slow
def test_three_bidders_of_30_to_50_types_solve_on_interim_rules():
    """Too large for the direct program (60,000 profiles): the recovered allocation is
    feasible and earns the optimum the interim program reports."""
    env = lpmech.single_item_auction(
        [np.arange(1.0, 41.0), np.arange(2.0, 52.0), np.arange(1.0, 31.0)]
    )
    border = lpmech.solve(env, "revenue", FAMILIES, formulation="interim")
    assert oracle.feasibility_violation(env, border.mechanism) <= 1e-6
    assert border.objective_value == pytest.approx(
        oracle.expected_revenue(env, border.mechanism), rel=1e-7
    )


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
        seller_value=draw(st.sampled_from([0.0, 2.5])),
    )


@pytest.mark.slow
@given(asymmetric_auctions())
def test_interim_optimum_is_the_direct_optimum(env):
    direct = lpmech.solve(env, "revenue", FAMILIES, formulation="direct")
    border = lpmech.solve(env, "revenue", FAMILIES, formulation="interim")
    assert border.objective_value == pytest.approx(direct.objective_value, rel=1e-7, abs=1e-9)
    oracle.assert_satisfies(env, border.mechanism, ["feasibility", "bayesian_ic", "interim_ir"])


# --- several items: Border's inequalities item by item -------------------------------


def grid_types(values_per_item):
    """Every combination of the given values per item, one type per row."""
    return (
        np.stack(np.meshgrid(*values_per_item, indexing="ij"), axis=-1)
        .reshape(-1, len(values_per_item))
        .astype(float)
    )


#: Small 2-bidder additive auctions (and one with 3 bidders): identical and asymmetric
#: bidders, two and three items, uniform and skewed priors.
ADDITIVE = {
    "2 x 2 items, 3 x 3 grid": dict(types=grid_types([[1, 2, 3], [1, 2, 3]]), n_bidders=2),
    "2 x 3 items, 2^3 grid": dict(types=grid_types([[1, 3]] * 3), n_bidders=2),
    "asymmetric 2 x 2 items": dict(
        types=[grid_types([[1, 2, 4], [2, 3]]), grid_types([[1, 3], [1, 2, 5]])],
        priors=[np.arange(1.0, 7.0) / 21, np.array([3, 1, 1, 2, 2, 1]) / 10],
    ),
    "3 bidders x 2 items, 2 x 2 grid": dict(types=grid_types([[1, 2], [1, 3]]), n_bidders=3),
}


@pytest.mark.parametrize("objective", ["revenue", "welfare"])
@pytest.mark.parametrize("case", ADDITIVE.values(), ids=ADDITIVE.keys())
def test_additive_items_on_interim_rules_have_the_direct_optimum(case, objective):
    """Item by item Border's inequalities describe the feasible interim rules exactly:
    the direct BIC optimum, on q_ij(k) and M_i(k) alone, and the recovered mechanism
    passes the brute-force oracle."""
    env = lpmech.multi_item_auction(**case)
    n_items = env.allocation.n_items
    border = assert_interim_is_direct(
        env,
        f"item by item ({n_items} items)",
        objective,
        [] if objective == "revenue" else ["ex_ante_no_deficit"],
    )
    shared = "shared by identical bidders" in border.report.details  # one rule for all
    assert border.report.n_variables == (n_items + 1) * (
        env.type_counts[0] if shared else sum(env.type_counts)
    )


UNBORDERED = {
    "unit demand": lambda: lpmech.multi_item_auction(
        grid_types([[1, 2], [1, 3]]), 2, unit_demand=True
    ),
    "a bidder values another's item": lambda: lpmech.Environment(
        [lpmech.Agent(f"bidder {i}", [1.0, 2.0], [0.5, 0.5]) for i in range(2)],
        Items(["bidder 0", "bidder 1"], n_items=2),
        [
            np.array([[1.0, 2.0, 0.5, 0.0], [2.0, 1.0, 1.0, 0.0]]),
            np.array([[0.0, 0.0, 1.0, 2.0], [0.0, 0.0, 3.0, 1.0]]),
        ],
    ),
}


@pytest.mark.parametrize("build", UNBORDERED.values(), ids=UNBORDERED.keys())
def test_coupled_items_are_linked_not_bordered(build):
    """Unit demand couples the items (Σ_j a_ij ≤ 1), and a value for another's item
    makes utility depend on others' winning: item-wise Border would be wrong, so the
    interim formulation links ex-post allocations instead — with the direct optimum."""
    env = build()
    assert not interim.border_structure(env)
    assert_interim_is_direct(env, "allocation linked")


def test_auto_solves_additive_items_on_interim_rules():
    env = lpmech.analytic.published.SETTINGS["2 bidders, additive U[0,1]^2"].build(8)
    solution = lpmech.solve(env, "revenue", FAMILIES)
    assert solution.report.formulation == "interim"
    assert "item by item" in solution.report.details
    assert solution.verification.ok


@st.composite
def allocations_of_items(draw):
    """An additive auction (1–3 bidders, ≤ 2 items) and a random feasible ex-post
    allocation: each item's shares at each profile, including the seller's, sum to 1."""
    n_bidders, n_items = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    counts = [draw(st.integers(1, 4 if n_bidders < 3 else 3)) for _ in range(n_bidders)]
    types = [np.stack([draw(type_values(k)) for _ in range(n_items)], axis=1) for k in counts]
    env = lpmech.multi_item_auction(types, priors=[draw(probability_vectors(k)) for k in counts])
    shares = (
        np.array(
            draw(
                st.lists(
                    st.integers(0, 5),
                    min_size=env.n_profiles * n_items * (n_bidders + 1),
                    max_size=env.n_profiles * n_items * (n_bidders + 1),
                )
            ),
            dtype=float,
        ).reshape(env.n_profiles, n_items, n_bidders + 1)
        + 1e-3
    )
    shares /= shares.sum(axis=2, keepdims=True)
    return env, shares[:, :, :n_bidders]  # (P, items, N); the seller keeps the rest


@pytest.mark.slow
@given(allocations_of_items())
def test_recovery_implements_any_feasible_interim_rule(case):
    """The interim rule of any feasible allocation meets Border's inequalities, so the
    recovery reproduces it exactly: same winning probabilities, feasible at every
    profile."""
    env, shares = case
    mechanism = lpmech.Mechanism(
        env,
        shares.transpose(0, 2, 1).reshape(env.n_profiles, -1),
        np.zeros((env.n_profiles, env.n_agents)),
    )
    for item in range(env.allocation.n_items):
        targets = [
            mechanism.interim_allocation(i)[:, env.allocation.component(i, item)]
            for i in range(env.n_agents)
        ]
        won, shortfall = interim._recover_item(env, targets)
        assert shortfall <= 1e-9
        assert won.min() >= 0
        assert won.sum(axis=1).max() <= 1 + 1e-12
        for i, target in enumerate(targets):
            recovered = (env.prior.conditional(i) * won[env.layout.by_agent(i), i]).sum(axis=1)
            np.testing.assert_allclose(recovered, target, atol=1e-9)


@pytest.mark.slow
@settings(max_examples=100)
@given(auctions_and_rules(), st.integers(0, 20))
def test_separator_checks_every_item(case, shift):
    """With two items, the proposed rows are each item's own most violated sets."""
    env1, q = case
    types = [np.stack([agent.types, agent.types], axis=1) for agent in env1.agents]
    env = lpmech.multi_item_auction(types, priors=list(env1.prior.marginals))
    columns = InterimColumns.of(env, border=True)
    other = np.roll(q, shift % len(q))  # the second item's q: the first one shuffled
    x = np.zeros(columns.n_columns)
    separator = interim.BorderInequalities(env, columns)
    x[separator.item_columns(0)], x[separator.item_columns(1)] = q, other
    found = separator.candidates(x)
    worst = max(brute_force_violation(env, q), brute_force_violation(env, other))
    if worst > 1e-7:
        assert_most_violated(found, x, worst)
    else:
        assert found.n_rows == 0
