"""Stage 3, constraints: families, one design requirement each, over all agents and profiles.

=============================  ==============================================  ===========
name (aliases)                 requirement                                     seed notes
=============================  ==============================================  ===========
``dominant_strategy_ic``       truth-telling is a best response to every       Def. 2.1.1–2
(``dsic``, ``ex_post_ic``)     profile of the others' reports
``bayesian_ic`` (``bic``)      … in expectation under the conditional prior    Def. 2.1.3
``ex_post_ir``                 u_i(θ) ≥ o_i(θ_i) at every profile               Def. 2.2.1
``interim_ir``                 E[u_i | θ_i] ≥ o_i(θ_i)                          Def. 2.2.2
``ex_ante_ir``                 E[u_i] ≥ E[o_i]                                  Def. 2.2.3
``ex_post_budget_balance``     Σ t_i + v_0·a = 0 at every profile               Def. 2.6.1
``ex_post_no_deficit``         Σ t_i + v_0·a ≥ 0 at every profile
``ex_ante_budget_balance``     E[Σ t_i + v_0·a] = 0                             Def. 2.6.2
``ex_ante_no_deficit``         E[Σ t_i + v_0·a] ≥ 0
``ex_post_monotonicity``       q_i non-decreasing in θ_i, each θ_{-i}           Lem. 1.2
``interim_monotonicity``       E[q_i | θ_i] non-decreasing in θ_i
``feasibility``                a(θ) in the allocation space (always imposed)
``efficient_allocation``       a(θ) fixed to the efficient rule x*(θ)           §2.5
=============================  ==============================================  ===========

A name resolves to a fresh instance of the class; pass an instance for other
parameters (``ExPostBudgetBalance(strict=False, required=5.0)``) or for a
family of your own. Every family describes itself as plain data
(``family.spec()``, e.g. ``{"family": "dominant_strategy_ic", "reduction": "auto"}``)
and :func:`from_spec` rebuilds it.

May import :mod:`lpmech.numbers` and :mod:`lpmech.problem`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lpmech.constraints.base import ConstraintFamily, RowBlock, VariableBounds
from lpmech.constraints.budget import ExAnteBudgetBalance, ExPostBudgetBalance
from lpmech.constraints.custom import CvxpyConstraint, DesignVariables
from lpmech.constraints.feasibility import Feasibility, FixedAllocation
from lpmech.constraints.incentive import BayesianIC, DominantStrategyIC
from lpmech.constraints.monotonicity import ExPostMonotonicity, InterimMonotonicity
from lpmech.constraints.participation import ExAnteIR, ExPostIR, InterimIR
from lpmech.errors import UnknownConstraintError
from lpmech.names import look_up, spec_parts

#: Built-in families by name; each entry makes a fresh instance.
BUILT_IN: dict[str, Callable[[], ConstraintFamily]] = {
    "dominant_strategy_ic": DominantStrategyIC,
    "bayesian_ic": BayesianIC,
    "ex_post_ir": ExPostIR,
    "interim_ir": InterimIR,
    "ex_ante_ir": ExAnteIR,
    "ex_post_budget_balance": ExPostBudgetBalance,
    "ex_post_no_deficit": lambda: ExPostBudgetBalance(strict=False),
    "ex_ante_budget_balance": ExAnteBudgetBalance,
    "ex_ante_no_deficit": lambda: ExAnteBudgetBalance(strict=False),
    "ex_post_monotonicity": ExPostMonotonicity,
    "interim_monotonicity": InterimMonotonicity,
    "feasibility": Feasibility,
    "efficient_allocation": FixedAllocation.efficient,
}

#: Other accepted spellings.
ALIASES: dict[str, str] = {
    "dsic": "dominant_strategy_ic",
    "ex_post_ic": "dominant_strategy_ic",
    "bic": "bayesian_ic",
    "ex_post_bb": "ex_post_budget_balance",
    "ex_ante_bb": "ex_ante_budget_balance",
    "monotonicity": "ex_post_monotonicity",
}


def resolve(family: str | ConstraintFamily) -> ConstraintFamily:
    """A constraint family given by name (or alias) or as an instance.

    Raises
    ------
    UnknownConstraintError
        For an unknown name, listing the known names and the closest match.
    """
    if isinstance(family, ConstraintFamily):
        return family
    if not isinstance(family, str):
        raise UnknownConstraintError(
            f"constraints: expected a family name or a ConstraintFamily, "
            f"got {type(family).__name__}"
        )
    return look_up(family, BUILT_IN, ALIASES, "constraint family", UnknownConstraintError)


#: Constructors by the ``"family"`` key of a spec (see :meth:`ConstraintFamily.spec`),
#: called with its parameters.
SPEC_CONSTRUCTORS: dict[str, Callable[..., ConstraintFamily]] = {
    **BUILT_IN,
    "ex_post_no_deficit": ExPostBudgetBalance,  # the spec says strict=False
    "ex_ante_no_deficit": ExAnteBudgetBalance,
    "fixed_allocation": FixedAllocation,
}


def from_spec(
    spec: Mapping[str, Any],
    families: Mapping[str, Callable[..., ConstraintFamily]] | None = None,
) -> ConstraintFamily:
    """The family a :meth:`ConstraintFamily.spec` describes.

    Parameters
    ----------
    spec : mapping
        ``{"family": key, **parameters}``, e.g. ``{"family": "dominant_strategy_ic",
        "reduction": "local"}``.
    families : mapping, optional
        Constructors of your own families by key, called with the parameters.

    Raises
    ------
    UnknownConstraintError
        For an unknown key, or a spec that records a function (a
        :class:`CvxpyConstraint`, a fixed allocation given as a function), which plain
        data cannot rebuild.

    Examples
    --------
    >>> from_spec(ExPostBudgetBalance(strict=False, required=5.0).spec())
    ExPostBudgetBalance(strict=False, required=5)
    """
    key, parameters = spec_parts(spec, "family", UnknownConstraintError)
    constructors = {**SPEC_CONSTRUCTORS, **(families or {})}
    if key not in constructors:
        raise UnknownConstraintError(
            f"from_spec: unknown family {key!r}; known are {sorted(constructors)} (pass your own "
            "family's constructor in families=)"
        )
    return constructors[key](**parameters)


def resolve_all(
    families: str | ConstraintFamily | Iterable[str | ConstraintFamily],
) -> tuple[ConstraintFamily, ...]:
    """Resolve one family or several and check their names are distinct."""
    if isinstance(families, (str, ConstraintFamily)):
        families = [families]
    if not isinstance(families, Iterable):
        raise UnknownConstraintError(
            f"constraints: expected a family name, a ConstraintFamily "
            f"or a list of them, got {type(families).__name__}"
        )
    resolved = tuple(resolve(f) for f in families)
    names = [f.name for f in resolved]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise UnknownConstraintError(
            f"constraints: family names must be distinct, {repeated} given more than once"
        )
    return resolved


def with_feasibility(families: Iterable[ConstraintFamily]) -> tuple[ConstraintFamily, ...]:
    """``families`` with :class:`Feasibility` first unless one of them states feasibility
    (:attr:`ConstraintFamily.states_feasibility`): every solve and check imposes it."""
    families = tuple(families)
    if any(f.states_feasibility for f in families):
        return families
    return (Feasibility(), *families)


__all__ = [
    "ALIASES",
    "BUILT_IN",
    "SPEC_CONSTRUCTORS",
    "BayesianIC",
    "ConstraintFamily",
    "CvxpyConstraint",
    "DesignVariables",
    "DominantStrategyIC",
    "ExAnteBudgetBalance",
    "ExAnteIR",
    "ExPostBudgetBalance",
    "ExPostIR",
    "ExPostMonotonicity",
    "Feasibility",
    "FixedAllocation",
    "InterimIR",
    "InterimMonotonicity",
    "RowBlock",
    "VariableBounds",
    "from_spec",
    "resolve",
    "resolve_all",
    "with_feasibility",
]
