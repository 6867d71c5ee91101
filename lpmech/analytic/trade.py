"""Bilateral trade: first best, the efficient-trade deficit, and the second best.

A buyer with value b and a seller with cost s, independent, on finite grids
(:func:`lpmech.problem.builders.bilateral_trade`). Trade at probability x(b, s).

* **First best**: trade whenever b > s; expected gains E[(b − s)⁺].
* **Efficient-trade deficit** (Myerson and Satterthwaite 1983): with trade
  x*(b, s) = 1{b > s} fixed, IC and IR let the designer collect at most E[φ(b) x*]
  from the buyer and must pay at least E[γ(s) x*] to the seller (threshold ends
  of the envelope interval, :mod:`lpmech.analytic.virtual`), so efficient
  trade needs the subsidy

  .. math:: D = E[(γ(s) − φ(b))\\,\\mathbf 1\\{b > s\\}],

  the same under dominant-strategy and Bayesian IC. An efficient, IC, IR and
  budget-balanced mechanism exists iff D ≤ 0 — Myerson–Satterthwaite's
  impossibility when supports overlap.
* **Second best**: the largest E[(b − s) x] over rules that IC, interim IR and
  budget balance allow, i.e. with E[(φ(b) − γ(s)) x] ≥ 0 and x interim monotone.
  Without monotonicity this is a fractional knapsack: trades with φ − γ ≥ 0 pay
  for themselves; the others enter in decreasing order of (b − s)/(γ − φ) while
  the budget lasts. When that solution is monotone (always for regular grids) it
  is the second best. For uniform values on [0, 1] the continuous limits are
  1/6 (first best) and 9/64 (second best; Myerson–Satterthwaite, Chatterjee–Samuelson).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lpmech.analytic.virtual import virtual_costs, virtual_values
from lpmech.arrays import FloatArray
from lpmech.characterisation.envelope import envelope_payments
from lpmech.errors import InvalidEnvironmentError
from lpmech.problem.environment import Environment, check_environment
from lpmech.results.mechanism import Mechanism
from lpmech.stable_sums import weighted_sum

#: Continuous limits for values and costs uniform on [0, 1].
UNIFORM_FIRST_BEST = 1 / 6
UNIFORM_SECOND_BEST = 9 / 64


@dataclass(frozen=True)
class TradeParties:
    """Buyer values and seller costs with their priors, each sorted increasing."""

    values: FloatArray
    value_prior: FloatArray
    costs: FloatArray
    cost_prior: FloatArray
    value_order: NDArray[np.intp]
    cost_order: NDArray[np.intp]

    def table(self, per_pair: FloatArray) -> FloatArray:
        """A (values × costs) table in sorted order, as (P, 1) in profile order."""
        rows = np.empty_like(per_pair)
        rows[np.ix_(self.value_order, self.cost_order)] = per_pair
        return rows.reshape(-1, 1)


def trade_parties(env: Environment) -> TradeParties:
    """Check ``env`` is a bilateral trade (buyer first, seller second) and read its grids."""
    shaped = env.n_agents == 2 and env.n_components == 1 and not any(env.interdependent)
    if (
        not shaped
        or not all(env.agents[i].is_scalar for i in range(2))
        or not (
            np.allclose(env.valuations[0][:, 0], env.agents[0].types)
            and np.allclose(env.valuations[1][:, 0], -env.agents[1].types)
        )
    ):
        raise InvalidEnvironmentError(
            "expected a bilateral trade: a buyer valuing trade at "
            "its type and a seller at minus its type "
            "(lpmech.problem.builders.bilateral_trade)"
        )
    if not env.prior.is_independent:
        raise InvalidEnvironmentError("the bilateral trade benchmarks need independent types")
    values, costs = env.agents[0].types, env.agents[1].types
    value_order, cost_order = np.argsort(values), np.argsort(costs)
    return TradeParties(
        values[value_order],
        env.prior.marginals[0][value_order],
        costs[cost_order],
        env.prior.marginals[1][cost_order],
        value_order,
        cost_order,
    )


def _grids(parties: TradeParties) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Gains b − s, budget contributions φ(b) − γ(s), and probabilities, on sorted grids."""
    gains = parties.values[:, None] - parties.costs[None, :]
    budget = (
        virtual_values(parties.values, parties.value_prior)[:, None]
        - virtual_costs(parties.costs, parties.cost_prior)[None, :]
    )
    weights = np.outer(parties.value_prior, parties.cost_prior)
    return gains, budget, weights


