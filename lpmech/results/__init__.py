"""Stage 6, results: mechanisms and solutions.

A direct mechanism on the finite type space and what it gives each agent
(:mod:`~lpmech.results.mechanism`); a solve's Solution and SolveReport
(:mod:`~lpmech.results.solution`).

A mechanism is what every later stage makes or reads: formulations build one
from the solver's values, checks verify one, benchmarks are one. So results sit
before all of them, and hold only what a result is; a method that checks, sizes or
shows a result imports :mod:`lpmech.checks`, :mod:`lpmech.solving` or
:mod:`lpmech.views` when it is called.

May import :mod:`lpmech.numbers`, :mod:`lpmech.problem`, :mod:`lpmech.constraints`,
:mod:`lpmech.program` and :mod:`lpmech.backends`.
"""
