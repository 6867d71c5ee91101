"""A public project with a cost, funded by the agents who value it.

N agents with values uniform on {0, 1, 2}; building costs c. The designer
maximises expected welfare (values minus cost) under dominant-strategy IC, ex-post
IR and no deficit: the efficient rule with Clarke pivot payments (seed notes
Def. 2.5) can run a deficit, so the optimum trades efficiency for funding.
"""

from __future__ import annotations

import numpy as np

from lpmech.builders import public_good
from lpmech.environment import Environment
from lpmech.models import ModelSpec


def build(n_agents: int = 3, cost: float = 2.5) -> Environment:
    """n_agents agents with values uniform on {0, 1, 2} and a project costing ``cost``."""
    return public_good(np.arange(3.0), n_agents, cost=cost)


SPEC = ModelSpec(
    name="public_good",
    title="public project with cost: welfare under DSIC, IR and no deficit",
    build=build,
    objective="welfare",
    constraints=("dominant_strategy_ic", "ex_post_ir", "ex_post_no_deficit"),
    source="Clarke (1971); Groves (1973); seed notes §2.5",
)
