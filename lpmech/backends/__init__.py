"""Stage 5, backends: the solvers behind one interface, and how a solve ended.

HiGHS directly or through cvxpy (:mod:`~lpmech.backends.engines`), one status
vocabulary (:mod:`~lpmech.backends.status`), the choice of simplex or interior
point (:mod:`~lpmech.backends.algorithms`) and of a solver for the program's
kind (:mod:`~lpmech.backends.solver_choice`), and live progress on stderr
(:mod:`~lpmech.backends.progress`).

May import :mod:`lpmech.numbers`, :mod:`lpmech.problem`, :mod:`lpmech.constraints` and
:mod:`lpmech.program`.
"""
