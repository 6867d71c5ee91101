"""Profile enumeration and column index arithmetic."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from lpmech.problem.layout import Layout, agent_major


@pytest.mark.parametrize("counts", [(3,), (2, 3), (3, 1, 2), (2, 2, 2, 2)])
def test_by_agent_rows_fix_own_type_and_columns_fix_the_others(counts):
    layout = Layout(counts, n_components=2)
    for i in range(len(counts)):
        table = layout.by_agent(i)
        assert table.shape == (counts[i], layout.n_profiles // counts[i])
        types = layout.profile_types[table]  # (K, R, N)
        assert np.all(types[..., i] == np.arange(counts[i])[:, None])
        others = np.delete(types, i, axis=-1)
        assert np.all(others == others[:1])  # a column keeps θ_{-i} across own types
        assert sorted(table.ravel()) == list(range(layout.n_profiles))


def test_profiles_are_row_major_and_indexable():
    layout = Layout((2, 3), n_components=1)
    expected = list(itertools.product(range(2), range(3)))
    assert [tuple(t) for t in layout.profile_types] == expected
    assert int(layout.profile_index([1, 2])) == 5
    np.testing.assert_array_equal(layout.profile_index([[0, 1], [1, 0]]), [1, 3])


def test_columns_split_and_join():
    layout = Layout((2, 2), n_components=3)
    np.testing.assert_array_equal(layout.allocation_columns([1]), [[3, 4, 5]])
    assert int(layout.payment_columns(2, agent=1)) == 12 + 2 * 2 + 1
    z = np.arange(layout.n_columns, dtype=float)
    allocation, payments = layout.split(z)
    assert allocation.shape == (4, 3)
    assert payments.shape == (4, 2)
    np.testing.assert_array_equal(layout.join(allocation, payments), z)


def test_agent_major_keeps_trailing_axes():
    table = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    view = agent_major(table, 1, trailing=1)
    assert view.shape == (3, 2, 4)
    np.testing.assert_array_equal(view[2, 1], table[1, 2])
