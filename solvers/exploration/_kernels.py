r"""Numba kernels of the pure-exploration learners, each with a NumPy twin registered in :mod:`mdptheory.backends`.

Empirical transitions are read from *rows* ``r = (g S + s) A + a`` (``g = h`` for stage-dependent counts, ``0``
when one estimate is shared by all stages): the next states of row ``r`` are ``idx[start[r]:stop[r]]`` with
counts ``cnt[start[r]:stop[r]]`` (sorted by next state). CSR arrays give ``start = ptr[:-1]``,
``stop = ptr[1:]`` (the learners' :meth:`~solvers.learners.EpisodicLearner._support`); the fused exploration
loops keep fixed-capacity rows (``start[r] = r S``) so that a new next state is inserted in place. The visit
count ``n`` of a row is the sum of its counts; an unvisited row (``n = 0``) reads the uniform law (the official
RF-Express code initialises ``P_hat`` to ``1/S``).

``exploration.error_backward`` -- the error-bound recursions (Ménard et al. 2021, Section 3, RF-Express;
Kaufmann et al. 2021, RF-UCRL), backward from ``V_H = 0``::

    W_h(s, a) = min(w_clip, b(n_h(s, a)) + m * sum_s' p_hat_h(s'|s, a) V_{h+1}(s')),   V_h(s) = min(v_clip, max_a W_h(s, a))

with the bonus ``b(n) = c beta(n)^pb / (n + noff)^pn`` and ``b(0) = c0 beta(0)^pb`` (``c0`` = the unscaled
constant: the official code's initial value, which the paper's clip turns into ``W = H``; a scaled-down bonus
must not make unvisited pairs look explored) and ``beta(n) = b0 + b1 log(8 e (n + 1))`` (``kind = 0``, ICML 2021) or ``b0 + b1 log(e (1 + n / b1))``
(``kind = 1``, the ALT'21 code). RF-Express: ``c = 15 H^2, pb = pn = 1, m = 1 + 1/H, w_clip = H``; RF-UCRL:
``c = H, pb = pn = 1/2, m = 1``.

``exploration.kl_backward`` -- BPI-UCRL's upper and lower values (Kaufmann et al. 2021; Ménard et al. 2021,
Section 4) with the KL balls ``C = {q : KL(p_hat || q) <= beta(n) / n}`` over the whole simplex (``n = 0``: the
simplex), by :func:`solvers.kl._ball_max_row` (Filippi et al. 2010's dual; one implementation with MDP-GapE).
A row's support plus one point standing for every unobserved next state (value ``max V`` for the max, ``min V``
for the min) is exact: the maximiser only moves mass to the best unobserved point.

``exploration.rf_explore`` / ``exploration.bpi_explore`` -- the whole exploration loop of one run in one call
(the fast path of :func:`solvers.exploration.explore` on a known tabular model): recompute the bounds, stop or
play one episode with the caller's uniforms (the rollout rule of :mod:`mdptheory._sampling_kernels`), add its
transitions, repeat. They call the same row recursions as the interface path, so both give the same run.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from mdptheory import backends
from mdptheory._sampling_kernels import _first_above
from mdptheory.policies import greedy

from .._kernels._numba_common import greedy_row
from ..kl import _ball_max_numpy, _ball_max_row

__all__ = ["error_backward", "error_backward_numpy", "kl_backward", "kl_backward_numpy",
           "rf_explore", "rf_explore_numpy", "bpi_explore", "bpi_explore_numpy", "BONUS_FIELDS"]

_E = math.e
#: Layout of the ``bonus`` parameter vector of the error recursion.
BONUS_FIELDS = ("c", "pb", "pn", "noff", "kind", "b0", "b1", "c0")


# ------------------------------------------------------------------------------------------ shared scalars
@njit(cache=True, nogil=True)
def _beta(n, kind, b0, b1):
    """The exploration threshold ``beta(n)`` (see the module docstring)."""
    if kind == 0:
        return b0 + b1 * math.log(8.0 * _E * (n + 1.0))
    if b1 <= 0.0:
        return b0
    return b0 + b1 * math.log(_E * (1.0 + n / b1))


@njit(cache=True, nogil=True)
def _bonus(n, bp):
    """``b(n) = c beta(n)^pb / (n + noff)^pn``, ``b(0) = c0 beta(0)^pb``; ``bp`` = :data:`BONUS_FIELDS`."""
    beta = _beta(n, int(bp[4]), bp[5], bp[6])
    num = beta if bp[1] == 1.0 else beta ** bp[1]
    if n <= 0.0:
        return bp[7] * num
    d = n + bp[3]
    return bp[0] * num / (d if bp[2] == 1.0 else d ** bp[2])


def _beta_numpy(n, kind, b0, b1):
    n = np.asarray(n, dtype=float)
    if kind == 0:
        return b0 + b1 * np.log(8.0 * _E * (n + 1.0))
    return np.full(n.shape, b0) if b1 <= 0 else b0 + b1 * np.log(_E * (1.0 + n / b1))


def _bonus_numpy(n, bp):
    beta = _beta_numpy(n, int(bp[4]), bp[5], bp[6])
    num = beta if bp[1] == 1.0 else beta ** bp[1]
    d = n + bp[3]
    with np.errstate(divide="ignore", invalid="ignore"):
        den = d if bp[2] == 1.0 else d ** bp[2]
        return np.where(n <= 0, bp[7] * num, bp[0] * num / np.where(n <= 0, 1.0, den))


@njit(cache=True, nogil=True)
def _row_visits(start, stop, cnt, r):
    n = 0.0
    for k in range(start[r], stop[r]):
        n += cnt[k]
    return n


@njit(cache=True, nogil=True)
def _group(h, H, stage_dep, shift):
    """Row group of stage ``h``; ``shift = 1`` reads the counts of stage ``h + 1`` (a mutant), capped at ``H - 1``."""
    if not stage_dep:
        return 0
    g = h + shift
    return g if g < H else H - 1


# ----------------------------------------------------------------------------------- error recursion
@njit(cache=True, nogil=True)
def _error_core(start, stop, idx, cnt, H, stage_dep, shift, bp, mult, w_clip, v_clip, W, V, pi):
    """Fill ``W (H, S, A)``, ``V (H+1, S)``, ``pi (H, S)`` in place (see the module docstring)."""
    S, A = W.shape[1], W.shape[2]
    for s in range(S):
        V[H, s] = 0.0
    for h in range(H - 1, -1, -1):
        g = _group(h, H, stage_dep, shift)
        mean = 0.0
        for t in range(S):
            mean += V[h + 1, t]
        mean /= S
        for s in range(S):
            for a in range(A):
                r = (g * S + s) * A + a
                n = _row_visits(start, stop, cnt, r)
                if n > 0.0:
                    acc = 0.0
                    for k in range(start[r], stop[r]):
                        acc += cnt[k] * V[h + 1, idx[k]]
                    nxt = acc / n
                else:
                    nxt = mean
                w = _bonus(n, bp) + mult * nxt
                W[h, s, a] = w if w < w_clip else w_clip
            best, pi[h, s] = greedy_row(W[h, s])
            V[h, s] = best if best < v_clip else v_clip


@njit(cache=True, nogil=True)
def error_backward(start, stop, idx, cnt, S, A, H, stage_dep, shift, bp, mult, w_clip, v_clip):
    """The error-bound recursion on one support layout: returns ``W (H, S, A), V (H+1, S), pi (H, S)``."""
    W = np.empty((H, S, A))
    V = np.empty((H + 1, S))
    pi = np.empty((H, S), np.int64)
    _error_core(start, stop, idx, cnt, H, stage_dep, shift, bp, mult, w_clip, v_clip, W, V, pi)
    return W, V, pi


def _rows_p_dot(start, stop, idx, cnt, rows, Vn):
    """``(sum_k cnt V[idx], n)`` of each row in ``rows`` (vectorised over the rows' entries)."""
    lens = stop[rows] - start[rows]
    entry_row = np.repeat(np.arange(rows.size), lens)
    pos = np.repeat(start[rows] - np.concatenate(([0], np.cumsum(lens)[:-1])), lens) + np.arange(lens.sum())
    n = np.bincount(entry_row, weights=cnt[pos], minlength=rows.size)
    acc = np.bincount(entry_row, weights=cnt[pos] * Vn[idx[pos]], minlength=rows.size)
    return acc, n


def error_backward_numpy(start, stop, idx, cnt, S, A, H, stage_dep, shift, bp, mult, w_clip, v_clip):
    """NumPy twin of :func:`error_backward` (rows of a stage at once)."""
    W = np.empty((H, S, A))
    V = np.zeros((H + 1, S))
    pi = np.empty((H, S), np.int64)
    for h in range(H - 1, -1, -1):
        g = min(h + shift, H - 1) if stage_dep else 0
        rows = np.arange(g * S * A, (g + 1) * S * A)
        acc, n = _rows_p_dot(start, stop, idx, cnt, rows, V[h + 1])
        with np.errstate(divide="ignore", invalid="ignore"):
            nxt = np.where(n > 0, acc / np.where(n > 0, n, 1.0), V[h + 1].mean())
        W[h] = np.minimum(_bonus_numpy(n, bp) + mult * nxt, w_clip).reshape(S, A)
        pi[h] = greedy(W[h])
        V[h] = np.minimum(W[h].max(axis=1), v_clip)
    return W, V, pi


# --------------------------------------------------------------------------------------- KL bounds
@njit(cache=True, nogil=True)
def _kl_core(start, stop, idx, cnt, R, H, stage_dep, shift, beta_p, v_clip, lower_mode, lower_op,
             Qu, Vu, piu, Ql, Vl, pil, pbuf, fbuf, qbuf, dbuf):
    """Fill BPI-UCRL's upper ``Qu, Vu, piu`` and lower ``Ql, Vl, pil`` in place (see the module docstring).

    ``beta_p = (kind, b0, b1, radius_scale)``; ``v_clip (H,)`` caps the upper value of stage ``h``;
    ``lower_mode`` 0: ``Vl(s) = Ql(s, piu(s))`` (the certified value of the optimistic policy), 1: ``max_a Ql``;
    ``lower_op`` 0: the min over the ball, 1: the max (a mutant).
    """
    S, A = R.shape[1], R.shape[2]
    kind, b0, b1, scale = int(beta_p[0]), beta_p[1], beta_p[2], beta_p[3]
    for s in range(S):
        Vu[H, s] = 0.0
        Vl[H, s] = 0.0
    for h in range(H - 1, -1, -1):
        g = _group(h, H, stage_dep, shift)
        u_max = -np.inf
        l_min = np.inf
        l_max = -np.inf
        for t in range(S):
            u_max = max(u_max, Vu[h + 1, t])
            l_min = min(l_min, Vl[h + 1, t])
            l_max = max(l_max, Vl[h + 1, t])
        l_out = l_max if lower_op == 1 else l_min       # the unobserved point of the lower operator
        for s in range(S):
            for a in range(A):
                r = (g * S + s) * A + a
                n = _row_visits(start, stop, cnt, r)
                if n > 0.0:
                    c = scale * _beta(n, kind, b0, b1) / n
                    m = 0
                    for k in range(start[r], stop[r]):
                        pbuf[m] = cnt[k] / n
                        fbuf[m] = Vu[h + 1, idx[k]]
                        m += 1
                    pbuf[m] = 0.0
                    fbuf[m] = u_max
                    m += 1
                    up = _ball_max_row(pbuf[:m], fbuf[:m], c, qbuf[:m], dbuf[:m])
                    j = 0
                    for k in range(start[r], stop[r]):
                        v = Vl[h + 1, idx[k]]
                        fbuf[j] = v if lower_op == 1 else -v
                        j += 1
                    fbuf[j] = l_out if lower_op == 1 else -l_out
                    lo = _ball_max_row(pbuf[:m], fbuf[:m], c, qbuf[:m], dbuf[:m])
                    if lower_op == 0:
                        lo = -lo
                else:
                    up = u_max
                    lo = l_out
                q = R[h, s, a] + up
                Qu[h, s, a] = q if q < v_clip[h] else v_clip[h]
                q = R[h, s, a] + lo
                Ql[h, s, a] = q if q > 0.0 else 0.0
            Vu[h, s], piu[h, s] = greedy_row(Qu[h, s])
            if lower_mode == 0:
                pil[h, s] = piu[h, s]
                Vl[h, s] = Ql[h, s, piu[h, s]]
            else:
                Vl[h, s], pil[h, s] = greedy_row(Ql[h, s])


@njit(cache=True, nogil=True)
def kl_backward(start, stop, idx, cnt, R, H, stage_dep, shift, beta_p, v_clip, lower_mode, lower_op):
    """BPI-UCRL's bounds: returns ``Qu, Vu, piu, Ql, Vl, pil`` (shapes ``(H, S, A), (H+1, S), (H, S)``)."""
    S, A = R.shape[1], R.shape[2]
    Qu, Ql = np.empty((H, S, A)), np.empty((H, S, A))
    Vu, Vl = np.empty((H + 1, S)), np.empty((H + 1, S))
    piu, pil = np.empty((H, S), np.int64), np.empty((H, S), np.int64)
    bufs = [np.empty(S + 1) for _ in range(4)]
    _kl_core(start, stop, idx, cnt, R, H, stage_dep, shift, beta_p, v_clip, lower_mode, lower_op,
             Qu, Vu, piu, Ql, Vl, pil, bufs[0], bufs[1], bufs[2], bufs[3])
    return Qu, Vu, piu, Ql, Vl, pil


def _padded_rows(start, stop, idx, cnt, rows, Vn, extra, n):
    """``(P, F)`` of the given rows padded to a common width with ``p = 0`` points of value ``extra``."""
    lens = stop[rows] - start[rows]
    width = int(lens.max(initial=0)) + 1
    P = np.zeros((rows.size, width))
    F = np.full((rows.size, width), float(extra))
    for i, r in enumerate(rows):        # at most S A rows per stage; each a short slice
        lo, hi = start[r], stop[r]
        if n[i] > 0:
            P[i, :hi - lo] = cnt[lo:hi] / n[i]
        F[i, :hi - lo] = Vn[idx[lo:hi]]
    return P, F


def kl_backward_numpy(start, stop, idx, cnt, R, H, stage_dep, shift, beta_p, v_clip, lower_mode, lower_op):
    """NumPy twin of :func:`kl_backward`: every row of a stage through :func:`solvers.kl._ball_max_numpy`."""
    S, A = R.shape[1], R.shape[2]
    kind, b0, b1, scale = int(beta_p[0]), beta_p[1], beta_p[2], beta_p[3]
    Qu, Ql = np.empty((H, S, A)), np.empty((H, S, A))
    Vu, Vl = np.zeros((H + 1, S)), np.zeros((H + 1, S))
    piu, pil = np.empty((H, S), np.int64), np.empty((H, S), np.int64)
    for h in range(H - 1, -1, -1):
        g = min(h + shift, H - 1) if stage_dep else 0
        rows = np.arange(g * S * A, (g + 1) * S * A)
        n = np.array([cnt[start[r]:stop[r]].sum() for r in rows])
        with np.errstate(divide="ignore", invalid="ignore"):
            c = np.where(n > 0, scale * _beta_numpy(n, kind, b0, b1) / np.where(n > 0, n, 1.0), np.inf)
        l_out = Vl[h + 1].max() if lower_op == 1 else Vl[h + 1].min()
        P, F = _padded_rows(start, stop, idx, cnt, rows, Vu[h + 1], Vu[h + 1].max(), n)
        up, _ = _ball_max_numpy(P, F, c)
        P, F = _padded_rows(start, stop, idx, cnt, rows, Vl[h + 1], l_out, n)
        lo = _ball_max_numpy(P, F, c)[0] if lower_op == 1 else -_ball_max_numpy(P, -F, c)[0]
        Qu[h] = np.minimum(R[h] + up.reshape(S, A), v_clip[h])
        Ql[h] = np.maximum(R[h] + lo.reshape(S, A), 0.0)
        piu[h] = greedy(Qu[h])
        Vu[h] = Qu[h].max(axis=1)
        if lower_mode == 0:
            pil[h] = piu[h]
            Vl[h] = Ql[h][np.arange(S), piu[h]]
        else:
            pil[h] = greedy(Ql[h])
            Vl[h] = Ql[h].max(axis=1)
    return Qu, Vu, piu, Ql, Vl, pil


# ----------------------------------------------------------------------------- fused exploration loops
@njit(cache=True, nogil=True)
def _rf_certificate(W0, mu0, kind):
    """``sum_s mu0(s) f(max_a W_1(s, a))``, ``f(w) = 3 e sqrt(w) + w`` (``kind = 1``, RF-Express) or ``w`` (RF-UCRL)."""
    acc = 0.0
    for s in range(W0.shape[0]):
        if mu0[s] != 0.0:
            w = W0[s, 0]
            for a in range(1, W0.shape[1]):
                if W0[s, a] > w:
                    w = W0[s, a]
            f = 3.0 * _E * math.sqrt(w) + w if kind == 1 else w
            acc += mu0[s] * f
    return acc


@njit(cache=True, nogil=True)
def _gap_certificate(Vu0, Vl0, mu0):
    """``sum_s mu0(s) (Vu_1(s) - Vl_1(s))`` (BPI-UCRL's stopping statistic)."""
    acc = 0.0
    for s in range(Vu0.shape[0]):
        if mu0[s] != 0.0:
            acc += mu0[s] * (Vu0[s] - Vl0[s])
    return acc


@njit(cache=True, nogil=True)
def _play_and_count(true_ptr, true_idx, true_cdf, mu0_cdf, u, pi, H, S, A, stage_dep, idx, cnt, start, stop):
    """One episode of the deterministic ``pi (H, S)`` with the uniforms ``u (1 + 2H,)`` (the rollout rule of
    :func:`mdptheory._sampling_kernels.rollout_kernel`: ``u[0]`` draws ``s_1``, ``u[2 + 2h]`` the transition of
    stage ``h``), its transitions added to the rows in place (a new next state inserted in sorted position)."""
    s = _first_above(mu0_cdf, 0, S, u[0])
    for h in range(H):
        a = pi[h, s]
        row_true = (h * S + s) * A + a
        k = _first_above(true_cdf, true_ptr[row_true], true_ptr[row_true + 1], u[2 + 2 * h])
        s2 = true_idx[k]
        g = h if stage_dep else 0
        r = (g * S + s) * A + a
        j = start[r]
        while j < stop[r] and idx[j] < s2:
            j += 1
        if j < stop[r] and idx[j] == s2:
            cnt[j] += 1.0
        else:
            for m in range(stop[r], j, -1):
                idx[m] = idx[m - 1]
                cnt[m] = cnt[m - 1]
            idx[j] = s2
            cnt[j] = 1.0
            stop[r] += 1
        s = s2


@njit(cache=True, nogil=True)
def rf_explore(true_ptr, true_idx, true_cdf, mu0, mu0_cdf, u, budget, use_stop, threshold, cert_kind,
               idx, cnt, start, stop, H, stage_dep, shift, bp, mult, w_clip, v_clip, certs):
    """RF-Express / RF-UCRL episodes with the uniforms ``u (n, 1 + 2H)``: before each episode, recompute ``W``
    and its certificate (``certs[e]``); stop when ``use_stop`` and it is ``<= threshold``, or before the
    ``budget``-th episode. Rows (``idx, cnt, stop``) are updated in place; ``certs`` has room for ``n + 1``
    values. Returns ``(episodes played, stopped)``; ``(n, False)`` means the uniforms ran out."""
    S = mu0.shape[0]
    A = start.shape[0] // (S * (H if stage_dep else 1))
    W = np.empty((H, S, A))
    V = np.empty((H + 1, S))
    pi = np.empty((H, S), np.int64)
    for e in range(u.shape[0] + 1):
        _error_core(start, stop, idx, cnt, H, stage_dep, shift, bp, mult, w_clip, v_clip, W, V, pi)
        certs[e] = _rf_certificate(W[0], mu0, cert_kind)
        if use_stop and certs[e] <= threshold:
            return e, True
        if e == budget or e == u.shape[0]:
            return e, False
        _play_and_count(true_ptr, true_idx, true_cdf, mu0_cdf, u[e], pi, H, S, A, stage_dep, idx, cnt, start, stop)
    return u.shape[0], False


@njit(cache=True, nogil=True)
def bpi_explore(true_ptr, true_idx, true_cdf, mu0, mu0_cdf, u, budget, use_stop, threshold, R,
                idx, cnt, start, stop, H, stage_dep, shift, beta_p, v_clip, lower_mode, lower_op, certs):
    """BPI-UCRL episodes (optimistic policy, stop when ``sum mu0 (Vu_1 - Vl_1) <= threshold``); as :func:`rf_explore`."""
    S, A = R.shape[1], R.shape[2]
    Qu, Ql = np.empty((H, S, A)), np.empty((H, S, A))
    Vu, Vl = np.empty((H + 1, S)), np.empty((H + 1, S))
    piu, pil = np.empty((H, S), np.int64), np.empty((H, S), np.int64)
    bufs = [np.empty(S + 1) for _ in range(4)]
    for e in range(u.shape[0] + 1):
        _kl_core(start, stop, idx, cnt, R, H, stage_dep, shift, beta_p, v_clip, lower_mode, lower_op,
                 Qu, Vu, piu, Ql, Vl, pil, bufs[0], bufs[1], bufs[2], bufs[3])
        certs[e] = _gap_certificate(Vu[0], Vl[0], mu0)
        if use_stop and certs[e] <= threshold:
            return e, True
        if e == budget or e == u.shape[0]:
            return e, False
        _play_and_count(true_ptr, true_idx, true_cdf, mu0_cdf, u[e], piu, H, S, A, stage_dep, idx, cnt, start, stop)
    return u.shape[0], False


def _play_and_count_numpy(true_ptr, true_idx, true_cdf, mu0_cdf, u, pi, H, S, A, stage_dep, idx, cnt, start, stop):
    """NumPy twin of :func:`_play_and_count` (plain Python over the ``H`` steps)."""
    s = min(int(np.searchsorted(mu0_cdf, u[0], side="right")), S - 1)
    for h in range(H):
        a = int(pi[h, s])
        row_true = (h * S + s) * A + a
        lo, hi = true_ptr[row_true], true_ptr[row_true + 1]
        k = lo + min(int(np.searchsorted(true_cdf[lo:hi], u[2 + 2 * h], side="right")), hi - lo - 1)
        s2 = int(true_idx[k])
        r = ((h if stage_dep else 0) * S + s) * A + a
        seg = idx[start[r]:stop[r]]
        j = start[r] + int(np.searchsorted(seg, s2))
        if j < stop[r] and idx[j] == s2:
            cnt[j] += 1.0
        else:
            idx[j + 1:stop[r] + 1] = idx[j:stop[r]].copy()
            cnt[j + 1:stop[r] + 1] = cnt[j:stop[r]].copy()
            idx[j], cnt[j] = s2, 1.0
            stop[r] += 1
        s = s2


def _rf_certificate_numpy(W0, mu0, kind):
    """NumPy twin of :func:`_rf_certificate` (a sequential sum over the start states, the kernel's order)."""
    w = W0.max(axis=1)
    f = 3.0 * _E * np.sqrt(w) + w if kind == 1 else w
    acc = 0.0
    for s in np.flatnonzero(mu0):
        acc += float(mu0[s]) * float(f[s])
    return acc


def _explore_numpy(bounds, true_ptr, true_idx, true_cdf, mu0_cdf, u, budget, use_stop, threshold, S, A, H,
                   stage_dep, idx, cnt, start, stop, certs):
    """The loop of the fused kernels in NumPy: ``bounds() -> (certificate, policy)`` from the current rows."""
    for e in range(u.shape[0] + 1):
        certs[e], pi = bounds()
        if use_stop and certs[e] <= threshold:
            return e, True
        if e == budget or e == u.shape[0]:
            return e, False
        _play_and_count_numpy(true_ptr, true_idx, true_cdf, mu0_cdf, u[e], pi, H, S, A, stage_dep, idx, cnt,
                              start, stop)
    return u.shape[0], False


def rf_explore_numpy(true_ptr, true_idx, true_cdf, mu0, mu0_cdf, u, budget, use_stop, threshold, cert_kind,
                     idx, cnt, start, stop, H, stage_dep, shift, bp, mult, w_clip, v_clip, certs):
    """NumPy twin of :func:`rf_explore`."""
    S = mu0.shape[0]
    A = start.shape[0] // (S * (H if stage_dep else 1))

    def bounds():
        W, _, pi = error_backward_numpy(start, stop, idx, cnt, S, A, H, stage_dep, shift, bp, mult, w_clip, v_clip)
        return _rf_certificate_numpy(W[0], mu0, cert_kind), pi

    return _explore_numpy(bounds, true_ptr, true_idx, true_cdf, mu0_cdf, u, budget, use_stop, threshold, S, A, H,
                          stage_dep, idx, cnt, start, stop, certs)


def bpi_explore_numpy(true_ptr, true_idx, true_cdf, mu0, mu0_cdf, u, budget, use_stop, threshold, R,
                      idx, cnt, start, stop, H, stage_dep, shift, beta_p, v_clip, lower_mode, lower_op, certs):
    """NumPy twin of :func:`bpi_explore`."""
    S, A = R.shape[1], R.shape[2]

    def bounds():
        _, Vu, piu, _, Vl, _ = kl_backward_numpy(start, stop, idx, cnt, R, H, stage_dep, shift, beta_p, v_clip,
                                                 lower_mode, lower_op)
        acc = 0.0
        for s in np.flatnonzero(mu0):          # the kernel's summation order
            acc += float(mu0[s]) * (float(Vu[0, s]) - float(Vl[0, s]))
        return acc, piu

    return _explore_numpy(bounds, true_ptr, true_idx, true_cdf, mu0_cdf, u, budget, use_stop, threshold, S, A, H,
                          stage_dep, idx, cnt, start, stop, certs)


backends.register("exploration.error_backward", numba=error_backward, numpy=error_backward_numpy)
backends.register("exploration.kl_backward", numba=kl_backward, numpy=kl_backward_numpy)
backends.register("exploration.rf_explore", numba=rf_explore, numpy=rf_explore_numpy)
backends.register("exploration.bpi_explore", numba=bpi_explore, numpy=bpi_explore_numpy)
