"""Exact numbers: how inputs are read as rationals, and a rational type to compute with.

*Reading.* An input given as an ``int`` or a :class:`fractions.Fraction` is taken
as it is. A ``float`` x is read as the **simple fraction it was computed as**: the
fraction with denominator at most 10⁶ closest to x (``Fraction(x).limit_denominator``,
the bound lowered for large |x| so that at most one such fraction is that close) if
it lies within two units in the last place of x, and otherwise as the shortest
decimal that rounds to x (``Fraction(repr(x))``). So ``0.1`` is 1/10, ``0.45`` is
9/20, ``1/3`` and ``2/15`` computed in floats are 1/3 and 2/15, and
``np.linspace(0, 1, 6)``'s ``0.6000000000000001`` is 3/5; ``0.123456789`` is
123456789/10⁹. The float path keeps its floats, which differ from these rationals
by at most two units in the last place; a certificate states the rationals it
proved its result for. Priors are then normalised exactly (divided by their exact
sum). Give Fractions to state any other rational.

:func:`exact_inputs` returns the environment's data in that reading
(:class:`ExactInputs`); :mod:`lpmech.exact.twin` puts them into a twin of the
environment whose arrays hold :class:`Rational` numbers.

:class:`Rational` wraps python-flint's ``fmpq`` (the ``lpmech[exact]`` extra). Measured
on numpy object arrays of 10⁵ entries (a shared machine, two runs): products take
0.19–0.42 s with Rational against 0.80–0.85 s with ``fractions.Fraction``, and
differences 0.23–0.46 s against 0.85–1.09 s; bare ``fmpq`` takes 0.026 s, the rest
is the wrapper's Python-level reading of mixed operands, which keeps float
constants exact and makes rounding an error. Square systems are solved with flint's
own matrices (:mod:`lpmech.exact.linear_systems`). Reading inputs and the exact benchmarks
(:mod:`lpmech.analytic.exact_values`) use ``fractions`` only; certificates need flint, and
say so (:class:`~lpmech.errors.MissingExtraError`) when it is missing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, lru_cache
from numbers import Rational as RationalNumber
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from lpmech.errors import InvalidArgumentError, InvalidArgumentTypeError
from lpmech.extras import require

if TYPE_CHECKING:
    from lpmech.problem.environment import Environment

ObjectArray = NDArray[np.object_]

#: Largest denominator a float is read with before falling back to its decimal.
MAX_DENOMINATOR = 10**6
#: How far, in units in the last place, a float may lie from the fraction it is read as.
ULPS = 2


def flint_module() -> Any:
    """python-flint, or :class:`~lpmech.errors.MissingExtraError` naming ``lpmech[exact]``."""
    return require("flint", "exact", "exact certificates")


# ------------------------------------------------------------------ reading
def exact(value: Any) -> Fraction:
    """The rational an input denotes (see the module docstring for floats).

    Examples
    --------
    >>> exact(0.1), exact(3), exact(1 / 3)
    (Fraction(1, 10), Fraction(3, 1), Fraction(1, 3))
    >>> exact(0.6000000000000001), exact(0.123456789)
    (Fraction(3, 5), Fraction(123456789, 1000000000))
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, Rational):
        return value.fraction
    if isinstance(value, bool | int | np.integer):
        return Fraction(int(value))
    if isinstance(value, float | np.floating):
        return _float_reading(float(value))
    if isinstance(value, RationalNumber):
        return Fraction(int(value.numerator), int(value.denominator))
    if hasattr(value, "p") and hasattr(value, "q"):  # flint.fmpq
        return Fraction(int(value.p), int(value.q))
    raise InvalidArgumentTypeError(
        f"exact: expected an int, Fraction or float, got {type(value).__name__}"
    )


@lru_cache(maxsize=2**16)
def _float_reading(number: float) -> Fraction:
    """The fraction a float is read as (cached: inputs repeat a few values)."""
    if not math.isfinite(number):
        raise InvalidArgumentError(f"exact: {number} has no rational value")
    if number.is_integer():
        return Fraction(int(number))
    # denominators up to `bound` are 1/bound² apart: at most one rounds to the float
    window = ULPS * math.ulp(number)
    bound = (
        MAX_DENOMINATOR
        if 2 * window * MAX_DENOMINATOR**2 < 1
        else math.isqrt(int(1 / (2 * window)))
    )
    simple = Fraction(number).limit_denominator(max(1, bound))
    return simple if abs(simple - Fraction(number)) <= window else Fraction(repr(number))


