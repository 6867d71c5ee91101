"""What the designer optimises.

Every objective is written twice, like a constraint family:
:meth:`Objective.coefficients` (and :meth:`Objective.cvxpy_terms`) give it to the
compiler, and :meth:`Objective.value` evaluates it on any mechanism from the
mechanism's own expectations, so the optimum can be compared with analytic
benchmarks on equal terms. All but the last three below are linear in the
decision vector z = [vec a; vec t]; those three are cvxpy terms, solved by a
conic solver (:mod:`lpmech.backends.solver_choice`).

=====================  =======================================================
``revenue``            E[Σ_i t_i(θ)]
``profit``             E[Σ_i t_i(θ) + v_0·a(θ)], the principal's expected utility
``welfare``            E[Σ_i v_i(a(θ), θ) + v_0·a(θ)], social surplus
``agents_welfare``     E[Σ_i v_i(a(θ), θ)], surplus of the agents only
``gains_from_trade``   E[Σ_i V_i(θ)·(a(θ) − a_0)], agents' surplus over a status quo
``deficit``            E[−(Σ_i t_i(θ) + v_0·a(θ))], minimised
``nash_welfare``       Σ_i E[log U_i(θ_i)], interim utilities (concave)
``ex_ante_nash_...``   Σ_i log E[u_i], expected utilities (concave)
``revenue_variance``   Var[Σ_i t_i(θ)], minimised (convex quadratic)
=====================  =======================================================

Objectives combine linearly (``0.7 * Revenue() + 0.3 * Welfare()``); a minimised
objective enters a combination with its sign flipped, so the combination is
always maximised. :class:`CustomObjective` takes any cvxpy expression.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import cvxpy as cp
import numpy as np
from numpy.typing import ArrayLike

from lpmech.arrays import FloatArray, float_array
from lpmech.constraints.base import function_name
from lpmech.constraints.custom import DesignVariables
from lpmech.errors import InvalidArgumentError, InvalidArgumentTypeError, UnknownObjectiveError
from lpmech.names import look_up, spec_parts
from lpmech.problem.scales import data_scale
from lpmech.stable_sums import matrix_vector, weighted_sum

if TYPE_CHECKING:
    from lpmech.problem.environment import Environment
    from lpmech.results.mechanism import Mechanism


class Objective(ABC):
    """An objective over mechanisms: linear, plus cvxpy terms where it is not.

    Subclasses set :attr:`name` and :attr:`sense` and implement
    :meth:`coefficients` (value = c·z + :meth:`constant` + the
    :meth:`cvxpy_terms`, if any) and :meth:`value`.
    """

    name: str = "objective"
    #: ``"maximize"`` or ``"minimize"``.
    sense: str = "maximize"
    #: Whether only the cvxpy backend can take the objective.
    requires_cvxpy: bool = False
    #: ``"value"``: homogeneous of degree one in the problem's values and payments, so a
    #: normalised solve is exact; ``"user"``: the user's units (:func:`lpmech.solve` then
    #: solves without normalising). See :mod:`lpmech.solving.scaling`.
    units: str = "user"

    @abstractmethod
    def coefficients(self, env: Environment) -> FloatArray:
        """c such that the objective is c·z + constant, length ``env.layout.n_columns``."""

    def constant(self, env: Environment) -> float:
        """The objective's constant term."""
        return 0.0

    @abstractmethod
    def value(self, mechanism: Mechanism) -> float:
        """The objective's value for a mechanism, from the mechanism's expectations."""

    def cvxpy_terms(self, variables: DesignVariables) -> list[cp.Expression]:
        """Non-coefficient terms (maximised), for objectives given as cvxpy expressions."""
        return []

    def compiled_form(self, env: Environment) -> Objective:
        """The objective to compile for ``env``: itself, or an equivalent linear one.

        :func:`lpmech.solve` compiles the returned objective and evaluates this one.
        """
        return self

    def spec(self) -> dict[str, Any]:
        """The objective as plain data, ``{"objective": key, **parameters}`` (JSON-able).

        :func:`from_spec` rebuilds it; an objective with parameters adds them under
        its constructor's argument names.
        """
        return {"objective": self.name}

    @property
    def sign(self) -> float:
        """+1 for a maximised objective, −1 for a minimised one."""
        return 1.0 if self.sense == "maximize" else -1.0

    def __add__(self, other: Objective) -> Combination:
        if not isinstance(other, Objective):
            raise InvalidArgumentError(
                f"objective: {self.name} + … adds objectives only, got {type(other).__name__}"
            )
        return Combination([(1.0, self), (1.0, other)])

    def __mul__(self, weight: float) -> Combination:
        return Combination([(_weight(weight, f"the weight of {self.name!r}"), self)])

    __rmul__ = __mul__

    def __neg__(self) -> Combination:
        return Combination([(-1.0, self)])

    def __sub__(self, other: Objective) -> Combination:
        if not isinstance(other, Objective):
            raise InvalidArgumentError(
                f"objective: {self.name} − … subtracts objectives only, got {type(other).__name__}"
            )
        return Combination([(1.0, self), (-1.0, other)])

    def __truediv__(self, divisor: float) -> Combination:
        """f / w = (1/w)·f; w must be a finite non-zero real."""
        weight = _weight(divisor, f"the divisor of {self.name!r}")
        if weight == 0:
            raise InvalidArgumentError(
                f"objective weights: the divisor of {self.name!r} is 0; divide by a non-zero "
                "number"
            )
        return Combination([(1.0 / weight, self)])

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _payment_coefficients(env: Environment, weights: FloatArray) -> FloatArray:
    """Coefficients Σ_i w(θ) t_i(θ) on the payment columns."""
    c = np.zeros(env.layout.n_columns, dtype=np.asarray(weights).dtype)  # exact stays exact
    c[env.layout.n_allocation_columns :] = np.repeat(weights, env.n_agents)
    return c


