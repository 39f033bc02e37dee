r"""The planners built the way the official code builds its trees: Python node objects, dicts of children,
one NumPy call per node (rl-agents ``tree_search/{mdp_gape,olop,brue,mcts}.py`` design; our own code).

These are the NumPy twins of the Numba kernels (``backends.register("tree_search.<planner>", ...)``): the
same contract, the same uniforms, the same tie rules, so for one seed both return the same recommendation,
counts and bounds (``tests/test_twins.py``). They are also the reference of ``benchmarks/mdpgape.py``, which
measures what the flat preallocated arrays of :mod:`solvers.tree_search` buy over this design.

Oracle answers come from the NumPy sampler of :mod:`mdptheory.generative` (``_sample_numpy``) and the KL
pieces from the NumPy twins of :mod:`solvers.kl`, one node at a time.
"""
from __future__ import annotations

import math

import numpy as np

from mdptheory.generative import _sample_numpy

from ..kl import _ball_max_numpy, _kl_bounds_numpy
from . import _gape as G
from ._common import (BUDGET, NEED_UNIFORMS, STOPPED, SUPPORT, lowest_argmax_np, random_argmax_np, threshold_np)

_EPS_TIE = 1e-12


def _step(kernel, h: int, s: int, a: int, u_next: float, u_reward: float) -> tuple[float, int]:
    r, s_next = _sample_numpy(*kernel, np.array([h]), np.array([s]), np.array([a]), np.array([[u_next, u_reward]]))
    return float(r[0]), int(s_next[0])


def _max_value(gamma: float, steps: int) -> float:
    if steps <= 0:
        return 0.0
    return float(steps) if gamma == 1.0 else (1.0 - gamma ** steps) / (1.0 - gamma)


def _kl_pair(mean: float, radius: float) -> tuple[float, float]:
    p, c = np.array([mean]), np.array([max(radius, 0.0)])
    return float(_kl_bounds_numpy(p, c, True)[0]), float(_kl_bounds_numpy(p, c, False)[0])


def _ball(p: np.ndarray, f: np.ndarray, radius: float) -> float:
    return float(_ball_max_numpy(p[None], f[None], np.array([radius]))[0][0])


# ------------------------------------------------------------------------------------------ MDP-GapE
class _Decision:
    __slots__ = ("state", "depth", "children", "count", "rsum", "upper", "lower")

    def __init__(self, state: int, depth: int, upper: float):
        self.state, self.depth = state, depth
        self.children: dict[int, _Chance] = {}
        self.count, self.rsum = 0, 0.0
        self.upper, self.lower = upper, 0.0


class _Chance:
    __slots__ = ("count", "rsum", "children", "upper", "lower")

    def __init__(self, upper: float):
        self.count, self.rsum = 0, 0.0
        self.children: dict[int, _Decision] = {}     # observed next state -> node (at most B)
        self.upper, self.lower = upper, 0.0


