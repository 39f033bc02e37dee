"""Numba kernels on a CSR ``(S*A, S)`` transition matrix given by its parts ``indptr, indices, data``
(row ``s*A + a``, the same indexing as the dense view). Same contracts as :mod:`.dense`; the cost of a
sweep is ``O(nnz)`` instead of ``O(S^2 A)``.

Inner loop (issue 12, item 3). Rows of a sparse MDP are short (a Garnet has 5-10 entries), so the
``fastmath`` reassociation that vectorises the long dense dot products only adds gather set-up and
remainder code here (measured slower than SciPy's plain loop). These kernels use ``contract`` only (fused
multiply-adds), read the ``A`` rows of a state as one contiguous range of ``data``/``indices``, and keep
two independent accumulators per row so that consecutive products do not wait on one add chain. The
order of the sum still differs from SciPy's, within the rounding bound of :mod:`solvers.brackets`
(valid for any order).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._numba_common import jit_pair, tie_threshold

#: No reassociation (see the module docstring); fused multiply-adds are allowed.
CSR_FASTMATH = {"contract"}


@njit(fastmath=CSR_FASTMATH, cache=True, nogil=True, inline="always")
def dot_range(indices, data, lo, hi, V):
    """``sum_{k in [lo, hi)} data[k] V[indices[k]]`` with two accumulators (even and odd ``k``)."""
    acc0 = 0.0
    acc1 = 0.0
    k = lo
    while k + 1 < hi:
        acc0 += data[k] * V[indices[k]]
        acc1 += data[k + 1] * V[indices[k + 1]]
        k += 2
    if k < hi:
        acc0 += data[k] * V[indices[k]]
    return acc0 + acc1


@njit(fastmath=CSR_FASTMATH, cache=True, nogil=True)
def dot_row(indptr, indices, data, row, V):
    return dot_range(indices, data, indptr[row], indptr[row + 1], V)


def _bellman(indptr, indices, data, R, V, gamma, Q, V_out, greedy):
    S, A = R.shape
    for s in prange(S):
        best = -np.inf
        base = s * A
        lo = indptr[base]
        for a in range(A):
            hi = indptr[base + a + 1]
            q = R[s, a] + gamma * dot_range(indices, data, lo, hi, V)
            lo = hi
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


def _chain_sweeps(indptr, indices, data, r, V, gamma, k):
    """``k`` sweeps ``V <- r + gamma P_pi V`` of an extracted policy chain ``P_pi`` (CSR ``(S, S)``) in one
    call (issue 12, item 2: modified policy iteration's evaluation sweeps); two buffers ping-pong and the
    result ends in ``V``."""
    src = V
    dst = np.empty_like(V)
    for _ in range(k):
        for s in prange(r.shape[0]):
            dst[s] = r[s] + gamma * dot_range(indices, data, indptr[s], indptr[s + 1], src)
        src, dst = dst, src
    if k % 2 == 1:
        V[:] = src


@njit(cache=True, nogil=True)
def policy_rows(indptr, indices, data, R, pi):
    """CSR parts ``(indptr_pi, indices_pi, data_pi)`` of ``P_pi (S, S)`` (row ``s`` = row ``s*A + pi[s]`` of
    ``P``, copied into contiguous arrays so that the evaluation sweeps stream them) and ``r_pi (S,)``."""
    S, A = R.shape
    ptr = np.empty(S + 1, dtype=indptr.dtype)
    ptr[0] = 0
    for s in range(S):
        row = s * A + pi[s]
        ptr[s + 1] = ptr[s] + (indptr[row + 1] - indptr[row])
    idx = np.empty(ptr[S], dtype=indices.dtype)
    dat = np.empty(ptr[S], dtype=data.dtype)
    r = np.empty(S)
    for s in range(S):
        row = s * A + pi[s]
        lo = indptr[row]
        n = ptr[s + 1] - ptr[s]
        for j in range(n):
            idx[ptr[s] + j] = indices[lo + j]
            dat[ptr[s] + j] = data[lo + j]
        r[s] = R[s, pi[s]]
    return ptr, idx, dat, r


@njit(fastmath=CSR_FASTMATH, cache=True, nogil=True)
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
bellman_serial, bellman = jit_pair(_bellman, fastmath=CSR_FASTMATH)
policy_sweep_det_serial, policy_sweep_det = jit_pair(_policy_sweep_det, fastmath=CSR_FASTMATH)
policy_sweep_stoch_serial, policy_sweep_stoch = jit_pair(_policy_sweep_stoch, fastmath=CSR_FASTMATH)
chain_sweeps_serial, chain_sweeps = jit_pair(_chain_sweeps, fastmath=CSR_FASTMATH)
