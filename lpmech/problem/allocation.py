"""Allocation spaces: what a mechanism may decide at one type profile.

At each type profile θ a mechanism picks an *allocation vector* a(θ) ∈ R^C of
*components*. The set of feasible vectors is a polytope

.. math:: \\ell \\le a \\le u, \\qquad r_\\ell \\le M a \\le r_u,

and every valuation is linear in a: agent i values a at v_i(a, θ) = V_i(θ)·a.
Two readings cover the usual problems:

* :class:`Outcomes` — a lottery over finitely many named outcomes (the simplex;
  a deterministic mechanism picks a vertex, i.e. one outcome).
* :class:`Items` — a compact vector of assignment probabilities, a_{(i,j)} the
  probability that agent i receives item j, with each item given at most once
  (and, for unit demand, each agent receiving at most one item).

A user with another polytope builds :class:`AllocationSpace` directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from numpy.typing import ArrayLike

from lpmech.arrays import FloatArray, float_array
from lpmech.errors import InvalidEnvironmentError


class AllocationSpace:
    """A polytope of allocation vectors, the same at every type profile.

    Parameters
    ----------
    component_names : sequence of str
        One name per component of the allocation vector (length C).
    matrix : array_like or sparse, optional
        Linear feasibility rows M (m × C).
    row_lower, row_upper : array_like, optional
        Bounds r_ℓ ≤ M a ≤ r_u (length m; ±inf for one-sided rows).
    lower, upper : float or array_like
        Bounds on each component (default [0, 1], i.e. probabilities).
    """

    def __init__(
        self,
        component_names: Sequence[str],
        matrix: ArrayLike | sp.sparray | None = None,
        row_lower: ArrayLike | None = None,
        row_upper: ArrayLike | None = None,
        lower: ArrayLike = 0.0,
        upper: ArrayLike = 1.0,
    ) -> None:
        names = _names(component_names, "AllocationSpace: component_names")
        if not names:
            raise InvalidEnvironmentError("AllocationSpace: component_names is empty")
        if len(set(names)) != len(names):
            raise InvalidEnvironmentError(
                f"AllocationSpace: component_names must be distinct, got {names}"
            )
        n = len(names)
        self.component_names = names
        self.lower = _bound_vector(lower, n, "lower")
        self.upper = _bound_vector(upper, n, "upper")
        if np.any(self.lower > self.upper):
            raise InvalidEnvironmentError("AllocationSpace: lower exceeds upper for a component")
        if matrix is None:
            matrix = sp.csr_array((0, n))
        elif not sp.issparse(matrix):
            matrix = float_array(matrix, "AllocationSpace: matrix", InvalidEnvironmentError)
        self.matrix = sp.csr_array(matrix, dtype=float)
        m = self.matrix.shape[0]
        if self.matrix.shape[1] != n:
            raise InvalidEnvironmentError(
                f"AllocationSpace: matrix has {self.matrix.shape[1]} columns, "
                f"expected one per component ({n})"
            )
        self.row_lower = _row_bound(row_lower, m, -np.inf, "row_lower")
        self.row_upper = _row_bound(row_upper, m, np.inf, "row_upper")

    @property
    def n_components(self) -> int:
        """Number of components C of the allocation vector."""
        return len(self.component_names)

    def maps_onto_itself(self, component: ArrayLike) -> bool:
        """Whether permuting the components by ``component`` (a_c ↦ a_{component[c]}) maps
        ℓ ≤ a ≤ u, r_ℓ ≤ M a ≤ r_u onto itself: the bounds permuted onto themselves and
        the rows of [M | r_ℓ | r_u] permuted among themselves (compared exactly)."""
        component = np.asarray(component, dtype=np.intp)
        if not (
            np.array_equal(self.lower[component], self.lower)
            and np.array_equal(self.upper[component], self.upper)
        ):
            return False
        matrix = self.matrix.toarray()
        rows = np.column_stack([matrix, self.row_lower, self.row_upper])
        moved = np.column_stack([matrix[:, component], self.row_lower, self.row_upper])
        return np.array_equal(_sorted_rows(rows), _sorted_rows(moved))

    def efficient(self, scores: ArrayLike) -> FloatArray:
        """Allocation maximising ``scores · a`` at each profile, row by row.

        Parameters
        ----------
        scores : array_like, shape (P, C)
            Per-profile value of one unit of each component.

        Returns
        -------
        ndarray, shape (P, C)
            A maximiser at each profile. Without linear rows (a box) each component
            sits at its upper bound where its score is strictly positive and at its
            lower bound otherwise, so ties go to the lower bound. With rows this
            generic version solves one block LP with HiGHS and returns the maximiser
            HiGHS finds among tied ones; subclasses with combinatorial structure use
            an explicit tie rule.
        """
        scores = np.asarray(scores, dtype=float)
        if self.matrix.shape[0] == 0:
            return np.where(scores > 0, self.upper, self.lower)
        n_profiles = scores.shape[0]
        block = sp.block_diag([self.matrix] * n_profiles, format="csr")
        upper_rows = np.tile(self.row_upper, n_profiles)
        lower_rows = np.tile(self.row_lower, n_profiles)
        a_ub = sp.vstack([block[np.isfinite(upper_rows)], -block[np.isfinite(lower_rows)]])
        b_ub = np.concatenate(
            [upper_rows[np.isfinite(upper_rows)], -lower_rows[np.isfinite(lower_rows)]]
        )
        bounds = np.column_stack(
            [np.tile(self.lower, n_profiles), np.tile(self.upper, n_profiles)]
        )
        result = scipy.optimize.linprog(
            -scores.ravel(),
            A_ub=a_ub if a_ub.shape[0] else None,
            b_ub=b_ub if a_ub.shape[0] else None,
            bounds=bounds,
            method="highs",
        )
        if result.status != 0:
            raise InvalidEnvironmentError(
                f"AllocationSpace: efficient allocation LP failed: {result.message}"
            )
        return result.x.reshape(scores.shape)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.component_names)})"


class Outcomes(AllocationSpace):
    """Lotteries over finitely many named outcomes.

    The allocation vector is a probability distribution over outcomes:
    a ≥ 0 and Σ_o a_o = 1. A deterministic mechanism picks one outcome per profile.

    Examples
    --------
    >>> Outcomes(["no trade", "trade"]).n_components
    2
    """

    def __init__(self, names: Sequence[str]) -> None:
        names = _names(names, "Outcomes: names")
        n = len(names)
        super().__init__(names, np.ones((1, n)), [1.0], [1.0])

    def efficient(self, scores: ArrayLike) -> FloatArray:
        """The best outcome at each profile; ties go to the outcome listed first."""
        scores = np.asarray(scores, dtype=float)
        best = np.argmax(scores, axis=1)
        return np.eye(self.n_components)[best]


class Items(AllocationSpace):
    """Assignment probabilities of items to agents.

    Component (i, j), stored at index ``i * n_items + j``, is the probability that
    agent i receives item j. Each item goes to at most one agent,
    Σ_i a_{ij} ≤ 1; with ``unit_demand`` each agent also receives at most one item,
    Σ_j a_{ij} ≤ 1. Both constraint systems describe the convex hull of
    deterministic assignments (the bipartite matching polytope is integral), so any
    feasible vector is a lottery over deterministic assignments.

    Parameters
    ----------
    agent_names : sequence of str
        The agents who may receive items.
    n_items : int
        Number of items (1 for a single-item auction or bilateral trade).
    item_names : sequence of str, optional
        Names of the items.
    unit_demand : bool
        Whether each agent receives at most one item.
    """

    def __init__(
        self,
        agent_names: Sequence[str],
        n_items: int = 1,
        item_names: Sequence[str] | None = None,
        unit_demand: bool = False,
    ) -> None:
        if isinstance(n_items, bool) or not isinstance(n_items, int | np.integer) or n_items < 1:
            raise InvalidEnvironmentError(
                f"Items: n_items must be a whole number, at least 1, got {n_items!r}"
            )
        agent_names = _names(agent_names, "Items: agent_names")
        n_agents = len(agent_names)
        if n_agents < 1:
            raise InvalidEnvironmentError("Items: agent_names is empty")
        if item_names is None:
            item_names = ["item"] if n_items == 1 else [f"item {j + 1}" for j in range(n_items)]
        if len(item_names) != n_items:
            raise InvalidEnvironmentError(
                f"Items: item_names has {len(item_names)} names, expected n_items={n_items}"
            )
        self.agent_names = tuple(agent_names)
        self.item_names = tuple(item_names)
        if not isinstance(unit_demand, bool | np.bool_):
            raise InvalidEnvironmentError(
                f"Items: unit_demand must be True or False, got {unit_demand!r}"
            )
        self.n_items = n_items
        self.unit_demand = bool(unit_demand)
        names = [f"{item} to {agent}" for agent in agent_names for item in item_names]
        component = np.arange(n_agents * n_items).reshape(n_agents, n_items)
        per_item = sp.csr_array(
            (np.ones(component.size), (np.tile(np.arange(n_items), n_agents), component.ravel())),
            shape=(n_items, component.size),
        )
        rows = [per_item]
        if unit_demand:
            rows.append(
                sp.csr_array(
                    (
                        np.ones(component.size),
                        (np.repeat(np.arange(n_agents), n_items), component.ravel()),
                    ),
                    shape=(n_agents, component.size),
                )
            )
        matrix = sp.vstack(rows, format="csr")
        super().__init__(names, matrix, None, np.ones(matrix.shape[0]))

    def component(self, agent: int, item: int = 0) -> int:
        """Index of the component 'item to agent'."""
        return agent * self.n_items + item

    def efficient(self, scores: ArrayLike) -> FloatArray:
        """Welfare-maximising deterministic assignment at each profile.

        Without unit demand each item goes to the agent with the largest strictly
        positive score, ties to the lowest agent index; an item whose best score
        is ≤ 0 is kept. With unit demand the assignment solves a maximum-weight
        bipartite matching (:func:`scipy.optimize.linear_sum_assignment`) over
        strictly positive scores.
        """
        scores = np.asarray(scores, dtype=float)
        n_profiles = scores.shape[0]
        per_agent = scores.reshape(n_profiles, len(self.agent_names), self.n_items)
        allocation = np.zeros_like(per_agent)
        if not self.unit_demand:
            best = np.argmax(per_agent, axis=1)  # first maximiser = lowest agent index
            best_score = np.take_along_axis(per_agent, best[:, None, :], axis=1)[:, 0, :]
            profile, item = np.nonzero(best_score > 0)
            allocation[profile, best[profile, item], item] = 1.0
        else:
            for p in range(n_profiles):
                weights = np.maximum(per_agent[p], 0.0)
                agents, items = scipy.optimize.linear_sum_assignment(weights, maximize=True)
                keep = weights[agents, items] > 0
                allocation[p, agents[keep], items[keep]] = 1.0
        return allocation.reshape(n_profiles, -1)


def _bound_vector(value: ArrayLike, n: int, name: str) -> FloatArray:
    given = float_array(value, f"AllocationSpace: {name}", InvalidEnvironmentError)
    if given.ndim > 1 or given.size not in (1, n):
        raise InvalidEnvironmentError(
            f"AllocationSpace: {name} has shape {given.shape}, expected one number or ({n},)"
        )
    array = np.broadcast_to(given, (n,)).copy()
    if np.any(np.isnan(array)):
        raise InvalidEnvironmentError(f"AllocationSpace: {name} contains NaN")
    return array


def _row_bound(value: ArrayLike | None, m: int, default: float, name: str) -> FloatArray:
    if value is None:
        return np.full(m, default)
    array = float_array(value, f"AllocationSpace: {name}", InvalidEnvironmentError)
    if array.shape != (m,):
        raise InvalidEnvironmentError(
            f"AllocationSpace: {name} has shape {array.shape}, expected ({m},) (one per row)"
        )
    if np.any(np.isnan(array)):
        raise InvalidEnvironmentError(f"AllocationSpace: {name} contains NaN")
    return array


def _names(names: object, argument: str) -> tuple:
    """Names given as a list (any iterable) as a tuple; one string, a non-iterable or a
    name that is not a string is refused."""
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise InvalidEnvironmentError(f"{argument} must be a sequence of names, got {names!r}")
    names = tuple(names)
    if not all(isinstance(name, str) for name in names):
        raise InvalidEnvironmentError(f"{argument} must be strings, got {names!r:.80}")
    return names


def _sorted_rows(rows: FloatArray) -> FloatArray:
    """The rows in lexicographic order (a multiset of rows, compared as an array)."""
    return rows[np.lexsort(rows.T[::-1])] if rows.size else rows
