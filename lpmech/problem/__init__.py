"""Stage 2, problem: what a user describes.

Agents with finite type sets and a common prior (:mod:`~lpmech.problem.priors`),
what the mechanism may decide (:mod:`~lpmech.problem.allocation`), valuations and
outside options (:mod:`~lpmech.problem.environment`), the type profiles
(:mod:`~lpmech.problem.layout`), what an agent gets by reporting
(:mod:`~lpmech.problem.lying`), the value scales every verdict is judged against
(:mod:`~lpmech.problem.scales`), and builders for the standard settings
(:mod:`~lpmech.problem.builders`).

May import :mod:`lpmech.numbers` (inputs keep their exact reading).
"""
