"""The distribution ships every subpackage: a non-editable install has only what is listed."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_of_lpmech_is_listed_in_pyproject():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    on_disk = {
        "lpmech." + ".".join(init.parent.relative_to(ROOT / "lpmech").parts)
        for init in (ROOT / "lpmech").rglob("__init__.py")
        if init.parent != ROOT / "lpmech"
    }
    assert on_disk, "no subpackages found: the test looks in the wrong place"
    assert on_disk <= listed, f"not shipped by `pip install .`: {sorted(on_disk - listed)}"
