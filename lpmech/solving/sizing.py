"""How large a design program would be, estimated from counts alone, and the size guard.

N agents with K_i types have P = ∏ K_i profiles; every formulation returns the
full ex-post mechanism (P·(C + N) numbers) and verification reads every
profile, so P·(C + N) is a floor no formulation avoids. On top of it each
formulation builds a sparse program whose rows and non-zeros follow from the
families' formulas (e.g. ex-post IC: Σ_i P·pairs_i/K_i rows of 2(C + 1) entries,
pairs_i = 2(K_i − 1) for the adjacent-type form, K_i(K_i − 1) in full; Bayesian
IC: Σ_i pairs_i rows of 2·(P/K_i)·(C + 1) entries). :func:`estimate` computes
these with integer arithmetic — nothing of size P is allocated — and
:func:`check_fits` refuses a solve whose estimated peak memory exceeds the limit
with :class:`~lpmech.errors.ProblemTooLargeError`, saying what would fit.

Bytes are ``BYTES_PER_NONZERO`` per non-zero (coordinate triplets while a block
is built, its CSR copy, the stacked program and HiGHS's own copy),
``BYTES_PER_ROW`` per row and ``BYTES_PER_PROFILE_NUMBER`` per number of the
P·(N + C) floor (layout tables, values at every profile, the mechanism and its
verification); the constants are measured peaks (see their comments).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

from lpmech.constraints import (
    BayesianIC,
    ConstraintFamily,
    ExAnteBudgetBalance,
    ExAnteIR,
    ExPostBudgetBalance,
    ExPostIR,
    Feasibility,
    FixedAllocation,
    InterimIR,
)
from lpmech.constraints.incentive import IncentiveCompatibility, LocalIncentiveCompatibility
from lpmech.constraints.monotonicity import ExPostMonotonicity, InterimMonotonicity
from lpmech.errors import InvalidArgumentError, ProblemTooLargeError
from lpmech.formulations.base import DesignProblem
from lpmech.formulations.interim import border_structure
from lpmech.problem.allocation import Items

#: Measured peaks (single-item DSIC, direct 2 × 150, 3 × 30, 4 × 14 and symmetric 4 × 14
#: types) were 220–370 bytes per estimated non-zero, all overheads included.
BYTES_PER_NONZERO = 300
BYTES_PER_ROW = 64
BYTES_PER_PROFILE_NUMBER = 80
#: The interim formulation recovers an ex-post rule with tables of P·Σ K_i numbers:
#: measured 3 × 20, 3 × 40 and 4 × 10 types peaked at 12–30 times their 8-byte size.
BYTES_PER_INTERIM_NUMBER = 256
#: Share of the available memory a solve may use when no limit is given.
DEFAULT_MEMORY_SHARE = 0.5


@dataclass(frozen=True)
class ProgramSize:
    """Estimated size of one formulation's program and the solve's peak memory."""

    formulation: str
    n_columns: int
    n_rows: int
    n_nonzeros: int
    n_bytes: int

    def __str__(self) -> str:
        return (
            f"{self.formulation}: {self.n_rows:,} rows, {self.n_nonzeros:,} non-zeros, "
            f"{self.n_columns:,} columns, about {format_bytes(self.n_bytes)}"
        )


def format_bytes(n_bytes: float) -> str:
    """Bytes in the largest unit that keeps the number ≥ 1 (e.g. ``3.2 GB``)."""
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n_bytes < 1000 or unit == "PB":
            return f"{n_bytes:.3g} {unit}"
        n_bytes /= 1000
    raise AssertionError("unreachable")


def available_memory() -> int:
    """Bytes of memory available to this process (MemAvailable, else physical memory)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 1024**3


def resolve_memory_limit(limit: float | None) -> int:
    """The limit in bytes: ``limit`` validated, or half of the available memory."""
    if limit is None:
        return int(DEFAULT_MEMORY_SHARE * available_memory())
    if (
        isinstance(limit, bool)
        or not isinstance(limit, int | float)
        or not limit > 0
        or limit > 2**63  # 10**400 bytes is not a limit either
        or not math.isfinite(limit)
    ):
        raise InvalidArgumentError(
            f"memory_limit must be a positive number of bytes, got {limit!r}"
        )
    return int(limit)


