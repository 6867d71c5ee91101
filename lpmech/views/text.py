"""A mechanism as plain text, and readable names for parameters.

Numbers and tables are written by :mod:`lpmech.numbers.formatting`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lpmech.errors import InvalidArgumentError
from lpmech.numbers.formatting import format_table

if TYPE_CHECKING:
    from lpmech.results.mechanism import Mechanism


def mechanism_summary(mechanism: Mechanism, max_profiles: int = 24) -> str:
    """Ex-post rule (first profiles), interim rule per agent, and expectations."""
    env = mechanism.env
    names = [agent.name for agent in env.agents]
    title = f"Mechanism {mechanism.name!r}" if mechanism.name else "Mechanism"
    parts = [f"{title} on {env!r}"]

    if (
        isinstance(max_profiles, bool)
        or not isinstance(max_profiles, int | np.integer)
        or max_profiles < 0
    ):
        raise InvalidArgumentError(
            f"summary: max_profiles must be a whole number, at least 0, got {max_profiles!r}"
        )
    shown = min(env.n_profiles, max_profiles)
    headers = [*names, *env.allocation.component_names, *(f"t[{n}]" for n in names)]
    rows = []
    for p in range(shown):
        types = [
            agent.labels[k]
            for agent, k in zip(env.agents, env.layout.profile_types[p], strict=True)
        ]
        rows.append([*types, *mechanism.flat_allocation[p], *mechanism.flat_payments[p]])
    more = f" (first {shown} of {env.n_profiles} profiles)" if shown < env.n_profiles else ""
    parts.append(f"\nEx-post rule{more}:\n" + format_table(headers, rows))

    for i, agent in enumerate(env.agents):
        single = env.single_parameter(i) is not None
        columns = [agent.labels, env.prior.marginals[i]]
        headers = ["type", "probability"]
        if single:
            columns.append(mechanism.interim_quantity(i))
            headers.append("interim quantity")
        columns += [
            mechanism.interim_value(i),
            mechanism.interim_payment(i),
            mechanism.interim_utility(i),
        ]
        headers += ["interim value", "interim payment", "interim utility"]
        parts.append(
            f"\nInterim rule of {agent.name!r}:\n"
            + format_table(headers, list(zip(*columns, strict=True)))
        )

    expectations = [
        ("expected revenue", mechanism.expected_revenue()),
        ("expected welfare", mechanism.expected_welfare()),
        *(
            (f"expected utility of {n!r}", mechanism.expected_utility(i))
            for i, n in enumerate(names)
        ),
    ]
    parts.append("\n" + format_table(("quantity", "value"), expectations))
    return "\n".join(parts)


#: Readable names for parameters and objectives that appear on axes and titles.
HUMAN_NAMES = {
    "n": "grid size",
    "n_types": "types per agent",
    "n_bidders": "number of bidders",
    "n_agents": "number of agents",
    "n_grid": "grid points per item",
    "n_items": "number of items",
    "objective": "optimal objective",
}


def human_name(name: str) -> str:
    """A readable name for a parameter or objective: ``n_types`` → ``types per agent``.

    >>> human_name("gains_from_trade"), human_name("n_bidders")
    ('gains from trade', 'number of bidders')
    """
    return HUMAN_NAMES.get(name, name.replace("_", " "))
