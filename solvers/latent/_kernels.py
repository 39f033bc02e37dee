r"""JIT kernels of latent-MDP planning on the history tree, and their NumPy twins.

Both kernels work on plain arrays (no model object) so that the learner can call them on estimated models.
Layouts (see :mod:`mdptheory.latent`): the *observation tree* has ``S (G S)^h`` nodes at level ``h``
(children ``j (G S) + g S + s'``), the *full tree* that exact planning needs also branches on the action:
``S (A G S)^h`` nodes at level ``h``, children ``f (A G S) + a (G S) + g S + s'``. A node's state is its
index modulo ``S``.

``latent.plan_tree`` -- optimal (or optimistic) planning, the alpha-vector form of the spec's recursion
(spec section 1, "LMDP planning on the history tree" [D]). Top-down, the unnormalised belief weights
``u_m(child) = u_m(node) Pb_m(s'|s,a) 1{cls[m,s,a] = g}`` from ``u_m(root s) = w_m nu_m(s)``; bottom-up,
per node ``tau``, action ``a`` and context ``m`` (``v = alpha_m`` at the children ``(a, cls[m,s,a], .)``)

    alpha_m(tau, a) = min(cap, R_m(s,a) + Pv_m(.|s,a) . v + bonus),
    bonus = c1 sqrt(V(Pv_m, v) iota / n) + c2 iota / n + ch sqrt(iota / n)          (mode 0)
    alpha_m(tau, a) = min(cap, R_m(s,a) + max_{q in C_m(s,a)} q . v)                 (mode 1: box-simplex set,
                      |q(x) - Pv_m(x|s,a)| <= c1 sqrt(Pv_m(x|s,a) iota / n) + c2 iota / n)

with ``V(p, v) = p.v^2 - center (p.v)^2`` (``center = 1``: the variance), and the action
``argmax_a sum_m u_m(tau) alpha_m(tau, a)`` (the suite's tie rule). At the last level the continuation is 0
in every model, so ``alpha_m = R_m(s, a)`` without a bonus. With ``c1 = c2 = ch = 0``, ``cap = inf`` and
``Pb = Pv = P`` this is exact planning: ``sum_m u_m alpha_m`` is the linear-in-``u`` value ``U(tau)`` of the
spec, and the argmax is the same whether ``u`` is normalised or not. ``var_mode`` adds a second pass that
maximises, with the same beliefs, the total variance of the alpha vectors of the first pass
(``sum_m u_m [V(Pv_m(.|s,a), alpha_m(next)) + continuation]``, used by :func:`solvers.latent.var_star`).
``n_levels < H`` treats the levels from ``n_levels`` on as terminal,
``use_prior`` weighs the actions with ``w`` instead of ``u`` and ``ctx_shift`` reads the children's alpha
vector of context ``m + ctx_shift``: the wrappers pass these only for registered mutants.

Returns, on the observation tree of the chosen policy: ``policy (D,)``, ``alpha (D, M)`` (in ``var_mode``
the variance-to-go of the second pass), ``u (D, M)``; and ``star_root (S, M)``, the first pass's alpha
vectors at the initial histories. With ``prune`` (valid when ``Pb`` and ``Pv`` have the same supports) the
histories of probability 0 under ``Pb`` are skipped (alpha 0, action 0): every context that reads such a node
in a backup reaches it with probability 0, so the values and actions at the other histories are unchanged.

``latent.evaluate_tree`` -- exact evaluation of a deterministic history policy on the observation tree:
per node and context the alpha vector ``alpha_m(tau) = R_m(s,a) + P_m(.|s,a) . alpha_m(children)`` (the
expected future return), the second moment ``beta_m = R^2 + 2 R P.alpha + P.beta`` of the future return,
and the weights ``u``. Cost ``O(D M S)``.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from mdptheory import backends
from mdptheory.policies import greedy

from .._kernels._numba_common import FASTMATH, greedy_row

__all__ = ["plan_tree", "plan_tree_numpy", "evaluate_tree", "evaluate_tree_numpy", "full_tree_sizes",
           "obs_tree_sizes", "box_argmax"]


def full_tree_sizes(S: int, A: int, G: int, H: int) -> np.ndarray:
    """``(H,)``: nodes of the full history tree per level, ``S (A G S)^h``."""
    return np.array([S * (A * G * S) ** h for h in range(H)], dtype=np.int64)


def obs_tree_sizes(S: int, G: int, H: int) -> np.ndarray:
    """``(H,)``: nodes of the observation tree per level, ``S (G S)^h``."""
    return np.array([S * (G * S) ** h for h in range(H)], dtype=np.int64)


# ------------------------------------------------------------------------------------------------------
# Numba
# ------------------------------------------------------------------------------------------------------
@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _box_max(p, beta, v, order, q):
    """``max q.v`` over ``{q in simplex: |q - p| <= beta}``: lower ends first, the rest by decreasing ``v``."""
    S = p.shape[0]
    rem = 1.0
    for x in range(S):
        lo = p[x] - beta[x]
        q[x] = lo if lo > 0.0 else 0.0
        rem -= q[x]
    # insertion sort of the states by decreasing v (S is small)
    for x in range(S):
        order[x] = x
    for i in range(1, S):
        k = order[i]
        j = i - 1
        while j >= 0 and v[order[j]] < v[k]:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = k
    for i in range(S):
        if rem <= 0.0:
            break
        x = order[i]
        hi = p[x] + beta[x]
        if hi > 1.0:
            hi = 1.0
        room = hi - q[x]
        add = room if room < rem else rem
        if add > 0.0:
            q[x] += add
            rem -= add
    out = 0.0
    for x in range(S):
        out += q[x] * v[x]
    return out


@njit(cache=True, nogil=True)
def _dead(u, p):
    """Whether every context has weight 0 at node ``p`` (a history of probability 0 under the belief model)."""
    for m in range(u.shape[1]):
        if u[p, m] > 0.0:
            return False
    return True


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def _choose(Q, weights, score, out):
    """The action maximising ``sum_m weights_m Q[a, m]`` (tie rule of the suite); writes its row into ``out``."""
    A, M = Q.shape
    for a in range(A):
        tot = 0.0
        for m in range(M):
            tot += weights[m] * Q[a, m]
        score[a] = tot
    _, best = greedy_row(score)
    for m in range(M):
        out[m] = Q[best, m]
    return best


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def plan_tree(w, nu, Pb, Pv, R, cls, G, H, n_levels, mode, c1, c2, ch, center, iota, inv_n, cap,
              var_mode, use_prior, ctx_shift, prune):
    M, S, A = R.shape
    GS = G * S
    AGS = A * GS
    off = np.zeros(H + 1, np.int64)
    size = np.empty(H, np.int64)
    n = S
    for h in range(H):
        size[h] = n
        off[h + 1] = off[h] + n
        n *= AGS
    N = off[H]
    u = np.zeros((N, M))
    for s in range(S):
        for m in range(M):
            u[s, m] = w[m] * nu[m, s]
    for h in range(H - 1):
        for f in range(size[h]):
            p = off[h] + f
            if prune and _dead(u, p):
                continue
            s = f % S
            for a in range(A):
                for m in range(M):
                    base = off[h + 1] + f * AGS + a * GS + cls[m, s, a] * S
                    um = u[p, m]
                    for s2 in range(S):
                        u[base + s2, m] = um * Pb[m, s, a, s2]
    alpha = np.zeros((N, M))
    act = np.zeros(N, np.int64)
    Q = np.empty((A, M))
    score = np.empty(A)
    v = np.empty(S)
    beta = np.empty(S)
    q = np.empty(S)
    order = np.empty(S, np.int64)
    top = n_levels if n_levels < H else H
    for h in range(top - 1, -1, -1):
        last = h == n_levels - 1
        for f in range(size[h]):
            p = off[h] + f
            if prune and _dead(u, p):
                continue                      # a history of probability 0: alpha 0, action 0
            s = f % S
            for a in range(A):
                for m in range(M):
                    if last:
                        Q[a, m] = min(cap, R[m, s, a])
                        continue
                    base = off[h + 1] + f * AGS + a * GS + cls[m, s, a] * S
                    m2 = (m + ctx_shift) % M
                    for s2 in range(S):
                        v[s2] = alpha[base + s2, m2]
                    r = R[m, s, a]
                    ninv = inv_n[m, s, a]
                    if mode == 0:
                        mean = 0.0
                        sec = 0.0
                        for s2 in range(S):
                            pv = Pv[m, s, a, s2]
                            mean += pv * v[s2]
                            sec += pv * v[s2] * v[s2]
                        var = sec - center * mean * mean
                        if var < 0.0:
                            var = 0.0
                        val = r + mean + c1 * math.sqrt(var * iota * ninv) + c2 * iota * ninv \
                            + ch * math.sqrt(iota * ninv)
                    else:
                        for s2 in range(S):
                            beta[s2] = c1 * math.sqrt(Pv[m, s, a, s2] * iota * ninv) + c2 * iota * ninv
                        val = r + _box_max(Pv[m, s, a], beta, v, order, q)
                    Q[a, m] = min(cap, val)
            act[p] = _choose(Q, w if use_prior else u[p], score, alpha[p])
    star_root = alpha[:S].copy()
    if var_mode:
        # second pass: the policy maximising the total variance of the alpha vectors just computed
        var_alpha = np.zeros((N, M))
        for h in range(top - 1, -1, -1):
            last = h == n_levels - 1
            for f in range(size[h]):
                p = off[h] + f
                if prune and _dead(u, p):
                    act[p] = 0
                    continue
                s = f % S
                for a in range(A):
                    for m in range(M):
                        if last:
                            Q[a, m] = 0.0
                            continue
                        base = off[h + 1] + f * AGS + a * GS + cls[m, s, a] * S
                        mean = 0.0
                        sec = 0.0
                        cont = 0.0
                        for s2 in range(S):
                            pv = Pv[m, s, a, s2]
                            x = alpha[base + s2, m]
                            mean += pv * x
                            sec += pv * x * x
                            cont += pv * var_alpha[base + s2, m]
                        var = sec - mean * mean
                        Q[a, m] = (var if var > 0.0 else 0.0) + cont
                act[p] = _choose(Q, u[p], score, var_alpha[p])
        alpha = var_alpha
    # the observation tree of the chosen policy
    n = S
    obs_off = np.zeros(H + 1, np.int64)
    for h in range(H):
        obs_off[h + 1] = obs_off[h] + n
        n *= GS
    D = obs_off[H]
    full = np.empty(D, np.int64)
    pol = np.zeros(D, np.int64)
    a_obs = np.zeros((D, M))
    u_obs = np.zeros((D, M))
    for s in range(S):
        full[s] = s
    for h in range(H):
        for j in range(obs_off[h + 1] - obs_off[h]):
            o = obs_off[h] + j
            p = full[o]
            pol[o] = act[p]
            for m in range(M):
                a_obs[o, m] = alpha[p, m]
                u_obs[o, m] = u[p, m]
            if h < H - 1:
                f = p - off[h]
                for g in range(G):
                    for s2 in range(S):
                        full[obs_off[h + 1] + j * GS + g * S + s2] = off[h + 1] + f * AGS + act[p] * GS + g * S + s2
    return pol, a_obs, u_obs, star_root


@njit(cache=True, nogil=True, fastmath=FASTMATH)
def evaluate_tree(w, nu, P, R, cls, G, H, policy):
    M, S, A = R.shape
    GS = G * S
    off = np.zeros(H + 1, np.int64)
    n = S
    for h in range(H):
        off[h + 1] = off[h] + n
        n *= GS
    D = off[H]
    u = np.zeros((D, M))
    alpha = np.zeros((D, M))
    second = np.zeros((D, M))
    for s in range(S):
        for m in range(M):
            u[s, m] = w[m] * nu[m, s]
    for h in range(H - 1):
        for j in range(off[h + 1] - off[h]):
            o = off[h] + j
            s = j % S
            a = policy[o]
            for m in range(M):
                base = off[h + 1] + j * GS + cls[m, s, a] * S
                for s2 in range(S):
                    u[base + s2, m] = u[o, m] * P[m, s, a, s2]
    for h in range(H - 1, -1, -1):
        for j in range(off[h + 1] - off[h]):
            o = off[h] + j
            s = j % S
            a = policy[o]
            for m in range(M):
                r = R[m, s, a]
                if h == H - 1:
                    alpha[o, m] = r
                    second[o, m] = r * r
                    continue
                base = off[h + 1] + j * GS + cls[m, s, a] * S
                e1 = 0.0
                e2 = 0.0
                for s2 in range(S):
                    e1 += P[m, s, a, s2] * alpha[base + s2, m]
                    e2 += P[m, s, a, s2] * second[base + s2, m]
                alpha[o, m] = r + e1
                second[o, m] = r * r + 2.0 * r * e1 + e2
    return alpha, second, u


# ------------------------------------------------------------------------------------------------------
# NumPy twins (vectorised per level)
# ------------------------------------------------------------------------------------------------------
def _per_node(X: np.ndarray, s_of: np.ndarray) -> np.ndarray:
    """``X (M, S, A, ...)`` at every node's state, as ``(n, A, ..., M)``."""
    return np.moveaxis(X[:, s_of], 0, -1)


