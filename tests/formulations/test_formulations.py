"""Every formulation gives the direct formulation's optimum, and refuses where it would not."""

from __future__ import annotations

import numpy as np
import oracle
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st
from strategies import probability_vectors, type_values, vector_types

import lpmech
from lpmech import ConstraintFamily, FixedAllocation, RowBlock
from lpmech.formulations import agent_symmetry

FAMILY_SETS = [
    ("revenue", ["dsic", "ex_post_ir"]),
    ("revenue", ["bic", "interim_ir"]),
    ("welfare", ["dsic", "ex_post_ir", "ex_post_no_deficit"]),
    ("welfare", ["bic", "ex_post_budget_balance"]),
]


@st.composite
def symmetric_problems(draw):
    """Identical agents: single-item auctions or public goods, independent or exchangeable."""
    n_agents = draw(st.integers(2, 3))
    types = draw(type_values(draw(st.integers(1, 4)), low=0, high=9))
    if draw(st.booleans()):
        prior = None
        marginal = draw(probability_vectors(len(types)))
    else:  # exchangeable: symmetrise a random joint table
        table = draw(probability_vectors(len(types) ** n_agents)).reshape((len(types),) * n_agents)
        perms = [
            np.moveaxis(table, list(range(n_agents)), list(p)) for p in _permutations(n_agents)
        ]
        prior, marginal = sum(perms) / len(perms), None
    if draw(st.booleans()):
        return lpmech.single_item_auction(types, n_agents, priors=marginal, prior=prior)
    return lpmech.public_good(
        types, n_agents, priors=marginal, prior=prior, cost=draw(st.integers(0, 12)) + 0.5
    )


def _permutations(n):
    import itertools

    return list(itertools.permutations(range(n)))


@pytest.mark.parametrize(("objective", "constraints"), FAMILY_SETS)
@given(env=symmetric_problems())
def test_symmetric_formulation_has_the_direct_optimum(objective, constraints, env):
    direct = lpmech.solve(env, objective, constraints, formulation="direct")
    symmetric = lpmech.solve(env, objective, constraints, formulation="symmetric")
    assert symmetric.objective_value == pytest.approx(direct.objective_value, abs=1e-6)
    assert symmetric.report.n_rows <= direct.report.n_rows
    oracle.assert_satisfies(
        env, symmetric.mechanism, [f.name for f in symmetric.families if f.name in oracle.CHECKS]
    )


def test_symmetry_shrinks_the_program_and_says_by_how_much():
    env = lpmech.single_item_auction(np.arange(1.0, 11.0), n_bidders=3)
    direct = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], formulation="direct")
    symmetric = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], formulation="symmetric")
    assert symmetric.objective_value == pytest.approx(direct.objective_value, abs=1e-6)
    # multisets of 3 types out of 10: C(12, 3) = 220 of 1000 profiles
    assert "symmetric: 220 of 1000 profiles" in symmetric.report.details
    assert symmetric.report.n_variables < direct.report.n_variables / 4
    assert symmetric.report.n_rows < direct.report.n_rows / 4


@pytest.mark.parametrize("backend", ["highspy", "cvxpy"])
def test_symmetric_duals_still_price_a_lump_sum_fee(backend):
    """Duals are shared equally among the copies of a row: the IR duals still sum to N."""
    env = lpmech.single_item_auction([1.0, 2.0, 4.0, 5.0], 3, priors=[0.4, 0.3, 0.2, 0.1])
    solution = lpmech.solve(
        env, "revenue", ["dsic", "ex_post_ir"], formulation="symmetric", backend=backend
    )
    assert solution.duals["ex_post_ir"].sum() == pytest.approx(3.0, abs=1e-7)
    assert len(solution.duals["ex_post_ir"]) == 3 * env.n_profiles


class AgentZeroPaysNothing(ConstraintFamily):
    """t_0(θ) = 0: singles out agent 0, so relabelling does not preserve it."""

    name = "agent_zero_pays_nothing"

    def rows(self, env):
        columns = env.layout.payment_columns(np.arange(env.n_profiles), 0)
        return RowBlock.from_entries(
            np.arange(env.n_profiles),
            columns,
            np.ones(env.n_profiles),
            shape=(env.n_profiles, env.layout.n_columns),
            lower=0.0,
            upper=0.0,
        )

    def violation(self, mechanism):
        return np.abs(mechanism.flat_payments[:, 0])


