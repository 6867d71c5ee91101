"""The lpmech command: default run, listing, solving with parameters, one-line errors."""

from __future__ import annotations

import json

import pytest
from fresh_process import run_python

import lpmech
from lpmech.cli.commands import main
from lpmech.models import MODELS


def test_default_run_solves_the_default_model(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "Optimal revenue = 2.375" in out  # E[max φ⁺] for two bidders on {1..4}, φ = 2k − 4
    assert "Verification" in out
    assert "VIOLATED" not in out


def test_list_names_every_model(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in MODELS:
        assert name in out


@pytest.mark.slow
def test_check_holds_every_model_against_its_benchmark(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    for name in MODELS:
        assert name in out
    assert "DISAGREES" not in out
    assert f"all {len(MODELS)} models agree" in out


def test_solve_prints_the_benchmark_beside_the_optimum(capsys):
    assert main(["solve", "irregular_auction"]) == 0
    out = capsys.readouterr().out
    assert "Benchmark: Myerson E[max φ̄⁺] (ironed)" in out
    assert "(agrees)" in out


def test_solve_takes_model_parameters(capsys):
    assert (
        main(
            [
                "solve",
                "single_item",
                "--n-bidders",
                "1",
                "--n-types",
                "4",
                "--backend",
                "highspy",
                "--algorithm",
                "ipm",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Optimal revenue = 1.5" in out
    assert "n_bidders=1" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["solve", "nope"], "unknown model 'nope'"),
        (["solve", "correlated_auction", "--correlation", "1.5"], "correlation must be in"),
    ],
)
def test_errors_are_one_line_with_nonzero_status(capsys, argv, message):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1
    assert err.startswith("lpmech: error:")


def test_malformed_command_line_exits_with_status_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["solve", "single_item", "--n-bidders", "two"])
    assert caught.value.code == 2


@pytest.mark.slow
def test_module_entry_point_runs():
    result = run_python("-m", "lpmech", "list", check=False)
    assert result.returncode == 0
    assert "single_item" in result.stdout


def _status_and_stderr(argv, capsys):
    """Exit status of ``lpmech *argv`` (argparse's SystemExit included) and its stderr."""
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code
    return status, capsys.readouterr().err


@pytest.fixture(scope="module")
def saved_solution(tmp_path_factory):
    path = tmp_path_factory.mktemp("saved") / "solution.json"
    env = lpmech.single_item_auction([1, 2], n_bidders=1)
    lpmech.save(lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"]), path)
    return path


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["solve", "nope"], 1, "lpmech: error: unknown model 'nope'; run 'lpmech list'"),
        (["nope"], 2, "lpmech: error: argument command: invalid choice: 'nope'"),
        (
            ["solve", "single_item", "--n-agents", "3"],
            2,
            "lpmech solve single_item: error: unrecognized arguments: --n-agents 3 "
            "(see 'lpmech solve single_item --help')",
        ),
        (
            ["solve", "single_item", "--n-types", "many"],
            2,
            "lpmech solve single_item: error: argument --n-types: "
            "expected a whole number, got 'many'",
        ),
        (
            ["solve", "single_item", "--backend", "gurobi"],
            2,
            "lpmech solve single_item: error: argument --backend: invalid choice: 'gurobi'",
        ),
        (
            ["sweep", "single_item", "--n-agents", "1,2"],
            2,
            "lpmech sweep single_item: error: unrecognized arguments: --n-agents 1,2",
        ),
        (
            ["verify", "{saved}", "--constraints", "dsci"],
            1,
            "lpmech: error: unknown constraint family 'dsci'; did you mean 'dsic'?",
        ),
        (
            ["verify", "{saved}", "--constraints", "dsic,,ex_post_ir"],
            1,
            "lpmech: error: --constraints: expected comma-separated family names, "
            "got 'dsic,,ex_post_ir'",
        ),
        (
            ["verify", "{tmp}/missing.json"],
            1,
            "lpmech: error: cannot read {tmp}/missing.json: No such file or directory",
        ),
        (["verify", "{tmp}"], 1, "lpmech: error: cannot read {tmp}: Is a directory"),
        (
            ["solve", "single_item", "--output", "{tmp}/no/such/dir/x.json"],
            1,
            "lpmech: error: cannot write {tmp}/no/such/dir/x.json: No such file or directory",
        ),
        (
            ["solve", "single_item", "--output", "{tmp}/x.txt"],
            1,
            "lpmech: error: --output: '{tmp}/x.txt' should end in .json or .csv",
        ),
        (
            ["solve", "single_item", "--plot", "{tmp}/x.drawing"],
            1,
            "lpmech: error: --plot: '{tmp}/x.drawing' should end in one of",
        ),
        (
            ["sweep", "single_item", "--n-types", "2,3", "--plot", "{tmp}/x.drawing"],
            1,
            "lpmech: error: --plot: '{tmp}/x.drawing' should end in one of .avif",
        ),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_a_nonzero_status(
    capsys, tmp_path, saved_solution, argv, status, message
):
    fill = {"saved": saved_solution, "tmp": tmp_path}
    got, err = _status_and_stderr([arg.format(**fill) for arg in argv], capsys)
    assert got == status
    assert err.startswith(message.format(**fill))
    assert err.count("\n") == 1  # one line, no usage block, no traceback


@pytest.mark.slow
def test_verbose_json_keeps_the_solver_log_off_stdout():
    result = run_python(
        "-m", "lpmech", "solve", "single_item", "--n-types", "3", "--verbose", "--json", "--quiet"
    )
    document = json.loads(result.stdout)  # stdout is the JSON document alone
    assert document["model"] == "single_item"
    assert "Model status" in result.stderr  # HiGHS's log, moved to stderr
