"""Check a mechanism against constraint families, whoever built it.

:func:`verify` asks each family for its violation on the mechanism — computed
from the family's definition (utilities of true and reported types, interim
expectations, budget sums), never from the program's rows — and reports, per
family, the largest violation and the entry where it occurs.

Tolerances are relative to the problem's scale: a violation counts when it exceeds
``tol · max(1, max |V_i|, max |o_i|, max |v_0|)``, so the same ``tol`` serves
values in cents and in millions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lpmech.arrays import FloatArray
from lpmech.constraints import ConstraintFamily, resolve_all
from lpmech.display import format_table

if TYPE_CHECKING:
    from lpmech.environment import Environment
    from lpmech.mechanism import Mechanism


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
        The absolute tolerance applied.
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
        raise KeyError(f"no check for family {family!r}; checked {self.families}")

    @property
    def families(self) -> tuple[str, ...]:
        """Names of the checked families."""
        return tuple(check.family for check in self.checks)

    def failures(self) -> tuple[FamilyCheck, ...]:
        """The checks that failed."""
        return tuple(check for check in self.checks if not check.ok)

    def spec(self) -> dict[str, Any]:
        """The report as plain data (JSON-able); :meth:`from_spec` rebuilds it."""
        return {"mechanism_name": self.mechanism_name,
                "checks": [asdict(check) for check in self.checks]}

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> VerificationReport:
        """The report a :meth:`spec` describes."""
        return cls(spec["mechanism_name"], tuple(FamilyCheck(**c) for c in spec["checks"]))

    def __str__(self) -> str:
        rows = [
            (c.family, "ok" if c.ok else "VIOLATED", f"{c.max_violation:.3g}", c.n_entries,
             "" if c.ok else c.worst)
            for c in self.checks
        ]
        title = f"Verification of {self.mechanism_name or 'mechanism'}"
        return title + "\n" + format_table(
            ("family", "verdict", "max violation", "entries", "worst entry"), rows
        )


def tolerance_scale(env: Environment) -> float:
    """max(1, max |V_i|, max |o_i|, max |v_0|): the unit in which tolerances are taken."""
    return max(1.0, data_scale(env))


def data_scale(env: Environment) -> float:
    """max(|V_i|, |o_i|, |v_0|), the magnitude of the data (1 if all are zero)."""
    magnitudes = [np.abs(v).max() for v in env.valuations]
    magnitudes += [np.abs(o).max() for o in env.outside_options]
    magnitudes.append(np.abs(env.principal_value).max())
    return float(max(magnitudes)) or 1.0


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
    tol : float
        Relative tolerance (see the module docstring).
    measured : mapping, optional
        Violations already measured on this mechanism's rules by the families of
        the same names (constraint generation measures full IC at its last
        solution); they are used instead of measuring again.

    Examples
    --------
    >>> from lpmech.builders import single_item_auction
    >>> from lpmech.mechanism import Mechanism
    >>> env = single_item_auction([1, 2, 3], n_bidders=1)
    >>> pay_your_value = Mechanism(env, [[1], [1], [1]], [[1], [2], [3]], "pay your value")
    >>> report = verify(pay_your_value, ["dsic", "ex_post_ir"])
    >>> report.ok, report["dominant_strategy_ic"].worst
    (False, "agent 'bidder 1' of type 3 reporting 1 when the others are ()")
    """
    env = mechanism.env
    absolute = tol * tolerance_scale(env)
    checks = []
    measured = measured or {}
    for family in resolve_all(constraints):
        known = measured.get(family.name)
        violation = np.asarray(family.violation(mechanism) if known is None else known,
                               dtype=float)
        if violation.size:
            worst = int(np.argmax(violation))
            checks.append(FamilyCheck(family.name, float(violation[worst]),
                                      family.describe(env, worst), violation.size, absolute))
        else:
            checks.append(FamilyCheck(family.name, 0.0, "", 0, absolute))
    return VerificationReport(mechanism.name, tuple(checks))
