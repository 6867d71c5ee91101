"""The symmetric formulation's reduced program, rebuilt with rational data.

The symmetric formulation (:mod:`lpmech.formulations.symmetric`) solves the design
program over *orbits* of columns: one value w_o per orbit o of z's columns under
relabelling identical agents, z = E w (E copies w_o to every column of o). A
certificate proves optimality on that smaller program R with its own basis. R's
optimum is the full problem's by the averaging argument the formulation rests on
(its module docstring: a linear program invariant under the finite group G of
relabellings has an optimum fixed by G, the average of any optimum's images; the
seed notes do not treat symmetry):

1. *Invariance, checked exactly.* The agents have the same types, the prior is
   exchangeable, relabelling maps valuations and the principal's values onto each
   other, outside options agree (all on the exact inputs, in rationals), and the
   allocation space's bounds and rows are permuted among themselves; every
   family declares itself symmetric (relabelling maps its constraints onto
   themselves when the environment is symmetric); the objective's coefficients are
   constant on orbits; and the orbits are exactly the orbits of G on columns (each
   is mapped onto itself by the generators, a transposition and a cycle, which
   generate all relabellings, and is connected by them).
2. *Averaging.* For any feasible mechanism z, z̄ = (1/N!) Σ_σ σz is feasible (the
   feasible set is convex and G-invariant) with the same objective (c is
   G-invariant), and z̄ is constant on orbits: z̄ = E w̄.
3. *Relaxation.* Every row of R is a row of an imposed family (agent 0's rows of a
   per-agent family, or any row of another) with its columns merged by orbit, so
   w̄ satisfies it; R's column bounds are its members' (constant on orbits). Hence
   c·z = c·z̄ = c_R·w̄ ≤ opt(R) with c_R = Eᵀc, and a dual bound on R bounds the
   full problem.

The mechanism itself is checked against the full families on every profile, so a
feasible mechanism attaining R's dual bound is optimal in the full problem.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components

from lpmech.constraints.base import ConstraintFamily, ExactRowBlock
from lpmech.exact.program import ExactProgram, exact_program
from lpmech.exact.twin import ExactEnvironment
from lpmech.formulations.base import OrbitProgram
from lpmech.formulations.symmetric import AgentSymmetry, agent_symmetry
from lpmech.numbers.integers import ratios, scaled
from lpmech.numbers.rationals import rational_array
from lpmech.program.objectives import Objective

ObjectArray = NDArray[np.object_]
IntArray = NDArray[np.intp]

#: What a certificate on the reduced program states as its argument.
ARGUMENT = (
    "relabelling the identical agents maps the problem onto itself (checked exactly on the "
    "rational inputs: same types, exchangeable prior, valuations and the principal's values "
    "exchanged, equal outside options, the allocation space permuted onto itself; every "
    "family symmetric; objective coefficients "
    "constant on the column orbits, which are exactly the orbits of the relabellings), so "
    "averaging any feasible mechanism over all relabellings gives an anonymous feasible "
    "mechanism with the same objective; an anonymous mechanism is one value per orbit and "
    "satisfies every row of the reduced program (rows of imposed families with their "
    "orbits' columns merged), so the reduced program's optimum bounds the full problem's; "
    "the mechanism satisfies the full families exactly on every profile, so attaining the "
    "bound makes it optimal"
)


def first_members(orbit: IntArray) -> IntArray:
    """The first column of each orbit (orbits numbered 0, 1, …)."""
    first = np.zeros(int(orbit.max()) + 1 if len(orbit) else 0, dtype=np.intp)
    first[orbit[::-1]] = np.arange(len(orbit))[::-1]  # the last write is the first column
    return first


def symmetry_obstacle(
    twin: ExactEnvironment,
    families: tuple[ConstraintFamily, ...],
    symmetry: AgentSymmetry,
    orbit: IntArray,
) -> str | None:
    """Why the exact problem is not shown invariant under relabelling agents, or None.

    Checks everything but the objective (see :func:`orbit_program`): the exact inputs,
    the families' declarations, and that ``orbit`` is the partition of columns into
    orbits of the relabellings.
    """
    undeclared = [f.name for f in families if not f.symmetric]
    if undeclared:
        return f"families not declared symmetric: {', '.join(undeclared)}"
    inputs = twin.inputs
    if any(not np.array_equal(t, inputs.types[0]) for t in inputs.types[1:]):
        return "the agents' exact types differ"
    if any(not np.array_equal(o, inputs.outside_options[0]) for o in inputs.outside_options):
        return "the agents' exact outside options differ"
    if len(symmetry.relabellings) != 2 or len(symmetry.generators) != 2:
        return "the relabellings that generate the symmetry are unknown"
    prior = inputs.prior
    for (sigma, component), columns in zip(
        symmetry.relabellings, symmetry.generators, strict=True
    ):
        if not np.array_equal(np.transpose(prior, sigma), prior):
            return "the exact prior is not exchangeable"
        for j, values in enumerate(inputs.valuations):
            if np.ndim(values) != 2 or not np.array_equal(
                inputs.valuations[sigma[j]][:, component], values
            ):
                return "relabelling agents does not exchange the exact valuations"
        if not np.array_equal(inputs.principal_value[component], inputs.principal_value):
            return "the principal values agents' components differently (exactly)"
        if not twin.allocation.maps_onto_itself(component):
            return "relabelling agents does not map the allocation space onto itself"
        if not np.array_equal(orbit[columns], orbit):
            return "a relabelling moves a column out of its orbit"
    n = len(orbit)
    edges = np.concatenate(symmetry.generators)
    graph = sp.csr_array((np.ones(len(edges)), (np.tile(np.arange(n), 2), edges)), shape=(n, n))
    labels = np.unique(orbit)
    if labels[0] != 0 or labels[-1] != len(labels) - 1:
        return "the orbits are not numbered 0, 1, …"
    # each orbit is a union of the relabellings' orbits (above); as many means each is one
    if connected_components(graph, directed=False)[0] != len(labels):
        return "an orbit joins columns that no relabelling connects"
    return None


def orbit_program(
    twin: ExactEnvironment,
    objective: Objective,
    families: tuple[ConstraintFamily, ...],
    solved: OrbitProgram,
) -> tuple[ExactProgram, ObjectArray] | str:
    """The reduced program the symmetric formulation solved, with rational data, and the
    full program's (maximisation) cost vector; or why it is not proved equivalent.

    Its rows are ``solved.rows`` of the exact program compiled as the formulation
    compiles it (per-agent symmetric families: agent 0's rows), with the columns of
    each orbit merged exactly, in the same order, so that HiGHS's basis and duals of
    the solved program fit it.
    """
    symmetry = agent_symmetry(twin.float_environment)
    orbit = np.asarray(solved.column_orbit, dtype=np.intp)
    if isinstance(symmetry, str) or not np.array_equal(symmetry.column_orbit, orbit):
        return "the environment's orbits are not those the formulation solved over"
    reason = symmetry_obstacle(twin, families, symmetry, orbit)
    if reason is not None:
        return reason
    program = exact_program(twin, objective, families, first_agent=True)
    n_orbits = int(orbit.max()) + 1
    representative = first_members(orbit)
    numerators, denominator = scaled(program.cost)
    if np.any(numerators != numerators[representative[orbit]]):
        return "the objective's coefficients are not constant on orbits"
    for name, values in (("lower", program.column_lower), ("upper", program.column_upper)):
        if any(
            a is not b and a != b
            for a, b in zip(values.tolist(), values[representative[orbit]].tolist(), strict=True)
        ):
            return f"the column {name} bounds are not constant on orbits"
    rows = np.asarray(solved.rows, dtype=np.intp)
    if len(rows) and (rows.max() >= program.n_rows or np.any(np.diff(rows) <= 0)):
        return "the reduced program's rows do not fit the compiled program"
    counts = np.diff(program.indptr)[rows]
    entries = np.repeat(program.indptr[rows] - np.cumsum(counts) + counts, counts) + np.arange(
        counts.sum()
    )
    block = ExactRowBlock.from_exact_entries(
        np.repeat(np.arange(len(rows)), counts),
        orbit[program.indices[entries]],
        program.data[entries],
        (len(rows), n_orbits),
        program.row_lower[rows],
        program.row_upper[rows],
    )
    starts = [s.start for s in program.row_slices.values()]
    family_of = np.searchsorted(starts, rows, side="right") - 1
    slices, row_index, begin = {}, {}, 0
    for f, (name, own) in enumerate(program.row_slices.items()):
        mine = rows[family_of == f]
        slices[name] = slice(begin, begin + len(mine))
        row_index[name] = mine - own.start
        begin += len(mine)
    sums = np.zeros(n_orbits, dtype=object)
    np.add.at(sums, orbit, numerators)  # c_R = Eᵀc, as integers over one denominator
    reduced = replace(
        program,
        indptr=block.matrix.indptr.astype(np.intp),
        indices=block.matrix.indices.astype(np.intp),
        data=block.exact_data,
        row_lower=block.exact_lower,
        row_upper=block.exact_upper,
        column_lower=program.column_lower[representative],
        column_upper=program.column_upper[representative],
        row_slices=slices,
        cost=rational_array(ratios(sums, denominator)),
        row_index=row_index,
        family_rows={name: s.stop - s.start for name, s in program.row_slices.items()},
        float_data=block.matrix.data,
        column_orbit=orbit,
    )
    return reduced, program.cost