_to_fraction = np.frompyfunc(exact, 1, 1)


def exact_array(values: ArrayLike) -> ObjectArray:
    """An object array of Fractions: each entry read by :func:`exact`."""
    array = np.asarray(values, dtype=object)
    return np.asarray(_to_fraction(array), dtype=object).reshape(array.shape)


def exact_copy(values: ArrayLike | None) -> ObjectArray | None:
    """Fractions of an input that holds exact numbers a float array would lose, else None.

    Float and small-int inputs survive as floats (their reading is recovered from
    the float arrays), so only inputs with Fractions, or ints beyond 2⁵³, are kept.
    """
    if values is None:
        return None
    try:
        array = np.asarray(values)
    except ValueError:  # ragged: not an array of numbers; the float path reports it
        return None
    if array.dtype == object:
        return exact_array(array)
    if array.dtype.kind in "iu" and array.size and int(np.abs(array).max()) > 2**53:
        return exact_array(array)
    return None


def given_prior(values: ArrayLike | None) -> NDArray[Any] | None:
    """A copy of a prior as typed (the float path renormalises it); read when needed."""
    if values is None:
        return None
    try:
        return np.array(values)
    except ValueError:  # ragged: the float path reports it
        return None


# ------------------------------------------------------------------ numbers
class Rational:
    """An exact rational (python-flint ``fmpq``) that refuses to become a float.

    Arithmetic with ints, Fractions and floats stays exact (a float operand is read
    by :func:`exact`); ``float(r)`` raises, so code that would round an exact number
    fails loudly instead. Comparisons with ±inf are allowed.
    """

    __slots__ = ("value",)
    value: Any  # a flint fmpq

    def __init__(self, value: Any) -> None:
        lifted = _lift(value)
        if lifted is None:
            raise InvalidArgumentError(f"Rational: {value} has no rational value")
        self.value = lifted if type(lifted) is _fmpq() else _fmpq()(lifted)

    @property
    def fraction(self) -> Fraction:
        """The number as a :class:`fractions.Fraction`."""
        return Fraction(int(self.value.p), int(self.value.q))

    # Each operation takes the fast path for another Rational first; ``_lift`` returns
    # None for ±inf, which absorbs any rational (bounds of one-sided rows).
    def __add__(self, other: Any) -> Rational | float:
        if type(other) is Rational:
            return _make(self.value + other.value)
        operand = _lift(other)
        return float(other) if operand is None else _make(self.value + operand)

    __radd__ = __add__

    def __sub__(self, other: Any) -> Rational | float:
        if type(other) is Rational:
            return _make(self.value - other.value)
        operand = _lift(other)
        return -float(other) if operand is None else _make(self.value - operand)

    def __rsub__(self, other: Any) -> Rational | float:
        operand = _lift(other)
        return float(other) if operand is None else _make(operand - self.value)

    def __mul__(self, other: Any) -> Rational | float:
        if type(other) is Rational:
            return _make(self.value * other.value)
        operand = _lift(other)
        if operand is None:
            return float(other) * ((self.value > 0) - (self.value < 0) or math.nan)
        return _make(self.value * operand)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Rational:
        return _make(self.value / _finite(other))

    def __rtruediv__(self, other: Any) -> Rational:
        return _make(_finite(other) / self.value)

    def __neg__(self) -> Rational:
        return _make(-self.value)

    def __pos__(self) -> Rational:
        return self

    def __abs__(self) -> Rational:
        return _make(abs(self.value))

    def _operand(self, other: Any) -> Any:
        """The fmpq or int to compare with, or None for ±inf."""
        kind = type(other)
        if kind is Rational:
            return other.value
        return other if kind is int else _lift(other)

    def _compare(self, other: Any) -> int:
        operand = self._operand(other)
        if operand is None:
            return -1 if other > 0 else 1
        return (self.value > operand) - (self.value < operand)

    def __eq__(self, other: object) -> bool:
        try:
            return self._compare(other) == 0
        except TypeError:
            return NotImplemented

    # the four orderings compare fmpq's directly (one C comparison, the hot path of exact
    # checks), through _compare only against ±inf
    def __lt__(self, other: Any) -> bool:
        operand = self._operand(other)
        return self._compare(other) < 0 if operand is None else self.value < operand

    def __le__(self, other: Any) -> bool:
        operand = self._operand(other)
        return self._compare(other) <= 0 if operand is None else self.value <= operand

    def __gt__(self, other: Any) -> bool:
        operand = self._operand(other)
        return self._compare(other) > 0 if operand is None else self.value > operand

    def __ge__(self, other: Any) -> bool:
        operand = self._operand(other)
        return self._compare(other) >= 0 if operand is None else self.value >= operand

    def __hash__(self) -> int:
        return hash(self.fraction)

    def __bool__(self) -> bool:
        return self.value != 0

    def __float__(self) -> float:
        raise TypeError("an exact Rational does not silently become a float; use to_float")

    def __repr__(self) -> str:
        return str(self.value)