def _allocation_coefficients(env: Environment, per_unit: FloatArray) -> FloatArray:
    """Coefficients Σ_c w(θ)_c a_c(θ) on the allocation columns, per_unit shape (P, C)."""
    c = np.zeros(env.layout.n_columns, dtype=np.asarray(per_unit).dtype)
    c[: env.layout.n_allocation_columns] = per_unit.ravel()
    return c


class Revenue(Objective):
    """Expected revenue E[Σ_i t_i(θ)]."""

    name = "revenue"
    units = "value"

    def coefficients(self, env: Environment) -> FloatArray:
        return _payment_coefficients(env, env.prior.joint)

    def value(self, mechanism: Mechanism) -> float:
        return mechanism.expected_revenue()


class Profit(Objective):
    """The principal's expected utility E[Σ_i t_i(θ) + v_0·a(θ)]."""

    name = "profit"
    units = "value"

    def coefficients(self, env: Environment) -> FloatArray:
        joint = env.prior.joint
        return _payment_coefficients(env, joint) + _allocation_coefficients(
            env, np.outer(joint, env.principal_value)
        )

    def value(self, mechanism: Mechanism) -> float:
        return mechanism.expected_budget_surplus()


class ExpectedDeficit(Objective):
    """Expected deficit E[−(Σ_i t_i(θ) + v_0·a(θ))], minimised."""

    name = "deficit"
    units = "value"
    sense = "minimize"

    def coefficients(self, env: Environment) -> FloatArray:
        return -Profit().coefficients(env)

    def value(self, mechanism: Mechanism) -> float:
        return -mechanism.expected_budget_surplus()


class Welfare(Objective):
    """Expected social welfare E[Σ_i v_i(a(θ), θ)] (+ E[v_0·a(θ)] with the principal).

    Payments cancel between agents and principal, so they do not enter.
    """

    units = "value"

    def __init__(self, include_principal: bool = True) -> None:
        if not isinstance(include_principal, bool | np.bool_):
            raise InvalidArgumentError(
                f"Welfare: include_principal must be True or False, got {include_principal!r}"
            )
        self.include_principal = bool(include_principal)
        self.name = "welfare" if include_principal else "agents_welfare"

    def coefficients(self, env: Environment) -> FloatArray:
        weights = env.surplus_weights(self.include_principal)
        return _allocation_coefficients(env, env.prior.joint[:, None] * weights)

    def value(self, mechanism: Mechanism) -> float:
        return mechanism.expected_welfare(self.include_principal)

    def spec(self) -> dict[str, Any]:
        return {"objective": "welfare", "include_principal": self.include_principal}

    def __repr__(self) -> str:
        return f"Welfare(include_principal={self.include_principal})"


