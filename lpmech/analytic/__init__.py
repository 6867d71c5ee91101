"""Stage 12, analytic: classic mechanisms and values from their formulas, never from the LP.

=============================================  ==========================================
function                                       result
=============================================  ==========================================
``virtual_values``, ``ironed_virtual_values``  discrete φ and its ironing (Myerson 1981)
``myerson``, ``myerson_revenue``               optimal single-item auction, E[max φ̄⁺]
``itemwise_myerson``, ``bundle_myerson``       Myerson per item / for the grand bundle
``vcg``, ``clarke_pivot``                      Groves transfers, pivot (seed notes Def. 2.4–2.5)
``efficient_welfare``                          E[max_a Σ v_i + v_0], the first best
``agv``                                        expected externality (Def. 2.7, Rem. 2.8)
``nash_welfare_bound``, ``equal_split_agv``    N log(W*/N), attained by AGV split equally
``second_price``, ``posted_price``,            standard rules (``second_price`` is VCG's
``first_price``, ``efficient_rule``            (k+1)-st price for k units)
``ironed_virtual_costs``, ``myerson`` on       reverse Myerson: buy from the lowest γ̄(c) < R
a procurement auction
``reverse_second_price``,                      standard procurement rules
``reverse_posted_price``
``double_auction_first_best``, ``mcafee``,     double auctions (McAfee 1992)
``double_auction_vcg``, ``…_vcg_deficit``
``balance_budget``                             ex-post balanced transfers, same interim ones
``first_best_gains``,                          bilateral trade (Myerson–Satterthwaite 1983)
``efficient_trade_deficit``,
``second_best_gains``, ``second_best_trade``
``belief_ranks``, ``full_surplus``,            correlated types (Crémer–McLean 1988)
``cremer_mclean``
``discretise``, ``empirical``                  finite types from continuous priors or samples
=============================================  ==========================================

Each benchmark that is a mechanism returns a :class:`~lpmech.results.mechanism.Mechanism`,
so it can be verified (:meth:`~lpmech.results.mechanism.Mechanism.verify`), audited
(:func:`lpmech.checks.auditing.audit`) and compared (:func:`lpmech.checks.comparison.compare`) like
an LP optimum.

May import :mod:`lpmech.numbers`, :mod:`lpmech.problem`, :mod:`lpmech.results` and
:mod:`lpmech.characterisation`.
"""

from __future__ import annotations

from lpmech.analytic.benchmark import Benchmark
from lpmech.analytic.correlated import belief_ranks, cremer_mclean, full_surplus
from lpmech.analytic.discretisation import discretise, empirical
from lpmech.analytic.double_auction import (
    double_auction_first_best,
    double_auction_vcg,
    double_auction_vcg_deficit,
    mcafee,
)
from lpmech.analytic.expected_externality import agv, balance_budget, expected_externalities
from lpmech.analytic.groves import clarke_pivot, efficient_welfare, vcg
from lpmech.analytic.itemwise import bundle_myerson, itemwise_myerson
from lpmech.analytic.nash import equal_split_agv, nash_welfare_bound
from lpmech.analytic.optimal_auction import myerson, myerson_revenue
from lpmech.analytic.procurement import reverse_posted_price, reverse_second_price
from lpmech.analytic.rules import efficient_rule, first_price, posted_price, second_price
from lpmech.analytic.trade import (
    UNIFORM_FIRST_BEST,
    UNIFORM_SECOND_BEST,
    efficient_trade_deficit,
    first_best_gains,
    second_best_gains,
    second_best_trade,
)
from lpmech.analytic.virtual import (
    ironed_virtual_costs,
    ironed_virtual_values,
    revenue_curve,
    virtual_costs,
    virtual_values,
)

__all__ = [
    "UNIFORM_FIRST_BEST",
    "UNIFORM_SECOND_BEST",
    "Benchmark",
    "agv",
    "balance_budget",
    "belief_ranks",
    "bundle_myerson",
    "clarke_pivot",
    "cremer_mclean",
    "discretise",
    "double_auction_first_best",
    "double_auction_vcg",
    "double_auction_vcg_deficit",
    "efficient_rule",
    "efficient_trade_deficit",
    "efficient_welfare",
    "empirical",
    "equal_split_agv",
    "expected_externalities",
    "first_best_gains",
    "first_price",
    "full_surplus",
    "ironed_virtual_costs",
    "ironed_virtual_values",
    "itemwise_myerson",
    "mcafee",
    "myerson",
    "myerson_revenue",
    "nash_welfare_bound",
    "posted_price",
    "revenue_curve",
    "reverse_posted_price",
    "reverse_second_price",
    "second_best_gains",
    "second_best_trade",
    "second_price",
    "vcg",
    "virtual_costs",
    "virtual_values",
]
