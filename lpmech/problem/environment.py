"""The problem description: agents, their types and prior, outcomes and valuations.

An :class:`Environment` is a quasi-linear, finite-type mechanism design problem
(seed notes §1, Ass. 1; §2.5, Ass. 8). Agent i has a finite type set Θ_i; at
profile θ the mechanism chooses an allocation a(θ) from an
:class:`~lpmech.problem.allocation.AllocationSpace` and payments t_i(θ), and agent i's
utility is

.. math:: u_i = v_i(a, θ) − t_i, \\qquad v_i(a, θ) = V_i(θ) · a.

With *private values* V_i depends on θ_i only (Def. 2.3); with *interdependent*
values it depends on the whole profile. The principal values the allocation at
v_0 · a (a seller's value, or a project's cost as a negative number) and receives
Σ_i t_i. Agent i can walk away for an outside option o_i(θ_i) (Ass. 7 sets it to
zero; here it may depend on the type).

All validation happens here, once; everything downstream trusts an Environment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lpmech.arrays import FloatArray, NumberArray, float_array
from lpmech.errors import (
    IndexOutOfRangeError,
    InvalidArgumentTypeError,
    InvalidEnvironmentError,
    InvalidMechanismError,
    UnknownNameError,
)
from lpmech.numbers.rationals import exact_copy, given_prior
from lpmech.problem.allocation import AllocationSpace
from lpmech.problem.layout import Layout
from lpmech.problem.priors import Prior, check_probabilities

AgentRef = int | str


class Agent:
    """An agent with a finite type set and (optionally) a marginal prior.

    Parameters
    ----------
    name : str
        The agent's name, used in every message and table.
    types : array_like, shape (K,) or (K, d)
        Scalar types (a value per unit) or vector types (e.g. values for d items).
        Rows must be distinct and finite.
    prior : array_like, shape (K,), optional
        Marginal probability of each type. Required unless the environment is
        given a joint (correlated) prior.
    labels : sequence of str, optional
        A label per type; defaults to the formatted type values.

    Examples
    --------
    >>> Agent("bidder", [1, 2, 3], prior=[0.5, 0.25, 0.25]).labels
    ('1', '2', '3')
    """

    def __init__(
        self,
        name: str,
        types: ArrayLike,
        prior: ArrayLike | None = None,
        labels: Sequence[str] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise InvalidEnvironmentError(f"Agent: name must be a non-empty string, got {name!r}")
        self.name = name
        where = f"Agent {name!r}"
        values = float_array(types, f"{where}: types", InvalidEnvironmentError)
        if values.ndim not in (1, 2):
            raise InvalidEnvironmentError(
                f"{where}: types must have shape (K,) or (K, d), got {values.shape}"
            )
        if values.shape[0] == 0:
            raise InvalidEnvironmentError(f"{where}: types is empty")
        if not np.all(np.isfinite(values)):
            raise InvalidEnvironmentError(f"{where}: types contain NaN or infinite values")
        rows = values.reshape(values.shape[0], -1)
        if len(np.unique(rows, axis=0)) != len(rows):
            raise InvalidEnvironmentError(f"{where}: types must be distinct")
        values.setflags(write=False)
        self.types = values
        #: Exact numbers a float array would lose, and the prior as typed (lpmech.exact).
        self.exact_types = exact_copy(types)
        self.exact_prior = given_prior(prior)
        if prior is None:
            self.prior: FloatArray | None = None
        else:
            self.prior = check_probabilities(prior, f"{where}: prior", (self.n_types,))
            if np.any(self.prior <= 0):
                k = int(np.argmin(self.prior))
                raise InvalidEnvironmentError(
                    f"{where}: prior gives type {k} probability 0; every type needs positive "
                    "probability (remove the type instead)"
                )
            self.prior.setflags(write=False)
        if labels is None:
            labels = _distinct_labels(values)
        elif isinstance(labels, str):
            raise InvalidEnvironmentError(
                f"{where}: labels must be a sequence of strings, one per type, not one string"
            )
        if not isinstance(labels, Iterable):
            raise InvalidEnvironmentError(
                f"{where}: labels must be a sequence of strings, one per type, got {labels!r:.80}"
            )
        labels = tuple(str(label) for label in labels)
        if len(labels) != self.n_types:
            raise InvalidEnvironmentError(
                f"{where}: labels has {len(labels)} entries, expected one per type "
                f"({self.n_types})"
            )
        if len(set(labels)) != len(labels):
            raise InvalidEnvironmentError(f"{where}: labels must be distinct, got {labels}")
        self.labels = labels

    @property
    def n_types(self) -> int:
        """Number of types K."""
        return int(self.types.shape[0])

    @property
    def is_scalar(self) -> bool:
        """Whether types are scalars (single-dimensional)."""
        return self.types.ndim == 1

    def type_index(self, type_: int | str) -> int:
        """Index of a type given by index or by label."""
        if isinstance(type_, str):
            if type_ not in self.labels:
                raise UnknownNameError(
                    f"agent {self.name!r} has no type labelled {type_!r}; labels are {self.labels}"
                )
            return self.labels.index(type_)
        return _index(type_, self.n_types, f"type of agent {self.name!r}")

    def __repr__(self) -> str:
        return f"Agent({self.name!r}, n_types={self.n_types})"


@dataclass(frozen=True)
class SingleParameter:
    """Agent i's valuation in single-parameter form v_i(a, θ_i) = s(θ_i)·(w·a) + h·a.

    ``scalars[k]`` is the scalar type s of type k and ``direction`` is w, so
    q_i(a) = w·a is the agent's *quantity* (e.g. probability of winning).
    ``order`` lists type indices by increasing s. On an exact twin
    (:mod:`lpmech.exact.twin`) ``direction`` holds exact numbers.
    """

    scalars: FloatArray
    direction: NumberArray
    order: NDArray[np.intp]


class Environment:
    """A finite-type, quasi-linear mechanism design problem.

    Parameters
    ----------
    agents : sequence of Agent
        The agents, each with a finite type set.
    allocation : AllocationSpace
        What the mechanism may decide at each profile (C components).
    valuations : sequence of array_like
        One per agent: shape (K_i, C) for private values V_i(θ_i), or
        (K_1, …, K_N, C) for interdependent values V_i(θ).
    prior : array_like, shape (K_1, …, K_N), optional
        A joint (possibly correlated) prior. If omitted, types are independent
        with the agents' marginal priors.
    principal_value : array_like, shape (C,), optional
        The principal's value v_0 per unit of each component (default 0).
    outside_options : sequence, optional
        Per agent, a constant or an array (K_i,) of outside-option values
        (default 0).
    name : str
        A short description used in summaries.

    Examples
    --------
    A seller with one item and one buyer whose value is 1, 2 or 3:

    >>> from lpmech.problem.allocation import Items
    >>> buyer = Agent("buyer", [1, 2, 3], prior=[1/3, 1/3, 1/3])
    >>> env = Environment([buyer], Items(["buyer"]), [[[1.0], [2.0], [3.0]]])
    >>> env.n_profiles, env.n_components
    (3, 1)
    """

    def __init__(
        self,
        agents: Sequence[Agent],
        allocation: AllocationSpace,
        valuations: Sequence[ArrayLike],
        *,
        prior: ArrayLike | None = None,
        principal_value: ArrayLike | None = None,
        outside_options: Sequence[ArrayLike] | None = None,
        name: str = "",
    ) -> None:
        self.agents = tuple(agents)
        if not self.agents:
            raise InvalidEnvironmentError("Environment: agents is empty")
        if not all(isinstance(agent, Agent) for agent in self.agents):
            raise InvalidEnvironmentError("Environment: agents must be Agent instances")
        names = [agent.name for agent in self.agents]
        if len(set(names)) != len(names):
            raise InvalidEnvironmentError(
                f"Environment: agent names must be distinct, got {names}"
            )
        if not isinstance(allocation, AllocationSpace):
            raise InvalidEnvironmentError(
                "Environment: allocation must be an AllocationSpace (Outcomes, Items, …), "
                f"got {type(allocation).__name__}"
            )
        self.allocation = allocation
        self.name = name
        self.type_counts = tuple(agent.n_types for agent in self.agents)
        self.layout = Layout(self.type_counts, allocation.n_components)
        self.prior = self._make_prior(prior)
        self.valuations, self.interdependent = self._check_valuations(valuations)
        self.principal_value = self._check_principal_value(principal_value)
        self.outside_options = self._check_outside_options(outside_options)
        #: Inputs as typed where floats would lose them (lpmech.numbers.rationals).
        self.exact_given = {
            "prior": given_prior(prior),
            "valuations": [exact_copy(v) for v in valuations],
            "principal_value": exact_copy(principal_value),
            "outside_options": None
            if outside_options is None
            else [exact_copy(o) for o in outside_options],
        }
        self._profile_values: dict[int, FloatArray] = {}

    @classmethod
    def restated(
        cls,
        env: Environment,
        *,
        valuations: tuple[NumberArray, ...],
        prior: Prior,
        principal_value: NumberArray,
        outside_options: tuple[NumberArray, ...],
    ) -> Self:
        """``env``'s problem with its numbers in another representation, as an instance of ``cls``.

        Agents, allocation space, layout and the given inputs are shared with ``env``; the
        numbers are taken as they are (the caller vouches they are ``env``'s, e.g. as exact
        rationals: :class:`lpmech.exact.twin.ExactEnvironment`), so nothing is re-validated.
        """
        twin = cls.__new__(cls)
        twin.agents, twin.allocation, twin.name = env.agents, env.allocation, env.name
        twin.type_counts, twin.layout = env.type_counts, env.layout
        twin.interdependent, twin.exact_given = env.interdependent, env.exact_given
        twin.prior, twin.valuations = prior, valuations
        twin.principal_value, twin.outside_options = principal_value, outside_options
        twin._profile_values = {}
        return twin

    # ----------------------------------------------------------------- sizes
    @property
    def n_agents(self) -> int:
        """Number of agents N."""
        return len(self.agents)

    @property
    def n_profiles(self) -> int:
        """Number of type profiles P = ∏ K_i."""
        return self.layout.n_profiles

    @property
    def n_components(self) -> int:
        """Length C of the allocation vector."""
        return self.allocation.n_components

    # ------------------------------------------------------------ look-ups
    def agent_index(self, agent: AgentRef) -> int:
        """Index of an agent given by index or by name."""
        if isinstance(agent, str):
            for i, candidate in enumerate(self.agents):
                if candidate.name == agent:
                    return i
            raise UnknownNameError(
                f"agent: no agent named {agent!r}; agents are {[a.name for a in self.agents]}"
            )
        return _index(agent, self.n_agents, "agent")

    def describe_profile(self, profile: int) -> str:
        """A readable profile, e.g. ``(bidder 1=3, bidder 2=1)``."""
        types = self.layout.profile_types[profile]
        parts = (f"{a.name}={a.labels[k]}" for a, k in zip(self.agents, types, strict=True))
        return "(" + ", ".join(parts) + ")"

    def describe_others(self, agent: int, column: int) -> str:
        """The others' types at column ``column`` of ``layout.by_agent(agent)``."""
        profile = self.layout.by_agent(agent)[0, column]
        types = self.layout.profile_types[profile]
        parts = [
            f"{a.name}={a.labels[k]}"
            for j, (a, k) in enumerate(zip(self.agents, types, strict=True))
            if j != agent
        ]
        return "(" + ", ".join(parts) + ")" if parts else "()"

    # ------------------------------------------------------------ values
    def values_at_profiles(self, agent: int) -> FloatArray:
        """V_i(θ) at every profile θ (true types), shape (P, C)."""
        if agent not in self._profile_values:
            table = self.valuations[agent]
            if self.interdependent[agent]:
                values = table.reshape(self.n_profiles, self.n_components)
            else:
                values = table[self.layout.profile_types[:, agent]]
            values.setflags(write=False)
            self._profile_values[agent] = values
        return self._profile_values[agent]

    def surplus_weights(self, include_principal: bool = True) -> FloatArray:
        """Σ_i V_i(θ) (+ v_0) per unit of each component at each profile, shape (P, C)."""
        total = sum(self.values_at_profiles(i) for i in range(self.n_agents))
        if include_principal:
            total = total + self.principal_value
        return np.asarray(total)  # floats, or exact numbers on an exact twin (lpmech.exact)

    def efficient_allocation(self, include_principal: bool = True) -> FloatArray:
        """An allocation maximising total surplus at every profile, shape (P, C).

        x*(θ) ∈ argmax_a Σ_i v_i(a, θ) (+ v_0·a) (seed notes §2.5). Ties follow the
        allocation space's rule (see :meth:`AllocationSpace.efficient`).
        """
        return self.allocation.efficient(self.surplus_weights(include_principal))

    def single_parameter(self, agent: int) -> SingleParameter | None:
        """Agent i's valuation in single-parameter form, or ``None`` if it has none.

        The form exists when values are private, types are scalars s_k, and
        V_i[k] − V_i[k₀] = (s_k − s_{k₀})·w for one direction w.
        """
        spec = self.agents[agent]
        if self.interdependent[agent] or not spec.is_scalar:
            return None
        scalars = spec.types
        table = self.valuations[agent]
        order = np.argsort(scalars, kind="stable")
        base = order[0]
        if len(order) == 1:
            return SingleParameter(scalars, np.zeros(self.n_components), order)
        top = order[-1]
        direction = (table[top] - table[base]) / (scalars[top] - scalars[base])
        predicted = table[base] + np.outer(scalars - scalars[base], direction)
        scale = max(1.0, float(np.abs(table).max()))
        if not np.allclose(predicted, table, rtol=0.0, atol=1e-9 * scale):
            return None
        return SingleParameter(scalars, direction, order)

    def rescaled(self, factor: float) -> Environment:
        """The same problem with every value in units of ``factor``: V_i/c, v_0/c, o_i/c.

        Agents, types, prior and layout are shared (not copied); only the value
        tables change, so the profile-sized caches of values start empty.
        """
        return Environment.restated(
            self,
            valuations=tuple(_read_only(v / factor) for v in self.valuations),
            prior=self.prior,
            principal_value=self.principal_value / factor,
            outside_options=tuple(o / factor for o in self.outside_options),
        )

    # -------------------------------------------------------- validation
    def _make_prior(self, prior: ArrayLike | None) -> Prior:
        if prior is None:
            marginals = [agent.prior for agent in self.agents if agent.prior is not None]
            if len(marginals) != self.n_agents:
                missing = [a.name for a in self.agents if a.prior is None]
                raise InvalidEnvironmentError(
                    f"Environment: agents {missing} have no prior; give each agent a prior "
                    "(independent types) or pass a joint prior table"
                )
            return Prior.independent(marginals)
        table = np.asarray(prior, dtype=float)
        if table.shape != self.type_counts:
            raise InvalidEnvironmentError(
                f"Environment: prior has shape {table.shape}, expected {self.type_counts} "
                "(one axis per agent, one entry per type)"
            )
        joint = Prior(table)
        for i, agent in enumerate(self.agents):
            if agent.prior is not None and not np.allclose(
                agent.prior, joint.marginals[i], rtol=0.0, atol=1e-9
            ):
                raise InvalidEnvironmentError(
                    f"Environment: agent {agent.name!r} has prior {np.round(agent.prior, 6)} "
                    f"but the joint prior's marginal is {np.round(joint.marginals[i], 6)}"
                )
        return joint

    def _check_valuations(
        self, valuations: Sequence[ArrayLike]
    ) -> tuple[tuple[FloatArray, ...], tuple[bool, ...]]:
        _one_per_agent(valuations, "valuations", self.n_agents)
        if len(valuations) != self.n_agents:
            raise InvalidEnvironmentError(
                f"Environment: valuations has {len(valuations)} entries, expected one per agent "
                f"({self.n_agents})"
            )
        tables, interdependent = [], []
        for i, (agent, values) in enumerate(zip(self.agents, valuations, strict=True)):
            table = float_array(
                values,
                f"Environment: valuations[{i}] (agent {agent.name!r})",
                InvalidEnvironmentError,
            ).copy()
            private_shape = (agent.n_types, self.n_components)
            joint_shape = (*self.type_counts, self.n_components)
            if table.shape == private_shape and not (
                self.n_agents == 1 and table.shape == joint_shape
            ):
                interdependent.append(False)
            elif table.shape == joint_shape:
                interdependent.append(self.n_agents > 1)
            else:
                raise InvalidEnvironmentError(
                    f"Environment: valuations[{i}] (agent {agent.name!r}) has shape "
                    f"{table.shape}, expected {private_shape} (private values) or "
                    f"{joint_shape} (interdependent values)"
                )
            if not np.all(np.isfinite(table)):
                raise InvalidEnvironmentError(
                    f"Environment: valuations[{i}] (agent {agent.name!r}) contains NaN or "
                    "infinite values"
                )
            table.setflags(write=False)
            tables.append(table)
        return tuple(tables), tuple(interdependent)

    def _check_principal_value(self, principal_value: ArrayLike | None) -> FloatArray:
        if principal_value is None:
            return np.zeros(self.n_components)
        value = float_array(
            principal_value, "Environment: principal_value", InvalidEnvironmentError
        )
        if value.shape != (self.n_components,):
            raise InvalidEnvironmentError(
                f"Environment: principal_value has shape {value.shape}, expected "
                f"({self.n_components},) (one per allocation component)"
            )
        if not np.all(np.isfinite(value)):
            raise InvalidEnvironmentError("Environment: principal_value contains NaN or inf")
        return value

    def _check_outside_options(
        self, outside_options: Sequence[ArrayLike] | None
    ) -> tuple[FloatArray, ...]:
        if outside_options is None:
            return tuple(np.zeros(agent.n_types) for agent in self.agents)
        _one_per_agent(outside_options, "outside_options", self.n_agents)
        if len(outside_options) != self.n_agents:
            raise InvalidEnvironmentError(
                f"Environment: outside_options has {len(outside_options)} entries, expected "
                f"one per agent ({self.n_agents})"
            )
        options = []
        for agent, option in zip(self.agents, outside_options, strict=True):
            value = float_array(
                option,
                f"Environment: outside_options for agent {agent.name!r}",
                InvalidEnvironmentError,
            )
            if value.ndim == 0:
                value = np.full(agent.n_types, float(value))
            if value.shape != (agent.n_types,):
                raise InvalidEnvironmentError(
                    f"Environment: outside_options for agent {agent.name!r} has shape "
                    f"{value.shape}, expected a constant or ({agent.n_types},)"
                )
            if not np.all(np.isfinite(value)):
                raise InvalidEnvironmentError(
                    f"Environment: outside_options for agent {agent.name!r} contains NaN or inf"
                )
            options.append(value)
        return tuple(options)

    def _repr_html_(self) -> str:
        from lpmech.views.notebook import environment_html

        return environment_html(self)

    def __repr__(self) -> str:
        agents = ", ".join(f"{a.name}:{a.n_types}" for a in self.agents)
        label = f"{self.name!r}, " if self.name else ""
        return (
            f"Environment({label}agents=[{agents}], profiles={self.n_profiles}, "
            f"components={self.n_components}, "
            f"prior={'independent' if self.prior.is_independent else 'correlated'})"
        )


