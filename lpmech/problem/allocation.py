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
* :class:`Units` — k identical units for unit-demand agents: a_i the probability
  that agent i gets a unit, Σ_i a_i ≤ k.
* :class:`Exchange` — a market of one good between buyers and sellers: a buyer
  gets a unit with probability x_b, a seller gives one with probability y_s, and
  units are neither made nor lost, Σ_b x_b = Σ_s y_s.

A user with another polytope builds :class:`AllocationSpace` directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Sized
from itertools import islice
from typing import Any, overload

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from numpy.typing import ArrayLike

from lpmech.arrays import FloatArray, IntArray, float_array
from lpmech.errors import InvalidEnvironmentError, ProblemTooLargeError
from lpmech.problem.memory import BYTES_PER_COMPONENT, check_allocation

#: The most names read from an iterator (a generator) of agent names: a million agents
#: is already far beyond any design program, and reading stops there, not at the end.
MAX_ITERATED_NAMES = 10**6


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
        self.matrix = _row_matrix(matrix, n)
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
        # scipy-stubs type A_ub as dense and bounds as (low, high) tuples; linprog's HiGHS
        # methods take a sparse A_ub and an (n, 2) bounds array
        result = scipy.optimize.linprog(  # type: ignore[call-overload]
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
        check_allocation(
            n_agents * n_items,
            f"Items: {n_agents:,} agents × n_items={n_items:,} components",
            BYTES_PER_COMPONENT,
        )
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

    @overload
    def component(self, agent: int, item: int = 0) -> int: ...
    @overload
    def component(self, agent: int, item: IntArray) -> IntArray: ...
    def component(self, agent: int, item: int | IntArray = 0) -> int | IntArray:
        """Index of the component 'item to agent' (of each item, for an array of items)."""
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


class Units(AllocationSpace):
    """k identical units for unit-demand agents: 0 ≤ a_i ≤ 1 and Σ_i a_i ≤ k.

    Component i, named ``unit to <agent>``, is the probability that agent i gets a
    unit. One row with an integral right-hand side over a box: the polytope's
    vertices are the deterministic assignments of at most k units.

    Examples
    --------
    >>> Units(["bidder 1", "bidder 2", "bidder 3"], 2).efficient([[1.0, 3.0, 3.0]]).tolist()
    [[0.0, 1.0, 1.0]]
    """

    def __init__(self, agent_names: Sequence[str], n_units: int) -> None:
        agent_names = _names(agent_names, "Units: agent_names")
        if isinstance(n_units, bool) or not isinstance(n_units, int | np.integer) or n_units < 1:
            raise InvalidEnvironmentError(
                f"Units: n_units must be a whole number, at least 1, got {n_units!r}"
            )
        self.agent_names = tuple(agent_names)
        self.n_units = int(n_units)
        super().__init__(
            [f"unit to {agent}" for agent in agent_names],
            np.ones((1, len(agent_names))),
            None,
            [float(n_units)],
        )

    def component(self, agent: int) -> int:
        """Index of the component 'unit to agent'."""
        return agent

    def efficient(self, scores: ArrayLike) -> FloatArray:
        """The k highest strictly positive scores get a unit; ties to the lowest index."""
        scores = np.asarray(scores, dtype=float)
        rank = np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1, kind="stable")
        return ((rank < self.n_units) & (scores > 0)).astype(float)


