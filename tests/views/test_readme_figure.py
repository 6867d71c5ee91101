"""The README's picture is drawn by a script in the repository, and shows the optimal menu."""

from __future__ import annotations

import runpy

import matplotlib.image
import numpy as np
import pytest
from paths import ROOT

SCRIPT = ROOT / "docs" / "make_readme_figure.py"


@pytest.fixture(scope="module")
def script() -> dict:
    return runpy.run_path(str(SCRIPT))


def test_the_figure_shows_each_items_probability_over_the_value_grid(script):
    grid = 6
    menu, figure = script["draw"](grid)
    heatmaps = [ax for ax in figure.axes if ax.images]
    assert [ax.get_title() for ax in heatmaps] == [
        "P(item 1 to bidder 1)",
        "P(item 2 to bidder 1)",
    ]
    env = menu.mechanism.env
    types = env.agents[0].types
    for item, ax in enumerate(heatmaps):
        assert ax.get_xlabel() == "value for item 1"
        assert ax.get_ylabel() == "value for item 2"
        image = np.asarray(ax.images[0].get_array())
        assert image.shape == (grid, grid)
        assert np.all((image >= -1e-9) & (image <= 1 + 1e-9))  # probabilities
        # cell (y, x) is the probability of the item at the type with values (x, y)
        xs, ys = np.unique(types[:, 0]), np.unique(types[:, 1])
        for k, (x, y) in enumerate(types):
            cell = image[np.searchsorted(ys, y), np.searchsorted(xs, x)]
            assert cell == pytest.approx(menu.mechanism.flat_allocation[k, item])
    # the highest type buys both items, the lowest buys nothing
    assert heatmaps[0].images[0].get_array()[-1, -1] == pytest.approx(1.0)
    assert heatmaps[1].images[0].get_array()[0, 0] == pytest.approx(0.0)


def test_the_script_writes_the_png(script, tmp_path, capsys):
    output = script["main"](["--grid", "6", "--output", str(tmp_path / "figure.png")])
    pixels = matplotlib.image.imread(output)
    assert pixels.shape[:2] == (3.4 * script["DPI"], 8 * script["DPI"])
    assert "optimal revenue" in capsys.readouterr().out


def test_the_readme_shows_the_committed_figure(script):
    pixels = matplotlib.image.imread(SCRIPT.with_name("readme_figure.png"))
    assert pixels.shape[:2] == (3.4 * script["DPI"], 8 * script["DPI"])  # drawn by the script
    assert pixels.std() > 0.05  # not blank
    readme = (ROOT / "README.md").read_text()
    assert "](docs/readme_figure.png)" in readme
    assert "docs/make_readme_figure.py" in readme
