"""Bad input raises a clear error naming the argument and what is wrong."""

from __future__ import annotations

import numpy as np
import pytest

import lpmech
from lpmech import Agent, Environment, Items, Outcomes
from lpmech.errors import InvalidEnvironmentError, UnknownConstraintError, UnknownObjectiveError


def one_buyer(**overrides):
    arguments = {
        "agents": [Agent("buyer", [1, 2], [0.5, 0.5])],
        "allocation": Items(["buyer"]),
        "valuations": [[[1.0], [2.0]]],
    }
    arguments.update(overrides)
    return Environment(**arguments)


@pytest.mark.parametrize(
    ("types", "prior", "message"),
    [
        ([1, 2, 3], [0.5, 0.3, 0.1], r"prior sums to 0\.9, expected 1"),
        ([1, 2], [1.2, -0.2], r"prior has a negative entry -0\.2"),
        ([1, 2], [np.nan, 1.0], r"prior contains NaN"),
        ([1, 2], [0.5, 0.25, 0.25], r"prior has shape \(3,\), expected \(2,\)"),
        ([1, 2], [1.0, 0.0], r"prior gives type 1 probability 0"),
        ([], None, r"Agent 'x': types is empty"),
        ([1, np.nan], None, r"types contain NaN"),
        ([1, 1], None, r"types must be distinct"),
        ([[[1]]], None, r"types must have shape \(K,\) or \(K, d\)"),
    ],
)
def test_bad_agent_is_named_with_its_argument(types, prior, message):
    with pytest.raises(InvalidEnvironmentError, match=message):
        Agent("x", types, prior)


def test_agent_labels_must_match_types():
    with pytest.raises(InvalidEnvironmentError, match="labels has 1 entries, expected one per"):
        Agent("x", [1, 2], [0.5, 0.5], labels=["low"])


def test_valuation_shape_mismatch_names_the_agent_and_shapes():
    with pytest.raises(
        InvalidEnvironmentError,
        match=r"valuations\[0\] \(agent 'buyer'\) has shape \(3, 1\), "
        r"expected \(2, 1\)",
    ):
        one_buyer(valuations=[np.ones((3, 1))])


def test_nan_valuation_is_rejected():
    with pytest.raises(InvalidEnvironmentError, match="contains NaN or infinite"):
        one_buyer(valuations=[[[1.0], [np.nan]]])


def test_wrong_number_of_valuations():
    with pytest.raises(InvalidEnvironmentError, match="valuations has 2 entries, expected one"):
        one_buyer(valuations=[[[1.0], [2.0]], [[1.0], [2.0]]])


def test_joint_prior_must_match_shape_and_marginals():
    agents = [Agent("a", [0, 1]), Agent("b", [0, 1, 2])]
    space = Items(["a", "b"])
    values = [np.outer([0, 1], [1, 0]), np.outer([0, 1, 2], [0, 1])]
    with pytest.raises(InvalidEnvironmentError, match=r"prior has shape \(3, 2\), expected"):
        Environment(agents, space, values, prior=np.full((3, 2), 1 / 6))
    with pytest.raises(InvalidEnvironmentError, match="prior sums to 2"):
        Environment(agents, space, values, prior=np.full((2, 3), 1 / 3))
    with pytest.raises(InvalidEnvironmentError, match=r"agents .* have no prior"):
        Environment(agents, space, values)
    informed = [Agent("a", [0, 1], [0.9, 0.1]), Agent("b", [0, 1, 2])]
    with pytest.raises(InvalidEnvironmentError, match="joint prior's marginal"):
        Environment(informed, space, values, prior=np.full((2, 3), 1 / 6))


def test_zero_marginal_in_a_joint_prior_is_rejected():
    agents = [Agent("a", [0, 1]), Agent("b", [0, 1])]
    joint = np.array([[0.5, 0.5], [0.0, 0.0]])
    with pytest.raises(InvalidEnvironmentError, match="agent 0 type 1 has zero marginal"):
        Environment(agents, Items(["a", "b"]), [np.eye(2), np.eye(2)], prior=joint)


