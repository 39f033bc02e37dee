"""Vectorized NumPy twins of the Numba kernels: the readable reference (``backend="numpy"``).

``P_flat`` is the ``(S*A, S)`` transition matrix (row ``s*A + a``), a dense ndarray or a
``scipy.sparse`` CSR array; ``@`` dispatches to BLAS gemv or to SciPy's CSR matvec.
"""
from __future__ import annotations

import numpy as np


def bellman(P_flat, R, V, gamma):
    """Return ``(Q, V_new, greedy)`` with ``Q = R + gamma P V`` ``(S, A)``, ``V_new = max_a Q``,
    ``greedy = argmax_a Q`` (int64, lowest index on ties)."""
    S, A = R.shape
    Q = R + gamma * np.asarray(P_flat @ V).reshape(S, A)
    return Q, Q.max(axis=1), Q.argmax(axis=1).astype(np.int64)


def policy_sweep(P_flat, R, pi, V, gamma):
    """``T^pi V`` for a deterministic ``pi`` (int ``(S,)``) or stochastic ``pi`` (``(S, A)``)."""
    S, A = R.shape
    if pi.ndim == 1:
        rows = np.arange(S) * A + pi
        return R[np.arange(S), pi] + gamma * np.asarray(P_flat[rows] @ V)
    Q = R + gamma * np.asarray(P_flat @ V).reshape(S, A)
    return (pi * Q).sum(axis=1)


def gauss_seidel(P_flat, R, V, gamma):
    """In-place Gauss-Seidel sweep in state order; returns ``max |change|``. A loop over states by
    nature; each state's ``A`` rows are one small matvec."""
    S, A = R.shape
    delta = 0.0
    for s in range(S):
        v = float((R[s] + gamma * np.asarray(P_flat[s * A:(s + 1) * A] @ V)).max())
        delta = max(delta, abs(v - V[s]))
        V[s] = v
    return delta
