"""
Adding a constraint of your own: a bilateral trade where the principal never pays
=================================================================================

Question: how much of the gains from trade survive if the intermediary may not
subsidise anyone (t_i(θ) ≥ 0), compared with a budget-balanced intermediary?

A constraint family is one class with two readings of the same requirement:
rows for the program and a violation measured from the definition. We check that
the two agree (lpmech.testing.check_family), solve with the family beside the
built-ins, and verify the optimum.

What to look for: without subsidies the seller is never paid, so it only trades
when its cost is 0; gains from trade fall to P(cost = 0)·E[value].
"""

import numpy as np

import lpmech
from lpmech import ConstraintFamily, RowBlock
from lpmech.testing import check_family


class NoSubsidies(ConstraintFamily):
    """t_i(θ) ≥ 0 for every agent and profile: one row per payment column."""

    name = "no_subsidies"

    def rows(self, env):
        layout = env.layout
        n = layout.n_payment_columns
        payment_columns = layout.n_allocation_columns + np.arange(n)
        return RowBlock.from_entries(
            np.arange(n), payment_columns, np.ones(n), shape=(n, layout.n_columns), lower=0.0
        )

    def violation(self, mechanism):
        return np.maximum(-mechanism.flat_payments, 0.0).ravel()

    def describe(self, env, index):
        profile, agent = divmod(index, env.n_agents)
        return f"{env.agents[agent].name} paid at {env.describe_profile(profile)}"


grid = np.array([0.0, 0.5, 1.0])
env = lpmech.bilateral_trade(grid, grid)
check_family(NoSubsidies(), env)
print("rows and violation of no_subsidies agree on random mechanisms")

balanced = lpmech.solve(env, "gains_from_trade", ["dsic", "ex_post_ir", "ex_post_no_deficit"])
unpaid = lpmech.solve(env, "gains_from_trade", ["dsic", "ex_post_ir", NoSubsidies()])
formula = (1 / 3) * grid.mean()  # P(cost = 0) · E[value]
print(f"gains from trade, no deficit:   {balanced.objective_value:.6f}")
print(
    f"gains from trade, no subsidies: {unpaid.objective_value:.6f} "
    f"(formula P(cost=0)·E[value] = {formula:.6f})"
)
print(unpaid.verification)
assert abs(unpaid.objective_value - formula) < 1e-9

# %%
# The optimum without subsidies: the seller trades only at cost 0 and is never
# paid.
figure = unpaid.plot()
