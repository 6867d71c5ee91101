r"""Single-parameter implementability: monotone allocation plus envelope payments.

For an agent with v(a, θ) = s(θ)·q(a) + h(a) (single-parameter form, which has
strictly increasing differences in (q, s)), seed notes Thm. 1.4 and the slides'
generalised revenue equivalence say: (x, t) is IC iff q(x(·)) is non-decreasing
and payments follow the envelope formula

.. math:: t(θ) = v(x(θ), θ) − U(θ_1) − \int_{θ_1}^{θ} q(x(s))\,ds.

On a finite grid s_1 < … < s_K the integral is not pinned down. Adjacent IC
constraints (which with monotonicity imply all others) allow exactly

.. math:: s_{k−1}\,Δq_k + Δh_k \;≤\; t_k − t_{k−1} \;≤\; s_k\,Δq_k + Δh_k,

equivalently utility increments (s_k − s_{k−1}) q_{k−1} ≤ U_k − U_{k−1} ≤
(s_k − s_{k−1}) q_k, so revenue equivalence holds only up to this interval. With
participation U_k ≥ o_k, its two ends are:

* **highest** payments: the pointwise least utilities IC and participation allow,

  .. math:: U_k = \max\Big(\max_{j≤k} (o_j − A_j) + A_k,\;
                             \max_{j≥k} (o_j − B_j) + B_k\Big),

  with A, B the running sums of the lower and upper increments. For a bidder
  (q ≥ 0, constant o) the lowest type's participation binds and every step is at
  its top: the threshold payments of Myerson's auction; for a seller (q = −trade
  probability) the highest cost's binds and it receives the least;
* **lowest** payments: the greatest utilities IC allows with the same type's
  participation binding.

Dominant-strategy IC applies this for every profile of the others' types (ex post);
Bayesian IC to interim quantities under independent types, with ex-post payments
t_i(θ) = m_i(θ_i).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from lpmech.arrays import FloatArray
from lpmech.errors import InvalidArgumentError, InvalidEnvironmentError, NotImplementableError
from lpmech.problem.environment import (
    Environment,
    SingleParameter,
    check_environment,
    profile_table,
)
from lpmech.results.mechanism import Mechanism

_NOTIONS = {
    "dominant_strategy": True,
    "dsic": True,
    "ex_post": True,
    "bayesian": False,
    "bic": False,
    "interim": False,
}


def incentive_notion(incentive: str) -> bool:
    """True for dominant-strategy (ex-post) IC, False for Bayesian (interim) IC."""
    if incentive not in _NOTIONS:
        raise InvalidArgumentError(
            f"incentive: expected one of {sorted(_NOTIONS)}, got {incentive!r}"
        )
    return _NOTIONS[incentive]


@dataclass(frozen=True)
class MonotonicityReport:
    """Whether each single-parameter agent's quantity rises with its type.

    Attributes
    ----------
    monotone : bool
    detail : str
        Where it fails: the agent, the two types, the drop, and the others'
        profile (ex post) — empty when monotone.
    drop : float
        The largest drop q(lower type) − q(higher type), ≤ 0 when monotone.
    """

    monotone: bool
    detail: str
    drop: float

    def __str__(self) -> str:
        return "monotone" if self.monotone else f"not monotone: {self.detail}"


@dataclass(frozen=True)
class EnvelopePayments:
    """The two ends of the IC payments a finite grid leaves open for an allocation rule.

    Attributes
    ----------
    highest : Mechanism
        The least utilities IC and participation allow: the most revenue
        (threshold payments for a bidder).
    lowest : Mechanism
        The greatest utilities IC allows with the same participation binding.
    incentive : str
        "dominant_strategy" or "bayesian".

    Any payments whose steps lie between the two ends (in particular any convex
    combination of them) are IC with the same allocation.
    """

    highest: Mechanism
    lowest: Mechanism
    incentive: str

    def interim_gap(self, agent: int | str) -> FloatArray:
        """Per type, the width of the interval of interim payments, highest − lowest."""
        return self.highest.interim_payment(agent) - self.lowest.interim_payment(agent)


def single_parameter_forms(env: Environment) -> list[SingleParameter]:
    """Every agent's single-parameter form, or an error naming the first agent without one."""
    forms = []
    for i, agent in enumerate(env.agents):
        form = env.single_parameter(i)
        if form is None:
            raise InvalidEnvironmentError(
                f"agent {agent.name!r} is not single-parameter (needs private values "
                "v_i(a, θ_i) = θ_i·q_i(a) + h_i(a) with scalar types); use "
                "lpmech.characterisation.rochet_payments for general valuations"
            )
        forms.append(form)
    return forms


