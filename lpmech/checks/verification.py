"""Check a mechanism against constraint families, whoever built it.

:func:`verify` asks each family for its violation on the mechanism — computed
from the family's definition (utilities of true and reported types, interim
expectations, budget sums), never from the program's rows — and reports, per
family, the largest violation and the entry where it occurs.

*The rule.* A violation is judged against the problem's own value scale, never an
absolute floor. With s = max(|V_i|, |o_i|, |v_0|) over every valuation, outside
option and principal value (:func:`data_scale`; s = 1 only when all are zero),
a family measured in money (incentive, participation, budget, user families)
fails when its largest violation exceeds ``tol · s``; a family measured in
allocation units (feasibility, monotonicity, a fixed allocation: its ``units`` is
``"allocation"``) fails beyond ``tol``. Multiplying every value by c multiplies
money violations and s by c, so the verdict is the same in cents and in millions.
Feasibility of the allocation is always checked, named or not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lpmech.arrays import FloatArray
from lpmech.constraints import ConstraintFamily, Feasibility, resolve_all
from lpmech.errors import InvalidArgumentTypeError, InvalidToleranceError, UnknownNameError
from lpmech.problem.scales import data_scale
from lpmech.views.text import format_table

if TYPE_CHECKING:
    import pandas as pd

    from lpmech.problem.environment import Environment
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
        The absolute tolerance applied: ``tol · s`` or ``tol`` (see the module docstring).
    """

    family: str
    max_violation: float
    worst: str
    n_entries: int
    tolerance: float

    @property
    def ok(self) -> bool:
        """Whether the largest violation is within tolerance."""
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


def objective_tolerance(env: Environment, value: float, tol: float) -> float:
    """The absolute tolerance of an objective value: ``tol · max(s, |value|)``, no floor."""
    return tol * max(data_scale(env), abs(value))


def binding_threshold(family: ConstraintFamily | None, env: Environment) -> float:
    """|dual| above which a row of ``family`` binds: 1e-9 in the dual's own unit.

    A dual is ∂(objective)/∂(row bound): a pure number for rows in money, money per
    unit of allocation for rows in allocation units (feasibility, monotonicity) — so
    there the threshold is 1e-9 · s, and the same rows bind in any units.
    """
    if getattr(family, "units", "value") == "allocation":
        return 1e-9 * data_scale(env)
    return 1e-9


def family_tolerance(family: ConstraintFamily, env: Environment, tol: float) -> float:
    """The absolute tolerance for a family: ``tol`` in allocation units, else ``tol · s``."""
    if getattr(family, "units", "value") == "allocation":
        return tol
    return tol * data_scale(env)


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
        Relative tolerance, 0 < tol ≤ 1e-2. A violation counts when it exceeds
        ``tol · s`` with s the problem's value scale max(|V_i|, |o_i|, |v_0|)
        (``tol`` alone for families in allocation units), never an absolute floor.
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
    families = resolve_all(constraints)
    if not any(isinstance(f, Feasibility) for f in families):
        families = (Feasibility(), *families)
    for family in families:
        absolute = family_tolerance(family, env, tol)
        known = measured.get(family.name)
        violation = np.asarray(
            family.violation(mechanism) if known is None else known, dtype=float
        )
        if violation.size:
            worst = int(np.argmax(violation))
            checks.append(
                FamilyCheck(
                    family.name,
                    float(violation[worst]),
                    family.describe(env, worst),
                    violation.size,
                    absolute,
                )
            )
        else:
            checks.append(FamilyCheck(family.name, 0.0, "", 0, absolute))
    return VerificationReport(mechanism.name, tuple(checks))