class GapeObjects:
    """MDP-GapE on node objects; :meth:`resume` has the contract of :func:`solvers.tree_search._gape.gape_resume`."""

    def __init__(self, kernel, H, K, B, gamma, eps, strict, child_rewards, thr_r, thr_p, bugs, s0):
        self.kernel, self.H, self.K, self.B, self.gamma = kernel, H, K, B, gamma
        self.eps, self.strict, self.child, self.bugs = eps, strict, child_rewards, bugs
        self.thr_r, self.thr_p = thr_r, thr_p
        self.root = _Decision(s0, 0, self._default(0))
        self.n_dec, self.n_ch = 1, 0

    def _default(self, h: int) -> float:
        return _max_value(self.gamma, self.H - h - (1 if self.bugs & G.BUG_UNVISITED_SHORT else 0))

    def _bounds(self, node: _Decision, h: int) -> tuple[np.ndarray, np.ndarray]:
        U = np.array([node.children[a].upper if a in node.children else self._default(h) for a in range(self.K)])
        L = np.array([node.children[a].lower if a in node.children else 0.0 for a in range(self.K)])
        return U, L

    def _ugape(self):
        U, L = self._bounds(self.root, 0)
        gaps = np.array([np.max(np.delete(U, a)) - L[a] if self.K > 1 else -L[a] for a in range(self.K)])
        b = lowest_argmax_np(-gaps)
        others = U.copy()
        others[b] = -np.inf
        c = lowest_argmax_np(others)
        if self.bugs & G.BUG_BEST_TWICE:
            return b, c, b, U, L
        wb, wc = U[b] - L[b], U[c] - L[c]
        m = max(wb, wc)
        return b, c, (b if wb >= m - _EPS_TIE * (1 + abs(m)) else c), U, L

    def _reward(self, mean: float, n: int) -> tuple[float, float]:
        radius = max(threshold_np(self.thr_r, n) / n, 0.0)
        if self.bugs & G.BUG_HOEFFDING:
            w = math.sqrt(0.5 * radius)
            return min(1.0, mean + w), max(0.0, mean - w)
        return _kl_pair(mean, radius)

    def _backup(self, chance: _Chance, h: int) -> None:
        n, B, gamma = chance.count, self.B, self.gamma
        kids = list(chance.children.values())
        p = np.zeros(B)
        f = np.full(B, (1.0 + gamma * self._default(h + 1)) if self.child else self._default(h + 1))
        g = np.zeros(B)
        for j, k in enumerate(kids):
            p[j] = k.count / n
            if self.child:
                ru, rl = self._reward(k.rsum / k.count, k.count)
                f[j], g[j] = ru + gamma * k.upper, rl + gamma * k.lower
            else:
                f[j], g[j] = k.upper, k.lower
        if self.bugs & G.BUG_OBSERVED_SUPPORT and len(kids) < B:
            f[len(kids):] = f[:len(kids)].min()
            g[len(kids):] = g[:len(kids)].max()
        radius = max(threshold_np(self.thr_p, n) / n, 0.0)
        up, lo = _ball(p, f, radius), -_ball(p, -g, radius)
        if self.child:
            chance.upper, chance.lower = up, lo
            return
        ru, rl = self._reward(chance.rsum / n, n)
        if self.bugs & G.BUG_DISCOUNT_REWARD:
            chance.upper, chance.lower = gamma * (ru + up), gamma * (rl + lo)
        else:
            chance.upper, chance.lower = ru + gamma * up, rl + gamma * lo

    def resume(self, U: np.ndarray, budget_left: int, max_traj: int):
        H, K = self.H, self.K
        n_traj = calls = 0
        while True:
            b, c, sel, Ub, Lb = self._ugape()
            gap = (Lb[c] if self.bugs & G.BUG_STOP_LOWER else Ub[c]) - Lb[b]
            if K == 1 or (gap < self.eps if self.strict else gap <= self.eps):
                return STOPPED, n_traj, calls
            if (budget_left >= 0 and calls + H > budget_left) or (max_traj >= 0 and n_traj >= max_traj):
                return BUDGET, n_traj, calls
            if n_traj >= U.shape[0]:
                return NEED_UNIFORMS, n_traj, calls
            u = U[n_traj]
            node, path = self.root, []
            for h in range(H):
                if h == 0:
                    a = sel
                else:
                    Uh, Lh = self._bounds(node, h)
                    a = random_argmax_np(Lh if self.bugs & G.BUG_PESSIMISTIC else Uh, u[h, 0])
                if a not in node.children:
                    node.children[a] = _Chance(self._default(h))
                    self.n_ch += 1
                chance = node.children[a]
                r, s_next = _step(self.kernel, h, node.state, a, u[h, 1], u[h, 2])
                calls += 1
                chance.count += 1
                chance.rsum += r
                if s_next not in chance.children:
                    if len(chance.children) >= self.B:
                        return SUPPORT, n_traj, calls
                    chance.children[s_next] = _Decision(s_next, h + 1, self._default(h + 1))
                    self.n_dec += 1
                kid = chance.children[s_next]
                kid.count += 1
                kid.rsum += r
                path.append((node, chance))
                node = kid
            last = 1 if self.bugs & G.BUG_NO_ROOT_BACKUP else 0
            for h in range(H - 1, last - 1, -1):
                parent, chance = path[h]
                self._backup(chance, h)
                Uh, Lh = self._bounds(parent, h)
                parent.upper, parent.lower = float(Uh.max()), float(Lh.max())
            n_traj += 1

    def root_summary(self):
        b, c, _, U, L = self._ugape()
        counts = np.array([self.root.children[a].count if a in self.root.children else 0 for a in range(self.K)],
                          np.int64)
        return b, c, U, L, counts

    def sizes(self) -> tuple[int, int]:
        return self.n_dec, self.n_ch

    def export(self) -> dict:
        """The explored tree in the layout of :meth:`solvers.tree_search._gape.FlatGape.export` (breadth-first
        numbering)."""
        dec, ch = [self.root], []
        d_kids, c_kids, c_parent = [], [], []
        i = 0
        while i < len(dec):
            node = dec[i]
            row = [-1] * self.K
            for a, chance in sorted(node.children.items()):
                row[a] = len(ch)
                ch.append(chance)
                c_parent.append(i)
                kids = [-1] * self.B
                for j, kid in enumerate(chance.children.values()):
                    kids[j] = len(dec)
                    dec.append(kid)
                c_kids.append(kids)
            d_kids.append(row)
            i += 1
        arr = lambda xs, dt=float: np.array(xs, dtype=dt)  # noqa: E731
        return {"d_depth": arr([d.depth for d in dec], np.int64), "d_n": arr([d.count for d in dec], np.int64),
                "d_rsum": arr([d.rsum for d in dec]), "d_U": arr([d.upper for d in dec]),
                "d_L": arr([d.lower for d in dec]), "d_kids": np.array(d_kids, np.int64).reshape(-1, self.K),
                "c_n": arr([c.count for c in ch], np.int64), "c_rsum": arr([c.rsum for c in ch]),
                "c_kids": np.array(c_kids, np.int64).reshape(-1, self.B), "c_U": arr([c.upper for c in ch]),
                "c_L": arr([c.lower for c in ch]), "c_parent": arr(c_parent, np.int64)}


