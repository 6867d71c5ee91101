"""Draw docs/sweep.png, the picture in the README's section on sweeps.

    python docs/make_sweep_figure.py

It runs the command the README shows: the optimal revenue of the irregular
auction as the middle type's mass grows, one line per number of bidders, with
Myerson's ironed benchmark dashed.
"""

from pathlib import Path

import matplotlib

from lpmech.cli.commands import main

COMMAND = [
    "sweep",
    "irregular_auction",
    "--middle-mass",
    "0.05:0.95:0.05",
    "--n-bidders",
    "1,2,3,4",
    "--plot",
    str(Path(__file__).parent / "sweep.png"),
]

if __name__ == "__main__":
    matplotlib.use("Agg")
    raise SystemExit(main(COMMAND))
