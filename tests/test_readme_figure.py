"""The README's picture is drawn by a script in the repository, which runs."""

from __future__ import annotations

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "docs" / "make_readme_figure.py"


def test_the_script_draws_the_figure(tmp_path, capsys):
    main = runpy.run_path(str(SCRIPT))["main"]
    output = main(["--grid", "6", "--output", str(tmp_path / "figure.png")])
    assert output.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "optimal revenue" in capsys.readouterr().out


def test_the_readme_shows_the_committed_figure():
    figure = SCRIPT.with_name("readme_figure.png")
    assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    readme = (ROOT / "README.md").read_text()
    assert "](docs/readme_figure.png)" in readme
    assert "docs/make_readme_figure.py" in readme
