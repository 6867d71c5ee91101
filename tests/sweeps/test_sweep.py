"""Sweeps: one row per point, every status a row, the same numbers on every executor,
rows kept as they finish and a re-run that solves only what is missing."""

from __future__ import annotations

import csv
import math
import sys

import numpy as np
import pandas as pd
import pytest
import sweep_targets
from hypothesis import given
from hypothesis import strategies as st

import lpmech
from lpmech.analytic import myerson_revenue
from lpmech.cli.commands import main
from lpmech.errors import MissingExtraError
from lpmech.sweeps import RESULT_COLUMNS
from lpmech.sweeps.grid import parse_values, points
from lpmech.sweeps.points import STATUSES
from lpmech.sweeps.results import ResultsFile, parse_result

SINGLE_ITEM_GRID = {"n_types": [4, 8, 12], "n_bidders": [2, 3]}


def myerson_of(n_types: int, n_bidders: int) -> float:
    """The formula's optimum for the single_item model, independent of the LP."""
    return myerson_revenue(lpmech.single_item_auction(np.arange(1, n_types + 1), n_bidders))


def test_a_model_sweep_has_one_row_per_point_held_against_its_benchmark():
    table = lpmech.sweep("single_item", SINGLE_ITEM_GRID, executor="serial")
    assert list(table.columns) == ["n_types", "n_bidders", *RESULT_COLUMNS]
    assert list(zip(table.n_types, table.n_bidders, strict=True)) == [
        (4, 2),
        (4, 3),
        (8, 2),
        (8, 3),
        (12, 2),
        (12, 3),
    ]
    assert (table.status == "optimal").all()
    expected = [myerson_of(k, n) for k, n in zip(table.n_types, table.n_bidders, strict=True)]
    np.testing.assert_allclose(table.objective, expected, rtol=1e-9)
    np.testing.assert_allclose(table.benchmark, expected, rtol=1e-9)
    assert table.agrees.all()
    assert (table.n_rows > 0).all()
    assert (table.total_seconds > 0).all()
    assert set(table.formulation) <= {"direct", "symmetric", "interim", "generation"}
    assert set(table.algorithm) <= {"simplex", "ipm"}
    assert (table.point_seconds >= table.total_seconds).all()


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("optimal", "optimal", ""),
        ("infeasible", "infeasible", "infeasible"),
        ("unbounded", "unbounded", "unbounded"),
        ("failed", "failed", "Iteration limit reached"),
        ("out_of_memory", "too_large", "does not fit"),
        ("wrong_return", "error", "must return an Environment"),
    ],
)
def test_every_outcome_of_a_point_is_a_row(case, status, message):
    table = lpmech.sweep(sweep_targets.design, {"case": [case]}, executor="serial")
    (row,) = table.itertuples()
    assert status in STATUSES
    assert row.status == status
    assert message in row.message
    assert math.isnan(row.objective) == (status != "optimal")


def test_failed_points_do_not_stop_the_sweep():
    cases = ["optimal", "infeasible", "wrong_return", "optimal_again"]
    table = lpmech.sweep(sweep_targets.design, {"case": cases}, executor="serial")
    assert list(table.status) == ["optimal", "infeasible", "error", "error"]
    assert "KeyError" in table.message[3]
    assert (
        table.conflicting[1] == "dominant_strategy_ic + ex_post_budget_balance + "
        "efficient_allocation"
    )


@pytest.mark.parametrize("how", ["argument", "solver option"])
def test_a_point_over_its_time_limit_is_recorded_as_such(how):
    limit = (
        {"time_limit": 1e-6}
        if how == "argument"
        else {"solver_options": {"presolve": "off", "time_limit": 1e-6}}
    )
    table = lpmech.sweep(
        "single_item",
        {"n_types": [12]},
        executor="serial",
        formulation="direct",
        **({"solver_options": {"presolve": "off"}} | limit),
    )
    assert list(table.status) == ["time_limit"]
    assert "Time limit" in table.message[0]


def test_constraints_given_as_one_name_are_one_family():
    table = lpmech.sweep(
        "single_item", {"n_types": [3]}, executor="serial", constraints="dsic"
    )  # without participation: unbounded
    assert list(table.status) == ["unbounded"]