class GainsFromTrade(Objective):
    """Expected gains from trade E[Σ_i V_i(θ)·(a(θ) − a_0)] over a status quo a_0.

    Parameters
    ----------
    status_quo : array_like, shape (C,), optional
        The allocation without trade; by default nothing is allocated (a_0 = 0),
        which is the status quo of :func:`lpmech.problem.builders.bilateral_trade`.
    """

    name = "gains_from_trade"
    units = "value"

    def __init__(self, status_quo: ArrayLike | None = None) -> None:
        self.status_quo = (
            None if status_quo is None else float_array(status_quo, "GainsFromTrade: status_quo")
        )

    def _status_quo(self, env: Environment) -> FloatArray:
        if self.status_quo is None:
            return np.zeros(env.n_components)
        if self.status_quo.shape != (env.n_components,):
            raise InvalidArgumentError(
                f"GainsFromTrade: status_quo has shape {self.status_quo.shape}, "
                f"expected ({env.n_components},)"
            )
        return self.status_quo

    def coefficients(self, env: Environment) -> FloatArray:
        return Welfare(include_principal=False).coefficients(env)

    def constant(self, env: Environment) -> float:
        weights = env.surplus_weights(include_principal=False)
        value = -weighted_sum(env.prior.joint, matrix_vector(weights, self._status_quo(env)))
        return float(value) if isinstance(value, np.floating) else value  # exact stays exact

    def value(self, mechanism: Mechanism) -> float:
        return mechanism.expected_welfare(include_principal=False) + self.constant(mechanism.env)

    def spec(self) -> dict[str, Any]:
        status_quo = None if self.status_quo is None else self.status_quo.tolist()
        return {"objective": self.name, "status_quo": status_quo}


class CustomObjective(Objective):
    """Any cvxpy expression of the design variables.

    Parameters
    ----------
    expression : callable
        ``expression(variables: DesignVariables) -> cvxpy.Expression`` (scalar).
    sense : {"maximize", "minimize"}
    name : str

    Examples
    --------
    Expected payment of agent 0 alone:

    >>> pay_first = CustomObjective(
    ...     lambda v: v.env.prior.joint @ v.payments[:, 0], name="payment of agent 0")
    """

    requires_cvxpy = True

    def __init__(
        self,
        expression: Callable[[DesignVariables], cp.Expression],
        sense: str = "maximize",
        name: str = "custom",
    ) -> None:
        if sense not in ("maximize", "minimize"):
            raise InvalidArgumentError(
                f"CustomObjective: sense must be 'maximize' or 'minimize', got {sense!r}"
            )
        if not callable(expression):
            raise InvalidArgumentError(
                "CustomObjective: expression must be a function of the design variables, "
                f"got {type(expression).__name__}"
            )
        self._expression = expression
        self.sense = sense
        self.name = name

    def coefficients(self, env: Environment) -> FloatArray:
        return np.zeros(env.layout.n_columns)

    def cvxpy_terms(self, variables: DesignVariables) -> list[cp.Expression]:
        term = self._expression(variables)
        if not isinstance(term, cp.Expression) or not term.is_scalar():
            shape = getattr(term, "shape", type(term).__name__)
            raise InvalidArgumentError(
                f"CustomObjective {self.name!r}: expression must return a scalar cvxpy "
                f"expression, got {shape}"
            )
        # cvxpy's operators are untyped (decorated): mypy reads float * Expression as float.
        return [self.sign * term]  # type: ignore[list-item]

    def value(self, mechanism: Mechanism) -> float:
        expression = self._expression(DesignVariables.at_mechanism(mechanism))
        return self._evaluated(expression, "at the mechanism")

    def compiled_form(self, env: Environment) -> Objective:
        """A :class:`LinearObjective` when the expression is affine, else itself.

        An affine expression c·z + c_0 is read off once — c_0 at z = 0, c as its
        (constant) gradient — so the program needs no cvxpy, and every backend and
        formulation (symmetry included) can take it.
        """
        layout = env.layout
        allocation = cp.Variable(layout.n_allocation_columns)
        payments = cp.Variable(layout.n_payment_columns)
        expression = self._expression(DesignVariables.from_vectors(env, allocation, payments))
        if (
            not isinstance(expression, cp.Expression)
            or not expression.is_affine()
            or expression.size != 1
        ):
            return self
        allocation.value = np.zeros(allocation.size)
        payments.value = np.zeros(payments.size)
        gradient = expression.grad
        columns = [gradient.get(v) for v in (allocation, payments)]
        coefficients = np.concatenate(
            [
                np.zeros(v.size) if g is None else np.asarray(g.todense(), dtype=float).ravel()
                for v, g in zip((allocation, payments), columns, strict=True)
            ]
        )
        constant = self._evaluated(expression, "at zero design variables")
        return LinearObjective(coefficients, constant, self.sense, self.name)

    def _evaluated(self, expression: cp.Expression, where: str) -> float:
        """The value of the expression, once its design variables have values."""
        value = expression.value
        if value is None:
            raise InvalidArgumentError(
                f"CustomObjective {self.name!r}: the expression has no value {where}; "
                "it depends on variables other than the design variables"
            )
        return float(value)

    def spec(self) -> dict[str, Any]:
        """Name, sense and function recorded; plain data cannot rebuild a function."""
        return {
            "objective": "custom",
            "name": self.name,
            "sense": self.sense,
            "function": function_name(self._expression),
        }


