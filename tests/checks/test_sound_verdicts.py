"""Issue 21: verdicts judged where the numbers live, and a solve that resolves them or refuses.

Every result is checked by an independent per-agent brute force (loops over true and
reported types, written here from the definitions) at 1e-6 × *that agent's own* value
scale s_i = max(|V_i|, |o_i|) — never by ``verify``. Optima are computed from formulas
(Myerson's virtual values, posted prices, the Crémer–McLean full surplus) in Fractions.
A float solve either returns the optimum with a mechanism passing that check, or raises
a named LpmechError; ``exact=True`` returns the optimum as a Fraction.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from strategies import environments, mechanisms

import lpmech
from lpmech.constraints import BayesianIC, DominantStrategyIC, ExPostIR, InterimIR, resolve_all
from lpmech.constraints.base import ConstraintFamily, RowBlock
from lpmech.errors import IllConditionedError, LpmechError, VerificationError
from lpmech.problem.allocation import AllocationSpace
from lpmech.problem.environment import Environment
from lpmech.results.mechanism import Mechanism

TOL = 1e-6
#: What a float solve may refuse with: the data out of its reach, or its optimum failing
#: verification (both name exact=True as the way out).
REFUSALS = (IllConditionedError, VerificationError)


# ----------------------------------------------------------------- independent checks
def own_scale(env, agent):
    """s_i = max(|V_i|, |o_i|), read from the tables."""
    return max(
        float(np.max(np.abs(np.asarray(env.valuations[agent], dtype=float)))),
        float(np.max(np.abs(np.asarray(env.outside_options[agent], dtype=float)))),
    )


@dataclass(frozen=True)
class Tables:
    """What the brute force reads: value tables, prior, and the mechanism's N-d rules."""

    valuations: tuple
    outside_options: tuple
    prior: np.ndarray
    allocation: np.ndarray
    payments: np.ndarray
    number: type

    @classmethod
    def of(cls, env, mechanism):
        """Floats of a float mechanism."""
        return cls(
            env.valuations,
            env.outside_options,
            np.asarray(env.prior.table, dtype=float),
            mechanism.allocation,
            mechanism.payments,
            float,
        )

    @classmethod
    def exact(cls, env, solution):
        """The proved optimum in Fractions, on the rationals it was proved for."""
        inputs, proved = solution.exact.inputs, solution.exact
        shape = env.type_counts
        return cls(
            inputs.valuations,
            inputs.outside_options,
            inputs.prior,
            np.asarray(proved.allocation, dtype=object).reshape(*shape, env.n_components),
            np.asarray(proved.payments, dtype=object).reshape(*shape, env.n_agents),
            Fraction,
        )

    @property
    def type_counts(self):
        return self.prior.shape


def utility(tables, agent, profile, report):
    number = tables.number
    reported = (*profile[:agent], report, *profile[agent + 1 :])
    allocation = tables.allocation[reported]
    row = tables.valuations[agent][profile[agent]]
    value = sum(number(row[c]) * number(allocation[c]) for c in range(len(allocation)))
    return value - number(tables.payments[reported][agent])


def agent_gains(tables, agent, bayesian):
    """Largest gain from a lie and largest participation shortfall of one agent."""
    profiles = list(itertools.product(*(range(k) for k in tables.type_counts)))
    prior, number = tables.prior, tables.number
    worst_lie, worst_ir = 0, 0
    for own in range(tables.type_counts[agent]):
        mine = [p for p in profiles if p[agent] == own]
        weight = sum(number(prior[p]) for p in mine)
        option = number(tables.outside_options[agent][own])
        if bayesian:
            truthful = sum(number(prior[p]) * utility(tables, agent, p, own) for p in mine)
            worst_ir = max(worst_ir, option - truthful / weight)
        for report in range(tables.type_counts[agent]):
            gains = [
                utility(tables, agent, p, report) - utility(tables, agent, p, own) for p in mine
            ]
            if bayesian:
                gain = sum(number(prior[p]) * g for p, g in zip(mine, gains, strict=True))
                worst_lie = max(worst_lie, gain / weight)
            else:
                worst_lie = max(worst_lie, *gains)
        if not bayesian:
            for p in mine:
                worst_ir = max(worst_ir, option - utility(tables, agent, p, own))
    return worst_lie, worst_ir


