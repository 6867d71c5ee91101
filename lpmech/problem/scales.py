"""The value scales against which money is measured: where the problem's numbers live.

Every verdict in money (an incentive, participation or budget violation) and every
normalisation of a solve is relative to a scale read off the problem's own numbers,
never an absolute floor, so results are the same in any currency. The scales are
*local*: agent i's rows are measured against agent i's own numbers,

.. math:: s_i = \\max_{θ_i, c} \\bigl(|V_i(θ_i)_c|, |o_i(θ_i)|\\bigr),

not against a maximum over everything, so an agent valuing in cents beside one valuing
in millions, or a principal value of −1e8 on an outcome no one uses, does not make the
small numbers invisible (issue 21).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lpmech.arrays import FloatArray

if TYPE_CHECKING:
    from lpmech.problem.environment import Environment


def data_scale(env: Environment) -> float:
    """s = max(|V_i|, |o_i|, |v_0|): the largest number of the problem (1 if every value is 0).

    A global magnitude, for displays and first-order solvers; verdicts use the local
    scales below.
    """
    magnitudes = [np.abs(v).max() for v in env.valuations]
    magnitudes += [np.abs(o).max() for o in env.outside_options]
    magnitudes.append(np.abs(env.principal_value).max())
    return float(max(magnitudes)) or 1.0


def agent_scales(env: Environment) -> FloatArray:
    """s_i = max(|V_i|, |o_i|) for each agent (see the module docstring).

    An agent whose values and outside options are all 0 takes the largest other
    agent's scale (or :func:`data_scale` when every agent's is 0): its rows are then
    measured in the money of the problem, which is still the same in any currency.
    """
    scales = np.array(
        [
            max(float(np.abs(v).max(initial=0.0)), float(np.abs(o).max(initial=0.0)))
            for v, o in zip(env.valuations, env.outside_options, strict=True)
        ]
    )
    fallback = float(scales.max(initial=0.0)) or data_scale(env)
    return np.where(scales > 0, scales, fallback)


def money_scale(env: Environment) -> float:
    """max_i s_i: the scale of the agents' money (what payments and budgets are in)."""
    return float(agent_scales(env).max())


def expected_value_scale(env: Environment) -> float:
    """Σ_i E[max_c |V_i(θ)_c| + |o_i(θ_i)|]: the size of what an objective over the
    agents' values and payments adds up, weighted by the prior (its marginals).

    A type that is improbable contributes little: one buyer with types (1, 2, 3e9) of
    probabilities (0.5, 0.5 − 1e-9, 1e-9) has expected value scale 4.5, not 3e9.
    Falls back to :func:`money_scale` when it is 0.
    """
    total = 0.0
    for i in range(env.n_agents):
        table = np.abs(env.valuations[i]).reshape(-1, env.n_components).max(axis=1, initial=0.0)
        weights = env.prior.joint if env.interdependent[i] else env.prior.marginals[i]
        total += float(np.dot(weights, table))
        total += float(np.dot(env.prior.marginals[i], np.abs(env.outside_options[i])))
    return total or money_scale(env)
