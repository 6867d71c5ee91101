"""The exact twin of an environment: the same problem, its numbers rational.

:func:`exact_environment` returns an :class:`ExactEnvironment` whose valuations,
prior, principal's value and outside options are :class:`~lpmech.numbers.rationals.Rational`
arrays (the exact inputs, :func:`lpmech.numbers.rationals.exact_inputs`). Every built-in
constraint family builds its rows and measures its violation on it with the same
code as on floats; a Rational refuses to become a float, so any rounding on the way
is an error, never a silent approximation. :func:`exact_mechanism` holds a
mechanism's rules as Rationals on the twin, with exact expectations.
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lpmech.numbers.integers import exact_dot, integer_array, largest, ratios, scaled
from lpmech.numbers.rationals import ExactInputs, exact_inputs, rational_array
from lpmech.problem.environment import Environment, SingleParameter
from lpmech.problem.priors import Prior
from lpmech.results.mechanism import Mechanism

ObjectArray = NDArray[np.object_]


class ExactEnvironment(Environment):
    """An environment whose numbers are exact (see the module docstring).

    The single-parameter order and the efficient allocation are taken from the
    float environment (they are structure: an order of types, a 0/1 rule); the
    single-parameter direction is recomputed exactly.
    """

    float_environment: Environment
    inputs: ExactInputs
    _scaled_values: dict[int, tuple[ObjectArray, int]]

    @classmethod
    def of(cls, env: Environment) -> ExactEnvironment:
        """The exact twin of ``env``: layout, agents and allocation space shared."""
        inputs = exact_inputs(env)
        twin = cls.restated(
            env,
            valuations=tuple(_frozen(rational_array(v)) for v in inputs.valuations),
            prior=ExactPrior.of(env.prior, inputs.prior),
            principal_value=_frozen(rational_array(inputs.principal_value)),
            outside_options=tuple(_frozen(rational_array(o)) for o in inputs.outside_options),
        )
        twin.float_environment = env
        twin.inputs = inputs
        twin._scaled_values = {}
        return twin

    def single_parameter(self, agent: int) -> SingleParameter | None:
        form = self.float_environment.single_parameter(agent)
        if form is None:
            return None
        if len(form.order) == 1:
            return SingleParameter(
                form.scalars, rational_array(np.zeros(self.n_components)), form.order
            )
        base, top = form.order[0], form.order[-1]
        types, table = self.inputs.types[agent], self.inputs.valuations[agent]
        direction = (table[top] - table[base]) / (types[top] - types[base])
        return SingleParameter(form.scalars, rational_array(direction), form.order)

    def efficient_allocation(self, include_principal: bool = True) -> NDArray[np.float64]:
        return self.float_environment.efficient_allocation(include_principal)

    def scaled_values(self, agent: int) -> tuple[ObjectArray, int]:
        """V_i(θ) at every profile as integers over one denominator (remembered)."""
        if agent not in self._scaled_values:
            self._scaled_values[agent] = scaled(self.values_at_profiles(agent))
        return self._scaled_values[agent]


def exact_environment(env: Environment) -> ExactEnvironment:
    """The exact twin of ``env`` (:meth:`ExactEnvironment.of`)."""
    return ExactEnvironment.of(env)


def _frozen(array: ObjectArray) -> ObjectArray:
    array.setflags(write=False)
    return array


class ExactPrior(Prior):
    """A prior with an exact table; each agent's conditional law computed once (exactly, as
    the table divided by the marginal: exact whether or not the prior factors)."""

    _conditionals: dict[int, ObjectArray]

    @classmethod
    def of(cls, prior: Prior, table: ObjectArray) -> ExactPrior:
        """``prior`` with the exact ``table`` (read as Rationals)."""
        twin = cls.restated(prior, _frozen(rational_array(table)))
        twin._conditionals = {}
        return twin

    def conditional(self, agent: int) -> ObjectArray:
        if agent not in self._conditionals:
            conditional = super().conditional(agent)
            conditional.setflags(write=False)
            self._conditionals[agent] = conditional
        return self._conditionals[agent]


class ExactMechanism(Mechanism):
    """A mechanism whose rules are Rationals on an exact twin; expectations stay exact.

    Built by :func:`exact_mechanism`, on an :class:`ExactEnvironment`.

    Utilities and expectations are computed on integers over one denominator
    (:mod:`lpmech.numbers.integers`): u_i = (V'·a'·(L/(d_V·d_a)) − t'·(L/d_t)) / L with
    V = V'/d_V, a = a'/d_a, t = t'/d_t and L = lcm(d_V·d_a, d_t), exact and without a
    rational operation per entry.
    """

    env: ExactEnvironment

    @cached_property
    def _scaled_allocation(self) -> tuple[ObjectArray, int]:
        return scaled(self.flat_allocation)

    @cached_property
    def _scaled_payments(self) -> tuple[ObjectArray, int]:
        return scaled(self.flat_payments)

    def ex_post_utility(self, agent: int | str) -> ObjectArray:
        i = self.env.agent_index(agent)
        values, values_d = self.env.scaled_values(i)
        allocation, allocation_d = self._scaled_allocation
        payments, payments_d = self._scaled_payments
        scale = math.lcm(values_d * allocation_d, payments_d)
        gain, cost = scale // (values_d * allocation_d), scale // payments_d
        bound = max(
            values.shape[1] * largest(values) * largest(allocation) * gain
            + largest(payments) * cost,
            gain,
            cost,
            largest(values),  # each factor too: a zero allocation bounds no product of it
            largest(allocation),
            largest(payments),
        )  # on every intermediate value
        utility = (
            np.einsum("pc,pc->p", integer_array(values, bound), integer_array(allocation, bound))
            * gain
        )
        utility = utility - integer_array(payments[:, i], bound) * cost
        return ratios(utility, scale)

    def expected_revenue(self) -> Any:
        payments, payments_d = self._scaled_payments
        return exact_dot(self.env.prior.joint, ratios(payments.sum(axis=1), payments_d))

    def expected_welfare(self, include_principal: bool = True) -> Any:
        weights = self.env.surplus_weights(include_principal)
        return self.env.prior.joint @ np.einsum("pc,pc->p", weights, self.flat_allocation)

    def expected_utility(self, agent: int | str) -> Any:
        return exact_dot(self.env.prior.joint, self.ex_post_utility(agent))

    def expected_budget_surplus(self) -> Any:
        return self.env.prior.joint @ self.budget_surplus()


def exact_mechanism(
    env: ExactEnvironment, allocation: ArrayLike, payments: ArrayLike, name: str = ""
) -> ExactMechanism:
    """A mechanism on an exact twin, its rules read as Rationals (shapes (P, C), (P, N))."""
    return ExactMechanism.from_tables(
        env,
        _frozen(rational_array(np.reshape(allocation, (env.n_profiles, env.n_components)))),
        _frozen(rational_array(np.reshape(payments, (env.n_profiles, env.n_agents)))),
        name,
    )
