"""lpmech: design mechanisms by optimisation.

Describe a finite-type mechanism design problem (:class:`Environment`), choose an
objective and constraint families, and :func:`solve` compiles it into one sparse
linear program, solves it with HiGHS and returns a verified :class:`Mechanism`.

The names below, by concept (imports are kept in alphabetical order by the formatter):

* **the problem** — :class:`Agent`, :class:`Environment`, :class:`Outcomes`,
  :class:`Items`, :class:`Units`, :class:`Exchange`, :class:`AllocationSpace` and the
  builders (:func:`single_item_auction`, :func:`multi_item_auction`,
  :func:`bilateral_trade`, :func:`public_good`, :func:`procurement_auction`,
  :func:`multi_unit_auction`, :func:`double_auction`); :class:`Problem` keeps one in a file;
* **constraint families** — :class:`ConstraintFamily` and the built-in families;
* **objectives** — :class:`Objective`, :class:`Revenue`, :class:`Welfare`, … ;
* **solving** — :func:`solve`, :func:`formulate`, :func:`optimal_range`, :func:`sweep`;
* **results** — :class:`Mechanism`, :class:`Solution`, :class:`SolveReport`;
* **checks** — :func:`verify`, :func:`audit`, :func:`compare`, :func:`certify`;
* **files** — :func:`save`, :func:`load`;
* **errors** — :class:`LpmechError` and every error lpmech raises.

Submodules (``lpmech.plots``, ``lpmech.models``, ``lpmech.analytic``, …) load on first use.

>>> import lpmech
>>> env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
>>> solution = lpmech.solve(env, "revenue", ["bayesian_ic", "interim_ir"])
>>> solution.verification.ok
True
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from lpmech.checks.auditing import Audit, audit
from lpmech.checks.comparison import Comparison, compare
from lpmech.checks.verification import VerificationReport, verify
from lpmech.constraints import (
    BayesianIC,
    ConstraintFamily,
    CvxpyConstraint,
    DesignVariables,
    DominantStrategyIC,
    ExAnteBudgetBalance,
    ExAnteIR,
    ExPostBudgetBalance,
    ExPostIR,
    ExPostMonotonicity,
    Feasibility,
    FixedAllocation,
    InterimIR,
    InterimMonotonicity,
    RowBlock,
    VariableBounds,
)
from lpmech.errors import (
    DesignError,
    ExactSolveError,
    FileAccessError,
    FileFormatError,
    IllConditionedError,
    IndexOutOfRangeError,
    InfeasibleDesignError,
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidEnvironmentError,
    InvalidMechanismError,
    InvalidToleranceError,
    LpmechError,
    MissingExtraError,
    NotConvexError,
    NotImplementableError,
    NotSolvedError,
    ProblemTooLargeError,
    SolverFailedError,
    SolverMismatchError,
    UnboundedDesignError,
    UnknownConstraintError,
    UnknownNameError,
    UnknownObjectiveError,
    VerificationError,
)
from lpmech.exact.certificate import Certificate, certify
from lpmech.files import load, save
from lpmech.problem.allocation import AllocationSpace, Exchange, Items, Outcomes, Units
from lpmech.problem.builders import (
    bilateral_trade,
    double_auction,
    multi_item_auction,
    multi_unit_auction,
    procurement_auction,
    public_good,
    single_item_auction,
)
from lpmech.problem.environment import Agent, Environment
from lpmech.program.objectives import (
    Combination,
    CustomObjective,
    ExpectedDeficit,
    GainsFromTrade,
    NashWelfare,
    Objective,
    Profit,
    Revenue,
    RevenueVariance,
    Welfare,
)
from lpmech.results.mechanism import Mechanism
from lpmech.results.solution import Solution, SolveReport
from lpmech.solving.canonical import OptimalRange, Quantity, optimal_range
from lpmech.solving.design_program import DesignProgram, formulate
from lpmech.solving.pipeline import solve
from lpmech.solving.problem import Problem
from lpmech.sweeps import sweep

try:
    __version__ = version("lpmech")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

#: Submodules reachable as attributes of ``lpmech``, imported on first use so
#: that ``import lpmech`` stays fast (matplotlib, pandas and the models load
#: only when asked for).
_LAZY_MODULES = {
    "analytic": "lpmech.analytic",
    "backends": "lpmech.backends",
    "characterisation": "lpmech.characterisation",
    "checks": "lpmech.checks",
    "cli": "lpmech.cli",
    "continuous": "lpmech.checks.continuous",
    "exact": "lpmech.exact",
    "formulations": "lpmech.formulations",
    "models": "lpmech.models",
    "plots": "lpmech.views.plots",
    "testing": "lpmech.testing",
    "views": "lpmech.views",
}


def __getattr__(name: str) -> Any:
    """Import a public submodule on first access (PEP 562)."""
    if name in _LAZY_MODULES:
        module = importlib.import_module(_LAZY_MODULES[name])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'lpmech' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY_MODULES])


__all__ = [
    "Agent",
    "AllocationSpace",
    "Audit",
    "BayesianIC",
    "Certificate",
    "Combination",
    "Comparison",
    "ConstraintFamily",
    "CustomObjective",
    "CvxpyConstraint",
    "DesignError",
    "DesignProgram",
    "DesignVariables",
    "DominantStrategyIC",
    "Environment",
    "ExAnteBudgetBalance",
    "ExAnteIR",
    "ExPostBudgetBalance",
    "ExPostIR",
    "ExPostMonotonicity",
    "ExactSolveError",
    "Exchange",
    "ExpectedDeficit",
    "Feasibility",
    "FileAccessError",
    "FileFormatError",
    "FixedAllocation",
    "GainsFromTrade",
    "IllConditionedError",
    "IndexOutOfRangeError",
    "InfeasibleDesignError",
    "InterimIR",
    "InterimMonotonicity",
    "InvalidArgumentError",
    "InvalidArgumentTypeError",
    "InvalidEnvironmentError",
    "InvalidMechanismError",
    "InvalidToleranceError",
    "Items",
    "LpmechError",
    "Mechanism",
    "MissingExtraError",
    "NashWelfare",
    "NotConvexError",
    "NotImplementableError",
    "NotSolvedError",
    "Objective",
    "OptimalRange",
    "Outcomes",
    "Problem",
    "ProblemTooLargeError",
    "Profit",
    "Quantity",
    "Revenue",
    "RevenueVariance",
    "RowBlock",
    "Solution",
    "SolveReport",
    "SolverFailedError",
    "SolverMismatchError",
    "UnboundedDesignError",
    "Units",
    "UnknownConstraintError",
    "UnknownNameError",
    "UnknownObjectiveError",
    "VariableBounds",
    "VerificationError",
    "VerificationReport",
    "Welfare",
    "audit",
    "bilateral_trade",
    "certify",
    "compare",
    "double_auction",
    "formulate",
    "load",
    "multi_item_auction",
    "multi_unit_auction",
    "optimal_range",
    "procurement_auction",
    "public_good",
    "save",
    "single_item_auction",
    "solve",
    "sweep",
    "verify",
]
