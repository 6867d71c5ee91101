r"""What an agent gets by reporting: the one formula every incentive check uses.

With the others truthful at θ_{-i}, agent i of true type k who reports r gets

.. math:: u_i(r; k, θ_{-i}) = V_i(k, θ_{-i})·a(r, θ_{-i}) − t_i(r, θ_{-i})

(seed notes §2.1). Arrays are in the agent-major order of
:meth:`lpmech.problem.layout.Layout.by_agent`: own type first, others' profile second.
:meth:`lpmech.results.mechanism.Mechanism.deviation_utilities` and the incentive families'
violations (:mod:`lpmech.constraints.incentive`) both read utilities from here.
"""

from __future__ import annotations

import numpy as np

from lpmech.arrays import FloatArray


def report_utilities(
    true_values: FloatArray, outcomes: FloatArray, paid: FloatArray
) -> FloatArray:
    """u[s, r, j] = V_i(k_s, θ_{-i}^j)·a(r, θ_{-i}^j) − t_i(r, θ_{-i}^j).

    Parameters
    ----------
    true_values : ndarray, shape (S, R, C)
        V_i of S true types k_s at each others' profile.
    outcomes : ndarray, shape (K, R, C)
        The allocation a(r, θ_{-i}) of each report r.
    paid : ndarray, shape (K, R)
        Agent i's payment t_i(r, θ_{-i}) of each report.

    Returns
    -------
    ndarray, shape (S, K, R)
        Computed as R matrix products (S × C by C × K), in BLAS.
    """
    utility = np.matmul(true_values.transpose(1, 0, 2), outcomes.transpose(1, 2, 0)).transpose(
        1, 2, 0
    )
    utility -= paid[None]
    return utility
