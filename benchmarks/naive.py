"""The baseline: a design LP written the way typical research code writes it.

One cvxpy expression per scalar inequality, built in Python loops over agents,
profiles and reports, with full incentive compatibility. It is deliberately not
vectorised; the benchmark suite times it to show what lpmech's sparse blocks and
formulations save. It is not part of the library.
"""

from __future__ import annotations

import time

import cvxpy as cp

from lpmech.problem.environment import Environment


def solve_naively(env: Environment, objective: str, constraints: list[str]) -> dict:
    """Build and solve the per-scalar program; returns its optimum and timings."""
    start = time.perf_counter()
    layout = env.layout
    n_profiles, n_agents, n_components = env.n_profiles, env.n_agents, env.n_components
    allocation = cp.Variable((n_profiles, n_components))
    payments = cp.Variable((n_profiles, n_agents))
    types = layout.profile_types
    values = [env.values_at_profiles(i) for i in range(n_agents)]
    joint = env.prior.joint

    def value(i, true_profile, outcome_profile):
        return sum(
            values[i][true_profile, c] * allocation[outcome_profile, c]
            for c in range(n_components)
            if values[i][true_profile, c] != 0
        )

    def utility(i, true_profile, outcome_profile):
        return value(i, true_profile, outcome_profile) - payments[outcome_profile, i]

    def deviation(i, p, report):
        profile = types[p].copy()
        profile[i] = report
        return int(layout.profile_index(profile))

    space = env.allocation
    feasibility = space.matrix.toarray()
    rows = []
    for p in range(n_profiles):  # feasibility: bounds, then each row of the space
        for c in range(n_components):
            rows += [allocation[p, c] >= space.lower[c], allocation[p, c] <= space.upper[c]]
        for r in range(feasibility.shape[0]):
            total = sum(
                feasibility[r, c] * allocation[p, c]
                for c in range(n_components)
                if feasibility[r, c]
            )
            if space.row_upper[r] < float("inf"):
                rows.append(total <= space.row_upper[r])
            if space.row_lower[r] > -float("inf"):
                rows.append(total >= space.row_lower[r])
    for name in constraints:
        for i in range(n_agents):
            n_types = env.type_counts[i]
            if name == "dominant_strategy_ic":
                for p in range(n_profiles):
                    for report in range(n_types):
                        if report != types[p, i]:
                            q = deviation(i, p, report)
                            rows.append(utility(i, p, q) <= utility(i, p, p))
            elif name == "bayesian_ic":
                for k in range(n_types):
                    own = [p for p in range(n_profiles) if types[p, i] == k]
                    weight = sum(joint[p] for p in own)
                    for report in range(n_types):
                        if report != k:
                            rows.append(
                                sum(
                                    joint[p]
                                    / weight
                                    * (utility(i, p, deviation(i, p, report)) - utility(i, p, p))
                                    for p in own
                                )
                                <= 0
                            )
            elif name == "ex_post_ir":
                for p in range(n_profiles):
                    rows.append(utility(i, p, p) >= env.outside_options[i][types[p, i]])
            elif name == "interim_ir":
                for k in range(n_types):
                    own = [p for p in range(n_profiles) if types[p, i] == k]
                    weight = sum(joint[p] for p in own)
                    rows.append(
                        sum(joint[p] / weight * utility(i, p, p) for p in own)
                        >= env.outside_options[i][k]
                    )
        if name in ("ex_post_budget_balance", "ex_post_no_deficit"):
            for p in range(n_profiles):
                surplus = sum(payments[p, i] for i in range(n_agents)) + sum(
                    env.principal_value[c] * allocation[p, c] for c in range(n_components)
                )
                rows.append(surplus == 0 if name == "ex_post_budget_balance" else surplus >= 0)
    if objective == "revenue":
        goal = sum(joint[p] * payments[p, i] for p in range(n_profiles) for i in range(n_agents))
    else:
        include_principal = objective == "welfare"
        weights = env.surplus_weights(include_principal)
        goal = sum(
            joint[p] * weights[p, c] * allocation[p, c]
            for p in range(n_profiles)
            for c in range(n_components)
            if weights[p, c]
        )
    problem = cp.Problem(cp.Maximize(goal), rows)
    build_seconds = time.perf_counter() - start
    problem.solve(solver=cp.HIGHS)
    total = time.perf_counter() - start
    return {
        "optimum": float(problem.value),
        "status": problem.status,
        "build_seconds": build_seconds,
        "solve_seconds": float(problem.solver_stats.solve_time or 0.0),
        "total_seconds": total,
        "rows": len(rows),
    }


__all__ = ["solve_naively"]
