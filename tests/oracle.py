"""Brute-force checks written straight from the definitions.

Explicit Python loops over agents, true types, reports and the others' types,
reading only a mechanism's N-d arrays, the valuation tables and the prior table.
Deliberately slow; do not vectorise — this is the independent check the library's
vectorised families are compared against.
"""

from __future__ import annotations

import itertools

import numpy as np


def profiles(env):
    """Every type profile, as a tuple of type indices."""
    return itertools.product(*(range(k) for k in env.type_counts))


def value(env, agent, true_profile, allocation):
    """v_i(a, θ) = Σ_c V_i(θ)_c a_c."""
    table = env.valuations[agent]
    row = table[true_profile] if env.interdependent[agent] else table[true_profile[agent]]
    return sum(float(row[c]) * float(allocation[c]) for c in range(len(allocation)))


def utility(env, mechanism, agent, true_profile, report):
    """u_i of agent i at true profile θ when it reports ``report`` and others are truthful."""
    reported = (*true_profile[:agent], report, *true_profile[agent + 1 :])
    allocation = mechanism.allocation[reported]
    payment = float(mechanism.payments[reported][agent])
    return value(env, agent, true_profile, allocation) - payment


def probability(env, profile):
    return float(env.prior.table[profile])


def marginal(env, agent, own_type):
    return sum(probability(env, p) for p in profiles(env) if p[agent] == own_type)


def dsic_violation(env, mechanism):
    """max over i, θ, r of u_i(r; θ) − u_i(θ_i; θ), floored at 0."""
    worst = 0.0
    for agent in range(env.n_agents):
        for profile in profiles(env):
            truthful = utility(env, mechanism, agent, profile, profile[agent])
            for report in range(env.type_counts[agent]):
                gain = utility(env, mechanism, agent, profile, report) - truthful
                worst = max(worst, gain)
    return worst


def bic_violation(env, mechanism):
    """max over i, k, r of E[u_i(r) − u_i(k) | θ_i = k], floored at 0."""
    worst = 0.0
    for agent in range(env.n_agents):
        for own_type in range(env.type_counts[agent]):
            weight = marginal(env, agent, own_type)
            for report in range(env.type_counts[agent]):
                gain = 0.0
                for profile in profiles(env):
                    if profile[agent] != own_type:
                        continue
                    gain += (
                        probability(env, profile)
                        / weight
                        * (
                            utility(env, mechanism, agent, profile, report)
                            - utility(env, mechanism, agent, profile, own_type)
                        )
                    )
                worst = max(worst, gain)
    return worst


def ex_post_ir_violation(env, mechanism):
    worst = 0.0
    for agent in range(env.n_agents):
        for profile in profiles(env):
            option = float(env.outside_options[agent][profile[agent]])
            worst = max(worst, option - utility(env, mechanism, agent, profile, profile[agent]))
    return worst


def interim_utility(env, mechanism, agent, own_type):
    weight = marginal(env, agent, own_type)
    return sum(
        probability(env, p) / weight * utility(env, mechanism, agent, p, own_type)
        for p in profiles(env)
        if p[agent] == own_type
    )


def interim_ir_violation(env, mechanism):
    worst = 0.0
    for agent in range(env.n_agents):
        for own_type in range(env.type_counts[agent]):
            option = float(env.outside_options[agent][own_type])
            worst = max(worst, option - interim_utility(env, mechanism, agent, own_type))
    return worst


def ex_ante_ir_violation(env, mechanism):
    worst = 0.0
    for agent in range(env.n_agents):
        expected = sum(
            probability(env, p)
            * (
                utility(env, mechanism, agent, p, p[agent])
                - float(env.outside_options[agent][p[agent]])
            )
            for p in profiles(env)
        )
        worst = max(worst, -expected)
    return worst


def budget_surplus(env, mechanism, profile):
    """Σ_i t_i(θ) + v_0·a(θ)."""
    allocation = mechanism.allocation[profile]
    total = sum(float(mechanism.payments[profile][i]) for i in range(env.n_agents))
    return total + sum(
        float(env.principal_value[c]) * float(allocation[c]) for c in range(len(allocation))
    )


def ex_post_budget_violation(env, mechanism, strict=True, required=0.0):
    gaps = [budget_surplus(env, mechanism, p) - required for p in profiles(env)]
    return max((abs(g) if strict else max(-g, 0.0)) for g in gaps)


