"""
Which allocation rules can be implemented? Monotonicity, envelope, Rochet, audits
=================================================================================

Question: given a rule someone proposes, are there payments that make it
truthful, and what are they?

Theory (seed notes §1.2–1.3): with single-parameter values, a rule is
implementable iff monotone, and payments follow the envelope formula — on a
finite grid only up to an interval (Thm. 1.4). In general, a rule is
implementable iff cyclically monotone (Rochet, Thm. 1.5); weak monotonicity is
not enough.

What to look for: a rock–paper–scissors rule that is weakly but not cyclically
monotone, caught with its cycle; envelope payments for a monotone lottery, both
ends of the interval; an audit of pay-your-bid showing regret.
"""

import numpy as np

import lpmech
from lpmech.analytic import first_price, second_price
from lpmech.characterisation import cyclical_monotonicity, envelope_payments, rochet_payments
from lpmech.checks.auditing import audit

# Each type values its own outcome 0, the next +1, the previous −1.
values = np.array([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]])
agent = lpmech.Agent("chooser", values, [1 / 3] * 3, labels=["rock", "paper", "scissors"])
env = lpmech.Environment([agent], lpmech.Outcomes(["x", "y", "z"]), [values])
report = cyclical_monotonicity(env, np.eye(3))
print("rule 'type k gets outcome k':", report)
assert report.weakly_monotone
assert not report.implementable
efficient = rochet_payments(env, env.efficient_allocation())
print(
    "the efficient rule instead: Rochet payments",
    efficient.flat_payments.ravel().tolist(),
    "—",
    "IC" if efficient.verify(["dsic", "ex_post_ir"]).ok else "not IC",
)

auction = lpmech.single_item_auction([1.0, 2.0, 4.0], n_bidders=1)
lottery = [[0.0], [0.5], [1.0]]
ends = envelope_payments(auction, lottery)
print(
    "envelope payments for the lottery (0, ½, 1): lowest",
    ends.lowest.flat_payments.ravel().tolist(),
    "highest",
    ends.highest.flat_payments.ravel().tolist(),
)

bidders = lpmech.single_item_auction([1.0, 2.0, 3.0, 5.0], n_bidders=2)
pay_your_bid = audit(first_price(bidders))
vickrey = audit(second_price(bidders))
print(
    f"largest gain from lying: pay-your-bid {pay_your_bid.max_ex_post_regret:.2f}, "
    f"second price {vickrey.max_ex_post_regret:.2f}"
)
assert pay_your_bid.max_ex_post_regret > 0
assert vickrey.max_ex_post_regret == 0

# %%
# Regret by type: pay-your-bid tempts every type above the lowest to shade its
# bid; the second-price auction never does.
figure = pay_your_bid.plot()
