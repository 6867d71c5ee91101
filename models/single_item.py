"""Optimal single-item auction with discrete uniform values (Myerson 1981).

N bidders with values uniform on {1, …, K}; the seller maximises expected revenue
under dominant-strategy IC and ex-post IR. The optimum sells to the highest
non-negative discrete virtual value φ(v_k) = v_k − (v_{k+1} − v_k)(1 − F(v_k))/f(v_k).
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic import Benchmark, exact_values, myerson, myerson_revenue
from lpmech.models.spec import ModelSpec
from lpmech.problem.builders import single_item_auction
from lpmech.problem.environment import Environment


def build(n_bidders: int = 2, n_types: int = 4) -> Environment:
    """N bidders with values uniform on {1, …, n_types}."""
    return single_item_auction(np.arange(1, n_types + 1), n_bidders)


SPEC = ModelSpec(
    name="single_item",
    title="optimal single-item auction, uniform values 1..K",
    build=build,
    objective="revenue",
    constraints=("dominant_strategy_ic", "ex_post_ir"),
    benchmark=lambda env: Benchmark(
        "Myerson E[max φ⁺]", myerson_revenue(env), mechanism=myerson(env)
    ),
    source="Myerson (1981), Optimal auction design; seed slides (virtual values)",
    exact_benchmark=exact_values.myerson_revenue,
)
