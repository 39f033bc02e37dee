"""Numba kernels on a CSR ``(S*A, S)`` transition matrix given by its parts ``indptr, indices, data``
(row ``s*A + a``, the same indexing as the dense view). Same contracts as :mod:`.dense`; the cost of a
sweep is ``O(nnz)`` instead of ``O(S^2 A)``.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._numba_common import FASTMATH, jit_pair, tie_threshold


@njit(fastmath=FASTMATH, cache=True, nogil=True)
def dot_row(indptr, indices, data, row, V):
    acc = 0.0
    for k in range(indptr[row], indptr[row + 1]):
        acc += data[k] * V[indices[k]]
    return acc


def _bellman(indptr, indices, data, R, V, gamma, Q, V_out, greedy):
    S, A = R.shape
    for s in prange(S):
        best = -np.inf
        for a in range(A):
            q = R[s, a] + gamma * dot_row(indptr, indices, data, s * A + a, V)
            Q[s, a] = q
            if q > best:
                best = q
        thr = tie_threshold(best)
        a = 0
        while a < A - 1 and Q[s, a] < thr:
            a += 1
        V_out[s] = best
        greedy[s] = a


def _policy_sweep_det(indptr, indices, data, R, pi, V, gamma, V_out):
    S, A = R.shape
    for s in prange(S):
        a = pi[s]
        V_out[s] = R[s, a] + gamma * dot_row(indptr, indices, data, s * A + a, V)


def _policy_sweep_stoch(indptr, indices, data, R, pi, V, gamma, V_out):
    S, A = R.shape
    for s in prange(S):
        v = 0.0
        for a in range(A):
            w = pi[s, a]
            if w != 0.0:
                v += w * (R[s, a] + gamma * dot_row(indptr, indices, data, s * A + a, V))
        V_out[s] = v


@njit(fastmath=FASTMATH, cache=True, nogil=True)
def gauss_seidel(indptr, indices, data, R, V, gamma):
    S, A = R.shape
    delta = 0.0
    for s in range(S):
        best = -np.inf
        for a in range(A):
            q = R[s, a] + gamma * dot_row(indptr, indices, data, s * A + a, V)
            if q > best:
                best = q
        d = abs(best - V[s])
        if d > delta:
            delta = d
        V[s] = best
    return delta


# (serial, parallel) compilations of each state-parallel body; see _numba_common.jit_pair
bellman_serial, bellman = jit_pair(_bellman)
policy_sweep_det_serial, policy_sweep_det = jit_pair(_policy_sweep_det)
policy_sweep_stoch_serial, policy_sweep_stoch = jit_pair(_policy_sweep_stoch)
