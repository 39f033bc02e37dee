"""Vectorized NumPy twins of the Numba kernels: the readable reference (``backend="numpy"``).

``P_flat`` is the ``(S*A, S)`` transition matrix (row ``s*A + a``), a dense ndarray or a
``scipy.sparse`` CSR array; ``@`` dispatches to BLAS gemv or to SciPy's CSR matvec.
"""
from __future__ import annotations

import numpy as np

from mdptheory.policies import greedy


def policy_weighted(pi, X):
    """``sum_a pi(a|s) X[s, a]`` for a stochastic ``pi (S, A)``, where an action of probability 0 adds 0 even
    if ``X = -inf`` (an infeasible action; ``0 * -inf`` would be NaN with a warning)."""
    return np.multiply(pi, X, out=np.zeros(np.broadcast_shapes(pi.shape, X.shape)), where=pi > 0).sum(axis=1)


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
        Q = R + gamma * np.asarray(P_flat @ V).reshape(S, A)
        V_new = policy_weighted(pi, Q)
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


def policy_chain(P_flat, R, pi):
    """``PolicyChain`` of a deterministic ``pi``: CSR parts of ``P_pi`` (SciPy row indexing) or, dense, the
    rows ``s*A + pi[s]`` of ``P_flat``; and ``r_pi``."""
    from . import PolicyChain  # the named tuple lives with the facade

    S, A = R.shape
    rows = np.arange(S) * A + pi
    r = R[np.arange(S), pi].copy()
    if hasattr(P_flat, "tocsr"):
        P_pi = P_flat[rows]
        return PolicyChain((P_pi.indptr, P_pi.indices, P_pi.data), None, r)
    return PolicyChain(P_flat, rows, r)


def chain_sweeps(chain, V, gamma, k):
    """``k`` sweeps ``V <- r_pi + gamma P_pi V``, in place on ``V``."""
    import scipy.sparse as sp

    S = V.shape[0]
    if chain.rows is None:
        indptr, indices, data = chain.P
        P_pi = sp.csr_array((data, indices, indptr), shape=(S, S))
    else:
        P_pi = chain.P[chain.rows]
    W = V.copy()
    for _ in range(k):
        W = chain.r + gamma * np.asarray(P_pi @ W)
    V[:] = W


def bracket_stats(V, TV):
    """``(min(TV - V), max(TV - V), max|V|, max|TV|)`` as floats (the inputs of a bracket check)."""
    d = TV - V
    return (float(d.min()), float(d.max()), float(np.abs(V).max(initial=0.0)), float(np.abs(TV).max(initial=0.0)))
