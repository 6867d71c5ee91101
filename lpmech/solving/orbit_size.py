"""The size of the orbit program of identical agents, from counts alone.

:mod:`lpmech.solving.orbit_program` states dominant-strategy IC, ex-post IR and
feasibility on orbits: K·C(K + N − 2, N − 1) (own type, others' multiset) pairs
with J + 1 columns each; IC rows per multiset of others and constrained pair,
2(J + 1) entries each; IR rows per pair, J + 1 entries; the allocation space's
rows at each of the C(K + N − 1, N) multisets of all types. Nothing of size
K^N is involved, so :mod:`lpmech.solving.sizing` can say what would fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lpmech.arrays import IntArray
from lpmech.constraints import ConstraintFamily, resolve_all
from lpmech.errors import InvalidArgumentError
from lpmech.problem.allocation import Items
from lpmech.problem.environment import Environment
from lpmech.problem.profile_orbits import orbit_obstacle

SUPPORTED = ("dominant_strategy_ic", "ex_post_ir", "feasibility")


def orbit_families(constraints: Any) -> dict[str, Any]:
    """The imposed families by role, or a library error naming what is unsupported."""
    families = resolve_all(constraints)
    found: dict[str, Any] = {"ic": None, "ir": None}
    for family in families:
        if family.orbit_role == "incentive":
            found["ic"] = family
        elif family.orbit_role == "participation":
            found["ir"] = family
        elif family.orbit_role != "feasibility":
            raise InvalidArgumentError(
                f"constraints: the orbit program states {', '.join(SUPPORTED)}, "
                f"not {family.name!r}"
            )
    return found


#: Bytes per stored non-zero and per row or column (as :mod:`lpmech.solving.sizing`).
BYTES_PER_NONZERO = 300
BYTES_PER_ROW = 64


@dataclass(frozen=True)
class OrbitSize:
    """Size of the orbit program and the estimated peak memory of its solve."""

    n_columns: int
    n_rows: int
    nonzeros: int
    n_bytes: int


def ic_pairs(family: ConstraintFamily | None, env: Environment) -> tuple[IntArray, IntArray]:
    """Agent 0's constrained (true type, report) pairs in the family's compiled form."""
    if family is None:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    compiled = family.compiled_form(env)
    form = compiled if compiled.n_pairs(env, 0) else family
    return form.pair_at(env, 0, np.arange(form.n_pairs(env, 0)))


def estimate_orbit_program(env: Environment, constraints: Any) -> OrbitSize:
    """Columns, rows, non-zeros and bytes of the orbit program, from counts alone."""
    families = orbit_families(constraints)
    n, k = env.n_agents, env.agents[0].n_types
    j = env.allocation.n_items if isinstance(env.allocation, Items) else 1
    others = math.comb(k + n - 2, n - 1)
    profiles = math.comb(k + n - 1, n)
    columns = k * others * (j + 1)
    ic_rows = len(ic_pairs(families["ic"], env)[0]) * others
    ir_rows = k * others if families["ir"] else 0
    space = env.allocation.matrix
    feasibility_rows = profiles * space.shape[0]
    rows = ic_rows + ir_rows + feasibility_rows
    nonzeros = ic_rows * 2 * (j + 1) + ir_rows * (j + 1) + profiles * space.nnz
    n_bytes = BYTES_PER_NONZERO * nonzeros + BYTES_PER_ROW * (rows + columns)
    return OrbitSize(columns, rows, nonzeros, n_bytes)


def orbit_size_if_applies(env: Environment, constraints: Any) -> OrbitSize | None:
    """The orbit program's size, or None where it does not apply (see
    :func:`~lpmech.problem.profile_orbits.orbit_obstacle` and ``SUPPORTED``)."""
    if orbit_obstacle(env) is not None:
        return None
    try:
        return estimate_orbit_program(env, constraints)
    except InvalidArgumentError:
        return None
