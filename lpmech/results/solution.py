"""The result of a solve: the optimal mechanism, its duals, its verification and a report.

A :class:`Solution` is returned by :func:`lpmech.solve` only when its mechanism
has passed verification of every imposed family; :class:`SolveReport` records
the program's size, the formulation and algorithm, and the build, compile and
solve times.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from lpmech.arrays import FloatArray
from lpmech.backends.solver_choice import LINEAR_SOLVER
from lpmech.backends.status import optimality
from lpmech.constraints import ConstraintFamily, resolve_all
from lpmech.errors import (
    InvalidArgumentError,
    UnknownNameError,
)
from lpmech.numbers.formatting import format_table, optimum_label
from lpmech.program.objectives import Objective
from lpmech.results.mechanism import Mechanism

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from lpmech.checks.verification import VerificationReport
    from lpmech.exact.certificate import Certificate
    from lpmech.formulations.base import OrbitProgram


@dataclass(frozen=True)
class SolveReport:
    """Sizes and timings of one solve.

    ``build`` is the families' numpy row construction, ``compile`` the stacking
    plus the backend's model construction (cvxpy canonicalisation or HiGHS
    ``passModel``), ``solve`` the solver's own time, ``total`` all of it.
    ``reduced`` names the families compiled in an equivalent smaller form (e.g.
    IC as adjacent-type IC); they are still verified in full. ``formulation`` is
    how the problem was compiled (see :mod:`lpmech.formulations`) and ``details``
    what it saved; ``algorithm`` the HiGHS algorithm (see :mod:`lpmech.backends.algorithms`)
    or how another solver works; ``solver`` the solver that ran (see
    :mod:`lpmech.backends.solver_choice`). Sizes are those of the program the solver took.
    ``tie_break`` says how the returned optimum was chosen among optima
    (:mod:`lpmech.solving.canonical`: anonymised for identical agents, tie-broken), and
    ``tie_break_seconds`` is the time of that step. ``gap`` is the relative MIP gap the
    solve was allowed to stop within when a user's ``mip_rel_gap`` loosened it (0 when
    the gap is closed), and ``tolerances`` the solver tolerances loosened beyond their
    defaults (:func:`lpmech.backends.status.loosened_tolerances`); :attr:`status` says
    "optimal within gap g" then, never plain "optimal".
    """

    backend: str
    n_variables: int
    n_rows: int
    n_nonzeros: int
    rows_by_family: dict[str, int]
    nonzeros_by_family: dict[str, int]
    build_seconds: float
    compile_seconds: float
    solve_seconds: float
    total_seconds: float
    reduced: tuple[str, ...] = ()
    formulation: str = "direct"
    details: str = ""
    algorithm: str = ""
    solver: str = LINEAR_SOLVER
    tie_break: str = ""
    tie_break_seconds: float = 0.0
    gap: float = 0.0
    tolerances: dict[str, float] = field(default_factory=dict)

    @property
    def status(self) -> str:
        """How optimal the answer is: "optimal", or "optimal within gap g" (and loosened
        tolerances) when the solve was asked to stop short."""
        return optimality(self.gap, self.tolerances)

    def spec(self) -> dict[str, Any]:
        """The report as plain data (JSON-able); :meth:`from_spec` rebuilds it."""
        return {**asdict(self), "reduced": list(self.reduced)}

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> SolveReport:
        """The report a :meth:`spec` describes."""
        return cls(**{**spec, "reduced": tuple(spec.get("reduced", ()))})

    def __str__(self) -> str:
        rows = [
            (
                f"{name} (local)" if name in self.reduced else name,
                self.rows_by_family[name],
                self.nonzeros_by_family[name],
            )
            for name in self.rows_by_family
        ]
        rows.append(("total", self.n_rows, self.n_nonzeros))
        timings = (
            f"variables {self.n_variables}; build {self.build_seconds:.3f} s, "
            f"compile {self.compile_seconds:.3f} s, solve {self.solve_seconds:.3f} s, "
            f"total {self.total_seconds:.3f} s (status {self.status}, "
            f"formulation {self.formulation}, "
            f"backend {self.backend}, solver {self.solver}, algorithm {self.algorithm})"
        )
        details = f"\n{self.details}" if self.details else ""
        if self.tie_break:
            details += f"\ncanonical optimum: {self.tie_break} in {self.tie_break_seconds:.3f} s"
        return format_table(("family", "rows", "non-zeros"), rows) + "\n" + timings + details


@dataclass(frozen=True)
class Solution:
    """An optimal, verified mechanism and how it was found.

    Attributes
    ----------
    mechanism : Mechanism
        The optimal mechanism.
    objective_value : float or Fraction
        The objective evaluated on the mechanism (from its expectations); with
        ``exact=True`` the exact optimum, a Fraction.
    objective : Objective
    families : tuple of ConstraintFamily
        Every imposed family (feasibility included), as verified.
    compiled : tuple of ConstraintFamily
        The families as compiled (see :attr:`SolveReport.reduced`); duals and
        :meth:`binding` refer to their rows.
    duals : dict
        Per family, ∂(optimal objective)/∂(shift of each row's bounds), in the
        family's row order (see :meth:`binding`). Empty for deterministic
        (integer) mechanisms, which have no duals.
    report : SolveReport
    verification : VerificationReport
        The check of every imposed family.
    solver_options : dict
        The HiGHS options used.
    orbit_program : OrbitProgram or None
        The reduced program a symmetric solve ran, kept for :meth:`certify`.
    exact : Certificate or None
        With ``solve(..., exact=True)``: the optimum proved in rationals — its
        ``allocation`` and ``payments`` as Fractions, its ``objective`` (also
        ``objective_value``, a Fraction) and the dual bound it attains
        (:mod:`lpmech.exact.optimum`); ``mechanism`` is then its nearest floats.
    """

    mechanism: Mechanism
    objective_value: float | Fraction
    objective: Objective
    families: tuple[ConstraintFamily, ...]
    duals: Mapping[str, FloatArray]
    report: SolveReport
    verification: VerificationReport
    compiled: tuple[ConstraintFamily, ...] = ()
    solver_options: dict[str, Any] = field(default_factory=dict)
    orbit_program: OrbitProgram | None = None
    exact: Certificate | None = None

    def verify(
        self, also: Sequence[str | ConstraintFamily] = (), tol: float = 1e-6
    ) -> VerificationReport:
        """Re-check the imposed families, plus any families in ``also``."""
        from lpmech.checks.verification import verify

        extra = [f for f in resolve_all(also) if f.name not in {g.name for g in self.families}]
        return verify(self.mechanism, [*self.families, *extra], tol=tol)

    def binding_threshold(self, family: str) -> float:
        """|dual| above which a row of ``family`` binds.

        See :func:`~lpmech.checks.verification.binding_threshold`.
        """
        from lpmech.checks.verification import binding_threshold

        compiled = next((f for f in self.compiled if f.name == family), None)
        return binding_threshold(compiled, self.mechanism.env)

    def binding(self, family: str, top: int = 5) -> list[tuple[str, float]]:
        """The rows of a family with the largest |dual|, described, largest first.

        A row binds when its |dual| exceeds :func:`binding_threshold`.
        """
        if family not in self.duals:
            raise UnknownNameError(f"family: no duals for {family!r}; have {sorted(self.duals)}")
        duals = self.duals[family]
        spec = next(f for f in self.compiled if f.name == family)
        threshold = self.binding_threshold(family)
        if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 0:
            raise InvalidArgumentError(f"binding: top must be a whole number ≥ 0, got {top!r}")
        order = np.argsort(-np.abs(duals), kind="stable")[:top]
        return [
            (spec.describe(self.mechanism.env, int(r)), float(duals[r]))
            for r in order
            if abs(duals[r]) > threshold
        ]

    def certify(self) -> Certificate:
        """Prove this Solution's own mechanism, ``objective_value`` and duals optimal in
        rational arithmetic, within a stated float rounding; a failed certificate names
        the check and reports the exact optimum beside the claim
        (:func:`lpmech.exact.certificate.certify`)."""
        from lpmech.exact.certificate import certify

        return certify(self)

    def to_frame(self) -> pd.DataFrame:
        """The optimal mechanism by profile: see :func:`lpmech.views.frames.mechanism_frame`."""
        return self.mechanism.to_frame()

    def duals_frame(self, binding_only: bool = False) -> pd.DataFrame:
        """Every row's dual with what the row means: :func:`lpmech.views.frames.duals_frame`."""
        from lpmech.views.frames import duals_frame

        return duals_frame(self, binding_only)

    def plot(
        self, axes: Sequence[Axes] | None = None, *, figsize: tuple[float, float] | None = None
    ) -> Figure:
        """The optimum's picture: see :func:`lpmech.views.plots.plot_solution`."""
        from lpmech.views.plots import plot_solution

        return plot_solution(self, axes=axes, figsize=figsize)

    def _repr_html_(self) -> str:
        from lpmech.views.notebook import solution_html

        return solution_html(self)

    def _optimum_label(self, name: str) -> str:
        """The optimum and the solve's status, e.g. "Optimal revenue = 2.375"."""
        # optimum_label writes a Fraction exactly though its annotation says float
        value: Any = self.objective_value
        return optimum_label(name, value, self.report.status)

    def __repr__(self) -> str:
        """One line: the optimum, the verdict and the size, e.g. ``<Solution: optimal …>``."""
        env = self.mechanism.env
        checked = len(self.verification.families)
        verdict = (
            f"verified ({checked} families)"
            if self.verification.ok
            else f"NOT verified ({len(self.verification.failures())} of {checked} families fail)"
        )
        label = self._optimum_label(self.objective.name.replace("_", " "))
        return (
            f"<Solution: {label[:1].lower()}{label[1:]}; {verdict}; {env.n_profiles} profiles, "
            f"{env.n_agents} agents, {self.report.formulation}>"
        )

    def __str__(self) -> str:
        header = (
            f"{self._optimum_label(self.objective.name)} "
            f"under {' + '.join(f.name for f in self.families)}"
        )
        return "\n\n".join(
            [header, str(self.verification), str(self.report), self.mechanism.summary()]
        )
