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
* **Several bidders — rounded reports.** Each bidder's value is rounded to the
  nearest grid type and the grid mechanism is run on the rounded profile. This
  is not exactly IC on the continuum: the estimate reports the regret measured
  on the samples, max_r u_i(r; v_i, ρ_{−i}) − u_i(ρ_i; v_i, ρ_{−i}) over grid
  reports r (the sampled regret of the deep-learning papers, here of a known
  mechanism), and the ex-post IR shortfall.

Values are those of an :class:`~lpmech.problem.allocation.Items` environment: a bidder's
type is its value per item (a scalar for one item).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from lpmech.arrays import FloatArray, IntArray
from lpmech.errors import InvalidArgumentError, InvalidEnvironmentError, InvalidMechanismError
from lpmech.problem.allocation import Items
from lpmech.results.mechanism import Mechanism

#: A law of one bidder's item values: a frozen scipy.stats distribution per item
#: (independent items), or a sampler ``(n, rng) -> array of shape (n, J)``.
Law = Sequence[object] | Callable[[int, np.random.Generator], FloatArray]

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
        ``"menu"`` or ``"rounded reports"``.
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


def _sampler(law: Law, n_items: int) -> Callable[[int, np.random.Generator], FloatArray]:
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
    mechanism: Mechanism, law: Law, n_samples: int = 100_000, seed: int = 0
) -> ContinuousEstimate:
    """Expected revenue on continuous values (each bidder i.i.d. from ``law``), by sampling.

    One bidder: the mechanism as a :func:`menu`, exactly IC and IR on the
    continuum. Several bidders: reports rounded to the nearest grid type, with
    the regret and IR shortfall measured on the samples.

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
    draw = _sampler(law, space.n_items)
    rng = np.random.default_rng(seed)
    if mechanism.env.n_agents == 1:
        return _evaluate_menu(menu(mechanism), draw, n_samples, rng)
    return _evaluate_rounded(mechanism, space, draw, n_samples, rng)


def _evaluate_menu(
    entries: Menu, draw: Callable, n_samples: int, rng: np.random.Generator
) -> ContinuousEstimate:
    revenue = np.concatenate(
        [entries.prices[entries.choose(draw(size, rng))] for size in _chunks(n_samples)]
    )
    return ContinuousEstimate(
        float(revenue.mean()), _standard_error(revenue), n_samples, 0.0, 0.0, 0.0, "menu"
    )


def _evaluate_rounded(
    mechanism: Mechanism, space: Items, draw: Callable, n_samples: int, rng: np.random.Generator
) -> ContinuousEstimate:
    env = mechanism.env
    grids = [np.asarray(a.types, dtype=float).reshape(a.n_types, -1) for a in env.agents]
    trees = [cKDTree(grid) for grid in grids]
    columns = [[space.component(i, j) for j in range(space.n_items)] for i in range(env.n_agents)]
    revenue, regret, shortfall = [], [], []
    for size in _chunks(n_samples):
        values = [draw(size, rng) for _ in range(env.n_agents)]
        reports = np.column_stack(
            [tree.query(v)[1] for tree, v in zip(trees, values, strict=True)]
        )
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
        "rounded reports",
    )


def _chunks(n: int) -> list[int]:
    return [min(CHUNK, n - start) for start in range(0, n, CHUNK)]


def _standard_error(sample: FloatArray) -> float:
    return float(sample.std(ddof=1) / np.sqrt(len(sample)))