class LinearObjective(Objective):
    """c·z + c_0 with c given for one environment's decision vector.

    What an affine :class:`CustomObjective` compiles to; also a way to optimise any
    linear function of the design variables without cvxpy.
    """

    def __init__(
        self,
        coefficients: ArrayLike,
        constant: float = 0.0,
        sense: str = "maximize",
        name: str = "linear",
    ) -> None:
        if sense not in ("maximize", "minimize"):
            raise InvalidArgumentError(
                f"LinearObjective: sense must be 'maximize' or 'minimize', got {sense!r}"
            )
        self._coefficients = np.asarray(coefficients, dtype=float)
        self._constant = float(constant)
        bad = np.flatnonzero(~np.isfinite(self._coefficients.ravel()))
        if len(bad) or not np.isfinite(self._constant):
            where = (
                f"coefficient {int(bad[0])} is {self._coefficients.ravel()[bad[0]]!r}"
                if len(bad)
                else f"constant is {self._constant!r}"
            )
            raise InvalidArgumentError(
                f"LinearObjective {name!r}: {where}; coefficients and constant must be finite"
            )
        self.sense = sense
        self.name = name

    def coefficients(self, env: Environment) -> FloatArray:
        if self._coefficients.shape != (env.layout.n_columns,):
            raise InvalidArgumentError(
                f"LinearObjective {self.name!r}: {self._coefficients.size} "
                f"coefficients for {env.layout.n_columns} columns"
            )
        return self._coefficients

    def constant(self, env: Environment) -> float:
        return self._constant

    def value(self, mechanism: Mechanism) -> float:
        z = np.concatenate([mechanism.flat_allocation.ravel(), mechanism.flat_payments.ravel()])
        return float(weighted_sum(self.coefficients(mechanism.env), z) + self._constant)

    def spec(self) -> dict[str, Any]:
        return {
            "objective": "linear",
            "coefficients": self._coefficients.tolist(),
            "constant": self._constant,
            "sense": self.sense,
            "name": self.name,
        }


class ZeroObjective(Objective):
    """The zero objective: solving with it tests feasibility."""

    name = "feasibility test"

    def coefficients(self, env: Environment) -> FloatArray:
        return np.zeros(env.layout.n_columns)

    def value(self, mechanism: Mechanism) -> float:
        return 0.0


