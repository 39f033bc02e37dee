"""Numba kernels on a dense ``(S*A, S)`` transition matrix ``P2`` (row ``s*A + a``).

Checklist (software_anchors.md section 5.3, item 14): local scalar accumulator, ``fastmath``
reassociation (summation order may differ from the NumPy twin within ~1e-15 relative),
``parallel=True`` + ``prange`` over states, ``cache=True``. Outputs are written into caller-owned
buffers so solver loops allocate nothing per sweep. Ties in the greedy action follow the suite's rule
(:func:`mdptheory.policies.greedy`: the lowest action within ``TIE_RTOL`` of the max).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from ._numba_common import FASTMATH, jit_pair, tie_threshold


@njit(fastmath=FASTMATH, cache=True, nogil=True)
def dot_row(P2, row, V):
    acc = 0.0
    for t in range(V.shape[0]):
        acc += P2[row, t] * V[t]
    return acc


def _bellman(P2, R, V, gamma, Q, V_out, greedy):
    """``Q = R + gamma * P V``; ``V_out = max_a Q``; ``greedy = argmax_a Q`` (all written in place)."""
    S, A = R.shape
    for s in prange(S):
        best = -np.inf
        for a in range(A):
            q = R[s, a] + gamma * dot_row(P2, s * A + a, V)
            Q[s, a] = q
            if q > best:
                best = q
        thr = tie_threshold(best)
        a = 0
        while a < A - 1 and Q[s, a] < thr:
            a += 1
        V_out[s] = best
        greedy[s] = a


def _policy_sweep_det(P2, R, pi, V, gamma, V_out):
    """``V_out[s] = R[s, pi[s]] + gamma * P[s, pi[s], :] @ V`` (reads S rows, not S*A)."""
    S, A = R.shape
    for s in prange(S):
        a = pi[s]
        V_out[s] = R[s, a] + gamma * dot_row(P2, s * A + a, V)


def _policy_sweep_stoch(P2, R, pi, V, gamma, V_out):
    """``V_out[s] = sum_a pi[s, a] (R[s, a] + gamma * P[s, a, :] @ V)``; rows with ``pi = 0`` are skipped."""
    S, A = R.shape
    for s in prange(S):
        v = 0.0
        for a in range(A):
            w = pi[s, a]
            if w != 0.0:
                v += w * (R[s, a] + gamma * dot_row(P2, s * A + a, V))
        V_out[s] = v


def _chain_sweeps(P2, rows, r, V, gamma, k):
    """``k`` sweeps ``V <- r + gamma P_pi V`` where row ``s`` of ``P_pi`` is row ``rows[s]`` of ``P2``, in one
    call (modified policy iteration's evaluation sweeps; the rows are read in place, no copy); two
    buffers ping-pong and the result ends in ``V``."""
    src = V
    dst = np.empty_like(V)
    for _ in range(k):
        for s in prange(r.shape[0]):
            dst[s] = r[s] + gamma * dot_row(P2, rows[s], src)
        src, dst = dst, src
    if k % 2 == 1:
        V[:] = src


@njit(cache=True, nogil=True)
def bracket_stats(V, TV):
    """One pass: ``(min(TV - V), max(TV - V), max|V|, max|TV|)`` (the differences rounded as NumPy does)."""
    m = np.inf
    M = -np.inf
    va = 0.0
    ta = 0.0
    for s in range(V.shape[0]):
        d = TV[s] - V[s]
        if d < m:
            m = d
        if d > M:
            M = d
        va = max(va, abs(V[s]))
        ta = max(ta, abs(TV[s]))
    return m, M, va, ta


@njit(fastmath=FASTMATH, cache=True, nogil=True)
def gauss_seidel(P2, R, V, gamma):
    """One in-place Gauss-Seidel sweep in state order; returns ``max_s |V_new[s] - V_old[s]|``.

    Sequential by nature (state ``s`` uses the already-updated ``V[0..s-1]``), hence no ``prange``.
    """
    S, A = R.shape
    delta = 0.0
    for s in range(S):
        best = -np.inf
        for a in range(A):
            q = R[s, a] + gamma * dot_row(P2, s * A + a, V)
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
chain_sweeps_serial, chain_sweeps = jit_pair(_chain_sweeps)
