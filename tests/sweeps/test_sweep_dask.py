"""Sweeps on Dask: the same numbers as in this process, and no point lost to a dead worker."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest
import sweep_targets
from distributed import Client, LocalCluster

import lpmech
from lpmech.analytic import myerson_revenue
from lpmech.cli.commands import main


@pytest.mark.slow
def test_the_sweep_command_gives_identical_rows_in_process_and_on_dask(tmp_path, capsys):
    grid = ["single_item", "--n-types", "4:13:4", "--n-bidders", "2,3", "--quiet"]
    serial, dask = tmp_path / "serial.csv", tmp_path / "dask.csv"
    assert main(["sweep", *grid, "--executor", "serial", "--output", str(serial)]) == 0
    assert (
        main(["sweep", *grid, "--executor", "dask", "--workers", "1", "--output", str(dask)]) == 0
    )  # on a LocalCluster the sweep starts and closes
    assert "6 points: 6 optimal" in capsys.readouterr().out
    here, there = pd.read_csv(serial), pd.read_csv(dask)
    assert len(here) == len(there) == 6
    # Dask returns rows as they finish: match them by point
    here = here.sort_values(["n_types", "n_bidders"]).reset_index(drop=True)
    there = there.sort_values(["n_types", "n_bidders"]).reset_index(drop=True)
    assert list(zip(there.n_types, there.n_bidders, strict=True)) == [
        (4, 2),
        (4, 3),
        (8, 2),
        (8, 3),
        (12, 2),
        (12, 3),
    ]
    assert list(there.objective) == list(here.objective)  # identical, not merely close
    assert list(there.key) == list(here.key)
    assert set(there.worker).isdisjoint(here.worker)  # it did run elsewhere
    formula = [
        myerson_revenue(lpmech.single_item_auction(np.arange(1, k + 1), n))
        for k, n in zip(there.n_types, there.n_bidders, strict=True)
    ]
    np.testing.assert_allclose(there.objective, formula, rtol=1e-9)


@pytest.mark.slow
def test_a_sweep_on_dask_gives_the_numbers_of_this_process_to_the_last_bit():
    # a point of 14 641 profiles, where a threaded BLAS sum would differ in its last bits
    # between this process and a worker on one BLAS thread
    grid = [{"n_types": 4, "n_bidders": 2}, {"n_types": 11, "n_bidders": 4}]
    here = lpmech.sweep("single_item", grid, executor="serial", quiet=True)
    there = lpmech.sweep("single_item", grid, executor="dask", workers=1, quiet=True)
    assert (there.status == "optimal").all()
    for column in ("objective", "benchmark", "gap", "agrees", "n_rows"):
        assert list(there[column]) == list(here[column]), column
    assert set(there.worker).isdisjoint(here.worker)


def _finished_rows(output) -> int:
    """Rows written so far; 0 while the file is missing or holds no complete header yet."""
    try:
        return len(pd.read_csv(output))
    except (FileNotFoundError, pd.errors.EmptyDataError, pd.errors.ParserError):
        return 0


@pytest.mark.slow
def test_a_dask_worker_killed_mid_sweep_loses_no_point(tmp_path):
    output = tmp_path / "rows.csv"
    grid = {"n_types": list(range(3, 11)), "pause": [0.6]}
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=logging.CRITICAL,
        ) as cluster,
        Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        killed: dict[str, object] = {}

        def kill_a_busy_worker() -> None:
            """Once the sweep has finished a point, kill a worker that holds another."""
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and "pid" not in killed:
                rows = _finished_rows(output)
                busy = {
                    address: keys
                    for address, keys in client.processing().items()
                    if any(str(key).startswith("lpmech-point") for key in keys)
                }
                if rows >= 1 and busy:
                    address, keys = next(iter(busy.items()))
                    killed.update(pid=pids[address], keys=keys, rows_before=rows)
                    os.kill(pids[address], signal.SIGKILL)
                time.sleep(0.05)

        killer = threading.Thread(target=kill_a_busy_worker)
        killer.start()
        table = lpmech.sweep(
            sweep_targets.auction, grid, executor="dask", scheduler=client, output=output
        )
        killer.join()
        survivors = client.run(os.getpid)

    assert "pid" in killed, "the test never found a busy worker to kill"
    assert killed["rows_before"] < len(grid["n_types"])  # the sweep was under way
    assert killed["pid"] not in survivors.values()  # that process is gone (and replaced)
    assert list(table.n_types) == grid["n_types"]
    assert (table.status == "optimal").all()
    formula = [
        myerson_revenue(lpmech.single_item_auction(np.arange(1, k + 1), 1)) for k in table.n_types
    ]
    np.testing.assert_allclose(table.objective, formula, rtol=1e-9)
    written = pd.read_csv(output)
    assert sorted(written.n_types) == grid["n_types"]  # every point written exactly once
