r"""MDP-GapE on flat preallocated arrays (Numba), resumable, and the driver that grows it.

Layout (``GapeTree``): decision nodes ``d`` (a state at a depth) and chance nodes ``c`` (a state-action pair),
each a row of parallel arrays; children by index tables, never Python objects:

- ``d_state, d_depth (N,)`` int64; ``d_kids (N, K)`` the chance node of each action or -1 (never sampled);
  ``d_n, d_rsum (N,)`` visits and reward sum of the transition *into* ``d`` (the official code's reward
  node, ``rewards="child"``); ``d_U, d_L (N,)`` value bounds ``max_a U(c), max_a L(c)``;
- ``c_parent (M,)``; ``c_n, c_rsum (M,)``; ``c_kids (M, B)`` the decision node of each observed next state
  or -1 (a placeholder: one of the ``B - #observed`` unobserved support points); ``c_U, c_L (M,)``;
- ``sizes = [n_decision, n_chance]``. The root is decision node 0.

A trajectory (Jonsson et al. 2020, Algorithm 1; rl-agents ``MDPGapE.run`` [C]) descends ``H`` stages: the
UGapE rule at the root, the optimistic ``argmax_a U`` (ties at random) below, one oracle call per stage; then
only the ``H`` chance nodes of that path and their parents are backed up, leaf to root (the bounds of every
other node depend on their own counts only, so they are unchanged). Before each trajectory the stopping rule
``U(c) - L(b) <= eps`` is checked.

``bugs`` carries the registered mutants' switches from the Python wrapper (0 = none), see
:mod:`solvers.tree_search.mdp_gape`.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit

from mdptheory.generative import model_step

from .._kernels._numba_common import tie_threshold
from ..kl import _ball_max_row, _ball_min_row, _kl_lower_scalar, _kl_upper_scalar
from ._common import (BUDGET, NEED_SPACE, NEED_UNIFORMS, STOPPED, SUPPORT, find_child, lowest_argmax, max_value,
                      random_argmax, threshold)

# mutant switches (bit flags), set by the Python wrapper
BUG_STOP_LOWER = 1          # stopping rule with L(challenger) instead of U(challenger)
BUG_HOEFFDING = 2           # reward interval by a Hoeffding width instead of kl
BUG_NO_ROOT_BACKUP = 4      # the backup loop stops before the root stage
BUG_BEST_TWICE = 8          # UGapE samples the best candidate whatever the widths
BUG_DISCOUNT_REWARD = 16    # U = gamma (u + max q U'): the stage's own reward discounted too
BUG_UNVISITED_SHORT = 32    # the default value of an unvisited pair counts one reward fewer
BUG_OBSERVED_SUPPORT = 64   # the KL ball ignores the unobserved support points
BUG_PESSIMISTIC = 128       # inner stages descend by argmax L instead of argmax U


class GapeTree(NamedTuple):
    d_state: np.ndarray
    d_depth: np.ndarray
    d_kids: np.ndarray
    d_n: np.ndarray
    d_rsum: np.ndarray
    d_U: np.ndarray
    d_L: np.ndarray
    c_parent: np.ndarray
    c_n: np.ndarray
    c_rsum: np.ndarray
    c_kids: np.ndarray
    c_U: np.ndarray
    c_L: np.ndarray
    sizes: np.ndarray


def new_tree(K: int, B: int, s0: int, H: int, gamma: float, n_dec: int = 1024, n_ch: int = 1024,
             bugs: int = 0) -> GapeTree:
    """An empty tree (root only) with room for ``n_dec`` decision and ``n_ch`` chance nodes."""
    t = GapeTree(np.zeros(n_dec, np.int64), np.zeros(n_dec, np.int64), np.full((n_dec, K), -1, np.int64),
                 np.zeros(n_dec, np.int64), np.zeros(n_dec), np.zeros(n_dec), np.zeros(n_dec),
                 np.zeros(n_ch, np.int64), np.zeros(n_ch, np.int64), np.zeros(n_ch), np.full((n_ch, B), -1, np.int64),
                 np.zeros(n_ch), np.zeros(n_ch), np.array([1, 0], np.int64))
    t.d_state[0] = s0
    t.d_U[0] = _default_upper(gamma, H, 0, bugs)
    return t


def grow(tree: GapeTree) -> GapeTree:
    """The same tree with twice the room (rows copied, the rest initialised as :func:`new_tree` does)."""
    out = []
    for name, arr in zip(GapeTree._fields, tree):
        if name == "sizes":
            out.append(arr.copy())
            continue
        fill = -1 if name in ("d_kids", "c_kids") else 0
        big = np.full((2 * arr.shape[0],) + arr.shape[1:], fill, arr.dtype)
        big[:arr.shape[0]] = arr
        out.append(big)
    return GapeTree(*out)


@njit(cache=True, nogil=True)
def _default_upper(gamma, H, h, bugs):
    """``U`` of a never-sampled pair at depth ``h``: ``H - h`` rewards of at most 1."""
    if bugs & BUG_UNVISITED_SHORT:
        return max_value(gamma, H - h - 1)
    return max_value(gamma, H - h)


@njit(cache=True, nogil=True)
def ugape(t, K, H, gamma, bugs, vals):
    """UGapE at the root (Gabillon et al. 2012): ``b = argmin_a max_{a' != a} U(a') - L(a)``, the challenger
    ``c = argmax_{a != b} U(a)`` and the sampled arm, the wider of the two (``b`` on ties). ``vals`` is
    scratch ``(4, K)`` receiving U, L (rows 0, 1). Returns ``(b, c, sampled)``."""
    U, L, G = vals[0], vals[1], vals[2]
    unvisited = _default_upper(gamma, H, 0, bugs)
    for a in range(K):
        c = t.d_kids[0, a]
        if c >= 0:
            U[a] = t.c_U[c]
            L[a] = t.c_L[c]
        else:
            U[a] = unvisited
            L[a] = 0.0
    for a in range(K):
        m = -np.inf
        for o in range(K):
            if o != a and U[o] > m:
                m = U[o]
        G[a] = L[a] - m                      # -gap: argmax of -gap is argmin of the gap
    b = lowest_argmax(G, K)
    for a in range(K):
        G[a] = U[a] if a != b else -np.inf
    ch = lowest_argmax(G, K)
    if bugs & BUG_BEST_TWICE:
        return b, ch, b
    wb = U[b] - L[b]
    wc = U[ch] - L[ch]
    return b, ch, (b if wb >= tie_threshold(max(wb, wc)) else ch)


@njit(cache=True, nogil=True)
def _backup_chance(t, c, h, B, gamma, child_rewards, thr_r, thr_p, bugs, default_next, p, f, g, q, s1, s2):
    """Recompute ``U, L`` of chance node ``c`` (depth ``h``) from its statistics and its children's bounds;
    ``default_next`` is the upper value of an unobserved next state (depth ``h + 1``)."""
    d_n, d_rsum, d_U, d_L = t.d_n, t.d_rsum, t.d_U, t.d_L
    c_n, c_rsum, c_kids, c_U, c_L = t.c_n, t.c_rsum, t.c_kids, t.c_U, t.c_L
    n = c_n[c]
    obs_lo = np.inf
    obs_hi = -np.inf
    for j in range(B):
        k = c_kids[c, j]
        if k >= 0:
            p[j] = d_n[k] / n
            if child_rewards:
                nk = d_n[k]
                rk = _reward_bounds(d_rsum[k] / nk, threshold(thr_r, nk) / nk, nk, thr_r, bugs)
                f[j] = rk[0] + gamma * d_U[k]
                g[j] = rk[1] + gamma * d_L[k]
            else:
                f[j] = d_U[k]
                g[j] = d_L[k]
            obs_lo = min(obs_lo, f[j])
            obs_hi = max(obs_hi, g[j])
        else:
            p[j] = 0.0
            f[j] = (1.0 + gamma * default_next) if child_rewards else default_next
            g[j] = 0.0
    if bugs & BUG_OBSERVED_SUPPORT:
        for j in range(B):
            if c_kids[c, j] < 0:
                f[j] = obs_lo
                g[j] = obs_hi
    radius = max(threshold(thr_p, n) / n, 0.0)
    up = _ball_max_row(p, f, radius, q, s1)
    lo = _ball_min_row(p, g, radius, q, s1, s2)
    if child_rewards:
        c_U[c] = up
        c_L[c] = lo
        return
    rb = _reward_bounds(c_rsum[c] / n, threshold(thr_r, n) / n, n, thr_r, bugs)
    if bugs & BUG_DISCOUNT_REWARD:
        c_U[c] = gamma * (rb[0] + up)
        c_L[c] = gamma * (rb[1] + lo)
    else:
        c_U[c] = rb[0] + gamma * up
        c_L[c] = rb[1] + gamma * lo


@njit(cache=True, nogil=True)
def _reward_bounds(mean, radius, n, thr_r, bugs):
    """kl-UCB / kl-LCB of a mean reward in [0, 1] (or, as a mutant, Hoeffding's ``sqrt(beta / 2n)``)."""
    radius = max(radius, 0.0)
    if bugs & BUG_HOEFFDING:
        w = math.sqrt(0.5 * radius)
        return min(1.0, mean + w), max(0.0, mean - w)
    return _kl_upper_scalar(mean, radius), _kl_lower_scalar(mean, radius)


@njit(cache=True, nogil=True)
def _backup_decision(t, d, K, unvisited):
    """``U, L`` of decision node ``d``: the max over its actions (``unvisited`` for a never-sampled one)."""
    kids, c_U, c_L = t.d_kids, t.c_U, t.c_L
    u = -np.inf
    lo = -np.inf
    for a in range(K):
        c = kids[d, a]
        if c >= 0:
            u = max(u, c_U[c])
            lo = max(lo, c_L[c])
        else:
            u = max(u, unvisited)
            lo = max(lo, 0.0)
    t.d_U[d] = u
    t.d_L[d] = lo


@njit(cache=True, nogil=True)
def gape_resume(t, m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew, H, K, B, gamma, eps, strict, child_rewards,
                thr_r, thr_p, bugs, U, budget_left, max_traj):
    """Run trajectories on the tree ``t`` until the stopping rule holds or a resource runs out.

    ``U (n, H, 3)``: uniforms of the next ``n`` trajectories (tie-break, next state, reward). ``budget_left``:
    calls allowed (``-1`` for none); ``max_traj``: trajectories allowed in this call (``-1`` for none).
    Returns ``(status, trajectories run, calls made)``; the tree holds the final bounds.
    """
    d_state, d_depth, d_kids, d_n, d_rsum = t.d_state, t.d_depth, t.d_kids, t.d_n, t.d_rsum
    c_parent, c_n, c_rsum, c_kids = t.c_parent, t.c_n, t.c_rsum, t.c_kids
    sizes = t.sizes
    vals = np.empty((4, K))
    p = np.empty(B)
    f = np.empty(B)
    g = np.empty(B)
    q = np.empty(B)
    s1 = np.empty(B)
    s2 = np.empty(B)
    path_c = np.empty(H, np.int64)
    path_d = np.empty(H, np.int64)
    vdef = np.empty(H + 2)                    # the value of a never-sampled pair / unobserved state, per depth
    for h in range(H + 2):
        vdef[h] = _default_upper(gamma, H, h, bugs)
    n_traj = 0
    calls = 0
    while True:
        b, ch, sel = ugape(t, K, H, gamma, bugs, vals)
        gap = (vals[1, ch] if bugs & BUG_STOP_LOWER else vals[0, ch]) - vals[1, b]
        if K == 1 or (gap < eps if strict else gap <= eps):
            return STOPPED, n_traj, calls
        if budget_left >= 0 and calls + H > budget_left:
            return BUDGET, n_traj, calls
        if max_traj >= 0 and n_traj >= max_traj:
            return BUDGET, n_traj, calls
        if n_traj >= U.shape[0]:
            return NEED_UNIFORMS, n_traj, calls
        if sizes[0] + H > d_state.shape[0] or sizes[1] + H > c_n.shape[0]:
            return NEED_SPACE, n_traj, calls
        u = U[n_traj]
        d = 0
        for h in range(H):
            if h == 0:
                a = sel
            else:
                for o in range(K):
                    c = d_kids[d, o]
                    if bugs & BUG_PESSIMISTIC:
                        vals[3, o] = t.c_L[c] if c >= 0 else 0.0
                    else:
                        vals[3, o] = t.c_U[c] if c >= 0 else vdef[h]
                a = random_argmax(vals[3], K, u[h, 0])
            c = d_kids[d, a]
            if c < 0:
                c = sizes[1]
                sizes[1] += 1
                d_kids[d, a] = c
                c_parent[c] = d
                c_n[c] = 0
                c_rsum[c] = 0.0
                t.c_U[c] = vdef[h]
                t.c_L[c] = 0.0
                for j in range(B):
                    c_kids[c, j] = -1
            r, s_next = model_step(m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew, h, d_state[d], a, u[h, 1], u[h, 2])
            calls += 1
            c_n[c] += 1
            c_rsum[c] += r
            kid, free = find_child(c_kids, c, d_state, s_next)
            if kid < 0:
                if free < 0:
                    return SUPPORT, n_traj, calls
                kid = sizes[0]
                sizes[0] += 1
                c_kids[c, free] = kid
                d_state[kid] = s_next
                d_depth[kid] = h + 1
                d_n[kid] = 0
                d_rsum[kid] = 0.0
                for o in range(K):
                    d_kids[kid, o] = -1
                t.d_U[kid] = vdef[h + 1]
                t.d_L[kid] = 0.0
            d_n[kid] += 1
            d_rsum[kid] += r
            path_c[h] = c
            path_d[h] = d
            d = kid
        last = 1 if bugs & BUG_NO_ROOT_BACKUP else 0
        for h in range(H - 1, last - 1, -1):
            _backup_chance(t, path_c[h], h, B, gamma, child_rewards, thr_r, thr_p, bugs, vdef[h + 1], p, f, g, q, s1,
                           s2)
            _backup_decision(t, path_d[h], K, vdef[h])
        n_traj += 1


class FlatGape:
    """MDP-GapE on a :class:`GapeTree`: :meth:`resume` runs :func:`gape_resume` and grows the tree when full
    (the same interface as the object twin :class:`solvers.tree_search.reference.GapeObjects`)."""

    def __init__(self, kernel, H, K, B, gamma, eps, strict, child_rewards, thr_r, thr_p, bugs, s0):
        self.kernel = tuple(kernel)
        self.args = (H, K, B, gamma, eps, strict, child_rewards, thr_r, thr_p, bugs)
        self.tree = new_tree(K, B, s0, H, gamma, bugs=bugs)

    def resume(self, U: np.ndarray, budget_left: int, max_traj: int):
        n_traj = calls = 0
        while True:
            left = -1 if budget_left < 0 else budget_left - calls
            cap = -1 if max_traj < 0 else max_traj - n_traj
            status, n, c = gape_resume(self.tree, *self.kernel, *self.args, U[n_traj:], left, cap)
            n_traj += n
            calls += c
            if status != NEED_SPACE:
                return status, n_traj, calls
            self.tree = grow(self.tree)

    def root_summary(self):
        """``(b, challenger, U (K,), L (K,), counts (K,))`` at the root."""
        H, K, _, gamma = self.args[:4]
        bugs = self.args[-1]
        vals = np.empty((4, K))
        b, ch, _ = ugape(self.tree, K, H, gamma, bugs, vals)
        counts = np.array([self.tree.c_n[c] if c >= 0 else 0 for c in self.tree.d_kids[0, :K]], np.int64)
        return int(b), int(ch), vals[0].copy(), vals[1].copy(), counts

    def sizes(self) -> tuple[int, int]:
        return int(self.tree.sizes[0]), int(self.tree.sizes[1])

    def export(self) -> dict:
        """The explored tree as arrays (see :func:`export_fields`), trimmed to the nodes in use."""
        n_d, n_c = self.sizes()
        t = self.tree
        return {"d_depth": t.d_depth[:n_d].copy(), "d_n": t.d_n[:n_d].copy(), "d_rsum": t.d_rsum[:n_d].copy(),
                "d_U": t.d_U[:n_d].copy(), "d_L": t.d_L[:n_d].copy(), "d_kids": t.d_kids[:n_d].copy(),
                "c_n": t.c_n[:n_c].copy(), "c_rsum": t.c_rsum[:n_c].copy(), "c_kids": t.c_kids[:n_c].copy(),
                "c_U": t.c_U[:n_c].copy(), "c_L": t.c_L[:n_c].copy(), "c_parent": t.c_parent[:n_c].copy()}


def export_fields() -> str:
    """What :meth:`FlatGape.export` returns: decision nodes ``d_depth, d_n, d_rsum, d_U, d_L (N,)`` and ``d_kids
    (N, K)`` (chance node per action, -1 never sampled); chance nodes ``c_n, c_rsum, c_U, c_L, c_parent (M,)`` and
    ``c_kids (M, B)`` (decision node per observed next state, -1 for an unobserved support slot). Node 0 is the
    root."""
    return export_fields.__doc__
