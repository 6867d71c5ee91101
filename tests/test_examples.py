"""Every example script runs, and every check it states is executed.

Each example prints what it shows and asserts it. Running it proves the asserts
hold; tracing its lines proves each ``assert`` statement actually ran (an assert
inside a branch or loop that never executes would show nothing).
"""

from __future__ import annotations

import ast
import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


def assert_lines(script: Path) -> set[int]:
    """Line numbers of the script's assert statements."""
    tree = ast.parse(script.read_text())
    return {node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)}


def test_there_are_examples():
    assert EXAMPLES


def run_traced(script: Path) -> tuple[set[int], dict]:
    """Run a script as ``__main__``; the line numbers of it that executed, and its globals."""
    executed: set[int] = set()
    filename = str(script)

    def trace(frame, event, arg):
        if frame.f_code.co_filename != filename:
            return None  # trace the script's own frames only

        def lines(frame, event, arg):
            if event == "line":
                executed.add(frame.f_lineno)
            return lines

        return lines(frame, event, arg)

    previous = sys.gettrace()
    sys.settrace(trace)
    try:
        namespace = runpy.run_path(filename, run_name="__main__")
    finally:
        sys.settrace(previous)
    return executed, namespace


def test_tracing_finds_an_assert_that_never_runs(tmp_path):
    script = tmp_path / "planted.py"
    script.write_text("x = 1\nif x > 2:\n    assert x == 3\nassert x == 1\n")
    assert assert_lines(script) == {3, 4}
    assert assert_lines(script) - run_traced(script)[0] == {3}


def figures_drawn(namespace: dict) -> list:
    """The matplotlib figures a script left in its variables (lpmech's or pyplot's)."""
    from matplotlib.figure import Figure

    return [value for value in namespace.values() if isinstance(value, Figure)]


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_and_every_assert_executes(script, capsys):
    import matplotlib.pyplot as plt

    checks = assert_lines(script)
    assert checks, f"{script.name} asserts nothing it shows"
    try:
        executed, namespace = run_traced(script)
        figures = figures_drawn(namespace)
    finally:
        plt.close("all")  # the gallery's pictures drawn with pyplot
    assert checks <= executed, f"asserts on lines {sorted(checks - executed)} never ran"
    assert capsys.readouterr().out.strip(), f"{script.name} prints nothing"
    # the gallery shows each example's figure: one with axes that hold drawn data
    assert figures, f"{script.name} draws no figure"
    for figure in figures:
        drawn = [ax for ax in figure.axes if ax.lines or ax.images or ax.patches or ax.collections]
        assert drawn, f"{script.name}: a figure with nothing drawn on it"


def test_the_gallery_has_at_least_twelve_examples():
    assert len(EXAMPLES) >= 12
    for script in EXAMPLES:  # sphinx-gallery needs a reStructuredText title first
        title, underline = ast.get_docstring(ast.parse(script.read_text())).split("\n")[:2]
        assert set(underline) == {"="}, script.name
        assert len(underline) >= len(title), script.name
