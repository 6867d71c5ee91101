"""Which HiGHS algorithm solves a program: dual simplex or interior point.

``lpmech.solve(..., algorithm="auto")`` asks :func:`choose_algorithm`; the choice
is reported as :attr:`lpmech.results.solution.SolveReport.algorithm`, and ``algorithm=
"simplex"`` or ``"ipm"`` (or ``solver_options={"solver": ...}``) overrides it.

The rule is measured, on the benchmark suite's programs (``benchmarks/``, one
core of an AMD EPYC; HiGHS solve seconds, simplex against interior point):

* Dual simplex wins on every program lpmech builds by default for a single
  item, a public good or several items, by 1.3× to 40×: adjacent-type incentive
  rows, symmetric reductions, interim programs, and constraint generation (whose
  re-solves start from the previous basis, which only simplex can use).
  Examples: 4 symmetric bidders × 20 types, DSIC, 11.4 s against 14.4 s; 3 × 40,
  BIC, 0.40 s against 1.9 s; two items on a 50 × 50 grid, 0.9 s against 38 s.
* Interior point wins where Bayesian incentive rows (each a dense average over
  the others' profiles) meet ex-post budget rows that tie every profile's
  payments together: bilateral trade with K types each, BIC and ex-post budget
  balance, 1.6 s against 0.5 s at K = 100 (30,000 columns) and 59 s against
  4.1 s at K = 250; at K = 40 (4,800 columns) the two are even. Ex-ante budget
  rows, or ex-post incentive rows, with the same budget rows keep simplex ahead
  (K = 100: 0.18 s against 0.37 s, and 22 s against 46 s).
* Interior point also wins on full-IC direct programs once there are tens of
  thousands of incentive rows, many per column: 2 bidders × 40 types (129,600
  rows on 6,400 columns) 25 s against 6 s; two items on a 15 × 15 grid (51,075
  rows on 675 columns) 3.3 s against 2.2 s; three items on 6³ (47,304 rows) 3.1 s
  against 2.1 s. Below that the two are even (2 × 20 types, 16,400 rows: 0.37 s
  against 0.31 s), as they are with five rows a column (4 × 10 types, 410,000
  rows: 22.5 s against 23.6 s).

Mixed-integer programs (deterministic mechanisms) are left to HiGHS's branch and
bound, which runs simplex on its relaxations.
"""

from __future__ import annotations

from typing import Any

from lpmech.program.compiler import Program

#: The algorithms a user may ask for; "auto" applies :func:`choose_algorithm`.
ALGORITHMS = ("auto", "simplex", "ipm")
#: What a report calls the branch and bound of deterministic mechanisms.
BRANCH_AND_BOUND = "branch and bound"
#: Columns from which Bayesian incentive rows with ex-post budget rows go to IPM.
IPM_MIN_COUPLED_COLUMNS = 10_000
#: Rows per column, and rows, from which a program goes to IPM.
IPM_MIN_ROWS_PER_COLUMN = 15
IPM_MIN_ROWS = 40_000


def choose_algorithm(program: Program) -> str:
    """``"ipm"`` or ``"simplex"`` for an LP, by the measured rule of this module.

    Families say what the rule reads (:attr:`~lpmech.constraints.ConstraintFamily.
    dense_rows`, :attr:`~lpmech.constraints.ConstraintFamily.couples_payments`): Bayesian
    incentive rows and ex-post budget rows among the built-in families.
    """
    families = program.families
    dense = any(f.dense_rows for f in families)
    coupled = any(f.couples_payments for f in families)
    if dense and coupled and program.n_columns >= IPM_MIN_COUPLED_COLUMNS:
        return "ipm"
    if program.n_rows >= max(IPM_MIN_ROWS, IPM_MIN_ROWS_PER_COLUMN * program.n_columns):
        return "ipm"
    return "simplex"


def with_algorithm(program: Program, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with HiGHS's ``solver`` set by :func:`choose_algorithm` unless given."""
    if program.deterministic or "solver" in options:
        return options
    return {**options, "solver": choose_algorithm(program)}


def warm_start_options(options: dict[str, Any], deterministic: bool) -> dict[str, Any]:
    """Simplex for a program re-solved after rows are added, unless ``options`` say.

    Generation (of incentive rows or of Border's inequalities) re-solves from the
    last optimal basis, which only simplex can use.
    """
    if deterministic:
        return options
    return {"solver": "simplex", **options}


def algorithm_named(options: dict[str, Any], deterministic: bool) -> str:
    """How a report names the algorithm that ``options`` ask HiGHS for."""
    if deterministic:
        return BRANCH_AND_BOUND
    return str(options.get("solver", "choose"))