def assert_sound(env, mechanism, bayesian):
    """Every agent: no lie gains and participation holds, at 1e-6 × its own scale."""
    tables = Tables.of(env, mechanism)
    for agent in range(env.n_agents):
        lie, ir = agent_gains(tables, agent, bayesian)
        limit = TOL * own_scale(env, agent)
        assert lie <= limit, f"agent {agent} gains {lie} by lying (limit {limit})"
        assert ir <= limit, f"agent {agent} falls short by {ir} (limit {limit})"


def assert_proved(env, solution, bayesian):
    """The exact optimum: no lie gains anything and participation holds, exactly; its
    certificate says it is optimal, with itself as the exact optimal mechanism."""
    assert solution.exact.optimal
    assert solution.exact.proved_objective == solution.objective_value
    assert solution.exact.exact_mechanism.objective == solution.objective_value
    tables = Tables.exact(env, solution)
    for agent in range(env.n_agents):
        assert agent_gains(tables, agent, bayesian) == (0, 0)


def revenue(env, mechanism):
    prior = np.asarray(env.prior.table, dtype=float)
    return sum(
        prior[p] * float(np.sum(mechanism.payments[p]))
        for p in itertools.product(*(range(k) for k in env.type_counts))
    )


def solve_or_refuse(*args, **kwargs):
    """(solution, None) from a float solve, or (None, the named LpmechError it raised)."""
    try:
        return lpmech.solve(*args, **kwargs), None
    except LpmechError as error:
        return None, error


def assert_right_or_refused(env, outcome, optimum, bayesian, refusal=IllConditionedError):
    """The optimum with a sound mechanism, or a named refusal pointing to exact=True."""
    solution, error = outcome
    if solution is None:
        assert isinstance(error, refusal), repr(error)
        assert "exact=True" in str(error)
        return
    assert_sound(env, solution.mechanism, bayesian)
    assert solution.objective_value == pytest.approx(float(optimum), rel=TOL)


# ----------------------------------------------------------------- optima from formulas
def myerson_iid(values, probabilities, n_bidders):
    """E[max(φ(v_1), …, φ(v_n), 0)] with discrete virtual values (seed notes, Myerson):
    φ(v_k) = v_k − (v_{k+1} − v_k)·(1 − F(v_k))/f(v_k), for monotone φ."""
    values = [Fraction(v) for v in values]
    probabilities = [Fraction(p) for p in probabilities]
    tail = [sum(probabilities[k + 1 :], Fraction(0)) for k in range(len(values))]
    phi = [
        values[k] - (values[k + 1] - values[k]) * tail[k] / probabilities[k]
        if k + 1 < len(values)
        else values[k]
        for k in range(len(values))
    ]
    assert phi == sorted(phi)  # regular: no ironing needed
    total = Fraction(0)
    for profile in itertools.product(range(len(values)), repeat=n_bidders):
        weight = np.prod([probabilities[k] for k in profile])
        total += weight * max(0, *(phi[k] for k in profile))
    return total


def best_posted_price(values, probabilities):
    """One buyer: the optimum is a posted price (Riley–Zeckhauser), max_k v_k·P(v ≥ v_k)."""
    return max(
        Fraction(v) * sum((Fraction(p) for p in probabilities[k:]), Fraction(0))
        for k, v in enumerate(values)
    )


# ----------------------------------------------------------------- environments
def burn(v0, values=(1, 2, 3, 4)):
    """Two bidders, one item, plus a component "burn" nobody values (principal value v0)."""
    base = lpmech.single_item_auction(list(values), 2)
    space = AllocationSpace(
        ["item to bidder 1", "item to bidder 2", "burn"],
        matrix=sp.csr_array(np.array([[1.0, 1.0, 0.0]])),
        row_upper=[1.0],
    )
    valuations = [np.hstack([v, np.zeros((len(values), 1))]) for v in base.valuations]
    return Environment(base.agents, space, valuations, principal_value=[0, 0, v0])


def two_scales(big, values=(1.0, 2.0, 3.0)):
    """Two bidders: one values the item at ``values``, the other at ``big`` times them."""
    base = lpmech.single_item_auction(list(values), 2)
    return Environment(
        base.agents, base.allocation, [base.valuations[0], base.valuations[1] * big]
    )


