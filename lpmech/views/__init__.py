"""Stage 9, views: how results are shown.

Plain-text tables (:mod:`~lpmech.views.text`), pandas DataFrames
(:mod:`~lpmech.views.frames`), notebook HTML (:mod:`~lpmech.views.notebook`)
and matplotlib pictures (:mod:`~lpmech.views.plots`).

May import every earlier stage; nothing but the command line and the result
objects' own display methods import views.
"""
