"""A certificate certifies the Solution it belongs to: its own mechanism, objective_value and
duals, in memory and as loaded from a file; tampering with any of them fails, naming the check."""

from __future__ import annotations

import dataclasses
import json
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oracle import assert_satisfies, dsic_violation, expected_revenue

import lpmech
from lpmech.analytic import exact_values as exact_benchmarks

CASES = [
    pytest.param(
        lambda: lpmech.single_item_auction([1, 2, 3, 4], 2),
        ("dominant_strategy_ic", "ex_post_ir"),
        "direct",
        id="dsic-direct",
    ),
    pytest.param(
        lambda: lpmech.single_item_auction(range(1, 6), 3),
        ("dominant_strategy_ic", "ex_post_ir"),
        "symmetric",
        id="dsic-symmetric",
    ),
    pytest.param(
        lambda: lpmech.single_item_auction([[1, 2, 3], [2, 3, 5]]),
        ("bayesian_ic", "interim_ir"),
        "direct",
        id="bic-direct",
    ),
    pytest.param(
        lambda: lpmech.single_item_auction([[1, 2, 3], [2, 3, 5]]),
        ("bayesian_ic", "interim_ir"),
        "interim",
        id="bic-interim",
    ),
]

PROVED_OPTIMAL = re.compile(r"proved.*optimal|optimal.*proved", re.IGNORECASE)


def _solve(build, constraints, formulation):
    env = build()
    return env, lpmech.solve(env, "revenue", constraints, formulation=formulation)


def _with_payments(solution, payments):
    mechanism = solution.mechanism
    return dataclasses.replace(
        solution,
        mechanism=lpmech.Mechanism(mechanism.env, mechanism.flat_allocation, payments),
    )


def _assert_failed(certificate, check):
    assert not certificate.ok
    assert not certificate.optimal
    assert any(failure.startswith(check) for failure in certificate.failures), certificate.failures
    text = str(certificate)
    assert "FAILED" in text
    assert not PROVED_OPTIMAL.search(text), text
    assert not PROVED_OPTIMAL.search(certificate.proved)
    assert not PROVED_OPTIMAL.search(certificate._repr_html_())


def _revenue_of(env, payments):
    """Expected revenue of payments (P, N) by brute force over profiles."""
    table = np.asarray(env.prior.table).ravel()
    return float(sum(table[p] * sum(payments[p]) for p in range(env.n_profiles)))


@pytest.mark.parametrize(("build", "constraints", "formulation"), CASES)
def test_an_untampered_optimum_certifies_its_own_mechanism(build, constraints, formulation):
    env, solution = _solve(build, constraints, formulation)
    certificate = solution.certify()
    assert certificate.ok, certificate.failures
    assert certificate.optimal
    assert certificate.proved_objective == certificate.objective == certificate.bound
    assert certificate.claimed_objective == solution.objective_value
    # the certified rules are the Solution's, within the rounding stated
    allocation = certificate.allocation.astype(float)
    payments = certificate.payments.astype(float)
    assert np.allclose(allocation, solution.mechanism.flat_allocation, rtol=0, atol=1e-9)
    assert np.allclose(payments, solution.mechanism.flat_payments, rtol=0, atol=1e-9 * 5)
    assert "at most 1e-09" in certificate.rounding
    assert float(certificate.objective) == pytest.approx(solution.objective_value, abs=1e-9)
    assert_satisfies(env, certificate.exact_mechanism.to_mechanism(env), constraints)


@pytest.mark.parametrize(("build", "constraints", "formulation"), CASES)
def test_a_payment_lowered_by_a_thousandth_is_not_certified(build, constraints, formulation):
    env, solution = _solve(build, constraints, formulation)
    payments = solution.mechanism.flat_payments.copy()
    paying = np.argwhere(payments > 0.5)
    profile, agent = paying[-1]
    payments[profile, agent] -= 1e-3
    tampered = dataclasses.replace(
        _with_payments(solution, payments), objective_value=_revenue_of(env, payments)
    )
    certificate = tampered.certify()
    _assert_failed(certificate, "mechanism:")
    # the exact optimum is reported beside the claimed one, with its mechanism
    assert certificate.proved_objective == solution.certify().objective
    assert certificate.objective < certificate.proved_objective
    assert float(certificate.proved_objective - certificate.objective) == pytest.approx(
        float(env.prior.table.ravel()[profile]) * 1e-3, rel=1e-6
    ) or any("violated by" in failure for failure in certificate.failures)
    optimum = certificate.exact_mechanism.to_mechanism(env)
    assert expected_revenue(env, optimum) == pytest.approx(
        float(certificate.proved_objective), abs=1e-12
    )
    assert_satisfies(env, optimum, constraints)


