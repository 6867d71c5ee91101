"""An optimal auction with asymmetric bidders and a seller who values the item.

A weak bidder (values 1..4, uniform) and a strong one (values 2..6, weighted up),
and a seller whose own value is ``seller_value``. The designer maximises the
seller's profit under Bayesian IC and interim IR; the benchmark sells to the
highest ironed virtual value above the seller's value, E[max(max_i φ̄_i − r, 0)].
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic import Benchmark, exact_values, myerson, myerson_revenue
from lpmech.models.spec import ModelSpec
from lpmech.problem.builders import single_item_auction
from lpmech.problem.environment import Environment


def build(seller_value: float = 1.0) -> Environment:
    """A uniform weak bidder on 1..4 and a strong bidder on 2..6 with rising weights."""
    strong = np.arange(1.0, 6.0)
    return single_item_auction(
        [np.arange(1.0, 5.0), np.arange(2.0, 7.0)],
        priors=[np.full(4, 0.25), strong / strong.sum()],
        seller_value=seller_value,
        names=["weak", "strong"],
    )


SPEC = ModelSpec(
    name="asymmetric_auction",
    title="optimal auction, asymmetric bidders, seller's own value (BIC)",
    build=build,
    objective="profit",
    constraints=("bayesian_ic", "interim_ir"),
    benchmark=lambda env: Benchmark(
        "Myerson E[max(φ̄ − r)⁺]", myerson_revenue(env), mechanism=myerson(env)
    ),
    source="Myerson (1981); seed slides (asymmetric bidders)",
    exact_benchmark=exact_values.myerson_revenue,
)