class NoSubsidies(ConstraintFamily):
    """t_i(θ) ≥ 0 for all agents: symmetric, though it does not say so."""

    name = "no_subsidies"

    def rows(self, env):
        count = env.layout.n_payment_columns
        return RowBlock.from_entries(
            np.arange(count),
            env.layout.n_allocation_columns + np.arange(count),
            np.ones(count),
            shape=(count, env.layout.n_columns),
            lower=0.0,
        )

    def violation(self, mechanism):
        return np.maximum(-mechanism.flat_payments, 0.0).ravel()


def test_symmetric_refuses_what_relabelling_would_change():
    env = lpmech.single_item_auction([1.0, 2.0, 3.0], n_bidders=2)
    with pytest.raises(ValueError, match="not mapped onto itself"):
        lpmech.solve(
            env, "revenue", ["dsic", "ex_post_ir", AgentZeroPaysNothing()], formulation="symmetric"
        )
    # an undeclared family that is symmetric passes the check
    checked = lpmech.solve(
        env, "revenue", ["dsic", "ex_post_ir", NoSubsidies()], formulation="symmetric"
    )
    plain = lpmech.solve(
        env, "revenue", ["dsic", "ex_post_ir", NoSubsidies()], formulation="direct"
    )
    assert checked.objective_value == pytest.approx(plain.objective_value, abs=1e-7)
    # efficient allocation with ties to the lowest index is not anonymous
    with pytest.raises(ValueError, match="not anonymous"):
        lpmech.solve(
            env,
            "revenue",
            ["dsic", "ex_post_ir", FixedAllocation.efficient()],
            formulation="symmetric",
        )
    with pytest.raises(ValueError, match="deterministic"):
        lpmech.solve(
            env, "revenue", ["dsic", "ex_post_ir"], formulation="symmetric", deterministic=True
        )


def test_auto_does_not_choose_symmetric_for_a_fixed_allocation_that_is_not_anonymous():
    """The efficient allocation breaks ties by index: ``auto`` must see this before
    compiling (3 × 10 types is large enough for ``auto`` to prefer the reduction)."""
    env = lpmech.single_item_auction(np.arange(1.0, 11.0), n_bidders=3)
    constraints = ["dsic", "ex_post_ir", FixedAllocation.efficient()]
    solution = lpmech.solve(env, "revenue", constraints)
    assert solution.report.formulation != "symmetric"
    thresholds = lpmech.characterisation.envelope_payments(env, env.efficient_allocation())
    assert solution.objective_value == pytest.approx(
        thresholds.highest.expected_revenue(), rel=1e-9
    )
    oracle.assert_satisfies(env, solution.mechanism, ["dominant_strategy_ic", "ex_post_ir"])


class FirstBidderCapped(lpmech.Items):
    """One item, with a row capping the first bidder's share: not symmetric in agents."""

    def __init__(self, agent_names):
        super().__init__(agent_names)
        cap = np.zeros((1, self.n_components))
        cap[0, 0] = 1.0
        self.matrix = sp.csr_array(sp.vstack([self.matrix, cap]))
        self.row_lower = np.append(self.row_lower, -np.inf)
        self.row_upper = np.append(self.row_upper, 0.5)


def test_an_allocation_space_that_relabelling_changes_is_not_reduced():
    """Identical bidders, but a row of the allocation space favours one: merging orbits
    would impose the cap on both, so the reduction must be refused, and ``auto`` must
    find the direct optimum."""
    agents = [lpmech.Agent(name, [1.0, 2.0, 3.0], prior=[0.2, 0.3, 0.5]) for name in ("a", "b")]
    valuations = [np.outer([1.0, 2.0, 3.0], np.eye(2)[i]) for i in range(2)]
    env = lpmech.Environment(agents, FirstBidderCapped(["a", "b"]), valuations)
    assert "allocation space" in agent_symmetry(env)
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    direct = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], formulation="direct")
    assert solution.objective_value == pytest.approx(direct.objective_value, rel=1e-9)
    assert solution.mechanism.allocation[..., 0].max() <= 0.5 + 1e-9


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        (lpmech.single_item_auction([[1, 2], [1, 3]]), "different types"),
        (lpmech.single_item_auction([1, 2], 2, priors=[[0.5, 0.5], [0.2, 0.8]]), "exchangeable"),
        (lpmech.single_item_auction([1, 2], 1), "only one agent"),
        (lpmech.bilateral_trade([1, 2], [1, 2]), "valuations are not exchanged"),
    ],
)
def test_asymmetric_environments_are_named(env, reason):
    symmetry = agent_symmetry(env)
    assert isinstance(symmetry, str)
    assert reason in symmetry
    with pytest.raises(ValueError, match=reason):
        lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], formulation="symmetric")


