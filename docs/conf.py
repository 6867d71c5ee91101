"""Sphinx configuration of lpmech's documentation site.

Build it (warnings are errors, every cross-reference must resolve)::

    pip install -e ".[docs]"
    python -m sphinx -W -n --keep-going -b html docs docs/_build/html

The gallery runs every script in ``examples/`` and keeps the figures it draws;
pages' ``>>>`` examples are run by pytest (``--doctest-glob="*.md"``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import lpmech

sys.path.insert(0, str(Path(__file__).parent))  # gallery_figures, the gallery's scraper

project = "lpmech"
author = "the lpmech developers"
copyright = "2026, the lpmech developers"
release = lpmech.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "gallery/*.ipynb", "gallery/*.py", "gallery/*.zip", "**.md5"]
templates_path = ["_templates"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

# ---------------------------------------------------------------- API reference


autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "undoc-members": True}
autodoc_typehints = "none"  # numpydoc's Parameters sections say it in words
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()
add_module_names = False

# Without network access there is no intersphinx: names from other libraries
# (numpy, scipy, cvxpy, pandas, matplotlib, the standard library) stay plain text.
EXTERNAL = (
    r"(numpy|np|scipy|cvxpy|cp|pandas|pd|matplotlib|dask|distributed|highspy|flint|"
    r"collections|typing|pathlib|fractions|os|io|concurrent|enum|dataclasses|"
    r"contextlib|json|datetime|abc|numbers|argparse|types|signal|threading|multiprocessing|"
    r"tomllib|functools|itertools|math|sys|time|warnings|inspect|weakref|tempfile|shutil)\b.*"
)
BUILTINS = (
    r"(int|float|str|string|bool|bytes|dict|list|tuple|set|frozenset|object|type|None|"
    r"Exception|ValueError|TypeError|KeyError|IndexError|RuntimeError|"
    r"Warning|UserWarning|RuntimeWarning|Callable|Iterator|Iterable|Sequence|Mapping|Any)"
)
nitpick_ignore_regex = [
    # private helpers are not documented; a docstring may still name one
    (r"py:.*", r"(.*\.)?_[A-Za-z]\w*"),
    (r"py:.*", EXTERNAL),
    (r"py:.*", BUILTINS),
]

#: ``|x|`` in a docstring is an absolute value (docstrings are written for ``help()``),
#: never a reStructuredText substitution.
_ABSOLUTE_VALUE = re.compile(r"(?<![\\|`])\|(?=[^\s|])([^|`\n]*?[^\s|\\])\|(?![|_])")


#: A star that opens no emphasis on its line: ``(*profiles.shape, C)``, ``*rest``.
_LONE_STAR = re.compile(r"(?<=[\s(\[,])\*(?=\w[^*]*$)")

#: Modules whose docstring is a command-line usage table, shown as written.
PREFORMATTED = {"lpmech.cli.commands"}


def plain_text_notation(app, what, name, obj, options, lines):
    """Read docstrings written for ``help()`` as reStructuredText.

    Absolute values are escaped (outside inline literals and doctests), lone
    stars too, and a usage table is kept preformatted.
    """
    if what == "module" and name in PREFORMATTED:
        summary, *body = lines
        lines[:] = [summary, "", "::", "", *("    " + line for line in body)]
        return
    for n, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith((">>>", "...", "+-")):
            continue
        parts = line.split("``")
        parts[::2] = [
            _LONE_STAR.sub(r"\\*", _ABSOLUTE_VALUE.sub(r"\\|\1\\|", part)) for part in parts[::2]
        ]
        lines[n] = "``".join(parts)


def resolve_by_short_name(app, env, node, contnode):
    """Resolve a Python reference by the end of its name when its own name does not resolve.

    Docstrings say :class:`Mechanism` or :meth:`rows` in the context of the module
    or class that uses them; the object may be documented under another module
    (``lpmech.Mechanism``, ``lpmech.ConstraintFamily.rows``). A unique match, or
    the shortest ``lpmech.`` name among several, is taken.
    """
    if node.get("refdomain") != "py":
        return None
    parts = re.sub(r"\s+", "", node["reftarget"]).lstrip("~.").split(".")
    objects = [
        (name, entry.docname, entry.node_id)
        for name, entry in env.get_domain("py").objects.items()
        if name.startswith("lpmech.")
    ]
    for start in range(len(parts)):  # the longest tail of the name that matches
        tail = ".".join(parts[start:])
        matches = [m for m in objects if m[0] == tail or m[0].endswith("." + tail)]
        shortened = start > 0 and start == len(parts) - 1  # only the last name is left
        public = [m for m in matches if m[0] == "lpmech." + tail]
        if shortened and len(matches) > 1:
            matches = public  # a name of lpmech.__all__ documented also in its module
        if matches:
            break
    else:
        return None
    name, docname, anchor = min(matches, key=lambda m: len(m[0]))
    from sphinx.util.nodes import make_refnode

    return make_refnode(app.builder, node["refdoc"], docname, anchor, contnode, name)


def only_own_members(app, what, name, obj, skip, options):
    """Skip what a module merely imports (numpy aliases, scipy classes) from its page.

    ``lpmech.__main__`` runs the command line when imported, so it is never documented.
    """
    if name.endswith("__main__") or hasattr(obj, "__origin__"):  # or a typing alias
        return True
    module = getattr(obj, "__module__", None)
    if what == "module" and isinstance(obj, type) and module and not module.startswith("lpmech"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", only_own_members)
    app.connect("autodoc-process-docstring", plain_text_notation)
    app.connect("missing-reference", resolve_by_short_name)


# ---------------------------------------------------------------- theme
html_theme = "pydata_sphinx_theme"
html_title = "lpmech"
html_static_path = ["_static"]
html_css_files = ["lpmech.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_sidebars = {"index": []}
html_show_sourcelink = False


# ---------------------------------------------------------------- gallery
ROOT = Path(__file__).resolve().parent.parent

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "gallery",
    "filename_pattern": r".*\.py",
    "image_scrapers": ("matplotlib", "gallery_figures.lpmech_figures"),
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_signature": False,
    "capture_repr": (),
    "matplotlib_animations": False,
}