class NashWelfare(Objective):
    """Nash social welfare of the agents' utilities under truth-telling (concave, not linear).

    ``level="interim"`` (default): Σ_i Σ_k π_i(k) log U_i(k), the expected log of
    each agent's interim utility U_i(k) = E[u_i(θ) | θ_i = k] — every type of
    every agent must expect a positive gain. ``level="ex_ante"``: Σ_i log E[u_i],
    the log of each agent's expected utility. Solved by a conic solver
    (:mod:`lpmech.backends.solver_choice`); :meth:`value` evaluates the same formula on a
    mechanism's own interim utilities.
    """

    requires_cvxpy = True
    LEVELS = ("interim", "ex_ante")

    def __init__(self, level: str = "interim") -> None:
        if level not in self.LEVELS:
            raise InvalidArgumentError(
                f"NashWelfare: level must be one of {self.LEVELS}, got {level!r}"
            )
        self.level = level
        self.name = "nash_welfare" if level == "interim" else "ex_ante_nash_welfare"

    def coefficients(self, env: Environment) -> FloatArray:
        return np.zeros(env.layout.n_columns)

    def cvxpy_terms(self, variables: DesignVariables) -> list[cp.Expression]:
        # log U = log(U / s) + log s with s the data's scale: the cone sees numbers near 1
        # (utilities in millions otherwise stop Clarabel 2% short of the optimum)
        env = variables.env
        scale = data_scale(env)
        utilities = [variables.interim_utility(i) / scale for i in range(env.n_agents)]
        if self.level == "interim":
            logs = [
                p @ cp.log(u)  # type: ignore[attr-defined]  # cvxpy re-exports atoms implicitly
                for p, u in zip(env.prior.marginals, utilities, strict=True)
            ]
        else:
            logs = [
                cp.log(p @ u)  # type: ignore[attr-defined]  # cvxpy re-exports atoms implicitly
                for p, u in zip(env.prior.marginals, utilities, strict=True)
            ]
        return [*logs, cp.Constant(env.n_agents * np.log(scale))]

    def value(self, mechanism: Mechanism) -> float:
        marginals = mechanism.env.prior.marginals
        utilities = [mechanism.interim_utility(i) for i in range(mechanism.env.n_agents)]
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.level == "interim":
                return float(
                    sum(
                        weighted_sum(p, np.log(u))
                        for p, u in zip(marginals, utilities, strict=True)
                    )
                )
            return float(
                sum(np.log(weighted_sum(p, u)) for p, u in zip(marginals, utilities, strict=True))
            )

    def spec(self) -> dict[str, Any]:
        return {"objective": "nash_welfare", "level": self.level}

    def __repr__(self) -> str:
        return f"NashWelfare(level={self.level!r})"


class RevenueVariance(Objective):
    """Variance of the principal's revenue, Var[Σ_i t_i(θ)] = E[(R(θ) − E R)²], minimised.

    Convex quadratic in the payments: a tie-break among revenue-optimal
    mechanisms for the one whose revenue risk is least. The program uses the
    variational form Var[R] = min_μ E[(R − μ)²] with one extra variable μ, whose
    Hessian is diagonal; written with E R inside, it is dense (P × P) and takes
    about ten times longer to solve (2 × 20 auction: 2.1 s against 0.2 s).
    """

    name = "revenue_variance"
    sense = "minimize"
    requires_cvxpy = True

    def coefficients(self, env: Environment) -> FloatArray:
        return np.zeros(env.layout.n_columns)

    def cvxpy_terms(self, variables: DesignVariables) -> list[cp.Expression]:
        joint = variables.env.prior.joint
        revenue = cp.sum(variables.payments, axis=1)  # type: ignore[attr-defined]  # as cp.log
        mean = cp.Variable(name="mean_revenue")
        if revenue.value is not None:  # at a mechanism, the minimising μ is E R
            mean.value = joint @ revenue.value
        return [-(joint @ cp.square(revenue - mean))]  # type: ignore[attr-defined]  # as cp.log

    def value(self, mechanism: Mechanism) -> float:
        joint = mechanism.env.prior.joint
        revenue = mechanism.flat_payments.sum(axis=1)
        return float(weighted_sum(joint, (revenue - weighted_sum(joint, revenue)) ** 2))


class Combination(Objective):
    """A weighted sum Σ_k w_k s_k f_k of objectives f_k with signs s_k (+1 max, −1 min).

    Always maximised: a minimised objective (such as the deficit) counts negatively.
    """

    def __init__(self, terms: Sequence[tuple[float, Objective]]) -> None:
        flat: list[tuple[float, Objective]] = []
        for index, (given, objective) in enumerate(terms):
            if not isinstance(objective, Objective):
                raise InvalidArgumentTypeError(
                    f"objective weights: term {index} is {type(objective).__name__} "
                    f"{objective!r}, not an Objective"
                )
            weight = _weight(given, f"the weight of {objective.name!r} (term {index})")
            if isinstance(objective, Combination):
                flat.extend((weight * w, o) for w, o in objective.terms)
            else:
                flat.append((weight, objective))
        self.terms: tuple[tuple[float, Objective], ...] = tuple(flat)
        self.requires_cvxpy = any(o.requires_cvxpy for _, o in self.terms)
        self.units = "value" if all(o.units == "value" for _, o in self.terms) else "user"
        self.name = " + ".join(f"{w:g}·{o.name}" for w, o in self.terms)

    def coefficients(self, env: Environment) -> FloatArray:
        return sum(
            (w * o.sign * o.coefficients(env) for w, o in self.terms),
            np.zeros(env.layout.n_columns),
        )

    def constant(self, env: Environment) -> float:
        return sum(w * o.sign * o.constant(env) for w, o in self.terms)

    def value(self, mechanism: Mechanism) -> float:
        return sum(w * o.sign * o.value(mechanism) for w, o in self.terms)

    def cvxpy_terms(self, variables: DesignVariables) -> list[cp.Expression]:
        # cvxpy's operators are untyped (decorated): mypy reads float * Expression as float.
        return [w * term for w, o in self.terms for term in o.cvxpy_terms(variables)]  # type: ignore[misc]

    def spec(self) -> dict[str, Any]:
        return {"objective": "combination", "terms": [[w, o.spec()] for w, o in self.terms]}

    def __repr__(self) -> str:
        return f"Combination({list(self.terms)!r})"


