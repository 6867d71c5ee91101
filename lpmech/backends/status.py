"""How a solve ended, in one vocabulary for every backend and formulation.

HiGHS reports a model status, cvxpy a status string; :func:`from_highs` and
:func:`from_cvxpy` read either as a :class:`Status`. Anything the tables do not
name (time limit, numerical trouble, …) is :attr:`Status.FAILED`, which
:func:`lpmech.solve` reports with the solver's own message.
"""

from __future__ import annotations

from enum import StrEnum

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
    """The :class:`Status` of a cvxpy problem's status string."""
    return CVXPY_STATUS.get(status, Status.FAILED)
