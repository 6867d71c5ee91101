"""
Finite optima converge to continuous results as the type grid refines
=====================================================================

Question: how close does an LP on an n-point grid come to the classic continuous
answers for values uniform on [0, 1]?

Theory: one bidder, revenue 1/4 (price 1/2); two bidders, 5/12 (Myerson, reserve
1/2); bilateral trade, second-best gains 9/64 against first-best 1/6
(Myerson–Satterthwaite); one bidder and two additive items, (12 + 2√2)/27 ≈ 0.5492
(Manelli–Vincent).

How: every (setting, n) is one point of a single ``lpmech.sweep``. Here it runs
in this process (``executor="serial"``); the default, ``"processes"``, runs the
points on every core, and then a script must keep its work under
``if __name__ == "__main__":``.

What to look for: every gap to the continuous value shrinks as n grows.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy import stats

import lpmech
from lpmech.analytic import UNIFORM_FIRST_BEST, UNIFORM_SECOND_BEST, discretise
from lpmech.analytic.bundling import MANELLI_VINCENT_REVENUE
from lpmech.numbers.formatting import format_table

#: setting → (description, continuous limit, grid sizes n)
SETTINGS = {
    "one_bidder": ("one bidder, revenue", 1 / 4, (5, 10, 20, 40)),
    "two_bidders": ("two bidders, revenue", 5 / 12, (5, 10, 20, 40)),
    "trade": ("bilateral trade, second best", UNIFORM_SECOND_BEST, (5, 10, 20, 40)),
    "two_items": ("two items, revenue", MANELLI_VINCENT_REVENUE, (3, 5, 8, 12)),
}


def design(setting, n):
    """The design problem of ``setting`` on the n-point uniform grid, as solve's arguments."""
    values, prior = discretise(stats.uniform(), n, grid="uniform")
    if setting == "trade":
        return {
            "env": lpmech.bilateral_trade(values, values, prior, prior),
            "objective": "gains_from_trade",
            "constraints": ["bic", "interim_ir", "ex_post_budget_balance"],
        }
    if setting == "two_items":
        types = np.array([[x, y] for x in values for y in values])
        env = lpmech.multi_item_auction(types, 1, priors=[np.outer(prior, prior).ravel()])
    else:
        env = lpmech.single_item_auction(values, 1 if setting == "one_bidder" else 2, priors=prior)
    return {"env": env, "objective": "revenue", "constraints": ["dsic", "ex_post_ir"]}


def main():
    grid = [
        {"setting": setting, "n": n} for setting, (*_, sizes) in SETTINGS.items() for n in sizes
    ]
    table = lpmech.sweep(design, grid, executor="serial")
    assert (table["status"] == "optimal").all(), table[["setting", "n", "status", "message"]]
    table["continuous"] = [SETTINGS[setting][1] for setting in table["setting"]]
    table["distance"] = table["objective"] - table["continuous"]
    rows = []
    for setting, points in table.groupby("setting", sort=False):
        name = SETTINGS[setting][0]
        gaps = points["distance"].abs().to_numpy()
        assert gaps[-1] < gaps[0], f"{name}: the gap should shrink"
        rows += [
            (name, n, optimum, limit, distance)
            for n, optimum, limit, distance in points[
                ["n", "objective", "continuous", "distance"]
            ].itertuples(index=False)
        ]
    print(format_table(("setting", "grid n", "LP optimum", "continuous", "gap"), rows))
    print(f"(first best for bilateral trade: {UNIFORM_FIRST_BEST:.4f})")
    print(f"{len(table)} solves in one sweep; every gap shrinks as the grid refines")
    return table


table = main()

# %%
# Each setting's finite optima against the grid size n, with the continuous
# limit as a dotted line.
figure, axes = plt.subplots(2, 2, figsize=(9, 6.4), layout="constrained")
for ax, (setting, (name, limit, _)) in zip(axes.ravel(), SETTINGS.items(), strict=True):
    lpmech.plots.convergence(table[table["setting"] == setting], "n", limit=limit, ax=ax)
    ax.set_title(name)