def test_auto_uses_symmetry_only_where_it_applies_and_pays():
    big = lpmech.single_item_auction(np.arange(1.0, 16.0), n_bidders=2)
    assert lpmech.solve(big, "revenue", ["dsic", "ex_post_ir"]).report.formulation == "symmetric"
    small = lpmech.single_item_auction([1.0, 2.0], n_bidders=2)
    assert lpmech.solve(small, "revenue", ["dsic", "ex_post_ir"]).report.formulation == "direct"
    asymmetric = lpmech.single_item_auction([np.arange(1.0, 16.0), np.arange(2.0, 17.0)])
    assert (
        lpmech.solve(asymmetric, "revenue", ["dsic", "ex_post_ir"]).report.formulation == "direct"
    )
    with pytest.raises(ValueError, match="formulation: unknown 'magic'"):
        lpmech.solve(big, "revenue", ["dsic", "ex_post_ir"], formulation="magic")


@st.composite
def multi_dimensional_problems(draw):
    """One or two bidders with vector types (additive or unit demand) and random priors."""
    types = draw(vector_types(max_types=6))
    n_types = len(types)
    n_bidders = draw(st.integers(1, 2))
    priors = [draw(probability_vectors(n_types)) for _ in range(n_bidders)]
    return lpmech.multi_item_auction(
        types, n_bidders, priors=priors, unit_demand=draw(st.booleans())
    )


@pytest.mark.parametrize("constraints", [["dsic", "ex_post_ir"], ["bic", "interim_ir"]])
@given(env=multi_dimensional_problems())
def test_generation_has_the_direct_optimum(constraints, env):
    """Rows never generated are slack at the final optimum, so it is the full optimum."""
    direct = lpmech.solve(env, "revenue", constraints, formulation="direct")
    generated = lpmech.solve(env, "revenue", constraints, formulation="generation")
    assert generated.objective_value == pytest.approx(direct.objective_value, abs=1e-6)
    assert generated.report.formulation == "generation"
    oracle.assert_satisfies(
        env,
        generated.mechanism,
        [
            constraints[0].replace("dsic", "dominant_strategy_ic").replace("bic", "bayesian_ic"),
            constraints[1],
        ],
    )


def test_generation_adds_rows_until_the_full_check_passes(monkeypatch):
    """Starting from a single neighbour per type forces several rounds on a 3-item grid;
    the generated rows are a small share of all pairs, and their duals sit at the right
    full rows (IR duals still sum to the number of agents)."""
    from lpmech.formulations import generation

    monkeypatch.setattr(generation, "INITIAL_NEIGHBOURS", 1)
    grid = np.linspace(0.0, 1.0, 4)
    types = np.array([[x, y, z] for x in grid for y in grid for z in grid])
    env = lpmech.multi_item_auction(types, 1)
    generated = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], formulation="generation")
    direct = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], formulation="direct")
    assert generated.objective_value == pytest.approx(direct.objective_value, abs=1e-6)
    solves = int(generated.report.details.split(": ")[1].split(" solves")[0])
    assert solves > 1
    full = 64 * 63
    assert generated.report.rows_by_family["dominant_strategy_ic"] < full / 2
    assert len(generated.duals["dominant_strategy_ic"]) == full
    assert generated.duals["ex_post_ir"].sum() == pytest.approx(1.0, abs=1e-7)