def test_a_function_sweep_takes_its_benchmark():
    table = lpmech.sweep(
        sweep_targets.auction,
        {"n_types": [2, 3], "n_bidders": [2]},
        constraints=["dsic", "ex_post_ir"],
        executor="serial",
        benchmark=sweep_targets.second_price_revenue,
    )
    # a benchmark that is not the optimum: the gap is the optimum's excess over it
    np.testing.assert_allclose(table.gap, table.objective - table.benchmark)
    assert (table.gap > 0).all()


def test_a_point_travels_as_a_small_description_not_an_environment():
    import cloudpickle

    from lpmech.sweeps import Point, SolveSettings

    for target in ("single_item", sweep_targets.auction):
        point = Point(target, {"n_types": 40, "n_bidders": 3}, SolveSettings(time_limit=5.0))
        shipped = cloudpickle.dumps(point)
        assert len(shipped) < 1000  # the environment pickles to ~ 0.5 MB
        assert b"Environment" not in shipped
        assert b"sweep_targets" in shipped or target == "single_item"  # by reference


def test_a_failing_benchmark_leaves_the_optimum_standing():
    def broken_benchmark(env):
        raise ZeroDivisionError("no formula here")

    table = lpmech.sweep(
        sweep_targets.auction, {"n_types": [3]}, executor="serial", benchmark=broken_benchmark
    )
    assert list(table.status) == ["optimal"]
    assert table.objective[0] == pytest.approx(myerson_of(3, 1), rel=1e-9)
    assert "benchmark failed: ZeroDivisionError: no formula here" in table.message[0]
    assert math.isnan(table.benchmark[0])


#: The grid, and a point of 14 641 profiles: there a threaded BLAS sum would differ in
#: its last bits between this process and a worker on one BLAS thread.
EXECUTOR_GRID = [*points(SINGLE_ITEM_GRID), {"n_types": 11, "n_bidders": 4}]


@pytest.mark.slow
def test_serial_and_process_executors_give_identical_numbers():
    serial = lpmech.sweep("single_item", EXECUTOR_GRID, executor="serial")
    parallel = lpmech.sweep("single_item", EXECUTOR_GRID, executor="processes", workers=2)
    for column in ("objective", "benchmark", "gap", "agrees", "n_rows"):
        assert list(parallel[column]) == list(serial[column]), column  # exactly, not closely
    assert set(parallel.worker).isdisjoint(serial.worker)  # it did run elsewhere


@pytest.mark.slow
def test_a_point_that_kills_its_worker_process_is_lost_and_no_other_point_is():
    grid = [
        {"n_types": 3, "die": False},
        {"n_types": 4, "die": True},
        {"n_types": 5, "die": False},
        {"n_types": 6, "die": False},
    ]
    table = lpmech.sweep(sweep_targets.crash, grid, executor="processes", workers=2)
    assert list(table.status) == ["optimal", "lost", "optimal", "optimal"]
    assert "died each of the 3 times it ran alone" in table.message[1]
    np.testing.assert_allclose(
        table.objective[[0, 2, 3]], [myerson_of(k, 1) for k in (3, 5, 6)], rtol=1e-9
    )


def test_rows_are_written_as_they_finish_and_a_rerun_skips_them(tmp_path):
    output = tmp_path / "rows.csv"
    sweep_targets.CALLS.clear()
    sweep_targets.INTERRUPT_AT = 5
    try:
        with pytest.raises(KeyboardInterrupt):
            lpmech.sweep(
                sweep_targets.auction, {"n_types": [3, 4, 5, 6]}, executor="serial", output=output
            )
    finally:
        sweep_targets.INTERRUPT_AT = None
    with output.open() as handle:
        kept = list(csv.DictReader(handle))
    assert [row["n_types"] for row in kept] == ["3", "4"]  # finished before the interruption

    # tamper with a kept row: a re-run must take it from the file, not solve it again
    kept[0]["objective"] = "123.0"
    with output.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(kept[0]))
        writer.writeheader()
        writer.writerows(kept)
    sweep_targets.CALLS.clear()
    table = lpmech.sweep(
        sweep_targets.auction, {"n_types": [3, 4, 5, 6]}, executor="serial", output=output
    )
    assert sweep_targets.CALLS == [(5, 1), (6, 1)]
    assert list(table.n_types) == [3, 4, 5, 6]
    assert table.objective[0] == 123.0
    assert table.objective[1] == pytest.approx(myerson_of(4, 1), rel=1e-9)
    assert len(pd.read_csv(output)) == 4

    # a third run has nothing to do
    sweep_targets.CALLS.clear()
    again = lpmech.sweep(
        sweep_targets.auction, {"n_types": [3, 4, 5, 6]}, executor="serial", output=output
    )
    assert sweep_targets.CALLS == []
    pd.testing.assert_frame_equal(again, table)


