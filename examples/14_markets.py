"""
Procurement, multi-unit and double auctions: the settings a course starts from
==============================================================================

Question: three markets beyond the single item. A buyer buys a contract from
two sellers with private costs; a seller sells k identical units to four
unit-demand bidders; two buyers and two sellers trade a good. What do the
optimal mechanisms earn, and how far are the standard ones from them?

Theory:

* procurement (Myerson 1981, reversed): buy from the seller with the lowest
  ironed virtual cost γ̄(c) = c + F(c)/f(c) (discrete form) when it is below the
  buyer's value R, pay the winner its threshold; profit E[(R − min γ̄)⁺]. The
  reverse second-price auction with reserve R is DSIC and IR but earns less;
* k units (Myerson 1981): serve the k highest non-negative virtual values,
  revenue E[Σ top-k φ⁺]; VCG charges the uniform (k+1)-st price;
* double auction (McAfee 1992; Myerson–Satterthwaite): McAfee's trade
  reduction is DSIC, IR and never in deficit but may give up one trade; VCG is
  efficient but runs a deficit; the LP finds the second best under Bayesian IC,
  interim IR and ex-post budget balance, between McAfee and the first best.

What to look for: LP optima on the formulas (procurement, k units); VCG and the
reverse second price below them; in the double auction with one buyer and one
seller the second best strictly below the first best, with two of each equal to
it on this grid.
"""

import matplotlib.pyplot as plt
import numpy as np

import lpmech
from lpmech.analytic import (
    balance_budget,
    double_auction_first_best,
    double_auction_vcg_deficit,
    mcafee,
    myerson_revenue,
    reverse_second_price,
    second_price,
)

DSIC_IR = ["dsic", "ex_post_ir"]
SECOND_BEST = ["bic", "interim_ir", "ex_post_budget_balance"]

# --- procurement: profit against the buyer's value R
costs = np.arange(1.0, 5.0)
buyer_values = np.arange(2.0, 8.5, 0.5)
procurement = {"LP optimum": [], "reverse Myerson": [], "reverse second price": []}
for value in buyer_values:
    env = lpmech.procurement_auction(costs, n_sellers=2, buyer_value=value)
    optimum = lpmech.solve(env, "profit", DSIC_IR).objective_value
    formula = myerson_revenue(env)
    vickrey = lpmech.Profit().value(reverse_second_price(env, reserve=value))
    assert abs(optimum - formula) < 1e-9 * value
    assert vickrey <= optimum + 1e-9
    for key, number in zip(procurement, (optimum, formula, vickrey), strict=True):
        procurement[key].append(number)
print(f"procurement, R = {buyer_values[-1]:g}: optimum {procurement['LP optimum'][-1]:.4f}")

# --- k units to four unit-demand bidders with values uniform on {1, ..., 4}
units = np.arange(1, 5)
multi_unit = {"LP optimum": [], "Myerson E[Σ top-k φ⁺]": [], "VCG, (k+1)-st price": []}
for k in units:
    env = lpmech.multi_unit_auction(np.arange(1.0, 5.0), n_bidders=4, n_units=int(k))
    optimum = lpmech.solve(env, "revenue", DSIC_IR).objective_value
    vcg = second_price(env).expected_revenue()
    assert abs(optimum - myerson_revenue(env)) < 1e-9
    assert vcg <= optimum + 1e-9
    for key, number in zip(multi_unit, (optimum, myerson_revenue(env), vcg), strict=True):
        multi_unit[key].append(number)
    print(f"{k} unit(s): optimum {optimum:.4f}, VCG {vcg:.4f}")

# --- double auctions on the grid {0, 1/6, ..., 1}: one and two traders per side
grid = np.linspace(0.0, 1.0, 7)
double = {"first best": [], "LP second best": [], "McAfee": [], "VCG deficit": []}
for n in (1, 2):
    env = lpmech.double_auction(grid, grid, n_buyers=n, n_sellers=n)
    second_best = lpmech.solve(env, "gains_from_trade", SECOND_BEST).objective_value
    first_best = double_auction_first_best(env)
    reduced = lpmech.GainsFromTrade().value(balance_budget(mcafee(env)))
    assert reduced - 1e-9 <= second_best <= first_best + 1e-9
    numbers = (first_best, second_best, reduced, double_auction_vcg_deficit(env))
    for key, number in zip(double, numbers, strict=True):
        double[key].append(number)
    print(
        f"{n} buyer(s) and seller(s): first best {first_best:.4f}, second best "
        f"{second_best:.4f}, McAfee {reduced:.4f}, VCG deficit {numbers[3]:.4f}"
    )
assert double["LP second best"][0] < double["first best"][0] - 1e-3  # Myerson–Satterthwaite
assert abs(double["LP second best"][1] - double["first best"][1]) < 1e-9  # two a side: efficient

# %%
# Left: the buyer's expected profit in procurement against its value for the
# contract. Middle: revenue from k units. Right: expected gains from trade and
# VCG's deficit with one and two traders per side.
figure, (left, middle, right) = plt.subplots(1, 3, figsize=(12, 3.8), layout="constrained")
left.plot(buyer_values, procurement["reverse Myerson"], color="black", label="reverse Myerson")
left.plot(buyer_values, procurement["LP optimum"], "o", color="C0", label="LP optimum")
left.plot(
    buyer_values,
    procurement["reverse second price"],
    "s",
    color="C1",
    markersize=4,
    label="reverse second price, reserve R",
)
left.set_xlabel("buyer's value for the contract R")
left.set_ylabel("expected profit")
left.set_title("procurement, 2 sellers, costs 1..4")
left.legend()
middle.plot(units, multi_unit["Myerson E[Σ top-k φ⁺]"], color="black", label="Myerson")
middle.plot(units, multi_unit["LP optimum"], "o", color="C0", label="LP optimum")
middle.plot(units, multi_unit["VCG, (k+1)-st price"], "s", color="C1", label="VCG")
middle.set_xticks(units)
middle.set_xlabel("units k")
middle.set_ylabel("expected revenue")
middle.set_title("k units, 4 unit-demand bidders")
middle.legend()
positions = np.arange(2)
for shift, key in zip((-0.3, -0.1, 0.1, 0.3), double, strict=True):
    right.bar(positions + shift, double[key], 0.2, label=key)
right.set_xticks(positions, ["1 buyer, 1 seller", "2 buyers, 2 sellers"])
right.set_ylabel("expected gains / deficit")
right.set_title("double auction, grid of 7 on [0, 1]")
right.legend(fontsize="small")
