"""Nash welfare under Bayesian IC and budget balance: the AGV mechanism with an equal split.

Under any mechanism that balances the budget ex post, the agents' expected
utilities add up to expected welfare, Σ_i E[u_i] = E[Σ_i v_i + v_0] ≤ W*, the
first best. By the AM–GM inequality Σ_i log E[u_i] ≤ N log(Σ_i E[u_i] / N), so

.. math:: \\sum_i \\log E[u_i] \\;\\le\\; N \\log(W^*/N),

and by Jensen's inequality the interim Nash welfare Σ_i E[log U_i(θ_i)] obeys the
same bound. With independent private values the bound on ex-ante Nash welfare is
attained: AGV (seed notes Def. 2.7, Rem. 2.8) is efficient, Bayesian IC and
ex-post budget balanced, and lump sums c_i with Σ_i c_i = 0 keep all three while
moving expected utility between agents — c_i = E[u_i^AGV] − W*/N splits W*
equally.
"""

from __future__ import annotations

import numpy as np

from lpmech.analytic.expected_externality import agv
from lpmech.analytic.groves import efficient_welfare
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.environment import Environment, check_environment
from lpmech.results.mechanism import Mechanism


def nash_welfare_bound(env: Environment) -> float:
    """N log(W*/N): the most Nash welfare (ex ante or interim) under budget balance."""
    check_environment(env, "nash_welfare_bound")
    welfare = efficient_welfare(env)
    if welfare <= 0:
        raise InvalidEnvironmentError(
            f"Nash welfare needs positive first-best welfare; W* = {welfare:.6g}"
        )
    return env.n_agents * float(np.log(welfare / env.n_agents))


def equal_split_agv(env: Environment) -> Mechanism:
    """AGV with lump sums that give every agent expected utility W*/N (attains the bound)."""
    check_environment(env, "equal_split_agv")
    base = agv(env)
    share = efficient_welfare(env) / env.n_agents
    lump_sums = np.array([base.expected_utility(i) for i in range(env.n_agents)]) - share
    return Mechanism(
        env, base.flat_allocation, base.flat_payments + lump_sums, name="AGV with an equal split"
    )