def test_a_rerun_with_other_settings_solves_again(tmp_path):
    output = tmp_path / "rows.csv"
    lpmech.sweep("single_item", {"n_types": [3]}, executor="serial", output=output)
    ipm = lpmech.sweep(
        "single_item", {"n_types": [3]}, executor="serial", output=output, algorithm="ipm"
    )
    assert list(ipm.algorithm) == ["ipm"]
    assert len(pd.read_csv(output)) == 2


def test_resumed_rows_read_back_exactly(tmp_path):
    output = tmp_path / "rows.csv"
    fresh = lpmech.sweep("single_item", SINGLE_ITEM_GRID, executor="serial", output=output)
    resumed = lpmech.sweep("single_item", SINGLE_ITEM_GRID, executor="serial", output=output)
    pd.testing.assert_frame_equal(resumed, fresh)


def test_an_output_file_of_another_sweep_is_refused(tmp_path):
    output = tmp_path / "rows.csv"
    lpmech.sweep("single_item", {"n_types": [3]}, executor="serial", output=output)
    with pytest.raises(ValueError, match="holds columns"):
        lpmech.sweep("single_item", {"n_bidders": [1]}, executor="serial", output=output)
    with pytest.raises(ValueError, match=r"is not a \.csv file"):
        ResultsFile(tmp_path / "rows.parquet", ["a"])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"model_or_function": "nope", "grid": {"n_types": [3]}}, "unknown model 'nope'"),
        (
            {"model_or_function": "single_item", "grid": {"types": [3]}},
            r"has no parameters \['types'\]",
        ),
        ({"model_or_function": "single_item", "grid": {}}, "grid: empty"),
        ({"model_or_function": "single_item", "grid": {"n_types": []}}, "has no values"),
        ({"model_or_function": "single_item", "grid": {"n_types": 3}}, "must be a sequence"),
        ({"model_or_function": "single_item", "grid": {"n_types": [[3]]}}, "is not a number"),
        (
            {"model_or_function": "single_item", "grid": [{"n_types": 3}, {"n_types": 3}]},
            "appears twice",
        ),
        ({"model_or_function": 3, "grid": {"n_types": [3]}}, "expected a model name"),
        (
            {"model_or_function": "single_item", "grid": {"n_types": [3]}, "executor": "gpu"},
            "executor: unknown 'gpu'",
        ),
        (
            {"model_or_function": "single_item", "grid": {"n_types": [3]}, "workers": 0},
            "workers: expected a positive integer",
        ),
        (
            {
                "model_or_function": "single_item",
                "grid": {"n_types": [3]},
                "scheduler": "tcp://x:1",
            },
            "only the 'dask' executor",
        ),
        (
            {
                "model_or_function": "single_item",
                "grid": {"n_types": [3]},
                "executor": "dask",
                "scheduler": "tcp://x:1",
                "workers": 2,
            },
            "workers: sizes the local cluster",
        ),
        (
            {"model_or_function": "single_item", "grid": {"n_types": [3]}, "algorithm": "fast"},
            "algorithm: unknown 'fast'",
        ),
        (
            {"model_or_function": "single_item", "grid": {"n_types": [3]}, "formulation": "x"},
            "formulation: unknown 'x'",
        ),
        (
            {"model_or_function": "single_item", "grid": {"n_types": [3]}, "time_limit": -1},
            "time_limit: expected a positive",
        ),
        (
            {"model_or_function": "single_item", "grid": {"n_types": [3]}, "benchmark": float},
            "a model brings its own",
        ),
    ],
)
def test_bad_sweep_arguments_are_refused_by_name(arguments, message):
    with pytest.raises(ValueError, match=message):
        lpmech.sweep(**arguments)


@pytest.mark.parametrize(
    ("missing", "executor"),
    [
        ("pandas", "serial"),
        ("tqdm", "serial"),
        ("threadpoolctl", "processes"),
        ("threadpoolctl", "dask"),  # a worker's BLAS threads
    ],
)
def test_a_missing_extra_is_named_before_any_point_is_solved(missing, executor, monkeypatch):
    monkeypatch.setitem(sys.modules, missing, None)  # as if not installed
    sweep_targets.CALLS.clear()
    advice = r'pip install "lpmech\[sweep\]"'
    with pytest.raises(MissingExtraError, match=rf"needs {missing}.*{advice}"):
        lpmech.sweep(sweep_targets.auction, {"n_types": [3]}, executor=executor)
    assert sweep_targets.CALLS == []