def cremer_mclean(eps):
    """Two bidders, values 1..3, prior (1 − 3ε)/9 + ε·I stated exactly (Fractions)."""
    joint = np.array(
        [[(1 - 3 * eps) / 9 + (eps if a == b else 0) for b in range(3)] for a in range(3)],
        dtype=object,
    )
    return lpmech.single_item_auction([1, 2, 3], 2, prior=joint), joint


def full_surplus(joint, values=(1, 2, 3)):
    return sum(joint[a, b] * max(values[a], values[b]) for a in range(3) for b in range(3))


# ----------------------------------------------------------------- the burn
@pytest.mark.parametrize("v0", [-1e8, -1e9, -1e12])
@pytest.mark.parametrize(
    ("constraints", "bayesian"), [(["dsic", "ex_post_ir"], False), (["bic", "interim_ir"], True)]
)
def test_a_component_nobody_uses_does_not_wipe_out_the_bidders(v0, constraints, bayesian):
    env = burn(v0)
    optimum = myerson_iid([1, 2, 3, 4], [Fraction(1, 4)] * 4, 2)
    solution = lpmech.solve(env, "revenue", constraints)
    assert solution.objective_value == pytest.approx(float(optimum), rel=TOL)
    assert_sound(env, solution.mechanism, bayesian)
    assert revenue(env, solution.mechanism) == pytest.approx(float(optimum), rel=TOL)
    exact = lpmech.solve(env, "revenue", constraints, exact=True)
    assert exact.objective_value == optimum
    assert_proved(env, exact, bayesian)


@pytest.mark.parametrize("v0", [-1e9, -1e12, -1e15])
@pytest.mark.parametrize(
    ("constraints", "formulation", "bayesian"),
    [
        ([DominantStrategyIC(reduction="full"), ExPostIR()], "generation", False),
        ([BayesianIC(reduction="full"), InterimIR()], "generation", True),
        ([BayesianIC(reduction="full"), InterimIR()], "interim", True),
    ],
)
def test_generated_rows_are_judged_in_the_agents_money(v0, constraints, formulation, bayesian):
    """Row generation adds rows violated beyond 1e-9 of the agents' money, not of |v_0|."""
    env = burn(v0)
    optimum = myerson_iid([1, 2, 3, 4], [Fraction(1, 4)] * 4, 2)
    solution = lpmech.solve(env, "revenue", constraints, formulation=formulation)
    assert solution.objective_value == pytest.approx(float(optimum), rel=TOL)
    assert_sound(env, solution.mechanism, bayesian)


# ----------------------------------------------------------------- a small probability
@pytest.mark.parametrize("big", [3e6, 3e9, 3e12, 3e15])
@pytest.mark.parametrize("small", [1e-3, 1e-9, 1e-12])
@pytest.mark.parametrize("deterministic", [False, True])
def test_a_likely_type_beside_a_huge_improbable_one(big, small, deterministic):
    values = [1, 2, big]
    priors = [0.5, 0.5 - small, small]
    env = lpmech.single_item_auction(values, 1, priors=priors)
    exact_priors = [Fraction(repr(p)) for p in priors]  # as typed (lpmech.numbers.rationals)
    optimum = best_posted_price([Fraction(int(v)) for v in values], exact_priors)
    exact = lpmech.solve(
        env, "revenue", ["dsic", "ex_post_ir"], deterministic=deterministic, exact=True
    )
    assert exact.objective_value == optimum
    assert_proved(env, exact, False)
    outcome = solve_or_refuse(env, "revenue", ["dsic", "ex_post_ir"], deterministic=deterministic)
    assert_right_or_refused(env, outcome, optimum, False)


def test_the_refusal_names_the_spread_and_the_way_out():
    env = lpmech.single_item_auction([1, 2, 3e9], 1, priors=[0.5, 0.5 - 1e-9, 1e-9])
    with pytest.raises(IllConditionedError, match=r"spans 6\.67e\+08.*exact=True"):
        lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    assert issubclass(IllConditionedError, LpmechError)


