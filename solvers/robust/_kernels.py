r"""Numba kernels for the inner worst-case problems, one row at a time.

Same contract and same algorithms as the NumPy twins in :mod:`solvers.robust._numpy` (tested equal on
random instances): rows ``P0 (n, S)``, a shared ``V (S,)``, per-row ``param (n,)`` (``rho`` or
``lam``); returns ``values (n,)`` and, when ``want_p``, ``P_worst (n, S)`` (else an empty ``(0, S)``
array). ``V`` is sorted once per call and the sort is shared by every row.

Complexities (per call, ``n`` rows): TV-regularized ``O(nS)``; TV-constrained and both chi-square
``O(S log S + nS)``; KL-regularized ``O(nS)`` exponentials; KL-constrained ``O(nS * iters)`` with a
safeguarded Newton iteration on ``t = 1/beta`` (typically 5-15 iterations). No ``fastmath``: the sums
are short and exact agreement with the twins matters more than vectorized reductions.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from mdptheory import backends

from . import _numpy


@njit(cache=True)
def _alloc(n, S, want_p):
    return np.empty((n if want_p else 0, S))


@njit(cache=True)
def tv_reg(P0, V, lam, want_p):
    n, S = P0.shape
    imin = np.argmin(V)
    vmin = V[imin]
    vals = np.empty(n)
    Pw = _alloc(n, S, want_p)
    for r in range(n):
        thr = vmin + lam[r]
        acc = 0.0
        moved = 0.0
        for s in range(S):
            p = P0[r, s]
            if V[s] <= thr:
                acc += p * V[s]
                if want_p:
                    Pw[r, s] = p
            else:
                acc += p * thr
                moved += p
                if want_p:
                    Pw[r, s] = 0.0
        vals[r] = acc
        if want_p:
            Pw[r, imin] += moved
    return vals, Pw


@njit(cache=True)
def tv_cons(P0, V, rho, want_p):
    n, S = P0.shape
    imin = np.argmin(V)
    vmin = V[imin]
    order = np.argsort(-V, kind="mergesort")
    vals = np.empty(n)
    Pw = _alloc(n, S, want_p)
    for r in range(n):
        budget = rho[r]
        nominal = 0.0
        for s in range(S):
            nominal += P0[r, s] * V[s]
            if want_p:
                Pw[r, s] = P0[r, s]
        gain = 0.0
        moved = 0.0
        for j in range(S):
            if budget <= 0.0:
                break
            s = order[j]
            if V[s] <= vmin:
                break  # sorted descending: the rest are minimizers
            take = min(P0[r, s], budget)
            budget -= take
            moved += take
            gain += take * (V[s] - vmin)
            if want_p:
                Pw[r, s] -= take
        if want_p:
            Pw[r, imin] += moved
        vals[r] = nominal - gain
    return vals, Pw


@njit(cache=True)
def _nominal_row(P0, V, r, Pw, want_p):
    """``P0[r] @ V``, copying ``P0[r]`` into ``Pw[r]`` when the worst kernel is wanted."""
    acc = 0.0
    for s in range(P0.shape[1]):
        acc += P0[r, s] * V[s]
        if want_p:
            Pw[r, s] = P0[r, s]
    return acc


@njit(cache=True)
def _support_min(p0, V):
    m = np.inf
    for s in range(V.size):
        if p0[s] > 0.0 and V[s] < m:
            m = V[s]
    return m


@njit(cache=True)
def kl_reg(P0, V, lam, want_p):
    n, S = P0.shape
    vals = np.empty(n)
    Pw = _alloc(n, S, want_p)
    for r in range(n):
        if np.isinf(lam[r]):  # no penalty: nature keeps the nominal row
            vals[r] = _nominal_row(P0, V, r, Pw, want_p)
            continue
        m = _support_min(P0[r], V)
        Z = 0.0
        Zm1 = 0.0  # sum p0 expm1(x): keeps lam * log Z exact as lam -> inf (Z -> 1)
        tot = 0.0
        for s in range(S):
            if P0[r, s] > 0.0:
                x = -(V[s] - m) / lam[r]
                e = P0[r, s] * np.exp(x)
                Z += e
                Zm1 += P0[r, s] * np.expm1(x)
                tot += P0[r, s]
                if want_p:
                    Pw[r, s] = e
            elif want_p:
                Pw[r, s] = 0.0
        logZ = np.log1p(Zm1 / tot) if Z > 0.5 * tot else np.log(Z / tot)
        vals[r] = m - lam[r] * logZ
        if want_p:
            for s in range(S):
                Pw[r, s] /= Z
    return vals, Pw


@njit(cache=True)
def _kl_tilt_stats(p0, W, t, buf):
    """KL(q_t || p0) and Var_q(W) for q_t ∝ p0 exp(-t W) (W >= 0 on the support); buf gets p0 e^{-tW}."""
    Z = 0.0
    EW = 0.0
    for s in range(W.size):
        e = p0[s] * np.exp(-t * W[s]) if p0[s] > 0.0 else 0.0
        buf[s] = e
        Z += e
        EW += e * W[s]
    EW /= Z
    var = 0.0
    for s in range(W.size):
        d = W[s] - EW
        var += buf[s] * d * d
    var /= Z
    kl = -t * EW - np.log(Z)
    return max(kl, 0.0), var


@njit(cache=True)
def kl_cons(P0, V, rho, want_p):
    n, S = P0.shape
    vals = np.empty(n)
    Pw = np.empty((n, S))  # always needed internally
    W = np.empty(S)
    buf = np.empty(S)
    for r in range(n):
        p0 = P0[r]
        m = _support_min(p0, V)
        pmin = 0.0
        spread = 0.0
        mean = 0.0
        for s in range(S):
            W[s] = V[s] - m if p0[s] > 0.0 else 0.0
            if p0[s] > 0.0:
                if W[s] == 0.0:
                    pmin += p0[s]
                spread = max(spread, W[s])
                mean += p0[s] * W[s]
        kmax = -np.log(pmin)
        if rho[r] == 0.0 or spread == 0.0:
            for s in range(S):
                Pw[r, s] = p0[s]
        elif rho[r] >= kmax:
            for s in range(S):
                Pw[r, s] = p0[s] / pmin if (p0[s] > 0.0 and W[s] == 0.0) else 0.0
        else:
            target = rho[r]
            var0 = 0.0
            for s in range(S):
                var0 += p0[s] * (W[s] - mean) ** 2
            # small-rho start: KL(q_t) ~ t^2 Var/2  =>  t ~ sqrt(2 rho / Var); safeguarded Newton after
            t = np.sqrt(2.0 * target / var0) if var0 > 0.0 else 1.0 / spread
            lo = 0.0  # KL(lo) <= rho <= KL(hi) always
            hi = np.inf
            for _ in range(300):
                kl, var = _kl_tilt_stats(p0, W, t, buf)
                if kl <= target:
                    lo = t
                else:
                    hi = t
                if abs(kl - target) <= 1e-15 * target or (hi < np.inf and hi - lo <= 1e-15 * hi):
                    break
                slope = t * var  # d KL / d t
                t_new = t + (target - kl) / slope if slope > 0.0 else np.inf
                if hi == np.inf:
                    if not (t_new > lo) or t_new > 16.0 * t:
                        t_new = 16.0 * t if kl < target else 0.5 * t
                elif not (lo < t_new < hi):
                    t_new = 0.5 * (lo + hi)
                t = t_new
            _kl_tilt_stats(p0, W, t, buf)
            Z = 0.0
            for s in range(S):
                Z += buf[s]
            for s in range(S):
                Pw[r, s] = buf[s] / Z
        acc = 0.0
        for s in range(S):
            acc += Pw[r, s] * V[s]
        vals[r] = acc
    if not want_p:
        return vals, np.empty((0, S))
    return vals, Pw


@njit(cache=True)
def _threshold_row(p0, V, order, k, delta, out):
    """out_s ∝ p0_s (delta + b_k - V_s)_+ with b_k = V[order[k]] (normalized); returns nothing."""
    bk = V[order[k]]
    tot = 0.0
    for s in range(V.size):
        w = p0[s] * max(delta + (bk - V[s]), 0.0)
        out[s] = w
        tot += w
    if tot <= 0.0:  # delta = 0 with only the tied group at b_k active (tau -> b_k+): keep that group
        for s in range(V.size):
            out[s] = p0[s] if V[s] == bk else 0.0
            tot += out[s]
    for s in range(V.size):
        out[s] /= tot


@njit(cache=True)
def chi2_reg(P0, V, lam, want_p):
    n, S = P0.shape
    order = np.argsort(V, kind="mergesort")
    vals = np.empty(n)
    Pw = _alloc(n, S, want_p)
    row = np.empty(S)
    for r in range(n):
        if np.isinf(lam[r]):  # no penalty: nature keeps the nominal row
            vals[r] = _nominal_row(P0, V, r, Pw, want_p)
            continue
        two_lam = 2.0 * lam[r]
        # breakpoint sums without cancellation: B_k = B_{k-1} + P_{k-1} (b_k - b_{k-1})
        P = 0.0
        B = 0.0
        k = 0
        for j in range(S):
            if j > 0:
                Bj = B + P * (V[order[j]] - V[order[j - 1]])
                if Bj >= two_lam:
                    break
                B = Bj
            P += P0[r, order[j]]
            k = j
        delta = (two_lam - B) / P
        if k + 1 < S:
            delta = min(delta, V[order[k + 1]] - V[order[k]])
        _threshold_row(P0[r], V, order, k, delta, row)
        acc = 0.0
        for s in range(S):
            acc += row[s] * V[s]
            if P0[r, s] > 0.0:
                acc += lam[r] * (row[s] - P0[r, s]) ** 2 / P0[r, s]
            if want_p:
                Pw[r, s] = row[s]
        vals[r] = acc
    return vals, Pw


@njit(cache=True)
def chi2_cons(P0, V, rho, want_p):
    n, S = P0.shape
    order = np.argsort(V, kind="mergesort")
    vals = np.empty(n)
    Pw = _alloc(n, S, want_p)
    row = np.empty(S)
    for r in range(n):
        m = _support_min(P0[r], V)
        pmin = 0.0
        for s in range(S):
            if P0[r, s] > 0.0 and V[s] == m:
                pmin += P0[r, s]
        if rho[r] == 0.0:
            acc = 0.0
            for s in range(S):
                acc += P0[r, s] * V[s]
                if want_p:
                    Pw[r, s] = P0[r, s]
            vals[r] = acc
            continue
        if rho[r] * pmin >= 1.0 - pmin:  # rho >= 1/pmin - 1: all mass on the support minimizers
            vals[r] = m
            if want_p:
                for s in range(S):
                    Pw[r, s] = P0[r, s] / pmin if (P0[r, s] > 0.0 and V[s] == m) else 0.0
            continue
        one_rho = 1.0 + rho[r]
        P = 0.0
        B = 0.0
        A = 0.0
        k = 0
        for j in range(S):  # extend the active set while chi2 at breakpoint b_j is still > rho
            if j > 0:
                D = V[order[j]] - V[order[j - 1]]
                Bj = B + P * D
                Aj = A + 2.0 * B * D + P * D * D
                if Bj > 0.0 and Aj <= one_rho * Bj * Bj:
                    break
                B = Bj
                A = Aj
            P += P0[r, order[j]]
            k = j
        cprime = max(one_rho * P - 1.0, 1e-300)
        delta = (np.sqrt(max(P * A - B * B, 0.0) / cprime) - B) / P
        delta = max(delta, 0.0)
        if k + 1 < S:
            delta = min(delta, V[order[k + 1]] - V[order[k]])
        _threshold_row(P0[r], V, order, k, delta, row)
        acc = 0.0
        for s in range(S):
            acc += row[s] * V[s]
            if want_p:
                Pw[r, s] = row[s]
        vals[r] = acc
    return vals, Pw


@njit(cache=True)
def rows_are_distributions(P0, V, atol):
    """One pass: every row of ``P0 (n, S)`` non-negative, finite, summing to 1 within ``atol``; ``V`` finite.

    The cheap gate of :func:`solvers.robust.inner.worst_case_rows`; on ``False`` the detailed NumPy
    validators run to name the offending entry.
    """
    for s in range(V.size):
        if not np.isfinite(V[s]):
            return False
    for r in range(P0.shape[0]):
        tot = 0.0
        for s in range(P0.shape[1]):
            x = P0[r, s]
            if not (x >= 0.0) or not np.isfinite(x):
                return False
            tot += x
        if abs(tot - 1.0) > atol:
            return False
    return True


def kernel_name(divergence: str, regularized: bool) -> str:
    """Registry name of the inner solver of a divergence: ``"robust.tv_reg"``, ``"robust.kl_cons"``, ..."""
    return f"robust.{divergence}_{'reg' if regularized else 'cons'}"


for _fn in (tv_reg, tv_cons, kl_reg, kl_cons, chi2_reg, chi2_cons, rows_are_distributions):
    backends.register(f"robust.{_fn.__name__}", numba=_fn, numpy=getattr(_numpy, _fn.__name__))