def _most_visited_np(counts: np.ndarray, values: np.ndarray) -> int:
    top = counts == counts.max()
    return lowest_argmax_np(np.where(top, values, -np.inf))


# ----------------------------------------------------------------------------------------------- UCT
class _UctNode:
    __slots__ = ("state", "children", "count", "value")

    def __init__(self, state=None):
        self.state = state
        self.children: dict = {}          # state node: action -> action node; action node: state -> state node
        self.count, self.value = 0, 0.0

    def update(self, total: float) -> None:
        self.count += 1
        self.value += (total - self.value) / self.count


def uct_objects(m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew, s0, K, B, gamma, temperature, U):
    """Object twin of :func:`solvers.tree_search._baselines.uct_run`."""
    kernel = (m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew)
    root = _UctNode(int(s0))
    M, L = U.shape[:2]
    for t in range(M):
        u, node, depth, total, path = U[t], root, 0, 0.0, [root]
        while depth < L and node.children:
            idx = [node.children[a].value + temperature / (node.children[a].count + 1.0) for a in range(K)]
            a = random_argmax_np(idx, u[depth, 0])
            r, s_next = _step(kernel, depth, node.state, a, u[depth, 1], u[depth, 2])
            total += gamma ** depth * r
            action = node.children[a]
            if s_next not in action.children:
                if len(action.children) >= B:
                    return -1, np.zeros(0, np.int64), np.zeros(0)
                action.children[s_next] = _UctNode(s_next)
            node = action.children[s_next]
            path += [action, node]
            depth += 1
        s = node.state
        if depth < L and not node.children:
            node.children = {a: _UctNode() for a in range(K)}
        for h in range(depth, L):
            r, s = _step(kernel, h, s, min(int(u[h, 0] * K), K - 1), u[h, 1], u[h, 2])
            total += gamma ** h * r
        for n in path:
            n.update(total)
    counts = np.array([root.children[a].count if a in root.children else 0 for a in range(K)], np.int64)
    values = np.array([root.children[a].value if a in root.children else 0.0 for a in range(K)])
    return _most_visited_np(counts, values), counts, values


