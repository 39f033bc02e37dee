r"""Vectorized NumPy reference implementations of the inner worst-case problems (the "twins").

Every function here solves, for each row ``r`` of ``P0 (n, S)`` and one shared value vector
``V (S,)``, either

- the constrained problem ``inf { <p, V> : p in Delta(S), D(p || P0[r]) <= param[r] }``, or
- the regularized problem ``inf { <p, V> + param[r] * D(p || P0[r]) : p in Delta(S) }``,

and returns ``(values (n,), P_worst (n, S))`` where ``P_worst[r]`` attains ``values[r]``. The Numba
kernels in :mod:`solvers.robust._kernels` compute the same numbers row by row (tested against these);
these are the readable reference and the ``backend="numpy"`` path. Derivations: ``docs/robust.md``
and spec ``r2pvi_drrpo.md`` section 1.4.

Because ``V`` is shared by all rows, one sort of ``V`` serves every row (``O(S log S + nS)``).
"""
from __future__ import annotations

import numpy as np

#: Bisection steps on ``log t`` for the KL-constrained dual (bracket width <= ~200 -> 2^-90 of it).
KL_BISECTION_STEPS = 90


def _rows(n):
    return np.arange(n)


def _rows_or_empty(Pw: np.ndarray, want_p: bool) -> np.ndarray:
    """The kernels' convention: the worst-case rows, or an empty ``(0, S)`` array when not wanted."""
    return Pw if want_p else np.empty((0, Pw.shape[1]))


# ------------------------------------------------------------------------------------------------ TV
def tv_reg(P0: np.ndarray, V: np.ndarray, lam: np.ndarray, want_p: bool = True):
    """TV-regularized: ``E_{p0}[min(V, min_s V + lam)]``; mass above the threshold moves to argmin V."""
    imin = int(np.argmin(V))
    thr = V[imin] + lam[:, None]
    keep = V[None, :] <= thr
    Pw = np.where(keep, P0, 0.0)
    moved = (P0 * ~keep).sum(axis=1)
    Pw[:, imin] += moved
    values = (P0 * np.minimum(V[None, :], thr)).sum(axis=1)
    return values, _rows_or_empty(Pw, want_p)


def tv_cons(P0: np.ndarray, V: np.ndarray, rho: np.ndarray, want_p: bool = True):
    """TV ball ``1/2||p - p0||_1 <= rho``: move up to ``rho`` mass from the highest values to argmin V."""
    imin = int(np.argmin(V))
    vmin = V[imin]
    order = np.argsort(-V, kind="stable")
    Vs = V[order]
    P0s = P0[:, order]
    removable = np.where(Vs[None, :] > vmin, P0s, 0.0)
    before = np.cumsum(removable, axis=1) - removable
    removed = np.clip(rho[:, None] - before, 0.0, removable)
    Pw = np.empty_like(P0)
    Pw[:, order] = P0s - removed
    Pw[:, imin] += removed.sum(axis=1)
    values = P0 @ V - (removed * (Vs - vmin)[None, :]).sum(axis=1)
    return values, _rows_or_empty(Pw, want_p)


# ------------------------------------------------------------------------------------------------ KL
def _support_shift(P0, V):
    sup = P0 > 0
    m = np.where(sup, V[None, :], np.inf).min(axis=1)
    W = np.where(sup, V[None, :] - m[:, None], 0.0)  # >= 0 on the support, 0 (masked) elsewhere
    return sup, m, W


def kl_reg(P0: np.ndarray, V: np.ndarray, lam: np.ndarray, want_p: bool = True):
    """KL-regularized (Gibbs variational principle): ``-lam log E_{p0} exp(-V/lam)``, ``p* ∝ p0 e^{-V/lam}``.

    Computed as log-sum-exp shifted by the support minimum ``m``, so no overflow; ``lam -> 0`` gives ``m``.
    """
    sup, m, W = _support_shift(P0, V)
    nominal = np.isinf(lam)
    lam_f = np.where(nominal, 1.0, lam)
    # log Z via log1p(sum p0 expm1(.)/sum p0): exact as lam -> inf, where Z -> 1 and lam * log Z matters
    X = np.where(sup, -W / lam_f[:, None], 0.0)
    E = np.where(sup, P0 * np.exp(X), 0.0)
    Z, tot = E.sum(axis=1), P0.sum(axis=1)
    Pw = E / Z[:, None]
    with np.errstate(divide="ignore"):
        logZ = np.where(Z > 0.5 * tot, np.log1p((P0 * np.expm1(X)).sum(axis=1) / tot), np.log(Z / tot))
    values = m - lam_f * logZ
    Pw[nominal] = P0[nominal]
    values[nominal] = P0[nominal] @ V
    return values, _rows_or_empty(Pw, want_p)


