"""Looking up built-in objects by name (with a suggestion when unknown), or by spec."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

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


def spec_parts(
    spec: Mapping[str, Any], kind: str, error: type[Exception]
) -> tuple[str, dict[str, Any]]:
    """The key under ``kind`` (e.g. "family") and the other parameters of a spec.

    Raises ``error`` when the key is missing, or when the spec records a function
    (``"function"``), which plain data cannot rebuild.
    """
    if kind not in spec:
        raise error(f"from_spec: no {kind!r} key in {dict(spec)!r}")
    key = spec[kind]
    parameters = {k: v for k, v in spec.items() if k != kind}
    if "function" in parameters:
        raise error(
            f"from_spec: {kind} {parameters.get('name', key)!r} holds the function "
            f"{parameters['function']}, which plain data cannot rebuild; pass the "
            f"{kind} itself"
        )
    return key, parameters
