"""The design program as an object: build it, extend it in cvxpy, solve it anywhere, verify it.

:func:`formulate` compiles a design problem as :func:`lpmech.solve` does with
the direct formulation (every family's rows at every profile, adjacent-type IC
where single crossing allows it) and returns a :class:`DesignProgram`: the
cvxpy ``Problem``, its named variables (``allocation`` P × C and ``payments``
P × N, rows in profile order, with interim views per agent), and each family's
constraints by name. Add constraints or objective terms in cvxpy, solve with
:meth:`DesignProgram.solve` (any installed cvxpy solver) or call
``program.problem.solve(...)`` yourself and then :meth:`DesignProgram.solution`:
either way the result goes through :func:`lpmech.solve`'s own verification, so
every family — the ones you added included — is checked on the mechanism.

>>> import lpmech
>>> env = lpmech.single_item_auction([1, 2, 3, 4], n_bidders=2)
>>> program = lpmech.formulate(env, "revenue", ["dsic", "ex_post_ir"])
>>> program.add(program.payments <= 2.5, name="payment_cap")
>>> solution = program.solve(solver="CLARABEL")
>>> solution.verification["payment_cap"].ok, solution.report.solver
(True, 'CLARABEL')
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import cvxpy as cp
import numpy as np

from lpmech.backends.algorithms import algorithm_named, with_algorithm
from lpmech.backends.engines import Backend, CvxpyBackend, CvxpyProgram
from lpmech.constraints import ConstraintFamily, CvxpyConstraint, resolve_all, with_feasibility
from lpmech.constraints.custom import DesignVariables
from lpmech.errors import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidEnvironmentError,
    NotSolvedError,
)
from lpmech.formulations.base import DesignProblem, Formulation, Outcome, outcome_of
from lpmech.problem.environment import Environment
from lpmech.problem.memory import resolve_memory_limit
from lpmech.program.compiler import Program, compile_program
from lpmech.program.objectives import Combination, CustomObjective, Objective, resolve_objective
from lpmech.results.solution import Solution
from lpmech.solving.pipeline import DEFAULT_CONSTRAINTS, solve
from lpmech.solving.sizing import check_fits

Rebindable = cp.Expression | cp.Constraint


def formulate(
    env: Environment,
    objective: str | Objective = "revenue",
    constraints: Sequence[str | ConstraintFamily] = DEFAULT_CONSTRAINTS,
    *,
    deterministic: bool = False,
    memory_limit: float | None = None,
) -> DesignProgram:
    """The cvxpy program of a design problem, as a :class:`DesignProgram`.

    Parameters are those of :func:`lpmech.solve`; feasibility is always added. A program
    whose direct form exceeds ``memory_limit`` is refused before it is built, as by
    :func:`lpmech.solve` (:class:`~lpmech.errors.ProblemTooLargeError`).
    """
    if not isinstance(env, Environment):
        raise InvalidEnvironmentError(
            f"formulate: env must be an Environment, got {type(env).__name__}"
        )
    if not isinstance(deterministic, bool | np.bool_):
        raise InvalidArgumentError(
            f"formulate: deterministic must be True or False, got {deterministic!r}"
        )
    families = with_feasibility(resolve_all(constraints))
    return DesignProgram(
        env, resolve_objective(objective), families, bool(deterministic), memory_limit=memory_limit
    )


class DesignProgram:
    """A design problem as a cvxpy program that remembers what each part means.

    Attributes
    ----------
    env : Environment
    objective : Objective
        The objective, with any terms added by :meth:`add_objective`.
    families : tuple of ConstraintFamily
        Every imposed family, including those added by :meth:`add`; all are
        verified on the solution.
    variables : DesignVariables
        ``allocation`` (P × C), ``payments`` (P × N) and interim views per agent
        (``interim_allocation(i)``, ``interim_payment(i)``, ``interim_utility(i)``).
    problem : cvxpy.Problem
        The program (maximisation), current with every addition.
    constraints : dict
        Each family's cvxpy constraints, by family name.
    """

    def __init__(
        self,
        env: Environment,
        objective: Objective,
        families: tuple[ConstraintFamily, ...],
        deterministic: bool,
        *,
        memory_limit: float | None = None,
    ) -> None:
        self.env = env
        self.objective = objective
        self.families = families
        self.deterministic = deterministic
        compiled = tuple(f.compiled_form(env) for f in families)
        problem = DesignProblem(env, objective, compiled, deterministic)
        check_fits(problem, "direct", resolve_memory_limit(memory_limit))  # before building
        self._program = compile_program(env, objective, compiled, deterministic=deterministic)
        self._built = CvxpyBackend().build(self._program)
        self.variables = DesignVariables.from_vectors(env, *self._built.variables)
        by_rows = {(s.start, s.stop): name for name, s in self._program.row_slices.items()}
        self.constraints: dict[str, list[cp.Constraint]] = {
            name: [] for name in self._program.row_slices
        }
        for rows, _, _, constraint in self._built.sides:
            self.constraints[by_rows[rows.start, rows.stop]].append(constraint)
        self.constraints.update(self._built.custom)

    @property
    def problem(self) -> cp.Problem:
        """The cvxpy program."""
        return self._built.problem

    @property
    def allocation(self) -> cp.Expression:
        """a(θ) at every profile, shape (P, C)."""
        return self.variables.allocation

    @property
    def payments(self) -> cp.Expression:
        """t(θ) at every profile, shape (P, N)."""
        return self.variables.payments

    def interim_allocation(self, agent: int | str) -> cp.Expression:
        """E[a(θ) | θ_i = k], shape (K_i, C)."""
        return self.variables.interim_allocation(agent)

    def interim_payment(self, agent: int | str) -> cp.Expression:
        """m_i(k) = E[t_i(θ) | θ_i = k], shape (K_i,)."""
        return self.variables.interim_payment(agent)

    def interim_utility(self, agent: int | str) -> cp.Expression:
        """U_i(k) = E[u_i(θ) | θ_i = k] under truth-telling, shape (K_i,)."""
        return self.variables.interim_utility(agent)

    def add(
        self,
        constraints: cp.Constraint | Sequence[cp.Constraint] | CvxpyConstraint,
        name: str = "added",
    ) -> None:
        """Impose cvxpy constraints on this program's variables, as a family called ``name``.

        The constraints become a :class:`~lpmech.constraints.CvxpyConstraint`, so
        they are verified on the solution (and on any mechanism) like the rest.
        """
        if isinstance(constraints, ConstraintFamily) and constraints.requires_cvxpy:
            family = constraints
        else:
            given = [constraints] if isinstance(constraints, cp.Constraint) else constraints
            if not isinstance(given, Iterable):  # the items are checked by CvxpyConstraint
                raise InvalidArgumentTypeError(
                    f"add: constraints must be cvxpy constraints (or "
                    f"a CvxpyConstraint), got {constraints!r}"
                )
            given = list(given)
            for index, constraint in enumerate(given):
                self._own_variables(constraint, f"add: constraint {index} ({constraint})")
            family = CvxpyConstraint(lambda v: [self._rebind(c, v) for c in given], name=name)
        if family.name in {f.name for f in self.families}:
            raise InvalidArgumentError(
                f"add: a family named {family.name!r} is already imposed; give another name"
            )
        added = family.cvxpy_constraints(self.variables)
        self.families = (*self.families, family)
        self.constraints[family.name] = added
        end = self._program.n_rows
        self._program = replace(
            self._program,
            families=(*self._program.families, family),
            cvxpy_families=(*self._program.cvxpy_families, family),
            row_slices={**self._program.row_slices, family.name: slice(end, end)},
        )
        self._update(
            self.problem.objective,
            [*self.problem.constraints, *added],
            custom={**self._built.custom, family.name: added},
        )

    def add_objective(
        self, term: cp.Expression, name: str = "term", sense: str = "maximize"
    ) -> None:
        """Add a scalar cvxpy term of this program's variables to the objective.

        A ``"minimize"`` term is subtracted. The objective becomes the
        combination of the previous one and the term, evaluated on the solution.
        """
        if not (isinstance(term, cp.Expression) and term.is_scalar()):
            raise InvalidArgumentError(
                f"add_objective: term must be a scalar cvxpy expression, got "
                f"{getattr(term, 'shape', type(term).__name__)}"
            )
        self._own_variables(term, f"add_objective: term {name!r}")
        extra = CustomObjective(lambda v: self._rebind(term, v), sense=sense, name=name)
        self.objective = Combination([(1.0, self.objective), (1.0, extra)])
        self._program = replace(self._program, objective=self.objective)
        self._update(
            cp.Maximize(self.problem.objective.expr + extra.sign * term), self.problem.constraints
        )

    def solve(
        self,
        solver: str = "auto",
        *,
        tol: float = 1e-6,
        diagnose: bool = True,
        **solver_options: Any,
    ) -> Solution:
        """Solve with ``solver`` (see :mod:`lpmech.backends.solver_choice`) and return the verified
        solution.

        ``solver_options`` are HiGHS options for HiGHS, keyword arguments of the
        solver otherwise. Errors are those of :func:`lpmech.solve`.
        """
        return self._through_solve(
            _Prebuilt(self._program, self._built, solved=False),
            solver,
            tol,
            diagnose,
            solver_options,
        )

    def solution(self, problem: cp.Problem | None = None, *, tol: float = 1e-6) -> Solution:
        """The verified solution of this program after it was solved by anyone.

        Parameters
        ----------
        problem : cvxpy.Problem, optional
            A problem over this program's variables that you built (e.g. from
            ``program.problem.constraints`` plus your own) and solved. Its
            constraints that the program does not have are verified as the family
            ``"added constraints"``, and a different objective is reported as
            ``"custom"``.
        tol : float
            Relative verification tolerance, as in :func:`lpmech.solve`.
        """
        if problem is not None and not isinstance(problem, cp.Problem):
            raise InvalidArgumentTypeError(
                f"solution: problem must be a cvxpy.Problem over this program's variables, "
                f"got {type(problem).__name__}"
            )
        if problem is None or problem is self.problem:
            return self._through_solve(
                _Prebuilt(self._program, self._built, solved=True), "auto", tol, False, {}
            )
        known = {id(c) for c in self.problem.constraints}
        extra = [c for c in problem.constraints if id(c) not in known]
        view = copy.copy(self)
        view.constraints = dict(self.constraints)
        if extra:
            view.add(extra, name="added constraints")
        if problem.objective is not self.problem.objective:
            self._own_variables(problem.objective.expr, "solution: the problem's objective")
            sense = "maximize" if isinstance(problem.objective, cp.Maximize) else "minimize"
            expression = problem.objective.expr
            view.objective = CustomObjective(
                lambda v: self._rebind(expression, v), sense=sense, name="custom"
            )
        view._built = replace(view._built, problem=problem)
        return view.solution(tol=tol)

    def _through_solve(
        self,
        formulation: Formulation,
        solver: str,
        tol: float,
        diagnose: bool,
        options: Mapping[str, Any],
    ) -> Solution:
        return solve(
            self.env,
            self.objective,
            self.families,
            formulation=formulation,
            deterministic=self.deterministic,
            backend="cvxpy",
            solver=solver,
            solver_options=options,
            tol=tol,
            diagnose=diagnose,
        )

    def _update(
        self,
        objective: cp.Objective,
        constraints: Sequence[cp.Constraint],
        custom: dict[str, list[cp.Constraint]] | None = None,
    ) -> None:
        self._built = replace(
            self._built,
            problem=cp.Problem(objective, list(constraints)),
            custom=self._built.custom if custom is None else custom,
        )

    def _own_variables(self, item: Rebindable, what: str) -> None:
        """Refuse an expression or constraint over variables that are not this program's
        (another program's ``payments``, say): it would constrain nothing here."""
        own = {variable.id for variable in self.problem.variables()}
        foreign = [v for v in item.variables() if v.id not in own]
        if foreign:
            names = ", ".join(sorted({repr(v.name()) for v in foreign}))
            raise InvalidArgumentError(
                f"{what} uses the variable(s) {names} of another program, not of this "
                "one; build it from this program's variables (program.allocation, "
                "program.payments, program.interim_…)"
            )

    def _rebind(self, item: Rebindable, variables: DesignVariables) -> Rebindable:
        """``item`` with this program's variables replaced by ``variables``."""
        if variables is self.variables:
            return item
        mapping = {
            id(self.variables.allocation): variables.allocation,
            id(self.variables.payments): variables.payments,
        }
        for mine, theirs in zip(
            self._built.variables, (variables.allocation, variables.payments), strict=True
        ):
            mapping[id(mine)] = theirs.args[0]  # the flat variable under the (P, ·) view
        return _substitute(item, mapping)

    def __repr__(self) -> str:
        return (
            f"DesignProgram({self.objective.name} under "
            f"{' + '.join(f.name for f in self.families)}; "
            f"{self._program.n_columns} variables, {self._program.n_rows} rows)"
        )


def _substitute(item: Rebindable, mapping: dict[int, cp.Expression]) -> Rebindable:
    """A copy of a cvxpy expression or constraint tree with leaves replaced by id."""
    if id(item) in mapping:
        return mapping[id(item)]
    if not item.args:
        return item
    return item.copy([_substitute(arg, mapping) for arg in item.args])


class _Prebuilt(Formulation):
    """The direct program already built as cvxpy objects: solved here, or read as solved."""

    name = "direct"

    def __init__(self, program: Program, built: CvxpyProgram, solved: bool) -> None:
        self.program = program
        self.built = built
        self.solved = solved

    def obstacle(self, problem: DesignProblem) -> str | None:
        return None

    def run(self, problem: DesignProblem, engine: Backend, options: dict[str, Any]) -> Outcome:
        assert isinstance(engine, CvxpyBackend)
        program = self.program
        if self.solved:
            if self.built.problem.status is None:
                raise NotSolvedError(
                    "solution(): the program has not been solved; call "
                    ".solve(solver=...) or .problem.solve(...) first"
                )
            return outcome_of(program, engine.read(self.built, program))
        options = with_algorithm(program, options)
        result = engine.run(self.built, program, options)
        return outcome_of(
            program,
            replace(
                result,
                algorithm=result.algorithm or algorithm_named(options, problem.deterministic),
            ),
        )