def _kl_tilt(P0, sup, W, t):
    """``q_t ∝ p0 exp(-t W)`` and ``KL(q_t || p0) = -t E_q W - log Z`` for each row (t >= 0)."""
    E = np.where(sup, P0 * np.exp(-t[:, None] * W), 0.0)
    Z = E.sum(axis=1)
    q = E / Z[:, None]
    kl = -t * (q * W).sum(axis=1) - np.log(Z)
    return q, np.maximum(kl, 0.0)


def kl_cons(P0: np.ndarray, V: np.ndarray, rho: np.ndarray, want_p: bool = True):
    r"""KL ball ``KL(p || p0) <= rho`` via the 1-D dual ``sup_{beta>0} -beta log E e^{-V/beta} - beta rho``.

    With ``t = 1/beta`` the dual derivative is ``KL(q_t || p0) - rho`` where ``q_t ∝ p0 e^{-tV}``;
    ``KL(q_t)`` increases from 0 to ``-log p0(argmin set)``, so the optimum is the root of
    ``KL(q_t) = rho`` (bisection on ``log t`` here), or the collapse onto the minimizers when ``rho``
    exceeds ``-log p0(argmin set)``. ``q_t`` at the root is the worst case and ``<q_t, V>`` its value.
    """
    n = P0.shape[0]
    sup, m, W = _support_shift(P0, V)
    at_min = sup & (W == 0.0)
    pmin = np.where(at_min, P0, 0.0).sum(axis=1)
    kmax = -np.log(pmin)
    nominal = rho == 0.0
    collapse = ~nominal & (rho >= kmax)
    solve = ~nominal & ~collapse
    Pw = P0.copy()
    Pw[collapse] = np.where(at_min[collapse], P0[collapse], 0.0) / pmin[collapse, None]
    if solve.any():
        Ps, ss, Ws, rs = P0[solve], sup[solve], W[solve], rho[solve]
        spread = Ws.max(axis=1)
        lo = -np.log(spread)  # log t
        hi = lo.copy()
        for _ in range(200):  # widen the bracket in log t until KL(lo) <= rho <= KL(hi)
            _, k_lo = _kl_tilt(Ps, ss, Ws, np.exp(lo))
            _, k_hi = _kl_tilt(Ps, ss, Ws, np.exp(hi))
            bad_lo, bad_hi = k_lo > rs, k_hi < rs
            if not (bad_lo.any() or bad_hi.any()):
                break
            lo = np.where(bad_lo, lo - 2.0, lo)
            hi = np.where(bad_hi, hi + 2.0, hi)
        for _ in range(KL_BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            _, k_mid = _kl_tilt(Ps, ss, Ws, np.exp(mid))
            below = k_mid <= rs
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        q, _ = _kl_tilt(Ps, ss, Ws, np.exp(lo))  # feasible side of the root
        Pw[solve] = q
    values = (Pw * V[None, :]).sum(axis=1)
    return values, _rows_or_empty(Pw, want_p)


# ------------------------------------------------------------------------------------- chi-square
def _breakpoint_sums(P0, V):
    r"""Sorted-``V`` sums at each breakpoint ``b_k = V_(k)``, accumulated without cancellation.

    For the active set ``i <= k`` (``V_(i) <= b_k``): ``Pk = sum p0_i``, ``Bk = sum p0_i (b_k - V_(i))``,
    ``Ak = sum p0_i (b_k - V_(i))^2`` via the recurrences ``B_k = B_{k-1} + P_{k-1} D_k``,
    ``A_k = A_{k-1} + 2 B_{k-1} D_k + P_{k-1} D_k^2`` with gaps ``D_k = b_k - b_{k-1} >= 0`` (all terms
    non-negative, so nothing cancels even when ``V`` is huge and the gaps tiny).
    """
    order = np.argsort(V, kind="stable")
    Vs = V[order]
    P0s = P0[:, order]
    D = np.diff(Vs, prepend=Vs[0])[None, :]
    Pk = np.cumsum(P0s, axis=1)
    Pprev = Pk - P0s
    Bk = np.cumsum(Pprev * D, axis=1)
    Bprev = Bk - Pprev * D
    Ak = np.cumsum(2.0 * Bprev * D + Pprev * D * D, axis=1)
    return order, Vs, P0s, Pk, Bk, Ak


def _threshold_rows(P0s, Vs, order, k, delta):
    """``p_i ∝ p0_i (delta + b_k - V_i)_+`` with ``b_k = Vs[k]`` (row-wise), scattered back to state order."""
    w = P0s * np.clip(delta[:, None] + (Vs[k][:, None] - Vs[None, :]), 0.0, None)
    empty = w.sum(axis=1) <= 0  # delta = 0 with only the tied group at b_k active (tau -> b_k+)
    w[empty] = np.where(Vs[None, :] == Vs[k[empty]][:, None], P0s[empty], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):  # degenerate rows are overwritten by the callers
        w /= w.sum(axis=1, keepdims=True)
    Pw = np.empty_like(w)
    Pw[:, order] = w
    return Pw


def _gap_after(Vs, k):
    S = Vs.size
    return np.where(k + 1 < S, Vs[np.minimum(k + 1, S - 1)] - Vs[k], np.inf)


def _chi2_div(P, P0):
    return np.where(P0 > 0, (P - P0) ** 2 / np.where(P0 > 0, P0, 1.0), 0.0).sum(axis=1)


def chi2_reg(P0: np.ndarray, V: np.ndarray, lam: np.ndarray, want_p: bool = True):
    r"""Chi-square-regularized by exact breakpoint search on the KKT threshold.

    KKT: ``p_s = p0_s (tau - V_s)_+ / (2 lam)`` with ``tau`` fixed by ``sum_s p_s = 1``, i.e.
    ``sum_s p0_s (tau - V_s)_+ = 2 lam``: piecewise linear, non-decreasing in ``tau``, breakpoints at the
    sorted ``V``. The last breakpoint ``b_k`` with ``B_k < 2 lam`` fixes the active set and
    ``tau = b_k + (2 lam - B_k) / P_k``. Equivalent to the spec's dual
    ``max_alpha E[V]_alpha - Var([V]_alpha)/(4 lam)`` (tested).
    """
    r = _rows(P0.shape[0])
    nominal = np.isinf(lam)
    lam_f = np.where(nominal, 1.0, lam)
    order, Vs, P0s, Pk, Bk, _ = _breakpoint_sums(P0, V)
    k = (Bk < 2.0 * lam_f[:, None]).sum(axis=1) - 1
    delta = np.minimum((2.0 * lam_f - Bk[r, k]) / Pk[r, k], _gap_after(Vs, k))
    Pw = _threshold_rows(P0s, Vs, order, k, delta)
    Pw[nominal] = P0[nominal]
    values = Pw @ V + np.where(nominal, 0.0, lam_f * _chi2_div(Pw, P0))
    return values, _rows_or_empty(Pw, want_p)


def chi2_cons(P0: np.ndarray, V: np.ndarray, rho: np.ndarray, want_p: bool = True):
    r"""Chi-square ball ``sum (p - p0)^2/p0 <= rho`` by exact breakpoint search.

    By Lagrange duality the worst case is ``p_tau ∝ p0 (tau - V)_+`` with ``chi2(p_tau) = rho``, and
    ``chi2(p_tau) = A/B^2 - 1`` (sums over the active set at ``tau``) is non-increasing in ``tau``. On the
    segment after breakpoint ``b_k`` (active mass ``P``, sums ``B``, ``A`` at ``b_k``) the root is
    ``tau = b_k + (sqrt((P A - B^2) / ((1 + rho) P - 1)) - B) / P`` (all states active: the classical
    ``E V - sqrt(rho Var V)``). ``rho >= 1/p0(argmin) - 1`` collapses onto the support minimizers.
    """
    r = _rows(P0.shape[0])
    sup, m, W = _support_shift(P0, V)
    at_min = sup & (W == 0.0)
    pmin = np.where(at_min, P0, 0.0).sum(axis=1)
    nominal = rho == 0.0
    with np.errstate(divide="ignore"):
        collapse = ~nominal & (rho >= 1.0 / pmin - 1.0)
    rho_f = np.where(nominal | collapse, 1.0, rho)
    order, Vs, P0s, Pk, Bk, Ak = _breakpoint_sums(P0, V)
    above = (Bk <= 0.0) | (Ak > (1.0 + rho_f[:, None]) * Bk * Bk)  # chi2 at b_k still > rho
    k = above.sum(axis=1) - 1
    P, B, A = Pk[r, k], Bk[r, k], Ak[r, k]
    cprime = np.maximum((1.0 + rho_f) * P - 1.0, 1e-300)
    delta = (np.sqrt(np.maximum(P * A - B * B, 0.0) / cprime) - B) / P
    delta = np.clip(delta, 0.0, _gap_after(Vs, k))
    Pw = _threshold_rows(P0s, Vs, order, k, delta)
    Pw[nominal] = P0[nominal]
    Pw[collapse] = np.where(at_min[collapse], P0[collapse], 0.0) / pmin[collapse, None]
    return Pw @ V, _rows_or_empty(Pw, want_p)


def rows_are_distributions(P0, V, atol):
    """NumPy twin of :func:`solvers.robust._kernels.rows_are_distributions`."""
    return bool(np.isfinite(V).all() and np.isfinite(P0).all() and (P0 >= 0).all()
                and (np.abs(P0.sum(axis=1) - 1.0) <= atol).all())
