"""
Which optimum? Revenue equivalence, and theory's mechanisms as the LP's answer
==============================================================================

Question: the optimal auction for two bidders with values 1–4 has many optimal
mechanisms. What do they all share, and which one does theory pick?

Theory (Myerson 1981; seed notes Thm. 1.4, revenue equivalence): the allocation
rule and the lowest type's utility pin down every interim payment, and expected
revenue is E[max φ⁺] for every optimum. But the allocation itself is not unique:
where virtual values tie (both bidders of value 3 have φ = 2) the item may go
either way, and a type with φ = 0 may or may not be served, so the payments that
follow the allocation are open. Myerson's auction (ties to the first bidder) is
one of the optima.

What to look for: the lowest type's interim payment and the expected revenue have
one value over all optima, while a payment at a tied profile ranges over [0, 3];
tie-breaking towards Myerson's auction returns it exactly; without a tie-break the
identical bidders still get identical rules.
"""

import numpy as np

import lpmech
from lpmech import Quantity, optimal_range
from lpmech.analytic import myerson

env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
dsic = ["dominant_strategy_ic", "ex_post_ir"]
solution = lpmech.solve(env, "revenue", dsic)
revenue = Quantity(
    "expected revenue",
    Quantity.expected_payment(env, 0).coefficients
    + Quantity.expected_payment(env, 1).coefficients,
)
for quantity in (
    Quantity.interim_payment(env, "bidder 1", "1"),
    revenue,
    Quantity.interim_payment(env, "bidder 1", "4"),
    Quantity.payment(env, "bidder 1", ("3", "3")),
):
    span = optimal_range(solution, quantity)
    verdict = "pinned" if span.pinned() else "open"
    print(f"{span.quantity:45s} over all optima: [{span.low:+.4f}, {span.high:+.4f}] {verdict}")

rules = [solution.mechanism.interim_quantity(i) for i in range(2)]
print(f"interim winning probabilities, bidder 1: {rules[0]}, bidder 2: {rules[1]}")
target = myerson(env)
recovered = lpmech.solve(env, "revenue", dsic, tie_break=target)
difference = max(
    np.abs(recovered.mechanism.flat_payments - target.flat_payments).max(),
    np.abs(recovered.mechanism.flat_allocation - target.flat_allocation).max(),
)
print(f"tie-broken towards Myerson's auction: largest ex-post difference {difference:.2g}")

assert optimal_range(solution, Quantity.interim_payment(env, 0, 0)).pinned()
assert optimal_range(solution, revenue).pinned()
assert not optimal_range(solution, Quantity.payment(env, 0, (2, 2))).pinned()
assert np.allclose(rules[0], rules[1], atol=1e-9)
assert difference <= 1e-7

# %%
# Myerson's auction, recovered by the tie-break: bidder 1's ex-post rule
# against its own value when bidder 2 has value 3.
figure = lpmech.plots.ex_post_rule(recovered.mechanism, "bidder 1", others={"bidder 2": "3"})
