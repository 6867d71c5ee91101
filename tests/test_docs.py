"""The documentation covers what it promises: every public name, every constraint name."""

from __future__ import annotations

import pydoc
import re
from pathlib import Path

import lpmech
from lpmech.constraints import ALIASES, BUILT_IN

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_api_reference_lists_every_public_name():
    listed = set(re.findall(r"^   (\w+)$", (DOCS / "api" / "index.rst").read_text(), re.M))
    assert set(lpmech.__all__) <= listed, sorted(set(lpmech.__all__) - listed)


def test_help_of_solve_says_what_it_returns_and_every_constraint_name():
    text = pydoc.render_doc(lpmech.solve, renderer=pydoc.plaintext)
    assert "Returns\n    -------\n    Solution" in text
    for name in [*BUILT_IN, *ALIASES]:
        assert f'"{name}"' in text, name


def test_every_theory_page_runs_lpmech_and_shows_a_gallery_figure():
    pages = sorted((DOCS / "theory").glob("*.md"))
    results = [page for page in pages if page.name != "index.md"]
    assert len(results) >= 8
    gallery = {p.stem for p in (DOCS.parent / "examples").glob("*.py")}
    for page in results:
        text = page.read_text()
        assert ">>> import lpmech" in text, page.name  # numbers come from running lpmech
        figures = re.findall(r"sphx_glr_(\w+?)_\d{3}\.png", text)
        assert figures, f"{page.name} shows no figure"
        assert set(figures) <= gallery, page.name
