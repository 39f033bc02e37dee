r"""KL confidence pieces: Bernoulli ``kl`` bounds and the max / min of a linear function over a KL ball.

One implementation each, a Numba kernel and its NumPy twin (registered in :mod:`mdptheory.backends`), used
by MDP-GapE and the planning baselines (:mod:`solvers.tree_search`) and meant for every later algorithm that
builds KL confidence regions (RF-Express / BPI-UCRL reuse :func:`kl_ball_max` and :func:`kl_ball_min` on
their ``(S,)`` next-state laws).

Bernoulli bounds (kl-UCB, Garivier & Cappé 2011; used for rewards in MDP-GapE, Jonsson et al. 2020, Sec. 3)
    ``kl_upper(p, c) = max{q in [p, 1] : kl(p, q) <= c}`` and ``kl_lower(p, c) = min{q in [0, p] : kl(p, q) <= c}``
    with ``kl(p, q) = p log(p/q) + (1-p) log((1-p)/(1-q))``. Solved by Newton's method on the convex
    function ``q -> kl(p, q) - c`` started on the far side of the root (Pinsker's and a log bound give a
    start), so the iterates approach the root monotonically from outside the confidence interval: the
    returned bound always contains the exact one (it is never narrower), to a few ulps.

KL ball (Filippi, Cappé & Garivier 2010, "Optimism in RL and Kullback-Leibler divergence", Appendix A;
MDP-GapE's transition sets ``C = {q : KL(p_hat || q) <= c}``)
    ``kl_ball_max(p, f, c) = max{q . f : q in simplex, KL(p || q) <= c}``. Points with ``p_i = 0`` are
    *unobserved support points* (MDP-GapE's ``B - #observed`` placeholders): the maximiser may move mass
    onto the best of them. With ``I+ = {p_i > 0}`` and ``nu(lam) = sum_I+ p_i log(lam - f_i) +
    log sum_I+ p_i / (lam - f_i)`` (decreasing from ``+inf`` to ``0`` on ``lam > max_I+ f``):

    - if an unobserved point has ``f* = max_i f_i > max_I+ f_i`` and ``nu(f*) < c``, it receives mass
      ``z = 1 - exp(nu(f*) - c)`` (split equally between tied unobserved maxima) and
      ``q_i = (1 - z) p_i / (f* - f_i) / sum_j p_j / (f* - f_j)`` on ``I+``;
    - otherwise ``q_i = p_i / (lam - f_i) / sum_j p_j / (lam - f_j)`` on ``I+`` with ``nu(lam) = c``
      (a 1-D root, safeguarded Newton in ``x = lam - max_I+ f``; ``KL(p || q(lam)) = nu(lam)``).

    The root is bracketed and refined to a few ulps of ``lam`` (values and constraint exact to ~1e-15). ``kl_ball_min(p, f, c) =
    -kl_ball_max(p, -f, c)``. Tests compare both with cvxpy's exponential-cone solution.

Conventions: ``0 log 0 = 0``; ``c = 0`` gives ``q = p``; ``c = inf`` gives the whole simplex (the max of
``f``). Arrays are float64; the Numba kernels do not use ``fastmath`` (exact comparisons near the root).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from mdptheory import backends

__all__ = ["kl_bernoulli", "kl_upper", "kl_lower", "kl_ball_max", "kl_ball_min"]

_EPS = 2.220446049250313e-16
#: Below this a kl lower bound is reported as 0 (``p / q`` would overflow; the bound only gets more conservative).
_TINY = 1e-300
_NEWTON_ITERS = 100
_BALL_ITERS = 200


# ---------------------------------------------------------------------------------- Bernoulli kl
@njit(cache=True, nogil=True, error_model="numpy")
def _kl_bern(p, q):
    """``kl(p, q)`` with ``0 log 0 = 0`` (``inf`` when ``q`` is 0 or 1 and ``p`` is not)."""
    out = 0.0
    if p > 0.0:
        if q <= 0.0:
            return np.inf
        out += p * math.log(p / q)
    if p < 1.0:
        if q >= 1.0:
            return np.inf
        out += (1.0 - p) * math.log((1.0 - p) / (1.0 - q))
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _kl_lower_scalar(p, c):
    """``min{q in [0, p] : kl(p, q) <= c}`` by Newton from the left of the root (see the module docstring)."""
    if c <= 0.0 or p <= 0.0:
        return max(p, 0.0)
    if c == np.inf:
        return 0.0
    if p >= 1.0:
        return math.exp(-c)                      # kl(1, q) = -log q
    # two points left of the root: Pinsker (kl >= 2 (p - q)^2) and kl >= p log(p/q) + (1-p) log(1-p)
    q = p * math.exp(-(c - (1.0 - p) * math.log1p(-p)) / p)
    pin = p - math.sqrt(0.5 * c)
    if pin > q:
        q = pin
    if q <= _TINY:                                # the root (nearly) underflows: 0 is a conservative lower bound
        return 0.0
    for _ in range(_NEWTON_ITERS):
        g = _kl_bern(p, q) - c
        if g <= 0.0:
            break
        # g is convex and decreasing on (0, p): Newton steps from the left never pass the root
        step = g * q * (1.0 - q) / (p - q)
        nxt = q + step
        if nxt >= p:
            nxt = p
        if not nxt > q:
            break
        q = nxt
        if step <= 4.0 * _EPS * q:
            break
    return q


@njit(cache=True, nogil=True, error_model="numpy")
def _kl_upper_scalar(p, c):
    """``max{q in [p, 1] : kl(p, q) <= c} = 1 - kl_lower(1 - p, c)`` (``kl(p, q) = kl(1-p, 1-q)``; never below ``p``,
    which ``1 - (1 - p)`` can round under)."""
    if c <= 0.0:
        return p
    return max(p, 1.0 - _kl_lower_scalar(1.0 - p, c))


@njit(cache=True, nogil=True, error_model="numpy")
def _kl_bounds_numba(p, c, upper):
    out = np.empty(p.shape[0])
    for i in range(p.shape[0]):
        out[i] = _kl_upper_scalar(p[i], c[i]) if upper else _kl_lower_scalar(p[i], c[i])
    return out


def _kl_lower_numpy(p: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Vectorised twin of :func:`_kl_lower_scalar`: the same Newton iteration on every entry at once."""
    p = np.asarray(p, dtype=float)
    c = np.asarray(c, dtype=float)
    out = np.where((c <= 0) | (p <= 0), np.maximum(p, 0.0), 0.0)
    ones = (p >= 1) & (c > 0) & np.isfinite(c)
    out[ones] = np.exp(-c[ones])
    todo = (p > 0) & (p < 1) & (c > 0) & np.isfinite(c)
    pp, cc = p[todo], c[todo]
    with np.errstate(over="ignore", under="ignore"):
        q = pp * np.exp(-(cc - (1.0 - pp) * np.log1p(-pp)) / pp)
    q = np.maximum(q, pp - np.sqrt(0.5 * cc))
    active = q > _TINY
    q = np.where(active, q, 0.0)
    for _ in range(_NEWTON_ITERS):
        if not active.any():
            break
        qa, pa = q[active], pp[active]
        with np.errstate(divide="ignore", over="ignore"):
            g = pa * np.log(pa / qa) + (1.0 - pa) * np.log((1.0 - pa) / (1.0 - qa)) - cc[active]
        step = np.where(g > 0, g * qa * (1.0 - qa) / np.where(pa > qa, pa - qa, 1.0), 0.0)
        nxt = np.minimum(qa + step, pa)
        moved = (g > 0) & (nxt > qa)
        q[np.flatnonzero(active)[moved]] = nxt[moved]
        still = moved & (step > 4.0 * _EPS * nxt)
        active[np.flatnonzero(active)[~still]] = False
    out[todo] = q
    return out