@dataclass(frozen=True)
class _Shape:
    """What sizes depend on: type counts, components, feasibility rows and entries."""

    counts: tuple[int, ...]
    n_components: int
    space_rows: int
    space_nonzeros: int
    #: Items whose interim rules Border's inequalities describe one by one (0: none).
    border_items: int = 0

    @property
    def n_profiles(self) -> int:
        return math.prod(self.counts)

    @property
    def n_agents(self) -> int:
        return len(self.counts)


def _pairs(family: IncentiveCompatibility, k: int) -> int:
    return 2 * (k - 1) if isinstance(family, LocalIncentiveCompatibility) else k * (k - 1)


def family_size(family: ConstraintFamily, shape: _Shape) -> tuple[int, int]:
    """(rows, non-zeros) of a family's block in the direct program, from its formula.

    A family lpmech does not know is assumed to have a row of C + 1 entries per
    agent and profile, as ex-post participation does.
    """
    p, n, c = shape.n_profiles, shape.n_agents, shape.n_components
    if isinstance(family, IncentiveCompatibility):
        pairs = [_pairs(family, k) for k in shape.counts]
        if family.ex_post:
            rows = sum(q * (p // k) for q, k in zip(pairs, shape.counts, strict=True))
            return rows, 2 * (c + 1) * rows
        return sum(pairs), sum(
            2 * q * (p // k) * (c + 1) for q, k in zip(pairs, shape.counts, strict=True)
        )
    if isinstance(family, ExPostMonotonicity | InterimMonotonicity):
        if family.ex_post:
            rows = sum((k - 1) * (p // k) for k in shape.counts)
            return rows, 2 * c * rows
        return sum(k - 1 for k in shape.counts), sum(2 * c * p for _ in shape.counts)
    if isinstance(family, Feasibility):
        return p * shape.space_rows, p * shape.space_nonzeros
    if isinstance(family, FixedAllocation):
        return 0, 0
    if isinstance(family, InterimIR):
        return sum(shape.counts), n * p * (c + 1)
    if isinstance(family, ExAnteIR):
        return n, n * p * (c + 1)
    if isinstance(family, ExPostBudgetBalance):
        return p, p * (c + n)
    if isinstance(family, ExAnteBudgetBalance):
        return 1, p * (c + n)
    return p * n, p * n * (c + 1)  # ExPostIR, and families lpmech does not know


def _floor_bytes(shape: _Shape) -> int:
    return BYTES_PER_PROFILE_NUMBER * shape.n_profiles * (shape.n_agents + shape.n_components)


def _program(name: str, families: Sequence[ConstraintFamily], shape: _Shape) -> ProgramSize:
    """One formulation's estimate (what it builds at its peak, see :func:`estimate`)."""
    p, n, c = shape.n_profiles, shape.n_agents, shape.n_components
    sizes = [family_size(f, shape) for f in families]
    columns = p * (c + n)
    if name == "symmetric":  # agent 0's rows of each family by agent, then merged
        rows = sum(r // n for r, _ in sizes)
        nonzeros = sum(z // n for _, z in sizes)
    elif name in ("interim", "generation", "symmetric_generation"):  # interim rules or few rows
        interim = [
            (r, z)
            for f, (r, z) in zip(families, sizes, strict=True)
            if not isinstance(f, IncentiveCompatibility) or not f.ex_post
        ]
        rows = (
            sum(r for r, _ in interim)
            if name != "interim"
            else sum(k * k for k in shape.counts) * (c + 1)
        )
        nonzeros = sum(z for _, z in interim) if name != "interim" else rows * max(shape.counts)
        if name == "interim":
            columns = sum(shape.counts) * (c + 1)
    else:
        rows = sum(r for r, _ in sizes)
        nonzeros = sum(z for _, z in sizes)
    n_bytes = BYTES_PER_NONZERO * nonzeros + BYTES_PER_ROW * (rows + columns) + _floor_bytes(shape)
    if name == "interim" and shape.border_items:
        return _border_program(
            [
                size
                for f, size in zip(families, sizes, strict=True)
                if not isinstance(f, Feasibility)
            ],
            shape,
        )
    if name == "interim":
        n_bytes += BYTES_PER_INTERIM_NUMBER * p * sum(shape.counts)
    return ProgramSize(name, columns, rows, nonzeros, n_bytes)


def _border_program(sizes: Sequence[tuple[int, int]], shape: _Shape) -> ProgramSize:
    """The interim program under Border's inequalities item by item.

    Columns q_{ij}(k) and M_i(k); each interim family's rows once (``sizes``: all
    but feasibility, which Border's generated inequalities stand for; as many rows
    as in the direct Bayesian program, 2·(items + 1) entries each, built in full
    though incentive rows are then generated); then each item's recovery LP (its largest
    program: P·(N − 1) columns, Σ K_i rows, a row per profile from three bidders
    on, two entries per column, and three from three bidders on).
    """
    p, n, width = shape.n_profiles, shape.n_agents, shape.border_items
    types = sum(shape.counts)
    columns = types * (width + 1)
    rows = sum(r for r, _ in sizes)
    nonzeros = 2 * (width + 1) * rows
    recovery_columns = p * (n - 1) + types
    recovery_rows = types + (p if n > 2 else 0)
    recovery_nonzeros = p * (n - 1) * (2 if n == 2 else 3) + types
    n_bytes = (
        BYTES_PER_NONZERO * (nonzeros + recovery_nonzeros)
        + BYTES_PER_ROW * (rows + columns + recovery_rows + recovery_columns)
        + _floor_bytes(shape)
    )
    return ProgramSize("interim", columns, rows, nonzeros, n_bytes)


#: Formulations the estimate knows, in the order suggestions are listed.
ESTIMATED = ("direct", "symmetric", "interim", "generation", "symmetric_generation")


def _is_ex_post(family: ConstraintFamily) -> bool:
    """Whether a family constrains each profile (so interim rules alone cannot state it)."""
    if isinstance(family, IncentiveCompatibility | ExPostMonotonicity | InterimMonotonicity):
        return family.ex_post
    return isinstance(family, ExPostIR | ExPostBudgetBalance)


def _may_apply(
    name: str, problem: DesignProblem, families: Sequence[ConstraintFamily] | None = None
) -> bool:
    """A cheap necessary condition for a formulation to apply (its ``obstacle`` decides)."""
    families = problem.families if families is None else families
    env = problem.env
    if name == "symmetric":
        return env.n_agents > 1 and len(set(env.type_counts)) == 1 and not problem.deterministic
    if name == "interim":
        return not problem.deterministic and not any(_is_ex_post(f) for f in families)
    if name in ("generation", "symmetric_generation"):
        return any(getattr(f, "generated", False) for f in families) and (
            name == "generation" or _may_apply("symmetric", problem, families)
        )
    return True


def _shape(problem: DesignProblem, counts: Sequence[int] | None = None) -> _Shape:
    env = problem.env
    space = env.allocation
    return _Shape(
        tuple(env.type_counts if counts is None else counts),
        env.n_components,
        int(space.matrix.shape[0]),
        int(space.matrix.nnz),
        space.n_items if isinstance(space, Items) and border_structure(env) else 0,
    )


def estimate(
    problem: DesignProblem, formulation: str = "direct", counts: Sequence[int] | None = None
) -> ProgramSize:
    """The estimated size of ``problem`` compiled by ``formulation``, without allocating.

    ``counts`` sizes the same problem with other type counts (to say what would fit).
    The symmetric form builds agent 0's rows only and merges profiles up to
    relabelling; the interim form solves over interim rules (Σ K_i² rows per
    component), or under Border's inequalities item by item where they apply (an
    objective on allocations of others' types, which would need linking, is not
    foreseen); generation starts from the non-ex-post-IC rows and adds few.
    Every estimate includes the P·(N + C) floor of the ex-post mechanism.
    """
    return _program(formulation, problem.families, _shape(problem, counts))


def _swap_ic(families: Sequence[ConstraintFamily]) -> tuple[ConstraintFamily, ...]:
    """The families with dominant-strategy IC replaced by Bayesian IC (same reduction)."""
    swapped: list[ConstraintFamily] = []
    for family in families:
        if isinstance(family, IncentiveCompatibility) and family.ex_post:
            bayesian = BayesianIC("full")
            swapped.append(
                LocalIncentiveCompatibility(bayesian)
                if isinstance(family, LocalIncentiveCompatibility)
                else bayesian
            )
        else:
            swapped.append(family)
    return tuple(swapped)


def _smallest(
    problem: DesignProblem,
    names: Sequence[str],
    families: Sequence[ConstraintFamily],
    shape: _Shape,
) -> ProgramSize:
    """The smallest estimate among the named formulations that may apply."""
    return min(
        (_program(name, families, shape) for name in names if _may_apply(name, problem, families)),
        key=lambda size: size.n_bytes,
    )


def _what_fits(problem: DesignProblem, limit: int) -> list[str]:
    shape = _shape(problem)
    advice = [
        f"formulation={size.formulation!r} (if it applies): {format_bytes(size.n_bytes)}"
        for name in ESTIMATED
        if _may_apply(name, problem)
        and (size := _program(name, problem.families, shape)).n_bytes <= limit
    ]
    if any(isinstance(f, IncentiveCompatibility) and f.ex_post for f in problem.families):
        best = _smallest(problem, ESTIMATED, _swap_ic(problem.families), shape)
        if best.n_bytes <= limit:
            advice.append(
                f"'bayesian_ic' instead of 'dominant_strategy_ic' with "
                f"formulation={best.formulation!r}: {format_bytes(best.n_bytes)}"
            )
    top = max(shape.counts)
    fitting = [
        k
        for k in range(top - 1, 1, -1)
        if _smallest(
            problem,
            ESTIMATED,
            problem.families,
            _shape(problem, [min(c, k) for c in shape.counts]),
        ).n_bytes
        <= limit
    ]
    if fitting:
        advice.append(f"at most {fitting[0]} types per agent (now up to {top})")
    elif shape.n_agents > 1:
        advice.append("fewer agents: even 2 types each do not fit")
    return advice


def check_fits(problem: DesignProblem, formulation: str, limit: int) -> ProgramSize:
    """The estimate for ``formulation`` ("auto": the smallest), or refuse.

    Raises
    ------
    ProblemTooLargeError
        When the estimate exceeds ``limit`` bytes: the message gives the estimate,
        the limit, and what would fit (another formulation, Bayesian instead of
        dominant-strategy IC, fewer types) and how to raise the limit.
    """
    names = (
        ESTIMATED
        if formulation == "auto"
        else ((formulation,) if formulation in ESTIMATED else ("direct",))
    )
    size = (
        _smallest(problem, names, problem.families, _shape(problem))
        if formulation == "auto"
        else estimate(problem, names[0])
    )
    if size.n_bytes <= limit:
        return size
    advice = _what_fits(problem, limit)
    counts = "×".join(str(k) for k in problem.env.type_counts)
    message = (
        f"the design problem is too large: {counts} types give "
        f"{problem.env.n_profiles:,} profiles; estimated {size}, over the limit of "
        f"{format_bytes(limit)} (raise it with memory_limit=<bytes>; default: half the "
        "available memory). "
    )
    message += (
        ("What would fit: " + "; ".join(advice) + ".")
        if advice
        else "Nothing smaller of the same kind would fit: reduce the number of agents or types."
    )
    raise ProblemTooLargeError(message, size.n_bytes, limit)
