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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from lpmech.constraints.base import ConstraintFamily, ProblemShape
from lpmech.errors import ProblemTooLargeError
from lpmech.formulations.base import DesignProblem
from lpmech.formulations.interim import border_structure
from lpmech.problem.allocation import Items
from lpmech.problem.environment import Environment
from lpmech.problem.memory import format_bytes, format_count
from lpmech.solving.orbit_size import orbit_size_if_applies

#: Measured peaks (single-item DSIC, direct 2 × 150, 3 × 30, 4 × 14 and symmetric 4 × 14
#: types) were 220–370 bytes per estimated non-zero, all overheads included.
BYTES_PER_NONZERO = 300
BYTES_PER_ROW = 64
BYTES_PER_PROFILE_NUMBER = 80
#: The interim formulation recovers an ex-post rule with tables of P·Σ K_i numbers:
#: measured 3 × 20, 3 × 40 and 4 × 10 types peaked at 12–30 times their 8-byte size.
BYTES_PER_INTERIM_NUMBER = 256


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
            f"{self.formulation}: {format_count(self.n_rows)} rows, "
            f"{format_count(self.n_nonzeros)} non-zeros, {format_count(self.n_columns)} columns, "
            f"about {format_bytes(self.n_bytes)}"
        )


@dataclass(frozen=True)
class Sizing:
    """A design problem as the estimate sees it, with nothing of size P built.

    The environment and families (families declare their sizes,
    :meth:`ConstraintFamily.estimated_size`), the :class:`ProblemShape` to size for
    (the problem's own, or other type counts to say what would fit), and the number of
    items whose interim rules Border's inequalities describe one by one (0: none;
    decided once per problem).
    """

    env: Environment
    families: tuple[ConstraintFamily, ...]
    deterministic: bool
    shape: ProblemShape
    border_items: int

    @classmethod
    def of(cls, problem: DesignProblem) -> Sizing:
        env, space = problem.env, problem.env.allocation
        border = space.n_items if isinstance(space, Items) and border_structure(env) else 0
        return cls(
            env, tuple(problem.families), problem.deterministic, ProblemShape.of(env), border
        )

    def with_counts(self, counts: Sequence[int]) -> Sizing:
        """The same problem with other type counts (agents beyond ``counts`` dropped)."""
        return replace(self, shape=replace(self.shape, counts=tuple(counts)))

    def sizes(self) -> list[tuple[int, int]]:
        """(rows, non-zeros) of each family in the direct program."""
        return [f.estimated_size(self.env, self.shape) for f in self.families]

    def columns(self) -> int:
        """P·(C + N) columns of the ex-post mechanism."""
        shape = self.shape
        return shape.n_profiles * (shape.n_components + shape.n_agents)

    def floor_bytes(self) -> int:
        """The P·(N + C) numbers every formulation holds (see the module docstring)."""
        return BYTES_PER_PROFILE_NUMBER * self.columns()


def _program_size(
    name: str, sizing: Sizing, columns: int, rows: int, nonzeros: int
) -> ProgramSize:
    n_bytes = BYTES_PER_NONZERO * nonzeros + BYTES_PER_ROW * (rows + columns)
    return ProgramSize(name, columns, rows, nonzeros, n_bytes + sizing.floor_bytes())


def direct_size(sizing: Sizing) -> ProgramSize:
    """Every family's rows over z = [vec a; vec t]."""
    sizes = sizing.sizes()
    rows, nonzeros = sum(r for r, _ in sizes), sum(z for _, z in sizes)
    return _program_size("direct", sizing, sizing.columns(), rows, nonzeros)


