"""Check a mechanism against constraint families, whoever built it.

:func:`verify` asks each family for its violation on the mechanism — computed
from the family's definition (utilities of true and reported types, interim
expectations, budget sums), never from the program's rows — and reports, per
family, the largest violation and the entry where it occurs.

*The rule: verdicts are judged where the numbers live.* Every entry of every family
(one incentive row, one participation row, one budget row, …) is judged against the
scale of the numbers it involves, never against an unrelated maximum and never
against an absolute floor. The family says what that scale is, entry by entry
(:meth:`~lpmech.constraints.base.ConstraintFamily.entry_scales`):

* agent i's incentive and participation entries: its own value scale
  s_i = max(|V_i|, |o_i|) (:func:`~lpmech.problem.scales.agent_scales`);
* budget entries: what B(θ) = Σ_i t_i(θ) + v_0·a(θ) sums, max(max_i s_i, |v_0|, |R|);
* families in allocation units (``units == "allocation"``: feasibility,
  monotonicity, a fixed allocation): 1;
* any other family (a user's): the smallest agent's scale min_i s_i, unless it
  declares its own — conservative, so no user entry is judged more leniently than
  the smallest agent's rows.

An entry with violation v and scale σ fails when v > tol · σ. Each family reports
its *worst* entry — the one with the largest v / σ — with its violation, its
absolute tolerance tol · σ and σ itself. Multiplying one agent's values by c
multiplies its violations and its s_i by c and leaves every other agent's verdict
alone, so the verdict is the same in cents and in millions, and an agent valuing in
cents beside one in millions is still checked in cents. The objective is judged
against the terms it adds up: tol · max(|value|, Σ_j |c_j z_j| + |c_0|)
(:func:`objective_tolerance`). Feasibility of the allocation is always checked,
named or not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lpmech.arrays import FloatArray
from lpmech.constraints import ConstraintFamily, resolve_all, with_feasibility
from lpmech.errors import InvalidArgumentTypeError, InvalidToleranceError, UnknownNameError
from lpmech.numbers.formatting import format_table
from lpmech.problem.scales import expected_value_scale, money_scale

if TYPE_CHECKING:
    import pandas as pd

    from lpmech.problem.environment import Environment
    from lpmech.program.objectives import Objective
    from lpmech.results.mechanism import Mechanism


@dataclass(frozen=True)
class FamilyCheck:
    """The verdict on one family.

    Attributes
    ----------
    family : str
        The family's name.
    max_violation : float
        Largest violation over the family's entries (0 if it has none).
    worst : str
        A description of the entry with the largest violation.
    n_entries : int
        Number of entries checked.
    tolerance : float
        The absolute tolerance applied to the worst entry: ``tol · scale``.
    scale : float
        The worst entry's scale σ (see the module docstring): ``tolerance / scale``
        is the relative tolerance the family was held to.
    """

    family: str
    max_violation: float
    worst: str
    n_entries: int
    tolerance: float
    scale: float = 1.0

    @property
    def ok(self) -> bool:
        """Whether the worst entry (largest violation relative to its scale) is within
        tolerance."""
        return self.max_violation <= self.tolerance


@dataclass(frozen=True)
class VerificationReport:
    """Per-family verdicts for one mechanism."""

    mechanism_name: str
    checks: tuple[FamilyCheck, ...]

    @property
    def ok(self) -> bool:
        """Whether every family is satisfied within tolerance."""
        return all(check.ok for check in self.checks)

    def __getitem__(self, family: str) -> FamilyCheck:
        for check in self.checks:
            if check.family == family:
                return check
        raise UnknownNameError(f"family: no check for {family!r}; checked {self.families}")

    @property
    def families(self) -> tuple[str, ...]:
        """Names of the checked families."""
        return tuple(check.family for check in self.checks)

    def failures(self) -> tuple[FamilyCheck, ...]:
        """The checks that failed."""
        return tuple(check for check in self.checks if not check.ok)

    def spec(self) -> dict[str, Any]:
        """The report as plain data (JSON-able); :meth:`from_spec` rebuilds it."""
        return {
            "mechanism_name": self.mechanism_name,
            "checks": [asdict(check) for check in self.checks],
        }

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> VerificationReport:
        """The report a :meth:`spec` describes."""
        return cls(spec["mechanism_name"], tuple(FamilyCheck(**c) for c in spec["checks"]))

    def to_frame(self) -> pd.DataFrame:
        """One row per family: see :func:`lpmech.views.frames.verification_frame`."""
        from lpmech.views.frames import verification_frame

        return verification_frame(self)

    def _repr_html_(self) -> str:
        from lpmech.views.notebook import verification_html

        return verification_html(self)

    def __str__(self) -> str:
        rows = [
            (
                c.family,
                "ok" if c.ok else "VIOLATED",
                f"{c.max_violation:.3g}",
                c.n_entries,
                "" if c.ok else c.worst,
            )
            for c in self.checks
        ]
        title = f"Verification of {self.mechanism_name or 'mechanism'}"
        return (
            title
            + "\n"
            + format_table(("family", "verdict", "max violation", "entries", "worst entry"), rows)
        )


#: Largest accepted ``tol``: beyond it a verification would pass nearly anything.
MAX_TOL = 1e-2


def check_tol(tol: float, argument: str = "tol") -> float:
    """``tol`` as a float, refused unless 0 < tol ≤ :data:`MAX_TOL`.

    Raises
    ------
    InvalidToleranceError
        Naming ``argument``, for a non-number, NaN, a non-positive or a too large value.
    """
    if isinstance(tol, str | bytes | bool | np.bool_):  # "1e-6" and True are not numbers here
        raise InvalidToleranceError(
            f"{argument} must be a number, got {type(tol).__name__} {tol!r}"
        )
    try:
        value = float(tol)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise InvalidToleranceError(
            f"{argument} must be a number, got {type(tol).__name__} {tol!r}"
        ) from None
    if not np.isfinite(value) or not 0 < value <= MAX_TOL:
        raise InvalidToleranceError(
            f"{argument} must be positive, finite and at most {MAX_TOL:g} (a relative "
            f"tolerance such as 1e-6), got {tol!r}"
        )
    return value


def objective_tolerance(
    objective: Objective, mechanism: Mechanism, value: float, tol: float
) -> float:
    """The absolute tolerance of an objective value: ``tol · max(|value|, Σ_j |c_j z_j| + |c_0|)``.

    The objective is judged against the terms it adds up at the mechanism, so a large
    coefficient on a component nobody uses (a principal value of −1e8) does not loosen
    it; an objective with cvxpy terms (no linear coefficients) falls back to the
    agents' expected value scale (:func:`~lpmech.problem.scales.expected_value_scale`).
    """
    env = mechanism.env
    if objective.requires_cvxpy:
        terms = expected_value_scale(env)
    else:
        z = np.concatenate([mechanism.flat_allocation.ravel(), mechanism.flat_payments.ravel()])
        coefficients = np.asarray(objective.coefficients(env), dtype=float)
        terms = float(np.abs(coefficients) @ np.abs(z)) + abs(float(objective.constant(env)))
    return tol * max(terms, abs(value))


def binding_threshold(family: ConstraintFamily | None, env: Environment) -> float:
    """|dual| above which a row of ``family`` binds: 1e-9 in the dual's own unit.

    A dual is ∂(objective)/∂(row bound): a pure number for rows in money, money per
    unit of allocation for rows in allocation units (feasibility, monotonicity) — so
    there the threshold is 1e-9 · max_i s_i (the agents' money), and the same rows
    bind in any units.
    """
    if family is not None and family.units == "allocation":
        return 1e-9 * money_scale(env)
    return 1e-9


def entry_scales(family: ConstraintFamily, env: Environment, n_entries: int) -> FloatArray:
    """The scale of each of the family's ``n_entries`` entries (see the module docstring)."""
    scales = np.broadcast_to(np.asarray(family.entry_scales(env), dtype=float), (n_entries,))
    return scales


def verify(
    mechanism: Mechanism,
    constraints: Sequence[str | ConstraintFamily] | str | ConstraintFamily,
    tol: float = 1e-6,
    measured: Mapping[str, FloatArray] | None = None,
) -> VerificationReport:
    """Check ``mechanism`` against each family.

    Parameters
    ----------
    mechanism : Mechanism
    constraints : family names or instances
        Feasibility of the allocation is added when not named.
    tol : float
        Relative tolerance, 0 < tol ≤ 1e-2. An entry's violation counts when it exceeds
        ``tol`` times the entry's own scale (agent i's rows: s_i = max(|V_i|, |o_i|);
        see the module docstring), never an absolute floor.
    measured : mapping, optional
        Violations already measured on this mechanism's rules by the families of
        the same names (constraint generation measures full IC at its last
        solution); they are used instead of measuring again.

    Examples
    --------
    >>> from lpmech.problem.builders import single_item_auction
    >>> from lpmech.results.mechanism import Mechanism
    >>> env = single_item_auction([1, 2, 3], n_bidders=1)
    >>> pay_your_value = Mechanism(env, [[1], [1], [1]], [[1], [2], [3]], "pay your value")
    >>> report = verify(pay_your_value, ["dsic", "ex_post_ir"])
    >>> report.ok, report["dominant_strategy_ic"].worst
    (False, "agent 'bidder 1' of type 3 reporting 1 when the others are ()")
    """
    if not all(hasattr(mechanism, name) for name in ("env", "flat_allocation", "flat_payments")):
        # duck-typed: lpmech.results.mechanism imports this module
        raise InvalidArgumentTypeError(
            f"verify: mechanism must be a Mechanism, got {type(mechanism).__name__}"
        )
    tol = check_tol(tol)
    env = mechanism.env
    checks = []
    measured = measured or {}
    families = with_feasibility(resolve_all(constraints))
    for family in families:
        known = measured.get(family.name)
        violation = np.asarray(
            family.violation(mechanism) if known is None else known, dtype=float
        )
        if violation.size:
            scales = entry_scales(family, env, violation.size)
            worst = int(np.argmax(violation / scales))
            checks.append(
                FamilyCheck(
                    family.name,
                    float(violation[worst]),
                    family.describe(env, worst),
                    violation.size,
                    tol * float(scales[worst]),
                    float(scales[worst]),
                )
            )
        else:
            declared = np.asarray(family.entry_scales(env), dtype=float)
            scale = float(declared.min()) if declared.size else 1.0  # no entry is judged
            checks.append(FamilyCheck(family.name, 0.0, "", 0, tol * scale, scale))
    return VerificationReport(mechanism.name, tuple(checks))
