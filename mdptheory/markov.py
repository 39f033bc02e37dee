r"""Finite Markov chains: stationary law, chain structure, gain and bias, mixing and minorization times,
expected hitting times. Exact, dense NumPy, for the small chains of the theory checks.

Every function takes a row-stochastic ``P (S, S)`` (dense; a CSR matrix is densified) and, where needed,
rewards ``r (S,)``. The MDP-level versions (a policy's chain, the uniform quantities over deterministic
policies, the classification of a model) are in :mod:`mdptheory.structure`; the planners that optimise
over policies are in :mod:`solvers.average_reward` and :mod:`solvers.ssp`.

Definitions (Wang, Blanchet & Glynn 2024, arXiv:2310.08833, section 2, as quoted in the spec, section 1):

- ``t_mix(P) = min{t >= 1 : max_s ||P^t(s, .) - eta||_TV <= 1/4}`` with ``||.||_TV`` half the L1 norm;
- ``(m, p)`` is a minorization pair if ``P^m(s, .) >= p psi(.)`` for every ``s`` and some law ``psi``;
  ``t_minorize(P) = inf m / p`` over such pairs. The best ``p`` at lag ``m`` is
  ``p_m = sum_x min_s P^m(s, x)`` (with ``psi = min_s P^m(s, .) / p_m``); ``p_m`` is nondecreasing in ``m``
  and ``m / p_m >= m``, so the exact infimum is found by looping ``m = 1, 2, ...`` and stopping once
  ``m >= best`` (derived [D], spec section 1).
- gain ``g = eta . r`` and bias ``h = (I - P + 1 eta^T)^{-1} (r - g 1)``, normalised by ``eta . h = 0``
  (Puterman 1994, section 8.2.1, the deviation-matrix bias).
"""
from __future__ import annotations

import math
from math import gcd

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from . import mutants

__all__ = ["as_chain", "recurrent_classes", "is_unichain", "period", "stationary_distribution", "gain_bias",
           "tv_to_stationarity", "t_mix", "minorization", "t_minorize", "hitting_times", "MultichainError"]

#: TV distance threshold of the mixing time (the paper's 1/4).
TMIX_THRESHOLD = 0.25

# Realistic slips in the chain quantities (checked by the mixing and reduction claims).
TV_NO_HALF = mutants.register("mixing", "tv-no-half", "total variation taken as the L1 norm (the 1/2 forgotten)")
TMIX_OFF_BY_ONE = mutants.register("mixing", "tmix-off-by-one",
                                   "t_mix returns the last t whose distance is above 1/4 instead of the first below")
MINORIZE_MAX = mutants.register("mixing", "minorize-max",
                                "p_m computed as sum_x max_s P^m(s, x) instead of sum_x min_s (min/max slip)")
MINORIZE_FIRST_LAG = mutants.register("mixing", "minorize-first-lag",
                                      "the lag loop of t_minorize stops after m = 1 (only the one-step pair)")
STATIONARY_TRANSPOSED = mutants.register(
    "stationary", "transposed",
    "the stationary law solved from (I - P + 11^T) x = 1 instead of its transpose (a right eigenvector)")


class MultichainError(ValueError):
    """A chain (or a policy's chain) has several recurrent classes where one is required."""


def as_chain(P, name: str = "P") -> np.ndarray:
    """``P`` as a dense float64 ``(S, S)`` row-stochastic array, with a clear error otherwise."""
    M = P.toarray() if sp.issparse(P) else np.asarray(P, dtype=np.float64)
    if M.ndim != 2 or M.shape[0] != M.shape[1]:
        raise ValueError(f"{name} must be a square (S, S) transition matrix, got shape {M.shape}")
    if not np.all(np.isfinite(M)) or (M < 0).any():
        raise ValueError(f"{name} must have finite non-negative entries")
    bad = np.abs(M.sum(axis=1) - 1.0) > 1e-9
    if bad.any():
        s = int(np.argmax(bad))
        raise ValueError(f"{name}[{s}, :] sums to {M[s].sum():.10g}, expected 1; every row must be a probability vector")
    return M


