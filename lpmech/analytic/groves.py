"""Efficient allocation with Groves transfers: VCG and the Clarke pivot.

With private values the efficient rule x*(θ) ∈ argmax_a Σ_i v_i(a, θ_i) + v_0(a)
(the space's tie rule) is implemented in dominant strategies by the Groves/VCG
transfers (seed notes Def. 2.4, Rem. 2.5)

.. math:: t_i(θ) = −\\Big[\\sum_{j≠i} v_j(x^*(θ), θ_j) + v_0(x^*(θ))\\Big] + τ_i(θ_{-i}),

for any τ_i that ignores i's own report. The **Clarke pivot** (Def. 2.5) takes
τ_i(θ_{-i}) = W_{-i}(θ_{-i}) = max_a Σ_{j≠i} v_j(a, θ_j) + v_0(a), so each agent
pays its externality on the others and keeps its marginal contribution
W(θ) − W_{-i}(θ_{-i}) ≥ 0: ex-post IR when values are non-negative and the
allocation can leave any agent out. It is not budget balanced in general. The
principal's value v_0 counts among "the others"; with v_0 = 0 these are the
seed's formulas.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from lpmech.arrays import FloatArray
from lpmech.errors import InvalidEnvironmentError, InvalidMechanismError
from lpmech.problem.environment import Environment, check_environment, profile_table
from lpmech.results.mechanism import Mechanism
from lpmech.stable_sums import weighted_sum


def require_private_values(env: Environment, what: str) -> None:
    if any(env.interdependent):
        raise InvalidEnvironmentError(
            f"{what} needs private values; agent values here depend on the others' types"
        )


def efficient_welfare(env: Environment) -> float:
    """E[max_a Σ_i v_i(a, θ_i) + v_0(a)], the first-best expected welfare."""
    check_environment(env, "efficient_welfare")
    allocation = env.efficient_allocation()
    surplus = np.einsum("pc,pc->p", env.surplus_weights(), allocation)
    return float(weighted_sum(env.prior.joint, surplus))


def others_welfare(env: Environment, allocation: FloatArray, agent: int) -> FloatArray:
    """Σ_{j≠i} v_j(a(θ), θ_j) + v_0(a(θ)) at every profile, shape (P,)."""
    weights = env.surplus_weights() - env.values_at_profiles(agent)
    return np.einsum("pc,pc->p", weights, allocation)


def vcg(
    env: Environment, tau: ArrayLike | Callable[[Environment, int], ArrayLike] | None = None
) -> Mechanism:
    """The efficient rule with Groves transfers t_i = −(others' welfare) + τ_i(θ_{-i}).

    Parameters
    ----------
    tau : array_like (P, N), callable ``tau(env, agent) -> (P,)``, or None (τ = 0)
        Must not depend on the agent's own type.

    Raises
    ------
    InvalidMechanismError
        If some τ_i varies with agent i's own type.
    """
    check_environment(env, "vcg")
    require_private_values(env, "VCG")
    allocation = env.efficient_allocation()
    if tau is None:
        table = np.zeros((env.n_profiles, env.n_agents))
    elif callable(tau):
        table = np.stack(
            [np.asarray(tau(env, i), dtype=float) for i in range(env.n_agents)], axis=1
        )
    else:
        table = profile_table(env, tau, env.n_agents, "vcg: tau")
    payments = np.empty((env.n_profiles, env.n_agents))
    for i, agent in enumerate(env.agents):
        by_own_type = table[env.layout.by_agent(i), i]  # (K, R)
        if not np.allclose(by_own_type, by_own_type[:1]):
            raise InvalidMechanismError(
                f"vcg: tau for agent {agent.name!r} depends on that "
                "agent's own type; it may depend on θ_{-i} only"
            )
        payments[:, i] = table[:, i] - others_welfare(env, allocation, i)
    return Mechanism(env, allocation, payments, name="VCG")


def clarke_pivot(env: Environment) -> Mechanism:
    """VCG with τ_i = W_{-i}(θ_{-i}): each agent pays the welfare loss it causes the others.

    Examples
    --------
    >>> from lpmech.problem.builders import single_item_auction
    >>> env = single_item_auction([1, 2, 3], n_bidders=2)
    >>> clarke_pivot(env).at("3", "2").payments    # the second price
    {'bidder 1': 2.0, 'bidder 2': 0.0}
    """
    check_environment(env, "clarke_pivot")
    require_private_values(env, "the Clarke pivot")

    def best_without(env: Environment, agent: int) -> FloatArray:
        weights = env.surplus_weights() - env.values_at_profiles(agent)
        return np.einsum("pc,pc->p", weights, env.allocation.efficient(weights))

    mechanism = vcg(env, best_without)
    return Mechanism(env, mechanism.flat_allocation, mechanism.flat_payments, name="Clarke pivot")
