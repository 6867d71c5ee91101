"""lpmech: design mechanisms by optimisation.

Describe a finite-type mechanism design problem (:class:`Environment`), choose an
objective and constraint families, and :func:`solve` compiles it into one sparse
linear program, solves it with HiGHS and returns a verified :class:`Mechanism`.

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

# 1. The problem: agents, types, priors, outcomes, valuations, and builders.
# 2. Constraint families: one requirement each.
from lpmech.checks.auditing import Audit, audit
from lpmech.checks.comparison import Comparison, compare

# 7. Checks: verification by brute force, audits, comparisons; 8. exact certificates.
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

# Every error lpmech raises.
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

# Files: environments, mechanisms and solutions kept as JSON.
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

# 3. The program: objectives.
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

# 6. Results.
from lpmech.results.mechanism import Mechanism
from lpmech.results.solution import Solution, SolveReport

# 5. Solving: the pipeline, the program as an object, the optimal face.
from lpmech.solving.canonical import OptimalRange, Quantity, optimal_range
from lpmech.solving.design_program import DesignProgram, formulate
from lpmech.solving.pipeline import solve
from lpmech.solving.problem import Problem

# Comparative statics over a grid.
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