def _weight(value: Any, what: str) -> float:
    """A weight of a combined objective as a finite float (a NaN or infinite weight would
    make every objective value NaN or infinite, and the solve meaningless)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise InvalidArgumentTypeError(
                f"objective weights: {what} must be a real number, got "
                f"{type(value).__name__} {value!r}"
            ) from None
    try:
        weight = float(value)
    except OverflowError:  # an int beyond any float
        weight = math.inf
    if not np.isfinite(weight):
        raise InvalidArgumentError(
            f"objective weights: {what} is {weight!r}; a weight must be finite"
        )
    return weight


#: Objectives by name; each entry makes a fresh instance.
OBJECTIVES: dict[str, Callable[[], Objective]] = {
    "revenue": Revenue,
    "profit": Profit,
    "welfare": Welfare,
    "social_welfare": Welfare,
    "agents_welfare": lambda: Welfare(include_principal=False),
    "gains_from_trade": GainsFromTrade,
    "deficit": ExpectedDeficit,
    "expected_deficit": ExpectedDeficit,
    "nash_welfare": NashWelfare,
    "ex_ante_nash_welfare": lambda: NashWelfare("ex_ante"),
    "revenue_variance": RevenueVariance,
}


def resolve_objective(objective: str | Objective) -> Objective:
    """An objective given by name or as an instance.

    Raises
    ------
    UnknownObjectiveError
        For an unknown name, listing the known ones and the closest match.
    """
    if isinstance(objective, Objective):
        return objective
    if isinstance(objective, str):
        return look_up(objective, OBJECTIVES, {}, "objective", UnknownObjectiveError)
    raise UnknownObjectiveError(
        f"objective: expected a name or an Objective, got {type(objective).__name__}"
    )


#: Constructors by the ``"objective"`` key of a spec (see :meth:`Objective.spec`).
SPEC_CONSTRUCTORS: dict[str, Callable[..., Objective]] = {
    "revenue": Revenue,
    "profit": Profit,
    "deficit": ExpectedDeficit,
    "welfare": Welfare,
    "gains_from_trade": GainsFromTrade,
    "linear": LinearObjective,
    "nash_welfare": NashWelfare,
    "revenue_variance": RevenueVariance,
}


def from_spec(
    spec: Mapping[str, Any], objectives: Mapping[str, Callable[..., Objective]] | None = None
) -> Objective:
    """The objective an :meth:`Objective.spec` describes.

    ``objectives`` adds constructors of your own objectives by key. A spec that
    records a function (a :class:`CustomObjective`) cannot be rebuilt from plain
    data and raises :class:`~lpmech.errors.UnknownObjectiveError`.

    Examples
    --------
    >>> from_spec((0.7 * Revenue() + 0.3 * Welfare()).spec()).name
    '0.7·revenue + 0.3·welfare'
    """
    key, parameters = spec_parts(spec, "objective", UnknownObjectiveError)
    if key == "combination":
        return Combination(
            [(float(w), from_spec(term, objectives)) for w, term in parameters["terms"]]
        )
    constructors = {**SPEC_CONSTRUCTORS, **(objectives or {})}
    if key not in constructors:
        raise UnknownObjectiveError(
            f"from_spec: unknown objective {key!r}; known are "
            f"{sorted([*constructors, 'combination'])}"
        )
    return constructors[key](**parameters)