def ex_ante_budget_violation(env, mechanism, strict=True, required=0.0):
    gap = (
        sum(probability(env, p) * budget_surplus(env, mechanism, p) for p in profiles(env))
        - required
    )
    return abs(gap) if strict else max(-gap, 0.0)


def feasibility_violation(env, mechanism):
    space = env.allocation
    matrix = space.matrix.toarray()
    worst = 0.0
    for profile in profiles(env):
        allocation = mechanism.allocation[profile]
        for c in range(len(allocation)):
            worst = max(worst, space.lower[c] - allocation[c], allocation[c] - space.upper[c])
        for r in range(matrix.shape[0]):
            level = sum(matrix[r, c] * allocation[c] for c in range(len(allocation)))
            worst = max(worst, space.row_lower[r] - level, level - space.row_upper[r])
    return worst


def quantity(direction, allocation):
    return sum(float(direction[c]) * float(allocation[c]) for c in range(len(allocation)))


def ex_post_monotonicity_violation(env, mechanism, directions):
    """Largest drop of w_i·a when agent i's scalar type rises (others fixed)."""
    worst = 0.0
    for agent in range(env.n_agents):
        types = env.agents[agent].types
        for profile in profiles(env):
            for higher in range(env.type_counts[agent]):
                if types[higher] <= types[profile[agent]]:
                    continue
                up = (*profile[:agent], higher, *profile[agent + 1 :])
                drop = quantity(directions[agent], mechanism.allocation[profile]) - quantity(
                    directions[agent], mechanism.allocation[up]
                )
                worst = max(worst, drop)
    return worst


def interim_quantity(env, mechanism, agent, own_type, direction):
    weight = marginal(env, agent, own_type)
    return sum(
        probability(env, p) / weight * quantity(direction, mechanism.allocation[p])
        for p in profiles(env)
        if p[agent] == own_type
    )


def interim_monotonicity_violation(env, mechanism, directions):
    worst = 0.0
    for agent in range(env.n_agents):
        types = env.agents[agent].types
        for low in range(env.type_counts[agent]):
            for high in range(env.type_counts[agent]):
                if types[high] > types[low]:
                    drop = interim_quantity(
                        env, mechanism, agent, low, directions[agent]
                    ) - interim_quantity(env, mechanism, agent, high, directions[agent])
                    worst = max(worst, drop)
    return worst


def expected_revenue(env, mechanism):
    return sum(
        probability(env, p) * sum(float(mechanism.payments[p][i]) for i in range(env.n_agents))
        for p in profiles(env)
    )


def best_surplus(env, profile, include_principal=True):
    """max over 0/1 allocations of Σ_i v_i(a, θ) (+ v_0·a), by enumeration.

    For the allocation spaces used in the tests (outcome lotteries, item
    assignments, a build decision) the 0/1 points are the polytope's vertices.
    """
    best = -np.inf
    space = env.allocation
    for vertex in itertools.product((0.0, 1.0), repeat=env.n_components):
        vertex = np.array(vertex)
        level = space.matrix @ vertex
        if np.any(level > space.row_upper + 1e-12) or np.any(level < space.row_lower - 1e-12):
            continue
        if np.any(vertex < space.lower) or np.any(vertex > space.upper):
            continue
        surplus = sum(value(env, i, profile, vertex) for i in range(env.n_agents))
        if include_principal:
            surplus += float(env.principal_value @ vertex)
        best = max(best, surplus)
    return best


#: Brute-force violation of each built-in family, by family name.
CHECKS = {
    "dominant_strategy_ic": dsic_violation,
    "bayesian_ic": bic_violation,
    "ex_post_ir": ex_post_ir_violation,
    "interim_ir": interim_ir_violation,
    "ex_ante_ir": ex_ante_ir_violation,
    "feasibility": feasibility_violation,
    "ex_post_budget_balance": lambda e, m: ex_post_budget_violation(e, m, True),
    "ex_post_no_deficit": lambda e, m: ex_post_budget_violation(e, m, False),
    "ex_ante_budget_balance": lambda e, m: ex_ante_budget_violation(e, m, True),
    "ex_ante_no_deficit": lambda e, m: ex_ante_budget_violation(e, m, False),
}


def assert_satisfies(env, mechanism, families, tol=1e-6):
    """Assert, by brute force, that the mechanism satisfies each named family."""
    for name in families:
        violation = CHECKS[name](env, mechanism)
        assert violation <= tol, f"{name} violated by {violation:.3g} (brute force)"