def box_argmax(p: np.ndarray, beta: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The maximiser ``q`` of :func:`_box_max`, vectorised over the leading axes of ``p, beta, v (..., S)``."""
    q = np.maximum(p - beta, 0.0)
    rem = 1.0 - q.sum(axis=-1)
    hi = np.minimum(p + beta, 1.0)
    order = np.argsort(-v, axis=-1, kind="stable")
    for i in range(v.shape[-1]):
        x = order[..., i:i + 1]
        room = np.take_along_axis(hi, x, -1)[..., 0] - np.take_along_axis(q, x, -1)[..., 0]
        add = np.clip(np.minimum(room, rem), 0.0, None)
        np.put_along_axis(q, x, (np.take_along_axis(q, x, -1)[..., 0] + add)[..., None], -1)
        rem = rem - add
    return q


def plan_tree_numpy(w, nu, Pb, Pv, R, cls, G, H, n_levels, mode, c1, c2, ch, center, iota, inv_n, cap,
                    var_mode, use_prior, ctx_shift, prune):
    M, S, A = R.shape
    GS, AGS = G * S, A * G * S
    size = full_tree_sizes(S, A, G, H)
    u = [np.ascontiguousarray((w[:, None] * nu).T)]
    for h in range(H - 1):
        n = int(size[h])
        s_of = np.arange(n) % S
        g_idx = _per_node(cls, s_of)[:, :, None, None, :]                       # (n, A, 1, 1, M)
        g_idx = np.broadcast_to(g_idx, (n, A, 1, S, M))
        child = np.zeros((n, A, G, S, M))
        vals = u[h][:, None, None, :] * _per_node(Pb, s_of)                      # (n, A, S, M)
        np.put_along_axis(child, g_idx, vals[:, :, None], axis=2)
        u.append(child.reshape(n * AGS, M))
    alpha: list = [None] * H
    act: list = [None] * H
    shift = (np.arange(M) + ctx_shift) % M
    for h in range(H - 1, -1, -1):
        n = int(size[h])
        if h >= n_levels:
            alpha[h], act[h] = np.zeros((n, M)), np.zeros(n, np.int64)
            continue
        s_of = np.arange(n) % S
        Rn = _per_node(R, s_of)                                                   # (n, A, M)
        if h == n_levels - 1:
            Q = np.minimum(cap, Rn)
        else:
            nxt = alpha[h + 1].reshape(n, A, G, S, M)[..., shift]
            g_idx = np.broadcast_to(_per_node(cls, s_of)[:, :, None, None, :], (n, A, 1, S, M))
            v = np.take_along_axis(nxt, g_idx, axis=2)[:, :, 0]                  # (n, A, S, M)
            Pn = _per_node(Pv, s_of)                                              # (n, A, S, M)
            ninv = _per_node(inv_n, s_of)                                         # (n, A, M)
            r = Rn
            if mode == 0:
                mean = (Pn * v).sum(axis=2)
                var = np.maximum((Pn * v * v).sum(axis=2) - center * mean * mean, 0.0)
                val = r + mean + c1 * np.sqrt(var * iota * ninv) + c2 * iota * ninv + ch * np.sqrt(iota * ninv)
            else:
                Pt, vt = np.moveaxis(Pn, 2, -1), np.moveaxis(v, 2, -1)            # (n, A, M, S)
                beta = c1 * np.sqrt(Pt * iota * ninv[..., None]) + c2 * iota * ninv[..., None]
                val = r + (box_argmax(Pt, beta, vt) * vt).sum(axis=-1)
            Q = np.minimum(cap, val)
        if prune:
            Q = np.where((u[h].sum(axis=1) > 0)[:, None, None], Q, 0.0)
        weights = np.broadcast_to(w, (n, M)) if use_prior else u[h]
        score = (Q * weights[:, None, :]).sum(axis=2)                             # (n, A)
        best = greedy(score)
        act[h] = best
        alpha[h] = Q[np.arange(n), best]
    star_root = alpha[0].copy()
    if var_mode:
        alpha, act = _variance_pass(alpha, u, Pv, cls, G, H, n_levels, size, prune)
    # the observation tree of the chosen policy
    osize = obs_tree_sizes(S, G, H)
    pol, a_obs, u_obs = [], [], []
    full = np.arange(S)                                                           # full-tree index per level
    for h in range(H):
        pol.append(act[h][full])
        a_obs.append(alpha[h][full])
        u_obs.append(u[h][full])
        if h < H - 1:
            gs = np.arange(GS)
            full = (full[:, None] * AGS + act[h][full][:, None] * GS + gs[None, :]).reshape(osize[h + 1])
    return np.concatenate(pol), np.concatenate(a_obs), np.concatenate(u_obs), star_root


def _variance_pass(alpha, u, Pv, cls, G, H, n_levels, size, prune):
    """Second pass of ``var_mode``: the policy maximising ``sum_m u_m (V(Pv_m, alpha_m(next)) + continuation)``."""
    M, S, A = cls.shape
    out: list = [None] * H
    act: list = [None] * H
    for h in range(H - 1, -1, -1):
        n = int(size[h])
        if h >= n_levels - 1:
            out[h] = np.zeros((n, M))
            act[h] = np.zeros(n, np.int64) if h >= n_levels else greedy(np.zeros((n, A)))
            continue
        s_of = np.arange(n) % S
        g_idx = np.broadcast_to(_per_node(cls, s_of)[:, :, None, None, :], (n, A, 1, S, M))
        v = np.take_along_axis(alpha[h + 1].reshape(n, A, G, S, M), g_idx, axis=2)[:, :, 0]
        c = np.take_along_axis(out[h + 1].reshape(n, A, G, S, M), g_idx, axis=2)[:, :, 0]
        Pn = _per_node(Pv, s_of)
        mean = (Pn * v).sum(axis=2)
        Q = np.maximum((Pn * v * v).sum(axis=2) - mean * mean, 0.0) + (Pn * c).sum(axis=2)
        if prune:
            Q = np.where((u[h].sum(axis=1) > 0)[:, None, None], Q, 0.0)
        best = greedy((Q * u[h][:, None, :]).sum(axis=2))
        act[h], out[h] = best, Q[np.arange(n), best]
    return out, act


def evaluate_tree_numpy(w, nu, P, R, cls, G, H, policy):
    M, S, A = R.shape
    GS = G * S
    size = obs_tree_sizes(S, G, H)
    off = np.concatenate([[0], np.cumsum(size)])
    acts = [policy[off[h]:off[h + 1]] for h in range(H)]
    u = [np.ascontiguousarray((w[:, None] * nu).T)]
    for h in range(H - 1):
        n = int(size[h])
        s_of = np.arange(n) % S
        a = acts[h]
        child = np.zeros((n, G, S, M))
        g = cls[:, s_of, a].T                                                     # (n, M)
        vals = u[h][:, None, :] * np.moveaxis(P[:, s_of, a], 0, -1)              # (n, S, M)
        np.put_along_axis(child, np.broadcast_to(g[:, None, None, :], (n, 1, S, M)), vals[:, None], axis=1)
        u.append(child.reshape(n * GS, M))
    alpha: list = [None] * H
    second: list = [None] * H
    for h in range(H - 1, -1, -1):
        n = int(size[h])
        s_of = np.arange(n) % S
        a = acts[h]
        r = R[:, s_of, a].T                                                       # (n, M)
        if h == H - 1:
            alpha[h], second[h] = r.copy(), r * r
            continue
        g = np.broadcast_to(cls[:, s_of, a].T[:, None, None, :], (n, 1, S, M))
        Pn = np.moveaxis(P[:, s_of, a], 0, -1)                                    # (n, S, M)
        va = np.take_along_axis(alpha[h + 1].reshape(n, G, S, M), g, axis=1)[:, 0]
        vb = np.take_along_axis(second[h + 1].reshape(n, G, S, M), g, axis=1)[:, 0]
        e1, e2 = (Pn * va).sum(axis=1), (Pn * vb).sum(axis=1)
        alpha[h], second[h] = r + e1, r * r + 2.0 * r * e1 + e2
    return np.concatenate(alpha), np.concatenate(second), np.concatenate(u)


backends.register("latent.plan_tree", numba=plan_tree, numpy=plan_tree_numpy)
backends.register("latent.evaluate_tree", numba=evaluate_tree, numpy=evaluate_tree_numpy)
