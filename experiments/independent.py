"""Ground truth for the planning claims, computed by code that shares nothing with :mod:`solvers`.

A claim that judges a planner against values the same planner (or its kernels) computed can only find
inconsistencies, never a bug both share (a wrong discount, a transposed layout): with the same kernels
mutated, "V*" is wrong in exactly the way the iterate is. These references use dense NumPy linear algebra
on ``P (S, A, S)`` and ``P (H, S, A, S)`` only, deliberately written again from the textbook definitions
(Puterman 1994, Theorems 6.1.1 and 6.2.5, section 4.5). Each returns a certified accuracy.

It is a helper module of the experiments (no ``NAME``), not an experiment.
"""
from __future__ import annotations

import itertools

import numpy as np

__all__ = ["policy_values", "optimal_values", "brute_force_optimum", "backward_values"]

_U = np.finfo(float).eps


def policy_values(P: np.ndarray, R: np.ndarray, pi: np.ndarray, gamma: float) -> tuple[np.ndarray, float]:
    """``V^pi = (I - gamma P_pi)^{-1} r_pi`` for a deterministic ``pi (S,)`` or stochastic ``pi (S, A)``, and
    a certified bound on its error: ``||residual|| / (1 - gamma)`` plus the rounding of the residual."""
    S, A = R.shape
    pol = np.eye(A)[pi] if np.ndim(pi) == 1 else np.asarray(pi, dtype=float)
    P_pi = np.einsum("sa,sat->st", pol, P)
    r_pi = (pol * R).sum(axis=1)
    M = np.eye(S) - gamma * P_pi
    V = np.linalg.solve(M, r_pi)
    res = float(np.abs(r_pi - M @ V).max()) + S * _U * float((np.abs(M) @ np.abs(V)).max() + np.abs(r_pi).max())
    return V, res / (1.0 - gamma)


def optimal_values(P: np.ndarray, R: np.ndarray, gamma: float, tol: float = 1e-11) -> tuple[np.ndarray, float]:
    """``V*`` by value iteration on the dense array, stopped on the MacQueen bracket, then one exact policy
    evaluation of the greedy policy: returns ``V*`` and a certified error (bracket and solve certificate)."""
    S, A = R.shape
    V = np.zeros(S)
    for _ in range(10**7):
        TV = (R + gamma * np.einsum("sat,t->sa", P, V)).max(axis=1)
        d = TV - V
        half = gamma * float(d.max() - d.min()) / (2.0 * (1.0 - gamma))
        V = TV + gamma * float(d.max() + d.min()) / (2.0 * (1.0 - gamma))
        if half <= tol:
            break
    # polish: the greedy policy's exact value is V* once the bracket separates the actions
    pi = (R + gamma * np.einsum("sat,t->sa", P, V)).argmax(axis=1)
    Vp, cert = policy_values(P, R, pi, gamma)
    gap = float(np.abs((R + gamma * np.einsum("sat,t->sa", P, Vp)).max(axis=1) - Vp).max()) / (1.0 - gamma)
    return Vp, cert + gap + 4 * S * _U * float(np.abs(Vp).max())


def brute_force_optimum(P: np.ndarray, R: np.ndarray, gamma: float) -> tuple[np.ndarray, float]:
    """``V*`` as the componentwise max of ``V^pi`` over all ``A^S`` deterministic policies (tiny models only)."""
    S, A = R.shape
    if A ** S > 20_000:
        raise ValueError(f"brute force over A^S = {A ** S} policies is too large; use optimal_values")
    best, cert = np.full(S, -np.inf), 0.0
    for pi in itertools.product(range(A), repeat=S):
        V, c = policy_values(P, R, np.array(pi), gamma)
        best, cert = np.maximum(best, V), max(cert, c)
    return best, cert


def backward_values(P: np.ndarray, R: np.ndarray, pi: np.ndarray | None = None) -> np.ndarray:
    """Finite-horizon values ``V (H+1, S)``: optimal (``pi=None``) or of the deterministic ``pi (H, S)``."""
    H, S, A = R.shape
    V = np.zeros((H + 1, S))
    for h in range(H - 1, -1, -1):
        Q = R[h] + np.einsum("sat,t->sa", P[h], V[h + 1])
        V[h] = Q.max(axis=1) if pi is None else Q[np.arange(S), pi[h]]
    return V
