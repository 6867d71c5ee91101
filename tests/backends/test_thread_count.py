"""What lpmech reports does not depend on how many threads BLAS or HiGHS use.

A sweep's workers run BLAS on one thread while this process may use several, so
an optimum, a benchmark or an expectation computed by a threaded BLAS sum
(``prior.joint @ x`` over 10 000 profiles and more) would differ in its last
bits between executors. The problems here are that large; every number is
compared exactly.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from fresh_process import run_python
from threadpoolctl import threadpool_info, threadpool_limits

import lpmech
from lpmech.models import MODELS
from lpmech.stable_sums import matrix_vector, weighted_sum

#: Models with over 10 000 profiles (where OpenBLAS splits a dot product among threads).
LARGE = {
    "revenue, 4 bidders × 11 types": ("single_item", {"n_bidders": 4, "n_types": 11}),
    "welfare, public good of 9 agents": ("public_good", {"n_agents": 9}),
}

#: BLAS thread counts compared with one thread.
SEVERAL = (2, 4)


def reported(model: str, params: dict) -> dict[str, object]:
    """Every number a solve of the model reports, and its sweep row's numbers."""
    spec = MODELS[model]
    env = spec.environment(**params)
    solution = lpmech.solve(env, spec.objective, spec.constraints)
    mechanism = solution.mechanism
    numbers: dict[str, object] = {
        "objective": solution.objective_value,
        "benchmark": spec.benchmark(env).value,
        "revenue": mechanism.expected_revenue(),
        "welfare": mechanism.expected_welfare(),
        "budget surplus": mechanism.expected_budget_surplus(),
        "allocation": mechanism.flat_allocation.tolist(),
        "payments": mechanism.flat_payments.tolist(),
        **{
            f"violation of {check.family}": check.max_violation
            for check in solution.verification.checks
        },
    }
    for i in range(env.n_agents):
        numbers[f"utility of {i}"] = mechanism.expected_utility(i)
        numbers[f"interim utility of {i}"] = mechanism.interim_utility(i).tolist()
    row = lpmech.sweep(model, [params], executor="serial", quiet=True)
    numbers.update(
        {
            f"row {name}": row[name][0]
            for name in ("status", "objective", "benchmark", "gap", "agrees", "n_rows")
        }
    )
    return numbers


def numpy_blas_threads() -> int:
    """The thread count of the BLAS numpy's ``@`` calls."""
    (count,) = {
        info["num_threads"]
        for info in threadpool_info()
        if info["user_api"] == "blas" and "numpy" in info["filepath"]
    }
    return count


@pytest.mark.slow
@pytest.mark.parametrize("case", LARGE)
def test_reported_numbers_are_identical_under_one_and_several_blas_threads(case):
    model, params = LARGE[case]
    assert MODELS[model].environment(**params).n_profiles > 10_000
    with threadpool_limits(1, user_api="blas"):
        alone = reported(model, params)
    for threads in SEVERAL:
        with threadpool_limits(threads, user_api="blas"):
            assert numpy_blas_threads() == threads
            assert reported(model, params) == alone, f"{threads} BLAS threads"
    assert alone["row status"] == "optimal"
    assert alone["row objective"] == alone["objective"]


#: In a fresh process (HiGHS sets up its threads once per process): BLAS and HiGHS on
#: ``argv[1]`` threads; print each solve's numbers.
HIGHS_SCRIPT = """
import json, sys
import numpy as np
from threadpoolctl import threadpool_limits
import lpmech

threads = int(sys.argv[1])
auction = lpmech.single_item_auction(np.arange(1, 12), 3)
cases = {
    "simplex": dict(env=auction, formulation="direct", algorithm="simplex"),
    "interior point": dict(env=auction, formulation="direct", algorithm="ipm"),
    "symmetric": dict(env=lpmech.single_item_auction(np.arange(1, 14), 4)),
    "deterministic (MIP)": dict(env=lpmech.single_item_auction(np.arange(1, 7), 2),
                                deterministic=True),
}
out = {}
with threadpool_limits(threads, user_api="blas"):
    for name, arguments in cases.items():
        solution = lpmech.solve(constraints=["dsic", "ex_post_ir"],
                                solver_options={"threads": threads}, **arguments)
        out[name] = [solution.objective_value.hex(), solution.report.algorithm,
                     solution.mechanism.flat_allocation.tobytes().hex(),
                     solution.mechanism.flat_payments.tobytes().hex()]
print(json.dumps(out))
"""


@pytest.mark.slow
def test_highs_gives_the_same_optimum_on_one_and_on_several_threads():
    runs = {
        threads: json.loads(run_python("-c", HIGHS_SCRIPT, str(threads)).stdout)
        for threads in (1, 4)
    }
    assert runs[1] == runs[4]
    assert {algorithm for _, algorithm, *_ in runs[1].values()} == {
        "simplex",
        "ipm",
        "branch and bound",
    }


def test_fixed_order_sums_agree_with_the_products_they_replace():
    rng = np.random.default_rng(7)
    weights, values, table = rng.random(30_000), rng.random(30_000), rng.random((30_000, 3))
    assert weighted_sum(weights, values) == pytest.approx(weights @ values, rel=1e-13)
    np.testing.assert_allclose(weighted_sum(weights, table), weights @ table, rtol=1e-13)
    np.testing.assert_allclose(matrix_vector(table, values[:3]), table @ values[:3], rtol=1e-13)
    with threadpool_limits(1, user_api="blas"):
        alone = weighted_sum(weights, values)
    with threadpool_limits(4, user_api="blas"):
        assert weighted_sum(weights, values) == alone


def test_exact_weights_are_summed_exactly():
    from fractions import Fraction

    weights = np.array([Fraction(1, 3), Fraction(2, 3)], dtype=object)
    values = np.array([Fraction(1, 7), Fraction(5, 7)], dtype=object)
    assert weighted_sum(weights, values) == Fraction(11, 21)
