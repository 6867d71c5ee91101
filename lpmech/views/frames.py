"""Results as pandas DataFrames: rules by profile and by type, audits, verdicts, duals.

Needs pandas (``pip install "lpmech[frames]"``). Column names are the agents'
names and the allocation's component names, so a frame reads like the problem:

* :func:`mechanism_frame` — one row per profile θ: each agent's type (the scalar
  value, or the label of a vector type) in a column named after the agent, the
  prior π(θ), every allocation component a_c(θ), and each agent's payment
  ``t[name]`` = t_i(θ);
* :func:`interim_frame` — one row per type of one agent: π_i(θ_i), the interim
  allocation E[a(θ) | θ_i], quantity q_i (single-parameter agents), value,
  payment m_i and utility U_i (seed notes §1; slides: q_i, m_i);
* :func:`audit_frame`, :func:`verification_frame` — the audit per (agent, type)
  and the verification per family;
* :func:`duals_frame` — every row of every compiled family with its dual and
  what the row means: agent, true type, report, others' types or profile.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np

from lpmech.extras import require
from lpmech.problem.environment import AgentRef

if TYPE_CHECKING:
    import pandas as pd

    from lpmech.checks.auditing import Audit
    from lpmech.checks.verification import VerificationReport
    from lpmech.results.mechanism import Mechanism
    from lpmech.results.solution import Solution


def _pandas() -> Any:
    return require("pandas", "frames", "lpmech's DataFrames")


def mechanism_frame(mechanism: Mechanism) -> pd.DataFrame:
    """One row per profile: types by agent name, probability, allocation, payments."""
    pd = _pandas()
    env = mechanism.env
    columns: dict[str, Any] = {}
    for i, agent in enumerate(env.agents):
        index = env.layout.profile_types[:, i]
        columns[agent.name] = (
            agent.types[index]
            if agent.is_scalar
            else np.asarray(agent.labels, dtype=object)[index]
        )
    columns["probability"] = env.prior.joint
    for c, name in enumerate(env.allocation.component_names):
        columns[name] = mechanism.flat_allocation[:, c]
    for i, agent in enumerate(env.agents):
        columns[f"t[{agent.name}]"] = mechanism.flat_payments[:, i]
    frame = pd.DataFrame(columns)
    frame.index.name = "profile"
    return frame


def interim_frame(mechanism: Mechanism, agent: AgentRef) -> pd.DataFrame:
    """One row per type of ``agent``: probability, interim allocation, value, payment, utility."""
    pd = _pandas()
    env = mechanism.env
    i = env.agent_index(agent)
    spec = env.agents[i]
    columns: dict[str, Any] = {
        "type": spec.types if spec.is_scalar else list(spec.labels),
        "probability": env.prior.marginals[i],
    }
    allocation = mechanism.interim_allocation(i)
    for c, name in enumerate(env.allocation.component_names):
        columns[name] = allocation[:, c]
    if env.single_parameter(i) is not None:
        columns["quantity"] = mechanism.interim_quantity(i)
    columns["value"] = mechanism.interim_value(i)
    columns["payment"] = mechanism.interim_payment(i)
    columns["utility"] = mechanism.interim_utility(i)
    return pd.DataFrame(columns, index=pd.Index(spec.labels, name=spec.name))


def audit_frame(audit: Audit) -> pd.DataFrame:
    """One row per (agent, type): regrets, the lies achieving them, participation slacks."""
    pd = _pandas()
    rows = []
    for agent in audit.agents:
        for k, label in enumerate(agent.labels):
            rows.append(
                {
                    "agent": agent.agent,
                    "type": label,
                    "ex_post_regret": agent.ex_post_regret[k],
                    "worst_ex_post_lie": agent.ex_post_worst[k],
                    "interim_regret": agent.interim_regret[k],
                    "best_interim_report": agent.interim_worst_report[k],
                    "ex_post_ir_slack": agent.ex_post_participation_slack[k],
                    "interim_ir_slack": agent.interim_participation_slack[k],
                }
            )
    return pd.DataFrame(rows).set_index(["agent", "type"])


def verification_frame(report: VerificationReport) -> pd.DataFrame:
    """One row per family: verdict, largest violation, tolerance, entries, worst entry."""
    pd = _pandas()
    return pd.DataFrame(
        [
            {
                "family": c.family,
                "ok": c.ok,
                "max_violation": c.max_violation,
                "tolerance": c.tolerance,
                "entries": c.n_entries,
                "worst": c.worst,
            }
            for c in report.checks
        ]
    ).set_index("family")


#: How the built-in families' ``describe`` names the parts of a row.
_PARTS = {
    "agent": re.compile(r"^agent (['\"])(?P<agent>.*?)\1"),
    "type": re.compile(r" of type (?P<type>.+?)(?= reporting | when the others are |$)"),
    "report": re.compile(
        r" reporting (?P<report>.+?)"
        r"(?= when the others are | \(in expectation|$)"
    ),
    "others": re.compile(r"when the others are (?P<others>\(.*\))$"),
    "profile": re.compile(r"profile (?P<profile>\(.*\))$"),
}
_FIELDS = tuple(_PARTS)


def row_meaning(description: str) -> dict[str, str | None]:
    """Agent, true type, report, others' types and profile named in a row's description.

    >>> row_meaning("agent 'bidder 1' of type 3 reporting 2 when the others are (bidder 2=1)")
    {'agent': 'bidder 1', 'type': '3', 'report': '2', 'others': '(bidder 2=1)', 'profile': None}
    """
    found = {name: pattern.search(description) for name, pattern in _PARTS.items()}
    return {name: match.group(name) if match else None for name, match in found.items()}


def duals_frame(solution: Solution, binding_only: bool = False) -> pd.DataFrame:
    """Every compiled row's dual, labelled by family, row and what the row means.

    Duals are ∂(optimal objective)/∂(shift of the row's bounds) (see
    :attr:`lpmech.results.solution.Solution.duals`); ``binding_only`` keeps rows with
    |dual| above :meth:`~lpmech.results.solution.Solution.binding_threshold`
    (a cut-off in the dual's unit).
    """
    pd = _pandas()
    env = solution.mechanism.env
    families = {f.name: f for f in solution.compiled}
    rows = []
    for name, duals in solution.duals.items():
        duals = np.asarray(duals, dtype=float)
        threshold = solution.binding_threshold(name)
        chosen = np.flatnonzero(np.abs(duals) > threshold) if binding_only else range(len(duals))
        for r in chosen:
            description = families[name].describe(env, int(r))
            rows.append(
                {
                    "family": name,
                    "row": int(r),
                    **row_meaning(description),
                    "meaning": description,
                    "dual": float(duals[r]),
                }
            )
    columns = ["family", "row", *_FIELDS, "meaning", "dual"]
    return pd.DataFrame(rows, columns=columns)
