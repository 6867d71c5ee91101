"""Numbers and tables as plain text: what every report's ``str`` is made of.

:func:`format_number` writes a number to six significant figures (tiny values as 0);
:func:`format_table` lays rows out in left-aligned columns under a ruled header. Checks,
results, views and the command line all print through these two, so a number reads the
same in every report.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def format_number(value: Any, digits: int = 6) -> str:
    """Numbers to ``digits`` significant figures, tiny values (|x| < 1e-9) as 0."""
    if isinstance(value, (float, np.floating)):
        if abs(value) < 1e-9:
            return "0"
        return f"{value:.{digits}g}"
    return str(value)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Left-aligned text columns with a rule under the header."""
    cells = [[format_number(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = [
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def optimum_label(name: str, value: float, status: str) -> str:
    """ "Optimal revenue = 2.375", or "Revenue = 4.98 (optimal within gap 0.3)" when the
    solve's status (:attr:`lpmech.SolveReport.status`) is not plain "optimal"."""
    if status == "optimal":
        return f"Optimal {name} = {format_number(value)}"
    return f"{name[:1].upper()}{name[1:]} = {format_number(value)} ({status})"
