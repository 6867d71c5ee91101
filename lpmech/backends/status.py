"""How a solve ended, in one vocabulary for every backend and formulation.

HiGHS reports a model status, cvxpy a status string; :func:`from_highs` and
:func:`from_cvxpy` read either as a :class:`Status`. Anything the tables do not
name (time limit, numerical trouble, …) is :attr:`Status.FAILED`, which
:func:`lpmech.solve` reports with the solver's own message.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import cvxpy.settings as cvxpy_status
import highspy


class Status(StrEnum):
    """Outcome of a solve."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    FAILED = "failed"


#: HiGHS model statuses that are not failures.
HIGHS_STATUS: dict[highspy.HighsModelStatus, Status] = {
    highspy.HighsModelStatus.kOptimal: Status.OPTIMAL,
    highspy.HighsModelStatus.kInfeasible: Status.INFEASIBLE,
    highspy.HighsModelStatus.kUnbounded: Status.UNBOUNDED,
    highspy.HighsModelStatus.kUnboundedOrInfeasible: Status.INFEASIBLE_OR_UNBOUNDED,
}

#: cvxpy status strings that are not failures. The "inaccurate" ones are failures: a
#: solver unsure of infeasibility must not become a diagnosis of conflicting families.
CVXPY_STATUS: dict[str, Status] = {
    cvxpy_status.OPTIMAL: Status.OPTIMAL,
    cvxpy_status.INFEASIBLE: Status.INFEASIBLE,
    cvxpy_status.UNBOUNDED: Status.UNBOUNDED,
    cvxpy_status.INFEASIBLE_OR_UNBOUNDED: Status.INFEASIBLE_OR_UNBOUNDED,
}


def from_highs(model_status: highspy.HighsModelStatus) -> Status:
    """The :class:`Status` of a HiGHS model status."""
    return HIGHS_STATUS.get(model_status, Status.FAILED)


def from_cvxpy(status: str | None) -> Status:
    """The :class:`Status` of a cvxpy problem's status string (None before a solve)."""
    if status is None:
        return Status.FAILED
    return CVXPY_STATUS.get(status, Status.FAILED)


#: The relative MIP gap a deterministic solve closes by default (HiGHS's own 1e-4 would
#: stop short of optima compared with formulas to 1e-6): "optimal" means within it.
CLOSED_GAP = 1e-9


def loosened_tolerances(options: Mapping[str, Any], deterministic: bool) -> dict[str, float]:
    """The HiGHS options in ``options`` that loosen what "optimal" means, by name.

    A tolerance or gap option (``*_tolerance``, ``*_gap``) counts when set above HiGHS's
    default (``mip_rel_gap`` above :data:`CLOSED_GAP`); MIP options count only for a
    deterministic (MIP) solve, where they apply.
    """
    asked = {
        name: value
        for name, value in options.items()
        if name.endswith(("_tolerance", "_gap"))
        and (deterministic or not name.startswith("mip_"))
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    }
    defaults = highspy.HighsOptions()  # HiGHS's defaults (a plain struct: no solver, no log)
    loosened = {}
    for name, value in asked.items():
        default = CLOSED_GAP if name == "mip_rel_gap" else getattr(defaults, name, None)
        if isinstance(default, float) and float(value) > default:
            loosened[name] = float(value)
    return loosened


def optimality(gap: float, tolerances: Mapping[str, float]) -> str:
    """How optimal a solve's answer is: "optimal", or "optimal within gap g" and the
    loosened tolerances it was asked to stop within."""
    loosened = ", ".join(f"{n}={v:g}" for n, v in tolerances.items() if n != "mip_rel_gap")
    text = f"optimal within gap {gap:g}" if gap > CLOSED_GAP else "optimal"
    if loosened:
        text += f" {'and' if gap > CLOSED_GAP else 'within'} loosened tolerances ({loosened})"
    return text