_new = object.__new__
_FMPQ: list[type] = []


def _make(value: Any) -> Rational:
    number = _new(Rational)
    number.value = value
    return number


def _fmpq() -> type:
    if not _FMPQ:
        _FMPQ.append(flint_module().fmpq)
    return _FMPQ[0]


def _lift(value: Any) -> Any:
    """An operand for fmpq arithmetic (an fmpq or an int), or None for ±inf.

    A float is read by :func:`exact`; integral floats (0.0, 1.0, −1.0) take a short cut.
    """
    kind = type(value)
    if kind is Rational:
        return value.value
    if kind is int:
        return value
    if kind is float or kind is np.float64:
        if value.is_integer():
            return int(value)
        if math.isinf(value):
            return None
    elif isinstance(value, np.integer | bool):
        return int(value)
    elif kind is _fmpq():
        return value
    else:
        number = exact(value)
        return _fmpq()(number.numerator, number.denominator)
    return _read_float(float(value))


@lru_cache(maxsize=2**16)
def _read_float(value: float) -> Any:
    """A finite non-integral float read by :func:`exact`, as an fmpq (the reading is a
    function of the float, so it is cached: rows repeat the same few weights)."""
    number = exact(value)
    return _fmpq()(number.numerator, number.denominator)


def rational_from(numerator: int, denominator: int) -> Rational:
    """The Rational numerator / denominator (ints, denominator > 0)."""
    return _make(_fmpq()(numerator, denominator))


def _finite(value: Any) -> Any:
    operand = _lift(value)
    if operand is None:
        raise ZeroDivisionError("division by an infinite bound")
    return operand


def _as_rational(value: Any) -> Rational:
    kind = type(value)
    if kind is Rational:
        return value
    if kind is int:
        return _make(_fmpq()(value))
    return Rational(value)


_to_rational = np.frompyfunc(_as_rational, 1, 1)


def _float_of(value: Any) -> float:
    """The nearest float of a Rational or other real number."""
    return int(value.value.p) / int(value.value.q) if type(value) is Rational else float(value)


_rational_to_float = np.frompyfunc(_float_of, 1, 1)


def rational_array(values: ArrayLike) -> ObjectArray:
    """An object array of :class:`Rational`, entries read by :func:`exact`."""
    array = np.asarray(values, dtype=object)
    return np.asarray(_to_rational(array), dtype=object).reshape(array.shape)


def to_float(values: ArrayLike | Sequence[Any]) -> NDArray[np.float64]:
    """Nearest floats of exact numbers (Rationals, Fractions, ints or floats); each distinct
    object converted once where entries share a few (bounds)."""
    array = np.asarray(values, dtype=object)
    flat = array.ravel().tolist()
    if len({id(x) for x in flat}) * 4 > len(flat):
        return np.asarray(_rational_to_float(array), dtype=float).reshape(array.shape)
    read: dict[int, float] = {}
    floats = [read[id(x)] if id(x) in read else read.setdefault(id(x), _float_of(x)) for x in flat]
    return np.array(floats, dtype=float).reshape(array.shape)


