"""Numba kernels for episode rollouts, with their NumPy twins (compared in tests/test_sampling.py).

Both take the same pre-drawn uniforms, so for one seed they return the same episodes: the
randomness comes from the caller's ``numpy.random.Generator``, never from Numba's own generator.

Layout: transitions are CSR rows with cumulative probabilities ``cdf`` (row ``(h*S + s)*A + a``
for stage-dependent models, ``s*A + a`` for stationary ones); ``pol_cdf`` is ``(Hp, S, A)``
cumulative action probabilities with ``Hp`` = 1 (stationary) or ``H``.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from . import backends


@njit(cache=True)
def _first_above(cdf: np.ndarray, lo: int, hi: int, u: float) -> int:
    """First ``k`` in ``[lo, hi)`` with ``cdf[k] > u``; ``hi - 1`` when rounding leaves none."""
    for k in range(lo, hi):
        if cdf[k] > u:
            return k
    return hi - 1


@njit(cache=True)
def rollout_kernel(indptr, indices, cdf, R, pol_cdf, s0, u, stage_dependent):
    n_ep, H = u.shape[0], u.shape[1]
    S, A = R.shape[1], R.shape[2]
    s_out = np.empty((n_ep, H), np.int64)
    a_out = np.empty((n_ep, H), np.int64)
    r_out = np.empty((n_ep, H), np.float64)
    n_out = np.empty((n_ep, H), np.int64)
    for e in range(n_ep):
        s = s0[e]
        for h in range(H):
            hp = h if pol_cdf.shape[0] > 1 else 0
            a = _first_above(pol_cdf[hp, s], 0, A, u[e, h, 0])
            hm = h if stage_dependent else 0
            row = (hm * S + s) * A + a
            k = _first_above(cdf, indptr[row], indptr[row + 1], u[e, h, 1])
            s_out[e, h] = s
            a_out[e, h] = a
            r_out[e, h] = R[hm, s, a]
            s = indices[k]
            n_out[e, h] = s
    return s_out, a_out, r_out, n_out


def rollout_numpy(indptr, indices, cdf, R, pol_cdf, s0, u, stage_dependent):
    """Vectorised-over-episodes twin of :func:`rollout_kernel`."""
    n_ep, H = u.shape[0], u.shape[1]
    S, A = R.shape[1], R.shape[2]
    row_of = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    shifted = cdf + row_of  # row r's cdf lies in (r, r+1]: one global sorted array
    out = [np.empty((n_ep, H), dt) for dt in (np.int64, np.int64, np.float64, np.int64)]
    s = s0.copy()
    for h in range(H):
        pc = pol_cdf[h if pol_cdf.shape[0] > 1 else 0, s]  # (n_ep, A)
        a = np.minimum((pc <= u[:, h, 0][:, None]).sum(axis=1), A - 1)
        hm = h if stage_dependent else 0
        row = (hm * S + s) * A + a
        k = np.searchsorted(shifted, row + u[:, h, 1], side="right")
        k = np.minimum(k, indptr[row + 1] - 1)
        out[0][:, h], out[1][:, h], out[2][:, h] = s, a, R[hm, s, a]
        s = indices[k]
        out[3][:, h] = s
    return tuple(out)


backends.register("sampling.rollout", numba=rollout_kernel, numpy=rollout_numpy)
