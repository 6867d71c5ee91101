"""Optimal procurement: a buyer buys one contract from sellers with private costs.

N sellers with costs uniform on {1, …, K}; the buyer values the contract at R and
maximises its expected profit E[R·(bought) − payments] under dominant-strategy IC
and ex-post IR. The reverse of Myerson's auction: buy from the lowest ironed
virtual cost γ̄(c_k) = c_k + (c_k − c_{k−1}) F(c_{k−1})/f(c_k) when it is below R,
and pay the winner its threshold, the highest cost at which it still wins.
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic import Benchmark, exact_values, myerson, myerson_revenue
from lpmech.models.spec import ModelSpec
from lpmech.problem.builders import procurement_auction
from lpmech.problem.environment import Environment


def build(n_sellers: int = 2, n_types: int = 4, buyer_value: float = 5.0) -> Environment:
    """N sellers with costs uniform on {1, …, n_types}; the buyer values the contract at R."""
    return procurement_auction(np.arange(1, n_types + 1), n_sellers, buyer_value=buyer_value)


SPEC = ModelSpec(
    name="procurement",
    title="optimal procurement auction, costs uniform 1..K",
    build=build,
    objective="profit",
    constraints=("dominant_strategy_ic", "ex_post_ir"),
    benchmark=lambda env: Benchmark(
        "reverse Myerson E[(R − min γ̄)⁺]", myerson_revenue(env), mechanism=myerson(env)
    ),
    source="Myerson (1981), §6 reversed; seed slides (virtual costs)",
    exact_benchmark=exact_values.myerson_revenue,
)
