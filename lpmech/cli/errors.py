"""How the ``lpmech`` command reports bad input: one line on stderr, never a traceback.

A malformed command line (unknown option, bad value) exits with status 2 and
one line ``PROG: error: MESSAGE (see 'PROG --help')``, not argparse's usage
block; a library error, a file that cannot be read or written, or running out
of memory exits with status 1 and one line ``lpmech: error: MESSAGE``; Ctrl-C
exits with status 130 and one line ``lpmech: interrupted``; a reader that
closes the pipe early (``lpmech check | head``) ends the command quietly with
status 1. A picture name matplotlib cannot write is refused before any solving.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# os._exit is documented public API (the underscore is historical): it ends the process
# at once, without clean-up, from any thread
from os import _exit as end_process_now
from pathlib import Path
from typing import NoReturn

from lpmech.errors import InvalidArgumentError, LpmechError
from lpmech.extras import require

#: Exit statuses: success, a failure, a malformed command line, Ctrl-C (128 + SIGINT).
OK, FAILURE, USAGE, INTERRUPTED = 0, 1, 2, 130


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


def run_reporting(command: Callable[[], int]) -> int:
    """Run ``command``; what it raises becomes one line on stderr and an exit status.

    ``SystemExit`` (argparse's status 2 for a malformed command line) passes through.
    """
    try:
        status = command()
        sys.stdout.flush()  # a closed pipe shows here rather than at interpreter exit
        return status
    except BrokenPipeError:
        return _pipe_closed()
    except KeyboardInterrupt:
        _interrupt_handled.set()
        print("lpmech: interrupted", file=sys.stderr)
        return INTERRUPTED
    except LpmechError as error:
        return report(error)
    except OSError as error:  # a file named on the command line cannot be read or written
        return report(file_error_message(error))
    except MemoryError as error:
        return report(f"out of memory ({error or 'MemoryError'}); try a smaller problem")
    except Exception as error:  # a bug: still one line, never a traceback
        return report(f"unexpected {type(error).__name__}: {error} (please report this)")


def _pipe_closed() -> int:
    """The reader of stdout went away: say nothing more, and leave no flush error at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return FAILURE


@contextmanager
def exit_on_interrupt() -> Iterator[None]:
    """Within this block Ctrl-C ends the process at once: ``lpmech: interrupted``, status 130.

    Python's ``KeyboardInterrupt`` cleans up (a sweep ends its workers and keeps every
    finished row), but a solve runs in HiGHS's C code, which does not return to Python
    until it is done. So the C-level signal handler also writes to a pipe
    (:func:`signal.set_wakeup_fd`) that a thread watches: if the interruption has not
    been handled :data:`GRACE_SECONDS` later, the thread ends the process. Outside the
    main thread this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read, write = os.pipe()
    os.set_blocking(write, False)
    previous = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    threading.Thread(target=_watch_signals, args=(read,), daemon=True).start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(previous)
        os.close(write)  # the watching thread reads the end of the pipe and stops


#: Seconds Python has to handle Ctrl-C before the process is ended from outside it.
GRACE_SECONDS = 3.0

#: Set once :func:`run_reporting` has handled a ``KeyboardInterrupt``.
_interrupt_handled = threading.Event()


def _watch_signals(read: int) -> None:
    with os.fdopen(read, "rb", buffering=0) as signals:
        while numbers := signals.read(64):
            if signal.SIGINT in numbers and not _interrupt_handled.wait(GRACE_SECONDS):
                os.write(2, b"lpmech: interrupted\n")
                end_process_now(INTERRUPTED)
