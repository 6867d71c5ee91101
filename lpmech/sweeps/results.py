"""A sweep's rows: written to a CSV file as they arrive, read back to resume.

Each finished point is appended and flushed at once, so a sweep that is
stopped (interrupted, killed, out of time) keeps every point it finished, and
running it again with the same file solves only the rest. A row is matched to
its point by ``key`` (:attr:`~lpmech.sweeps.points.Point.key`: target,
parameters and solve settings), so rows of another sweep in the same file are
never taken for this one's, and the parameters are never parsed back from text.

Numbers are written with ``repr``, which reads back to the same float; text
is UTF-8.

One sweep at a time writes a file: a sweep holds an exclusive lock on it
(``flock``, released when the sweep ends or its process dies), and a second
sweep given the same file is refused at once, naming it — rows are never lost
to interleaved writes, nor solved twice.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from lpmech.errors import InvalidArgumentError
from lpmech.extras import require
from lpmech.sweeps.points import RESULT_COLUMNS, Point

#: pandas dtypes of the result columns (nullable where a failed point has no value).
_DTYPES = {str: "object", float: "float64", int: "Int64", bool: "boolean"}


class ResultsFile:
    """A CSV file of rows with the given columns, appended one row at a time, locked
    against other sweeps until :meth:`close` (or the end of a ``with`` block).

    Raises :class:`~lpmech.errors.InvalidArgumentError` naming the file if it is not
    a ``.csv``, exists with other columns (another sweep's file), is being written
    by another sweep, or cannot be opened.
    """

    def __init__(self, path: str | Path, columns: Sequence[str]) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() != ".csv":
            raise InvalidArgumentError(
                f"output: {str(self.path)!r} is not a .csv file; sweeps write CSV"
            )
        self.columns = list(columns)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # text that UTF-8 cannot hold (a lone surrogate) is written escaped, never refused
            self._handle = self.path.open(
                "a+", newline="", encoding="utf-8", errors="backslashreplace"
            )
        except OSError as error:
            raise InvalidArgumentError(
                f"output: cannot open {str(self.path)!r}: {error.strerror or error}"
            ) from error
        try:
            _lock(self._handle.fileno(), self.path)
            self._handle.seek(0)
            header = next(csv.reader(self._handle), [])
            if not header:
                csv.writer(self._handle).writerow(self.columns)
                self._handle.flush()
            elif header != self.columns:
                raise InvalidArgumentError(
                    f"output: {str(self.path)!r} holds columns {header}, but this sweep writes "
                    f"{self.columns}; give another file (or delete this one)"
                )
        except BaseException:
            self._handle.close()
            raise

    def finished(self) -> dict[str, dict[str, str]]:
        """The rows already in the file, as text, by key (the last row of a key wins)."""
        self._handle.seek(0)
        return {row["key"]: row for row in csv.DictReader(self._handle) if row.get("key")}

    def append(self, row: Mapping[str, Any]) -> None:
        """Write one row at the end of the file and flush it."""
        csv.writer(self._handle).writerow([_text(row.get(name)) for name in self.columns])
        self._handle.flush()

    def close(self) -> None:
        """Close the file, releasing it to other sweeps."""
        self._handle.close()

    def __enter__(self) -> ResultsFile:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def _lock(descriptor: int, path: Path) -> None:
    """Hold an exclusive lock on the open file, or refuse: another sweep holds it."""
    try:
        import fcntl
    except ImportError:  # no flock on this platform (Windows): one writer is the user's care
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise InvalidArgumentError(
            f"output: {str(path)!r} is being written by another sweep; wait until it "
            "ends (a sweep then resumes from its rows) or give another file"
        ) from None


def parse_result(text: Mapping[str, str]) -> dict[str, Any]:
    """The result columns of a row read from a file, as the values a fresh row has."""
    return {name: _value(text.get(name, ""), kind) for name, kind in RESULT_COLUMNS.items()}


def frame(points: Sequence[Point], rows: Iterable[Mapping[str, Any]]) -> Any:
    """A pandas DataFrame: one row per point, in the points' order, typed by column."""
    pandas = require("pandas", "sweep", "a sweep's results table")
    by_key = {row["key"]: row for row in rows}
    names = list(dict.fromkeys(name for point in points for name in point.params))
    records = [
        {**point.params, **{name: row[name] for name in RESULT_COLUMNS}}
        for point in points
        if (row := by_key.get(point.key)) is not None
    ]
    table = pandas.DataFrame.from_records(records, columns=[*names, *RESULT_COLUMNS])
    return table.astype({name: _DTYPES[kind] for name, kind in RESULT_COLUMNS.items()})


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    # csv cannot read a NUL character back, so none is written
    return repr(value) if isinstance(value, float) else str(value).replace("\x00", "")


def _value(text: str, kind: type) -> Any:
    if kind is str:
        return text
    if text == "":
        return math.nan if kind is float else None
    if kind is bool:
        return text == "True"
    return kind(float(text)) if kind is int else kind(text)
