"""Contract checks for constraint families and objectives, for users' extensions too.

A family is written twice — as rows, and as a violation measured from its
definition — and an objective twice — as coefficients, and as a value. These
checks draw random mechanisms (allocations anywhere in [0, 1], payments of the
problem's scale, not necessarily feasible or IC) and assert that both readings
agree entry by entry.

>>> from lpmech.problem.builders import single_item_auction
>>> from lpmech.constraints import BayesianIC
>>> check_family(BayesianIC(), single_item_auction([1, 2, 3], n_bidders=2))
"""

from __future__ import annotations

import numpy as np

from lpmech.constraints.base import ConstraintFamily
from lpmech.constraints.custom import DesignVariables
from lpmech.errors import InvalidArgumentError, InvalidArgumentTypeError
from lpmech.problem.environment import Environment
from lpmech.problem.scales import data_scale
from lpmech.program.objectives import Objective
from lpmech.results.mechanism import Mechanism


def random_mechanisms(env: Environment, count: int = 5, seed: int = 0) -> list[Mechanism]:
    """``count`` random mechanisms on ``env``, reproducible from ``seed``.

    Half of them round the allocation to 0/1 so that exact ties (zero violation)
    are exercised as well as strict violations.
    """
    rng = np.random.default_rng(seed)
    scale = data_scale(env)
    shape_a = (env.n_profiles, env.n_components)
    shape_t = (env.n_profiles, env.n_agents)
    mechanisms = []
    for index in range(count):
        allocation = rng.uniform(0.0, 1.0, size=shape_a)
        payments = rng.normal(0.0, scale, size=shape_t)
        if index % 2:
            allocation = np.round(allocation)
            payments = np.round(payments)
        mechanisms.append(Mechanism(env, allocation, payments, name=f"random {index}"))
    return mechanisms


def check_family(
    family: ConstraintFamily,
    env: Environment,
    count: int = 5,
    seed: int = 0,
    tol: float = 1e-9,
) -> None:
    """Assert that ``family.rows``/``bounds`` and ``family.violation`` agree.

    Raises
    ------
    AssertionError
        Naming the first disagreeing entry (described by ``family.describe``).
    InvalidArgumentTypeError
        For a family with no rows to compare (one written as cvxpy constraints).
    """
    if family.requires_cvxpy:
        raise InvalidArgumentTypeError(
            f"{family.name}: a cvxpy-written family has no rows to check"
        )
    block, bounds = family.rows(env), family.bounds(env)
    for mechanism in random_mechanisms(env, count, seed):
        z = env.layout.join(mechanism.flat_allocation, mechanism.flat_payments)
        from_rows = block.violation(z)
        if bounds is not None:
            from_rows = np.concatenate([from_rows, bounds.violation(z)])
        direct = np.asarray(family.violation(mechanism), dtype=float)
        if direct.shape != from_rows.shape:
            raise AssertionError(
                f"{family.name}: violation() has {direct.size} entries but rows and bounds "
                f"have {from_rows.size}"
            )
        gap = np.abs(direct - from_rows)
        limit = tol * data_scale(env) * np.maximum(1.0, np.abs(from_rows))
        if np.any(gap > limit):
            worst = int(np.argmax(gap - limit))
            raise AssertionError(
                f"{family.name} on {mechanism.name}: entry {worst} "
                f"({family.describe(env, worst)}) has violation {direct[worst]:.12g} from the "
                f"definition but {from_rows[worst]:.12g} from the rows"
            )


def check_objective(
    objective: Objective, env: Environment, count: int = 5, seed: int = 0, tol: float = 1e-9
) -> None:
    """Assert that an objective's coefficients (and cvxpy terms) and its ``value()`` agree.

    Where both readings are undefined on a mechanism (e.g. the log of a negative
    utility in Nash welfare), they agree.
    """
    for mechanism in random_mechanisms(env, count, seed):
        z = env.layout.join(mechanism.flat_allocation, mechanism.flat_payments)
        from_coefficients = objective.coefficients(env) @ z + objective.constant(env)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = objective.cvxpy_terms(DesignVariables.at_mechanism(mechanism))
            term_values = []
            for term in terms:
                if term.value is None:
                    raise InvalidArgumentError(
                        f"objective: a cvxpy term of {objective.name} has no value at a "
                        "mechanism; its terms may use only the design variables"
                    )
                term_values.append(float(term.value))
            from_coefficients += objective.sign * sum(term_values)
            direct = objective.value(mechanism)
        if not (np.isfinite(direct) or np.isfinite(from_coefficients)):
            continue
        if not abs(direct - from_coefficients) <= tol * data_scale(env) * max(1.0, abs(direct)):
            raise AssertionError(
                f"{objective.name} on {mechanism.name}: value() is {direct:.12g} but the "
                f"coefficients give {from_coefficients:.12g}"
            )