def first_best_gains(env: Environment) -> float:
    """E[(b − s)⁺]."""
    check_environment(env, "first_best_gains")
    gains, _, weights = _grids(trade_parties(env))
    return float((weights * np.maximum(gains, 0.0)).sum())


def efficient_trade_deficit(env: Environment) -> float:
    """E[(γ(s) − φ(b)) 1{b > s}]: the subsidy efficient trade needs (≤ 0: none)."""
    check_environment(env, "efficient_trade_deficit")
    gains, budget, weights = _grids(trade_parties(env))
    return float(-(weights * budget * (gains > 0)).sum())


def second_best_rule(env: Environment, require_monotone: bool = True) -> FloatArray:
    """The second-best trade probabilities, shape (P, 1), by the fractional knapsack.

    Without monotonicity the knapsack solves a relaxation, whose value bounds the
    second best from above.

    Raises
    ------
    InvalidEnvironmentError
        If ``require_monotone`` and the knapsack solution is not interim monotone
        (an irregular grid that would need ironing).
    """
    parties = trade_parties(env)
    gains, budget, weights = _grids(parties)
    trade = ((gains > 0) & (budget >= 0)).astype(float)
    funds = float((weights * budget * trade).sum())
    costly = (gains > 0) & (budget < 0)
    ratios = np.where(costly, gains / np.where(costly, -budget, 1.0), -np.inf)
    for ratio in np.unique(ratios[costly])[::-1]:
        group = costly & (ratios == ratio)  # equal ratios enter together, keeping monotonicity
        cost = float((weights * -budget * group).sum())
        share = min(1.0, funds / cost) if cost > 0 else 1.0
        trade[group] = share
        funds -= share * cost
        if share < 1.0:
            break
    buyer_quantity = trade @ parties.cost_prior
    seller_quantity = parties.value_prior @ trade
    monotone = not (
        np.any(np.diff(buyer_quantity) < -1e-12) or np.any(np.diff(seller_quantity) > 1e-12)
    )
    if require_monotone and not monotone:
        raise InvalidEnvironmentError(
            "the knapsack second best is not monotone for this "
            "prior (it would need ironing); solve the LP instead"
        )
    return parties.table(trade)


def second_best_gains(env: Environment, require_monotone: bool = True) -> float:
    """The second-best expected gains from trade (an upper bound if not monotone)."""
    check_environment(env, "second_best_gains")
    parties = trade_parties(env)
    gains = parties.table(_grids(parties)[0])[:, 0]
    return float(
        weighted_sum(env.prior.joint, gains * second_best_rule(env, require_monotone)[:, 0])
    )


def second_best_trade(env: Environment) -> Mechanism:
    """A second-best mechanism: BIC, interim IR and ex-post budget balanced.

    Interim payments are the threshold ends of the envelope interval (the buyer
    pays the most, the seller receives the least, the worst-off types get zero).
    Each party's payment then moves with the other's report by the other's
    deviation from its mean, and the ex-ante surplus S ≥ 0 is refunded equally:

        t_b(b, s) = m_b(b) − (m_s(s) − E m_s) − S/2,
        t_s(b, s) = m_s(s) − (m_b(b) − E m_b) − S/2,

    which sums to zero at every profile and keeps each party's interim payment
    (less S/2), hence BIC and interim IR.
    """
    check_environment(env, "second_best_trade")
    allocation = second_best_rule(env)
    interim = envelope_payments(env, allocation, "bayesian").highest.flat_payments
    mean = weighted_sum(env.prior.joint, interim)  # (E m_b, E m_s)
    surplus = float(mean.sum())
    payments = interim - (interim[:, ::-1] - mean[::-1]) - surplus / 2
    return Mechanism(env, allocation, payments, name="second-best trade")
