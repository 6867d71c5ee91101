"""Run Python in a fresh interpreter, for tests of what a new process imports or prints."""

from __future__ import annotations

import subprocess
import sys


def run_python(
    *arguments: str, timeout: float = 300, check: bool = True
) -> subprocess.CompletedProcess:
    """``python *arguments`` in a new process (this interpreter), output captured as text."""
    return subprocess.run(
        [sys.executable, *arguments], capture_output=True, text=True, timeout=timeout, check=check
    )
