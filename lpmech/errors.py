"""Errors raised by lpmech.

Every error names where the problem is and what is wrong. Input errors subclass
:class:`ValueError` so generic handlers still catch them; solve outcomes that are
not an optimum get their own classes so a caller can tell *infeasible* (the design
goals conflict) from *unbounded* (a family that bounds payments is missing) from
*solver failed* (a numerical or resource problem).
"""

from __future__ import annotations

from collections.abc import Sequence


class LpmechError(Exception):
    """Base class of every error lpmech raises on purpose."""


class InvalidEnvironmentError(LpmechError, ValueError):
    """A problem description (agents, prior, valuations, outcomes) is malformed."""


class InvalidMechanismError(LpmechError, ValueError):
    """Arrays given as a mechanism do not fit the environment."""


class InvalidArgumentError(LpmechError, ValueError):
    """An argument of a public function (a count, an option, a tolerance) is malformed."""


class InvalidToleranceError(InvalidArgumentError):
    """A tolerance is not a small positive number."""


class InvalidArgumentTypeError(InvalidArgumentError, TypeError):
    """An argument is of the wrong kind or count (also a :class:`TypeError`, as Python's own)."""


class UnknownNameError(LpmechError, KeyError, ValueError):
    """A name looked up (an agent, a type label, a checked family) does not exist.

    Also a :class:`KeyError`, as these look-ups raised before; the message lists
    the names that do exist and prints without KeyError's quotes.
    """

    __str__ = Exception.__str__


class IndexOutOfRangeError(LpmechError, IndexError, ValueError):
    """An index looked up (of an agent or a type) is out of range, or not a whole number.

    Also an :class:`IndexError`, as these look-ups raised before.
    """


class ProblemTooLargeError(LpmechError, MemoryError):
    """The program would not fit the memory limit; nothing large was allocated.

    Attributes
    ----------
    estimate : int
        Estimated peak bytes of the refused solve.
    limit : int
        The limit in bytes it exceeds.
    """

    def __init__(self, message: str, estimate: int, limit: int) -> None:
        super().__init__(message)
        self.estimate = estimate
        self.limit = limit


class UnknownConstraintError(LpmechError, ValueError):
    """A constraint family was named that lpmech does not know."""


class UnknownObjectiveError(LpmechError, ValueError):
    """An objective was named that lpmech does not know."""


class DesignError(LpmechError):
    """The design program has no optimal solution.

    Attributes
    ----------
    families : tuple of str
        Names of every constraint family imposed on the program.
    """

    def __init__(self, message: str, families: Sequence[str]) -> None:
        super().__init__(message)
        self.families = tuple(families)


class InfeasibleDesignError(DesignError):
    """No mechanism satisfies all imposed constraint families at once.

    Attributes
    ----------
    conflicting : tuple of str
        A minimal set of families that is infeasible on its own (dropping any one
        of them makes the rest feasible), or empty if it was not diagnosed.
    """

    def __init__(
        self, message: str, families: Sequence[str], conflicting: Sequence[str] = ()
    ) -> None:
        super().__init__(message, families)
        self.conflicting = tuple(conflicting)


class UnboundedDesignError(DesignError):
    """The objective can be made arbitrarily good under the imposed families."""


class SolverFailedError(DesignError):
    """The solver stopped without proving optimality, infeasibility or unboundedness."""


class NotImplementableError(LpmechError):
    """An allocation rule admits no payments that make it incentive compatible.

    Attributes
    ----------
    witness : object
        What shows it: a non-monotone pair of types, or a positive-length cycle.
    """

    def __init__(self, message: str, witness: object = None) -> None:
        super().__init__(message)
        self.witness = witness


class VerificationError(LpmechError):
    """A mechanism returned as optimal violates a family it was required to satisfy."""


class IllConditionedError(LpmechError, ArithmeticError):
    """The problem's numbers span more than a double-precision solve resolves.

    Attributes
    ----------
    spread : float
        The measured spread (see :mod:`lpmech.solving.conditioning`); the message names
        what spans it and the way out, ``solve(..., exact=True)``.
    """

    def __init__(self, message: str, spread: float) -> None:
        super().__init__(message)
        self.spread = spread


class ExactSolveError(LpmechError):
    """``solve(..., exact=True)`` could not prove an optimum (the message says why)."""


class NotConvexError(LpmechError, ValueError):
    """A part of the design program breaks cvxpy's disciplined convex programming rules."""


class SolverMismatchError(LpmechError, ValueError):
    """A solver was asked to take a program of a class it cannot solve."""


class NotSolvedError(LpmechError, RuntimeError):
    """A program's result was asked for before the program was solved."""


class MissingExtraError(LpmechError, ImportError):
    """A feature needs an optional dependency that is not installed.

    Attributes
    ----------
    extra : str
        The ``lpmech[extra]`` that installs it.
    """

    def __init__(self, message: str, extra: str) -> None:
        super().__init__(message)
        self.extra = extra


class FileAccessError(LpmechError, OSError):
    """A file cannot be read or written: missing, a directory, no space left, no permission.

    Also an :class:`OSError`, as these failures raised before; the message names the file.
    """


class FileFormatError(LpmechError, ValueError):
    """A file given to :func:`lpmech.load` is not a valid lpmech file (field, version, shape)."""
