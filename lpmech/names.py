"""Looking up built-in objects by name, with a suggestion when a name is unknown."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import TypeVar

T = TypeVar("T")


def normalise(name: str) -> str:
    """``"Bayesian IC"`` and ``"bayesian-ic"`` both become ``"bayesian_ic"``."""
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def look_up(
    name: str,
    table: Mapping[str, Callable[[], T]],
    aliases: Mapping[str, str],
    what: str,
    error: type[Exception],
) -> T:
    """A fresh instance of ``table[name]`` (after aliases), or ``error`` naming the options.

    The message names the unknown ``what``, the closest known spelling, and every
    known name.
    """
    key = normalise(name)
    key = aliases.get(key, key)
    if key in table:
        return table[key]()
    known = sorted([*table, *aliases])
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise error(f"unknown {what} {name!r}{hint} Known names: {', '.join(known)}")
