"""Single crossing and (strictly) increasing differences (seed notes Def. 1.2–1.4)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from strategies import type_values

import lpmech
from lpmech.characterisation import (
    increasing_differences,
    outcome_values,
    single_crossing,
)

tables = st.tuples(st.integers(1, 4), st.integers(1, 4)).flatmap(
    lambda shape: arrays(np.int64, shape, elements=st.integers(-3, 3))
)


def brute_force_id(table, strict):
    """Def. 1.3/1.4 on every pair of types and every pair of outcomes."""
    for k1, k2 in itertools.combinations(range(table.shape[0]), 2):
        for m1, m2 in itertools.combinations(range(table.shape[1]), 2):
            high = table[k2, m2] - table[k2, m1]
            low = table[k1, m2] - table[k1, m1]
            if (high <= low) if strict else (high < low):
                return False
    return True


def brute_force_sc(table):
    """Def. 1.2 on every pair of types and outcomes."""
    for k1, k2 in itertools.combinations(range(table.shape[0]), 2):
        for m1, m2 in itertools.combinations(range(table.shape[1]), 2):
            low = table[k1, m2] - table[k1, m1]
            high = table[k2, m2] - table[k2, m1]
            if (low >= 0 > high) or (low > 0 >= high):
                return False
    return True


@given(tables, st.booleans())
def test_adjacent_check_of_increasing_differences_equals_all_pairs(table, strict):
    assert increasing_differences(table, strict).holds == brute_force_id(table, strict)


@given(tables)
def test_single_crossing_matches_its_definition(table):
    assert single_crossing(table).holds == brute_force_sc(table)


@given(tables)
def test_increasing_differences_implies_single_crossing(table):
    """Rem. 1.1."""
    if increasing_differences(table).holds:
        assert single_crossing(table).holds


@given(tables)
def test_witness_really_fails(table):
    report = increasing_differences(table, strict=True)
    if not report.holds:
        k1, k2, m1, m2 = report.witness
        assert table[k2, m2] - table[k2, m1] <= table[k1, m2] - table[k1, m1]
        assert f"θ_{k2}" in report.detail


@given(
    st.integers(2, 5).flatmap(type_values),
    st.lists(st.integers(0, 6), min_size=2, max_size=4, unique=True),
)
def test_single_parameter_values_have_strictly_increasing_differences(types, quantities):
    """v(x, θ) = θ·q(x) with outcomes ordered by q: cross difference (θ''−θ')(q''−q') > 0."""
    table = np.outer(types, sorted(quantities))
    assert increasing_differences(table, strict=True).holds


def test_outcome_values_reads_an_environment():
    agent = lpmech.Agent("a", [1, 2, 3], [1 / 3] * 3)
    env = lpmech.Environment(
        [agent], lpmech.Outcomes(["none", "half", "all"]), [np.outer([1, 2, 3], [0, 1, 2])]
    )
    table = outcome_values(env, "a")
    np.testing.assert_array_equal(table, [[0, 1, 2], [0, 2, 4], [0, 3, 6]])
    assert increasing_differences(table, strict=True).holds
    with pytest.raises(ValueError, match="give the outcomes"):
        outcome_values(lpmech.single_item_auction([1, 2], 1), 0)
    grid = lpmech.multi_item_auction([[1, 2], [2, 1]], n_bidders=1)
    with pytest.raises(ValueError, match="vector types; give type_order"):
        outcome_values(grid, 0, outcomes=np.eye(2))
