"""
Myerson's optimal auction, recovered as an LP optimum
=====================================================

Question: what is the revenue-maximising way to sell one item to bidders whose
values are private and uniform on {1, …, 5}?

Theory (Myerson 1981; seed notes §1.4, slides): give the item to the highest
non-negative virtual value φ(v_k) = v_k − (v_{k+1} − v_k)(1 − F(v_k))/f(v_k) and
charge threshold prices; the revenue is E[max_i φ(θ_i)⁺]. Dominant-strategy and
Bayesian IC give the same optimum.

What to look for: the LP optimum equals the formula for 1, 2 and 3 bidders, under
DSIC with ex-post IR and under BIC with interim IR.
"""

import numpy as np

import lpmech
from lpmech.analytic import myerson_revenue, virtual_values

values = np.arange(1.0, 6.0)
print("virtual values:", virtual_values(values, np.full(5, 0.2)).round(6).tolist())
for n_bidders in (1, 2, 3):
    env = lpmech.single_item_auction(values, n_bidders)
    formula = myerson_revenue(env)
    dsic = lpmech.solve(env, "revenue", ["dominant_strategy_ic", "ex_post_ir"])
    bic = lpmech.solve(env, "revenue", ["bayesian_ic", "interim_ir"])
    print(
        f"{n_bidders} bidder(s): LP optimum {dsic.objective_value:.4f} (DSIC) "
        f"= {bic.objective_value:.4f} (BIC) = Myerson {formula:.4f}"
    )
    assert abs(dsic.objective_value - formula) < 1e-6
    assert abs(bic.objective_value - formula) < 1e-6
print("DSIC and BIC optima coincide with E[max φ⁺]")

# %%
# The optimum for three bidders, by type: each bidder's probability of winning
# jumps where its virtual value turns positive, and its utility rises by the
# envelope formula.
figure = dsic.plot()
