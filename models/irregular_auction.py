"""An optimal auction that needs ironing.

Values 1, 2, 3 with probabilities 0.45, 0.1, 0.45: the discrete virtual values
(−0.22, −2.5, 3) are not monotone, so selling to the highest non-negative φ is not
IC. Myerson's ironing (the concave hull of the revenue curve) pools the two lower
types; the benchmark E[max φ̄⁺] is the optimum.
"""

from __future__ import annotations

from lpmech.analytic import Benchmark, exact_values, myerson, myerson_revenue
from lpmech.errors import InvalidArgumentError
from lpmech.models.spec import ModelSpec
from lpmech.problem.builders import single_item_auction
from lpmech.problem.environment import Environment


def build(n_bidders: int = 2, middle_mass: float = 0.1) -> Environment:
    """Values 1, 2, 3; the middle type has probability ``middle_mass``, the others share
    the rest equally."""
    if not 0.0 < middle_mass < 1.0:
        raise InvalidArgumentError(f"middle_mass must be in (0, 1), got {middle_mass}")
    side = (1.0 - middle_mass) / 2
    return single_item_auction([1.0, 2.0, 3.0], n_bidders, priors=[side, middle_mass, side])


SPEC = ModelSpec(
    name="irregular_auction",
    title="optimal auction with an irregular prior (ironing)",
    build=build,
    objective="revenue",
    constraints=("dominant_strategy_ic", "ex_post_ir"),
    benchmark=lambda env: Benchmark(
        "Myerson E[max φ̄⁺] (ironed)", myerson_revenue(env), mechanism=myerson(env)
    ),
    source="Myerson (1981), §6 (ironing)",
    exact_benchmark=exact_values.myerson_revenue,
)
