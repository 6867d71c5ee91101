"""Exact numbers: reading inputs, the exact twin, exact linear algebra and benchmarks."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lpmech
import lpmech.exact.linear_systems as module
from lpmech.analytic import exact_values as exact_benchmarks
from lpmech.analytic import ironed_virtual_values, virtual_costs, virtual_values
from lpmech.cli.commands import main
from lpmech.errors import MissingExtraError
from lpmech.exact.linear_systems import SingularSystemError, solve_rational
from lpmech.models import MODELS
from lpmech.numbers.rationals import Rational, exact, exact_inputs, rational_array


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_reads_as_a_rational_within_two_units_in_its_last_place(x):
    assert abs(exact(x) - Fraction(x)) <= 2 * Fraction(math.ulp(x))


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        (0.1, Fraction(1, 10)),
        (0.45, Fraction(9, 20)),
        (1 / 3, Fraction(1, 3)),
        (2 / 15, Fraction(2, 15)),
        (1e9 + 0.1, Fraction(10**10 + 1, 10)),
        (0.6000000000000001, Fraction(3, 5)),
        (0.123456789, Fraction(123456789, 10**9)),
        (0.1 + 1e-12, Fraction(repr(0.1 + 1e-12))),
        (7, Fraction(7)),
        (Fraction(22, 7), Fraction(22, 7)),
    ],
)
def test_reading_of_inputs(typed, read):
    assert exact(typed) == read


def test_environment_keeps_fractions_and_the_float_path_sees_their_nearest_floats():
    third = Fraction(1, 3)
    exact_env = lpmech.single_item_auction([third, 2 * third, 1], 2, seller_value=third)
    float_env = lpmech.single_item_auction([1 / 3, 2 / 3, 1.0], 2, seller_value=1 / 3)
    inputs = exact_inputs(exact_env)
    assert list(inputs.types[0]) == [third, 2 * third, 1]
    assert list(inputs.principal_value) == [-third, -third]
    assert all(v == Fraction(1, 9) for v in inputs.prior.ravel())
    for a, b in zip(exact_env.valuations, float_env.valuations, strict=True):
        assert np.array_equal(a, b)
    assert np.array_equal(exact_env.principal_value, float_env.principal_value)


def test_exact_priors_are_normalised_exactly_and_checked_as_floats():
    env = lpmech.bilateral_trade([0, 1], [0, 1], [0.3, 0.7], [Fraction(1, 3), Fraction(2, 3)])
    inputs = exact_inputs(env)
    assert list(inputs.marginals[0]) == [Fraction(3, 10), Fraction(7, 10)]
    assert list(inputs.marginals[1]) == [Fraction(1, 3), Fraction(2, 3)]
    with pytest.raises(lpmech.InvalidEnvironmentError, match="prior sums to"):
        lpmech.Agent("buyer", [1, 2], prior=[Fraction(1, 3), Fraction(1, 3)])


def test_rationals_refuse_to_round_silently():
    third = Rational(Fraction(1, 3))
    assert third * 3.0 == 1
    assert third + 0.5 == Fraction(5, 6)
    assert third < np.inf
    assert third > -np.inf
    with pytest.raises(TypeError, match="does not silently become a float"):
        float(third)
    with pytest.raises(TypeError):
        np.asarray([third], dtype=float)


@pytest.mark.slow
@pytest.mark.parametrize("dense", [True, False])
@given(seed=st.integers(0, 2**32 - 1), size=st.integers(1, 40))
def test_exact_solve_returns_the_rational_solution(dense, seed, size):
    rng = np.random.default_rng(seed)
    matrix = rng.integers(-5, 6, size=(size, size)) + np.eye(size, dtype=int) * 30
    denominators = rng.integers(1, 9, size=(size, size))
    rows, columns = np.nonzero(matrix)
    values = rational_array(
        [
            Fraction(int(matrix[r, c]), int(denominators[r, c]))
            for r, c in zip(rows, columns, strict=True)
        ]
    )
    rhs = rational_array([Fraction(int(v), 7) for v in rng.integers(-20, 21, size)])
    limit = module.DENSE_LIMIT
    module.DENSE_LIMIT = size if dense else 0
    try:
        x = solve_rational(rows, columns, values, rhs)
    finally:
        module.DENSE_LIMIT = limit
    exact_matrix = [[Fraction(0)] * size for _ in range(size)]
    for r, c, v in zip(rows, columns, values, strict=True):
        exact_matrix[r][c] = v.fraction
    for r in range(size):
        assert sum(exact_matrix[r][c] * x[c].fraction for c in range(size)) == rhs[r].fraction


@pytest.mark.parametrize("dense_limit", [10, 0])
def test_a_singular_system_is_reported(dense_limit, monkeypatch):
    monkeypatch.setattr("lpmech.exact.linear_systems.DENSE_LIMIT", dense_limit)
    rows, columns = np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])
    values = rational_array([1, 2, 2, 4])
    with pytest.raises(SingularSystemError, match="singular"):
        solve_rational(rows, columns, values, rational_array([1, 2]))


def test_virtual_values_and_ironing_in_fractions_by_hand():
    values = np.array([Fraction(1), Fraction(2), Fraction(3)], dtype=object)
    prior = np.array([Fraction(9, 20), Fraction(1, 10), Fraction(9, 20)], dtype=object)
    # φ(v_k) = v_k − (v_{k+1} − v_k)(1 − F_k)/f_k
    assert list(virtual_values(values, prior)) == [
        1 - Fraction(11, 20) / Fraction(9, 20),
        2 - Fraction(9, 20) / Fraction(1, 10),
        3,
    ]
    # revenue curve (0, 0), (9/20, 27/20), (11/20, 22/20), (1, 1): the hull skips 11/20
    slope = (1 - Fraction(27, 20)) / (1 - Fraction(9, 20))
    assert list(ironed_virtual_values(values, prior)) == [slope, slope, 3]
    # γ(s_k) = s_k + (s_k − s_{k−1}) F_{k−1}/f_k
    assert list(virtual_costs(values, prior)) == [
        1,
        2 + Fraction(9, 20) / Fraction(1, 10),
        3 + Fraction(11, 20) / Fraction(9, 20),
    ]


@given(weights=st.lists(st.integers(1, 9), min_size=2, max_size=5), n_bidders=st.integers(1, 2))
def test_exact_myerson_matches_the_float_formula(weights, n_bidders):
    total = sum(weights)
    prior = [Fraction(w, total) for w in weights]
    env = lpmech.single_item_auction(list(range(1, len(weights) + 1)), n_bidders, priors=prior)
    exact_value = exact_benchmarks.myerson_revenue(env)
    assert math.isclose(
        float(exact_value), lpmech.analytic.myerson_revenue(env), rel_tol=1e-12, abs_tol=1e-12
    )


def test_check_exact_compares_exact_numbers(capsys):
    assert main(["check", "--exact"]) == 0
    out = capsys.readouterr().out
    linear = [name for name, spec in MODELS.items() if spec.exact_benchmark is not None]
    assert f"all {len(linear)} models' optima are proved" in out
    assert "DISAGREES" not in out
    assert "FAILED" not in out


def test_solve_exact_prints_the_optimum_as_a_fraction(capsys):
    env = MODELS["irregular_auction"].environment()
    assert main(["solve", "irregular_auction", "--exact"]) == 0
    out = capsys.readouterr().out
    value = exact_benchmarks.myerson_revenue(env)
    assert f"Exact optimum: revenue = {value}" in out
    assert "Exact certificate: PROVED" in out
    assert f"= {value} (equal to the exact optimum)" in out


def test_missing_flint_names_the_extra(monkeypatch):
    import lpmech.numbers.rationals as numbers

    monkeypatch.setitem(__import__("sys").modules, "flint", None)
    monkeypatch.setattr(numbers, "_FMPQ", [])
    with pytest.raises(MissingExtraError, match=r"lpmech\[exact\]"):
        Rational(1)


def test_a_family_of_ones_own_is_certified_from_its_numpy_rows():
    class NoSubsidies(lpmech.ConstraintFamily):
        name = "no_subsidies"

        def rows(self, env):
            n = env.layout.n_payment_columns
            columns = env.layout.n_allocation_columns + np.arange(n)
            return lpmech.RowBlock.from_entries(
                np.arange(n), columns, np.ones(n), shape=(n, env.layout.n_columns), lower=0.0
            )

        def violation(self, mechanism):
            return np.maximum(-mechanism.flat_payments, 0.0).ravel()

    trade = lpmech.bilateral_trade([0, 1, 2], [0, 1, 2])
    solution = lpmech.solve(trade, "gains_from_trade", ["dsic", "ex_post_ir", NoSubsidies()])
    certificate = solution.certify()
    assert certificate.ok, certificate.failures
    assert float(certificate.objective) == pytest.approx(solution.objective_value, abs=1e-9)


def test_solve_exact_says_when_the_optimum_cannot_be_proved(capsys):
    # the optimum still prints; the exit status says it was not proved
    assert main(["solve", "public_good_nash", "--n-agents", "2", "--exact"]) == 1
    out = capsys.readouterr().out
    assert "Exact certificate of the optimum: FAILED" in out
    assert "proved" not in out.split("FAILED", 1)[1]
    assert "is not linear" in out


@pytest.mark.parametrize(
    "constraints",
    [["dsic", "ex_post_ir", "ex_ante_bb"], ["bic", "interim_ir", "ex_post_no_deficit"]],
)
@pytest.mark.parametrize(
    ("buyer", "seller"),
    [
        (
            [211.96768432, 565.24715819, 635.90305296],
            [6902.43040693, 89731.59529004, 96634.02569696],
        ),
        ([0.1234567891, 0.3, 0.7777777777], [3.3333333333, 9.87654321, 96634.02569696]),
    ],
)
def test_values_beyond_int64_beside_a_zero_allocation_are_checked_exactly(
    buyer, seller, constraints
):
    """Every cost is above every value, so no trade is optimal (gains 0); the floats read as
    rationals have integer numerators beyond int64, which a zero allocation must not leave
    out of the integer arithmetic's bound (regression: a bare OverflowError)."""
    assert max(buyer) < min(seller)
    env = lpmech.bilateral_trade(buyer, seller)
    exact_solution = lpmech.solve(env, "gains_from_trade", constraints, exact=True)
    assert exact_solution.objective_value == 0
    assert np.all(exact_solution.mechanism.allocation == 0)
    float_solution = lpmech.solve(env, "gains_from_trade", constraints)
    assert float_solution.certify().ok
