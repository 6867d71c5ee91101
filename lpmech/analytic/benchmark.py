"""A theoretical value to hold an LP optimum against."""

from __future__ import annotations

from dataclasses import dataclass

from lpmech.errors import InvalidArgumentError
from lpmech.results.mechanism import Mechanism

#: How an LP optimum must relate to a benchmark's value.
RELATIONS = ("equal", "lower_bound", "upper_bound")


@dataclass(frozen=True)
class Benchmark:
    """A benchmark computed from a formula, never from the LP.

    Attributes
    ----------
    name : str
        The result, e.g. "Myerson: E[max φ̄⁺]".
    value : float
        Its value for the objective the model optimises.
    relation : str
        "equal": the LP optimum must equal ``value``; "lower_bound": the LP
        optimum must be at least ``value`` (the benchmark is a feasible
        mechanism); "upper_bound": at most ``value`` (e.g. the first best).
    mechanism : Mechanism or None
        The benchmark mechanism built from its formula, when there is one.
    """

    name: str
    value: float
    relation: str = "equal"
    mechanism: Mechanism | None = None

    def __post_init__(self) -> None:
        if self.relation not in RELATIONS:
            raise InvalidArgumentError(
                f"Benchmark: relation must be one of {RELATIONS}, got {self.relation!r}"
            )

    def gap(self, optimum: float) -> float:
        """LP optimum minus benchmark value."""
        return optimum - self.value

    def agrees(self, optimum: float, tol: float = 1e-6, scale: float | None = None) -> bool:
        """Whether the LP optimum stands in the promised relation, within ``tol`` relative.

        The gap is judged against ``tol · max(scale, |value|, |optimum|)``: pass the
        problem's value scale s (:func:`lpmech.problem.scales.data_scale`) where the values
        may be 0; no absolute floor, so the verdict is the same in any units.
        """
        gap = self.gap(optimum)
        scale = tol * max(scale or 0.0, abs(self.value), abs(optimum))
        if self.relation == "equal":
            return abs(gap) <= scale
        if self.relation == "lower_bound":
            return gap >= -scale
        return gap <= scale

    @property
    def symbol(self) -> str:
        """ "=", "≥" or "≤": how the LP optimum relates to the benchmark."""
        return {"equal": "=", "lower_bound": "≥", "upper_bound": "≤"}[self.relation]
