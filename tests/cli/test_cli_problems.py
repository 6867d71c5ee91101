"""``lpmech solve FILE|MODEL`` with every option, ``lpmech new``, and their refusals."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest
from paths import ROOT

import lpmech
from lpmech.analytic import efficient_welfare, exact_values, myerson, myerson_revenue
from lpmech.cli.commands import main
from lpmech.files import from_data
from lpmech.models import MODELS

EXAMPLES = ROOT / "docs" / "examples"
OPTIONS = (
    "--objective",
    "--constraints",
    "--tie-break",
    "--formulation",
    "--backend",
    "--algorithm",
    "--time-limit",
    "--memory-limit",
    "--quiet",
    "--verbose",
    "--profiles",
    "--exact",
    "--json",
    "--output",
    "--plot",
)
TWO_BIDDERS = lpmech.single_item_auction(np.arange(1, 5), 2)  # single_item's defaults


def _run(argv, capsys):
    """Exit status (argparse's SystemExit included), stdout and stderr of ``lpmech *argv``."""
    try:
        status = main([str(arg) for arg in argv])
    except SystemExit as exit_:
        status = exit_.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _document(argv, capsys):
    status, out, err = _run([*argv, "--json", "--quiet"], capsys)
    assert status == 0, err
    return json.loads(out)


def test_solve_help_lists_every_option_without_a_model(capsys):
    status, out, _ = _run(["solve", "--help"], capsys)
    assert status == 0
    assert "lpmech solve (MODEL | FILE.toml | FILE.json)" in out
    for option in OPTIONS:
        assert option in out


def test_a_model_help_adds_its_parameters(capsys):
    status, out, _ = _run(["solve", "multi_unit", "--help"], capsys)
    assert status == 0
    for option in ("--n-bidders", "--n-units", "--n-types", *OPTIONS):
        assert option in out


# ------------------------------------------------------------------- files
def test_the_hand_written_toml_problem_is_solved_with_json(capsys):
    document = _document(["solve", EXAMPLES / "auction.toml"], capsys)
    env = lpmech.single_item_auction([1, 2, 3, 4], 2, [0.4, 0.3, 0.2, 0.1], seller_value=1)
    assert document["file"] == str(EXAMPLES / "auction.toml")
    assert document["model"] is None
    assert document["benchmark"] is None
    assert document["objective"] == "profit"
    assert document["objective_value"] == pytest.approx(myerson_revenue(env), rel=1e-9)
    assert all(check["ok"] for check in document["verification"].values())


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_written_by_new_is_solved_alike_from_the_cli_and_python(
    name, tmp_path, capsys
):
    optimum = MODELS[name].solve().objective_value
    for suffix, flags in (("toml", []), ("json", ["--json"])):
        path = tmp_path / f"{name}.{suffix}"
        status, out, err = _run(["new", name, *flags, "--output", path], capsys)
        assert status == 0
        assert out == ""
        assert f"wrote model {name} as a problem file to {path}" in err
        assert _document(["solve", path], capsys)["objective_value"] == optimum
        assert lpmech.Problem.load(path).solve().objective_value == optimum


def test_new_writes_toml_to_stdout_that_reads_back(tmp_path, capsys):
    status, out, err = _run(["new", "procurement", "--n-sellers", "3"], capsys)
    assert status == 0
    assert out.startswith("# lpmech problem file (schema version 1): model procurement")
    assert "wrote model procurement as a problem file to stdout" in err
    path = tmp_path / "procurement.toml"
    path.write_text(out)
    problem = lpmech.Problem.load(path)
    assert problem.env.n_agents == 3
    assert problem.objective == "profit"


# ---------------------------------------------------------------- each option
def test_objective_and_constraints_replace_the_models(capsys):
    document = _document(
        ["solve", "single_item", "--objective", "welfare", "--constraints", "dsic,ex_post_ir"],
        capsys,
    )
    assert document["objective"] == "welfare"
    assert document["benchmark"] is None  # Myerson's revenue is not a welfare benchmark
    assert document["objective_value"] == pytest.approx(efficient_welfare(TWO_BIDDERS))
    # revenue equivalence: BIC and interim IR raise no more than DSIC and ex-post IR
    document = _document(["solve", "single_item", "--constraints", "bic,interim_ir"], capsys)
    assert document["constraints"] == ["feasibility", "bayesian_ic", "interim_ir"]
    assert document["objective_value"] == pytest.approx(myerson_revenue(TWO_BIDDERS))


def test_objective_and_constraints_apply_to_a_file(capsys):
    document = _document(
        ["solve", EXAMPLES / "trade.toml", "--constraints", "dsic,ex_post_ir"], capsys
    )
    assert document["constraints"] == ["feasibility", "dominant_strategy_ic", "ex_post_ir"]
    # without budget balance the first best is reached: E[(b − s)⁺]
    first_best = sum(
        pb * ps * max(b - s, 0)
        for b, pb in zip([0, 1, 2], [1 / 3] * 3, strict=True)
        for s, ps in zip([0, 1, 2], [0.5, 0.25, 0.25], strict=True)
    )
    assert document["objective_value"] == pytest.approx(first_best)


@pytest.mark.parametrize("tie_break", ["none", "small_payments", "analytic"])
def test_tie_break(capsys, tie_break):
    document = _document(["solve", "single_item", "--tie-break", tie_break], capsys)
    assert document["objective_value"] == pytest.approx(myerson_revenue(TWO_BIDDERS))
    if tie_break == "analytic":  # the optimum closest to Myerson's auction is Myerson's
        payments = np.array(document["mechanism"]["payments"])
        assert np.abs(payments - myerson(TWO_BIDDERS).flat_payments).max() <= 1e-7
    described = document["report"]["tie_break"] or ""
    assert ("tie-break small_payments" in described) == (tie_break == "small_payments")
    assert ("closest to Myerson" in described) == (tie_break == "analytic")


def test_formulation_time_limit_and_memory_limit_reach_the_solve(capsys):
    status, out, err = _run(
        [
            "solve",
            "single_item",
            "--formulation",
            "direct",
            "--time-limit",
            "30",
            "--memory-limit",
            "4G",
            "--output",
            "-",
        ],
        capsys,
    )
    assert status == 0
    solution = from_data(json.loads(out), "stdout")
    assert solution.report.formulation == "direct"
    assert solution.solver_options["time_limit"] == 30
    assert err.strip().endswith(
        "lpmech: wrote the solution (JSON, lpmech.load reads it) to stdout"
    )


def test_a_memory_limit_too_small_refuses_the_solve(capsys):
    status, _, err = _run(["solve", "single_item", "--memory-limit", "1K"], capsys)
    assert status == 1
    assert err.startswith("lpmech: error:")
    assert err.count("\n") == 1
    assert "over the limit of 1.02 kB" in err  # 1K = 1024 bytes
    assert "--memory-limit on the command line" in err


def test_exact_proves_the_optimum_of_a_file(capsys):
    document = _document(["solve", EXAMPLES / "trade.toml", "--exact"], capsys)
    assert document["exact"]["optimal"]
    env = lpmech.bilateral_trade([0, 1, 2], [0, 1, 2], seller_prior=[0.5, 0.25, 0.25])
    assert Fraction(document["exact"]["objective"]) == exact_values.second_best_gains(env)


def test_output_files_are_announced_on_stderr(tmp_path, capsys):
    path = tmp_path / "rule.csv"
    status, _, err = _run(["solve", "single_item", "--output", path, "--quiet"], capsys)
    assert status == 0
    assert f"lpmech: wrote the mechanism by profile (CSV) to {path}" in err
    assert path.read_text().count("\n") == 17  # a header and 16 profiles


# ------------------------------------------------------------------ refusals
@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (
            ["solve", "single_item", "--constraints", "dsic,honesty"],
            1,
            "lpmech: error: --constraints: unknown constraint family 'honesty'",
        ),
        (
            ["solve", "single_item", "--objective", "fame"],
            1,
            "lpmech: error: --objective: unknown objective 'fame'",
        ),
        (
            ["solve", "{bad}"],
            1,
            "lpmech: error: {bad}: environment.values[1]: expected a number, got str 'x'",
        ),
        (
            ["solve", "{tmp}/absent.toml"],
            1,
            "lpmech: error: cannot read {tmp}/absent.toml: No such file or directory",
        ),
        (["solve", "nope"], 1, "lpmech: error: unknown model 'nope'; run 'lpmech list'"),
        (
            ["solve", "single_item", "--output", "-", "--json"],
            1,
            "lpmech: error: --output - and --json both write to stdout",
        ),
        (
            ["solve", "{trade}", "--tie-break", "analytic"],
            1,
            "lpmech: error: --tie-break analytic: only a model",
        ),
        (
            ["solve", "single_item", "--tie-break", "largest"],
            2,
            "lpmech solve single_item: error: argument --tie-break: invalid choice: 'largest'",
        ),
        (
            ["solve", "single_item", "--formulation", "magic"],
            2,
            "lpmech solve single_item: error: argument --formulation: invalid choice: 'magic'",
        ),
        (
            ["solve", "single_item", "--time-limit", "-1"],
            2,
            "lpmech solve single_item: error: argument --time-limit: expected a positive",
        ),
        (
            ["solve", "single_item", "--memory-limit", "lots"],
            2,
            "lpmech solve single_item: error: argument --memory-limit: expected bytes",
        ),
        (
            ["solve", "single_item", "--constraints", ","],
            2,
            "lpmech solve single_item: error: argument --constraints: expected comma-separated",
        ),
        (["solve"], 2, "lpmech solve: error: solve needs a MODEL or a problem FILE"),
        (["new", "nope"], 1, "lpmech: error: unknown model 'nope'"),
        (["new"], 1, "lpmech: error: new needs a MODEL"),
        (
            ["new", "single_item", "--n-types", "3:3"],
            2,
            "lpmech new single_item: error: argument --n-types: expected a whole number, "
            "got '3:3'",
        ),
    ],
)
def test_refusals_are_one_line_naming_the_option_or_field(tmp_path, capsys, argv, status, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'schema_version = 1\n[environment]\nbuilder = "single_item_auction"\n'
        'values = [1, "x"]\nn_bidders = 2\n'
    )
    fill = {"bad": bad, "tmp": tmp_path, "trade": EXAMPLES / "trade.toml"}
    got, _, err = _run([arg.format(**fill) for arg in argv], capsys)
    assert got == status
    assert err.startswith(message.format(**fill)), err
    assert err.count("\n") == 1


def test_a_file_naming_a_model_keeps_its_benchmark(tmp_path, capsys):
    path = lpmech.Problem.from_model("multi_unit", n_units=1).save(tmp_path / "unit.toml")
    document = _document(["solve", path, "--tie-break", "analytic"], capsys)
    env = MODELS["multi_unit"].environment(n_units=1)
    assert document["model"] == "multi_unit"
    assert document["file"] == str(path)
    assert document["parameters"] == {"n_units": 1}
    assert document["benchmark"]["agrees"]
    assert document["objective_value"] == pytest.approx(myerson_revenue(env))
    payments = np.array(document["mechanism"]["payments"])
    assert np.abs(payments - myerson(env).flat_payments).max() <= 1e-7
