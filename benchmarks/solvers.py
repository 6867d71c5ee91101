"""Which cvxpy solver for which class of design program: time and accuracy, measured.

    python benchmarks/solvers.py

Each program is solved by every installed solver that takes its class, through
``lpmech.solve(..., solver=...)`` (build, canonicalisation, solve and
verification included), with verification at a loose tolerance so that every
optimum is measured rather than refused. For each it prints the seconds, its
optimum minus a reference solver's (HiGHS for LP and QP, Clarabel otherwise;
every objective is maximised, so a positive difference is a better optimum), and the
largest violation of any imposed family relative to the data's scale — the
quantity :mod:`lpmech.backends.solver_choice` states its verification tolerances for. The rule
``solver="auto"`` follows (HiGHS for LP and MILP, Clarabel for the rest) is
stated with these numbers in :mod:`lpmech.backends.solver_choice`.
"""

from __future__ import annotations

import time

import cvxpy as cp
import numpy as np

import lpmech
from lpmech.problem.scales import data_scale
from lpmech.program.objectives import RevenueVariance

DSIC_IR = ["dominant_strategy_ic", "ex_post_ir"]
BIC_BB = ["bayesian_ic", "ex_post_budget_balance"]


def cases():
    """(class, description, environment, objective, constraints, reference solver)."""
    for n_types in (4, 10, 20):
        env = lpmech.single_item_auction(np.arange(1.0, n_types + 1), n_bidders=2)
        yield "LP", f"auction 2 x {n_types}: revenue", env, "revenue", DSIC_IR, "HIGHS"
        yield (
            "QP",
            f"auction 2 x {n_types}: revenue - variance",
            env,
            lpmech.Revenue() + 0.1 * RevenueVariance(),
            DSIC_IR,
            "HIGHS",
        )
        log_pay = lpmech.CustomObjective(
            lambda v: v.env.prior.joint @ cp.log(1 + cp.sum(v.payments, axis=1)), name="log"
        )
        yield (
            "conic",
            f"auction 2 x {n_types}: E log(1 + revenue)",
            env,
            log_pay,
            DSIC_IR,
            "CLARABEL",
        )
    for n_types in (3, 5, 8):
        env = lpmech.public_good(np.linspace(0.0, 2.0, n_types), 3, cost=2.5)
        yield (
            "conic",
            f"public good 3 x {n_types}: Nash welfare",
            env,
            "nash_welfare",
            BIC_BB,
            "CLARABEL",
        )


def measure(env, objective, constraints, solver):
    start = time.perf_counter()
    try:
        solution = lpmech.solve(env, objective, constraints, solver=solver, tol=1e-1)
    except lpmech.LpmechError as error:
        return None, time.perf_counter() - start, type(error).__name__
    seconds = time.perf_counter() - start
    worst = max(check.max_violation for check in solution.verification.checks)
    return solution.objective_value, seconds, worst / data_scale(env)


def main() -> None:
    solvers = ("HIGHS", "CLARABEL", "SCS", "OSQP")
    print("| class | program | solver | seconds | optimum − reference | max violation |")
    print("|---|---|---|---|---|---|")
    for kind, name, env, objective, constraints, reference in cases():
        results = {s: measure(env, objective, constraints, s) for s in solvers}
        best = results[reference][0]
        for solver, (value, seconds, worst) in results.items():
            if value is None:
                if worst != "SolverMismatchError":
                    print(f"| {kind} | {name} | {solver} | {seconds:.3f} | failed: {worst} | |")
                continue
            print(
                f"| {kind} | {name} | {solver} | {seconds:.3f} | "
                f"{value - best:+.1e} | {worst:.1e} |"
            )


if __name__ == "__main__":
    main()