def test_grid_points_and_command_line_values():
    assert points([{"a": np.int64(2)}, {"a": 3.5}]) == [{"a": 2}, {"a": 3.5}]
    assert type(points({"a": np.arange(2)})[0]["a"]) is int
    assert parse_values("4:13:4", int) == [4, 8, 12]
    assert parse_values("0.1:0.4:0.1", float) == [0.1, 0.2, 0.3]
    assert parse_values("a,b", str) == ["a", "b"]
    for bad in ("1:5:0", "5:1:1", ","):
        with pytest.raises(ValueError, match=repr(bad)):
            parse_values(bad, int)


def test_the_sweep_command_writes_rows_and_a_plot(tmp_path, capsys):
    output, picture = tmp_path / "s.csv", tmp_path / "s.png"
    assert (
        main(
            [
                "sweep",
                "single_item",
                "--n-types",
                "3,4",
                "--n-bidders",
                "1:3:1",
                "--executor",
                "serial",
                "--output",
                str(output),
                "--plot",
                str(picture),
                "--quiet",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "4 points: 4 optimal" in out
    table = pd.read_csv(output)
    assert list(zip(table.n_types, table.n_bidders, strict=True)) == [
        (3, 1),
        (3, 2),
        (4, 1),
        (4, 2),
    ]
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sweep", "nope", "--n-types", "3"], "unknown model 'nope'"),
        (["sweep", "single_item"], "give at least one parameter"),
        (
            [
                "sweep",
                "single_item",
                "--n-types",
                "3",
                "--executor",
                "serial",
                "--scheduler",
                "tcp://127.0.0.1:1",
            ],
            "only the 'dask' executor",
        ),
    ],
)
def test_the_sweep_command_reports_errors_in_one_line(argv, message, capsys):
    assert main(argv) == 1
    assert message in capsys.readouterr().err


def test_the_sweep_plot_draws_each_line_and_the_benchmark():
    import matplotlib

    matplotlib.use("Agg")
    from lpmech.views.sweep_plot import plot_sweep

    table = lpmech.sweep("single_item", SINGLE_ITEM_GRID, executor="serial")
    figure = plot_sweep(table, "n_types", "n_bidders")
    (ax,) = figure.axes
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == [
        "LP optimum, number of bidders = 2",
        "benchmark (formula)",
        "LP optimum, number of bidders = 3",
        "_child3",
    ]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 2
    np.testing.assert_allclose(dashed[1].get_ydata(), table.benchmark[table.n_bidders == 3])
    assert ax.get_xlabel() == "types per agent"
    with pytest.raises(ValueError, match="no column 'cost'"):
        plot_sweep(table, "cost")


@given(
    st.lists(
        st.tuples(
            st.floats(allow_nan=False, allow_infinity=False),
            st.text(
                st.characters(blacklist_characters="\x00", blacklist_categories=["Cs"]),
                max_size=30,
            ),
            st.integers(min_value=0, max_value=10**12),
            st.booleans(),
        ),
        min_size=1,
        max_size=5,
    )
)
def test_rows_read_back_from_the_file_as_written(tmp_path_factory, values):
    """Any number (1e-300 or 1e300), any text (commas, quotes, newlines; a NUL is dropped
    and a lone surrogate escaped) survives the file."""
    output = tmp_path_factory.mktemp("rows") / "rows.csv"
    store = ResultsFile(output, ["p", *RESULT_COLUMNS])
    written = []
    for k, (number, text, count, flag) in enumerate(values):
        row = {
            "p": k,
            **{name: "" for name in RESULT_COLUMNS},
            "objective": number,
            "message": text,
            "n_rows": count,
            "agrees": flag,
            "key": f"key{k}",
        }
        store.append(row)
        written.append(row)
    read = store.finished()
    store.close()
    for row in written:
        back = parse_result(read[row["key"]])
        assert back["objective"] == row["objective"]
        assert back["message"] == row["message"]
        assert back["n_rows"] == row["n_rows"]
        assert back["agrees"] is row["agrees"]


@given(st.integers(-50, 50), st.integers(1, 60), st.integers(1, 7))
def test_a_range_of_integers_is_pythons_range(start, length, step):
    stop = start + length
    assert parse_values(f"{start}:{stop}:{step}", int) == list(range(start, stop, step))
