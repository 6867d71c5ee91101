"""Stage 1, numbers: how lpmech reads, computes with and writes numbers.

How inputs are read as rationals and a rational type to compute with
(:mod:`~lpmech.numbers.rationals`), bulk exact arithmetic as integers over one
denominator (:mod:`~lpmech.numbers.integers`), exact coordinate entries of sparse
rows (:mod:`~lpmech.numbers.entries`), and numbers and tables as plain text
(:mod:`~lpmech.numbers.formatting`). The problem keeps its inputs' exact reading
and the families build exact rows from these, so they sit below both.

May import the foundations only.
"""
