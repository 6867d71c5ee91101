"""Stage 8, checks: is a mechanism what it claims to be?

Verification of constraint families by brute force over true and reported types
(:mod:`~lpmech.checks.verification`), per-type audits of regret, participation
slack and budget (:mod:`~lpmech.checks.auditing`), comparison of two mechanisms
(:mod:`~lpmech.checks.comparison`) and finite mechanisms evaluated on
continuous values (:mod:`~lpmech.checks.continuous`).

May import :mod:`lpmech.numbers`, :mod:`lpmech.problem`, :mod:`lpmech.constraints`,
:mod:`lpmech.program` and :mod:`lpmech.results`.
"""
