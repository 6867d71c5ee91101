"""The size guard: a program too large is refused before anything of size ∏ K_i exists."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from fresh_process import run_python

import lpmech
from lpmech.constraints import Feasibility, resolve_all
from lpmech.errors import InvalidArgumentError, ProblemTooLargeError
from lpmech.formulations import DesignProblem
from lpmech.program.objectives import resolve_objective
from lpmech.solving.sizing import estimate

# The child's own peak: VmHWM, the high-water mark of its address space. (getrusage's
# ru_maxrss survives fork and exec on Linux, so a child of a large pytest process would
# report its parent's size; both are printed, the test reads VmHWM.)
REFUSAL = textwrap.dedent("""
    import resource, time
    import lpmech
    start = time.perf_counter()
    env = lpmech.single_item_auction(range(1, 31), n_bidders=8)
    try:
        lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    except lpmech.errors.LpmechError as error:
        print(type(error).__name__)
        print(time.perf_counter() - start)
        with open("/proc/self/status") as status:
            print(next(int(line.split()[1]) * 1024 for line in status
                       if line.startswith("VmHWM:")))
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
        print(error)
""")


@pytest.mark.slow
def test_eight_bidders_thirty_types_dsic_is_refused_fast_and_small():
    """8 × 30 types: 30^8 ≈ 6.6e11 profiles. Refused in < 5 s and < 1.5 GB peak, saying
    the estimate, the limit and what would fit."""
    run = run_python("-c", REFUSAL, timeout=120)
    name, seconds, peak, _, *message = run.stdout.splitlines()
    assert name == "ProblemTooLargeError"
    assert float(seconds) < 5.0
    assert int(peak) < 1.5e9
    text = "\n".join(message)
    assert "656,100,000,000 profiles" in text
    for fragment in ("estimated", "over the limit of", "memory_limit"):
        assert fragment in text
    assert "types per agent" in text  # what would fit


def _problem(env, constraints, deterministic=False):
    families = (Feasibility(), *resolve_all(constraints))
    return DesignProblem(
        env,
        resolve_objective("revenue"),
        tuple(f.compiled_form(env) for f in families),
        deterministic,
    )


@pytest.mark.parametrize(
    ("counts", "constraints"),
    [
        ([3, 4], ["dsic", "ex_post_ir"]),
        ([3, 4, 2], ["dsic", "ex_post_ir"]),
        ([4, 3], [lpmech.DominantStrategyIC("full"), "ex_post_ir"]),
        ([3, 4], ["bic", "interim_ir"]),
        ([3, 3], ["dsic", "ex_post_ir", "ex_post_budget_balance"]),
    ],
)
def test_direct_estimate_matches_the_compiled_program(counts, constraints):
    """Rows are exact; non-zeros are an upper bound (zero values are dropped when built)."""
    env = lpmech.single_item_auction([np.arange(1, k + 1) for k in counts])
    size = estimate(_problem(env, constraints), "direct")
    report = lpmech.solve(env, "revenue", constraints, formulation="direct").report
    assert size.n_rows == report.n_rows
    assert size.n_columns == report.n_variables
    assert report.n_nonzeros <= size.n_nonzeros <= 2 * report.n_nonzeros


def test_memory_limit_refuses_and_raises():
    env = lpmech.single_item_auction(range(1, 11), n_bidders=3)
    with pytest.raises(ProblemTooLargeError, match="over the limit of 1 MB") as caught:
        lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], memory_limit=1e6)
    assert caught.value.estimate > caught.value.limit == 1_000_000
    assert isinstance(caught.value, lpmech.errors.LpmechError)
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], memory_limit=1e10)
    assert solution.verification.ok


def test_refusal_suggests_bayesian_ic_and_another_formulation_when_they_fit():
    """5 bidders × 12 types, DSIC in the direct form, under a limit that only the reduced
    programs meet: the message names the symmetric form and Bayesian IC."""
    env = lpmech.single_item_auction(range(1, 13), n_bidders=5)
    problem = _problem(env, ["dsic", "ex_post_ir"])
    direct, symmetric = estimate(problem, "direct"), estimate(problem, "symmetric")
    limit = (direct.n_bytes + symmetric.n_bytes) // 2
    with pytest.raises(ProblemTooLargeError) as caught:
        lpmech.solve(
            env, "revenue", ["dsic", "ex_post_ir"], formulation="direct", memory_limit=limit
        )
    message = str(caught.value)
    assert "formulation='symmetric'" in message
    assert "'bayesian_ic' instead of 'dominant_strategy_ic'" in message


@pytest.mark.parametrize("limit", [0, -5, float("nan"), float("inf"), "big", True])
def test_memory_limit_is_validated(limit):
    env = lpmech.single_item_auction([1, 2], n_bidders=1)
    with pytest.raises(InvalidArgumentError, match="memory_limit must be"):
        lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], memory_limit=limit)


def test_independent_prior_stays_factored_until_read():
    env = lpmech.single_item_auction(range(1, 31), n_bidders=8)
    assert "table" not in vars(env.prior)
    small = lpmech.single_item_auction([1, 2, 3], n_bidders=2, priors=[0.2, 0.3, 0.5])
    assert np.allclose(small.prior.table, np.outer([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]))
    assert np.allclose(small.prior.conditional(0), [[0.2, 0.3, 0.5]] * 3)


def test_interim_estimate_for_additive_items_counts_border_item_by_item():
    """2 bidders × 2 additive items on 20 × 20 types per bidder: no ex-post variables in
    the program (q_ij(k) and M_i(k) only), the BIC rows once, and the recovery LP per
    item — a few hundred MB, where linking every profile's allocation was ~200 GB."""
    from lpmech.analytic.published import SETTINGS

    env = SETTINGS["2 bidders, additive U[0,1]^2"].build(20)
    size = estimate(_problem(env, ["bic", "interim_ir"]), "interim")
    assert size.n_columns == 3 * 2 * 400
    assert size.n_rows == 2 * 400 * 399 + 2 * 400
    assert size.n_bytes < 2e9
    unit_demand = lpmech.multi_item_auction(env.agents[0].types, 2, unit_demand=True)
    assert estimate(_problem(unit_demand, ["bic", "interim_ir"]), "interim").n_bytes > 1e10
