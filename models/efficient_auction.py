"""The most revenue an efficient auction can raise: threshold payments.

The efficient allocation (highest value wins, ties to the lowest index) is fixed
and the designer chooses payments to maximise revenue under DSIC and ex-post IR.
By the envelope characterisation (seed notes Thm. 1.4) each winner pays the
lowest type at which it would still win — the second price in the continuum, and
on a grid the top of the interval IC leaves open.
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic import Benchmark, exact_values
from lpmech.characterisation import envelope_payments
from lpmech.models.spec import ModelSpec
from lpmech.problem.builders import single_item_auction
from lpmech.problem.environment import Environment


def build(n_bidders: int = 3, n_types: int = 4) -> Environment:
    """Bidders with values uniform on {1, …, n_types}."""
    return single_item_auction(np.arange(1.0, n_types + 1.0), n_bidders)


def _benchmark(env: Environment) -> Benchmark:
    thresholds = envelope_payments(env, env.efficient_allocation()).highest
    return Benchmark("threshold payments", thresholds.expected_revenue(), mechanism=thresholds)


SPEC = ModelSpec(
    name="efficient_auction",
    title="efficient allocation fixed: revenue-maximising payments",
    build=build,
    objective="revenue",
    constraints=("dominant_strategy_ic", "ex_post_ir", "efficient_allocation"),
    benchmark=_benchmark,
    source="Vickrey (1961); seed notes Thm. 1.4 (envelope)",
    exact_benchmark=exact_values.threshold_revenue,
)