def _kl_bounds_numpy(p: np.ndarray, c: np.ndarray, upper: bool) -> np.ndarray:
    if not upper:
        return _kl_lower_numpy(p, c)
    return np.where(c <= 0, p, np.maximum(p, 1.0 - _kl_lower_numpy(1.0 - p, c)))


def _check_prob(p, name: str) -> np.ndarray:
    arr = np.ascontiguousarray(np.atleast_1d(np.asarray(p, dtype=float)))
    if np.isnan(arr).any() or (arr < 0).any() or (arr > 1).any():
        i = int(np.argmax(np.isnan(arr) | (arr < 0) | (arr > 1)))
        raise ValueError(f"{name}[{i}] = {arr.ravel()[i]!r} is not a probability in [0, 1]")
    return arr


def _check_radius(c, shape: tuple[int, ...], name: str = "c") -> np.ndarray:
    arr = np.ascontiguousarray(np.broadcast_to(np.asarray(c, dtype=float), shape)).copy()
    if np.isnan(arr).any() or (arr < 0).any():
        raise ValueError(f"{name} must be >= 0 (inf allowed): the KL radius, e.g. log(1/delta) / n; got {c!r}")
    return arr


def kl_bernoulli(p, q) -> np.ndarray:
    """Bernoulli ``kl(p, q)`` elementwise (``0 log 0 = 0``; ``inf`` off the support)."""
    p, q = np.broadcast_arrays(_check_prob(p, "p"), _check_prob(q, "q"))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(p > 0, p * np.log(p / q), 0.0)
        b = np.where(p < 1, (1 - p) * np.log((1 - p) / (1 - q)), 0.0)
    return a + b


