"""Implementability of any allocation rule: weak and cyclical monotonicity, Rochet payments.

For one agent with quasi-linear values, draw a *type graph*: an edge θ → θ' of
length ℓ(θ, θ') = v(x(θ), θ') − v(x(θ), θ), what type θ' gains by pretending to
be θ, before payments. Seed notes §1.3:

* **weak monotonicity** (Def. 1.5): ℓ(θ, θ') + ℓ(θ', θ) ≤ 0 for every pair —
  every 2-cycle is non-positive; necessary for IC (Prop. 1.1);
* **cyclical monotonicity** (Def. 1.6): every cycle has non-positive length;
* **Rochet's theorem** (Thm. 1.5): payments making x IC exist iff x is cyclically
  monotone. The proof's potential V(θ) = sup over chains from θ_0 to θ of the
  summed lengths is a longest path, and t(θ) = v(x(θ), θ) − V(θ) is IC.

A positive cycle in ℓ is a negative cycle in −ℓ, so both the test and the
potentials are a shortest-path search (:mod:`scipy.sparse.csgraph`). Dominant-
strategy IC needs one graph per agent and profile of the others' types; Bayesian
IC one graph per agent on interim values, under independent types (interim
payments must not depend on the agent's beliefs).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import scipy.sparse.csgraph as csgraph
from numpy.typing import ArrayLike, NDArray

from lpmech.arrays import FloatArray
from lpmech.characterisation.envelope import incentive_notion
from lpmech.errors import InvalidEnvironmentError, NotImplementableError
from lpmech.problem.environment import Environment, check_environment, profile_table
from lpmech.results.mechanism import Mechanism


@dataclass(frozen=True)
class Cycle:
    """A closed chain of types θ^1 → … → θ^{k+1} = θ^1 with positive total length.

    Attributes
    ----------
    agent : str
    types : tuple of str
        Labels along the chain, first and last equal.
    length : float
        Σ ℓ(θ^j, θ^{j+1}) > 0: what the types gain, summed, by each pretending
        to be the previous one — no payment rule can offset it.
    context : str
        The others' profile (dominant-strategy graphs) or "interim".
    """

    agent: str
    types: tuple[str, ...]
    length: float
    context: str

    def __str__(self) -> str:
        chain = " → ".join(self.types)
        return f"agent {self.agent!r}, {self.context}: cycle {chain} has length {self.length:.6g}"


@dataclass(frozen=True)
class ImplementabilityReport:
    """Weak and cyclical monotonicity of an allocation rule, with witnesses.

    Attributes
    ----------
    weakly_monotone : bool
    worst_pair : str
        The pair with the largest ℓ(θ, θ') + ℓ(θ', θ) (empty if weakly monotone).
    cyclically_monotone : bool
    cycle : Cycle or None
        A positive-length cycle when the rule is not cyclically monotone.
    """

    weakly_monotone: bool
    worst_pair: str
    cyclically_monotone: bool
    cycle: Cycle | None

    @property
    def implementable(self) -> bool:
        """Rochet (Thm. 1.5): implementable iff cyclically monotone."""
        return self.cyclically_monotone

    def __str__(self) -> str:
        weak = (
            "weakly monotone"
            if self.weakly_monotone
            else f"not weakly monotone ({self.worst_pair})"
        )
        cyclic = (
            "cyclically monotone (implementable)"
            if self.cyclically_monotone
            else f"not cyclically monotone: {self.cycle}"
        )
        return f"{weak}; {cyclic}"


def type_graphs(
    env: Environment, allocation: FloatArray, agent: int, ex_post: bool
) -> tuple[FloatArray, FloatArray]:
    """Edge lengths and own values of an agent's type graphs.

    Returns
    -------
    lengths : ndarray, shape (G, K, K)
        ``lengths[g, k, k']`` = ℓ(k, k') in graph g: one graph per others' profile
        (column of ``layout.by_agent``) ex post, a single interim graph otherwise.
    own : ndarray, shape (G, K)
        v(x(k), k), each type's value of its own outcome.
    """
    by_agent = env.layout.by_agent(agent)
    outcomes = allocation[by_agent]  # (K, R, C): outcome of report k at others j
    values = env.values_at_profiles(agent)[by_agent]  # (K', R, C): true type k' at others j
    if ex_post:
        worth = np.einsum("kjc,ljc->jkl", outcomes, values)
    else:
        if not env.prior.is_independent:
            raise InvalidEnvironmentError(
                "interim type graphs need independent types: with correlated types a "
                "type's expected payment depends on its beliefs (Crémer–McLean)"
            )
        weights = env.prior.conditional(agent)[0]
        worth = np.einsum("j,kjc,ljc->kl", weights, outcomes, values)[None]
    own = np.einsum("gkk->gk", worth)
    return worth - own[:, :, None], own


def weak_monotonicity(
    env: Environment,
    allocation: ArrayLike,
    incentive: str = "dominant_strategy",
    tol: float = 1e-9,
) -> tuple[bool, str]:
    """Whether every 2-cycle is non-positive (Def. 1.5), and the worst pair if not."""
    env = check_environment(env, "weak_monotonicity")
    ex_post = incentive_notion(incentive)
    table = profile_table(env, allocation, env.n_components, "allocation")
    worst, detail = -np.inf, ""
    for i in range(env.n_agents):
        lengths, _ = type_graphs(env, table, i, ex_post)
        two_cycles = lengths + np.swapaxes(lengths, 1, 2)
        g, k, k2 = np.unravel_index(np.argmax(two_cycles), two_cycles.shape)
        if two_cycles[g, k, k2] > worst:
            labels = env.agents[i].labels
            worst = float(two_cycles[g, k, k2])
            detail = (
                f"agent {env.agents[i].name!r}, {_context(env, i, int(g), ex_post)}: types "
                f"{labels[k]} and {labels[k2]} gain {worst:.6g} by swapping"
            )
    return worst <= tol, detail if worst > tol else ""


def cyclical_monotonicity(
    env: Environment,
    allocation: ArrayLike,
    incentive: str = "dominant_strategy",
    tol: float = 1e-9,
) -> ImplementabilityReport:
    """Check weak and cyclical monotonicity of an allocation rule (Defs. 1.5–1.6).

    Examples
    --------
    The efficient rule is cyclically monotone (it is implemented by VCG):

    >>> from lpmech.problem.builders import public_good
    >>> env = public_good([0, 1, 2], n_agents=2, cost=1.5)
    >>> cyclical_monotonicity(env, env.efficient_allocation()).implementable
    True
    """
    env = check_environment(env, "cyclical_monotonicity")
    ex_post = incentive_notion(incentive)
    table = profile_table(env, allocation, env.n_components, "allocation")
    weak, worst_pair = weak_monotonicity(env, table, incentive, tol)
    for i in range(env.n_agents):
        lengths, _ = type_graphs(env, table, i, ex_post)
        for g in range(lengths.shape[0]):
            if _potentials(lengths[g], tol) is None:
                chain, total = _positive_cycle(lengths[g])
                labels = tuple(env.agents[i].labels[k] for k in chain)
                cycle = Cycle(env.agents[i].name, labels, total, _context(env, i, g, ex_post))
                return ImplementabilityReport(weak, worst_pair, False, cycle)
    return ImplementabilityReport(weak, worst_pair, True, None)


def rochet_payments(
    env: Environment,
    allocation: ArrayLike,
    incentive: str = "dominant_strategy",
    tol: float = 1e-9,
) -> Mechanism:
    """Payments that make a cyclically monotone rule IC, from Rochet's potentials (Thm. 1.5).

    V(θ) is the longest chain length from the first type, t(θ) = v(x(θ), θ) − V(θ),
    shifted by a constant per graph so that the worst-off type's utility equals its
    outside option (ex-post IR for dominant-strategy IC, interim IR for Bayesian).
    Longest chains are the *least* utilities that IC allows once the first type's
    is fixed, so these are the highest IC payments — for a single-parameter rule
    with the lowest type first, the threshold end of
    :func:`~lpmech.characterisation.envelope_payments`.

    Raises
    ------
    NotImplementableError
        With the positive-length :class:`Cycle` as ``witness``.
    """
    env = check_environment(env, "rochet_payments")
    ex_post = incentive_notion(incentive)
    table = profile_table(env, allocation, env.n_components, "allocation")
    payments = np.zeros((env.n_profiles, env.n_agents))
    for i in range(env.n_agents):
        lengths, own = type_graphs(env, table, i, ex_post)
        options = env.outside_options[i]
        by_agent = env.layout.by_agent(i)
        for g in range(lengths.shape[0]):
            potential = _potentials(lengths[g], tol)
            if potential is None:
                chain, total = _positive_cycle(lengths[g])
                labels = tuple(env.agents[i].labels[k] for k in chain)
                cycle = Cycle(env.agents[i].name, labels, total, _context(env, i, g, ex_post))
                raise NotImplementableError(f"not cyclically monotone: {cycle}", cycle)
            potential = potential - np.min(potential - options)  # worst type: utility = option
            column = own[g] - potential
            if ex_post:
                payments[by_agent[:, g], i] = column
            else:
                payments[by_agent, i] = column[:, None]
    kind = "dominant-strategy" if ex_post else "Bayesian"
    return Mechanism(env, table, payments, name=f"Rochet {kind} payments")


def _potentials(lengths: FloatArray, tol: float) -> FloatArray | None:
    """Longest chain lengths from type 0, or None if some cycle is longer than ``tol``.

    Exact lengths are tried first; if rounding leaves a cycle of length at most
    ``tol``, every edge is shortened by tol/K, which removes it and moves each
    potential by at most ``tol``.
    """
    n = lengths.shape[0]
    for slack in (0.0, tol / n):
        weights = -lengths + slack
        np.fill_diagonal(weights, np.inf)
        graph = csgraph.csgraph_from_dense(weights, null_value=np.inf)
        try:
            return -csgraph.shortest_path(graph, method="BF", directed=True, indices=0)
        except csgraph.NegativeCycleError:
            continue
    return None


def _positive_cycle(lengths: FloatArray) -> tuple[list[int], float]:
    """A closed chain with positive total length, by Floyd–Warshall on longest paths.

    Stops at the first intermediate type m through which some type s reaches itself
    with positive length. Before m was admitted no positive cycle existed among the
    admitted types, so the next-hop table of that moment holds consistent longest
    paths s → m and m → s; their concatenation is the witness.
    """
    n = lengths.shape[0]
    best = lengths.copy()
    np.fill_diagonal(best, -np.inf)
    hop = np.tile(np.arange(n), (n, 1))  # hop[a, b]: the type after a on the best a → b path
    for m in range(n):
        through = best[:, m, None] + best[None, m, :]
        loops = np.flatnonzero(np.diag(through) > 0)
        if loops.size:
            start = int(loops[0])
            chain = _walk(hop, start, m) + _walk(hop, m, start)[1:]
            total = float(sum(lengths[a, b] for a, b in itertools.pairwise(chain)))
            if total <= 0:
                raise RuntimeError("internal error: the reconstructed cycle is not positive")
            return chain, total
        better = through > best
        best = np.where(better, through, best)
        hop = np.where(better, hop[:, m, None], hop)
    raise RuntimeError("internal error: no positive cycle in a graph said to have one")


def _walk(hop: NDArray[np.intp], source: int, target: int) -> list[int]:
    """The path source → target read off a next-hop table."""
    path = [source]
    while path[-1] != target:
        path.append(int(hop[path[-1], target]))
        if len(path) > hop.shape[0] + 1:
            raise RuntimeError("internal error: next-hop table has a loop")
    return path


def _context(env: Environment, agent: int, graph: int, ex_post: bool) -> str:
    if not ex_post:
        return "interim"
    if env.n_agents == 1:
        return "single agent"
    return f"others {env.describe_others(agent, graph)}"
