"""Budget balance: the principal's books close.

The principal's net receipt at profile θ is B(θ) = Σ_i t_i(θ) + v_0·a(θ): the
transfers it collects plus its own value of the allocation (a project's cost
enters v_0 as a negative number). With a required amount R (zero by default),
seed notes Def. 2.6 reads

* **ex post**: B(θ) = R at every profile (strict), or B(θ) ≥ R (no deficit);
* **ex ante**: E[B(θ)] = R (strict), or E[B(θ)] ≥ R (no deficit).

With v_0 = 0 and R = 0 these are exactly Σ_i t_i(θ) = 0 and E[Σ_i t_i(θ)] = 0.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any

import numpy as np

from lpmech.arrays import FloatArray
from lpmech.constraints.base import (
    ConstraintFamily,
    ProblemShape,
    RowBlock,
    broadcast_entries,
)
from lpmech.errors import InvalidArgumentError
from lpmech.problem.scales import money_scale

if TYPE_CHECKING:
    from lpmech.problem.environment import Environment
    from lpmech.program.interim_columns import InterimColumns
    from lpmech.results.mechanism import Mechanism


class _BudgetBalance(ConstraintFamily):
    """Shared form: weighted sums of B(θ) against the required amount."""

    kind: str
    symmetric = True

    def __init__(self, strict: bool = True, required: float = 0.0) -> None:
        try:
            finite = np.isfinite(float(required))  # a Fraction is read back by lpmech.exact
        except (TypeError, ValueError, OverflowError):
            finite = False
        if not finite or isinstance(required, str | bool):
            raise InvalidArgumentError(
                f"{type(self).__name__}: required must be a finite number, got {required!r:.40}"
            )
        if not isinstance(strict, bool | np.bool_):
            raise InvalidArgumentError(
                f"{type(self).__name__}: strict must be True or False, got {strict!r}"
            )
        self.strict = bool(strict)
        self.required = float(required)
        # a required amount is a constant in the user's units (see lpmech.solving.scaling)
        self.units = "value" if self.required == 0 else "user"
        self.name = f"{self.kind}_{'budget_balance' if strict else 'no_deficit'}"

    def entry_scales(self, env: Environment) -> float:
        """What B sums: the agents' money max_i s_i, the principal's value and R."""
        principal = float(np.abs(env.principal_value).max(initial=0.0))
        return max(money_scale(env), principal, abs(self.required))

    @abstractmethod
    def _weights(self, env: Environment) -> tuple[np.ndarray, np.ndarray]:
        """(row of each profile, weight of each profile) in B's weighted sums."""

    def rows(self, env: Environment) -> RowBlock:
        layout = env.layout
        rows, weights = self._weights(env)
        n_rows = int(rows.max()) + 1
        allocation_columns = layout.allocation_columns(np.arange(env.n_profiles))  # (P, C)
        payment_columns = layout.n_allocation_columns + np.arange(layout.n_payment_columns)
        entries = (
            np.concatenate([np.repeat(rows, env.n_components), np.repeat(rows, env.n_agents)]),
            np.concatenate([allocation_columns.ravel(), payment_columns]),
            np.concatenate(
                [np.outer(weights, env.principal_value).ravel(), np.repeat(weights, env.n_agents)]
            ),
        )
        upper = self.required if self.strict else np.inf
        return RowBlock.from_entries(
            *entries, shape=(n_rows, layout.n_columns), lower=self.required, upper=upper
        )

    @abstractmethod
    def _surplus(self, mechanism: Mechanism) -> FloatArray:
        """The mechanism's B(θ) (ex post) or E[B(θ)] (ex ante), computed directly."""

    def violation(self, mechanism: Mechanism) -> FloatArray:
        gap = self._surplus(mechanism) - self.required
        return np.abs(gap) if self.strict else np.maximum(-gap, 0.0)

    def spec(self) -> dict[str, Any]:
        return {"family": self.name, "strict": self.strict, "required": self.required}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(strict={self.strict}, required={self.required:g})"


class ExPostBudgetBalance(_BudgetBalance):
    """Ex-post budget balance (seed notes Def. 2.6.1): one row per profile.

    Parameters
    ----------
    strict : bool
        B(θ) = R if true (budget balance), B(θ) ≥ R if false (no deficit).
    required : float
        The amount R the principal must net at every profile.
    """

    kind = "ex_post"

    couples_payments = True

    def estimated_size(self, env: Environment, shape: ProblemShape) -> tuple[int, int]:
        """A row per profile over its C allocations and N payments."""
        p = shape.n_profiles
        return p, p * (shape.n_components + shape.n_agents)

    def _weights(self, env: Environment) -> tuple[np.ndarray, np.ndarray]:
        return np.arange(env.n_profiles), np.ones(env.n_profiles)

    def _surplus(self, mechanism: Mechanism) -> FloatArray:
        return mechanism.budget_surplus()

    def describe(self, env: Environment, index: int) -> str:
        return f"profile {env.describe_profile(index)}"


class ExAnteBudgetBalance(_BudgetBalance):
    """Ex-ante budget balance (seed notes Def. 2.6.2): one row, E[B(θ)] against R.

    Parameters
    ----------
    strict : bool
        E[B(θ)] = R if true, E[B(θ)] ≥ R if false (no expected deficit).
    required : float
        The expected amount R the principal must net.
    """

    kind = "ex_ante"

    def estimated_size(self, env: Environment, shape: ProblemShape) -> tuple[int, int]:
        """One row over every profile's C allocations and N payments."""
        return 1, shape.n_profiles * (shape.n_components + shape.n_agents)

    def _weights(self, env: Environment) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(env.n_profiles, dtype=np.intp), env.prior.joint

    def _surplus(self, mechanism: Mechanism) -> FloatArray:
        return np.array([mechanism.expected_budget_surplus()])

    def interim_rows(self, env: Environment, columns: InterimColumns) -> RowBlock:
        """Σ_i Σ_k f_i(k) M_i(k) + E[v_0·a] against R: the expected budget on interim rules."""
        parts = [
            broadcast_entries(
                0, columns.m(i, np.arange(env.type_counts[i])), env.prior.marginals[i]
            )
            for i in range(env.n_agents)
        ]
        parts.append(columns.principal_value_entries(env))
        upper = self.required if self.strict else np.inf
        return columns.block(parts, 1, lower=self.required, upper=upper)

    def describe(self, env: Environment, index: int) -> str:
        return "in expectation"