# ------------------------------------------------------------------------------------------- KL-OLOP
class _OlopNode:
    __slots__ = ("parent", "depth", "children", "count", "rsum", "mu", "upper")

    def __init__(self, parent, depth: int, upper: float):
        self.parent, self.depth = parent, depth
        self.children: dict[int, _OlopNode] = {}
        self.count, self.rsum, self.mu, self.upper = 0, 0.0, 1.0, upper


def olop_objects(m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew, s0, K, gamma, threshold, U):
    """Object twin of :func:`solvers.tree_search._baselines.olop_run`."""
    kernel = (m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew)
    M, L = U.shape[:2]
    root = _OlopNode(None, 0, _max_value(gamma, L + 1))
    for t in range(M):
        u, node, s = U[t], root, int(s0)
        for h in range(L):
            if not node.children:
                node.children = {a: _OlopNode(node, node.depth + 1, _max_value(gamma, L - node.depth))
                                 for a in range(K)}
                a = min(int(u[h, 0] * K), K - 1)
            else:
                a = lowest_argmax_np([node.children[o].upper for o in range(K)])
            r, s = _step(kernel, h, s, a, u[h, 1], u[h, 2])
            node = node.children[a]
            node.count += 1
            node.rsum += r
            node.mu = _kl_pair(node.rsum / node.count, threshold / node.count)[0]
        while node is not None:
            node.upper = node.mu + gamma * max(c.upper for c in node.children.values()) if node.children else node.mu
            node = node.parent
    counts = np.array([root.children[a].count for a in range(K)], np.int64)
    values = np.array([root.children[a].upper for a in range(K)])
    return _most_visited_np(counts, values), counts, values


# ---------------------------------------------------------------------------------------------- BRUE
class _BrueState:
    __slots__ = ("state", "depth", "children", "count", "reward")

    def __init__(self, state: int, depth: int):
        self.state, self.depth = state, depth
        self.children: dict[int, _BrueChance] = {}
        self.count, self.reward = 0, 0.0


class _BrueChance:
    __slots__ = ("children", "count", "value")

    def __init__(self):
        self.children: dict[int, _BrueState] = {}
        self.count, self.value = 0, 0.0


def _brue_estimate_objects(node: _BrueState, L: int, K: int, gamma: float, u: np.ndarray) -> float:
    ret = 0.0
    for i in range(L - node.depth):
        if not node.children:
            break
        vals = [node.children[a].value if a in node.children else -np.inf for a in range(K)]
        chance = node.children[lowest_argmax_np(vals)]
        kids = list(chance.children.values())
        cum = np.cumsum([k.count for k in kids], dtype=float)
        node = kids[min(int(np.searchsorted(cum, u[3 + i] * cum[-1], side="right")), len(kids) - 1)]
        ret += gamma ** i * node.reward
    return ret


def brue_objects(m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew, s0, K, B, gamma, U):
    """Object twin of :func:`solvers.tree_search._baselines.brue_run`."""
    kernel = (m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew)
    M, L = U.shape[:2]
    root = _BrueState(int(s0), 0)
    for t in range(M):
        u, node, steps = U[t], root, []
        for h in range(L):
            a = min(int(u[h, 0] * K), K - 1)
            r, s_next = _step(kernel, h, node.state, a, u[h, 1], u[h, 2])
            chance = node.children.setdefault(a, _BrueChance())
            if s_next not in chance.children:
                if len(chance.children) >= B:
                    return -1, np.zeros(0, np.int64), np.zeros(0)
                chance.children[s_next] = _BrueState(s_next, h + 1)
            nxt = chance.children[s_next]
            steps.append((chance, r, nxt))
            node = nxt
        for h in range(L - 1, -1, -1):
            chance, r, nxt = steps[h]
            nxt.count += 1
            nxt.reward += (r - nxt.reward) / nxt.count
            est = r + gamma * _brue_estimate_objects(nxt, L, K, gamma, u[h])
            chance.count += 1
            chance.value += (est - chance.value) / chance.count
    counts = np.array([root.children[a].count if a in root.children else 0 for a in range(K)], np.int64)
    values = np.array([root.children[a].value if a in root.children else -np.inf for a in range(K)])
    return lowest_argmax_np(values), counts, values
