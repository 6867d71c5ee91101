"""Notebook views: HTML for environments, mechanisms, solutions, verifications and audits.

Each ``*_html`` function returns an HTML fragment that puts the answer first — the
optimum and the verdict — and folds the details below it (``<details>``: compact
tables, long ones cut, saying how many rows are not shown). The objects'
``_repr_html_`` methods call these, so Jupyter shows them without extra dependencies.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from lpmech.numbers.formatting import format_number, optimum_label
from lpmech.views.text import human_name

if TYPE_CHECKING:
    from lpmech.checks.auditing import Audit
    from lpmech.checks.verification import VerificationReport
    from lpmech.problem.environment import Environment
    from lpmech.results.mechanism import Mechanism
    from lpmech.results.solution import Solution

#: Longest table shown before rows are cut.
MAX_ROWS = 12


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    max_rows: int = MAX_ROWS,
    total: int | None = None,
) -> str:
    """An HTML table, numbers to 6 significant figures, cut after ``max_rows`` rows.

    ``total`` is the full number of rows when only the first ones are passed.

    >>> table(["x"], [[1.0], [2.5]])
    '<table><thead><tr><th>x</th></tr></thead><tbody><tr><td>1</td></tr><tr><td>2.5</td></tr></tbody></table>'
    """
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(format_number(v))}</td>" for v in row) + "</tr>"
        for row in rows[:max_rows]
    )
    hidden = (len(rows) if total is None else total) - min(len(rows), max_rows)
    more = f"<tr><td colspan='{len(headers)}'>… {hidden} more rows</td></tr>" if hidden > 0 else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}{more}</tbody></table>"


def _section(title: str, content: str) -> str:
    """Details folded under a one-line title: the summary stays in view, the rest on a click."""
    return f"<details><summary>{escape(title)}</summary>{content}</details>"


def _verdict(report: VerificationReport) -> str:
    if report.ok:
        return f"verified: all {len(report.checks)} families satisfied"
    failed = ", ".join(c.family for c in report.failures())
    return f"<span style='color:#b00'>VIOLATED: {escape(failed)}</span>"


def environment_html(env: Environment) -> str:
    """Name and size, then one row per agent: types, labels, marginal prior."""
    kind = "independent" if env.prior.is_independent else "correlated"
    header = (
        f"<p><strong>Environment</strong> {escape(env.name)}: {env.n_agents} agents, "
        f"{env.n_profiles} profiles, {env.n_components} allocation components, "
        f"{kind} prior</p>"
    )
    rows = [
        (
            a.name,
            a.n_types,
            ", ".join(a.labels[:8]) + (" …" if a.n_types > 8 else ""),
            ", ".join(format_number(float(p), 3) for p in env.prior.marginals[i][:8]),
        )
        for i, a in enumerate(env.agents)
    ]
    agents = table(("agent", "types", "labels", "prior"), rows)
    components = escape(", ".join(env.allocation.component_names))
    return f"<div>{header}{agents}<p>allocation: {components}</p></div>"


def mechanism_html(mechanism: Mechanism) -> str:
    """Expectations first, then each agent's interim rule and the first profiles."""
    env = mechanism.env
    title = (
        f"<strong>Mechanism</strong> {escape(mechanism.name)}"
        if mechanism.name
        else "<strong>Mechanism</strong>"
    )
    header = (
        f"<p>{title}: expected revenue {format_number(mechanism.expected_revenue())}, "
        f"expected welfare {format_number(mechanism.expected_welfare())}</p>"
    )
    parts = [header]
    for i, agent in enumerate(env.agents):
        headers = ["type", "probability"]
        columns: list[Any] = [agent.labels, env.prior.marginals[i]]
        if env.single_parameter(i) is not None:
            headers.append("quantity")
            columns.append(mechanism.interim_quantity(i))
        headers += ["payment", "utility"]
        columns += [mechanism.interim_payment(i), mechanism.interim_utility(i)]
        parts.append(
            _section(
                f"interim rule of {agent.name}", table(headers, list(zip(*columns, strict=True)))
            )
        )
    names = [a.name for a in env.agents]
    rows = [
        [
            *(a.labels[k] for a, k in zip(env.agents, env.layout.profile_types[p], strict=True)),
            *mechanism.flat_allocation[p],
            *mechanism.flat_payments[p],
        ]
        for p in range(min(env.n_profiles, MAX_ROWS))
    ]
    headers = [*names, *env.allocation.component_names, *(f"t[{n}]" for n in names)]
    parts.append(_section("ex-post rule", table(headers, rows, total=env.n_profiles)))
    return "<div>" + "".join(parts) + "</div>"


def verification_html(report: VerificationReport) -> str:
    """The verdict, then one row per family."""
    rows = [
        (
            c.family,
            "ok" if c.ok else "VIOLATED",
            c.max_violation,
            c.n_entries,
            "" if c.ok else c.worst,
        )
        for c in report.checks
    ]
    name = escape(report.mechanism_name or "mechanism")
    return (
        f"<div><p><strong>Verification</strong> of {name}: {_verdict(report)}</p>"
        + table(
            ("family", "verdict", "max violation", "entries", "worst entry"),
            rows,
            max_rows=len(rows),
        )
        + "</div>"
    )


def solution_html(solution: Solution) -> str:
    """The optimum and its verdict, then the verification, the program's size, the mechanism."""
    families = " + ".join(f.name for f in solution.families)
    report = solution.report
    label = optimum_label(
        human_name(solution.objective.name), solution.objective_value, report.status
    )
    header = (
        f"<p><strong>{escape(label)}</strong> under {escape(families)}; "
        f"{_verdict(solution.verification)}</p>"
        f"<p>{report.n_variables} variables, {report.n_rows} rows; solved in "
        f"{report.total_seconds:.3f} s ({escape(report.formulation)}, "
        f"{escape(report.backend)}, {escape(report.algorithm)})</p>"
    )
    return (
        "<div>"
        + header
        + _section("verification", verification_html(solution.verification))
        + _section("mechanism", mechanism_html(solution.mechanism))
        + "</div>"
    )


def audit_html(audit: Audit) -> str:
    """Largest regrets and smallest slack first, then one row per (agent, type), folded."""
    surplus = audit.budget_surplus
    header = (
        f"<p><strong>Audit</strong> of {escape(audit.mechanism_name or 'mechanism')}: "
        f"max ex-post regret {format_number(audit.max_ex_post_regret)}, max interim "
        f"regret {format_number(audit.max_interim_regret)}, min ex-post IR slack "
        f"{format_number(audit.min_participation_slack)}; principal's surplus "
        f"Σ t + v₀·a per profile from {format_number(float(surplus.min()))} to "
        f"{format_number(float(surplus.max()))}</p>"
    )
    rows = [
        (
            a.agent,
            label,
            a.ex_post_regret[k],
            a.ex_post_worst[k] if a.ex_post_regret[k] > 1e-9 else "",
            a.interim_regret[k],
            a.interim_worst_report[k],
            a.ex_post_participation_slack[k],
            a.interim_participation_slack[k],
        )
        for a in audit.agents
        for k, label in enumerate(a.labels)
    ]
    headers = (
        "agent",
        "type",
        "ex-post regret",
        "worst ex-post lie",
        "interim regret",
        "best interim report",
        "ex-post IR slack",
        "interim IR slack",
    )
    return "<div>" + header + _section("by agent and type", table(headers, rows)) + "</div>"
