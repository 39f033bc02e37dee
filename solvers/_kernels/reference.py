"""Vectorized NumPy twins of the Numba kernels: the readable reference (``backend="numpy"``).

``P_flat`` is the ``(S*A, S)`` transition matrix (row ``s*A + a``), a dense ndarray or a
``scipy.sparse`` CSR array; ``@`` dispatches to BLAS gemv or to SciPy's CSR matvec.
"""
from __future__ import annotations

import numpy as np

from mdptheory.policies import greedy


def bellman(P_flat, R, V, gamma, out=None):
    """Return ``(Q, V_new, greedy)`` with ``Q = R + gamma P V`` ``(S, A)``, ``V_new = max_a Q``,
    ``greedy`` the greedy action (int64, the tie rule of :func:`mdptheory.policies.greedy`); written into
    ``out`` when given."""
    S, A = R.shape
    Q = R + gamma * np.asarray(P_flat @ V).reshape(S, A)
    if out is None:
        return Q, Q.max(axis=1), greedy(Q)
    Q_out, V_out, g_out = out
    Q_out[:] = Q
    Q.max(axis=1, out=V_out)
    g_out[:] = greedy(Q)
    return Q_out, V_out, g_out


def policy_sweep(P_flat, R, pi, V, gamma, out=None):
    """``T^pi V`` for a deterministic ``pi`` (int ``(S,)``) or stochastic ``pi`` (``(S, A)``); written into
    ``out`` when given."""
    S, A = R.shape
    if pi.ndim == 1:
        rows = np.arange(S) * A + pi
        V_new = R[np.arange(S), pi] + gamma * np.asarray(P_flat[rows] @ V)
    else:
        V_new = (pi * (R + gamma * np.asarray(P_flat @ V).reshape(S, A))).sum(axis=1)
    if out is None:
        return V_new
    out[:] = V_new
    return out


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
