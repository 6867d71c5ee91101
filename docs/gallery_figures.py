"""The gallery's image scraper for figures that pyplot does not manage."""

from __future__ import annotations

import weakref
from typing import Any

_SAVED: weakref.WeakSet = weakref.WeakSet()


def lpmech_figures(block: Any, block_vars: dict, gallery_conf: dict) -> str:
    """Save the figures an example holds in its variables that pyplot does not manage.

    lpmech's plots never use pyplot (so notebooks show them once), which hides
    them from sphinx-gallery's own matplotlib scraper; this one finds them among
    the example's globals and writes each once.
    """
    from matplotlib.figure import Figure
    from sphinx_gallery.scrapers import figure_rst

    figures = [
        value
        for value in block_vars["example_globals"].values()
        if isinstance(value, Figure) and value.canvas.manager is None and value not in _SAVED
    ]
    names = []
    for figure, path in zip(figures, block_vars["image_path_iterator"], strict=False):
        figure.savefig(path, dpi=110)
        _SAVED.add(figure)
        names.append(path)
    return figure_rst(names, gallery_conf["src_dir"])