def check_environment(env: object, where: str) -> Environment:
    """``env`` itself if it is an Environment; an error naming ``where`` otherwise."""
    if not isinstance(env, Environment):
        raise InvalidArgumentTypeError(
            f"{where}: env must be an Environment, got {type(env).__name__}"
        )
    return env


def profile_table(env: Environment, values: ArrayLike, width: int, argument: str) -> FloatArray:
    """A per-profile array as (P, width), accepting (P, width) or (K_1, …, K_N, width).

    Raises
    ------
    InvalidMechanismError
        Naming ``argument`` if it is not a rectangular array of numbers (ragged,
        strings, objects), the shape is neither, or an entry is NaN or infinite.
    """
    try:
        raw = np.asarray(values)
    except ValueError:
        raise InvalidMechanismError(
            f"{argument} is ragged: its rows have different lengths"
        ) from None
    if raw.dtype.kind not in "biuf":
        raise InvalidMechanismError(
            f"{argument} must be an array of numbers, got entries of dtype {raw.dtype} "
            "(strings, None or other objects)"
        )
    array = np.array(raw, dtype=float)
    if array.shape == (*env.type_counts, width):
        array = array.reshape(env.n_profiles, width)
    if array.shape != (env.n_profiles, width):
        raise InvalidMechanismError(
            f"{argument} has shape {np.shape(values)}, expected ({env.n_profiles}, {width}) "
            f"or {(*env.type_counts, width)}"
        )
    if not np.all(np.isfinite(array)):
        raise InvalidMechanismError(f"{argument} contains NaN or infinite values")
    return array