def test_a_non_ic_mechanism_swapped_in_is_not_certified_naming_the_family():
    env = lpmech.single_item_auction([1, 2, 3, 4], 2)
    solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"])
    # first-price: the highest bid wins (ties split) and pays its bid
    allocation = env.efficient_allocation()
    values = np.array([[float(v) for v in env.valuations[i][:, i]] for i in range(2)])
    payments = np.zeros((env.n_profiles, 2))
    for p, profile in enumerate(np.ndindex(*env.type_counts)):
        for i in range(2):
            payments[p, i] = allocation[p, i] * values[i][profile[i]]
    first_price = lpmech.Mechanism(env, allocation, payments, name="first price")
    assert dsic_violation(env, first_price) > 0.5  # brute force: bidding below value pays
    tampered = dataclasses.replace(
        solution, mechanism=first_price, objective_value=expected_revenue(env, first_price)
    )
    certificate = tampered.certify()
    _assert_failed(certificate, "mechanism: dominant_strategy_ic violated by")
    assert certificate.proved_objective == exact_benchmarks.myerson_revenue(env)
    assert certificate.objective == Fraction(expected_revenue(env, first_price)).limit_denominator(
        10**6
    )


@pytest.mark.parametrize(("build", "constraints", "formulation"), CASES)
@pytest.mark.parametrize("shift", [1.0, -1.0, 1e-6])
def test_an_edited_objective_value_is_not_certified(build, constraints, formulation, shift):
    _, solution = _solve(build, constraints, formulation)
    value = solution.objective_value
    tampered = dataclasses.replace(solution, objective_value=value + shift * max(1, abs(value)))
    certificate = tampered.certify()
    _assert_failed(certificate, "objective_value: the Solution claims")
    assert certificate.proved_objective == solution.certify().proved_objective
    assert certificate.claimed_objective == tampered.objective_value


@pytest.mark.parametrize("edit", ["shift", "scale", "sign"])
@pytest.mark.parametrize(
    ("build", "constraints"),
    [
        (
            lambda: lpmech.single_item_auction([1, 2, 3, 4], 2),
            ("dominant_strategy_ic", "ex_post_ir"),
        ),
        (
            lambda: lpmech.single_item_auction([[1, 2, 3], [2, 3, 5]]),
            ("bayesian_ic", "interim_ir"),
        ),
    ],
)
def test_edited_duals_are_not_certified(build, constraints, edit):
    _, solution = _solve(build, constraints, "direct")
    duals = {name: np.array(values, dtype=float) for name, values in solution.duals.items()}
    family = next(name for name in duals if name != "feasibility" and np.any(duals[name]))
    row = int(np.flatnonzero(duals[family])[0])
    duals[family][row] = {
        "shift": duals[family][row] + 1,
        "scale": 2 * duals[family][row],
        "sign": -duals[family][row],
    }[edit]
    certificate = dataclasses.replace(solution, duals=duals).certify()
    _assert_failed(certificate, "duals:")
    assert solution.certify().ok


def _edited_file(solution, tmp_path, edit):
    path = lpmech.save(solution, tmp_path / "optimum.json")
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    return path


def test_edited_duals_in_a_file_load_and_are_not_certified(tmp_path):
    _, solution = _solve(
        lambda: lpmech.single_item_auction([1, 2, 3, 4], 2),
        ("dominant_strategy_ic", "ex_post_ir"),
        "direct",
    )

    def edit(data):
        values = data["duals"]["dominant_strategy_ic"]
        row = int(np.flatnonzero(values)[0])
        values[row] *= 3

    loaded = lpmech.load(_edited_file(solution, tmp_path, edit))
    _assert_failed(loaded.certify(), "duals:")
    assert lpmech.load(lpmech.save(solution, tmp_path / "clean.json")).certify().ok


def test_a_lowered_payment_in_a_file_is_certified_as_loaded(tmp_path):
    env, solution = _solve(
        lambda: lpmech.single_item_auction([1, 2, 3, 4], 2),
        ("dominant_strategy_ic", "ex_post_ir"),
        "direct",
    )
    payments = solution.mechanism.flat_payments.copy()
    profile, agent = np.argwhere(payments > 0.5)[-1]
    payments[profile, agent] -= 1e-3

    def edit(data):
        data["mechanism"]["payments"] = payments.tolist()
        data["objective_value"] = _revenue_of(env, payments)
        for check in data["verification"]["checks"]:  # a hostile file hides the failure
            check["max_violation"] = 1.0
            check["tolerance"] = 1e-6 * 4

    loaded = lpmech.load(_edited_file(solution, tmp_path, edit))
    assert np.array_equal(loaded.mechanism.flat_payments, payments)
    certificate = loaded.certify()
    _assert_failed(certificate, "mechanism:")
    assert certificate.proved_objective == exact_benchmarks.myerson_revenue(env)