# ----------------------------------------------------------------- agents at different scales
@pytest.mark.parametrize("big", [1e3, 1e6, 1e9])
@pytest.mark.parametrize(
    ("constraints", "formulation", "bayesian"),
    [
        (["dsic", "ex_post_ir"], "direct", False),
        ([DominantStrategyIC(reduction="full"), ExPostIR()], "generation", False),
        (["bic", "interim_ir"], "interim", True),
        (["bic", "interim_ir"], "direct", True),
    ],
)
def test_agents_at_different_scales_are_each_solved_in_their_own_money(
    big, constraints, formulation, bayesian
):
    env = two_scales(big)
    exact = lpmech.solve(env, "revenue", constraints, exact=True)
    assert_proved(env, exact, bayesian)
    outcome = solve_or_refuse(env, "revenue", constraints, formulation=formulation)
    assert_right_or_refused(env, outcome, exact.objective_value, bayesian, REFUSALS)


@pytest.mark.parametrize("big", [1e-6, 1e6])
def test_deterministic_agents_at_different_scales(big):
    env = two_scales(big)
    exact = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], deterministic=True, exact=True)
    assert np.all(np.isin(exact.mechanism.flat_allocation, [0.0, 1.0]))
    assert_proved(env, exact, False)
    outcome = solve_or_refuse(env, "revenue", ["dsic", "ex_post_ir"], deterministic=True)
    assert_right_or_refused(env, outcome, exact.objective_value, False, REFUSALS)


def test_verification_judges_the_small_agent_in_its_own_money():
    """Bidder 1 (values 1..3) always wins and pays its value beside a bidder at 1e9:
    type 3 gains 2 by reporting 1, which a global scale of 3e9 would hide."""
    env = two_scales(1e9)
    allocation = np.zeros((3, 3, 2))
    allocation[..., 0] = 1
    payments = np.zeros((3, 3, 2))
    payments[..., 0] = np.array([1.0, 2.0, 3.0])[:, None]
    mechanism = Mechanism(env, allocation, payments, "pay your value")
    lie, _ = agent_gains(Tables.of(env, mechanism), 0, False)
    assert lie == pytest.approx(2.0)
    report = lpmech.verify(mechanism, ["dsic", "ex_post_ir"], tol=1e-9)
    check = report["dominant_strategy_ic"]
    assert not check.ok
    assert check.scale == own_scale(env, 0)
    assert check.max_violation == pytest.approx(2.0)
    assert "bidder 1" in check.worst


class PaymentCap(ConstraintFamily):
    """A user's family in the user's units (no entry_scales declared): t_i ≤ cap."""

    name = "payment_cap"

    def __init__(self, cap):
        self.cap = cap

    def rows(self, env):
        layout = env.layout
        columns = layout.n_allocation_columns + np.arange(layout.n_payment_columns)
        n = len(columns)
        return RowBlock.from_entries(
            np.arange(n), columns, np.ones(n), (n, layout.n_columns), upper=self.cap
        )

    def violation(self, mechanism):
        return np.maximum(mechanism.flat_payments.ravel() - self.cap, 0.0)


def test_a_user_family_is_judged_conservatively_by_default():
    env = two_scales(1e9)
    family = PaymentCap(0.5)
    assert family.units == "user"
    payments = np.zeros((3, 3, 2))
    payments[0, 0, 0] = 0.5 + 1e-3  # over the cap by 1e-3: tiny against 3e9, not against 3
    mechanism = Mechanism(env, np.zeros((3, 3, 2)), payments)
    check = lpmech.verify(mechanism, [family], tol=1e-6)["payment_cap"]
    assert check.scale == min(own_scale(env, 0), own_scale(env, 1))
    assert not check.ok


# ----------------------------------------------------------------- Crémer–McLean
@pytest.mark.parametrize("eps", [Fraction(1, 10**8), Fraction(1, 10**12), Fraction(1, 10**4)])
def test_near_singular_beliefs_give_the_full_surplus_or_a_refusal(eps):
    env, joint = cremer_mclean(eps)
    surplus = full_surplus(joint)
    exact = lpmech.solve(env, "revenue", ["bic", "interim_ir"], exact=True)
    assert isinstance(exact.objective_value, Fraction)
    assert exact.objective_value == surplus
    assert_proved(env, exact, True)
    outcome = solve_or_refuse(env, "revenue", ["bic", "interim_ir"])
    assert_right_or_refused(env, outcome, surplus, True)
    if outcome[1] is not None:
        assert "beliefs" in str(outcome[1])


