"""How the ``lpmech`` command reports bad input: one line on stderr, never a traceback.

A malformed command line (unknown option, bad value) exits with status 2 and
one line ``PROG: error: MESSAGE (see 'PROG --help')``, not argparse's usage
block; a library error or a file that cannot be read or written exits with
status 1 and one line ``lpmech: error: MESSAGE``. A picture name matplotlib
cannot write is refused before any solving.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from lpmech.errors import InvalidArgumentError
from lpmech.extras import require


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def check_picture_name(path: str, option: str) -> None:
    """Refuse, before any solving, a picture file whose suffix matplotlib cannot write."""
    backend_bases = require("matplotlib.backend_bases", "plot", option)
    kinds = backend_bases.FigureCanvasBase.get_supported_filetypes()
    if Path(path).suffix.lower().lstrip(".") not in kinds:
        raise InvalidArgumentError(
            f"{option}: {path!r} should end in one of "
            f"{', '.join('.' + kind for kind in sorted(kinds))}"
        )


def file_error_message(error: OSError) -> str:
    """``FILE: reason`` for a file that could not be read or written."""
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return str(error)


def report(message: object) -> int:
    """Print ``lpmech: error: MESSAGE`` on stderr; returns the exit status 1."""
    print(f"lpmech: error: {message}", file=sys.stderr)
    return 1
