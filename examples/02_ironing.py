"""
Ironing: when virtual values are not monotone
=============================================

Question: values 1, 2, 3 with probabilities 0.45, 0.1, 0.45 — the middle type is
rare, so its virtual value dips below the lowest type's. What is optimal?

Theory (Myerson 1981, §6): a rule ranking bidders by raw virtual values is not
monotone, hence not implementable (seed notes Lem. 1.2). Ironing replaces the
revenue curve by its concave hull; the optimal auction ranks by the ironed
virtual values φ̄ and earns E[max φ̄⁺].

What to look for: the raw φ is not monotone; the rule built on it has no IC
payments (the LP with it fixed is infeasible); the ironed rule's revenue equals
the LP optimum.
"""

import numpy as np

import lpmech
from lpmech import FixedAllocation
from lpmech.analytic import ironed_virtual_values, myerson, myerson_revenue, virtual_values
from lpmech.characterisation import check_monotone

values, prior = np.array([1.0, 2.0, 3.0]), np.array([0.45, 0.1, 0.45])
raw, ironed = virtual_values(values, prior), ironed_virtual_values(values, prior)
print("raw φ:   ", raw.round(4).tolist())
print("ironed φ̄:", ironed.round(4).tolist())

env = lpmech.single_item_auction(values, 2, priors=prior)
scores = raw[env.layout.profile_types]
winner = np.argmax(scores, axis=1)
unironed = np.zeros((env.n_profiles, 2))
sells = scores[np.arange(env.n_profiles), winner] >= -0.5
unironed[np.flatnonzero(sells), winner[sells]] = 1.0
print("rule ranking raw φ:", check_monotone(env, unironed))
try:
    lpmech.solve(env, "revenue", ["dsic", FixedAllocation(unironed)])
    raise AssertionError("the unironed rule should have no IC payments")
except lpmech.InfeasibleDesignError as error:
    print("LP with that rule fixed:", str(error).split(".")[0])

optimum = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]).objective_value
print(
    f"LP optimum {optimum:.4f} = ironed Myerson {myerson_revenue(env):.4f} "
    f"(mechanism earns {myerson(env).expected_revenue():.4f})"
)
assert abs(optimum - myerson_revenue(env)) < 1e-6

# %%
# The raw virtual value dips at the rare middle type; ironing flattens it over
# the shaded interval, where the optimal auction treats the types alike.
figure = lpmech.plots.virtual_values(env)
