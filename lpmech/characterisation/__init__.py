"""Stage 11, characterisation: the seeds' theorems as functions on finite types.

==========================  =================================================  ==============
function                    question                                           seed notes
==========================  =================================================  ==============
``increasing_differences``  (strictly) increasing differences in (x, θ)?       Def. 1.3–1.4
``single_crossing``         single-crossing property in (x, θ)?                Def. 1.2
``check_monotone``          is a single-parameter rule monotone?               Lem. 1.2
``envelope_payments``       the IC payments of a monotone rule, both ends of   Thm. 1.4, slides
                            the interval a finite grid leaves open
``weak_monotonicity``       every 2-cycle of the type graph non-positive?      Def. 1.5
``cyclical_monotonicity``   every cycle non-positive? (with a witness cycle)   Def. 1.6
``rochet_payments``         IC payments of a cyclically monotone rule          Thm. 1.5
==========================  =================================================  ==============

Each takes an environment and an allocation rule (an array over profiles) and
works for dominant-strategy IC (for every profile of the others' types) or
Bayesian IC (interim, independent types).

May import :mod:`lpmech.numbers`, :mod:`lpmech.problem` and :mod:`lpmech.results`.
"""

from __future__ import annotations

from lpmech.characterisation.differences import (
    DifferencesReport,
    increasing_differences,
    outcome_values,
    single_crossing,
)
from lpmech.characterisation.envelope import (
    EnvelopePayments,
    MonotonicityReport,
    check_monotone,
    envelope_payments,
)
from lpmech.characterisation.rochet import (
    Cycle,
    ImplementabilityReport,
    cyclical_monotonicity,
    rochet_payments,
    weak_monotonicity,
)

__all__ = [
    "Cycle",
    "DifferencesReport",
    "EnvelopePayments",
    "ImplementabilityReport",
    "MonotonicityReport",
    "check_monotone",
    "cyclical_monotonicity",
    "envelope_payments",
    "increasing_differences",
    "outcome_values",
    "rochet_payments",
    "single_crossing",
    "weak_monotonicity",
]
