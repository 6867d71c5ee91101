"""
AGV: efficient and budget balanced, in Bayesian equilibrium — but not voluntary
===============================================================================

Question: the same public project (three agents, values 0–2, cost 2.5). If we only
ask for Bayesian IC, can payments cover the cost at every profile while the
project is built exactly when efficient?

Theory (d'Aspremont–Gérard-Varet, Arrow; seed notes Def. 2.7, Rem. 2.7–2.8): the
expected-externality mechanism is efficient, BIC and ex-post budget balanced
(here each agent also pays a third of the cost). It is not interim IR in general,
and requiring participation costs welfare.

What to look for: LP welfare under BIC + ex-post budget balance = first best =
AGV's welfare; AGV violates interim IR; adding interim IR lowers the optimum.
"""

import matplotlib.pyplot as plt

import lpmech
from lpmech.analytic import agv, efficient_welfare

env = lpmech.public_good([0.0, 1.0, 2.0], n_agents=3, cost=2.5)
first_best = efficient_welfare(env)
balanced = lpmech.solve(env, "welfare", ["bic", "ex_post_budget_balance"]).objective_value
mechanism = agv(env)
print(
    f"LP optimum {balanced:.4f} = first best {first_best:.4f} = AGV welfare "
    f"{mechanism.expected_welfare():.4f}"
)
report = mechanism.verify(["bic", "ex_post_budget_balance", "interim_ir"])
print(report)
voluntary = lpmech.solve(env, "welfare", ["bic", "ex_post_budget_balance", "interim_ir"])
print(f"with interim IR as well, the optimum falls to {voluntary.objective_value:.4f}")
assert abs(balanced - first_best) < 1e-6
assert not report["interim_ir"].ok
assert voluntary.objective_value < first_best - 1e-6

# %%
# Interim utility by type: AGV leaves the lowest type below its outside option
# (zero); the welfare optimum with interim IR lifts it to zero.
figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True, layout="constrained")
lpmech.plots.interim(mechanism, "utility", ax=left)
left.set_title("AGV")
lpmech.plots.interim(voluntary.mechanism, "utility", ax=right)
right.set_title("optimum with interim IR")
for ax in (left, right):
    ax.axhline(0.0, color="grey", linewidth=0.8)
