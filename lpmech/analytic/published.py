r"""The multi-item settings of the literature, as grids, with their published revenues.

Deep-learning auction papers (RegretNet, Dütting et al. 2019, and successors)
benchmark against a handful of settings with known continuous optima. Each
:class:`PublishedSetting` builds the setting on an n-point-per-item midpoint
grid (:func:`~lpmech.analytic.discretisation.discretise`, ``grid="uniform"``: cell
midpoints carrying their cells' probabilities) and gives the continuous law, so
a grid optimum can be evaluated on it (:func:`lpmech.checks.continuous.evaluate`) and
set beside the published number.

=======================  ==========================================  =========
setting                  source                                      revenue
=======================  ==========================================  =========
additive U[0,1]²         Manelli and Vincent (2006)                  0.5491
unit-demand U[2,3]²      Pavlov (2011)                               2.137
additive U[4,16]×U[4,7]  Daskalakis, Deckelbaum and Tzamos (2017)    9.781
additive, triangle       uniform on {v1 + v2 ≤ 1}; Dütting et al.    0.388
unit-demand U[0,1]²      Pavlov (2011)                               0.384
2 bidders, additive      RegretNet, Dütting et al. (2019) (learned,  0.878
U[0,1]²                  regret ~1e-3; the optimum is unknown)
2 bidders, 3 additive    none: the optimum is unknown (item-wise     —
items U[0,1]³            Myerson earns 5/4)
=======================  ==========================================  =========

The triangle's cells are weighted by their exact area inside the triangle, and
cells outside it are dropped.

*What is comparable.* The one-bidder numbers are continuous optima of exactly IC
and IR mechanisms; a grid optimum evaluated as a menu is such a mechanism, so it
can only fall short of them. RegretNet's 0.878 is the revenue of a learned
mechanism that is exactly IR but IC only up to a regret its authors estimate by
gradient ascent on misreports (mean ex-post regret per bidder about 1e-3); later
work (You, Zhuang, Wang and Wang, arXiv 2601.13489, 2026) finds such estimates can
fall well short of the true regret. A grid optimum on cell corners with reports
rounded down (``build(n, at="corner")`` with
:func:`lpmech.checks.continuous.evaluate`, ``rounding="down"``) is of the same kind
— exactly IR, regret computed exactly over every misreport — so revenue *at a
stated regret* is what can be set side by side; the midpoint grid optimum is
neither IR on the continuum nor a bound, only a point of the convergence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from lpmech.analytic.discretisation import FrozenDistribution, discretise
from lpmech.arrays import FloatArray
from lpmech.errors import InvalidArgumentError
from lpmech.problem.builders import multi_item_auction
from lpmech.problem.environment import Environment


@dataclass(frozen=True)
class PublishedSetting:
    """One setting: bidders, items and their law, and the revenue published for it."""

    name: str
    n_bidders: int
    unit_demand: bool
    #: One frozen scipy.stats law per item (independent), or None for the triangle.
    item_laws: tuple[FrozenDistribution, ...] | None
    #: The revenue the source reports, or None where none is published.
    published: float | None
    source: str

    @property
    def n_items(self) -> int:
        """How many items each bidder values (the triangle's two)."""
        return 2 if self.item_laws is None else len(self.item_laws)

    def grid(self, n_points: int, at: str = "midpoint") -> tuple[FloatArray, FloatArray]:
        """Type rows (value per item) and their probabilities on the grid of equal cells.

        Each point carries its cell's probability; ``at="midpoint"`` places it at the
        cell's midpoint, ``at="corner"`` at its lower corner (the lowest values of
        the cell: rounding a continuous value down to such a grid keeps the grid's
        law, see :func:`lpmech.checks.continuous.evaluate`).
        """
        if at not in ("midpoint", "corner"):
            raise InvalidArgumentError(f"at: expected 'midpoint' or 'corner', got {at!r}")
        if self.item_laws is None:
            types, prior = _triangle_grid(n_points)
            return (types - 0.5 / n_points if at == "corner" else types), prior
        axes = [discretise(law, n_points, grid="uniform") for law in self.item_laws]
        if at == "corner":  # each midpoint moved down by half its cell
            axes = [
                (values - (law.support()[1] - law.support()[0]) / (2 * n_points), prior)
                for law, (values, prior) in zip(self.item_laws, axes, strict=True)
            ]
        points = np.meshgrid(*[values for values, _ in axes], indexing="ij")
        masses = np.meshgrid(*[prior for _, prior in axes], indexing="ij")
        return (
            np.stack(points, axis=-1).reshape(-1, len(axes)),
            np.prod(np.stack(masses, axis=-1), axis=-1).ravel(),
        )

    def build(self, n_points: int, at: str = "midpoint") -> Environment:
        """The setting on an ``n_points``-per-item grid (:meth:`grid`), every bidder alike."""
        types, prior = self.grid(n_points, at)
        return multi_item_auction(
            types, self.n_bidders, priors=prior, unit_demand=self.unit_demand
        )

    @property
    def law(self) -> tuple[object, ...] | Callable[[int, np.random.Generator], FloatArray]:
        """The continuous law of one bidder's values, for
        :func:`lpmech.checks.continuous.evaluate`."""
        return self.item_laws if self.item_laws is not None else _sample_triangle


def _triangle_grid(n_points: int) -> tuple[FloatArray, FloatArray]:
    """Midpoints of the n × n cells of [0, 1]², weighted by their area under v1 + v2 ≤ 1."""
    width = 1.0 / n_points
    low = np.arange(n_points) * width
    corner = (low[:, None] + low[None, :]).ravel()  # v1 + v2 at each cell's lower corner
    reach = np.clip(1.0 - corner, 0.0, 2 * width)  # how far the line runs into the cell
    area = np.where(reach <= width, reach**2 / 2, width**2 - (2 * width - reach) ** 2 / 2)
    middle = low + width / 2
    types = np.stack(np.meshgrid(middle, middle, indexing="ij"), axis=-1).reshape(-1, 2)
    keep = area > 0
    return types[keep], area[keep] / area[keep].sum()


def _sample_triangle(n: int, rng: np.random.Generator) -> FloatArray:
    """Uniform on {v ≥ 0, v1 + v2 ≤ 1}: a uniform point of the square, reflected if above."""
    points = rng.uniform(size=(n, 2))
    above = points.sum(axis=1) > 1
    points[above] = 1.0 - points[above]
    return points


SETTINGS: dict[str, PublishedSetting] = {
    s.name: s
    for s in (
        PublishedSetting(
            "additive U[0,1]^2",
            1,
            False,
            (stats.uniform(),) * 2,
            0.5491,
            "Manelli and Vincent (2006)",
        ),
        PublishedSetting(
            "unit-demand U[2,3]^2", 1, True, (stats.uniform(2, 1),) * 2, 2.137, "Pavlov (2011)"
        ),
        PublishedSetting(
            "additive U[4,16]xU[4,7]",
            1,
            False,
            (stats.uniform(4, 12), stats.uniform(4, 3)),
            9.781,
            "Daskalakis, Deckelbaum and Tzamos (2017)",
        ),
        PublishedSetting(
            "additive triangle v1+v2<=1", 1, False, None, 0.388, "Dütting et al. (2019), RegretNet"
        ),
        PublishedSetting(
            "unit-demand U[0,1]^2", 1, True, (stats.uniform(),) * 2, 0.384, "Pavlov (2011)"
        ),
        PublishedSetting(
            "2 bidders, additive U[0,1]^2",
            2,
            False,
            (stats.uniform(),) * 2,
            0.878,
            "Dütting et al. (2019), RegretNet (learned; regret ~1e-3)",
        ),
        PublishedSetting(
            "2 bidders, 3 additive items U[0,1]^3",
            2,
            False,
            (stats.uniform(),) * 3,
            None,
            "no published optimum; item-wise Myerson earns 3 · 5/12 = 5/4",
        ),
    )
}
