"""Exact twins stand alone: built through constructors, their rows without import effects."""

from __future__ import annotations

import textwrap
from fractions import Fraction

import numpy as np
import pytest

from lpmech.constraints import BayesianIC, DominantStrategyIC, ExPostIR
from lpmech.constraints.base import ExactRowBlock
from lpmech.exact.twin import ExactEnvironment, exact_environment, exact_mechanism
from lpmech.numbers.rationals import Rational
from lpmech.problem.builders import single_item_auction
from tests.fresh_process import run_python


@pytest.mark.parametrize(
    "family",
    [
        "BayesianIC",  # the fast lane runs one fresh process; the others are slow
        pytest.param("DominantStrategyIC", marks=pytest.mark.slow),
        pytest.param("ExPostIR", marks=pytest.mark.slow),
    ],
)
def test_exact_rows_in_a_fresh_process_with_nothing_else_imported(family):
    code = textwrap.dedent(
        f"""
        from lpmech.constraints import {family}
        from lpmech.exact.twin import exact_environment
        from lpmech.problem.builders import single_item_auction
        env = single_item_auction([1, 2, 3], n_bidders=2)
        block = {family}().rows(exact_environment(env))
        print(type(block).__name__, block.n_rows, type(block.exact_data[0]).__name__)
        """
    )
    out = run_python("-c", code).stdout.split()
    env = single_item_auction([1, 2, 3], n_bidders=2)
    expected = {"BayesianIC": BayesianIC, "DominantStrategyIC": DominantStrategyIC}
    rows = expected.get(family, ExPostIR)().rows(env).n_rows
    assert out == ["ExactRowBlock", str(rows), "Rational"]


def test_exact_rows_equal_the_float_rows_entry_by_entry():
    env = single_item_auction([1, Fraction(5, 2), 4], n_bidders=2)
    twin = exact_environment(env)
    exact, floats = BayesianIC().rows(twin), BayesianIC().rows(env)
    assert isinstance(exact, ExactRowBlock)
    difference = abs(exact.matrix - floats.matrix)
    assert difference.max() <= 1e-12 * abs(floats.matrix).max()
    assert all(isinstance(v, Rational) for v in exact.exact_data)
    np.testing.assert_array_equal(exact.upper, floats.upper)


def test_twin_is_an_instance_built_by_its_constructor_sharing_structure():
    env = single_item_auction([1, 2, 3], n_bidders=2)
    twin = ExactEnvironment.of(env)
    assert twin.layout is env.layout
    assert twin.agents is env.agents
    assert twin.float_environment is env
    assert all(isinstance(v, Rational) for v in twin.valuations[0].ravel())
    # the float environment's cache is not shared with the twin's
    env.values_at_profiles(0)
    assert isinstance(twin.values_at_profiles(0).ravel()[0], Rational)
    conditional = twin.prior.conditional(0)
    assert sum(conditional[0]) == 1
    assert twin.prior.conditional(0) is conditional  # remembered


def test_exact_mechanism_reads_rules_as_rationals_and_checks_shapes():
    env = single_item_auction([1, 2], n_bidders=1)
    twin = exact_environment(env)
    mechanism = exact_mechanism(twin, [[0], [1]], [[0], [Fraction(3, 2)]])
    assert mechanism.expected_revenue() == Rational(Fraction(3, 4))
    assert not mechanism.flat_payments.flags.writeable
    from lpmech.errors import InvalidMechanismError

    with pytest.raises(InvalidMechanismError, match="payments has shape"):
        type(mechanism).from_tables(twin, mechanism.flat_allocation, np.zeros((2, 3)))