def _quantities(
    env: Environment, allocation: FloatArray, agent: int, form: SingleParameter, ex_post: bool
) -> tuple[FloatArray, FloatArray]:
    """q and h of agent i by sorted type: shape (K, R) ex post, (K, 1) interim."""
    intercept = env.valuations[agent][form.order[0]] - form.scalars[form.order[0]] * form.direction
    by_agent = env.layout.by_agent(agent)[form.order]
    quantity, level = allocation[by_agent] @ form.direction, allocation[by_agent] @ intercept
    if ex_post:
        return quantity, level
    weights = env.prior.conditional(agent)[form.order]
    return (
        (weights * quantity).sum(axis=1, keepdims=True),
        (weights * level).sum(axis=1, keepdims=True),
    )


def _utility_ends(
    gaps: FloatArray, quantity: FloatArray, options: FloatArray
) -> dict[str, FloatArray]:
    """Least and greatest IC utilities along sorted types, column by column.

    ``gaps`` are s_k − s_{k−1}, shape (K − 1, 1); increments of U are bounded by
    gaps·q_{k−1} (below) and gaps·q_k (above).
    """
    zero = np.zeros_like(quantity[:1])
    lower = np.vstack([zero, np.cumsum(gaps * quantity[:-1], axis=0)])  # A_k
    upper = np.vstack([zero, np.cumsum(gaps * quantity[1:], axis=0)])  # B_k
    rising = np.maximum.accumulate(options - lower, axis=0) + lower
    falling = np.maximum.accumulate((options - upper)[::-1], axis=0)[::-1] + upper
    least = np.maximum(rising, falling)
    binding = np.argmin(least - options, axis=0)  # whose participation binds, per column
    columns = np.arange(quantity.shape[1])
    anchor = options[binding, 0 if options.shape[1] == 1 else columns]
    index = np.arange(quantity.shape[0])[:, None]
    greatest = np.where(
        index >= binding,
        anchor + upper - upper[binding, columns],
        anchor - (lower[binding, columns] - lower),
    )
    return {"highest": least, "lowest": greatest}


