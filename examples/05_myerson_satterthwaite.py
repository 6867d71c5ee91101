"""
Myerson–Satterthwaite: efficient bilateral trade cannot balance its budget
==========================================================================

Question: a buyer and a seller with values and costs uniform on a grid of [0, 1].
Is there a mechanism that trades exactly when value exceeds cost, is IC and IR,
and needs no outside money?

Theory (Myerson and Satterthwaite 1983): the least subsidy efficient trade needs is
E[(γ(s) − φ(b)) 1{b > s}] (virtual cost minus virtual value). When it is positive
— overlapping supports — the LP with budget balance is infeasible; the second best
gives up some trades. On [0, 1] the gains tend to 1/6 (first best) and 9/64
(second best).

What to look for: infeasibility named by its conflicting families; LP subsidy =
formula; second best below first best; disjoint supports trade freely.
"""

import numpy as np

import lpmech
from lpmech.analytic import efficient_trade_deficit, first_best_gains, second_best_gains

grid = np.linspace(0.0, 1.0, 7)
env = lpmech.bilateral_trade(grid, grid)
try:
    lpmech.solve(
        env,
        "gains_from_trade",
        ["bic", "interim_ir", "ex_post_budget_balance", "efficient_allocation"],
    )
    raise AssertionError("efficient, IC, IR, budget-balanced trade should be infeasible")
except lpmech.InfeasibleDesignError as error:
    print(
        "efficient + BIC + interim IR + budget balance:", " + ".join(error.conflicting), "conflict"
    )
subsidy = lpmech.solve(env, "deficit", ["bic", "interim_ir", "efficient_allocation"])
formula = efficient_trade_deficit(env)
print(f"least subsidy: LP {subsidy.objective_value:.4f} = formula {formula:.4f}")
second = lpmech.solve(env, "gains_from_trade", ["bic", "interim_ir", "ex_post_budget_balance"])
print(
    f"gains from trade: first best {first_best_gains(env):.4f}, second best LP "
    f"{second.objective_value:.4f} = formula {second_best_gains(env):.4f}"
)

apart = lpmech.bilateral_trade([2.0, 3.0], [0.0, 1.0])
lpmech.solve(
    apart,
    "gains_from_trade",
    ["bic", "interim_ir", "ex_post_budget_balance", "efficient_allocation"],
)
print(
    "disjoint supports: efficient trade balances its budget "
    f"(subsidy {efficient_trade_deficit(apart):.2f})"
)
assert abs(subsidy.objective_value - formula) < 1e-6
assert formula > 0
assert second.objective_value < first_best_gains(env) - 1e-6

# %%
# The second best by type, in natural signs: the buyer's probability of trade
# and payment, the seller's probability of trade and the payment it receives.
figure = second.plot()
