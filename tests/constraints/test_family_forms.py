"""Families declare their forms; formulations ask for them (issue 16).

A user's family written as one class — ex-post rows, a violation, and an interim
form — is solved by the interim formulation to the optimum of the direct program;
without the interim form, the interim formulation refuses it and names the
method to add.
"""

from __future__ import annotations

import numpy as np
import oracle
import pytest

import lpmech
from lpmech import ConstraintFamily, RowBlock
from lpmech.testing import check_family


class PaymentCapWithoutInterimForm(ConstraintFamily):
    """m_i(θ_i) = E[t_i(θ) | θ_i] ≤ cap for every agent and type: no type pays more than cap."""

    name = "interim_payment_cap"
    symmetric = True

    def __init__(self, cap: float) -> None:
        self.cap = cap

    def rows(self, env):
        layout = env.layout
        parts = []
        for i in range(env.n_agents):
            by_agent = layout.by_agent(i)  # (K, R) profiles with agent i of type k
            rows = sum(env.type_counts[:i]) + np.arange(env.type_counts[i])[:, None]
            parts.append(
                (
                    np.broadcast_to(rows, by_agent.shape).ravel(),
                    layout.payment_columns(by_agent, i).ravel(),
                    env.prior.conditional(i).ravel(),
                )
            )
        rows, columns, values = (np.concatenate(x) for x in zip(*parts, strict=True))
        return RowBlock.from_entries(
            rows, columns, values, shape=(sum(env.type_counts), layout.n_columns), upper=self.cap
        )

    def violation(self, mechanism):
        env = mechanism.env
        return np.concatenate(
            [np.maximum(mechanism.interim_payment(i) - self.cap, 0.0) for i in range(env.n_agents)]
        )


class PaymentCap(PaymentCapWithoutInterimForm):
    """The same requirement, with its interim form M_i(k) ≤ cap declared."""

    def interim_rows(self, env, columns):
        rows = np.arange(sum(env.type_counts))
        payment_columns = np.concatenate(
            [columns.m(i, np.arange(env.type_counts[i])) for i in range(env.n_agents)]
        )
        return RowBlock.from_entries(
            rows,
            payment_columns,
            np.ones(len(rows)),
            shape=(len(rows), columns.n_columns),
            upper=self.cap,
        )


PROBLEMS = {
    # a single item: Border's columns (interim winning probabilities only)
    "auction": (
        lambda: lpmech.single_item_auction([1, 2, 3, 4], n_bidders=3, priors=[0.4, 0.3, 0.2, 0.1]),
        "revenue",
    ),
    # a public project: interim rules linked to the ex-post allocation
    "public_good": (lambda: lpmech.public_good([0, 1, 2], n_agents=3, cost=2.5), "profit"),
}


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
def test_a_users_family_with_an_interim_form_solves_by_interim_as_by_direct(problem):
    build, objective = PROBLEMS[problem]
    env = build()
    uncapped = lpmech.solve(env, objective, ["bayesian_ic", "interim_ir"], formulation="direct")
    highest = max(uncapped.mechanism.interim_payment(i).max() for i in range(env.n_agents))
    cap = PaymentCap(0.8 * highest)  # below what the unconstrained optimum charges
    check_family(cap, env)
    constraints = ["bayesian_ic", "interim_ir", cap]
    interim = lpmech.solve(env, objective, constraints, formulation="interim")
    direct = lpmech.solve(env, objective, constraints, formulation="direct")
    assert interim.report.formulation == "interim"
    assert interim.objective_value == pytest.approx(direct.objective_value, abs=1e-7)
    assert interim.objective_value < uncapped.objective_value - 1e-3  # the cap binds
    for solution in (interim, direct):
        assert (
            max(solution.mechanism.interim_payment(i).max() for i in range(env.n_agents))
            <= cap.cap + 1e-7
        )
        oracle.assert_satisfies(env, solution.mechanism, ["bayesian_ic", "interim_ir"])


def test_a_family_without_an_interim_form_is_refused_naming_the_method():
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=3)
    family = PaymentCapWithoutInterimForm(0.8)
    with pytest.raises(ValueError, match=r"'interim_payment_cap'.*interim_rows\(env, columns\)"):
        lpmech.solve(env, "revenue", ["bayesian_ic", "interim_ir", family], formulation="interim")
    # the direct program takes it as it is
    solved = lpmech.solve(
        env, "revenue", ["bayesian_ic", "interim_ir", family], formulation="direct"
    )
    assert solved.verification["interim_payment_cap"].ok


def test_built_in_families_declare_interim_forms_only_where_they_have_one():
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
    from lpmech.program.interim_columns import InterimColumns

    columns = InterimColumns.of(env, border=False)
    has_form = {
        name: factory().interim_rows(env, columns) is not None
        for name, factory in lpmech.constraints.BUILT_IN.items()
    }
    assert {name for name, present in has_form.items() if present} == {
        "bayesian_ic",
        "interim_ir",
        "ex_ante_ir",
        "ex_ante_budget_balance",
        "ex_ante_no_deficit",
        "interim_monotonicity",
        "feasibility",
    }
