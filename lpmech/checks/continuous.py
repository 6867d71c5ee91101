r"""A finite mechanism evaluated on continuous values, beside the papers' continuous numbers.

An LP optimum lives on a grid of types; published optima (Manelli–Vincent,
Pavlov, Daskalakis–Deckelbaum–Tzamos) and learned auctions (RegretNet) are
stated for continuous laws. Two honest bridges:

* **One bidder — the menu.** The grid optimum is a menu of entries (a_k, t_k),
  one per grid type, plus the null entry (0, 0). A continuous type v takes the
  entry maximising v·a_k − t_k (ties to the higher price). By the taxation
  principle (Rochet 1985; seed notes on multi-dimensional screening) this is
  exactly IC and IR on the whole continuum, so its expected revenue is the
  revenue of a feasible continuous mechanism — never above the continuous
  optimum — and it is estimated by Monte Carlo with its standard error.
* **Several bidders — rounded reports.** Each bidder's value is rounded to a grid
  type ρ(v) and the grid mechanism is run on the rounded profile. This is not
  exactly IC on the continuum: the estimate reports the regret measured on the
  samples, max_r u_i(r; v_i, ρ_{−i}) − u_i(ρ_i; v_i, ρ_{−i}) over grid reports r.
  Every continuous misreport v' reaches the mechanism as the grid report ρ(v'), so
  this maximum is the maximum over *all* misreports: the ex-post regret of the
  deep-learning papers (RegretNet's rgt_i = E[max_{v'_i} u_i(v'_i; v) − u_i(v_i; v)],
  others truthful), computed exactly per sample instead of by gradient ascent.

  ``rounding="nearest"`` rounds to the nearest grid type (a value below its cell's
  midpoint may then pay for the midpoint: the truthful utility can be negative, and
  the estimate reports that IR shortfall). ``rounding="down"`` rounds each item's
  value down to the grid (a product of per-item axes): v ≥ ρ(v) item by item, and an
  allocation is non-negative, so u_i = v_i·a(ρ) − t_i(ρ) ≥ ρ_i·a(ρ) − t_i(ρ) ≥ 0 by
  the grid mechanism's ex-post IR — *exactly IR on the continuum*. With grid points
  at the cells' lower corners each carrying its cell's probability
  (:meth:`lpmech.analytic.published.PublishedSetting.build` with ``at="corner"``),
  ρ(v) has the grid prior, so the continuous revenue equals the grid optimum and the
  samples estimate only the regret.

Values are those of an :class:`~lpmech.problem.allocation.Items` environment: a bidder's
type is its value per item (a scalar for one item).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree

from lpmech.arrays import FloatArray, IntArray
from lpmech.errors import InvalidArgumentError, InvalidEnvironmentError, InvalidMechanismError
from lpmech.problem.allocation import Items
from lpmech.results.mechanism import Mechanism


class FrozenDistribution(Protocol):
    """A frozen scipy.stats distribution, as far as sampling goes."""

    def rvs(self, size: int, random_state: np.random.Generator) -> ArrayLike:
        """``size`` independent draws."""


#: Draws ``n`` values of every item: ``(n, rng) -> array of shape (n, J)``.
Sampler = Callable[[int, np.random.Generator], FloatArray]

#: A law of one bidder's item values: a frozen scipy.stats distribution per item
#: (independent items), or a sampler ``(n, rng) -> array of shape (n, J)``.
Law = Sequence[FrozenDistribution] | Sampler

#: Samples evaluated at once (bounds memory to about CHUNK × menu entries floats).
CHUNK = 4096


@dataclass(frozen=True)
class ContinuousEstimate:
    """A grid mechanism's performance on continuous values, estimated from samples.

    Attributes
    ----------
    revenue, standard_error : float
        Sample mean of the revenue and its standard error s/√n.
    n_samples : int
    mean_regret, max_regret : float
        Over samples and bidders, the gain from the best misreport on the grid
        (exactly 0 for a one-bidder menu, where every type already picks its best).
    ir_violation : float
        Largest shortfall of a truthful utility below 0 (0 for a menu).
    method : str
        ``"menu"``, ``"rounded reports"`` (to the nearest type) or ``"reports
        rounded down"``.
    """

    revenue: float
    standard_error: float
    n_samples: int
    mean_regret: float
    max_regret: float
    ir_violation: float
    method: str

    def __str__(self) -> str:
        return (
            f"{self.method}: revenue {self.revenue:.6g} ± {self.standard_error:.2g} "
            f"(n = {self.n_samples}), regret mean {self.mean_regret:.3g} "
            f"max {self.max_regret:.3g}, IR violation {self.ir_violation:.3g}"
        )


@dataclass(frozen=True)
class Menu:
    """Entries (allocation of the items, price) offered to one bidder; entry 0 is (0, 0)."""

    allocations: FloatArray  # (M, J)
    prices: FloatArray  # (M,)

    def choose(self, values: FloatArray) -> IntArray:
        """The entry each value vector (rows of ``values``, shape (S, J)) takes.

        The utility-maximising entry; among entries within a relative 1e-12 of the
        best utility, the one with the highest price (the seller's tie-break).
        """
        utilities = values @ self.allocations.T - self.prices
        best = utilities.max(axis=1, keepdims=True)
        scale = np.abs(values).max(axis=1, keepdims=True) + np.abs(self.prices).max()
        near = utilities >= best - 1e-12 * scale
        return np.argmax(np.where(near, self.prices, -np.inf), axis=1)


def _items(mechanism: Mechanism) -> Items:
    env = mechanism.env
    if not isinstance(env.allocation, Items) or any(env.interdependent):
        raise InvalidEnvironmentError(
            "mechanism: continuous evaluation needs an auction of Items with private values"
        )
    if any(np.any(o != 0) for o in env.outside_options):
        raise InvalidEnvironmentError(
            "mechanism: continuous evaluation assumes outside options 0 (the null entry of a menu)"
        )
    return env.allocation


def menu(mechanism: Mechanism) -> Menu:
    """The one-bidder mechanism's distinct entries (a_k, t_k), the null entry first.

    Examples
    --------
    >>> from lpmech.problem.builders import single_item_auction
    >>> from lpmech.analytic import posted_price
    >>> entries = menu(posted_price(single_item_auction([1, 2, 3], 1), 2))
    >>> entries.allocations.tolist(), entries.prices.tolist()
    ([[0.0], [1.0]], [0.0, 2.0])
    """
    space = _items(mechanism)
    if mechanism.env.n_agents != 1:
        raise InvalidMechanismError(
            f"mechanism: a menu is for one bidder, got {mechanism.env.n_agents} (see evaluate())"
        )
    allocations = mechanism.flat_allocation[
        :, [space.component(0, j) for j in range(space.n_items)]
    ]
    entries = np.vstack(
        [
            np.zeros(space.n_items + 1),
            np.column_stack([allocations, mechanism.flat_payments[:, 0]]),
        ]
    )
    _, first = np.unique(entries, axis=0, return_index=True)
    entries = entries[np.sort(first)]
    return Menu(entries[:, :-1], entries[:, -1])


def _sampler(law: Law, n_items: int) -> Sampler:
    if callable(law):

        def draw(n: int, rng: np.random.Generator) -> FloatArray:
            sample = np.asarray(law(n, rng), dtype=float).reshape(n, -1)
            if sample.shape[1] != n_items or not np.all(np.isfinite(sample)):
                raise InvalidEnvironmentError(
                    f"law: the sampler must return finite values of shape ({n}, {n_items}), "
                    f"got {sample.shape}"
                )
            return sample

        return draw
    laws = list(law)
    if len(laws) != n_items or not all(hasattr(d, "rvs") for d in laws):
        raise InvalidEnvironmentError(
            f"law: expected {n_items} frozen scipy.stats "
            "distributions (one per item) or a sampler (n, rng)"
        )
    return lambda n, rng: np.column_stack([d.rvs(size=n, random_state=rng) for d in laws])


def evaluate(
    mechanism: Mechanism,
    law: Law,
    n_samples: int = 100_000,
    seed: int = 0,
    rounding: str = "nearest",
) -> ContinuousEstimate:
    """Expected revenue on continuous values (each bidder i.i.d. from ``law``), by sampling.

    One bidder: the mechanism as a :func:`menu`, exactly IC and IR on the
    continuum. Several bidders: reports rounded to a grid type (``rounding``:
    ``"nearest"``, or ``"down"`` item by item, exactly IR — see the module
    docstring), with the regret and IR shortfall measured on the samples.

    Examples
    --------
    >>> from scipy import stats
    >>> from lpmech.problem.builders import single_item_auction
    >>> from lpmech.analytic import posted_price
    >>> env = single_item_auction([0.25, 0.5, 0.75], 1)
    >>> estimate = evaluate(posted_price(env, 0.5), [stats.uniform()], 40_000)
    >>> abs(estimate.revenue - 0.25) < 4 * estimate.standard_error   # p(1 − p)
    True
    """
    space = _items(mechanism)
    if isinstance(n_samples, bool) or not isinstance(n_samples, int | np.integer):
        raise InvalidArgumentError(f"n_samples: expected a whole number, got {n_samples!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise InvalidArgumentError(f"seed: expected a whole number, got {seed!r}")
    if n_samples < 2:
        raise InvalidArgumentError(
            f"n_samples: need at least 2 for a standard error, got {n_samples}"
        )
    if rounding not in ROUNDINGS:
        raise InvalidArgumentError(
            f"rounding: expected one of {sorted(ROUNDINGS)}, got {rounding!r}"
        )
    draw = _sampler(law, space.n_items)
    rng = np.random.default_rng(seed)
    if mechanism.env.n_agents == 1:
        return _evaluate_menu(menu(mechanism), draw, n_samples, rng)
    rounders = [ROUNDINGS[rounding](agent.types) for agent in mechanism.env.agents]
    return _evaluate_rounded(mechanism, space, rounders, draw, n_samples, rng, rounding)


class NearestGridType:
    """The index of the nearest grid type (Euclidean) of each value vector."""

    def __init__(self, types: FloatArray) -> None:
        self._tree = cKDTree(np.asarray(types, dtype=float).reshape(len(types), -1))

    def __call__(self, values: FloatArray) -> IntArray:
        return np.asarray(self._tree.query(values)[1], dtype=np.intp)


class GridTypeBelow:
    """The index of the grid type ρ(v) with ρ_j(v) = max{g ∈ axis_j : g ≤ v_j} per item.

    Needs the types to be the full product of per-item axes; a value below an
    axis's lowest point has no grid type below it (the grid must start at the
    law's lowest value).
    """

    def __init__(self, types: FloatArray) -> None:
        types = np.asarray(types, dtype=float).reshape(len(types), -1)
        self._axes = [np.unique(column) for column in types.T]
        shape = tuple(len(axis) for axis in self._axes)
        if math.prod(shape) != len(types):
            raise InvalidArgumentError(
                "rounding: 'down' needs the types to be a product grid of per-item values, "
                f"got {len(types)} types on axes of {shape} values"
            )
        position = np.stack(
            [
                np.searchsorted(axis, column)
                for axis, column in zip(self._axes, types.T, strict=True)
            ],
            axis=1,
        )
        self._index = np.empty(shape, dtype=np.intp)
        self._index[tuple(position.T)] = np.arange(len(types))

    def __call__(self, values: FloatArray) -> IntArray:
        position = [
            np.searchsorted(axis, column, side="right") - 1
            for axis, column in zip(self._axes, values.T, strict=True)
        ]
        if any(np.any(p < 0) for p in position):
            raise InvalidArgumentError(
                "rounding: a sampled value lies below the grid's lowest point; with "
                "rounding='down' the grid must start at the law's lowest value"
            )
        return self._index[tuple(position)]


#: Rounding rules by name.
ROUNDINGS: dict[str, Callable[[FloatArray], Callable[[FloatArray], IntArray]]] = {
    "nearest": NearestGridType,
    "down": GridTypeBelow,
}


def _evaluate_menu(
    entries: Menu, draw: Sampler, n_samples: int, rng: np.random.Generator
) -> ContinuousEstimate:
    revenue = np.concatenate(
        [entries.prices[entries.choose(draw(size, rng))] for size in _chunks(n_samples)]
    )
    return ContinuousEstimate(
        float(revenue.mean()), _standard_error(revenue), n_samples, 0.0, 0.0, 0.0, "menu"
    )


def _evaluate_rounded(
    mechanism: Mechanism,
    space: Items,
    rounders: Sequence[Callable[[FloatArray], IntArray]],
    draw: Sampler,
    n_samples: int,
    rng: np.random.Generator,
    rounding: str,
) -> ContinuousEstimate:
    env = mechanism.env
    columns = [[space.component(i, j) for j in range(space.n_items)] for i in range(env.n_agents)]
    revenue, regret, shortfall = [], [], []
    for size in _chunks(n_samples):
        values = [draw(size, rng) for _ in range(env.n_agents)]
        reports = np.column_stack([round_(v) for round_, v in zip(rounders, values, strict=True)])
        truthful = env.layout.profile_index(reports)
        revenue.append(mechanism.flat_payments[truthful].sum(axis=1))
        gains = np.zeros((size, env.n_agents))
        for i in range(env.n_agents):
            deviations = np.repeat(reports[:, None, :], env.type_counts[i], axis=1)
            deviations[:, :, i] = np.arange(env.type_counts[i])
            profiles = env.layout.profile_index(deviations)  # (S, K_i)
            utility = (
                np.einsum(
                    "sj,skj->sk", values[i], mechanism.flat_allocation[profiles][:, :, columns[i]]
                )
                - mechanism.flat_payments[profiles, i]
            )
            own = utility[np.arange(size), reports[:, i]]
            gains[:, i] = utility.max(axis=1) - own
            shortfall.append(np.maximum(-own, 0.0))
        regret.append(gains)
    revenue_all, regret_all = np.concatenate(revenue), np.concatenate(regret)
    return ContinuousEstimate(
        float(revenue_all.mean()),
        _standard_error(revenue_all),
        n_samples,
        float(regret_all.mean()),
        float(regret_all.max()),
        float(np.concatenate(shortfall).max()),
        "reports rounded down" if rounding == "down" else "rounded reports",
    )


def _chunks(n: int) -> list[int]:
    return [min(CHUNK, n - start) for start in range(0, n, CHUNK)]


def _standard_error(sample: FloatArray) -> float:
    return float(sample.std(ddof=1) / np.sqrt(len(sample)))


def extrapolate(points: Sequence[tuple[int, float]]) -> tuple[float, float] | None:
    """The n → ∞ value of R(n) from grid optima, and its uncertainty.

    Two fits of the discretisation error: R(n) = R∞ + c/n + d/n² on every grid, and
    R∞ + c/n on the three finest; the value is their mean and the uncertainty half
    their difference plus the quadratic fit's largest residual. An extrapolation,
    not a bound. None with fewer than three grids.
    """
    if len(points) < 3:
        return None
    n = np.array([p for p, _ in points], dtype=float)
    r = np.array([v for _, v in points])
    quadratic = np.column_stack([np.ones_like(n), 1 / n, 1 / n**2])
    full, *_ = np.linalg.lstsq(quadratic, r, rcond=None)
    finest = np.argsort(n)[-3:]
    linear, *_ = np.linalg.lstsq(quadratic[finest, :2], r[finest], rcond=None)
    residual = float(np.abs(quadratic @ full - r).max())
    return float((full[0] + linear[0]) / 2), float(abs(full[0] - linear[0]) / 2 + residual)
