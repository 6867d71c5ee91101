"""Optional dependencies: a clear error naming the extra when one is missing."""

from __future__ import annotations

import sys

import pytest
from fresh_process import run_python

import lpmech
from lpmech.errors import MissingExtraError


@pytest.fixture(scope="module")
def solution():
    return lpmech.solve(lpmech.single_item_auction([1, 2, 3], n_bidders=1))


@pytest.mark.parametrize(
    ("module", "extra", "call"),
    [
        ("matplotlib", "plot", lambda s: s.plot()),
        ("matplotlib", "plot", lambda s: s.mechanism.plot()),
        ("pandas", "frames", lambda s: s.mechanism.to_frame()),
        ("pandas", "frames", lambda s: s.verification.to_frame()),
        ("pandas", "frames", lambda s: s.duals_frame()),
    ],
)
def test_a_missing_optional_dependency_names_its_extra(solution, monkeypatch, module, extra, call):
    for name in [m for m in sys.modules if m == module or m.startswith(module + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail
    expected = rf'needs {module}, .*pip install "lpmech\[{extra}\]"'
    with pytest.raises(MissingExtraError, match=expected) as missing:
        call(solution)
    assert missing.value.extra == extra


@pytest.mark.slow
def test_the_core_does_not_import_pandas_or_matplotlib():
    code = (
        "import sys, lpmech; lpmech.solve(lpmech.single_item_auction([1, 2], n_bidders=1)); "
        "print(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules))"
    )
    out = run_python("-c", code).stdout
    assert out.strip().splitlines()[-1] == "[]"