class Exchange(AllocationSpace):
    """One good traded between buyers and sellers who each want or own one unit.

    Components ``unit to <buyer>`` (x_b, the probability that buyer b gets a unit)
    then ``unit from <seller>`` (y_s, the probability that seller s gives its
    unit), each in [0, 1], with Σ_b x_b = Σ_s y_s: what is bought is sold. One
    row with coefficients ±1 is totally unimodular, so the vertices are the
    deterministic trades.

    Examples
    --------
    >>> space = Exchange(["buyer 1", "buyer 2"], ["seller 1"])
    >>> space.efficient([[3.0, 2.0, -1.0]]).tolist()      # values 3, 2; cost 1
    [[1.0, 0.0, 1.0]]
    """

    def __init__(self, buyer_names: Sequence[str], seller_names: Sequence[str]) -> None:
        buyer_names = _names(buyer_names, "Exchange: buyer_names")
        seller_names = _names(seller_names, "Exchange: seller_names")
        if not buyer_names or not seller_names:
            raise InvalidEnvironmentError("Exchange: needs at least one buyer and one seller")
        self.buyer_names = tuple(buyer_names)
        self.seller_names = tuple(seller_names)
        row = np.concatenate([np.ones(len(buyer_names)), -np.ones(len(seller_names))])
        super().__init__(
            [f"unit to {b}" for b in buyer_names] + [f"unit from {s}" for s in seller_names],
            row[None, :],
            [0.0],
            [0.0],
        )

    @property
    def n_buyers(self) -> int:
        return len(self.buyer_names)

    def efficient(self, scores: ArrayLike) -> FloatArray:
        """Pair the q-th highest buyer score with the q-th highest seller score while their
        sum is strictly positive (ties to the lowest index): the most valuable trades."""
        scores = np.asarray(scores, dtype=float)
        buyers, sellers = scores[:, : self.n_buyers], scores[:, self.n_buyers :]
        buyer_order = np.argsort(-buyers, axis=1, kind="stable")
        seller_order = np.argsort(-sellers, axis=1, kind="stable")
        pairs = min(buyers.shape[1], sellers.shape[1])
        gains = np.take_along_axis(buyers, buyer_order[:, :pairs], axis=1) + np.take_along_axis(
            sellers, seller_order[:, :pairs], axis=1
        )
        trades = (gains > 0).sum(axis=1)  # gains fall with q, so the positive ones come first
        allocation = np.zeros_like(scores)
        for order, offset, width in (
            (buyer_order, 0, buyers.shape[1]),
            (seller_order, self.n_buyers, sellers.shape[1]),
        ):
            chosen = np.arange(width)[None, :] < trades[:, None]
            rows = np.repeat(np.arange(len(scores)), width)
            allocation[rows[chosen.ravel()], offset + order.ravel()[chosen.ravel()]] = 1.0
        return allocation


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


def _row_matrix(
    matrix: ArrayLike | sp.sparray | None, n: int
) -> sp.csr_array[np.float64, tuple[int, int]]:
    """The rows M as a sparse float array (m × C; no rows when ``matrix`` is None)."""
    if matrix is None:
        return sp.csr_array((0, n))
    if sp.issparse(matrix):
        # scipy-stubs narrow issparse() to an abstract SparseABC that no csr_array overload
        # takes, though every sparse array or matrix at run time is one the constructor takes
        sparse: Any = matrix
        shape = sparse.shape
    else:
        dense = float_array(matrix, "AllocationSpace: matrix", InvalidEnvironmentError)
        shape = dense.shape
    if len(shape) != 2:
        raise InvalidEnvironmentError(
            "AllocationSpace: matrix must be 2-D (one row per constraint, one column per "
            f"component), got shape {shape}"
        )
    return sp.csr_array(sparse, dtype=np.float64) if sp.issparse(matrix) else sp.csr_array(dense)


def _names(names: object, argument: str) -> tuple[str, ...]:
    """Names given as a list (any iterable) as a tuple; one string, a non-iterable or a
    name that is not a string is refused."""
    if isinstance(names, str) or not isinstance(names, Iterable):
        raise InvalidEnvironmentError(f"{argument} must be a sequence of names, got {names!r}")
    if not isinstance(names, Sized):  # a generator: read no more names than could be used
        names = tuple(islice(names, MAX_ITERATED_NAMES + 1))
        if len(names) > MAX_ITERATED_NAMES:
            raise ProblemTooLargeError(
                f"{argument}: an iterator of more than {MAX_ITERATED_NAMES:,} names; "
                "nothing that large can be designed (give a list to be sized exactly)",
                len(names) * BYTES_PER_COMPONENT,
                MAX_ITERATED_NAMES * BYTES_PER_COMPONENT,
            )
    check_allocation(len(names), f"{argument}: {len(names):,} names", BYTES_PER_COMPONENT)
    names = tuple(names)
    if not all(isinstance(name, str) for name in names):
        raise InvalidEnvironmentError(f"{argument} must be strings, got {names!r:.80}")
    return names


def _sorted_rows(rows: FloatArray) -> FloatArray:
    """The rows in lexicographic order (a multiset of rows, compared as an array)."""
    return rows[np.lexsort(rows.T[::-1])] if rows.size else rows