def _auction_solution():
    return _solve(
        lambda: lpmech.single_item_auction([1, 2, 3, 4], 2),
        ("dominant_strategy_ic", "ex_post_ir"),
        "direct",
    )[1]


def _shifted(shift):
    def edit(data):
        data["objective_value"] += shift

    return edit


def test_an_objective_value_edited_by_one_in_a_file_does_not_load(tmp_path):
    path = _edited_file(_auction_solution(), tmp_path, _shifted(1.0))
    with pytest.raises(lpmech.errors.VerificationError, match="objective_value"):
        lpmech.load(path)


@pytest.mark.parametrize("shift", [1e-7, -2e-8])
def test_an_objective_value_edited_within_loading_tolerance_is_not_certified(tmp_path, shift):
    loaded = lpmech.load(_edited_file(_auction_solution(), tmp_path, _shifted(shift)))
    _assert_failed(loaded.certify(), "objective_value:")


def _burn_auction(penalty):
    """The 1..4 two-bidder auction with a component "burn" no agent values and the
    principal values at ``penalty``: never worth using, so Myerson's 19/8 is optimal."""
    import scipy.sparse as sp

    from lpmech.problem.allocation import AllocationSpace
    from lpmech.problem.environment import Agent, Environment

    types = np.array([1.0, 2.0, 3.0, 4.0])
    space = AllocationSpace(
        ["to bidder 1", "to bidder 2", "burn"],
        sp.csr_array(np.ones((1, 3))),
        np.array([-np.inf]),
        np.array([1.0]),
        np.zeros(3),
        np.ones(3),
    )
    values = [np.array([[t, 0, 0] for t in types]), np.array([[0, t, 0] for t in types])]
    agents = [Agent(f"bidder {i + 1}", types, np.full(4, 0.25)) for i in range(2)]
    return Environment(agents, space, values, principal_value=np.array([0.0, 0.0, penalty]))


def _one_buyer_small_probability(tiny):
    """One buyer, types 1, 2, 3/tiny with prior (1/2, 1/2 − tiny, tiny): posting the top
    type's value earns 3, more than any other price."""
    return lpmech.single_item_auction([1, 2, 3 / tiny], 1, priors=[[0.5, 0.5 - tiny, tiny]])


def _myerson_1_to_4():
    return exact_benchmarks.myerson_revenue(lpmech.single_item_auction([1, 2, 3, 4], 2))


def _best_posted_price(tiny):
    """max over prices p of p·P(v ≥ p), exactly, for the one-buyer case."""
    tiny = Fraction(tiny).limit_denominator(10**12)
    values = [Fraction(1), Fraction(2), 3 / tiny]
    prior = [Fraction(1, 2), Fraction(1, 2) - tiny, tiny]
    return max(v * sum(q for w, q in zip(values, prior, strict=True) if w >= v) for v in values)


def _solve_or_refusal(env, constraints):
    try:
        return lpmech.solve(env, "revenue", constraints)
    except lpmech.errors.LpmechError as error:  # a named refusal is an honest answer
        return error


@pytest.mark.parametrize(
    ("build", "optimum"),
    [
        (lambda: _burn_auction(-1e8), lambda: _myerson_1_to_4()),
        (lambda: _burn_auction(-1e9), lambda: _myerson_1_to_4()),
        (lambda: _one_buyer_small_probability(1e-9), lambda: _best_posted_price(1e-9)),
        (lambda: _one_buyer_small_probability(1e-7), lambda: _best_posted_price(1e-7)),
    ],
)
@pytest.mark.parametrize(
    "constraints",
    [("dominant_strategy_ic", "ex_post_ir"), ("bayesian_ic", "interim_ir")],
)
def test_a_wrong_optimum_never_certifies_and_the_exact_one_is_reported(
    build, optimum, constraints
):
    """Data spanning many orders of magnitude: whatever the float solve returns, the
    certificate is ok only for the true optimum, and always reports it exactly."""
    env, optimum = build(), optimum()
    solution = _solve_or_refusal(env, constraints)
    if isinstance(solution, lpmech.errors.LpmechError):
        assert str(solution)
    else:
        certificate = solution.certify()
        assert certificate.proved_objective == optimum
        assert_satisfies(env, certificate.exact_mechanism.to_mechanism(env), constraints)
        if certificate.ok:
            assert certificate.objective == optimum
            assert solution.objective_value == pytest.approx(float(optimum), rel=1e-9)
            assert_satisfies(env, solution.mechanism, constraints)
        else:
            _assert_failed(certificate, "mechanism:")


