"""Anonymous mechanisms kept on orbits of profiles, and their brute-force check.

An anonymous mechanism of identical agents (a(σθ) = σ·a(θ), t(σθ) = σ·t(θ)) is
fixed by agent 0's allocation x(k, m) and payment t(k, m) at its own type k and
the multiset m of the others' types: agent i at θ gets x(θ_i, multiset of θ_{−i})
of its items and pays t(θ_i, multiset of θ_{−i}). :class:`OrbitMechanism` stores
those K·C(K + N − 2, N − 1) values, computes expectations from them with the
multinomial probabilities of the multisets, and expands to the ex-post
:class:`~lpmech.results.mechanism.Mechanism` on every profile only on request
(refused when that would not fit the memory limit).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from lpmech.arrays import FloatArray, IntArray
from lpmech.errors import InvalidArgumentError, ProblemTooLargeError
from lpmech.problem.environment import Environment, check_environment
from lpmech.problem.profile_orbits import ProfileOrbits, orbit_obstacle
from lpmech.problem.scales import data_scale
from lpmech.results.mechanism import Mechanism


@dataclass(frozen=True)
class OrbitVerification:
    """Largest violation of each family, relative to the value scale, and the verdict."""

    violations: dict[str, float]
    tol: float

    @property
    def ok(self) -> bool:
        return all(v <= self.tol for v in self.violations.values())

    def __str__(self) -> str:
        lines = [f"{name}: {v:.3g}" for name, v in self.violations.items()]
        return ("ok" if self.ok else "VIOLATED") + f" (tol {self.tol:g}): " + "; ".join(lines)


class OrbitMechanism:
    """An anonymous mechanism stored on orbits: x(k, m) and t(k, m) of agent 0.

    Parameters
    ----------
    env : Environment
        Identical agents (:func:`orbit_obstacle` is None).
    allocation : array_like, shape (K, M, J)
        Agent 0's allocation of each item at own type k and others' multiset m
        (rank ``m`` of :class:`ProfileOrbits` (K, N − 1)).
    payments : array_like, shape (K, M)
        Agent 0's payment.
    """

    def __init__(
        self, env: Environment, allocation: ArrayLike, payments: ArrayLike, name: str = ""
    ) -> None:
        obstacle = orbit_obstacle(check_environment(env, "OrbitMechanism: env"))
        if obstacle is not None:
            raise InvalidArgumentError(f"OrbitMechanism: env: {obstacle}")
        self.env, self.name = env, name
        n, k = env.n_agents, env.agents[0].n_types
        self.n_items = env.allocation.n_items  # type: ignore[attr-defined]
        self.others = ProfileOrbits(k, n - 1)
        self.profiles = ProfileOrbits(k, n)
        self.allocation = np.asarray(allocation, dtype=float)
        self.payments = np.asarray(payments, dtype=float)
        shapes = {
            "allocation": (self.allocation.shape, (k, self.others.count, self.n_items)),
            "payments": (self.payments.shape, (k, self.others.count)),
        }
        for argument, (shape, expected) in shapes.items():
            if shape != expected:
                raise InvalidArgumentError(
                    f"OrbitMechanism: {argument} has shape {shape}, expected {expected}"
                )

    @cached_property
    def _weights(self) -> FloatArray:
        """Pr(own type k, others' multiset m), shape (K, M)."""
        marginal = self.env.prior.marginals[0]
        return marginal[:, None] * self.others.probabilities(marginal)[None, :]

    def expected_revenue(self) -> float:
        """E[Σ_i t_i(θ)] = N·Σ_{k,m} q_k·Pr(m)·t(k, m)."""
        return float(self.env.n_agents * np.sum(self._weights * self.payments))

    def _own_values(self) -> FloatArray:
        return self.env.valuations[0][:, : self.n_items]

    def expected_welfare(self, include_principal: bool = True) -> float:
        """E[Σ_i v_i(a(θ), θ)] (+ E[v_0·a(θ)] with the principal)."""
        per_unit = self._own_values() + (
            self.env.principal_value[: self.n_items] if include_principal else 0.0
        )
        value = np.einsum("kj,kmj->km", per_unit, self.allocation)
        return float(self.env.n_agents * np.sum(self._weights * value))

    def expected_budget_surplus(self) -> float:
        """E[Σ_i t_i(θ) + v_0·a(θ)]."""
        kept = self.allocation @ self.env.principal_value[: self.n_items]
        return float(self.env.n_agents * np.sum(self._weights * (self.payments + kept)))

    def utilities(self) -> FloatArray:
        """u(r; k, m) = V(k)·x(r, m) − t(r, m): agent 0 of type k reporting r, (K, K, M)."""
        values = np.einsum("kj,rmj->krm", self._own_values(), self.allocation)
        return values - self.payments[None, :, :]

    def verify(self, constraints: Any, tol: float = 1e-6) -> OrbitVerification:
        """Brute force on orbits: every own type, others' multiset and report.

        IC: max over (k, m, r) of u(r; k, m) − u(k; k, m); IR: max of o(k) − u(k; k, m);
        feasibility: the allocation space's rows and bounds at a representative of
        every multiset of all N types. By anonymity agent i at θ is agent 0 at
        (θ_i, multiset of θ_{−i}), so these cover every agent at every profile.
        Violations are divided by the value scale (allocations by 1).
        """
        from lpmech.solving.orbit_size import orbit_families

        families = orbit_families(constraints)
        env, scale = self.env, data_scale(self.env)
        violations: dict[str, float] = {}
        if families["ic"] is not None or families["ir"] is not None:
            utilities = self.utilities()
            truthful = np.einsum("kkm->km", utilities)
            if families["ic"] is not None:
                gains = utilities - truthful[:, None, :]
                violations[families["ic"].name] = max(float(gains.max()), 0.0) / scale
            if families["ir"] is not None:
                shortfall = env.outside_options[0][:, None] - truthful
                violations["ex_post_ir"] = max(float(shortfall.max()), 0.0) / scale
        space = env.allocation
        components = self.profile_allocation(self.profiles.members)
        level = components @ space.matrix.T.toarray()
        gaps = [
            space.row_lower - level,
            level - space.row_upper,
            space.lower - components,
            components - space.upper,
        ]
        violations["feasibility"] = max(max(float(g.max()) for g in gaps), 0.0)
        return OrbitVerification(violations, tol)

    def profile_allocation(self, types: IntArray) -> FloatArray:
        """a(θ) at given profiles (rows of type indices), shape (rows, N·J)."""
        types = np.asarray(types, dtype=np.intp)
        parts = []
        for i in range(self.env.n_agents):
            others = np.sort(np.delete(types, i, axis=1), axis=1)
            parts.append(self.allocation[types[:, i], self.others.rank(others)])
        return np.concatenate(parts, axis=1)

    def profile_payments(self, types: IntArray) -> FloatArray:
        """t(θ) at given profiles, shape (rows, N)."""
        types = np.asarray(types, dtype=np.intp)
        columns = [
            self.payments[types[:, i], self.others.rank(np.sort(np.delete(types, i, 1), 1))]
            for i in range(self.env.n_agents)
        ]
        return np.stack(columns, axis=1)

    def expand(self, memory_limit: float | None = None) -> Mechanism:
        """The ex-post :class:`~lpmech.results.mechanism.Mechanism` on all K^N profiles.

        Raises
        ------
        ProblemTooLargeError
            When its tables (and the work of building them) would exceed the limit
            (default: half the available memory).
        """
        from lpmech.problem.memory import resolve_memory_limit

        env = self.env
        limit = resolve_memory_limit(memory_limit)
        n_bytes = 8 * 4 * env.n_profiles * (env.n_components + 2 * env.n_agents)
        if n_bytes > limit:
            raise ProblemTooLargeError(
                f"OrbitMechanism.expand: {env.n_profiles:,} profiles need about "
                f"{n_bytes / 2**20:,.0f} MiB, over the limit of {limit / 2**20:,.0f} MiB "
                "(use the orbit mechanism's own methods, or raise memory_limit)",
                n_bytes,
                limit,
            )
        types = env.layout.profile_types
        return Mechanism(
            env, self.profile_allocation(types), self.profile_payments(types), name=self.name
        )

    def __repr__(self) -> str:
        label = f"{self.name!r}, " if self.name else ""
        return f"OrbitMechanism({label}{self.others.count * self.env.agents[0].n_types} orbits)"
