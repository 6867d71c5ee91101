"""A public project with a cost: welfare under dominant-strategy IC and participation.

N agents with values uniform on {0, 1, 2}; building costs c. The efficient rule
(build iff Σ θ_i > c) with Clarke pivot payments (seed notes Def. 2.5) is DSIC and
ex-post IR, so the welfare optimum is the first best E[(Σ θ_i − c)⁺] — although
the pivot payments run a deficit (see ``public_good_funded``).
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic import Benchmark, clarke_pivot, efficient_welfare, exact_values
from lpmech.models.spec import ModelSpec
from lpmech.problem.builders import public_good
from lpmech.problem.environment import Environment


def build(n_agents: int = 3, cost: float = 2.5) -> Environment:
    """n_agents agents with values uniform on {0, 1, 2} and a project costing ``cost``."""
    return public_good(np.arange(3.0), n_agents, cost=cost)


SPEC = ModelSpec(
    name="public_good",
    title="public project: welfare under DSIC and ex-post IR (VCG)",
    build=build,
    objective="welfare",
    constraints=("dominant_strategy_ic", "ex_post_ir"),
    benchmark=lambda env: Benchmark(
        "first best (Clarke pivot)", efficient_welfare(env), mechanism=clarke_pivot(env)
    ),
    source="Clarke (1971); Groves (1973); seed notes Def. 2.4–2.5",
    exact_benchmark=exact_values.efficient_welfare,
)
