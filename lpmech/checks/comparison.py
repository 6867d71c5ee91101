"""Compare two mechanisms on one problem: objectives, rules, and every constraint.

:func:`compare` puts, side by side, expected revenue, profit and welfare; the
largest differences of the allocation and payment rules, ex post and interim; and
each constraint family's largest violation for both mechanisms, with the verdict
of :func:`lpmech.checks.verification.verify` at the same tolerance — so an LP optimum
can be read against a benchmark and a benchmark against the constraints it does
and does not satisfy. By default the families shown are the built-in ones that
either mechanism satisfies: a family both violate (budget balance, for two
auctions) says nothing about either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from lpmech.checks.verification import check_tol, verify
from lpmech.constraints import BUILT_IN, ConstraintFamily, resolve_all
from lpmech.errors import (
    InvalidArgumentTypeError,
    InvalidEnvironmentError,
    InvalidMechanismError,
    UnknownObjectiveError,
)
from lpmech.extras import require
from lpmech.numbers.formatting import format_table
from lpmech.program.objectives import OBJECTIVES
from lpmech.results.mechanism import Mechanism

if TYPE_CHECKING:
    import pandas as pd

#: Objectives reported by default.
DEFAULT_OBJECTIVES = ("revenue", "profit", "welfare", "agents_welfare")


@dataclass(frozen=True)
class Comparison:
    """Two mechanisms side by side. Pairs are (first, second); gaps are second − first."""

    names: tuple[str, str]
    objectives: dict[str, tuple[float, float]]
    max_allocation_difference: float
    max_payment_difference: float
    max_interim_allocation_difference: float
    max_interim_payment_difference: float
    violations: dict[str, tuple[float, float]]
    satisfied: dict[str, tuple[bool, bool]] = field(default_factory=dict)

    def gap(self, objective: str) -> float:
        """Second mechanism's value minus the first's."""
        first, second = self.objectives[objective]
        return second - first

    def to_frame(self) -> pd.DataFrame:
        """One row per objective and per family, the two mechanisms as columns.

        Columns: ``kind`` ("objective" or "family"), the two mechanisms' names
        (values; for a family, its largest violation), ``gap`` (second − first,
        objectives only) and ``ok: <name>`` for each (families only). Needs pandas.
        """
        pandas = require("pandas", "frames", "Comparison.to_frame")
        first, second = self.names
        rows = [
            {"name": name, "kind": "objective", first: a, second: b, "gap": b - a}
            for name, (a, b) in self.objectives.items()
        ]
        rows += [
            {
                "name": name,
                "kind": "family",
                first: a,
                second: b,
                f"ok: {first}": self.satisfied[name][0],
                f"ok: {second}": self.satisfied[name][1],
            }
            for name, (a, b) in self.violations.items()
        ]
        return pandas.DataFrame(rows).set_index("name")

    def __str__(self) -> str:
        first, second = self.names
        rows = [(name, a, b, b - a) for name, (a, b) in self.objectives.items()]
        table = format_table(("objective", first, second, "gap"), rows)
        rules = format_table(
            ("largest difference", "ex post", "interim"),
            [
                (
                    "allocation",
                    self.max_allocation_difference,
                    self.max_interim_allocation_difference,
                ),
                ("payments", self.max_payment_difference, self.max_interim_payment_difference),
            ],
        )
        verdicts = {
            name: tuple("ok" if ok else "VIOLATED" for ok in pair)
            for name, pair in self.satisfied.items()
        }
        families = format_table(
            ("family", f"violation: {first}", f"violation: {second}"),
            [
                (
                    name,
                    f"{a:.3g} {verdicts[name][0]}" if name in verdicts else a,
                    f"{b:.3g} {verdicts[name][1]}" if name in verdicts else b,
                )
                for name, (a, b) in self.violations.items()
            ],
        )
        return f"{table}\n\n{rules}\n\n{families}"


def compare(
    first: Mechanism,
    second: Mechanism,
    constraints: Sequence[str | ConstraintFamily] | None = None,
    objectives: Sequence[str] = DEFAULT_OBJECTIVES,
    tol: float = 1e-6,
) -> Comparison:
    """Compare two mechanisms for the same environment.

    Parameters
    ----------
    constraints : family names or instances, optional
        Families to measure, all shown; by default every built-in family that
        applies to the environment and that at least one of the mechanisms satisfies.
    objectives : names of objectives to report
    tol : float
        Relative tolerance of each family's verdict, as in :func:`lpmech.verify`.

    Examples
    --------
    >>> from lpmech.problem.builders import single_item_auction
    >>> from lpmech.analytic import myerson, second_price
    >>> env = single_item_auction([1, 2, 3, 4], n_bidders=2)
    >>> result = compare(second_price(env), myerson(env))
    >>> round(result.gap("revenue"), 6)   # excluding types with φ ≤ 0: 2.375 against 1.875
    0.5
    >>> result.violations["dominant_strategy_ic"]
    (0.0, 0.0)
    """
    for argument, mechanism in (("first", first), ("second", second)):
        if not isinstance(mechanism, Mechanism):
            raise InvalidArgumentTypeError(
                f"compare: {argument} must be a Mechanism, got {type(mechanism).__name__}"
            )
    unknown = [name for name in objectives if name not in OBJECTIVES]
    if isinstance(objectives, str) or unknown:
        raise UnknownObjectiveError(
            f"compare: objectives {unknown or objectives!r} are not objective names; "
            f"known: {', '.join(OBJECTIVES)}"
        )
    check_tol(tol, "compare: tol")
    env = first.env
    if second.env is not env and (
        second.env.type_counts != env.type_counts or second.env.n_components != env.n_components
    ):
        raise InvalidMechanismError("compare: the mechanisms are for different environments")
    values = {
        name: (OBJECTIVES[name]().value(first), OBJECTIVES[name]().value(second))
        for name in objectives
    }
    families = (
        resolve_all(constraints)
        if constraints is not None
        else tuple(factory() for factory in BUILT_IN.values())
    )
    violations, satisfied = {}, {}
    for family in families:
        try:
            checks = [
                verify(mechanism, [family], tol=tol)[family.name] for mechanism in (first, second)
            ]
        except InvalidEnvironmentError:  # e.g. monotonicity for multi-dimensional types
            if constraints is not None:
                raise
            continue
        if constraints is None and not any(check.ok for check in checks):
            continue  # violated by both: a property of neither mechanism
        violations[family.name] = tuple(check.max_violation for check in checks)
        satisfied[family.name] = tuple(check.ok for check in checks)
    interim_allocation = max(
        float(np.abs(first.interim_allocation(i) - second.interim_allocation(i)).max())
        for i in range(env.n_agents)
    )
    interim_payment = max(
        float(np.abs(first.interim_payment(i) - second.interim_payment(i)).max())
        for i in range(env.n_agents)
    )
    return Comparison(
        names=(first.name or "first", second.name or "second"),
        objectives=values,
        max_allocation_difference=float(
            np.abs(first.flat_allocation - second.flat_allocation).max()
        ),
        max_payment_difference=float(np.abs(first.flat_payments - second.flat_payments).max()),
        max_interim_allocation_difference=interim_allocation,
        max_interim_payment_difference=interim_payment,
        violations=violations,
        satisfied=satisfied,
    )
