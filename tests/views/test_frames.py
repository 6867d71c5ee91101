"""DataFrames: rules by profile and by type, audits, verdicts and labelled duals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import lpmech
from lpmech.checks.auditing import audit
from lpmech.views.frames import row_meaning


@pytest.fixture(scope="module")
def auction():
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2, names=["alice", "bob"])
    return lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])


@pytest.fixture(scope="module")
def two_items():
    grid = [[x, y] for x in (1, 2) for y in (1, 3)]
    env = lpmech.multi_item_auction(grid, n_bidders=1)
    return lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])


@pytest.mark.parametrize("name", ["auction", "two_items"])
def test_mechanism_frame_has_a_row_per_profile_and_a_column_per_agent(name, request):
    solution = request.getfixturevalue(name)
    mechanism = solution.mechanism
    env = mechanism.env
    frame = mechanism.to_frame()
    assert len(frame) == env.n_profiles
    for i, agent in enumerate(env.agents):
        assert agent.name in frame.columns
        expected = (agent.types if agent.is_scalar else np.array(agent.labels, dtype=object))[
            env.layout.profile_types[:, i]
        ]
        assert list(frame[agent.name]) == list(expected)
        assert np.array_equal(frame[f"t[{agent.name}]"], mechanism.flat_payments[:, i])
    for c, component in enumerate(env.allocation.component_names):
        assert np.array_equal(frame[component], mechanism.flat_allocation[:, c])
    assert frame["probability"].sum() == pytest.approx(1.0)
    # the frame's expectation is the mechanism's
    payments = frame[[f"t[{a.name}]" for a in env.agents]].sum(axis=1)
    assert (frame["probability"] * payments).sum() == pytest.approx(mechanism.expected_revenue())


def test_the_mechanism_frame_can_be_read_by_name(auction):
    frame = auction.to_frame()
    row = frame[(frame["alice"] == 4) & (frame["bob"] == 1)].iloc[0]
    outcome = auction.mechanism.at("4", "1")
    assert row["item to alice"] == outcome.allocation["item to alice"]
    assert row["t[alice]"] == outcome.payments["alice"]


def test_interim_frame_per_agent(auction):
    mechanism = auction.mechanism
    for agent in ("alice", "bob"):
        frame = mechanism.interim_frame(agent)
        assert list(frame.index) == ["1", "2", "3", "4"]
        assert frame.index.name == agent
        assert np.allclose(frame["quantity"], mechanism.interim_quantity(agent))
        assert np.allclose(frame["payment"], mechanism.interim_payment(agent))
        assert np.allclose(frame["utility"], frame["value"] - frame["payment"])


def test_audit_frame_has_a_row_per_agent_and_type():
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=1)
    first_price = lpmech.Mechanism(env, [[1], [1], [1]], [[1], [2], [3]], name="pay your bid")
    frame = audit(first_price).to_frame()
    assert list(frame.index) == [("bidder 1", "1"), ("bidder 1", "2"), ("bidder 1", "3")]
    assert frame["ex_post_regret"].tolist() == [0.0, 1.0, 2.0]  # pay 1 instead of your value
    assert frame.loc[("bidder 1", "3"), "worst_ex_post_lie"] == "report 1"


def test_verification_frame_has_a_row_per_family():
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=1)
    first_price = lpmech.Mechanism(env, [[1], [1], [1]], [[1], [2], [3]], name="pay your bid")
    frame = first_price.verify(["dsic", "ex_post_ir"]).to_frame()
    assert list(frame.index) == ["feasibility", "dominant_strategy_ic", "ex_post_ir"]  # always
    assert frame.loc["dominant_strategy_ic", "ok"] == False  # noqa: E712 (numpy bool)
    assert frame.loc["dominant_strategy_ic", "max_violation"] == 2.0
    assert frame.loc["ex_post_ir", "ok"] == True  # noqa: E712


def test_duals_are_labelled_by_what_each_row_means(auction):
    frame = auction.duals_frame()
    assert len(frame) == sum(len(d) for d in auction.duals.values())
    for name, duals in auction.duals.items():
        assert np.array_equal(frame.loc[frame["family"] == name, "dual"], duals)
    ic = frame[frame["family"] == "dominant_strategy_ic"]
    assert set(ic["agent"]) == {"alice", "bob"}
    assert set(ic["type"]) <= {"1", "2", "3", "4"}
    assert ic["report"].notna().all()
    assert ic["others"].str.match(r"\((alice|bob)=\d\)").all()
    binding = auction.duals_frame(binding_only=True)
    assert (binding["dual"].abs() > 1e-9).all()
    # the largest duals are those binding() names
    for description, dual in auction.binding("dominant_strategy_ic"):
        row = binding[binding["meaning"] == description]
        assert row["dual"].iloc[0] == dual


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        (
            "agent 'b 1' of type 3 reporting 2 when the others are (b 2=1)",
            {"agent": "b 1", "type": "3", "report": "2", "others": "(b 2=1)"},
        ),
        (
            "agent 'buyer' of type (1, 2) reporting (2, 1) (in expectation over the others)",
            {"agent": "buyer", "type": "(1, 2)", "report": "(2, 1)"},
        ),
        ("agent 'buyer' of type 2", {"agent": "buyer", "type": "2"}),
        (
            "agent 'buyer' at profile (buyer=1, seller=2)",
            {"agent": "buyer", "profile": "(buyer=1, seller=2)"},
        ),
        ("agent 'buyer' ex ante", {"agent": "buyer"}),
        ("feasibility row 0 at profile (buyer=1)", {"profile": "(buyer=1)"}),
        ("in expectation", {}),
    ],
)
def test_row_meaning_reads_every_built_in_description(description, expected):
    assert row_meaning(description) == {
        "agent": None,
        "type": None,
        "report": None,
        "others": None,
        "profile": None,
        **expected,
    }


def test_every_built_in_familys_descriptions_are_read():
    trade = lpmech.bilateral_trade([0, 1, 2], [0, 1, 2])
    solution = lpmech.solve(
        trade,
        "gains_from_trade",
        ["bic", "interim_ir", "ex_post_budget_balance", "ex_ante_ir", "ex_post_monotonicity"],
    )
    frame = solution.duals_frame()
    described = frame[frame["family"] != "ex_post_budget_balance"]
    assert described["agent"].notna().sum() + described["profile"].notna().sum() > 0
    for family in ("bayesian_ic", "interim_ir", "ex_ante_ir"):
        assert frame.loc[frame["family"] == family, "agent"].notna().all(), family
    assert frame.loc[frame["family"] == "ex_post_budget_balance", "profile"].notna().all()
    assert isinstance(frame, pd.DataFrame)
