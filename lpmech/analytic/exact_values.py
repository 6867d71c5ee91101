"""The analytic benchmarks in exact rational arithmetic.

Each function computes a benchmark of :mod:`lpmech.analytic` from its formula in
fractions (:class:`fractions.Fraction`), on the environment's exact inputs
(:func:`lpmech.numbers.rationals.exact_inputs`), so an exact optimum
(:meth:`lpmech.Solution.certify`) can be compared with it for equality:

==============================  ==================================================
``myerson_revenue``             E[max(max_i φ̄_i(θ_i) − r, 0)], ironed (Myerson 1981)
``efficient_welfare``           E[Σ_i v_i(x*(θ), θ) + v_0(x*(θ))], the first best
``full_surplus``                first best − E[Σ_i o_i(θ_i)] (Crémer–McLean)
``threshold_revenue``           E[Σ_i t_i(θ)] with threshold payments (Thm. 1.4)
``efficient_trade_deficit``     E[(γ(s) − φ(b)) 1{b > s}] (Myerson–Satterthwaite)
``second_best_gains``           the discrete second best, a fractional knapsack
``best_simple_menu``            max(separate sales, pure bundling) revenue
``clarke_pivot_revenue``        the Clarke pivot's expected revenue
``mcafee_gains``                gains from trade of McAfee's trade reduction
==============================  ==================================================

Virtual values, virtual costs and ironing are the functions of
:mod:`lpmech.analytic.virtual` run on Fractions. Where a benchmark needs the
efficient rule x*, it is the allocation space's own rule (with its tie-breaking),
valued exactly.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lpmech.analytic.double_auction import mcafee
from lpmech.analytic.optimal_auction import bidder_values, units_for_sale
from lpmech.analytic.trade import trade_parties
from lpmech.analytic.virtual import (
    ironed_virtual_values,
    virtual_costs,
    virtual_values,
)
from lpmech.errors import InvalidEnvironmentError
from lpmech.numbers.rationals import ExactInputs, exact_array, exact_inputs
from lpmech.problem.allocation import Items
from lpmech.problem.environment import Environment

ObjectArray = NDArray[np.object_]


def _values_at_profiles(env: Environment, inputs: ExactInputs, agent: int) -> ObjectArray:
    """V_i(θ) at every profile, exactly, shape (P, C)."""
    table = inputs.valuations[agent]
    if env.interdependent[agent]:
        return table.reshape(env.n_profiles, env.n_components)
    return table[env.layout.profile_types[:, agent]]


def _surplus(env: Environment, inputs: ExactInputs, without: int | None = None) -> ObjectArray:
    """Σ_{i ≠ without} V_i(θ) + v_0 per unit of each component, exactly, shape (P, C)."""
    total = np.tile(inputs.principal_value, (env.n_profiles, 1))
    for i in range(env.n_agents):
        if i != without:
            total = total + _values_at_profiles(env, inputs, i)
    return total


def _expectation(inputs: ExactInputs, per_profile: ObjectArray) -> Fraction:
    return Fraction(np.ravel(inputs.prior) @ per_profile)


def _valued(weights: ObjectArray, allocation: ArrayLike) -> ObjectArray:
    """Σ_c w_c(θ) a_c(θ) at every profile, with a 0/1 (or given) allocation read exactly."""
    return (weights * exact_array(allocation)).sum(axis=1)


def myerson_revenue(env: Environment) -> Fraction:
    """E[Σ of the k largest (φ̄_i(θ_i) − r_i)⁺]: Myerson's optimal profit, exactly.

    One item (k = 1), k units, or a procurement auction (sellers read as bidders with
    values −c_i; see :mod:`lpmech.analytic.optimal_auction`).

    Examples
    --------
    >>> from lpmech.problem.builders import single_item_auction
    >>> myerson_revenue(single_item_auction([1, 2, 3], 2, priors=[0.45, 0.1, 0.45]))
    Fraction(837, 400)
    """
    bidder_values(env)  # checks the form: one item, or k units, to single-unit agents
    if not env.prior.is_independent:
        raise InvalidEnvironmentError("Myerson's auction needs independent values")
    inputs = exact_inputs(env)
    scores = np.empty((env.n_profiles, env.n_agents), dtype=object)
    for i in range(env.n_agents):
        values = inputs.valuations[i][:, i]  # own unit, e.g. −c for a seller
        order = np.argsort(values.astype(float))
        ironed = np.empty(len(values), dtype=object)
        ironed[order] = ironed_virtual_values(values[order], inputs.marginals[i][order])
        scores[:, i] = ironed[env.layout.profile_types[:, i]] + inputs.principal_value[i]
    top = -np.sort(-scores, axis=1)[:, : units_for_sale(env)]
    return _expectation(inputs, np.maximum(top, 0).sum(axis=1))  # exact: 0 is an int


def efficient_welfare(env: Environment) -> Fraction:
    """E[Σ_i v_i(x*(θ), θ) + v_0(x*(θ))], exactly (seed notes §2.5)."""
    inputs = exact_inputs(env)
    return _expectation(inputs, _valued(_surplus(env, inputs), env.efficient_allocation()))


def full_surplus(env: Environment) -> Fraction:
    """The first best less the expected outside options: E[W*] − E[Σ_i o_i(θ_i)], exactly."""
    inputs = exact_inputs(env)
    options = sum(
        (inputs.marginals[i] @ inputs.outside_options[i] for i in range(env.n_agents)), Fraction(0)
    )
    return efficient_welfare(env) - options


def threshold_revenue(env: Environment, allocation: ArrayLike | None = None) -> Fraction:
    """Expected revenue of threshold payments for a monotone rule (default: efficient).

    For bidders (single-parameter, quantity q ≥ 0, constant outside option o) the
    threshold payment of type s_k, at each profile of the others, is
    t_k = V(s_k)·a_k − o − Σ_{j<k} (s_{j+1} − s_j) q_j: the lowest type's
    participation binds and every IC step is at its top (seed notes Thm. 1.4).
    """
    inputs = exact_inputs(env)
    rule = exact_array(env.efficient_allocation() if allocation is None else allocation)
    total = np.zeros(env.n_profiles, dtype=object)
    for i, agent in enumerate(env.agents):
        form = env.single_parameter(i)
        options = inputs.outside_options[i]
        if form is None or any(o != options[0] for o in options):
            raise InvalidEnvironmentError(
                f"threshold payments: agent {agent.name!r} must be "
                "single-parameter with a constant outside option"
            )
        base, top = form.order[0], form.order[-1]
        types = inputs.types[i][form.order]
        direction = (
            (inputs.valuations[i][top] - inputs.valuations[i][base])
            / (inputs.types[i][top] - inputs.types[i][base])
            if len(types) > 1
            else np.zeros(env.n_components, dtype=object)
        )
        profiles = env.layout.by_agent(i)[form.order]  # (K, R), sorted types
        quantity = rule[profiles] @ direction
        if any(q < 0 for q in np.ravel(quantity)):
            raise InvalidEnvironmentError(
                f"threshold payments: agent {agent.name!r} has a negative quantity (not a bidder)"
            )
        steps = np.diff(types)[:, None] * quantity[:-1]
        rent = np.vstack(
            [np.zeros((1, quantity.shape[1]), dtype=object), np.cumsum(steps, axis=0)]
        )
        values = _values_at_profiles(env, inputs, i)[profiles]
        payments = (values * rule[profiles]).sum(axis=2) - options[0] - rent
        total[profiles.ravel()] = total[profiles.ravel()] + payments.ravel()
    return _expectation(inputs, total)


def _trade_grids(env: Environment) -> tuple[ObjectArray, ObjectArray, ObjectArray]:
    """Gains b − s, budget φ(b) − γ(s) and probabilities on the sorted grids, exactly."""
    parties = trade_parties(env)
    inputs = exact_inputs(env)
    values = inputs.types[0][parties.value_order]
    value_prior = inputs.marginals[0][parties.value_order]
    costs = inputs.types[1][parties.cost_order]
    cost_prior = inputs.marginals[1][parties.cost_order]
    gains = np.subtract.outer(values, costs)
    budget = np.subtract.outer(
        virtual_values(values, value_prior), virtual_costs(costs, cost_prior)
    )
    return gains, budget, np.multiply.outer(value_prior, cost_prior)


def efficient_trade_deficit(env: Environment) -> Fraction:
    """E[(γ(s) − φ(b)) 1{b > s}]: the subsidy efficient bilateral trade needs, exactly."""
    gains, budget, weights = _trade_grids(env)
    return Fraction(-(weights * budget)[gains > 0].sum())


def second_best_gains(env: Environment) -> Fraction:
    """The discrete second-best gains from trade, exactly (the fractional knapsack of
    :func:`lpmech.analytic.second_best_rule`; equal ratios enter together).

    Raises
    ------
    InvalidEnvironmentError
        If the knapsack's rule is not interim monotone (it would need ironing).
    """
    gains, budget, weights = _trade_grids(env)
    trade = exact_array((gains > 0) & (budget >= 0))  # 1 where the pair trades, exactly
    funds = (weights * budget * trade).sum()
    costly = (gains > 0) & (budget < 0)
    ratio = np.full(gains.shape, None, dtype=object)
    ratio[costly] = gains[costly] / -budget[costly]
    for value in sorted(set(ratio[costly]), reverse=True):
        group = ratio == value  # equal ratios enter together, keeping monotonicity
        cost = (weights * -budget)[group].sum()
        share = min(Fraction(1), funds / cost)
        trade[group] = share
        funds -= share * cost
        if share < 1:
            break
    buyer = trade @ weights.sum(axis=0)  # interim trade probabilities, by value and by cost
    seller = weights.sum(axis=1) @ trade
    if any(np.diff(buyer) < 0) or any(np.diff(seller) > 0):
        raise InvalidEnvironmentError(
            "the knapsack second best is not monotone for this prior (it would need ironing)"
        )
    return Fraction((weights * gains * trade).sum())


def best_simple_menu(env: Environment) -> Fraction:
    """The larger revenue of separate sales and pure bundling, each at its best price."""
    space = env.allocation
    if env.n_agents != 1 or not isinstance(space, Items) or space.unit_demand:
        raise InvalidEnvironmentError(
            "expected one buyer of several items with additive "
            "values (lpmech.multi_item_auction, 1 bidder)"
        )
    inputs = exact_inputs(env)
    values = inputs.valuations[0][:, [space.component(0, j) for j in range(space.n_items)]]
    prior = inputs.marginals[0]

    def best_price_revenue(worth: ObjectArray) -> Fraction:
        return max(price * prior[worth >= price].sum() for price in set(worth))

    separate = sum(best_price_revenue(values[:, j]) for j in range(values.shape[1]))
    return max(Fraction(separate), Fraction(best_price_revenue(values.sum(axis=1))))


def clarke_pivot_revenue(env: Environment) -> Fraction:
    """E[Σ_i t_i] of the Clarke pivot: t_i = W_{-i}(θ_{-i}) − Σ_{j≠i} v_j(x*(θ)) − v_0(x*(θ)).

    Each agent's welfare-maximising allocation without it is the space's own rule.
    """
    if any(env.interdependent):
        raise InvalidEnvironmentError("the Clarke pivot needs private values")
    inputs = exact_inputs(env)
    efficient = env.efficient_allocation()
    total = np.zeros(env.n_profiles, dtype=object)
    for i in range(env.n_agents):
        others = _surplus(env, inputs, without=i)
        floats = np.array([[float(x) for x in row] for row in others])
        without = env.allocation.efficient(floats)
        total = total + _valued(others, without) - _valued(others, efficient)
    return _expectation(inputs, total)


def mcafee_gains(env: Environment) -> Fraction:
    """E[Σ_b v_b x_b − Σ_s c_s y_s] under McAfee's trade reduction (McAfee 1992), exactly.

    The trades are :func:`lpmech.analytic.mcafee`'s; the values are the exact inputs.
    """
    inputs = exact_inputs(env)
    return _expectation(inputs, _valued(_surplus(env, inputs), mcafee(env).flat_allocation))


__all__ = [
    "best_simple_menu",
    "clarke_pivot_revenue",
    "efficient_trade_deficit",
    "efficient_welfare",
    "full_surplus",
    "mcafee_gains",
    "myerson_revenue",
    "second_best_gains",
    "threshold_revenue",
]
