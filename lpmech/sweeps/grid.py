"""A sweep's grid: the parameter points, from a product of values or a list of points.

>>> points({"n_types": [4, 8], "n_bidders": [2, 3]})  # doctest: +NORMALIZE_WHITESPACE
[{'n_types': 4, 'n_bidders': 2}, {'n_types': 4, 'n_bidders': 3},
 {'n_types': 8, 'n_bidders': 2}, {'n_types': 8, 'n_bidders': 3}]
>>> parse_values("4:13:4", int), parse_values("2,3", int), parse_values("0:1:0.25", float)
([4, 8, 12], [2, 3], [0.0, 0.25, 0.5, 0.75])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from lpmech.errors import InvalidArgumentError
from lpmech.sweeps.points import Scalar

#: Most points a grid may have (a range such as 1:10**11:1 is refused, not built).
MAX_POINTS = 100_000


def points(
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
) -> list[dict[str, Scalar]]:
    """Every point of ``grid``: the product of a mapping's values (first name slowest),
    or a list of points as given. Values must be scalars (numbers, strings, booleans)
    and points distinct; numpy scalars become Python ones.
    """
    if isinstance(grid, Mapping):
        if not grid:
            raise InvalidArgumentError("grid: empty; give parameter names and their values")
        for name, values in grid.items():
            if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
                raise InvalidArgumentError(
                    f"grid: values of {name!r} must be a sequence, got {type(values).__name__}"
                )
            if len(values) == 0:
                raise InvalidArgumentError(f"grid: {name!r} has no values")
        size = math.prod(len(values) for values in grid.values())
        if size > MAX_POINTS:
            raise InvalidArgumentError(
                f"grid: {size} points (the product of {len(grid)} value lists); "
                f"a sweep takes at most {MAX_POINTS}"
            )
        listed = [
            dict(zip(grid, combination, strict=True))
            for combination in itertools.product(*grid.values())
        ]
    else:
        given = list(grid) if isinstance(grid, Iterable) and not isinstance(grid, str) else grid
        if not isinstance(given, list) or not all(isinstance(p, Mapping) for p in given):
            raise InvalidArgumentError(
                f"grid: expected parameter values by name, or a list of "
                f"points (each a mapping), got {grid!r}"
            )
        listed = [dict(point) for point in given]
        if not listed:
            raise InvalidArgumentError("grid: no points")
        if len(listed) > MAX_POINTS:
            raise InvalidArgumentError(
                f"grid: {len(listed)} points; a sweep takes at most {MAX_POINTS}"
            )
    cleaned = [{name: _scalar(name, value) for name, value in point.items()} for point in listed]
    seen = set()
    for point in cleaned:
        identity = tuple(sorted(point.items()))
        if identity in seen:
            raise InvalidArgumentError(f"grid: the point {point} appears twice")
        seen.add(identity)
    return cleaned


def parse_values(text: str, kind: Callable[[str], Any] = float) -> list[Any]:
    """Values from the command line: ``a,b,c`` or ``start:stop:step`` (stop excluded).

    ``kind`` converts each value (the parameter's type: int, float, str).
    """
    if text.count(":") == 2 and kind is not str:
        start, stop, step = (kind(part) for part in text.split(":"))
        if step <= 0:
            raise InvalidArgumentError(f"{text!r}: the step must be positive")
        if stop <= start:
            raise InvalidArgumentError(f"{text!r}: stop must be above start")
        count = math.ceil((stop - start) / step - 1e-9)
        if count > MAX_POINTS:
            raise InvalidArgumentError(
                f"{text!r}: {count} values; a sweep takes at most {MAX_POINTS} points"
            )
        values = [start + k * step for k in range(count)]
        return [kind(round(value, 12)) if kind is float else value for value in values]
    values = [kind(part.strip()) for part in text.split(",") if part.strip()]
    if not values:
        raise InvalidArgumentError(f"{text!r}: no values")
    return values


def _scalar(name: str, value: Any) -> Scalar:
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, bool | int | float | str):
        raise InvalidArgumentError(
            f"grid: {name!r} = {value!r} is not a number, string or boolean; "
            "pass simple values and build richer inputs inside the function"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidArgumentError(f"grid: {name!r} = {value!r} is not finite")
    return value
