"""A public project that must pay for itself under dominant strategies.

Welfare under DSIC, ex-post IR and no deficit at any profile. The Clarke pivot
meets the first two but not the third, so the optimum trades efficiency for
funding and stays below the first best E[(Σ θ_i − c)⁺], its benchmark here.
"""

from __future__ import annotations

from lpmech.analytic import Benchmark, efficient_welfare, exact_values
from lpmech.models.public_good import build
from lpmech.models.spec import ModelSpec

SPEC = ModelSpec(
    name="public_good_funded",
    title="public project: welfare under DSIC, ex-post IR and no deficit",
    build=build,
    objective="welfare",
    constraints=("dominant_strategy_ic", "ex_post_ir", "ex_post_no_deficit"),
    benchmark=lambda env: Benchmark("first best", efficient_welfare(env), "upper_bound"),
    source="Green and Laffont (1979); seed notes §2.5.1 (budget balance)",
    exact_benchmark=exact_values.efficient_welfare,
)
