"""The compiled program: one sparse block per family, never one expression per row."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import lpmech
from lpmech.backends.engines import CvxpyBackend
from lpmech.constraints import resolve_all
from lpmech.program.compiler import compile_program
from lpmech.program.objectives import Revenue

FAMILIES = [
    "feasibility",
    "dsic",
    "bic",
    "ex_post_ir",
    "interim_ir",
    "ex_ante_ir",
    "ex_post_budget_balance",
    "ex_ante_no_deficit",
    "ex_post_monotonicity",
]


@pytest.fixture
def program():
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=3)
    return compile_program(env, Revenue(), resolve_all(FAMILIES))


def test_each_family_is_one_contiguous_block(program):
    slices = list(program.row_slices.values())
    assert slices[0].start == 0
    assert all(a.stop == b.start for a, b in itertools.pairwise(slices))
    assert slices[-1].stop == program.n_rows
    assert program.matrix.shape == (program.n_rows, program.n_columns)


def test_cvxpy_program_has_at_most_three_constraints_per_family(program):
    """Equality, ≤ and ≥ rows of a family become at most three vectorised cvxpy
    constraints, so the cvxpy problem's size does not grow with the number of rows."""
    built = CvxpyBackend().build(program)
    assert len(built.problem.constraints) <= 3 * len(program.families)
    assert program.n_rows > 100 * len(built.problem.constraints)


def test_no_explicit_zeros_are_stored(program):
    assert np.all(program.matrix.data != 0)


def test_column_bounds_intersect(program):
    n_allocation = program.env.layout.n_allocation_columns
    assert np.all(program.column_lower[:n_allocation] == 0.0)
    assert np.all(program.column_upper[:n_allocation] == 1.0)
    assert np.all(np.isinf(program.column_lower[n_allocation:]))