def symmetric_size(sizing: Sizing) -> ProgramSize:
    """Agent 0's rows of each family (1/N of them), then merged up to relabelling."""
    n = sizing.shape.n_agents
    sizes = sizing.sizes()
    rows, nonzeros = sum(r // n for r, _ in sizes), sum(z // n for _, z in sizes)
    return _program_size("symmetric", sizing, sizing.columns(), rows, nonzeros)


def generation_size(sizing: Sizing, name: str = "generation") -> ProgramSize:
    """The rows each family starts from (:meth:`ConstraintFamily.estimated_start_size`)."""
    sizes = [f.estimated_start_size(sizing.env, sizing.shape) for f in sizing.families]
    rows, nonzeros = sum(r for r, _ in sizes), sum(z for _, z in sizes)
    return _program_size(name, sizing, sizing.columns(), rows, nonzeros)


def symmetric_generation_size(sizing: Sizing) -> ProgramSize:
    """As :func:`generation_size` (the start of agent 0's orbits)."""
    return generation_size(sizing, "symmetric_generation")


def interim_size(sizing: Sizing) -> ProgramSize:
    """Interim rules: Σ K_i² rows per component over Σ K_i·(C + 1) columns, plus the
    recovery tables of P·Σ K_i numbers; under Border's inequalities item by item where they
    apply (:func:`border_size`)."""
    if sizing.border_items:
        return border_size(sizing)
    shape = sizing.shape
    c = shape.n_components
    rows = sum(k * k for k in shape.counts) * (c + 1)
    nonzeros = rows * max(shape.counts)
    columns = sum(shape.counts) * (c + 1)
    size = _program_size("interim", sizing, columns, rows, nonzeros)
    extra = BYTES_PER_INTERIM_NUMBER * shape.n_profiles * sum(shape.counts)
    return replace(size, n_bytes=size.n_bytes + extra)


def border_size(sizing: Sizing) -> ProgramSize:
    """The interim program under Border's inequalities item by item.

    Columns q_{ij}(k) and M_i(k); each interim family's rows once (all but those stating
    feasibility, which Border's generated inequalities stand for; as many rows as in the
    direct Bayesian program, 2·(items + 1) entries each, built in full though incentive
    rows are then generated); then each item's recovery LP (its largest program:
    P·(N − 1) columns, Σ K_i rows, a row per profile from three bidders on, two entries
    per column, and three from three bidders on).
    """
    shape, width = sizing.shape, sizing.border_items
    p, n = shape.n_profiles, shape.n_agents
    types = sum(shape.counts)
    columns = types * (width + 1)
    rows = sum(
        r
        for f, (r, _) in zip(sizing.families, sizing.sizes(), strict=True)
        if not f.states_feasibility
    )
    nonzeros = 2 * (width + 1) * rows
    recovery_columns = p * (n - 1) + types
    recovery_rows = types + (p if n > 2 else 0)
    recovery_nonzeros = p * (n - 1) * (2 if n == 2 else 3) + types
    n_bytes = (
        BYTES_PER_NONZERO * (nonzeros + recovery_nonzeros)
        + BYTES_PER_ROW * (rows + columns + recovery_rows + recovery_columns)
        + sizing.floor_bytes()
    )
    return ProgramSize("interim", columns, rows, nonzeros, n_bytes)


#: Each formulation's estimate (what it builds at its peak), in the order suggestions are
#: listed.
ESTIMATES: dict[str, Callable[[Sizing], ProgramSize]] = {
    "direct": direct_size,
    "symmetric": symmetric_size,
    "interim": interim_size,
    "generation": generation_size,
    "symmetric_generation": symmetric_generation_size,
}
#: Formulations the estimate knows.
ESTIMATED = tuple(ESTIMATES)


def _may_apply(name: str, sizing: Sizing) -> bool:
    """A cheap necessary condition for a formulation to apply (its ``obstacle`` decides)."""
    counts = sizing.shape.counts
    if name == "symmetric":
        return len(counts) > 1 and len(set(counts)) == 1 and not sizing.deterministic
    if name == "interim":
        return not sizing.deterministic and all(f.interim_form for f in sizing.families)
    if name in ("generation", "symmetric_generation"):
        return any(f.generated for f in sizing.families) and (
            name == "generation" or _may_apply("symmetric", sizing)
        )
    return True


def estimate(
    problem: DesignProblem, formulation: str = "direct", counts: Sequence[int] | None = None
) -> ProgramSize:
    """The estimated size of ``problem`` compiled by ``formulation``, without allocating.

    ``counts`` sizes the same problem with other type counts (to say what would fit).
    The symmetric form builds agent 0's rows only and merges profiles up to
    relabelling; the interim form solves over interim rules (Σ K_i² rows per
    component), or under Border's inequalities item by item where they apply (an
    objective on allocations of others' types, which would need linking, is not
    foreseen); generation starts from the rows families declare they start from.
    Every estimate includes the P·(N + C) floor of the ex-post mechanism.
    """
    sizing = Sizing.of(problem)
    sized = sizing if counts is None else sizing.with_counts(counts)
    return ESTIMATES.get(formulation, direct_size)(sized)  # others build the direct program


def _smallest(sizing: Sizing, names: Sequence[str] = ESTIMATED) -> ProgramSize | None:
    """The smallest estimate among the named formulations that may apply."""
    sizes = [ESTIMATES[name](sizing) for name in names if _may_apply(name, sizing)]
    return min(sizes, key=lambda size: size.n_bytes) if sizes else None


def _fits(sizing: Sizing, limit: int) -> bool:
    smallest = _smallest(sizing)
    return smallest is not None and smallest.n_bytes <= limit


def _largest_fitting(low: int, high: int, fits: Callable[[int], bool]) -> int | None:
    """The largest m in [low, high] with ``fits(m)``, for ``fits`` true up to some m (binary
    search: sizes grow with types and agents), or None."""
    if high < low or not fits(low):
        return None
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if fits(middle) else (low, middle - 1)
    return low


def _what_fits(sizing: Sizing, limit: int) -> list[str]:
    """What would fit in ``limit``: other formulations, Bayesian instead of ex-post
    incentive constraints, fewer types per agent, fewer agents (a few dozen estimates)."""
    advice = [
        f"formulation={size.formulation!r} (if it applies): {format_bytes(size.n_bytes)}"
        for name in ESTIMATED
        if _may_apply(name, sizing) and (size := ESTIMATES[name](sizing)).n_bytes <= limit
    ]
    counterparts = [f.bayesian_counterpart() for f in sizing.families]
    if any(counterparts):
        swapped = replace(
            sizing,
            families=tuple(c or f for f, c in zip(sizing.families, counterparts, strict=True)),
        )
        best = _smallest(swapped)
        if best is not None and best.n_bytes <= limit:
            swaps = ", ".join(
                f"{c.name!r} instead of {f.name!r}"
                for f, c in zip(sizing.families, counterparts, strict=True)
                if c is not None
            )
            advice.append(
                f"{swaps} with formulation={best.formulation!r}: {format_bytes(best.n_bytes)}"
            )
    orbits = None if sizing.deterministic else orbit_size_if_applies(sizing.env, sizing.families)
    if orbits is not None and orbits.n_bytes <= limit:
        advice.append(
            "lpmech.solving.orbit_program.solve_orbits (the anonymous mechanism kept on "
            f"orbits of profiles): {format_bytes(orbits.n_bytes)}"
        )
    counts = sizing.shape.counts
    top = max(counts)
    types = _largest_fitting(
        2, top - 1, lambda k: _fits(sizing.with_counts([min(c, k) for c in counts]), limit)
    )
    if types is not None:
        advice.append(f"at most {types} types per agent (now up to {top})")
        return advice
    agents = _largest_fitting(
        1, len(counts) - 1, lambda m: _fits(sizing.with_counts(counts[:m]), limit)
    )
    if agents is not None:
        advice.append(f"at most {agents} of the {len(counts)} agents (no type count fits)")
    return advice


def check_fits(problem: DesignProblem, formulation: str, limit: int) -> ProgramSize:
    """The estimate for ``formulation`` ("auto": the smallest), or refuse.

    Raises
    ------
    ProblemTooLargeError
        When the estimate exceeds ``limit`` bytes: the message gives the estimate,
        the limit, and what would fit (another formulation, Bayesian instead of
        dominant-strategy IC, fewer types, fewer agents) and how to raise the limit.
    """
    sizing = Sizing.of(problem)
    if formulation == "auto":
        size = _smallest(sizing) or direct_size(sizing)
    else:
        size = ESTIMATES.get(formulation, direct_size)(sizing)
    if size.n_bytes <= limit:
        return size
    raise too_large(sizing, size, limit)


def check_floor(env: Environment, limit: int, compiled: Callable[[], DesignProblem]) -> None:
    """Refuse at once a problem whose P·(N + C) floor alone exceeds ``limit``.

    No formulation avoids the floor (see the module docstring), so this holds before the
    families are compiled; only a refused problem is compiled (``compiled()``), for the
    advice on what would fit.
    """
    shape = ProblemShape.of(env)
    numbers = shape.n_profiles * (shape.n_components + shape.n_agents)
    floor = BYTES_PER_PROFILE_NUMBER * numbers
    if floor <= limit:
        return
    size = ProgramSize("floor", numbers, 0, 0, floor)
    described = f"about {format_bytes(floor)} for the mechanism's {format_count(numbers)} numbers"
    raise too_large(Sizing.of(compiled()), size, limit, described + " alone, in any formulation")


def too_large(
    sizing: Sizing, size: ProgramSize, limit: int, estimated: str | None = None
) -> ProblemTooLargeError:
    """The refusal of a problem whose estimate ``size`` (described as ``estimated``, by
    default the size itself) exceeds ``limit``, saying what fits."""
    advice = _what_fits(sizing, limit)
    counts = sizing.shape.counts
    shown = (
        "×".join(str(k) for k in counts)
        if len(counts) <= 8
        else f"{len(counts)} agents with {min(counts)}–{max(counts)}"
    )
    message = (
        f"the design problem is too large: {shown} types give "
        f"{format_count(sizing.shape.n_profiles)} profiles; estimated {estimated or size}, over "
        "the limit of "
        f"{format_bytes(limit)} (raise it with memory_limit=<bytes>, or --memory-limit on "
        "the command line; default: half the memory available to this process). "
    )
    message += (
        ("What would fit: " + "; ".join(advice) + ".")
        if advice
        else "Nothing smaller of the same kind would fit: reduce the number of agents or types."
    )
    return ProblemTooLargeError(message, size.n_bytes, limit)