def test_exact_refuses_options_it_does_not_use():
    env = burn(-1e8)
    with pytest.raises(LpmechError, match="tie_break"):
        lpmech.solve(
            env, "revenue", ["dsic", "ex_post_ir"], exact=True, tie_break="small_payments"
        )


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("solver_options", {"time_limit": 1.0}),
        ("solver_options", {"mip_rel_gap": 0.3}),
        ("backend", "cvxpy"),
        ("algorithm", "ipm"),
        ("formulation", "interim"),
        ("solver", "CLARABEL"),
    ],
)
def test_exact_refuses_every_float_option_it_would_silently_drop(option, value):
    """A time limit or gap the exact solve does not keep would make its status dishonest."""
    env = burn(-1e8)
    with pytest.raises(LpmechError, match=f"exact=True.*does not use {option}"):
        lpmech.solve(
            env,
            "revenue",
            ["dsic", "ex_post_ir"],
            deterministic=True,
            exact=True,
            **{option: value},
        )


@pytest.mark.parametrize("exact", ["yes", 1, None])
def test_exact_is_true_or_false(exact):
    with pytest.raises(LpmechError, match="exact must be True or False"):
        lpmech.solve(burn(-1e8), "revenue", ["dsic", "ex_post_ir"], exact=exact)


# ----------------------------------------------------------------- the property
@st.composite
def scaled_environments(draw):
    """1–2 agents, 2–3 types each, values in [1, 10] times an independent factor in
    1e-6..1e6 per agent, priors with entries down to 1e-12."""
    n_agents = draw(st.integers(1, 2))
    counts = [draw(st.integers(2, 3)) for _ in range(n_agents)]
    types, priors = [], []
    for count in counts:
        factor = 10.0 ** draw(st.floats(-6, 6))
        grid = sorted(draw(st.sets(st.integers(1, 40), min_size=count, max_size=count)))
        types.append(np.array(grid, dtype=float) / 4 * factor)
        exponents = draw(st.lists(st.integers(-12, 0), min_size=count, max_size=count))
        weights = np.array([10.0**e for e in exponents])
        priors.append(weights / weights.sum())
    return lpmech.single_item_auction(types, n_agents, priors=priors)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(env=scaled_environments(), bayesian=st.booleans())
def test_verified_results_pass_a_per_agent_brute_force_at_any_scales(env, bayesian):
    """Verified ⇒ every agent passes the brute force at 1e-6 × its own scale, and the
    objective is the exact optimum within 1e-6; otherwise a named refusal."""
    constraints = ["bic", "interim_ir"] if bayesian else ["dsic", "ex_post_ir"]
    exact = lpmech.solve(env, "revenue", constraints, exact=True)
    assert_proved(env, exact, bayesian)
    outcome = solve_or_refuse(env, "revenue", constraints)
    event("float solve refused" if outcome[0] is None else "float solve verified")
    assert_right_or_refused(env, outcome, exact.objective_value, bayesian, REFUSALS)


@settings(max_examples=30, deadline=None)
@given(data=st.data(), exponent=st.sampled_from([-9, -3, 3, 9]))
def test_scaling_one_agent_changes_no_verdict(data, exponent):
    """Each entry is judged in its own money: multiplying one agent's values, outside
    options and payments by c leaves every entry's violation relative to its scale."""
    env = data.draw(environments(kinds=("single_item", "outcomes")))
    mechanism = data.draw(mechanisms(env))
    agent = data.draw(st.integers(0, env.n_agents - 1))
    assume(own_scale(env, agent) > 0)
    c = 10.0**exponent
    scaled = Environment(
        env.agents,
        env.allocation,
        [v * c if i == agent else v for i, v in enumerate(env.valuations)],
        prior=env.prior.table,
        principal_value=env.principal_value,
        outside_options=[o * c if i == agent else o for i, o in enumerate(env.outside_options)],
    )
    payments = mechanism.flat_payments.copy()
    payments[:, agent] *= c
    moved = Mechanism(scaled, mechanism.flat_allocation, payments)
    for name in ("dsic", "ex_post_ir", "bic", "interim_ir", "ex_ante_ir"):
        (family,) = resolve_all([name])
        before = family.violation(mechanism) / np.broadcast_to(
            family.entry_scales(env), family.violation(mechanism).shape
        )
        after = family.violation(moved) / np.broadcast_to(
            family.entry_scales(scaled), family.violation(moved).shape
        )
        np.testing.assert_allclose(after, before, rtol=1e-9, atol=1e-12)
