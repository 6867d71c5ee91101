"""The command's exits: --version, Ctrl-C (130, one line, even inside a long solve), a
closed pipe (quiet), a sweep with failed points (1, saying how many), and one-line
errors with status 2 for malformed values and 1 for failures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from fresh_process import descendants
from paths import TESTS as TESTS_DIR

import lpmech
from lpmech.cli.commands import main
from lpmech.cli.errors import GRACE_SECONDS

TESTS = str(TESTS_DIR)


def _lpmech(*argv: str, **options) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lpmech", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        **options,
    )


def test_version(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out == f"lpmech {lpmech.__version__}\n"


@pytest.mark.slow
@pytest.mark.parametrize(
    "argv",
    [
        ("solve", "multi_item", "--n-grid", "30", "--quiet"),  # minutes inside HiGHS
        ("sweep", "single_item", "--n-types", "30:40:1", "--n-bidders", "3", "--quiet"),
    ],
)
def test_ctrl_c_exits_at_once_with_130_and_one_line(argv):
    process = _lpmech(*argv)
    deadline = time.monotonic() + 60
    # well inside the solve: a sweep has started its workers (and its forkserver)
    while len(descendants(process.pid)) < (3 if argv[0] == "sweep" else 0) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.2)
    time.sleep(8)
    assert process.poll() is None
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
    start = time.monotonic()
    try:
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert time.monotonic() - start < GRACE_SECONDS + 5
    assert process.returncode == 130
    assert err == "lpmech: interrupted\n", err


@pytest.mark.slow
def test_a_closed_pipe_ends_the_command_quietly():
    process = _lpmech("list")
    process.stdout.close()  # the reader is gone before anything is written
    err = process.stderr.read()
    process.wait(timeout=60)
    process.stderr.close()
    assert err == ""
    assert process.returncode == 1


def test_a_sweep_with_failed_points_exits_1_saying_how_many(capsys):
    argv = ["sweep", "single_item", "--n-types", "3,4", "--time-limit", "1e-12"]
    status = main([*argv, "--executor", "serial", "--quiet"])
    captured = capsys.readouterr()
    assert status == 1
    assert "2 points: 2 time_limit" in captured.out
    assert captured.err == (
        "lpmech: error: 2 of 2 points did not solve to an optimum (see their status and message)\n"
    )


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (
            ["sweep", "single_item", "--n-types", "1:100000000000:1"],
            "argument --n-types: '1:100000000000:1': 99999999999 values; a sweep takes at most",
        ),
        (
            ["sweep", "single_item", "--n-types", "2.5"],
            "argument --n-types: '2.5': expected whole",
        ),
        (["sweep", "single_item", "--n-types", "1e30"], "argument --n-types: '1e30': expected"),
        (
            ["sweep", "single_item", "--n-types", "0,3"],
            "argument --n-types: n_types must be a whole number, at least 1, got 0",
        ),
        (["sweep", "public_good", "--cost", "nan"], "argument --cost: cost must be a finite"),
        (["solve", "single_item", "--n-types", "1e30"], "argument --n-types: expected a whole"),
        (["--nonsense"], "unrecognised arguments: --nonsense"),
    ],
)
def test_malformed_values_are_one_line_with_status_2(capsys, argv, fragment):
    start = time.perf_counter()
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert err.count("\n") == 1
    assert time.perf_counter() - start < 5


def test_an_unexpected_failure_is_still_one_line(tmp_path, capsys):
    # a directory where the output file should be: the library names it, status 1
    status = main(["solve", "single_item", "--output", str(tmp_path)])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("lpmech: error:")
    assert err.count("\n") == 1
