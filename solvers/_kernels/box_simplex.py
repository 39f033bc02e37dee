r"""The greedy inner minimum of extended value iteration over box confidence sets, and the EVI sweep for SSPs.

For a row with box ends ``0 <= lower <= upper <= 1``, ``sum(lower) <= 1 <= sum(upper)``, the problem

.. math:: \min_q \; q \cdot V \quad \text{s.t.} \quad lower \le q \le upper,\ \ \textstyle\sum_x q(x) = 1

is solved greedily (spec section 1; Jaksch, Ortner & Auer 2010, Fig. 2 for the L1 version): start every
coordinate at its lower end, then pour the remaining mass ``1 - sum(lower)`` onto the states in *increasing*
order of ``V`` (ties: lowest index first), each up to its upper end. An exchange argument shows it optimal: any
feasible ``q`` that leaves room at a lower-``V`` state while holding excess mass at a higher-``V`` state can move
mass and not increase ``q . V``. Cost: one ``O(S log S)`` sort of ``V`` per call, shared by all rows, and
``O(S)`` per row. The tests check it against HiGHS (``scipy.optimize.linprog``).

Kernels (Numba, registered with their NumPy twins in :mod:`mdptheory.backends`):

- ``ssp.box_simplex_min(lower (n, S), upper (n, S), V (S,), descending, want_q) -> (values (n,), q (n or 0, S))``;
- ``ssp.evi_sweeps(lower (S*A, S), upper (S*A, S), cost (S, A), V (S,), pinned (S,), descending, k)
  -> (TV (S,), greedy (S,))``: ``k`` applications of the optimistic SSP operator
  ``(T V)(s) = min_a [cost(s, a) + min_{q in C(s, a)} q . V]`` (``0`` on ``pinned`` states; ``cost = inf`` marks
  a forbidden action), and the greedy action of the last application with the suite's tie rule
  (:func:`mdptheory.policies.greedy` applied to ``-Q``: the lowest action within ``TIE_RTOL`` of the min).

``descending=True`` pours in *decreasing* order of ``V`` (the maximum, not the minimum): it exists only so that
the mutant ``evi-ssp.pour-descending`` can be switched at the Python wrapper (Numba reads globals at compile
time). No ``fastmath``: the sums are short and exact agreement with the twins matters more.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from mdptheory import backends
from mdptheory.policies import greedy as greedy_actions

from ._numba_common import greedy_row

__all__ = ["box_simplex_min", "box_simplex_min_numpy", "evi_sweeps", "evi_sweeps_numpy"]


@njit(cache=True)
def _order(V, descending):
    o = np.argsort(V, kind="mergesort")          # stable: ties in index order
    if descending:
        o = np.argsort(-V, kind="mergesort")
    return o


@njit(cache=True)
def _row_min(lower, upper, V, order, r, q, want_q):
    """``min q . V`` over row ``r``'s box and the simplex; writes the minimiser into ``q[r]`` when wanted."""
    S = V.shape[0]
    acc = 0.0
    mass = 0.0
    for x in range(S):
        acc += lower[r, x] * V[x]
        mass += lower[r, x]
        if want_q:
            q[r, x] = lower[r, x]
    rest = 1.0 - mass
    for j in range(S):
        if rest <= 0.0:
            break
        x = order[j]
        add = min(upper[r, x] - lower[r, x], rest)
        if add > 0.0:
            acc += add * V[x]
            rest -= add
            if want_q:
                q[r, x] += add
    return acc


@njit(cache=True)
def box_simplex_min(lower, upper, V, descending, want_q):
    n, S = lower.shape
    order = _order(V, descending)
    vals = np.empty(n)
    q = np.zeros((n if want_q else 0, S))
    for r in range(n):
        vals[r] = _row_min(lower, upper, V, order, r, q, want_q)
    return vals, q


def box_simplex_min_numpy(lower, upper, V, descending, want_q):
    """NumPy twin of :func:`box_simplex_min`: the same pour, vectorised with cumulative sums over the sorted caps."""
    lower, upper, V = np.asarray(lower, float), np.asarray(upper, float), np.asarray(V, float)
    order = np.argsort(-V if descending else V, kind="stable")
    rest = 1.0 - lower.sum(axis=1)
    caps = (upper - lower)[:, order]
    before = np.cumsum(caps, axis=1) - caps          # mass the earlier (better) states can absorb
    add = np.clip(rest[:, None] - before, 0.0, caps)
    q = lower.copy()
    q[:, order] += add
    vals = lower @ V + add @ V[order]
    return vals, (q if want_q else np.zeros((0, V.shape[0])))


@njit(cache=True)
def evi_sweeps(lower, upper, cost, V, pinned, descending, k):
    S, A = cost.shape
    cur = V.copy()
    TV = np.empty(S)
    greedy = np.zeros(S, dtype=np.int64)
    row = np.empty(A)
    dummy = np.zeros((0, S))
    for _ in range(k):
        order = _order(cur, descending)
        for s in range(S):
            for a in range(A):
                c = cost[s, a]
                if np.isinf(c):
                    row[a] = -np.inf
                else:
                    row[a] = -(c + _row_min(lower, upper, cur, order, s * A + a, dummy, False))
            best, g = greedy_row(row)
            greedy[s] = g
            TV[s] = 0.0 if pinned[s] else -best
        cur[:] = TV
    return TV, greedy


def evi_sweeps_numpy(lower, upper, cost, V, pinned, descending, k):
    """NumPy twin of :func:`evi_sweeps`."""
    S, A = cost.shape
    cur = np.array(V, dtype=float, copy=True)
    TV, greedy = cur, np.zeros(S, dtype=np.int64)
    for _ in range(k):
        inner, _ = box_simplex_min_numpy(lower, upper, cur, descending, False)
        with np.errstate(invalid="ignore"):
            Q = np.where(np.isinf(cost), np.inf, cost + inner.reshape(S, A))
        greedy = greedy_actions(-Q)
        TV = np.where(pinned, 0.0, Q.min(axis=1))
        cur = TV
    return TV.copy(), greedy


backends.register("ssp.box_simplex_min", numba=box_simplex_min, numpy=box_simplex_min_numpy)
backends.register("ssp.evi_sweeps", numba=evi_sweeps, numpy=evi_sweeps_numpy)