def to_fractions(values: ArrayLike) -> ObjectArray:
    """An object array of :class:`fractions.Fraction` from exact numbers (each distinct
    object read once: exact arrays often share one number among many entries)."""
    array = np.asarray(values, dtype=object)
    read: dict[int, Fraction] = {}
    fractions = np.empty(array.size, dtype=object)
    fractions[:] = [
        read[id(x)] if id(x) in read else read.setdefault(id(x), exact(x))
        for x in array.ravel().tolist()
    ]
    return fractions.reshape(array.shape)


# ------------------------------------------------------------------ the inputs
@dataclass(frozen=True)
class ExactInputs:
    """An environment's data as rationals: what a certificate proves its result for.

    Attributes
    ----------
    types : tuple of object arrays
        Each agent's types, (K_i,) or (K_i, d).
    prior : object array, shape (K_1, …, K_N)
        The joint prior, exactly normalised.
    valuations : tuple of object arrays
        V_i per agent, (K_i, C) or (K_1, …, K_N, C).
    principal_value : object array, shape (C,)
    outside_options : tuple of object arrays, (K_i,) each
    names : tuple of str
        The agents' names.
    """

    types: tuple[ObjectArray, ...]
    prior: ObjectArray
    valuations: tuple[ObjectArray, ...]
    principal_value: ObjectArray
    outside_options: tuple[ObjectArray, ...]
    names: tuple[str, ...]

    @cached_property
    def marginals(self) -> tuple[ObjectArray, ...]:
        """Each agent's marginal prior, in Fractions."""
        axes = range(self.prior.ndim)
        return tuple(
            self.prior.sum(axis=tuple(a for a in axes if a != i))
            if self.prior.ndim > 1
            else self.prior
            for i in axes
        )

    def __str__(self) -> str:
        lines = []
        for name, types, marginal, values, option in zip(
            self.names,
            self.types,
            self.marginals,
            self.valuations,
            self.outside_options,
            strict=True,
        ):
            lines.append(
                f"{name}: types {_show(types)}, marginal prior {_show(marginal)}, "
                f"values {_show(values)}, outside option {_show(option)}"
            )
        if len(self.names) > 1:
            lines.append(f"joint prior {_show(self.prior)}")
        lines.append(f"principal's value {_show(self.principal_value)}")
        return "\n".join(lines)


def _show(array: ObjectArray, limit: int = 12) -> str:
    flat = [str(x) for x in np.ravel(array)[:limit]]
    more = ", …" if np.size(array) > limit else ""
    shape = "" if np.ndim(array) <= 1 else f" (shape {np.shape(array)})"
    return "[" + ", ".join(flat) + more + "]" + shape


def exact_inputs(env: Environment) -> ExactInputs:
    """The environment's data read as rationals (see the module docstring)."""
    given: dict[str, Any] = env.exact_given
    types = tuple(
        agent.exact_types if agent.exact_types is not None else exact_array(agent.types)
        for agent in env.agents
    )
    if given["prior"] is not None:
        prior = _normalised(exact_array(given["prior"]))
    else:
        prior = np.array(Fraction(1), dtype=object)
        for agent in env.agents:
            marginal: Any = agent.prior if agent.exact_prior is None else agent.exact_prior
            prior = np.multiply.outer(prior, _normalised(exact_array(marginal)))
        prior = np.asarray(prior, dtype=object)
    valuations = tuple(
        exact if exact is not None else exact_array(floats)
        for exact, floats in zip(given["valuations"], env.valuations, strict=True)
    )
    principal = given["principal_value"]
    principal = (
        exact_array(env.principal_value)
        if principal is None
        else np.broadcast_to(principal, (env.n_components,)).copy()
    )
    options = []
    for i, agent in enumerate(env.agents):
        option = given["outside_options"][i] if given["outside_options"] else None
        options.append(
            exact_array(env.outside_options[i])
            if option is None
            else np.broadcast_to(option, (agent.n_types,)).copy()
        )
    return ExactInputs(
        types,
        prior,
        valuations,
        principal,
        tuple(options),
        tuple(agent.name for agent in env.agents),
    )


def _normalised(table: ObjectArray) -> ObjectArray:
    total = sum(np.ravel(table), Fraction(0))
    return np.asarray(table / total, dtype=object)
