"""Is this mechanism actually truthful? Regret, participation slack and budget, per type.

For a given mechanism — LP output, an analytic benchmark, or rules someone
proposes — :func:`audit` measures, for every agent and true type θ_i:

* **ex-post regret**: max over the others' types θ_{-i} and reports r of
  u_i(r; θ) − u_i(θ_i; θ), the most the agent could gain by lying when it knows
  the others' types (0 for a DSIC mechanism);
* **interim regret**: max over r of E[u_i(r; θ) − u_i(θ_i; θ) | θ_i], the gain
  from lying in expectation under the conditional prior (0 for a BIC mechanism);
* **participation slack**: the worst ex-post utility over θ_{-i}, and the interim
  utility, each minus the outside option (≥ 0 under ex-post / interim IR);

and, per profile, the **budget surplus** Σ_i t_i(θ) + v_0·a(θ) (0 under ex-post
budget balance). The gains from lying are the entries of the full incentive
families' own violations (:mod:`lpmech.constraints.incentive`), so an audit and a
verification measure the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from lpmech.arrays import FloatArray
from lpmech.constraints.incentive import BayesianIC, DominantStrategyIC
from lpmech.errors import InvalidArgumentTypeError
from lpmech.numbers.formatting import format_table
from lpmech.results.mechanism import Mechanism

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class AgentAudit:
    """One agent's incentives and participation, per true type (indexed like its types)."""

    agent: str
    labels: tuple[str, ...]
    ex_post_regret: FloatArray
    ex_post_worst: tuple[str, ...]
    interim_regret: FloatArray
    interim_worst_report: tuple[str, ...]
    ex_post_participation_slack: FloatArray
    interim_participation_slack: FloatArray


@dataclass(frozen=True)
class Audit:
    """The audit of one mechanism."""

    mechanism_name: str
    agents: tuple[AgentAudit, ...]
    budget_surplus: FloatArray

    @property
    def max_ex_post_regret(self) -> float:
        """Largest gain from lying when the others' types are known."""
        return float(max(a.ex_post_regret.max() for a in self.agents))

    @property
    def max_interim_regret(self) -> float:
        """Largest expected gain from lying."""
        return float(max(a.interim_regret.max() for a in self.agents))

    @property
    def min_participation_slack(self) -> float:
        """Smallest ex-post utility above the outside option."""
        return float(min(a.ex_post_participation_slack.min() for a in self.agents))

    @property
    def budget_imbalance(self) -> float:
        """Largest |Σ_i t_i(θ) + v_0·a(θ)| over profiles (an auction's revenue is not one)."""
        return float(np.abs(self.budget_surplus).max())

    def to_frame(self) -> pd.DataFrame:
        """One row per (agent, type): see :func:`lpmech.views.frames.audit_frame`."""
        from lpmech.views.frames import audit_frame

        return audit_frame(self)

    def plot(
        self, ax: Axes | None = None, *, figsize: tuple[float, float] | None = None
    ) -> Figure:
        """Regret by type: see :func:`lpmech.views.plots.regret`."""
        from lpmech.views.plots import regret

        return regret(self, ax=ax, figsize=figsize)

    def _repr_html_(self) -> str:
        from lpmech.views.notebook import audit_html

        return audit_html(self)

    def __str__(self) -> str:
        rows = []
        for audit in self.agents:
            for k, label in enumerate(audit.labels):
                rows.append(
                    (
                        audit.agent,
                        label,
                        audit.ex_post_regret[k],
                        audit.interim_regret[k],
                        audit.interim_worst_report[k],
                        audit.ex_post_participation_slack[k],
                        audit.interim_participation_slack[k],
                        audit.ex_post_worst[k] if audit.ex_post_regret[k] > 1e-9 else "",
                    )
                )
        table = format_table(
            (
                "agent",
                "type",
                "ex-post regret",
                "interim regret",
                "best interim report",
                "ex-post IR slack",
                "interim IR slack",
                "worst ex-post lie",
            ),
            rows,
        )
        surplus = self.budget_surplus
        budget = (
            f"budget surplus Σt + v0·a per profile: min {surplus.min():.6g}, "
            f"max {surplus.max():.6g}"
        )
        return f"Audit of {self.mechanism_name or 'mechanism'}\n{table}\n{budget}"


def audit(mechanism: Mechanism) -> Audit:
    """Regret, participation slack and budget surplus of a mechanism.

    Examples
    --------
    Pay-your-bid with truthful bids invites shading:

    >>> from lpmech.problem.builders import single_item_auction
    >>> env = single_item_auction([1, 2, 3], n_bidders=1)
    >>> first_price = Mechanism(env, [[1], [1], [1]], [[1], [2], [3]], name="pay your bid")
    >>> audit(first_price).agents[0].ex_post_regret.tolist()
    [0.0, 1.0, 2.0]
    """
    if not isinstance(mechanism, Mechanism):
        raise InvalidArgumentTypeError(
            f"audit: mechanism must be a Mechanism, got {type(mechanism).__name__}"
        )
    env = mechanism.env
    # the gains from lying are the full incentive families' violations, entry by entry
    ex_post = DominantStrategyIC("full")
    ex_post_gains, interim_gains = (
        ex_post.violation(mechanism),
        BayesianIC("full").violation(mechanism),
    )
    audits = []
    start_ex_post = start_interim = 0
    for i, spec in enumerate(env.agents):
        n, n_others = spec.n_types, env.n_profiles // spec.n_types
        ex_post_block = ex_post_gains[start_ex_post : start_ex_post + n * (n - 1) * n_others]
        interim_block = interim_gains[start_interim : start_interim + n * (n - 1)]
        start_ex_post += ex_post_block.size
        start_interim += interim_block.size
        by_lie = ex_post_block.reshape(n, (n - 1) * n_others)  # (true type, (report, others))
        expected = interim_block.reshape(n, n - 1)  # (true type, report)
        regret, worst, interim, interim_report = [], [], [], []
        for k in range(n):
            if n == 1:
                regret.append(0.0)
                worst.append(f"report {spec.labels[k]}")
                interim.append(0.0)
                interim_report.append(spec.labels[k])
                continue
            lie, j = divmod(int(np.argmax(by_lie[k])), n_others)
            r = ex_post.pair_at(env, i, k * (n - 1) + lie)[1]
            regret.append(float(by_lie[k, lie * n_others + j]))
            others = (
                f" when the others are {env.describe_others(i, j)}" if env.n_agents > 1 else ""
            )
            worst.append(f"report {spec.labels[r]}{others}")
            best = int(np.argmax(expected[k]))
            interim.append(float(expected[k, best]))
            interim_report.append(
                spec.labels[ex_post.pair_at(env, i, k * (n - 1) + best)[1]]
                if expected[k, best] > 1e-12
                else spec.labels[k]
            )
        options = env.outside_options[i]
        truthful = mechanism.ex_post_utility(i)[env.layout.by_agent(i)]  # (K, R)
        audits.append(
            AgentAudit(
                agent=spec.name,
                labels=spec.labels,
                ex_post_regret=np.array(regret),
                ex_post_worst=tuple(worst),
                interim_regret=np.array(interim),
                interim_worst_report=tuple(interim_report),
                ex_post_participation_slack=truthful.min(axis=1) - options,
                interim_participation_slack=mechanism.interim_utility(i) - options,
            )
        )
    return Audit(mechanism.name, tuple(audits), mechanism.budget_surplus())
