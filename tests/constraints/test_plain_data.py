"""Everything describes itself as plain data, and a Solution travels (issue 16).

Families, objectives, formulations and reports give ``spec()`` — a JSON-able dict —
and are rebuilt from it with the same rows, coefficients or fields. A Solution holds
no compiled program and no closure of lpmech's own, so it pickles and unpickles in
a fresh process.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import cvxpy as cp
import numpy as np
import pytest
from fresh_process import run_python
from paths import TESTS

import lpmech
from lpmech import constraints, formulations
from lpmech.checks.verification import VerificationReport
from lpmech.program import objectives
from lpmech.results.solution import SolveReport

ENV = lpmech.public_good([0.0, 1.0, 2.0], n_agents=2, cost=1.5)


def json_round_trip(spec):
    return json.loads(json.dumps(spec))


FAMILIES = [factory() for factory in constraints.BUILT_IN.values()] + [
    lpmech.DominantStrategyIC("full"),
    lpmech.BayesianIC("local"),
    lpmech.ExPostBudgetBalance(strict=False, required=0.5),
    lpmech.ExAnteBudgetBalance(required=-1.0),
    lpmech.FixedAllocation(ENV.efficient_allocation(), name="chosen"),
    lpmech.FixedAllocation.efficient(include_principal=False),
]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f"{f.name}-{f!r}")
def test_families_rebuild_from_their_spec(family):
    rebuilt = constraints.from_spec(json_round_trip(family.spec()))
    assert type(rebuilt) is type(family)
    assert rebuilt.spec() == family.spec()
    assert rebuilt.name == family.name
    original, copy = family.rows(ENV), rebuilt.rows(ENV)
    assert (original.matrix != copy.matrix).nnz == 0
    np.testing.assert_array_equal(original.upper, copy.upper)
    np.testing.assert_array_equal(original.lower, copy.lower)
    bounds, copied_bounds = family.bounds(ENV), rebuilt.bounds(ENV)
    assert (bounds is None) == (copied_bounds is None)
    if bounds is not None:
        np.testing.assert_array_equal(bounds.lower, copied_bounds.lower)


def test_a_compiled_family_spec_names_the_family_it_stands_for():
    local = lpmech.DominantStrategyIC().compiled_form(lpmech.single_item_auction([1, 2, 3], 2))
    assert local.spec() == {"family": "dominant_strategy_ic", "reduction": "local"}


def test_functions_are_recorded_but_not_rebuilt():
    cap = lpmech.CvxpyConstraint(lambda v: [v.payments <= 2.5], name="payment_cap")
    spec = json_round_trip(cap.spec())
    assert spec["name"] == "payment_cap"
    assert "<lambda>" in spec["function"]
    with pytest.raises(lpmech.UnknownConstraintError, match=r"payment_cap.*pass the family"):
        constraints.from_spec(spec)
    with pytest.raises(lpmech.UnknownConstraintError, match="unknown family 'mine'"):
        constraints.from_spec({"family": "mine"})
    with pytest.raises(lpmech.UnknownObjectiveError, match="pass the objective"):
        objectives.from_spec(lpmech.CustomObjective(expected_revenue).spec())


def test_a_users_family_rebuilds_from_its_constructor():
    from test_family_forms import PaymentCap

    class SpecifiedCap(PaymentCap):
        def spec(self):
            return {"family": self.name, "cap": self.cap}

    spec = json_round_trip(SpecifiedCap(0.7).spec())
    rebuilt = constraints.from_spec(spec, families={"interim_payment_cap": SpecifiedCap})
    assert rebuilt.cap == 0.7


OBJECTIVES = [factory() for factory in objectives.OBJECTIVES.values()] + [
    0.7 * lpmech.Revenue() + 0.3 * lpmech.Welfare(),
    lpmech.GainsFromTrade(status_quo=[1.0]),
    lpmech.Revenue() + 2 * lpmech.ExpectedDeficit(),
]


@pytest.mark.parametrize("objective", OBJECTIVES, ids=lambda o: o.name)
def test_objectives_rebuild_from_their_spec(objective):
    rebuilt = objectives.from_spec(json_round_trip(objective.spec()))
    assert rebuilt.name == objective.name
    assert rebuilt.sense == objective.sense
    np.testing.assert_array_equal(rebuilt.coefficients(ENV), objective.coefficients(ENV))
    assert rebuilt.constant(ENV) == objective.constant(ENV)


@pytest.mark.parametrize("name", sorted(formulations.FORMULATIONS))
def test_formulations_rebuild_from_their_spec(name):
    formulation = formulations.FORMULATIONS[name]()
    assert formulations.from_spec(json_round_trip(formulation.spec())).name == name


def test_reports_rebuild_from_their_spec():
    solution = lpmech.solve(ENV, "welfare", ["dsic", "ex_post_ir"])
    report = SolveReport.from_spec(json_round_trip(solution.report.spec()))
    assert report == solution.report
    verification = VerificationReport.from_spec(json_round_trip(solution.verification.spec()))
    assert verification == solution.verification


def expected_revenue(variables):
    """E[Σ_i t_i(θ)] written as a cvxpy expression (a module-level function pickles)."""
    return variables.env.prior.joint @ cp.sum(variables.payments, axis=1)


def test_an_affine_custom_objective_compiles_to_the_linear_program():
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
    custom = lpmech.CustomObjective(expected_revenue, name="revenue by hand")
    linear = custom.compiled_form(env)
    assert not linear.requires_cvxpy
    np.testing.assert_allclose(linear.coefficients(env), lpmech.Revenue().coefficients(env))
    squared = lpmech.CustomObjective(lambda v: -cp.sum_squares(v.payments))
    assert squared.compiled_form(env) is squared  # not affine: stays a cvxpy expression


@pytest.mark.slow
def test_a_symmetric_solution_with_a_custom_objective_travels_to_a_fresh_process(tmp_path):
    env = lpmech.single_item_auction(range(1, 11), n_bidders=3)
    custom = lpmech.CustomObjective(expected_revenue, name="revenue by hand")
    solution = lpmech.solve(env, custom, ["dsic", "ex_post_ir"])
    assert solution.report.formulation == "symmetric"
    revenue = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], formulation="direct")
    assert solution.objective_value == pytest.approx(revenue.objective_value, abs=1e-7)
    ir_duals = float(np.sum(solution.duals["ex_post_ir"]))

    data = pickle.dumps(solution)
    for internal in (b"DesignProblem", b"lpmech.program.compiler", b"SharedDuals", b"highspy"):
        assert internal not in data  # no compiled program, no problem, no solver state
    path = tmp_path / "solution.pickle"
    path.write_bytes(data)
    script = (
        "import pickle, sys\n"
        # this module, pickled by name, and the test helpers it imports
        f"sys.path[:0] = [{str(Path(__file__).parent)!r}, {str(TESTS)!r}]\n"
        f"s = pickle.load(open({str(path)!r}, 'rb'))\n"
        "print(s.objective_value, s.report.formulation, s.verification.ok, "
        "sum(s.duals['ex_post_ir']), s.objective.value(s.mechanism), s.verify().ok)\n"
    )
    result = run_python("-c", script)
    value, formulation, verified, duals, recomputed, reverified = result.stdout.split()
    assert float(value) == solution.objective_value
    assert formulation == "symmetric"
    assert verified == "True"
    assert reverified == "True"
    assert float(duals) == pytest.approx(ir_duals, abs=1e-9)
    assert float(recomputed) == pytest.approx(solution.objective_value, abs=1e-9)
