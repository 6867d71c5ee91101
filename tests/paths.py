"""Where the tests and the repository are, for tests in any folder below tests/."""

from __future__ import annotations

from pathlib import Path

#: The tests/ folder (on sys.path through conftest.py, so helpers such as oracle import).
TESTS = Path(__file__).resolve().parent
#: The repository's root.
ROOT = TESTS.parent
