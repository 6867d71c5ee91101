"""Direct mechanisms on a finite type space, and what they give each agent.

A direct mechanism (x, t) assigns to every reported profile θ̂ an allocation
a(θ̂) and payments t(θ̂) (revelation principle, seed notes §1 and Rem. 2.2). With
others reporting truthfully, agent i of true type θ_i who reports θ̂_i gets

.. math:: u_i(θ̂_i; θ) = V_i(θ)·a(θ̂_i, θ_{-i}) − t_i(θ̂_i, θ_{-i}).

Interim quantities average over the others' types with the conditional prior,
e.g. the interim allocation q_i(θ_i) = E[a(θ) | θ_i] and interim payment
m_i(θ_i) = E[t_i(θ) | θ_i] (slides: q_i, m_i).

The same :class:`Mechanism` comes out of the LP, out of every analytic benchmark,
and out of arrays a user supplies (a first-price or posted-price rule), so they
can all be verified and compared the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lpmech.arrays import FloatArray
from lpmech.errors import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidMechanismError,
    UnknownNameError,
)
from lpmech.problem.environment import AgentRef, Environment, profile_table
from lpmech.problem.layout import agent_major
from lpmech.problem.lying import report_utilities
from lpmech.stable_sums import matrix_vector, weighted_sum

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lpmech.arrays import NumberArray
    from lpmech.checks.verification import VerificationReport
    from lpmech.constraints.base import ConstraintFamily


class ProfileOutcome(NamedTuple):
    """What a mechanism does at one profile: allocation by component, payment by agent."""

    allocation: dict[str, float]
    payments: dict[str, float]


class Mechanism:
    """An allocation rule and a payment rule on every type profile.

    Parameters
    ----------
    env : Environment
        The problem the mechanism is for.
    allocation : array_like, shape (P, C) or (K_1, …, K_N, C)
        a(θ) at every profile.
    payments : array_like, shape (P, N) or (K_1, …, K_N, N)
        t_i(θ), paid by agent i to the principal (negative: a transfer to i).
    name : str
        A label for tables and comparisons.

    Examples
    --------
    A posted price of 2 to one buyer with types 1, 2, 3:

    >>> from lpmech.problem.builders import single_item_auction
    >>> env = single_item_auction([1, 2, 3], n_bidders=1)
    >>> posted = Mechanism(env, [[0], [1], [1]], [[0], [2], [2]], name="posted price 2")
    >>> round(posted.expected_revenue(), 6)
    1.333333
    """

    def __init__(
        self, env: Environment, allocation: ArrayLike, payments: ArrayLike, name: str = ""
    ) -> None:
        if not isinstance(env, Environment):
            raise InvalidMechanismError(
                f"Mechanism: env must be an Environment, got {type(env).__name__}"
            )
        self.env = env
        self.name = name
        self._allocation = profile_table(
            env, allocation, env.n_components, "Mechanism: allocation"
        )
        self._payments = profile_table(env, payments, env.n_agents, "Mechanism: payments")
        self._allocation.setflags(write=False)
        self._payments.setflags(write=False)

    @classmethod
    def from_tables(
        cls, env: Environment, allocation: NDArray[Any], payments: NDArray[Any], name: str = ""
    ) -> Self:
        """A mechanism of class ``cls`` whose rules are already tables in profile order.

        ``allocation`` (P, C) and ``payments`` (P, N) are taken as they are — floats or
        exact numbers (:func:`lpmech.exact.twin.exact_mechanism`) — and made read-only;
        only their shapes are checked.
        """
        for table, width, argument in (
            (allocation, env.n_components, "allocation"),
            (payments, env.n_agents, "payments"),
        ):
            if np.shape(table) != (env.n_profiles, width):
                raise InvalidMechanismError(
                    f"Mechanism.from_tables: {argument} has shape {np.shape(table)}, expected "
                    f"({env.n_profiles}, {width})"
                )
        mechanism = cls.__new__(cls)
        mechanism.env, mechanism.name = env, name
        mechanism._allocation, mechanism._payments = allocation, payments
        allocation.setflags(write=False)
        payments.setflags(write=False)
        return mechanism

    # ------------------------------------------------------------ ex post
    @property
    def allocation(self) -> FloatArray:
        """a(θ), shape (K_1, …, K_N, C): index by type indices, last axis by component."""
        return self._allocation.reshape(*self.env.type_counts, self.env.n_components)

    @property
    def payments(self) -> FloatArray:
        """t_i(θ), shape (K_1, …, K_N, N): index by type indices, last axis by agent."""
        return self._payments.reshape(*self.env.type_counts, self.env.n_agents)

    @property
    def flat_allocation(self) -> FloatArray:
        """a(θ) in profile order, shape (P, C)."""
        return self._allocation

    @property
    def flat_payments(self) -> FloatArray:
        """t(θ) in profile order, shape (P, N)."""
        return self._payments

    def at(self, *labels: str, **named: str) -> ProfileOutcome:
        """Allocation and payments at one profile, each type given by its **label**.

        Either one label per agent in order (``at("high", "low")``) or by agent name
        (``at(buyer="high", seller="low")``). Labels are strings, as printed in
        tables; for 0-based positions use :meth:`iat` (as pandas' ``at``/``iat``).

        Examples
        --------
        >>> from lpmech.analytic import second_price
        >>> from lpmech.problem.builders import single_item_auction
        >>> auction = second_price(single_item_auction([1, 2, 3], n_bidders=2))
        >>> auction.at("3", "1").payments == auction.iat(2, 0).payments
        True
        """
        types = self._profile_arguments("at", labels, named)
        for agent, label in zip(self.env.agents, types, strict=True):
            if not isinstance(label, str):
                position = f"iat(…, {label!r}, …)" if _is_position(label) else "iat()"
                raise InvalidArgumentTypeError(
                    f"at() takes type labels (strings) such as {agent.labels[0]!r}, got "
                    f"{label!r} for agent {agent.name!r}; for 0-based positions use {position}"
                )
        return self._outcome(
            [a.type_index(t) for a, t in zip(self.env.agents, types, strict=True)]
        )

    def iat(self, *positions: int, **named: int) -> ProfileOutcome:
        """Allocation and payments at one profile, each type given by its 0-based **position**.

        Positions count each agent's types in order (``iat(2, 0)``, or by agent name,
        ``iat(buyer=2, seller=0)``); for labels use :meth:`at`.
        """
        types = self._profile_arguments("iat", positions, named)
        for agent, position in zip(self.env.agents, types, strict=True):
            if not _is_position(position):
                hint = (
                    f"; for type labels use at(…, {position!r}, …)"
                    if isinstance(position, str)
                    else ""
                )
                raise InvalidArgumentTypeError(
                    f"iat() takes 0-based type positions (whole numbers), got {position!r} "
                    f"for agent {agent.name!r}{hint}"
                )
        return self._outcome(
            [a.type_index(int(t)) for a, t in zip(self.env.agents, types, strict=True)]
        )

    def _profile_arguments(
        self, method: str, types: tuple[Any, ...], named: Mapping[str, Any]
    ) -> tuple[Any, ...]:
        """One type per agent, in order, from positional or by-name arguments."""
        env = self.env
        if types and named:
            raise InvalidArgumentTypeError(
                f"{method}(): give types either positionally or by agent name, not both"
            )
        if named:
            missing = [a.name for a in env.agents if a.name not in named]
            unknown = sorted(set(named) - {a.name for a in env.agents})
            if missing or unknown:
                raise UnknownNameError(
                    f"{method}(): missing agents {missing}, unknown names "
                    f"{unknown}; agents are {[a.name for a in env.agents]}"
                )
            types = tuple(named[a.name] for a in env.agents)
        if len(types) != env.n_agents:
            raise InvalidArgumentTypeError(
                f"{method}() needs one type per agent ({env.n_agents}), got {len(types)}"
            )
        return types

    def _outcome(self, indices: list[int]) -> ProfileOutcome:
        env = self.env
        profile = int(env.layout.profile_index(indices))
        return ProfileOutcome(
            dict(
                zip(
                    env.allocation.component_names, self._allocation[profile].tolist(), strict=True
                )
            ),
            dict(zip([a.name for a in env.agents], self._payments[profile].tolist(), strict=True)),
        )

    def ex_post_utility(self, agent: AgentRef) -> NumberArray:
        """u_i(θ) = V_i(θ)·a(θ) − t_i(θ) under truth-telling, shape (P,) (floats, or exact
        numbers on an exact twin: :class:`lpmech.exact.twin.ExactMechanism`)."""
        i = self.env.agent_index(agent)
        values = self.env.values_at_profiles(i)
        return np.einsum("pc,pc->p", values, self._allocation) - self._payments[:, i]

    def deviation_utilities(self, agent: AgentRef, true_type: int) -> FloatArray:
        """u_i(r; k, θ_{-i}) for every report r and others' profile, shape (K_i, R_i).

        Entry (r, j) is the utility of agent i with true type k when reporting r
        while the others report their true types θ_{-i} (column j of
        ``layout.by_agent(i)``).
        """
        i = self.env.agent_index(agent)
        true_type = self.env.agents[i].type_index(true_type)
        by_agent = self.env.layout.by_agent(i)
        true_values = self.env.values_at_profiles(i)[by_agent[[true_type]]]  # (1, R, C)
        return report_utilities(
            true_values, self._allocation[by_agent], self._payments[by_agent, i]
        )[0]

    def budget_surplus(self) -> FloatArray:
        """The principal's net receipt Σ_i t_i(θ) + v_0·a(θ) at each profile, shape (P,)."""
        return self._payments.sum(axis=1) + matrix_vector(
            self._allocation, self.env.principal_value
        )

    # ------------------------------------------------------------- interim
    def _interim(self, agent: AgentRef, per_profile: FloatArray) -> FloatArray:
        """E[X(θ) | θ_i] for a per-profile array X of shape (P,) or (P, m)."""
        env = self.env
        i = env.agent_index(agent)
        trailing = per_profile.ndim - 1
        table = per_profile.reshape(*env.type_counts, *per_profile.shape[1:])
        weights = env.prior.conditional(i)
        return np.einsum("kj,kj...->k...", weights, agent_major(table, i, trailing))

    def interim_allocation(self, agent: AgentRef) -> FloatArray:
        """E[a(θ) | θ_i] for each own type, shape (K_i, C)."""
        return self._interim(agent, self._allocation)

    def interim_quantity(self, agent: AgentRef) -> FloatArray:
        """E[w·a(θ) | θ_i], the interim quantity of a single-parameter agent, shape (K_i,).

        For a bidder this is the interim probability of winning q_i(θ_i).
        """
        i = self.env.agent_index(agent)
        form = self.env.single_parameter(i)
        if form is None:
            raise InvalidArgumentError(
                f"agent: {self.env.agents[i].name!r} is not "
                "single-parameter (needs private values and scalar "
                "types)"
            )
        return self.interim_allocation(i) @ form.direction

    def interim_value(self, agent: AgentRef) -> FloatArray:
        """E[v_i(a(θ), θ) | θ_i] under truth-telling, shape (K_i,)."""
        i = self.env.agent_index(agent)
        values = self.env.values_at_profiles(i)
        return self._interim(i, np.einsum("pc,pc->p", values, self._allocation))

    def interim_payment(self, agent: AgentRef) -> FloatArray:
        """m_i(θ_i) = E[t_i(θ) | θ_i], shape (K_i,)."""
        i = self.env.agent_index(agent)
        return self._interim(i, self._payments[:, i])

    def interim_utility(self, agent: AgentRef) -> FloatArray:
        """U_i(θ_i) = E[u_i(θ) | θ_i] under truth-telling, shape (K_i,)."""
        return self._interim(agent, self.ex_post_utility(agent))

    # ------------------------------------------------------------ ex ante
    # (expectations as fixed-order sums: the same bits with any number of BLAS threads)
    def expected_revenue(self) -> float:
        """E[Σ_i t_i(θ)]."""
        return float(weighted_sum(self.env.prior.joint, self._payments.sum(axis=1)))

    def expected_welfare(self, include_principal: bool = True) -> float:
        """E[Σ_i v_i(a(θ), θ)] (+ E[v_0·a(θ)] with the principal)."""
        weights = self.env.surplus_weights(include_principal)
        return float(
            weighted_sum(self.env.prior.joint, np.einsum("pc,pc->p", weights, self._allocation))
        )

    def expected_utility(self, agent: AgentRef) -> float:
        """E[u_i(θ)] under truth-telling."""
        return float(weighted_sum(self.env.prior.joint, self.ex_post_utility(agent)))

    def expected_budget_surplus(self) -> float:
        """E[Σ_i t_i(θ) + v_0·a(θ)], the principal's expected net receipt."""
        return float(weighted_sum(self.env.prior.joint, self.budget_surplus()))

    def is_deterministic(self, tol: float = 1e-6) -> bool:
        """Whether every allocation component is 0 or 1 (within ``tol``)."""
        from lpmech.checks.verification import check_tol

        tol = check_tol(tol)
        a = self._allocation
        return bool(np.all(np.minimum(np.abs(a), np.abs(a - 1.0)) <= tol))

    # ------------------------------------------------------------ checks
    def verify(
        self, constraints: Sequence[str | ConstraintFamily], tol: float = 1e-6
    ) -> VerificationReport:
        """Check the mechanism against constraint families by brute force.

        See :func:`lpmech.checks.verification.verify`.
        """
        from lpmech.checks.verification import verify

        return verify(self, constraints, tol=tol)

    # ----------------------------------------------------------- display
    def summary(self, max_profiles: int = 24) -> str:
        """A readable table: ex-post rule (first profiles), interim rules, expectations."""
        from lpmech.views.text import mechanism_summary

        return mechanism_summary(self, max_profiles=max_profiles)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        from lpmech.views.notebook import mechanism_html

        return mechanism_html(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per profile: types by agent name, probability, allocation, payments.

        See :func:`lpmech.views.frames.mechanism_frame` (needs ``lpmech[frames]``).
        """
        from lpmech.views.frames import mechanism_frame

        return mechanism_frame(self)

    def interim_frame(self, agent: AgentRef) -> pd.DataFrame:
        """One row per type of ``agent``: see :func:`lpmech.views.frames.interim_frame`."""
        from lpmech.views.frames import interim_frame

        return interim_frame(self, agent)

    def plot(
        self, axes: Sequence[Axes] | None = None, *, figsize: tuple[float, float] | None = None
    ) -> Figure:
        """The picture that fits the environment: see :func:`lpmech.views.plots.plot_mechanism`.

        Needs ``lpmech[plot]``.
        """
        from lpmech.views.plots import plot_mechanism

        return plot_mechanism(self, axes=axes, figsize=figsize)

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"Mechanism({label}{self.env!r})"


def _is_position(value: object) -> bool:
    """Whether ``value`` is a whole number (int or numpy integer, not bool)."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool)