def _read_only(array: FloatArray) -> FloatArray:
    array.setflags(write=False)
    return array


def _format_type(row: FloatArray, digits: int = 6) -> str:
    if row.ndim == 0:
        return f"{float(row):.{digits}g}"
    return "(" + ", ".join(f"{float(x):.{digits}g}" for x in row) + ")"


def _distinct_labels(values: FloatArray) -> list[str]:
    """Labels of distinct types: 6 significant digits, more where 6 would repeat a label."""
    for digits in (6, 9, 12, 17):  # 17 digits identify every float
        labels = [_format_type(row, digits) for row in values]
        if len(set(labels)) == len(labels):
            return labels
    return labels


def _index(value: object, count: int, what: str) -> int:
    """A position 0..count − 1 given as a whole number, refused otherwise."""
    try:
        index = int(value)  # type: ignore[call-overload]
        whole = index == value
    except (TypeError, ValueError):
        whole = False
    if not whole or isinstance(value, bool):
        raise IndexOutOfRangeError(
            f"{what}: expected a name or a whole-number index, got {value!r}"
        )
    if not 0 <= index < count:
        raise IndexOutOfRangeError(f"{what}: index {index} out of range 0..{count - 1}")
    return index


def _one_per_agent(entries: object, argument: str, n_agents: int) -> None:
    """Refuse ``entries`` that are not a list (one entry per agent), naming ``argument``."""
    if isinstance(entries, str) or not isinstance(entries, Sequence | np.ndarray):
        raise InvalidEnvironmentError(
            f"Environment: {argument} must be a list with one entry "
            f"per agent ({n_agents}), got {entries!r}"
        )