def test_duplicate_agent_names_and_empty_agents():
    with pytest.raises(InvalidEnvironmentError, match="agent names must be distinct"):
        one_buyer(
            agents=[Agent("b", [1, 2], [0.5, 0.5]), Agent("b", [1, 2], [0.5, 0.5])],
            valuations=[[[1.0], [2.0]]] * 2,
        )
    with pytest.raises(InvalidEnvironmentError, match="agents is empty"):
        one_buyer(agents=[], valuations=[])


def test_principal_value_and_outside_options_are_checked():
    with pytest.raises(InvalidEnvironmentError, match=r"principal_value has shape \(2,\)"):
        one_buyer(principal_value=[0.0, 1.0])
    with pytest.raises(InvalidEnvironmentError, match="outside_options for agent 'buyer'"):
        one_buyer(outside_options=[[0.0, 1.0, 2.0]])
    with pytest.raises(InvalidEnvironmentError, match="outside_options has 2 entries"):
        one_buyer(outside_options=[0.0, 0.0])


def test_allocation_space_is_checked():
    with pytest.raises(InvalidEnvironmentError, match="allocation must be an AllocationSpace"):
        one_buyer(allocation=["buyer"])
    with pytest.raises(InvalidEnvironmentError, match="component_names is empty"):
        Outcomes([])
    with pytest.raises(InvalidEnvironmentError, match="matrix has 3 columns"):
        lpmech.AllocationSpace(["a", "b"], np.ones((1, 3)), None, [1.0])


def test_unknown_family_suggests_the_closest_name():
    env = lpmech.single_item_auction([1, 2], n_bidders=1)
    suggestion = r"unknown constraint family 'bayesian_icc'.*did you mean 'bayesian_ic'"
    with pytest.raises(UnknownConstraintError, match=suggestion):
        lpmech.solve(env, "revenue", ["bayesian_icc", "interim_ir"])
    with pytest.raises(UnknownObjectiveError, match=r"unknown objective 'revenu'.*'revenue'"):
        lpmech.solve(env, "revenu", ["dsic", "ex_post_ir"])


def test_families_must_have_distinct_names():
    env = lpmech.single_item_auction([1, 2], n_bidders=1)
    with pytest.raises(UnknownConstraintError, match="given more than once"):
        lpmech.solve(env, "revenue", ["dsic", "dominant_strategy_ic", "ex_post_ir"])


def test_builders_check_their_arguments():
    with pytest.raises(InvalidEnvironmentError, match="number of agents must be given"):
        lpmech.single_item_auction([1, 2, 3])
    with pytest.raises(InvalidEnvironmentError, match="priors has 3 entries, expected one"):
        lpmech.single_item_auction([1, 2], n_bidders=2, priors=[[0.5, 0.5]] * 3)
    with pytest.raises(InvalidEnvironmentError, match="either per-agent priors or a joint"):
        lpmech.single_item_auction([1, 2], 2, priors=[0.5, 0.5], prior=np.full((2, 2), 0.25))
    with pytest.raises(InvalidEnvironmentError, match="cost must be a finite number"):
        lpmech.public_good([0, 1], 2, cost=np.nan)


def test_single_parameter_form_is_detected():
    env = lpmech.single_item_auction([1, 3, 2], n_bidders=2)
    form = env.single_parameter(0)
    assert form is not None
    np.testing.assert_allclose(form.direction, [1.0, 0.0])
    np.testing.assert_array_equal(form.order, [0, 2, 1])
    grid = [[1, 1], [1, 2], [2, 1]]
    assert lpmech.multi_item_auction(grid, n_bidders=1).single_parameter(0) is None
    # with three types the value rows must lie on one line in the type
    outcomes = Environment(
        [Agent("a", [1, 2, 3], [0.2, 0.3, 0.5])],
        Outcomes(["x", "y", "z"]),
        [[[0, 1, 5], [0, 2, 3], [0, 0, 0]]],
    )
    assert outcomes.single_parameter(0) is None