def recurrent_classes(P) -> list[np.ndarray]:
    """The closed communicating classes of the chain (sorted state indices), in order of their first state.

    A strongly connected component of the support graph is a recurrent class iff no edge leaves it.
    """
    if sp.issparse(P):   # sparse chains (a policy's chain in a large model) are never densified here
        G = sp.csr_array(P, dtype=np.float64)
        G.eliminate_zeros()
    else:
        G = sp.csr_array(as_chain(P) > 0)
    n, labels = connected_components(G, directed=True, connection="strong")
    rows, cols = G.nonzero()
    leaves = np.zeros(n, dtype=bool)
    leaves[labels[rows][labels[rows] != labels[cols]]] = True
    classes = [np.flatnonzero(labels == c) for c in range(n) if not leaves[c]]
    return sorted(classes, key=lambda c: int(c[0]))


def is_unichain(P) -> bool:
    """Whether the chain has exactly one recurrent class (transient states allowed)."""
    return len(recurrent_classes(P)) == 1


def _require_unichain(P: np.ndarray, what: str) -> np.ndarray:
    classes = recurrent_classes(P)
    if len(classes) != 1:
        shown = "; ".join(str(c.tolist()) for c in classes[:3])
        raise MultichainError(
            f"{what} needs a unichain chain (one recurrent class), but this chain has {len(classes)} recurrent "
            f"classes ({shown}{'; ...' if len(classes) > 3 else ''}): its stationary law and gain depend on the "
            "start state. Use a unichain model or a policy whose chain has one recurrent class.")
    return classes[0]


def period(P) -> int:
    """Period of the (unique) recurrent class: the gcd of its cycle lengths (1 = aperiodic)."""
    M = as_chain(P)
    cls = _require_unichain(M, "period")
    sub = M[np.ix_(cls, cls)] > 0
    level = np.full(len(cls), -1)
    level[0], frontier, g = 0, [0], 0
    while frontier:   # BFS levels; every edge u -> v contributes level[u] + 1 - level[v] to the gcd
        nxt = []
        for u in frontier:
            for v in np.flatnonzero(sub[u]):
                if level[v] < 0:
                    level[v] = level[u] + 1
                    nxt.append(v)
                else:
                    g = gcd(g, abs(int(level[u]) + 1 - int(level[v])))
        frontier = nxt
    return max(g, 1)


def stationary_distribution(P) -> np.ndarray:
    r"""The stationary law ``eta`` of a unichain chain: ``eta P = eta``, ``sum eta = 1``.

    Solved as ``eta (I - P + 1 1^T) = 1^T`` (the matrix is invertible exactly when the chain is unichain;
    Kemeny & Snell 1960, Thm 5.1.3). A chain with several recurrent classes raises :class:`MultichainError`.
    """
    M = as_chain(P)
    _require_unichain(M, "stationary_distribution")
    S = M.shape[0]
    A = np.eye(S) - M + 1.0
    eta = np.linalg.solve(A if STATIONARY_TRANSPOSED.active else A.T, np.ones(S))
    eta = np.maximum(eta, 0.0)   # transient states: exact zeros can come out as -1e-17
    return eta / eta.sum()


def gain_bias(P, r) -> tuple[float, np.ndarray]:
    r"""Gain ``g = eta . r`` and bias ``h`` (with ``eta . h = 0``) of a unichain chain with rewards ``r``.

    ``h`` solves ``g + h = r + P h`` (Poisson's equation) with ``eta . h = 0``:
    ``h = (I - P + 1 eta^T)^{-1} (r - g 1)`` (Puterman 1994, Thm 8.2.6 and eq. 8.2.12).
    """
    M = as_chain(P)
    r = np.asarray(r, dtype=np.float64)
    if r.shape != (M.shape[0],):
        raise ValueError(f"r must have shape ({M.shape[0]},), got {r.shape}")
    eta = stationary_distribution(M)
    g = float(eta @ r)
    h = np.linalg.solve(np.eye(M.shape[0]) - M + np.outer(np.ones(M.shape[0]), eta), r - g)
    return g, h


def tv_to_stationarity(Pt: np.ndarray, eta: np.ndarray) -> float:
    """``max_s ||Pt(s, .) - eta||_TV`` (half the L1 norm)."""
    l1 = float(np.abs(Pt - eta[None, :]).sum(axis=1).max())
    return l1 if TV_NO_HALF.active else 0.5 * l1


