"""Functions that sweeps in the tests run: importable, so workers find them by reference."""

from __future__ import annotations

import os
import time

import numpy as np

import lpmech

#: Set by a test to interrupt a serial sweep at this many types (as Ctrl-C would).
INTERRUPT_AT: int | None = None

#: Every (n_types, n_bidders) this process built, in order.
CALLS: list[tuple[int, int]] = []


def auction(n_types: int, n_bidders: int = 1, pause: float = 0.0) -> lpmech.Environment:
    """Values uniform on 1..n_types; sleeps ``pause`` seconds first (a long point)."""
    CALLS.append((n_types, n_bidders))
    if n_types == INTERRUPT_AT:
        raise KeyboardInterrupt
    time.sleep(pause)
    return lpmech.single_item_auction(np.arange(1, n_types + 1), n_bidders)


def crash(n_types: int, die: bool = False) -> lpmech.Environment:
    """Kills the process running it when ``die`` (as a segfault or the OOM killer would)."""
    if die:
        os._exit(3)
    return auction(n_types)


def design(case: str) -> dict:
    """A design problem with a known outcome, by name: solve's arguments."""
    auction = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
    trade = lpmech.bilateral_trade([0, 1, 2, 3], [0, 1, 2, 3])
    cases = {
        "optimal": {"env": auction, "constraints": ["dsic", "ex_post_ir"]},
        # Myerson–Satterthwaite: efficient, DSIC, budget-balanced trade does not exist
        "infeasible": {
            "env": trade,
            "objective": "gains_from_trade",
            "constraints": [
                "dsic",
                "ex_post_ir",
                "ex_post_budget_balance",
                "efficient_allocation",
            ],
        },
        "unbounded": {"env": auction, "constraints": ["dsic"]},
        "failed": {
            "env": auction,
            "constraints": ["dsic", "ex_post_ir"],
            "formulation": "direct",
            "solver_options": {"simplex_iteration_limit": 1, "presolve": "off"},
        },
    }
    if case == "out_of_memory":
        raise MemoryError("the joint prior does not fit")
    if case == "wrong_return":
        return 42  # type: ignore[return-value]
    return cases[case]


def second_price_revenue(env: lpmech.Environment) -> float:
    """E[second highest value] for two bidders uniform on the grid (a benchmark by formula)."""
    values = np.asarray(env.agents[0].types, dtype=float)
    high, low = np.meshgrid(values, values)
    return float(np.minimum(high, low).mean())