def kl_upper(p, c, backend: str = "numba") -> np.ndarray:
    """kl-UCB upper bound ``max{q >= p : kl(p, q) <= c}`` elementwise (``p`` in [0, 1], ``c >= 0``)."""
    p = _check_prob(p, "p")
    c = _check_radius(c, p.shape)
    return backends.pick("kl.bernoulli_upper", backend)(p.ravel(), c.ravel()).reshape(p.shape)


def kl_lower(p, c, backend: str = "numba") -> np.ndarray:
    """kl-LCB lower bound ``min{q <= p : kl(p, q) <= c}`` elementwise (``p`` in [0, 1], ``c >= 0``)."""
    p = _check_prob(p, "p")
    c = _check_radius(c, p.shape)
    return backends.pick("kl.bernoulli_lower", backend)(p.ravel(), c.ravel()).reshape(p.shape)


# ------------------------------------------------------------------------------------- the KL ball
@njit(cache=True, nogil=True, error_model="numpy")
def _nu(p, d, x, n):
    """``nu`` of the module docstring at ``lam = max_I+ f + x`` (``d_i = max_I+ f - f_i``, entries with
    ``p_i > 0`` only) and its derivative in ``x``. Written around ``wbar = sum p (x + d)`` so that neither the
    cancelling first-order terms (large ``x``) nor ``1 + delta`` rounding to 0 (tiny ``x``) lose the value."""
    mean_d = 0.0
    for i in range(n):
        if p[i] > 0.0:
            mean_d += p[i] * d[i]
    wbar = x + mean_d
    s1 = 0.0      # sum p log(w / wbar)
    s2 = 0.0      # sum p (1 - wbar / w)
    inv = 0.0     # sum p / w
    inv2 = 0.0    # sum p / w^2
    for i in range(n):
        if p[i] > 0.0:
            w = x + d[i]
            e = d[i] - mean_d
            delta = e / wbar
            s1 += p[i] * (math.log1p(delta) if abs(delta) < 0.5 else math.log(w / wbar))
            s2 += p[i] * e / w
            inv += p[i] / w
            inv2 += (p[i] / w) / w
    return s1 + math.log1p(-s2), inv - inv2 / inv


