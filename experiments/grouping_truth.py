"""Ground truth for the action-grouping claims, computed by code that shares nothing with :mod:`mdptheory.grouping` or
:mod:`solvers.grouping`.

Written again from the definitions with plain dense NumPy/SciPy: the lifted model by explicit group averages, policy
values by dense ``numpy.linalg.solve``, action distances as square ``cdist`` matrices, the dendrogram's cuts by
SciPy's ``cut_tree`` (the library replays the merges itself), the exact pointwise dissimilarity of **every** cut by
updating the merged cluster only, value iteration by a plain loop, and the budgets' floors. The experiments take the
bound's terms from the SymPy statements of ``bounds/grouping.py``. A helper module of the experiments (no ``NAME``).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.cluster import hierarchy
from scipy.spatial.distance import cdist, squareform

__all__ = ["group_means", "policy_value", "distances", "scipy_cut", "pointwise_of_cuts", "plain_vi", "linkage",
           "budget_N", "budget_K", "weight"]


def weight(gamma: float) -> float:
    """``gamma / (2 (1 - gamma))``, written again."""
    return 0.5 * gamma / (1.0 - gamma)


def group_means(P: np.ndarray, R: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Uniform within-group averages ``(P_g (S, G, S), R_g (S, G))`` for state-independent or ``(S, A)`` labels."""
    S, A = R.shape
    lab = np.broadcast_to(labels, (S, A))
    G = int(lab.max()) + 1
    P_g, R_g = np.zeros((S, G, S)), np.zeros((S, G))
    for s in range(S):
        for i in range(G):
            members = np.flatnonzero(lab[s] == i)
            P_g[s, i] = P[s, members].mean(axis=0)
            R_g[s, i] = R[s, members].mean()
    return P_g, R_g


def policy_value(P: np.ndarray, R: np.ndarray, gamma: float, pi: np.ndarray) -> np.ndarray:
    """``(I - gamma P_pi)^{-1} r_pi`` for a stochastic ``(S, A)`` or deterministic ``(S,)`` policy (dense solve)."""
    S = R.shape[0]
    if pi.ndim == 1:
        pi = np.eye(R.shape[1])[pi]
    P_pi = np.einsum("sa,sat->st", pi, P)
    r_pi = (pi * R).sum(axis=1)
    return np.linalg.solve(np.eye(S) - gamma * P_pi, r_pi)


def distances(P: np.ndarray, R: np.ndarray, w: float) -> np.ndarray:
    """``(A, A)`` matrix ``max_s |R(s,a) - R(s,b)| + w sum_t |P(s,a,t) - P(s,b,t)|`` (square ``cdist`` per state)."""
    S, A = R.shape
    D = np.zeros((A, A))
    for s in range(S):
        np.maximum(D, np.abs(R[s][:, None] - R[s][None, :]) + w * cdist(P[s], P[s], "cityblock"), out=D)
    return D


def scipy_cut(Z: np.ndarray, G: int) -> np.ndarray:
    """``(A,)`` labels of the partition into ``G`` clusters by ``scipy.cluster.hierarchy.cut_tree``."""
    return hierarchy.cut_tree(Z, n_clusters=[G]).ravel()


def _cluster_eps(P: np.ndarray, R: np.ndarray, members: np.ndarray, w: float) -> float:
    Pm, Rm = P[:, members], R[:, members]  # (S, m, S), (S, m)
    dP = np.abs(Pm - Pm.mean(axis=1, keepdims=True)).sum(axis=-1)
    dR = np.abs(Rm - Rm.mean(axis=1, keepdims=True))
    return float((dR + w * dP).max())


def pointwise_of_cuts(P: np.ndarray, R: np.ndarray, Z: np.ndarray, w: float) -> np.ndarray:
    """``(A,)``: the exact pointwise dissimilarity (uniform lower level) of the cut into ``G = 1 .. A`` clusters, by
    replaying the merges and recomputing the merged cluster only."""
    A = Z.shape[0] + 1
    members: dict[int, np.ndarray] = {a: np.array([a]) for a in range(A)}
    eps: dict[int, float] = {a: 0.0 for a in range(A)}
    out = np.empty(A)
    out[A - 1] = 0.0
    for k in range(A - 1):
        i, j = int(Z[k, 0]), int(Z[k, 1])
        m = np.concatenate([members.pop(i), members.pop(j)])
        eps.pop(i), eps.pop(j)
        members[A + k], eps[A + k] = m, _cluster_eps(P, R, m, w)
        out[A - k - 2] = max(eps.values())
    return out


def linkage(P: np.ndarray, R: np.ndarray, w: float) -> np.ndarray:
    """SciPy complete linkage on :func:`distances`."""
    return hierarchy.linkage(squareform(distances(P, R, w), checks=False), method="complete")


def plain_vi(P: np.ndarray, R: np.ndarray, gamma: float, K: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``K`` sweeps from 0: ``(V_{K-1}, V_K, Q(V_{K-1}))``."""
    V = np.zeros(R.shape[0])
    prev, Q = V, None
    for _ in range(K):
        Q = R + gamma * P @ V
        prev, V = V, Q.max(axis=1)
    return prev, V, Q


def budget_N(B_s: float, S: int, G: int) -> int:
    return int(math.floor(B_s / (S * G)))


def budget_K(B_c: float, S: int, G: int) -> int:
    return int(math.floor(B_c / (S * S * G)))
