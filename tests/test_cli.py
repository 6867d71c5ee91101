"""The lpmech command: default run, listing, solving with parameters, one-line errors."""

from __future__ import annotations

import pytest
from fresh_process import run_python

from lpmech.cli import main
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
    assert main(["solve", "single_item", "--n-bidders", "1", "--n-types", "4",
                 "--backend", "highspy", "--algorithm", "ipm"]) == 0
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


def test_module_entry_point_runs():
    result = run_python("-m", "lpmech", "list", check=False)
    assert result.returncode == 0
    assert "single_item" in result.stdout