def check_monotone(
    env: Environment,
    allocation: ArrayLike,
    incentive: str = "dominant_strategy",
    tol: float = 1e-9,
) -> MonotonicityReport:
    """Is the allocation rule monotone for every single-parameter agent?

    Under strictly increasing differences this is necessary for IC (seed notes
    Lem. 1.2) and, with envelope payments, sufficient (Thm. 1.4).

    Examples
    --------
    >>> from lpmech.problem.builders import single_item_auction
    >>> env = single_item_auction([1, 2, 3], n_bidders=1)
    >>> print(check_monotone(env, [[0], [1], [0]]))
    not monotone: agent 'bidder 1' gets quantity 1 at type 2 but 0 at the higher type 3
    """
    from lpmech.checks.verification import check_tol

    env = check_environment(env, "check_monotone")
    tol = check_tol(tol, "check_monotone: tol")
    ex_post = incentive_notion(incentive)
    table = profile_table(env, allocation, env.n_components, "allocation")
    worst = (-np.inf, "")
    for i, form in enumerate(single_parameter_forms(env)):
        quantity, _ = _quantities(env, table, i, form, ex_post)
        if quantity.shape[0] < 2:
            continue
        drops = quantity[:-1] - quantity[1:]  # (K − 1, R)
        m, j = np.unravel_index(np.argmax(drops), drops.shape)
        if drops[m, j] > worst[0]:
            labels = env.agents[i].labels
            low, high = labels[form.order[m]], labels[form.order[m + 1]]
            where = (
                f" when the others are {env.describe_others(i, int(j))}"
                if ex_post and env.n_agents > 1
                else ""
            )
            detail = (
                f"agent {env.agents[i].name!r} gets quantity {quantity[m, j]:g} at type "
                f"{low} but {quantity[m + 1, j]:g} at the higher type {high}{where}"
            )
            worst = (float(drops[m, j]), detail)
    drop = worst[0] if np.isfinite(worst[0]) else 0.0
    monotone = drop <= tol
    return MonotonicityReport(monotone, "" if monotone else worst[1], drop)


def envelope_payments(
    env: Environment, allocation: ArrayLike, incentive: str = "dominant_strategy"
) -> EnvelopePayments:
    """IC payments for a monotone single-parameter allocation rule, both ends of the interval.

    Participation is ex post (per profile of the others) for dominant-strategy IC
    and interim for Bayesian IC; see the module docstring for the two ends.

    Raises
    ------
    NotImplementableError
        If the rule is not monotone (no payments make it IC, Lem. 1.2).
    InvalidEnvironmentError
        If an agent is not single-parameter, or Bayesian IC is asked with
        correlated types (interim payments then depend on beliefs, Crémer–McLean).

    Examples
    --------
    A posted price of 2 to one buyer with values 1, 2, 3:

    >>> from lpmech.problem.builders import single_item_auction
    >>> env = single_item_auction([1, 2, 3], n_bidders=1)
    >>> ends = envelope_payments(env, [[0], [1], [1]])
    >>> ends.highest.flat_payments.ravel().tolist(), ends.lowest.flat_payments.ravel().tolist()
    ([0.0, 2.0, 2.0], [0.0, 1.0, 1.0])
    """
    env = check_environment(env, "envelope_payments")
    ex_post = incentive_notion(incentive)
    if not ex_post and not env.prior.is_independent:
        raise InvalidEnvironmentError(
            "envelope_payments: Bayesian IC with correlated types is not characterised by "
            "interim monotonicity; use lpmech.solve with 'bayesian_ic'"
        )
    table = profile_table(env, allocation, env.n_components, "allocation")
    report = check_monotone(env, table, incentive)
    if not report.monotone:
        raise NotImplementableError(f"no payments make this rule IC: {report.detail}", report)
    ends = {
        "highest": np.zeros((env.n_profiles, env.n_agents)),
        "lowest": np.zeros((env.n_profiles, env.n_agents)),
    }
    for i, form in enumerate(single_parameter_forms(env)):
        quantity, level = _quantities(env, table, i, form, ex_post)  # (K, R) or (K, 1)
        scalars = form.scalars[form.order][:, None]
        options = env.outside_options[i][form.order][:, None]
        utilities = _utility_ends(np.diff(scalars, axis=0), quantity, options)
        by_agent = env.layout.by_agent(i)[form.order]
        for end, utility in utilities.items():
            payment = scalars * quantity + level - utility
            ends[end][by_agent, i] = np.broadcast_to(payment, by_agent.shape)
    name = "dominant-strategy" if ex_post else "Bayesian"
    return EnvelopePayments(
        highest=Mechanism(env, table, ends["highest"], name=f"envelope, highest {name} payments"),
        lowest=Mechanism(env, table, ends["lowest"], name=f"envelope, lowest {name} payments"),
        incentive="dominant_strategy" if ex_post else "bayesian",
    )
