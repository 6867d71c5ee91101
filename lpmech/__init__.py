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

from importlib.metadata import PackageNotFoundError, version

from lpmech.allocation import AllocationSpace, Items, Outcomes
from lpmech.builders import bilateral_trade, multi_item_auction, public_good, single_item_auction
from lpmech.canonical import OptimalRange, Quantity, optimal_range
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
from lpmech.environment import Agent, Environment
from lpmech.errors import (
    InfeasibleDesignError,
    InvalidEnvironmentError,
    InvalidMechanismError,
    LpmechError,
    NotConvexError,
    NotSolvedError,
    SolverFailedError,
    SolverMismatchError,
    UnboundedDesignError,
    UnknownConstraintError,
    UnknownObjectiveError,
    VerificationError,
)
from lpmech.files import load, save
from lpmech.mechanism import Mechanism
from lpmech.objectives import (
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
from lpmech.program import DesignProgram, formulate
from lpmech.solve import Solution, SolveReport, solve
from lpmech.sweeps import sweep
from lpmech.verify import VerificationReport, verify

try:
    __version__ = version("lpmech")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

__all__ = [
    "Agent",
    "AllocationSpace",
    "BayesianIC",
    "Combination",
    "ConstraintFamily",
    "CustomObjective",
    "CvxpyConstraint",
    "DesignProgram",
    "DesignVariables",
    "DominantStrategyIC",
    "Environment",
    "ExAnteBudgetBalance",
    "ExAnteIR",
    "ExPostBudgetBalance",
    "ExPostIR",
    "ExPostMonotonicity",
    "ExpectedDeficit",
    "Feasibility",
    "FixedAllocation",
    "GainsFromTrade",
    "InfeasibleDesignError",
    "InterimIR",
    "InterimMonotonicity",
    "InvalidEnvironmentError",
    "InvalidMechanismError",
    "Items",
    "LpmechError",
    "Mechanism",
    "NashWelfare",
    "NotConvexError",
    "NotSolvedError",
    "Objective",
    "OptimalRange",
    "Outcomes",
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
    "UnknownConstraintError",
    "UnknownObjectiveError",
    "VariableBounds",
    "VerificationError",
    "VerificationReport",
    "Welfare",
    "bilateral_trade",
    "formulate",
    "load",
    "multi_item_auction",
    "optimal_range",
    "public_good",
    "save",
    "single_item_auction",
    "solve",
    "sweep",
    "verify",
]
