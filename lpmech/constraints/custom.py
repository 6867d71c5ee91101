"""User constraints written as cvxpy expressions on the design variables.

A :class:`CvxpyConstraint` wraps a function ``build(variables)`` that returns
cvxpy constraints. The same function serves both sides of the family contract:
the cvxpy backend adds its constraints to the program, and
:meth:`CvxpyConstraint.violation` evaluates them on a given mechanism by setting
the variables' values and asking cvxpy for each constraint's violation.

For a family that must also run on the direct highspy backend, or that is large,
subclass :class:`~lpmech.constraints.base.ConstraintFamily` and build a sparse
:class:`~lpmech.constraints.base.RowBlock` instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

from lpmech.arrays import FloatArray
from lpmech.constraints.base import ConstraintFamily, RowBlock, function_name
from lpmech.errors import InvalidArgumentTypeError

if TYPE_CHECKING:
    from lpmech.problem.environment import Environment
    from lpmech.results.mechanism import Mechanism


@dataclass(frozen=True)
class DesignVariables:
    """The program's decision variables, as cvxpy expressions.

    Attributes
    ----------
    env : Environment
        The problem; ``env.layout`` gives the profile index arithmetic
        (``by_agent``, ``profile_index``, ``profile_types``) and ``env.prior``
        the probabilities.
    allocation : cvxpy.Expression, shape (P, C)
        Row p is a(θ^p), columns are ``env.allocation.component_names``.
    payments : cvxpy.Expression, shape (P, N)
        Row p is t(θ^p), column i is agent i's payment.

    Interim views (:meth:`interim_allocation`, :meth:`interim_payment`,
    :meth:`interim_utility`) are the conditional expectations E[· | θ_i = k]
    under the prior, as affine cvxpy expressions of shape (K_i, …).
    """

    env: Environment
    allocation: cp.Expression
    payments: cp.Expression

    @classmethod
    def from_vectors(
        cls, env: Environment, allocation: cp.Expression, payments: cp.Expression
    ) -> DesignVariables:
        """Views of flat (row-major) allocation and payment vectors."""
        layout = env.layout
        # cvxpy re-exports its atoms (reshape, sum, multiply, …) by a star import of a
        # package without __all__, which mypy does not follow: they exist only at run time
        reshape = cp.reshape  # type: ignore[attr-defined]
        return cls(
            env,
            reshape(allocation, (layout.n_profiles, layout.n_components), order="C"),
            reshape(payments, (layout.n_profiles, layout.n_agents), order="C"),
        )

    @classmethod
    def at_mechanism(cls, mechanism: Mechanism) -> DesignVariables:
        """Variables whose values are set to a mechanism's rules."""
        layout = mechanism.env.layout
        allocation = cp.Variable(layout.n_allocation_columns)
        payments = cp.Variable(layout.n_payment_columns)
        allocation.value = mechanism.flat_allocation.ravel()
        payments.value = mechanism.flat_payments.ravel()
        return cls.from_vectors(mechanism.env, allocation, payments)

    def interim(self, agent: int | str, per_profile: cp.Expression) -> cp.Expression:
        """E[X(θ) | θ_i = k] for every own type k of X of shape (P,) or (P, m).

        One sparse product W_i X, with W_i[k, p] = π(θ_{-i}^p | θ_i = k) where
        θ_i^p = k and 0 elsewhere (shape K_i × P).
        """
        env = self.env
        i = env.agent_index(agent)
        profiles = env.layout.by_agent(i)
        own_types = np.broadcast_to(np.arange(profiles.shape[0])[:, None], profiles.shape)
        weights = sp.csr_array(
            (env.prior.conditional(i).ravel(), (own_types.ravel(), profiles.ravel())),
            shape=(profiles.shape[0], env.n_profiles),
        )
        # scipy-stubs type csr_array @ anything as sparse; scipy defers to the expression's
        # __rmatmul__, which returns a cvxpy expression
        return weights @ per_profile  # type: ignore[return-value]

    def interim_allocation(self, agent: int | str) -> cp.Expression:
        """E[a(θ) | θ_i = k], shape (K_i, C)."""
        return self.interim(agent, self.allocation)

    def interim_payment(self, agent: int | str) -> cp.Expression:
        """m_i(k) = E[t_i(θ) | θ_i = k], shape (K_i,)."""
        return self.interim(agent, self.payments[:, self.env.agent_index(agent)])

    def ex_post_utility(self, agent: int | str) -> cp.Expression:
        """u_i(θ) = V_i(θ)·a(θ) − t_i(θ) under truth-telling, shape (P,)."""
        i = self.env.agent_index(agent)
        values = self.env.values_at_profiles(i)
        # cp.sum and cp.multiply: cvxpy atoms mypy does not see (see from_vectors)
        value = cp.sum(cp.multiply(values, self.allocation), axis=1)  # type: ignore[attr-defined]
        return value - self.payments[:, i]

    def interim_utility(self, agent: int | str) -> cp.Expression:
        """U_i(k) = E[u_i(θ) | θ_i = k] under truth-telling, shape (K_i,)."""
        return self.interim(agent, self.ex_post_utility(agent))


class CvxpyConstraint(ConstraintFamily):
    """A constraint family given by a function returning cvxpy constraints.

    Parameters
    ----------
    build : callable
        ``build(variables: DesignVariables) -> list of cvxpy.Constraint``.
    name : str
        The family's name in reports and errors.

    Examples
    --------
    No agent is ever paid by the principal, t_i(θ) ≥ 0:

    >>> no_subsidies = CvxpyConstraint(lambda v: [v.payments >= 0], name="no_subsidies")
    """

    #: Only the cvxpy backend can take these constraints.
    requires_cvxpy = True

    def __init__(
        self, build: Callable[[DesignVariables], Sequence[cp.Constraint]], name: str = "custom"
    ) -> None:
        self._build = build
        self.name = name

    def cvxpy_constraints(self, variables: DesignVariables) -> list[cp.Constraint]:
        """The family's cvxpy constraints on the given variables."""
        constraints = self._build(variables)
        if isinstance(constraints, cp.constraints.constraint.Constraint):
            constraints = [constraints]
        if not isinstance(constraints, Iterable):
            raise InvalidArgumentTypeError(
                f"{self.name}: build must return cvxpy constraints, "
                f"got {type(constraints).__name__}"
            )
        constraints = list(constraints)
        for item in constraints:
            if not isinstance(item, cp.constraints.constraint.Constraint):
                raise InvalidArgumentTypeError(
                    f"{self.name}: build must return cvxpy constraints, got {type(item).__name__}"
                )
        return constraints

    def rows(self, env: Environment) -> RowBlock:
        return RowBlock.empty(env.layout.n_columns)

    def violation(self, mechanism: Mechanism) -> FloatArray:
        constraints = self.cvxpy_constraints(DesignVariables.at_mechanism(mechanism))
        parts = [np.ravel(np.asarray(c.violation(), dtype=float)) for c in constraints]
        return np.concatenate(parts) if parts else np.zeros(0)

    def describe(self, env: Environment, index: int) -> str:
        return f"entry {index} of {self.name}"

    def spec(self) -> dict[str, Any]:
        """Name and function recorded; plain data cannot rebuild a function."""
        return {
            "family": "cvxpy_constraint",
            "name": self.name,
            "function": function_name(self._build),
        }

    def __repr__(self) -> str:
        return f"CvxpyConstraint(name={self.name!r})"
