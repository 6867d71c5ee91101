"""Stage 13, views: how results are shown.

Plain-text tables (:mod:`~lpmech.views.text`), pandas DataFrames
(:mod:`~lpmech.views.frames`), notebook HTML (:mod:`~lpmech.views.notebook`)
and matplotlib pictures of mechanisms (:mod:`~lpmech.views.plots`) and of a sweep's
table (:mod:`~lpmech.views.sweep_plot`).

May import every earlier stage. Only later stages and the result objects' own
display methods (when called) import views.
"""