def test_auto_generates_for_large_multi_dimensional_problems_only():
    grid = (np.arange(10) + 0.5) / 10
    big = lpmech.multi_item_auction(np.array([[x, y] for x in grid for y in grid]), 1)
    assert lpmech.solve(big, "revenue", ["dsic", "ex_post_ir"]).report.formulation == "generation"
    small = lpmech.multi_item_auction([[1.0, 2.0], [2.0, 1.0], [2.0, 2.0]], 1)
    assert lpmech.solve(small, "revenue", ["dsic", "ex_post_ir"]).report.formulation == "direct"
    with pytest.raises(ValueError, match="no incentive family is left in full form"):
        lpmech.solve(
            lpmech.single_item_auction([1.0, 2.0, 3.0], 1),
            "revenue",
            ["dsic", "ex_post_ir"],
            formulation="generation",
        )
    with pytest.raises(ValueError, match="use backend='highspy'"):
        lpmech.solve(
            big, "revenue", ["dsic", "ex_post_ir"], formulation="generation", backend="cvxpy"
        )


@st.composite
def bayesian_problems(draw):
    """Independent, private-value problems with only interim families: auctions (Border),
    public goods and bilateral trades (linking)."""
    kind = draw(st.sampled_from(["auction", "public_good", "trade"]))
    n_agents = 2 if kind == "trade" else draw(st.integers(1, 3))
    types = [draw(type_values(draw(st.integers(1, 4)), low=0, high=9)) for _ in range(n_agents)]
    priors = [draw(probability_vectors(len(t))) for t in types]
    if kind == "auction":
        return lpmech.single_item_auction(
            types, priors=priors, seller_value=draw(st.sampled_from([0.0, 1.5]))
        )
    if kind == "public_good":
        return lpmech.public_good(types, priors=priors, cost=draw(st.integers(0, 12)) + 0.5)
    return lpmech.bilateral_trade(types[0], types[1], priors[0], priors[1])


INTERIM_SETS = [
    ("profit", ["bic", "interim_ir"]),
    ("welfare", ["bic", "interim_ir", "ex_ante_no_deficit"]),
    ("welfare", ["bic", "ex_ante_budget_balance", "interim_monotonicity"]),
    ("revenue", ["bic", "ex_ante_ir"]),
]


@pytest.mark.parametrize(("objective", "constraints"), INTERIM_SETS)
@given(env=bayesian_problems())
def test_interim_formulation_has_the_direct_optimum(objective, constraints, env):
    """Interim rules carry everything the interim families see; the recovered (or linked)
    ex-post mechanism passes the brute-force check of the Bayesian families."""
    direct = lpmech.solve(env, objective, constraints, formulation="direct")
    interim = lpmech.solve(env, objective, constraints, formulation="interim")
    assert interim.objective_value == pytest.approx(direct.objective_value, abs=1e-6)
    oracle.assert_satisfies(
        env, interim.mechanism, [f.name for f in interim.families if f.name in oracle.CHECKS]
    )


def test_border_inequalities_replace_the_ex_post_allocation():
    env = lpmech.single_item_auction(
        [np.arange(1.0, 9.0), np.arange(2.0, 10.0), np.arange(1.0, 9.0) * 1.2]
    )
    interim = lpmech.solve(env, "revenue", ["bic", "interim_ir"], formulation="interim")
    direct = lpmech.solve(env, "revenue", ["bic", "interim_ir"], formulation="direct")
    assert interim.objective_value == pytest.approx(direct.objective_value, abs=1e-6)
    assert "Border's inequalities" in interim.report.details
    assert interim.report.n_variables == 2 * sum(env.type_counts)  # q and M only
    # interim IR duals still price a lump-sum fee: they sum to the number of bidders
    assert interim.duals["interim_ir"].sum() == pytest.approx(3.0, abs=1e-7)


def test_interim_refuses_what_needs_ex_post_rules():
    env = lpmech.single_item_auction([1.0, 2.0, 3.0], n_bidders=2)
    with pytest.raises(ValueError, match="'ex_post_ir' is not about interim rules"):
        lpmech.solve(env, "revenue", ["bic", "ex_post_ir"], formulation="interim")
    correlated = lpmech.single_item_auction([1.0, 2.0], 2, prior=[[0.4, 0.1], [0.1, 0.4]])
    with pytest.raises(ValueError, match="correlated"):
        lpmech.solve(correlated, "revenue", ["bic", "interim_ir"], formulation="interim")


def test_auto_uses_interim_for_many_asymmetric_bayesian_agents():
    env = lpmech.single_item_auction([np.arange(1.0, 14.0) + 0.3 * i for i in range(3)])
    assert lpmech.solve(env, "revenue", ["bic", "interim_ir"]).report.formulation == "interim"
    assert lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]).report.formulation == "direct"
