"""Progress on stderr: a solver line and a sweep's bar, only on a terminal, never when quiet."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import textwrap

import highspy
import pytest

import lpmech
from lpmech.backends import progress
from lpmech.backends.progress import attach_solver_progress, solver_progress

AUCTION = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)

SOLVE_AT_ONCE = textwrap.dedent("""
    import lpmech
    from lpmech.backends.progress import solver_progress
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
    with solver_progress(after=0.0, interval=0.0):  # draw at once: this solve is short
        lpmech.solve(env, formulation="direct", backend="highspy")
""")


def _stderr_on_a_terminal(code: str) -> str:
    """Run ``code`` in a fresh interpreter whose stderr is a pseudo-terminal."""
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-c", code], stderr=follower, stdout=subprocess.DEVNULL
    ) as child:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert child.wait(timeout=120) == 0
    os.close(leader)
    return b"".join(chunks).decode(errors="replace")


@pytest.mark.slow
def test_a_solve_draws_its_live_line_on_a_terminal_and_erases_it():
    err = _stderr_on_a_terminal(SOLVE_AT_ONCE)
    assert "\rHiGHS 0 s: iteration" in err
    assert err.rstrip("\n").endswith("\r\x1b[K")  # erased when the run ended


def _highs(log: bool = False) -> highspy.Highs:
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", log)
    return highs


def test_the_line_follows_the_context(monkeypatch):
    assert attach_solver_progress(_highs()) is None  # pytest's stderr is no terminal
    with solver_progress():
        assert attach_solver_progress(_highs()) is None  # nor inside the context
    monkeypatch.setattr(progress, "stderr_is_terminal", lambda: True)
    assert attach_solver_progress(_highs()) is not None
    with solver_progress(False):
        assert attach_solver_progress(_highs()) is None
    assert attach_solver_progress(_highs(log=True)) is None  # the caller reads HiGHS's log


@pytest.mark.parametrize("deterministic", [False, True], ids=["lp", "mip"])
def test_the_line_reports_iterations_or_nodes(deterministic):
    lines: list[str] = []
    with solver_progress(show=lines.append, after=0.0, interval=0.0):
        lpmech.solve(AUCTION, formulation="direct", backend="highspy", deterministic=deterministic)
    drawn = [line for line in lines if line]
    assert drawn
    assert all(line.startswith("HiGHS ") for line in drawn)
    assert any(("nodes" if deterministic else "iteration") in line for line in drawn)
    assert lines[-1] == ""  # erased at the end


def test_no_line_before_the_delay():
    lines: list[str] = []
    with solver_progress(show=lines.append, after=60.0):
        lpmech.solve(AUCTION, backend="highspy")
    assert lines == []


def test_a_sweep_draws_its_bar_only_on_a_terminal_and_not_when_quiet(monkeypatch, capsys):
    grid = {"n_types": [3, 4]}
    lpmech.sweep("single_item", grid, executor="serial")
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(progress, "stderr_is_terminal", lambda: True)
    lpmech.sweep("single_item", grid, executor="serial", quiet=True)
    assert capsys.readouterr().err == ""
    lpmech.sweep("single_item", grid, executor="serial")
    err = capsys.readouterr().err
    assert "sweep: 100%" in err
    assert "2/2" in err
