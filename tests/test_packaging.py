"""The distribution ships every subpackage: a non-editable install has only what is listed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

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


def test_every_library_error_is_exported():
    import inspect

    import lpmech
    from lpmech import errors

    defined = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value) and issubclass(value, errors.LpmechError)
    }
    assert defined <= set(lpmech.__all__), sorted(defined - set(lpmech.__all__))


@pytest.mark.slow
def test_public_submodules_are_attributes_after_import_alone():
    """``import lpmech`` then ``lpmech.plots`` etc., in a process that imported nothing else."""
    from fresh_process import run_python

    code = (
        "import sys, lpmech\n"
        "assert 'matplotlib' not in sys.modules and 'pandas' not in sys.modules\n"
        "mods = [lpmech.plots, lpmech.continuous, lpmech.models, lpmech.analytic, lpmech.exact]\n"
        "functions = [lpmech.audit, lpmech.compare]\n"
        "print(' '.join(m.__name__ for m in mods + functions))\n"
    )
    out = run_python("-c", code).stdout.split()
    assert out == [
        "lpmech.views.plots",
        "lpmech.checks.continuous",
        "lpmech.models",
        "lpmech.analytic",
        "lpmech.exact",
        "audit",
        "compare",
    ]


def test_no_public_function_shadows_its_module():
    """``lpmech.solving.pipeline`` holds ``solve``: no package attribute that is a function
    has the name of one of the package's submodules."""
    import importlib
    import pkgutil

    import lpmech

    for package in pkgutil.walk_packages(lpmech.__path__, "lpmech."):
        if not package.ispkg:
            continue
        module = importlib.import_module(package.name)
        submodules = {info.name for info in pkgutil.iter_modules(module.__path__)}
        shadowed = [name for name in submodules if callable(getattr(module, name, None))]
        assert not shadowed, f"{package.name}: {shadowed}"
