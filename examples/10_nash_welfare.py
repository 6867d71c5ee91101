"""
Nash welfare: a public project that every type of every agent is glad of
========================================================================

Question: the public project of 04_agv.py (three agents, values 0–2, cost 2.5),
funded with a balanced budget under Bayesian IC. Instead of total welfare,
maximise Nash welfare — the sum of the logs of the agents' utilities — so that
no one is left with nothing. How much welfare does that fairness cost?

Theory (lpmech.analytic.nash): expected utilities add up to at most the first
best W*, so by AM–GM the ex-ante Nash welfare Σ_i log E[u_i] is at most
N log(W*/N); AGV with lump sums that split W* equally attains it, with no loss
of welfare. The interim Nash welfare Σ_i E[log U_i(θ_i)] asks every type to
expect a gain; by Jensen it obeys the same bound, and here it gives up builds.

What to look for: the ex-ante optimum equals N log(W*/N) and is efficient; the
interim optimum stays below the bound, gives every type a positive interim
utility and loses welfare. Both are concave programs: lpmech picks Clarabel, and
SCS, a first-order solver, reaches the same interim optimum within its stated
tolerance.
"""

import matplotlib.pyplot as plt
import numpy as np

import lpmech
from lpmech.analytic import efficient_welfare, nash_welfare_bound
from lpmech.backends.solver_choice import verification_tolerance

env = lpmech.public_good([0.0, 1.0, 2.0], n_agents=3, cost=2.5)
constraints = ["bayesian_ic", "ex_post_budget_balance"]
first_best, bound = efficient_welfare(env), nash_welfare_bound(env)

ex_ante = lpmech.solve(env, "ex_ante_nash_welfare", constraints)
print(
    f"ex-ante Nash welfare {ex_ante.objective_value:.6f} = N log(W*/N) = {bound:.6f} "
    f"(solver {ex_ante.report.solver}); welfare {ex_ante.mechanism.expected_welfare():.4f} "
    f"= first best {first_best:.4f}"
)

interim = lpmech.solve(env, "nash_welfare", constraints)
welfare = interim.mechanism.expected_welfare()
print(
    f"interim Nash welfare {interim.objective_value:.6f} ≤ {bound:.6f}; welfare "
    f"{welfare:.4f}, {100 * (1 - welfare / first_best):.1f}% below the first best"
)
for i, agent in enumerate(env.agents):
    print(
        f"  {agent.name}: interim utility by type "
        f"{np.round(interim.mechanism.interim_utility(i), 4).tolist()}"
    )

first_order = lpmech.solve(env, "nash_welfare", constraints, solver="SCS")
tolerance = verification_tolerance("SCS", 1e-6)
print(f"SCS: {first_order.objective_value:.6f} (stated tolerance {tolerance:g})")

assert ex_ante.verification.ok
assert interim.verification.ok
assert abs(ex_ante.objective_value - bound) < 1e-6
assert abs(ex_ante.mechanism.expected_welfare() - first_best) < 1e-6
assert interim.objective_value < bound - 0.1
assert welfare < first_best - 0.05
assert min(interim.mechanism.interim_utility(i).min() for i in range(env.n_agents)) > 0
assert abs(first_order.objective_value - interim.objective_value) <= tolerance * abs(
    interim.objective_value
)

# %%
# Interim utility by type, for the first agent: the interim Nash optimum gives
# every type a positive expected gain.
agent = env.agents[0]
figure, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
width = 0.35
positions = np.arange(agent.n_types)
for shift, (name, solution) in zip(
    (-width / 2, width / 2),
    (("ex-ante Nash welfare", ex_ante), ("interim Nash welfare", interim)),
    strict=True,
):
    ax.bar(positions + shift, solution.mechanism.interim_utility(0), width, label=name)
ax.set_xticks(positions, agent.labels)
ax.set_xlabel(f"type of {agent.name}")
ax.set_ylabel("expected utility U(θ)")
ax.legend()
