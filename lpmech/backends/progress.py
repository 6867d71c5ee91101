"""Live progress on stderr: a line for a long solve, a bar over a sweep's points.

Both follow one rule: they appear only where someone watches — stderr is a
terminal, or the code runs in a Jupyter kernel (the bar is ``tqdm.auto``'s
widget there, the line an updated output) — and nobody asked for quiet, so
logs, pipes and tests see nothing.

The solver line comes from HiGHS's callbacks on the ``highspy`` backend. While
a solve runs, HiGHS's log lines give the iteration count and the objective
(simplex: ``iteration  objective  infeasibilities  time``; interior point:
``iter  primal  dual  …  time``; branch and bound: nodes and bounds), and the
simplex and MIP interrupt callbacks refresh the count between log lines. The
line is drawn only once the solve has run ``after`` seconds (2 by default),
redrawn at most every ``interval`` seconds, and erased when HiGHS reports the
run's model status.

The hook is a context, not a solver option, so it never reaches HiGHS's
option table and composes with any ``solver_options``:

>>> import lpmech
>>> lines = []
>>> env = lpmech.single_item_auction([1, 2, 3], n_bidders=2)
>>> with solver_progress(show=lines.append, after=0.0, interval=0.0):
...     _ = lpmech.solve(env, backend="highspy")
>>> lines[-2].startswith("HiGHS 0 s: iteration"), lines[-1]   # then erased at the end
(True, '')
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TextIO

from lpmech.extras import require

#: Seconds a solve runs before its live line appears.
SOLVER_LINE_AFTER = 2.0

#: Seconds between redraws of the live line.
SOLVER_LINE_INTERVAL = 0.25

#: A HiGHS iteration log line: an iteration count, then the objective.
_ITERATION_LINE = re.compile(r"^\s*(\d+)\s+([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s")


def stderr_is_terminal() -> bool:
    """Whether stderr is an interactive terminal (never true under pytest or in a pipe)."""
    stream = sys.stderr
    return stream is not None and hasattr(stream, "isatty") and stream.isatty()


def in_notebook() -> bool:
    """Whether this code runs in a Jupyter kernel (IPython's kernel app is running)."""
    if "ipykernel" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def watched() -> bool:
    """Whether progress would be seen: stderr is a terminal, or a Jupyter notebook runs this."""
    return stderr_is_terminal() or in_notebook()


@dataclass(frozen=True)
class _Setting:
    """What the solver line does in the current context (``show`` None: stderr)."""

    enabled: bool = True
    show: Callable[[str], None] | None = None
    after: float = SOLVER_LINE_AFTER
    interval: float = SOLVER_LINE_INTERVAL


#: Unset: on, drawn on stderr when stderr is a terminal.
_SETTING: ContextVar[_Setting | None] = ContextVar("lpmech_solver_progress", default=None)


@contextmanager
def solver_progress(
    enabled: bool = True,
    *,
    show: Callable[[str], None] | None = None,
    after: float = SOLVER_LINE_AFTER,
    interval: float = SOLVER_LINE_INTERVAL,
) -> Iterator[None]:
    """Within this block, HiGHS solves report a live line (or none if not ``enabled``).

    ``show`` receives each new line, and "" to erase it (default: drawn in place
    on stderr, only if stderr is a terminal); ``after`` and ``interval`` are in
    seconds. Outside any such block the line is on, on stderr, on a terminal.
    """
    token = _SETTING.set(_Setting(enabled, show, after, interval))
    try:
        yield
    finally:
        _SETTING.reset(token)


def attach_solver_progress(highs: Any) -> SolverLine | None:
    """Subscribe a live line to a ``highspy.Highs`` about to run, if progress is on here.

    A solve whose log the caller asked to see (``output_flag`` on) is left
    alone: HiGHS's own log is the progress then. Returns the line, or None.
    """
    setting = _SETTING.get() or _Setting()
    if not setting.enabled or _option(highs, "output_flag"):
        return None
    show = setting.show
    if show is None:
        if in_notebook():
            show = _NotebookLine().draw
        elif stderr_is_terminal():
            show = _StderrLine().draw
        else:
            return None
    line = SolverLine(show, setting.after, setting.interval)
    highs.setOptionValue("output_flag", True)
    highs.setOptionValue("log_to_console", False)
    highs.cbLogging.subscribe(line.on_log)
    highs.cbSimplexInterrupt.subscribe(line.on_simplex)
    highs.cbMipInterrupt.subscribe(line.on_mip)
    return line


def _option(highs: Any, name: str) -> Any:
    """An option's value (highspy returns ``(status, value)`` from ``getOptionValue``)."""
    value = highs.getOptionValue(name)
    return value[1] if isinstance(value, tuple) else value


class SolverLine:
    """The live line of one solve, fed by HiGHS's callbacks.

    Shows ``HiGHS 12 s: iteration 27335, LP objective 5.76465`` (or the branch
    and bound's nodes and bounds); the time is the wall time since the line was
    made, the objective the program's as HiGHS sees it (lpmech may scale it).
    """

    def __init__(self, show: Callable[[str], None], after: float, interval: float) -> None:
        self._show = show
        self._after = after
        self._interval = interval
        self._start = time.perf_counter()
        self._last_drawn = -float("inf")
        self._pending = ""
        self._iterations: int | None = None
        self._objective = ""
        self._other = ""
        self._running = False
        self._mip = False  # branch and bound: progress from the MIP callback only
        self.drawn = 0

    def on_log(self, event: Any) -> None:
        """HiGHS log callback: keep the latest iteration line's count and objective."""
        self._pending += event.message
        *lines, self._pending = self._pending.split("\n")
        for text in lines:
            if text.startswith(("Model status", "Solving report")):  # the run is over
                self.close()
                self._running = False
                continue
            if text.startswith(("LP has", "MIP has", "Presolving", "Solving")):
                self._running = True
                self._mip = self._mip or text.startswith("MIP has")
            match = None if self._mip else _ITERATION_LINE.match(text)
            if match:  # a simplex or interior point iteration line
                self._iterations = int(match.group(1))
                self._objective = match.group(2)
                self._running = True
            elif text.strip() and self._running and not self._mip:
                self._other = " ".join(text.split())
        self._tick()

    def on_simplex(self, event: Any) -> None:
        """Simplex interrupt callback: the running iteration count."""
        self._iterations = max(self._iterations or 0, int(event.data_out.simplex_iteration_count))
        self._running = True
        self._tick()

    def on_mip(self, event: Any) -> None:
        """MIP interrupt callback: nodes explored and the primal and dual bounds."""
        out = event.data_out
        self._other = (
            f"{out.mip_node_count} nodes, best {out.mip_primal_bound:.6g}, "
            f"bound {out.mip_dual_bound:.6g}"
        )
        self._iterations = None
        self._running = True
        self._tick()

    def text(self) -> str:
        """The line as it would be drawn now."""
        elapsed = time.perf_counter() - self._start
        if self._iterations is not None:
            detail = f"iteration {self._iterations}"
            if self._objective:
                detail += f", LP objective {float(self._objective):.6g}"
        else:
            detail = self._other or "starting"
        return f"HiGHS {elapsed:.0f} s: {detail}"

    def close(self) -> None:
        """The run ended: erase the line if one is drawn."""
        if self.drawn:
            self._show("")
            self.drawn = 0

    def _tick(self) -> None:
        now = time.perf_counter()
        if (
            not self._running
            or now - self._start < self._after
            or now - self._last_drawn < self._interval
        ):
            return
        self._last_drawn = now
        self.drawn += 1
        self._show(self.text())


class _StderrLine:
    """Draws a line in place on stderr; the empty line erases it."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr

    def draw(self, text: str) -> None:
        self._stream.write(f"\r{text}\x1b[K" if text else "\r\x1b[K")
        self._stream.flush()


class _NotebookLine:
    """Draws a line as one notebook output, updated in place; the empty line erases it."""

    def __init__(self) -> None:
        from IPython.display import display

        # IPython's display functions carry no annotations.
        self._handle = display(display_id=True)  # type: ignore[no-untyped-call]

    def draw(self, text: str) -> None:
        from IPython.display import Pretty

        # IPython's display functions carry no annotations.
        self._handle.update(Pretty(text))  # type: ignore[no-untyped-call]


def progress_bar(
    total: int, *, quiet: bool = False, initial: int = 0, description: str = "sweep"
) -> Any:
    """A tqdm bar over ``total`` points, disabled when quiet or nobody watches.

    ``tqdm.auto``: a widget in a notebook, a text bar on stderr in a terminal.
    """
    require("tqdm", "sweep", "a sweep's progress bar")
    # tqdm ships no type information (types-tqdm is not a dependency).
    from tqdm.auto import tqdm  # type: ignore[import-untyped]

    return tqdm(
        total=total,
        initial=initial,
        desc=description,
        unit="point",
        file=sys.stderr,
        disable=quiet or not watched(),
        dynamic_ncols=True,
    )
