"""The command line speaks JSON, saves results, draws them, and verifies saved mechanisms."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fresh_process import run_python

import lpmech
from lpmech.analytic import myerson_revenue
from lpmech.cli.commands import main
from lpmech.models import MODELS


def test_solve_json_is_one_document_with_the_myerson_optimum(capsys):
    assert main(["solve", "single_item", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    expected = myerson_revenue(MODELS["single_item"].environment())
    assert document["objective_value"] == pytest.approx(expected, abs=1e-9)
    assert document["benchmark"]["value"] == pytest.approx(expected, abs=1e-12)
    assert document["benchmark"]["agrees"] is True
    assert set(document["verification"]) == {"feasibility", "dominant_strategy_ic", "ex_post_ir"}
    assert all(check["ok"] for check in document["verification"].values())
    assert document["report"]["n_variables"] > 0
    mechanism = document["mechanism"]
    assert len(mechanism["allocation"]) == len(mechanism["profiles"]) == 16
    assert mechanism["profiles"][7] == ["2", "4"]


@pytest.mark.slow
def test_the_command_prints_one_json_document_and_nothing_else(tmp_path):
    picture, saved = tmp_path / "out.png", tmp_path / "out.json"
    run = run_python(
        "-m",
        "lpmech",
        "solve",
        "single_item",
        "--json",
        "--plot",
        str(picture),
        "--output",
        str(saved),
    )
    document = json.loads(run.stdout)  # the whole of stdout, HiGHS's banner included
    expected = myerson_revenue(MODELS["single_item"].environment())
    assert document["objective_value"] == pytest.approx(expected, abs=1e-9)
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert lpmech.load(saved).objective_value == document["objective_value"]


@pytest.mark.slow
def test_solve_output_json_and_csv_and_plot(tmp_path, capsys):
    saved, table, picture = tmp_path / "out.json", tmp_path / "out.csv", tmp_path / "out.png"
    assert (
        main(
            [
                "solve",
                "single_item",
                "--n-types",
                "3",
                "--output",
                str(saved),
                "--plot",
                str(picture),
            ]
        )
        == 0
    )
    assert "Optimal revenue" in capsys.readouterr().out
    solution = lpmech.load(saved)
    assert solution.objective_value == pytest.approx(
        myerson_revenue(MODELS["single_item"].environment(n_types=3)), abs=1e-9
    )
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["solve", "single_item", "--n-types", "3", "--output", str(table)]) == 0
    import pandas as pd

    frame = pd.read_csv(table, index_col="profile")
    assert len(frame) == 9
    assert np.allclose(frame["item to bidder 1"], solution.mechanism.flat_allocation[:, 0])


def test_solve_output_refuses_other_extensions(tmp_path, capsys):
    assert main(["solve", "single_item", "--output", str(tmp_path / "out.txt")]) == 1
    assert "--output" in capsys.readouterr().err


def test_check_json(capsys):
    assert main(["check", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [m["model"] for m in document["models"]] == list(MODELS)
    assert document["agree"] is True
    single = document["models"][0]
    assert single["objective_value"] == pytest.approx(single["benchmark"]["value"], abs=1e-6)


def test_verify_a_saved_mechanism(tmp_path, capsys):
    env = lpmech.single_item_auction([1, 2, 3], n_bidders=1)
    posted = lpmech.Mechanism(env, [[0], [1], [1]], [[0], [2], [2]], name="posted price 2")
    path = lpmech.save(posted, tmp_path / "posted.json")
    assert main(["verify", str(path), "--constraints", "dsic,ex_post_ir"]) == 0
    out = capsys.readouterr().out
    assert "Verification of posted price 2" in out
    assert "Audit of posted price 2" in out
    pay_your_bid = lpmech.Mechanism(env, [[1], [1], [1]], [[1], [2], [3]], name="first price")
    path = lpmech.save(pay_your_bid, tmp_path / "fp.json")
    assert main(["verify", str(path), "--constraints", "dsic,ex_post_ir", "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is False
    assert document["verification"]["dominant_strategy_ic"]["max_violation"] == 2.0
    assert document["max_ex_post_regret"] == 2.0


def test_verify_uses_the_families_a_solution_was_solved_under(tmp_path, capsys):
    solution = lpmech.solve(
        lpmech.single_item_auction([1, 2, 3], n_bidders=2), "revenue", ["bic", "interim_ir"]
    )
    path = lpmech.save(solution, tmp_path / "bic.json")
    assert main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "bayesian_ic" in out
    assert "interim_ir" in out


def test_verify_needs_families_and_a_valid_file(tmp_path, capsys):
    env = lpmech.single_item_auction([1, 2], n_bidders=1)
    path = lpmech.save(lpmech.Mechanism(env, [[0], [1]], [[0], [1]]), tmp_path / "m.json")
    assert main(["verify", str(path)]) == 1
    assert "give --constraints" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "lpmech", "schema_version": 99}')
    assert main(["verify", str(broken)]) == 1
    assert "schema_version 99 is not supported" in capsys.readouterr().err
