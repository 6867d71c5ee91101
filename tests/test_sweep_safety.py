"""Sweeps clean up after a killed parent, share an output file safely and refuse bad
arguments once, before any point runs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import sweep_targets
from fresh_process import alive, descendants

import lpmech
from lpmech.errors import InvalidArgumentError, LpmechError, UnknownConstraintError
from lpmech.sweeps.results import ResultsFile

TESTS = str(Path(__file__).parent)


SWEEP = """
import sweep_targets, lpmech
lpmech.sweep(sweep_targets.auction, {"n_types": [3, 4, 5, 6], "pause": [60.0]},
             executor="processes", workers=2, quiet=True)
"""


@pytest.mark.slow
def test_no_process_outlives_a_killed_sweep_by_more_than_a_few_seconds():
    parent = subprocess.Popen(
        [sys.executable, "-c", SWEEP],
        env={**os.environ, "PYTHONPATH": TESTS},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        family: set[int] = set()
        # the forkserver, the resource tracker and two workers busy with a point
        while len(family) < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
            family |= descendants(parent.pid)
        assert len(family) >= 4, f"the sweep started only {family}"
        time.sleep(1.0)  # the workers are inside their first point
        family |= descendants(parent.pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while any(alive(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = [pid for pid in family if alive(pid)]
        assert survivors == [], f"still running 5 s after the sweep was killed: {survivors}"
    finally:
        for pid in [parent.pid, *family]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


WRITER = """
import sys, sweep_targets, lpmech
from lpmech.errors import InvalidArgumentError
try:
    lpmech.sweep(sweep_targets.auction, {{"n_types": {types}, "pause": [{pause}]}},
                 executor="serial", output=sys.argv[1], quiet=True)
except InvalidArgumentError as error:
    print(error, file=sys.stderr)
    sys.exit(3)
"""


def _writer(output: Path, types: list[int], pause: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER.format(types=types, pause=pause), str(output)],
        env={**os.environ, "PYTHONPATH": TESTS},
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_two_sweeps_writing_one_file_never_lose_or_duplicate_rows(tmp_path):
    output = tmp_path / "rows.csv"
    first_types, second_types = list(range(3, 13)), list(range(8, 18))  # 5 points shared
    first = _writer(output, first_types, 0.5)  # 5 s: the second starts meanwhile
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        not output.exists() or len(output.read_text().splitlines()) < 2
    ):
        time.sleep(0.05)
    second = _writer(output, second_types, 0.5)  # while the first is writing
    _, refusal = second.communicate(timeout=120)
    assert second.returncode == 3
    assert "is being written by another sweep" in refusal
    assert str(output) in refusal
    first.communicate(timeout=120)
    assert first.returncode == 0
    # once the first is done, the second resumes from its rows and adds only its own
    again = _writer(output, second_types, 0.5)
    again.communicate(timeout=120)
    assert again.returncode == 0
    rows = pd.read_csv(output)
    assert rows.key.is_unique
    assert sorted(rows.n_types) == sorted(set(first_types) | set(second_types))
    assert (rows.status == "optimal").all()


def test_an_output_file_is_released_when_its_sweep_ends(tmp_path):
    output = tmp_path / "rows.csv"
    with (
        ResultsFile(output, ["a", "key"]),
        pytest.raises(InvalidArgumentError, match="being written by another sweep"),
    ):
        ResultsFile(output, ["a", "key"])
    with ResultsFile(output, ["a", "key"]) as store:
        assert store.finished() == {}


def _counting(grid, **arguments):
    sweep_targets.CALLS.clear()
    with pytest.raises(LpmechError) as caught:
        lpmech.sweep(sweep_targets.auction, grid, executor="serial", **arguments)
    assert sweep_targets.CALLS == []  # refused before any point was built
    return caught.value


@pytest.mark.parametrize(
    ("arguments", "error", "fragment"),
    [
        ({"tol": -1.0}, InvalidArgumentError, "tol must be positive"),
        ({"tol": "1e-6"}, InvalidArgumentError, "tol must be a number"),
        ({"objective": "revenu"}, LpmechError, "unknown objective 'revenu'"),
        ({"constraints": ["dsci"]}, UnknownConstraintError, "dsci"),
        ({"solver_options": {1: 2}}, InvalidArgumentError, "solver_options: option names"),
        ({"solver_options": [1]}, InvalidArgumentError, "solver_options must be a dict"),
        ({"deterministic": "yes"}, InvalidArgumentError, "deterministic must be True or False"),
    ],
)
def test_bad_settings_are_refused_once_before_any_point(arguments, error, fragment):
    refusal = _counting({"n_types": [3, 4]}, **arguments)
    assert isinstance(refusal, error)
    assert fragment in str(refusal)


@pytest.mark.parametrize(
    ("grid", "fragment"),
    [
        ({"n_types": [2.0000001]}, "n_types must be a whole number, at least 1, got 2.0000001"),
        ({"n_types": [True]}, "n_types must be a whole number, at least 1, got True"),
        ({"n_types": ["3"]}, "n_types must be a whole number, at least 1, got '3'"),
        ({"n_types": [0]}, "n_types must be a whole number, at least 1, got 0"),
        ({"n_bidders": [2, 2.5]}, "n_bidders must be a whole number, at least 1, got 2.5"),
    ],
)
def test_model_grid_values_of_the_wrong_type_are_refused_not_rounded(grid, fragment):
    with pytest.raises(InvalidArgumentError) as caught:
        lpmech.sweep("single_item", grid, executor="serial")
    assert f"grid: {fragment}" in str(caught.value)


@pytest.mark.slow
def test_a_bad_dask_scheduler_address_fails_fast_with_a_named_error():
    start = time.perf_counter()
    with pytest.raises(InvalidArgumentError, match="scheduler: cannot reach a Dask scheduler"):
        lpmech.sweep(
            "single_item", {"n_types": [3]}, executor="dask", scheduler="tcp://127.0.0.1:1"
        )
    assert time.perf_counter() - start < 15
