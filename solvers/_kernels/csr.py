"""Numba kernels on a CSR ``(S*A, S)`` transition matrix given by its parts ``indptr, indices, data``
(row ``s*A + a``, the same indexing as the dense view). Same contracts as :mod:`.dense`; the cost of a
sweep is ``O(nnz)`` instead of ``O(S^2 A)``.

Inner loop (issue 12, item 3; measured in ``benchmarks/planners.py``). Rows of a sparse MDP are short
(a Garnet has 5-10 entries), so three things decide the speed, none of them the arithmetic:

- **no negative-index handling**: Numba wraps negative indices around (Python semantics), which costs a
  shift, a mask and an add for every ``data[k]``, ``indices[k]`` and ``V[indices[k]]`` with a signed
  index (1.3-1.4 ns per nonzero against SciPy's 0.8). The kernels therefore walk ``k`` as ``uint64``
  and read the column indices through an unsigned view (:func:`unsigned_indices`; a validated model has
  no negative index, so the view is the same numbers);
- **no reassociation**: the ``fastmath`` reassociation that vectorises long dense dot products only adds
  gather set-up and remainder code on 10-entry rows (measured slower); ``contract`` (fused
  multiply-add) only;
- **the dot product written in the loop body**: a helper function, even a small ``@njit`` one, measured
  ~20 % slower, and Numba-level ``inline="always"`` 4x slower.

With these the fused Bellman sweep (which also writes ``Q``, ``max`` and the greedy action) runs at
SciPy's ``P @ V`` speed (0.74-0.88 against 0.76-0.80 ns per nonzero at S = 2,000-20,000, 2.6 against
2.9 at S = 200,000, thread time, busy machine). The order of each sum is the row's order, which the
rounding bound of :mod:`solvers.brackets` covers (it holds for any order).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._numba_common import jit_pair, tie_threshold

#: No reassociation (see the module docstring); fused multiply-adds are allowed.
CSR_FASTMATH = {"contract"}


def unsigned_indices(indices: np.ndarray) -> np.ndarray:
    """The column indices as an unsigned view (no copy): ``uint32`` for ``int32``, ``uint64`` for ``int64``."""
    if indices.dtype == np.int32:
        return indices.view(np.uint32)
    if indices.dtype == np.int64:
        return indices.view(np.uint64)
    return np.ascontiguousarray(indices, dtype=np.uint64)


def _bellman(indptr, indices, data, R, V, gamma, Q, V_out, greedy):
    S, A = R.shape
    one = np.uint64(1)
    for s in prange(S):
        best = -np.inf
        base = s * A
        k = np.uint64(indptr[base])
        for a in range(A):
            hi = np.uint64(indptr[base + a + 1])
            acc = 0.0
            while k < hi:
                acc += data[k] * V[indices[k]]
                k += one
            q = R[s, a] + gamma * acc
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
    one = np.uint64(1)
    for s in prange(S):
        row = s * A + pi[s]
        k, hi = np.uint64(indptr[row]), np.uint64(indptr[row + 1])
        acc = 0.0
        while k < hi:
            acc += data[k] * V[indices[k]]
            k += one
        V_out[s] = R[s, pi[s]] + gamma * acc


def _policy_sweep_stoch(indptr, indices, data, R, pi, V, gamma, V_out):
    S, A = R.shape
    one = np.uint64(1)
    for s in prange(S):
        v = 0.0
        for a in range(A):
            w = pi[s, a]
            if w != 0.0:
                k, hi = np.uint64(indptr[s * A + a]), np.uint64(indptr[s * A + a + 1])
                acc = 0.0
                while k < hi:
                    acc += data[k] * V[indices[k]]
                    k += one
                v += w * (R[s, a] + gamma * acc)
        V_out[s] = v


def _chain_sweeps(indptr, indices, data, r, V, gamma, k):
    """``k`` sweeps ``V <- r + gamma P_pi V`` of an extracted policy chain ``P_pi`` (CSR ``(S, S)``) in one
    call (issue 12, item 2: modified policy iteration's evaluation sweeps); two buffers ping-pong and the
    result ends in ``V``."""
    src = V
    dst = np.empty_like(V)
    one = np.uint64(1)
    for _ in range(k):
        for s in prange(r.shape[0]):
            j, hi = np.uint64(indptr[s]), np.uint64(indptr[s + 1])
            acc = 0.0
            while j < hi:
                acc += data[j] * src[indices[j]]
                j += one
            dst[s] = r[s] + gamma * acc
        src, dst = dst, src
    if k % 2 == 1:
        V[:] = src


@njit(cache=True, nogil=True)
def policy_rows(indptr, indices, data, R, pi):
    """CSR parts ``(indptr_pi, indices_pi, data_pi)`` of ``P_pi (S, S)`` (row ``s`` = row ``s*A + pi[s]`` of
    ``P``, copied into contiguous arrays so that the evaluation sweeps stream them; measured 0.12 ms for
    extraction plus 9 sweeps against 0.21 ms for 9 sweeps reading the rows in place at S = 2,000, and
    68 against 172 ms at S = 200,000) and ``r_pi (S,)``. ``indptr_pi`` is int64."""
    S, A = R.shape
    ptr = np.empty(S + 1, dtype=np.int64)
    ptr[0] = 0
    for s in range(S):
        row = s * A + pi[s]
        ptr[s + 1] = ptr[s] + (indptr[row + 1] - indptr[row])
    idx = np.empty(ptr[S], dtype=indices.dtype)
    dat = np.empty(ptr[S], dtype=data.dtype)
    r = np.empty(S)
    one = np.uint64(1)
    for s in range(S):
        row = s * A + pi[s]
        j, hi, o = np.uint64(indptr[row]), np.uint64(indptr[row + 1]), np.uint64(ptr[s])
        while j < hi:
            idx[o] = indices[j]
            dat[o] = data[j]
            j += one
            o += one
        r[s] = R[s, pi[s]]
    return ptr, idx, dat, r


@njit(fastmath=CSR_FASTMATH, cache=True, nogil=True)
def gauss_seidel(indptr, indices, data, R, V, gamma):
    S, A = R.shape
    one = np.uint64(1)
    delta = 0.0
    for s in range(S):
        best = -np.inf
        k = np.uint64(indptr[s * A])
        for a in range(A):
            hi = np.uint64(indptr[s * A + a + 1])
            acc = 0.0
            while k < hi:
                acc += data[k] * V[indices[k]]
                k += one
            q = R[s, a] + gamma * acc
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
