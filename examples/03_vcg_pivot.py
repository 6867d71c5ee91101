"""
VCG and the Clarke pivot: efficient in dominant strategies, but not budget balanced
===================================================================================

Question: three agents value a public project at 0, 1 or 2 each; it costs 2.5.
Can we build it exactly when it is worth it, with truthful reporting a dominant
strategy and nobody worse off for taking part?

Theory (seed notes Def. 2.4–2.5, Rem. 2.5): the efficient rule with pivot payments
t_i = W_{-i} − (others' welfare) is DSIC and ex-post IR, so the welfare optimum
under those constraints is the first best E[(Σθ − c)⁺] — but the payments need not
cover the cost.

What to look for: LP optimum = first best = the pivot's welfare; the pivot's
budget shows a deficit at some profiles.
"""

import lpmech
from lpmech.analytic import clarke_pivot, efficient_welfare

env = lpmech.public_good([0.0, 1.0, 2.0], n_agents=3, cost=2.5)
optimum = lpmech.solve(env, "welfare", ["dsic", "ex_post_ir"]).objective_value
pivot = clarke_pivot(env)
print(
    f"LP optimum {optimum:.4f} = first best {efficient_welfare(env):.4f} "
    f"= pivot welfare {pivot.expected_welfare():.4f}"
)
report = pivot.verify(["dsic", "ex_post_ir", "ex_post_no_deficit"])
print(report)
worst = pivot.budget_surplus().min()
print(
    f"largest deficit of the pivot at one profile: {-worst:.2f} (the whole cost: "
    "no agent is pivotal)"
)
assert abs(optimum - efficient_welfare(env)) < 1e-6
assert not report["ex_post_no_deficit"].ok

# %%
# The pivot mechanism by type: the project is built more often the more an
# agent values it, and an agent pays only when it is pivotal.
figure = pivot.plot()
