"""Ground truth for the average-reward claims, computed by code that shares nothing with :mod:`mdptheory.markov`,
:mod:`mdptheory.structure`, :mod:`solvers.average_reward` or :mod:`solvers.ssp`.

Written again from the textbook definitions with plain dense NumPy/SciPy: stationary laws from the null space
of ``P^T - I`` (an SVD), gains and biases by least squares, mixing times by explicit successive matrix powers
(no doubling), minorization times by scanning every lag up to a cap (no early stop), hitting times and the
diameter by enumerating every deterministic policy. Tiny models only.

It is a helper module of the experiments (no ``NAME``), not an experiment.
"""
from __future__ import annotations

import itertools

import numpy as np
from scipy.linalg import null_space

__all__ = ["stationary", "policy_gain_bias", "optimal_gain", "tmix_powers", "tminorize_scan", "min_hitting",
           "diameter_enumerated", "policies"]


def policies(S: int, A: int, limit: int = 20_000):
    if A ** S > limit:
        raise ValueError(f"A^S = {A ** S} policies exceed the brute-force limit {limit}")
    return (np.array(p, dtype=np.int64) for p in itertools.product(range(A), repeat=S))


def stationary(P: np.ndarray) -> np.ndarray | None:
    """The unique stationary law (``None`` if the eigenvalue 1 is not simple: several recurrent classes)."""
    N = null_space(P.T - np.eye(P.shape[0]), rcond=1e-10)
    if N.shape[1] != 1:
        return None
    v = N[:, 0]
    return np.abs(v) / np.abs(v).sum()


def policy_gain_bias(P3: np.ndarray, R: np.ndarray, pi: np.ndarray) -> tuple[float, np.ndarray] | None:
    """``(gain, bias with eta . h = 0)`` of a deterministic policy, or ``None`` for a multichain policy."""
    S = R.shape[0]
    P = P3[np.arange(S), pi]
    r = R[np.arange(S), pi]
    eta = stationary(P)
    if eta is None:
        return None
    g = float(eta @ r)
    M = np.vstack([np.eye(S) - P, eta[None, :]])
    h = np.linalg.lstsq(M, np.concatenate([r - g, [0.0]]), rcond=None)[0]
    return g, h


def optimal_gain(P3: np.ndarray, R: np.ndarray) -> tuple[float, np.ndarray, dict]:
    """``g* = max_pi g^pi`` over deterministic unichain policies, an optimal policy and every policy's gain."""
    S, A = R.shape
    best, arg, gains = -np.inf, None, {}
    for pi in policies(S, A):
        gb = policy_gain_bias(P3, R, pi)
        if gb is None:
            continue
        gains[tuple(pi)] = gb[0]
        if gb[0] > best + 1e-13:
            best, arg = gb[0], pi
    return best, arg, gains


def tmix_powers(P: np.ndarray, t_max: int = 100_000) -> int:
    """First ``t`` with ``max_s 0.5 ||P^t(s) - eta||_1 <= 1/4``, by successive powers."""
    eta = stationary(P)
    Pt = P.copy()
    for t in range(1, t_max + 1):
        if 0.5 * np.abs(Pt - eta).sum(axis=1).max() <= 0.25:
            return t
        Pt = Pt @ P
    raise ValueError("no mixing within t_max")


def tminorize_scan(P: np.ndarray, m_max: int) -> float:
    """``min_{m <= m_max} m / p_m``, ``p_m = sum_x min_s P^m(s, x)``, scanning every lag."""
    best, Pm = np.inf, np.eye(P.shape[0])
    for m in range(1, m_max + 1):
        Pm = Pm @ P
        p = Pm.min(axis=0).sum()
        if p > 0:
            best = min(best, m / p)
    return best


def min_hitting(P3: np.ndarray, target: int) -> np.ndarray:
    """``min_pi E_s[tau(target)]`` for every ``s`` by enumerating policies (proper ones: spectral radius < 1)."""
    S, A = P3.shape[:2]
    others = np.array([s for s in range(S) if s != target])
    best = np.full(S, np.inf)
    best[target] = 0.0
    for pi in policies(S, A):
        Q = P3[others, pi[others]][:, others]
        if len(others) and np.abs(np.linalg.eigvals(Q)).max() >= 1 - 1e-12:
            # improper from some states: restrict to states whose hitting probability is 1
            continue
        h = np.linalg.solve(np.eye(len(others)) - Q, np.ones(len(others)))
        best[others] = np.minimum(best[others], h)
    return best


def diameter_enumerated(P3: np.ndarray) -> float:
    S = P3.shape[0]
    return float(max(min_hitting(P3, t)[[s for s in range(S) if s != t]].max() for t in range(S)))