@pytest.mark.parametrize("as_json", [False, True])
def test_lpmech_verify_exact_certifies_a_file_as_loaded(tmp_path, capsys, as_json):
    from lpmech.cli.commands import main

    solution = _auction_solution()
    clean = lpmech.save(solution, tmp_path / "clean.json")
    flags = ["--json"] if as_json else []
    assert main(["verify", str(clean), "--exact", *flags]) == 0
    out = capsys.readouterr().out
    if as_json:
        document = json.loads(out)
        assert document["exact"]["checks_passed"] is True
        assert document["exact"]["exact_optimum"] == "19/8"
    else:
        assert "Exact certificate: PROVED" in out

    def edit(data):
        values = data["duals"]["dominant_strategy_ic"]
        values[int(np.flatnonzero(values)[0])] *= 3

    tampered = _edited_file(solution, tmp_path, edit)
    assert main(["verify", str(tampered), "--exact", *flags]) == 1
    out = capsys.readouterr().out
    assert not PROVED_OPTIMAL.search(out)
    if as_json:
        document = json.loads(out)
        assert document["ok"] is False
        assert document["exact"]["failures"][0].startswith("duals:")
        assert document["exact"]["exact_optimum"] == "19/8"
    else:
        assert "Exact certificate: FAILED" in out
        assert "failed: duals:" in out


def test_lpmech_verify_exact_refuses_a_mechanism_file(tmp_path, capsys):
    from lpmech.cli.commands import main

    solution = _auction_solution()
    path = lpmech.save(
        solution.mechanism, tmp_path / "rule.json", constraints=["dsic", "ex_post_ir"]
    )
    assert main(["verify", str(path), "--exact"]) == 1
    assert "no objective to certify" in capsys.readouterr().err


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(
    n_bidders=st.integers(1, 2),
    values=st.lists(st.integers(1, 9), min_size=2, max_size=4, unique=True).map(sorted),
    incentive=st.sampled_from(["dsic", "bic"]),
    entry=st.integers(0, 10**6),
    shift=st.sampled_from([1e-6, 1e-3, 0.5, -1e-3]),
    part=st.sampled_from(["payments", "allocation"]),
)
def test_certify_ok_means_the_solutions_own_mechanism_is_optimal(
    n_bidders, values, incentive, entry, shift, part
):
    """Any entry of the Solution's mechanism changed by any amount: the certificate is ok
    only if the changed mechanism passes the brute-force checks and its revenue (the
    claimed objective_value, recomputed) is the proved optimum; a lowered payment at a
    profile of positive probability never is."""
    env = lpmech.single_item_auction(values, n_bidders)
    constraints = (
        ("dominant_strategy_ic", "ex_post_ir")
        if incentive == "dsic"
        else ("bayesian_ic", "interim_ir")
    )
    solution = lpmech.solve(env, "revenue", constraints)
    assert solution.certify().ok
    allocation = solution.mechanism.flat_allocation.copy()
    payments = solution.mechanism.flat_payments.copy()
    changed = payments if part == "payments" else allocation
    index = np.unravel_index(entry % changed.size, changed.shape)
    changed[index] += shift
    mechanism = lpmech.Mechanism(env, allocation, payments)
    tampered = dataclasses.replace(
        solution, mechanism=mechanism, objective_value=expected_revenue(env, mechanism)
    )
    certificate = tampered.certify()
    if certificate.ok:
        assert_satisfies(env, mechanism, constraints, tol=1e-9)
        assert expected_revenue(env, mechanism) == pytest.approx(
            float(certificate.proved_objective), rel=1e-9
        )
    else:
        _assert_failed(certificate, "mechanism:")
    if part == "payments" and shift < 0:
        assert not certificate.ok


@pytest.mark.slow
@pytest.mark.parametrize("unit", [3e-7, 7e5, 1e9])
@pytest.mark.parametrize("values", [[1, 2, 3], [1, 3, 4, 7], [2, 5, 6]])
@pytest.mark.parametrize("n_bidders", [2, 3])
@pytest.mark.parametrize(
    "constraints", [("dominant_strategy_ic", "ex_post_ir"), ("bayesian_ic", "interim_ir")]
)
def test_true_optima_in_float_units_certify_within_the_stated_rounding(
    unit, values, n_bidders, constraints
):
    """Anonymised optima whose exact values are not simple (values in units of 3e-7 or 1e9
    read from floats, skewed priors): certified as the Solution's own, within a rounding
    the certificate states, and only because they pass the brute force."""
    prior = np.arange(1, len(values) + 1) / sum(range(1, len(values) + 1))
    env = lpmech.single_item_auction(
        np.array(values) * unit, n_bidders, priors=[prior] * n_bidders
    )
    solution = lpmech.solve(env, "revenue", constraints)
    certificate = solution.certify()
    assert certificate.ok, certificate.failures
    assert certificate.optimal
    assert "1e-09" in certificate.rounding  # the bound on the rounding, stated
    assert_satisfies(env, solution.mechanism, constraints, tol=1e-9 * unit * max(values))
    assert solution.objective_value == pytest.approx(float(certificate.proved_objective), rel=1e-9)
