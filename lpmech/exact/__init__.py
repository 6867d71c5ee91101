"""Stage 10, exact: the same problem in rational arithmetic, and certificates.

On the exact numbers of :mod:`lpmech.numbers`: the exact twin of an environment
(:mod:`~lpmech.exact.twin`), the design program with rational data
(:mod:`~lpmech.exact.program`, :mod:`~lpmech.exact.orbits`), exact sparse linear
systems (:mod:`~lpmech.exact.linear_systems`) and the certificate of an optimum
(:mod:`~lpmech.exact.certificate`).

May import every earlier stage.
"""
