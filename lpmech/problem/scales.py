"""The value scales against which money is measured: the problem's units.

Every verdict in money (an incentive, participation or budget violation) and
every normalisation of a solve is relative to a scale read off the problem's
own numbers, never an absolute floor, so results are the same in any currency.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from lpmech.problem.environment import Environment


def data_scale(env: Environment) -> float:
    """s = max(|V_i|, |o_i|, |v_0|): the problem's value scale (1 if every value is 0)."""
    magnitudes = [np.abs(v).max() for v in env.valuations]
    magnitudes += [np.abs(o).max() for o in env.outside_options]
    magnitudes.append(np.abs(env.principal_value).max())
    return float(max(magnitudes)) or 1.0
