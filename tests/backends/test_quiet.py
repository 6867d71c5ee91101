"""A solve prints nothing unless asked: HiGHS's banner and log appear only with verbose."""

from __future__ import annotations

import textwrap

import pytest
from fresh_process import run_python

SOLVE = textwrap.dedent("""
    import lpmech
    env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
    for deterministic in {deterministic}:
        solution = lpmech.solve(env, "revenue", ["dsic", "ex_post_ir"], backend={backend!r},
                                deterministic=deterministic, verbose={verbose})
        assert solution.verification.ok
""")


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["highspy", "cvxpy"])
def test_a_solve_prints_nothing(backend):
    """The first solves of a fresh process, a linear program and a MIP, print nothing."""
    code = SOLVE.format(backend=backend, deterministic=(False, True), verbose=False)
    run = run_python("-c", code)
    assert run.stdout == ""
    assert run.stderr == ""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["highspy", "cvxpy"])
def test_verbose_shows_the_solver_log(backend):
    run = run_python("-c", SOLVE.format(backend=backend, deterministic=(False,), verbose=True))
    assert "Model status" in run.stdout
    assert "Optimal" in run.stdout


@pytest.mark.slow
def test_output_flag_option_shows_the_log_too():
    code = SOLVE.format(backend="highspy", deterministic=(False,), verbose=False).replace(
        "verbose=False", "solver_options={'output_flag': True}"
    )
    assert "Model status" in run_python("-c", code).stdout


@pytest.mark.slow
def test_cli_is_quiet_and_verbose_on_request():
    quiet = run_python(
        "-c", "from lpmech.cli.commands import main; main(['solve', 'single_item'])"
    )
    assert "Running HiGHS" not in quiet.stdout
    assert quiet.stderr == ""
    assert "Optimal revenue" in quiet.stdout
    loud = run_python(
        "-c", "from lpmech.cli.commands import main; main(['solve', 'single_item', '--verbose'])"
    )
    assert "Model status" in loud.stdout
