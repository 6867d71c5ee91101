"""Single crossing and (strictly) increasing differences of a valuation family.

Given values f(x, θ) on ordered outcomes x_1 < … < x_M and ordered types
θ_1 < … < θ_K (seed notes §1.2.1):

* **increasing differences** (Def. 1.3): for x'' > x' and θ'' > θ',
  f(x'', θ'') − f(x', θ'') ≥ f(x'', θ') − f(x', θ');
* **strictly increasing differences** (SID, Def. 1.4): the same with >;
* **single crossing** (Def. 1.2): f(x'', θ') − f(x', θ') ≥ 0 ⇒ the same at θ'',
  and > 0 ⇒ > 0.

ID implies single crossing (Rem. 1.1). Because the cross difference over a
rectangle is the sum of the cross differences of the adjacent cells inside it,
(strict) ID holds on all pairs iff it holds on adjacent pairs; single crossing
has no such shortcut and is checked on all pairs.

With SID, every IC allocation is monotone (Lem. 1.2) and monotone + envelope
payments characterise IC (Thm. 1.4). A single-parameter valuation
v(a, θ) = θ·q(a) + h(a) has SID in (q, θ): its cross difference is
(θ'' − θ')(q'' − q') > 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from lpmech.arrays import FloatArray, float_array
from lpmech.errors import InvalidArgumentError, InvalidEnvironmentError
from lpmech.problem.allocation import Outcomes
from lpmech.problem.environment import Environment, check_environment


@dataclass(frozen=True)
class DifferencesReport:
    """Whether a property holds, and where it fails.

    Attributes
    ----------
    property : str
        "increasing differences", "strictly increasing differences" or
        "single crossing".
    holds : bool
    witness : tuple or None
        (θ' index, θ'' index, x' index, x'' index) of a failing rectangle, in the
        table's own row and column numbering.
    detail : str
        A sentence saying where it fails ("" when it holds).
    """

    property: str
    holds: bool
    witness: tuple[int, int, int, int] | None
    detail: str

    def __str__(self) -> str:
        return f"{self.property}: holds" if self.holds else f"{self.property} fails: {self.detail}"


def increasing_differences(values: ArrayLike, strict: bool = False) -> DifferencesReport:
    """Check (strictly) increasing differences of f(x_m, θ_k) = ``values[k, m]``.

    Rows are types and columns outcomes, each in increasing order.

    Examples
    --------
    >>> increasing_differences([[0, 1, 2], [0, 2, 4]], strict=True).holds
    True
    >>> print(increasing_differences([[0, 2], [0, 1]]))
    increasing differences fails: f(x_1) − f(x_0) is 1 at θ_1 but 2 at θ_0
    """
    table = _table(values)
    name = "strictly increasing differences" if strict else "increasing differences"
    if table.shape[0] < 2 or table.shape[1] < 2:
        return DifferencesReport(name, True, None, "")
    cross = table[1:, 1:] - table[1:, :-1] - table[:-1, 1:] + table[:-1, :-1]
    failing = cross <= 0 if strict else cross < 0
    if not failing.any():
        return DifferencesReport(name, True, None, "")
    k, m = np.unravel_index(np.argmin(cross), cross.shape)
    low, high = table[k, m + 1] - table[k, m], table[k + 1, m + 1] - table[k + 1, m]
    detail = f"f(x_{m + 1}) − f(x_{m}) is {high:g} at θ_{k + 1} but {low:g} at θ_{k}"
    return DifferencesReport(name, False, (int(k), int(k + 1), int(m), int(m + 1)), detail)


def single_crossing(values: ArrayLike) -> DifferencesReport:
    """Check the single-crossing property of f(x_m, θ_k) = ``values[k, m]`` on all pairs.

    Examples
    --------
    >>> single_crossing([[0, 1], [0, 5]]).holds
    True
    >>> single_crossing([[0, 1], [0, -1]]).witness
    (0, 1, 0, 1)
    """
    table = _table(values)
    name = "single crossing"
    # gain[k, m', m''] = f(x_m'', θ_k) − f(x_m', θ_k), used only for m'' > m'
    gain = table[:, None, :] - table[:, :, None]
    upper = np.triu(np.ones(gain.shape[1:], dtype=bool), k=1)
    low, high = gain[:, None], gain[None, :]  # (θ', θ'', m', m'')
    later = np.triu(np.ones((table.shape[0],) * 2, dtype=bool), k=1)[:, :, None, None]
    failing = later & upper & (((low >= 0) & (high < 0)) | ((low > 0) & (high <= 0)))
    if not failing.any():
        return DifferencesReport(name, True, None, "")
    k1, k2, m1, m2 = (int(x) for x in np.argwhere(failing)[0])
    detail = (
        f"f(x_{m2}) − f(x_{m1}) is {gain[k1, m1, m2]:g} at θ_{k1} but "
        f"{gain[k2, m1, m2]:g} at the higher type θ_{k2}"
    )
    return DifferencesReport(name, False, (k1, k2, m1, m2), detail)


def outcome_values(
    env: Environment,
    agent: int | str,
    outcomes: ArrayLike | None = None,
    type_order: Sequence[int] | None = None,
) -> FloatArray:
    """Agent i's value of each outcome for each type, as a table for the checks above.

    Parameters
    ----------
    env : Environment
        With private values for ``agent``.
    agent : int or str
    outcomes : array_like, shape (M, C), optional
        Allocation vectors in increasing order. Defaults to the outcomes of an
        :class:`~lpmech.problem.allocation.Outcomes` space in listed order.
    type_order : sequence of int, optional
        Type indices in increasing order; defaults to increasing scalar type
        values (vector types need an explicit order).

    Returns
    -------
    ndarray, shape (K, M)
        ``values[k, m]`` = v_i(outcome m, type ``type_order[k]``).
    """
    i = check_environment(env, "outcome_values").agent_index(agent)
    spec = env.agents[i]
    if env.interdependent[i]:
        raise InvalidEnvironmentError(
            f"outcome_values: agent {spec.name!r} has interdependent "
            "values; the checks need v_i(x, θ_i)"
        )
    if outcomes is None:
        if not isinstance(env.allocation, Outcomes):
            raise InvalidArgumentError(
                "outcome_values: give the outcomes (allocation vectors "
                "in increasing order) for a space that is not Outcomes"
            )
        outcomes = np.eye(env.n_components)
    outcomes = float_array(outcomes, "outcome_values: outcomes")
    if outcomes.ndim != 2 or outcomes.shape[1] != env.n_components:
        raise InvalidArgumentError(
            f"outcome_values: outcomes has shape {outcomes.shape}, "
            f"expected (M, {env.n_components})"
        )
    if type_order is None:
        if not spec.is_scalar:
            raise InvalidArgumentError(
                f"outcome_values: agent {spec.name!r} has vector types; give type_order"
            )
        order = np.argsort(spec.types, kind="stable")
    else:
        order = np.asarray(type_order)
    if (
        order.ndim != 1
        or order.dtype.kind not in "iu"
        or np.any((order < 0) | (order >= spec.n_types))
    ):
        raise InvalidArgumentError(
            f"outcome_values: type_order must be type indices in "
            f"0..{spec.n_types - 1}, got {type_order!r}"
        )
    return env.valuations[i][order] @ outcomes.T


def _table(values: ArrayLike) -> FloatArray:
    table = float_array(values, "values")
    if table.ndim != 2:
        raise InvalidArgumentError(
            f"values must be a (types × outcomes) table, got shape {table.shape}"
        )
    if not np.all(np.isfinite(table)):
        raise InvalidArgumentError("values contain NaN or infinite entries")
    return table