@njit(cache=True, nogil=True, error_model="numpy")
def _solve_nu(p, d, c, span, n):
    """The ``x > 0`` with ``nu(x) = c`` (``nu`` decreasing from ``+inf`` to 0): a bracket by doubling and
    halving with doubling exponents, then Newton in ``log x`` safeguarded by geometric bisection."""
    lo = 0.0
    hi = span
    for _ in range(2000):
        v, _ = _nu(p, d, hi, n)
        if v <= c:
            break
        lo = hi
        hi *= 2.0
    k = 1
    while lo == 0.0:
        y = math.ldexp(hi, -k)
        if y < 1e-300:
            return hi                            # the root underflows: the tilt is already total
        v, _ = _nu(p, d, y, n)
        if v > c:
            lo = y
        else:
            hi = y
            k *= 2
    x = hi
    for _ in range(_BALL_ITERS):
        v, dv = _nu(p, d, x, n)
        if v > c:
            lo = x
        else:
            hi = x
        if hi - lo <= 4.0 * _EPS * hi:
            break
        arg = -(v - c) / (x * dv) if dv < 0.0 else 1e300
        nxt = x * math.exp(arg) if arg < 700.0 else np.inf
        if not (lo < nxt < hi):
            nxt = math.sqrt(lo * hi)
        if abs(nxt - x) <= 4.0 * _EPS * x:
            break
        x = nxt
    return x


@njit(cache=True, nogil=True, error_model="numpy")
def _ball_max_row(p, f, c, q, d):
    """``max{q . f : KL(p || q) <= c}`` for one row; writes the maximiser into ``q`` and returns the value.
    ``d`` is scratch space of the row's length."""
    n = p.shape[0]
    f_all = -np.inf
    f_pos = -np.inf
    f_min = np.inf
    for i in range(n):
        if f[i] > f_all:
            f_all = f[i]
        if p[i] > 0.0:
            if f[i] > f_pos:
                f_pos = f[i]
            if f[i] < f_min:
                f_min = f[i]
    if c == np.inf:
        best = -1
        for i in range(n):
            q[i] = 0.0
            if best < 0 and f[i] == f_all:
                best = i
        q[best] = 1.0
        return f_all
    value = 0.0
    if n == 2 and c > 0.0 and f[0] != f[1]:
        # two points: the ball is an interval of Bernoulli laws, q_hi = kl_upper(p_hi, c) (the same optimum as
        # the general dual, ~3x cheaper; MDP-GapE's paper setting has B = 2)
        hi = 0 if f[0] > f[1] else 1
        q[hi] = _kl_upper_scalar(p[hi], c)
        q[1 - hi] = 1.0 - q[hi]
        return f[1 - hi] + (f[hi] - f[1 - hi]) * q[hi]
    if c <= 0.0 or (f_pos == f_min and f_all <= f_pos):
        for i in range(n):
            q[i] = p[i]
            value += p[i] * f[i]
        return value
    for i in range(n):
        d[i] = f_pos - f[i]
    z = 0.0
    x = f_all - f_pos
    k = 0
    if x > 0.0:
        nu_star, _ = _nu(p, d, x, n)
        if nu_star < c:
            # mass z = 1 - exp(nu(f*) - c) on the best unobserved point(s), the rest tilted at lam = f*
            z = -math.expm1(nu_star - c)
            for i in range(n):
                if p[i] <= 0.0 and f[i] == f_all:
                    k += 1
    if k == 0:
        x = _solve_nu(p, d, c, f_pos - f_min, n)
    tot = 0.0
    for i in range(n):
        if p[i] > 0.0:
            tot += p[i] / (x + d[i])
    for i in range(n):
        if p[i] > 0.0:
            q[i] = (1.0 - z) * (p[i] / (x + d[i])) / tot
        elif k > 0 and f[i] == f_all:
            q[i] = z / k
        else:
            q[i] = 0.0
        value += q[i] * f[i]
    return value


@njit(cache=True, nogil=True, error_model="numpy")
def _ball_min_row(p, f, c, q, d, scratch):
    """``min{q . f : KL(p || q) <= c} = -max{q . (-f)}``; ``scratch`` receives ``-f``."""
    for i in range(f.shape[0]):
        scratch[i] = -f[i]
    return -_ball_max_row(p, scratch, c, q, d)


@njit(cache=True, nogil=True, error_model="numpy")
def _ball_max_numba(P, F, c):
    m, n = P.shape
    values = np.empty(m)
    Q = np.empty((m, n))
    d = np.empty(n)
    for r in range(m):
        values[r] = _ball_max_row(P[r], F[r], c[r], Q[r], d)
    return values, Q


