"""Stage 15, models: ready problems, one per classic setting, installed as ``lpmech.models``.

Each module exports ``SPEC``, a :class:`ModelSpec`: a parametric builder of the
environment, the objective and constraint families the setting is usually solved
with, its analytic benchmark (computed from a formula), and where it comes from.
:data:`MODELS` lists them by name.

>>> from lpmech.models import MODELS
>>> check = MODELS["single_item"].check(n_bidders=1, n_types=4)
>>> round(check.solution.objective_value, 6), round(check.benchmark.value, 6), check.agrees
(1.5, 1.5, True)

May import every earlier stage.
"""

from __future__ import annotations

from lpmech.models.spec import ModelCheck, ModelSpec


def _registry() -> dict[str, ModelSpec]:
    from lpmech.models import (
        asymmetric_auction,
        bilateral_trade,
        correlated_auction,
        double_auction,
        efficient_auction,
        irregular_auction,
        multi_item,
        multi_unit,
        procurement,
        public_good,
        public_good_budget,
        public_good_funded,
        public_good_nash,
        single_item,
        trade_subsidy,
        unit_demand,
    )

    modules = (
        single_item,
        procurement,
        multi_unit,
        irregular_auction,
        asymmetric_auction,
        efficient_auction,
        bilateral_trade,
        double_auction,
        trade_subsidy,
        public_good,
        public_good_budget,
        public_good_funded,
        public_good_nash,
        correlated_auction,
        multi_item,
        unit_demand,
    )
    return {module.SPEC.name: module.SPEC for module in modules}


#: Every ready model, by name.
MODELS: dict[str, ModelSpec] = _registry()

#: The model ``lpmech`` solves when run without arguments.
DEFAULT_MODEL = "single_item"

__all__ = ["DEFAULT_MODEL", "MODELS", "ModelCheck", "ModelSpec"]
