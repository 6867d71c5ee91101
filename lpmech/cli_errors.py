"""How the ``lpmech`` command reports bad input: one line on stderr, never a traceback.

A malformed command line (unknown option, bad value) exits with status 2 and
one line ``PROG: error: MESSAGE (see 'PROG --help')``, not argparse's usage
block; a library error or a file that cannot be read or written exits with
status 1 and one line ``lpmech: error: MESSAGE``.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def file_error_message(error: OSError) -> str:
    """``FILE: reason`` for a file that could not be read or written."""
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return str(error)


def report(message: object) -> int:
    """Print ``lpmech: error: MESSAGE`` on stderr; returns the exit status 1."""
    print(f"lpmech: error: {message}", file=sys.stderr)
    return 1
