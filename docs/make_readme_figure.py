"""Draw the README's picture: the optimal menu for two items on a 50 × 50 grid.

One buyer values two items additively, each value uniform on a 50-point grid of
[0, 1] (the ``multi_item`` model); the revenue-optimal DSIC, ex-post IR mechanism
is solved by constraint generation and drawn as one heatmap per item, the
picture of Manelli and Vincent (2006) and of the deep-learning auction papers.

    python docs/make_readme_figure.py                      # rewrites docs/readme_figure.png
    python docs/make_readme_figure.py --grid 10 --output /tmp/figure.png
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import lpmech
from lpmech.models import MODELS

FIGURE = Path(__file__).with_name("readme_figure.png")
DPI = 80


def draw(grid: int) -> tuple[lpmech.Solution, Any]:
    """The optimal two-item menu on a ``grid`` × ``grid`` grid, and its figure."""
    two_items = MODELS["multi_item"].environment(n_grid=grid)
    menu = lpmech.solve(two_items, "revenue", ["dsic", "ex_post_ir"])
    return menu, menu.plot(figsize=(8, 3.4))  # one heatmap per item over the type grid


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=50, help="grid points per item")
    parser.add_argument("--output", type=Path, default=FIGURE)
    options = parser.parse_args(argv)

    menu, figure = draw(options.grid)
    figure.savefig(options.output, dpi=DPI)
    print(
        f"{options.output}: optimal revenue {menu.objective_value:.6f} on a "
        f"{options.grid} × {options.grid} grid ({menu.report.formulation})"
    )
    return options.output


if __name__ == "__main__":
    main()
