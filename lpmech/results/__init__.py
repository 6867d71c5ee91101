"""Stage 6, results: mechanisms and solutions.

A direct mechanism on the finite type space and what it gives each agent
(:mod:`~lpmech.results.mechanism`); a solve's Solution and SolveReport
(:mod:`~lpmech.results.solution`).

May import :mod:`lpmech.problem` and :mod:`lpmech.constraints`; views and
checks are imported where a method needs them.
"""