def _nu_numpy(p, d, x):
    """Rows of :func:`_nu` at once (``p, d (m, n)``, ``x (m,)``); entries with ``p = 0`` are ignored."""
    on = p > 0
    mean_d = (p * d).sum(axis=1)
    wbar = x + mean_d
    w = np.where(on, x[:, None] + d, 1.0)
    e = np.where(on, d - mean_d[:, None], 0.0)
    delta = e / wbar[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.where(np.abs(delta) < 0.5, np.log1p(np.maximum(delta, -0.5)), np.log(w / wbar[:, None]))
    s1 = (p * logs).sum(axis=1)
    s2 = (p * e / w).sum(axis=1)
    inv = (p / w).sum(axis=1)
    with np.errstate(over="ignore"):
        inv2 = ((p / w) / w).sum(axis=1)
    return s1 + np.log1p(-s2), inv - inv2 / inv


def _solve_nu_numpy(p, d, c, span):
    """Rows of :func:`_solve_nu` at once: the same bracket search and safeguarded Newton, masked."""
    m = p.shape[0]
    lo, hi = np.zeros(m), span.astype(float).copy()
    grow = np.ones(m, bool)
    for _ in range(2000):
        g = np.flatnonzero(grow)
        if g.size == 0:
            break
        v, _ = _nu_numpy(p[g], d[g], hi[g])
        big = v > c[g]
        lo[g[big]] = hi[g[big]]
        hi[g[big]] *= 2.0
        grow[g[~big]] = False
    k = np.ones(m)
    underflow = np.zeros(m, bool)
    shrink = lo == 0.0
    while shrink.any():
        s = np.flatnonzero(shrink)
        y = np.ldexp(hi[s], -k[s].astype(np.int64))
        tiny = y < 1e-300
        underflow[s[tiny]] = True
        shrink[s[tiny]] = False
        s, y = s[~tiny], y[~tiny]
        v, _ = _nu_numpy(p[s], d[s], y)
        big = v > c[s]
        lo[s[big]] = y[big]
        shrink[s[big]] = False
        hi[s[~big]] = y[~big]
        k[s[~big]] *= 2
    x = hi.copy()
    active = ~underflow
    for _ in range(_BALL_ITERS):
        a = np.flatnonzero(active)
        if a.size == 0:
            break
        v, dv = _nu_numpy(p[a], d[a], x[a])
        above = v > c[a]
        lo[a[above]] = x[a[above]]
        hi[a[~above]] = x[a[~above]]
        done = hi[a] - lo[a] <= 4.0 * _EPS * hi[a]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            arg = np.where(dv < 0, -(v - c[a]) / (x[a] * dv), 1e300)
            nxt = np.where(arg < 700.0, x[a] * np.exp(np.minimum(arg, 700.0)), np.inf)
        bad = ~((lo[a] < nxt) & (nxt < hi[a]))
        nxt[bad] = np.sqrt(lo[a][bad] * hi[a][bad])
        done |= np.abs(nxt - x[a]) <= 4.0 * _EPS * x[a]
        x[a[~done]] = nxt[~done]
        active[a[done]] = False
    return x


def _ball_max_numpy(P: np.ndarray, F: np.ndarray, c: np.ndarray):
    """Vectorised twin of :func:`_ball_max_numba`: every row's branch and root-finding at once."""
    m, n = P.shape
    on = P > 0
    f_all = F.max(axis=1)
    f_pos = np.where(on, F, -np.inf).max(axis=1)
    f_min = np.where(on, F, np.inf).min(axis=1)
    Q = np.zeros((m, n))
    values = np.zeros(m)
    inf = c == np.inf
    if inf.any():
        rows = np.flatnonzero(inf)
        Q[rows, np.argmax(F[rows], axis=1)] = 1.0
        values[rows] = f_all[rows]
    same = ~inf & ((c <= 0) | ((f_pos == f_min) & (f_all <= f_pos)))
    Q[same] = P[same]
    values[same] = (P[same] * F[same]).sum(axis=1)
    rest = np.flatnonzero(~inf & ~same)
    if rest.size == 0:
        return values, Q
    pr, fr, cr, onr = P[rest], F[rest], c[rest], on[rest]
    d = f_pos[rest, None] - fr
    x = f_all[rest] - f_pos[rest]
    z = np.zeros(rest.size)
    ties = ~onr & (fr == f_all[rest, None])
    unobs = np.flatnonzero(x > 0)
    if unobs.size:
        nu_star, _ = _nu_numpy(pr[unobs], d[unobs], x[unobs])
        hit = nu_star < cr[unobs]
        z[unobs[hit]] = -np.expm1(nu_star[hit] - cr[unobs[hit]])
    solve = np.flatnonzero(z == 0)
    ties[solve] = False
    if solve.size:
        x[solve] = _solve_nu_numpy(pr[solve], d[solve], cr[solve], (f_pos - f_min)[rest[solve]])
    tilt = onr * pr / np.where(onr, x[:, None] + d, 1.0)
    q = (1.0 - z[:, None]) * tilt / tilt.sum(axis=1, keepdims=True)
    nties = ties.sum(axis=1, keepdims=True)
    q += np.where(ties, z[:, None] / np.maximum(nties, 1), 0.0)
    Q[rest] = q
    values[rest] = (q * fr).sum(axis=1)
    return values, Q


def _check_ball(P, F, c):
    P = np.ascontiguousarray(np.atleast_2d(np.asarray(P, dtype=float)))
    F = np.ascontiguousarray(np.atleast_2d(np.asarray(F, dtype=float)))
    if P.shape != F.shape or P.ndim != 2:
        raise ValueError(f"P and F must be (m, n) arrays of the same shape, got {P.shape} and {F.shape}")
    if not np.isfinite(F).all():
        raise ValueError("F must be finite (the function values whose expectation is optimised)")
    if (P < 0).any() or np.abs(P.sum(axis=1) - 1.0).max(initial=0.0) > 1e-9:
        i = int(np.argmax((P < 0).any(axis=1) | (np.abs(P.sum(axis=1) - 1.0) > 1e-9)))
        raise ValueError(f"P[{i}] is not a probability vector (sum {P[i].sum():.12g}, min {P[i].min():.3g}); "
                         "rows are the empirical laws p_hat, zeros marking unobserved support points")
    return P, F, _check_radius(c, (P.shape[0],))


def kl_ball_max(P, F, c, backend: str = "numba") -> tuple[np.ndarray, np.ndarray]:
    """Row-wise ``max{q . F[i] : KL(P[i] || q) <= c[i]}`` and the maximisers (see the module docstring).

    Parameters
    ----------
    P : array (m, n) or (n,)
        Empirical laws; zeros are unobserved support points (mass may move there).
    F : array like ``P``
        Values of the function at each support point.
    c : float or array (m,)
        KL radii (``>= 0``; ``inf`` = the whole simplex).

    Returns
    -------
    values : (m,) float64;  Q : (m, n) float64, the maximisers.
    """
    P, F, c = _check_ball(P, F, c)
    return backends.pick("kl.ball_max", backend)(P, F, c)


def kl_ball_min(P, F, c, backend: str = "numba") -> tuple[np.ndarray, np.ndarray]:
    """Row-wise ``min{q . F[i] : KL(P[i] || q) <= c[i]} = -max{q . (-F[i])}`` and the minimisers."""
    P, F, c = _check_ball(P, F, c)
    values, Q = backends.pick("kl.ball_max", backend)(P, -F, c)
    return -values, Q


def _upper_numba(p, c):
    return _kl_bounds_numba(p, c, True)


def _upper_numpy(p, c):
    return _kl_bounds_numpy(p, c, True)


def _lower_numba(p, c):
    return _kl_bounds_numba(p, c, False)


def _lower_numpy(p, c):
    return _kl_bounds_numpy(p, c, False)


backends.register("kl.bernoulli_upper", numba=_upper_numba, numpy=_upper_numpy)
backends.register("kl.bernoulli_lower", numba=_lower_numba, numpy=_lower_numpy)
backends.register("kl.ball_max", numba=_ball_max_numba, numpy=_ball_max_numpy)
