"""The exact twin of an environment: the same problem, its numbers rational.

:func:`exact_environment` returns an :class:`ExactEnvironment` whose valuations,
prior, principal's value and outside options are :class:`~lpmech.exact.Rational`
arrays (the exact inputs, :func:`lpmech.exact.exact_inputs`). Every built-in
constraint family builds its rows and measures its violation on it with the same
code as on floats; a Rational refuses to become a float, so any rounding on the way
is an error, never a silent approximation. :func:`exact_mechanism` holds a
mechanism's rules as Rationals on the twin, with exact expectations.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lpmech.environment import Environment, SingleParameter
from lpmech.exact import ExactInputs, exact_inputs, rational_array
from lpmech.mechanism import Mechanism
from lpmech.priors import Prior

ObjectArray = NDArray[np.object_]


class ExactEnvironment(Environment):
    """An environment whose numbers are exact (see the module docstring).

    The single-parameter order and the efficient allocation are taken from the
    float environment (they are structure: an order of types, a 0/1 rule); the
    single-parameter direction is recomputed exactly.
    """

    float_environment: Environment
    inputs: ExactInputs

    def single_parameter(self, agent: int) -> SingleParameter | None:
        form = self.float_environment.single_parameter(agent)
        if form is None:
            return None
        if len(form.order) == 1:
            return SingleParameter(form.scalars, rational_array(np.zeros(self.n_components)),
                                   form.order)
        base, top = form.order[0], form.order[-1]
        types, table = self.inputs.types[agent], self.inputs.valuations[agent]
        direction = (table[top] - table[base]) / (types[top] - types[base])
        return SingleParameter(form.scalars, rational_array(direction), form.order)

    def efficient_allocation(self, include_principal: bool = True) -> NDArray:
        return self.float_environment.efficient_allocation(include_principal)


def exact_environment(env: Environment) -> ExactEnvironment:
    """The exact twin of ``env``: layout, agents and allocation space shared."""
    inputs = exact_inputs(env)
    twin = object.__new__(ExactEnvironment)
    twin.__dict__.update(env.__dict__)
    twin.valuations = tuple(_frozen(rational_array(v)) for v in inputs.valuations)
    twin.prior = _exact_prior(env.prior, inputs.prior)
    twin.principal_value = _frozen(rational_array(inputs.principal_value))
    twin.outside_options = tuple(_frozen(rational_array(o)) for o in inputs.outside_options)
    twin._profile_values = {}
    twin.float_environment = env
    twin.inputs = inputs
    return twin


def _frozen(array: ObjectArray) -> ObjectArray:
    array.setflags(write=False)
    return array


def _exact_prior(prior: Prior, table: ObjectArray) -> Prior:
    twin = object.__new__(Prior)
    twin.table = _frozen(rational_array(table))
    twin.type_counts = prior.type_counts
    twin.__dict__["is_independent"] = prior.is_independent
    return twin


class ExactMechanism(Mechanism):
    """A mechanism whose rules are Rationals on an exact twin; expectations stay exact."""

    def expected_revenue(self) -> Any:
        return self.env.prior.joint @ self._payments.sum(axis=1)

    def expected_welfare(self, include_principal: bool = True) -> Any:
        weights = self.env.surplus_weights(include_principal)
        return self.env.prior.joint @ np.einsum("pc,pc->p", weights, self._allocation)

    def expected_utility(self, agent: int | str) -> Any:
        return self.env.prior.joint @ self.ex_post_utility(agent)

    def expected_budget_surplus(self) -> Any:
        return self.env.prior.joint @ self.budget_surplus()


def exact_mechanism(env: ExactEnvironment, allocation: ArrayLike, payments: ArrayLike,
                    name: str = "") -> ExactMechanism:
    """A mechanism on an exact twin, its rules read as Rationals (shapes (P, C), (P, N))."""
    mechanism = object.__new__(ExactMechanism)
    mechanism.env = env
    mechanism.name = name
    mechanism._allocation = _frozen(rational_array(np.reshape(
        allocation, (env.n_profiles, env.n_components))))
    mechanism._payments = _frozen(rational_array(np.reshape(
        payments, (env.n_profiles, env.n_agents))))
    return mechanism
