"""Every family is written twice; both readings agree, and agree with the oracle.

* rows ↔ violation: :func:`lpmech.testing.check_family` compares, entry by entry,
  the violation computed from the sparse rows with the one computed from the
  definition, on random mechanisms;
* violation ↔ brute force: the largest violation equals the one found by the
  deliberately slow loops of ``tests/oracle.py``.
"""

from __future__ import annotations

import cvxpy as cp
import numpy as np
import oracle
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import environments, mechanisms

from lpmech.constraints import BUILT_IN, ExPostBudgetBalance, RowBlock, resolve
from lpmech.errors import InvalidArgumentError
from lpmech.problem.builders import single_item_auction
from lpmech.program.objectives import OBJECTIVES, CustomObjective, GainsFromTrade
from lpmech.testing import check_family, check_objective

GENERAL = [name for name in BUILT_IN if "monotonicity" not in name]
SINGLE_PARAMETER = ("single_item", "public_good")


@pytest.mark.parametrize("name", GENERAL)
@given(data=st.data())
def test_rows_agree_with_violation(name, data):
    env = data.draw(environments())
    check_family(resolve(name), env, count=4, seed=data.draw(st.integers(0, 1000)))


@pytest.mark.parametrize("name", ["ex_post_monotonicity", "interim_monotonicity"])
@given(data=st.data())
def test_monotonicity_rows_agree_with_violation(name, data):
    env = data.draw(environments(kinds=SINGLE_PARAMETER))
    check_family(resolve(name), env, count=4, seed=data.draw(st.integers(0, 1000)))


@pytest.mark.parametrize("name", sorted(oracle.CHECKS))
@given(data=st.data())
def test_violation_matches_brute_force(name, data):
    env = data.draw(environments(max_agents=2))
    mechanism = data.draw(mechanisms(env))
    direct = resolve(name).violation(mechanism)
    largest = float(direct.max()) if direct.size else 0.0
    assert np.isclose(largest, oracle.CHECKS[name](env, mechanism), atol=1e-9)


@given(data=st.data())
def test_monotonicity_matches_brute_force(data):
    """The family measures drops between adjacent types (its rows); the oracle the largest
    drop over any pair. A drop along a chain is at most the sum of its adjacent drops, so
    adjacent ≤ any-pair ≤ (K − 1)·adjacent: both vanish exactly when the rule is monotone."""
    env = data.draw(environments(max_agents=2, kinds=SINGLE_PARAMETER))
    mechanism = data.draw(mechanisms(env))
    # a bidder's quantity is its own component; the build decision is everyone's
    directions = [
        np.eye(env.n_components)[min(i, env.n_components - 1)] for i in range(env.n_agents)
    ]
    chain = max(env.type_counts) - 1
    for name, brute_force in (
        ("ex_post_monotonicity", oracle.ex_post_monotonicity_violation),
        ("interim_monotonicity", oracle.interim_monotonicity_violation),
    ):
        adjacent = resolve(name).violation(mechanism).max(initial=0.0)
        any_pair = brute_force(env, mechanism, directions)
        assert adjacent <= any_pair + 1e-12
        assert any_pair <= chain * adjacent + 1e-12


@given(data=st.data())
def test_budget_balance_with_a_required_amount(data):
    env = data.draw(environments(max_agents=2))
    mechanism = data.draw(mechanisms(env))
    for strict in (True, False):
        family = ExPostBudgetBalance(strict=strict, required=1.5)
        check_family(family, env)
        assert np.isclose(
            family.violation(mechanism).max(),
            oracle.ex_post_budget_violation(env, mechanism, strict, 1.5),
        )


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(OBJECTIVES))
@given(env=environments())
def test_objective_coefficients_agree_with_value(name, env):
    check_objective(OBJECTIVES[name](), env)


@given(env=environments(kinds=("outcomes",)))
def test_gains_from_trade_over_a_status_quo(env):
    status_quo = np.eye(env.n_components)[0]
    check_objective(GainsFromTrade(status_quo), env)


def test_an_objective_term_without_a_value_is_refused_by_name():
    env = single_item_auction([1, 2], n_bidders=1)
    foreign = cp.Variable()
    objective = CustomObjective(lambda v: v.payments[0, 0] + foreign, name="foreign")
    with pytest.raises(InvalidArgumentError, match=r"objective: .*foreign.* has no value"):
        check_objective(objective, env)


@given(data=st.data())
def test_revenue_value_matches_brute_force(data):
    env = data.draw(environments())
    mechanism = data.draw(mechanisms(env))
    assert np.isclose(
        OBJECTIVES["revenue"]().value(mechanism), oracle.expected_revenue(env, mechanism)
    )


def test_monotonicity_refuses_a_multi_parameter_agent():
    from lpmech import multi_item_auction
    from lpmech.errors import InvalidEnvironmentError

    env = multi_item_auction([[1, 1], [1, 2], [2, 1]], n_bidders=1)
    with pytest.raises(InvalidEnvironmentError, match="bidder 1' is not single-parameter"):
        resolve("ex_post_monotonicity").rows(env)


@pytest.mark.parametrize("name", [*GENERAL, "ex_post_monotonicity", "interim_monotonicity"])
@given(data=st.data())
def test_agent_rows_stack_to_the_rows(name, data):
    """A family that builds rows agent by agent builds the same rows in the same order."""
    kinds = (
        SINGLE_PARAMETER
        if "monotonicity" in name
        else ("single_item", "public_good", "outcomes", "interdependent")
    )
    env = data.draw(environments(kinds=kinds))
    family = resolve(name)
    if family.agent_rows(env, [0]) is None:
        return  # not grouped by agent (feasibility, budget balance, fixed allocation)
    whole = family.rows(env)
    parts = [family.agent_rows(env, [i]) for i in range(env.n_agents)]
    stacked = RowBlock.stack(parts, env.layout.n_columns)
    assert (whole.matrix != stacked.matrix).nnz == 0
    np.testing.assert_array_equal(whole.lower, stacked.lower)
    np.testing.assert_array_equal(whole.upper, stacked.upper)
