"""Stage 4, program: a design problem compiled into one linear (or convex) program.

The objective (:mod:`~lpmech.program.objectives`), the columns of interim
programs (:mod:`~lpmech.program.interim_columns`), the assembly of every
family's rows into one sparse matrix (:mod:`~lpmech.program.compiler`) and
the convexity check of what is not linear (:mod:`~lpmech.program.convexity`).

May import :mod:`lpmech.numbers`, :mod:`lpmech.problem` and :mod:`lpmech.constraints`.
"""