def t_mix(P, threshold: float = TMIX_THRESHOLD, t_max: int = 10**7) -> float:
    """Mixing time ``min{t >= 1 : max_s ||P^t(s, .) - eta||_TV <= threshold}`` (``inf`` for a periodic chain).

    The distance is nonincreasing in ``t``, so the first ``t`` is found by doubling (``P^(2^k)`` by squaring)
    and bisection: ``O(S^3 log t_mix)``. ``t_max`` caps the search (``ValueError`` beyond it).
    """
    M = as_chain(P)
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must lie in (0, 1), got {threshold}")
    if period(M) > 1:
        return math.inf
    eta = stationary_distribution(M)

    def below(Pt: np.ndarray) -> bool:
        return tv_to_stationarity(Pt, eta) <= threshold

    powers = [M]                          # powers[k] = P^(2^k)
    while not below(powers[-1]):
        if 2 ** len(powers) > t_max:
            raise ValueError(f"the chain has not mixed after {t_max} steps; pass a larger t_max")
        powers.append(powers[-1] @ powers[-1])
    # the answer lies in (2^(K-1), 2^K]; build it bit by bit from the largest power down
    K = len(powers) - 1
    t, Pt = 0, np.eye(M.shape[0])         # invariant: P^t is above the threshold (t = 0 trivially)
    for k in range(K - 1, -1, -1):
        cand = Pt @ powers[k]
        if not below(cand):
            t, Pt = t + 2 ** k, cand
    first = t + 1
    return float(first - 1 if TMIX_OFF_BY_ONE.active else first)


def minorization(P, m_max: int | None = None) -> tuple[float, int, float]:
    r"""The exact ``t_minorize = inf_m m / p_m`` and the lag ``m`` and mass ``p_m`` attaining it.

    Loops ``m = 1, 2, ...`` with ``p_m = sum_x min_s P^m(s, x)`` and stops once ``m >= best`` (no later
    lag can do better since ``m / p_m >= m``). If ``p_m = 0`` at ``m = S + (S-1)^2 + 1`` it is ``0`` forever
    (a transient state reaches the recurrent class within ``S`` steps, and a primitive class's matrix is
    positive from lag ``(k-1)^2 + 1``, Wielandt's bound), so the chain is not uniformly ergodic: returns
    ``(inf, m, 0.0)``.
    """
    M = as_chain(P)
    S = M.shape[0]
    cap = S + (S - 1) ** 2 + 1 if m_max is None else int(m_max)
    best, best_m, best_p = math.inf, 0, 0.0
    Pm, m = np.eye(S), 0
    while True:
        m += 1
        Pm = Pm @ M
        col = Pm.max(axis=0) if MINORIZE_MAX.active else Pm.min(axis=0)
        p = float(col.sum())
        if p > 0 and m / p < best:
            best, best_m, best_p = m / p, m, p
        if m >= best or MINORIZE_FIRST_LAG.active:
            break
        if not math.isfinite(best) and m >= cap:
            return math.inf, m, 0.0
    return best, best_m, best_p


def t_minorize(P) -> float:
    """Minorization time ``t_minorize(P) = inf{m / p : (m, p) a minorization pair}`` (see :func:`minorization`)."""
    return minorization(P)[0]


def hitting_times(P, target) -> np.ndarray:
    """Expected hitting times ``E_s[tau_G]`` of the target set ``G`` (0 on ``G``, ``inf`` where ``G`` is missed
    with positive probability), by one linear solve ``(I - P_{NN}) h_N = 1`` on the states ``N`` that hit ``G``
    almost surely."""
    M = as_chain(P)
    S = M.shape[0]
    G = np.zeros(S, dtype=bool)
    G[np.asarray(target, dtype=np.int64)] = True
    if not G.any():
        raise ValueError("target must name at least one state")
    # states that can reach G (backwards search on the support graph)
    reach = G.copy()
    while True:
        new = reach | ((M[:, reach] > 0).any(axis=1))
        if (new == reach).all():
            break
        reach = new
    # a non-target state with an edge to a state that cannot reach G misses G with positive probability
    bad = ~reach
    while True:
        new = bad | (~G & (M[:, bad] > 0).any(axis=1))
        if (new == bad).all():
            break
        bad = new
    h = np.where(G, 0.0, np.inf)
    N = ~G & ~bad
    if N.any():
        idx = np.flatnonzero(N)
        h[idx] = np.linalg.solve(np.eye(len(idx)) - M[np.ix_(idx, idx)], np.ones(len(idx)))
    return h
