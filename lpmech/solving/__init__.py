"""Stage 9, solving: the pipeline from a design problem to a verified Solution.

:func:`~lpmech.solving.pipeline.solve` resolves the request, guards its size
(:mod:`~lpmech.solving.sizing`), normalises units (:mod:`~lpmech.solving.scaling`),
runs a formulation, picks one optimum from the optimal face when asked
(:mod:`~lpmech.solving.canonical`) and verifies the result;
:mod:`~lpmech.solving.design_program` exposes the program itself for extension in
cvxpy (:func:`~lpmech.solving.design_program.formulate`).

May import every earlier stage.
"""
