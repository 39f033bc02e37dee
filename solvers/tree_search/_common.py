"""Pieces shared by the tree-search kernels: status codes, the tie rules, value defaults, threshold families.

Tie rules (one everywhere, both backends): a *recommendation* or a deterministic choice is the lowest
index whose value is within :func:`solvers._kernels._numba_common.tie_threshold` of the best (the suite's
rule, :func:`mdptheory.policies.greedy`); a *sampling* rule that breaks ties at random (the official
``random_argmax``) picks uniformly among the same tied set with one uniform ``u``.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

from mdptheory.policies import TIE_RTOL

from .._kernels._numba_common import tie_threshold

#: Kernel exit codes (the wrappers turn them into a result ``status``).
STOPPED, BUDGET, NEED_UNIFORMS, NEED_SPACE, SUPPORT, DONE = 0, 1, 2, 3, 4, 5
STATUS_NAMES = {STOPPED: "stopped", BUDGET: "budget", NEED_UNIFORMS: "uniforms", NEED_SPACE: "space",
                SUPPORT: "support", DONE: "done"}


@njit(cache=True, nogil=True)
def lowest_argmax(v, n):
    """The lowest index ``< n`` whose value is tied with the max (the suite's tie rule)."""
    best = -np.inf
    for i in range(n):
        if v[i] > best:
            best = v[i]
    thr = tie_threshold(best)
    for i in range(n):
        if v[i] >= thr:
            return i
    return 0


@njit(cache=True, nogil=True)
def random_argmax(v, n, u):
    """A uniformly random index among those tied with the max, chosen by the uniform ``u`` in [0, 1)."""
    best = -np.inf
    for i in range(n):
        if v[i] > best:
            best = v[i]
    thr = tie_threshold(best)
    ties = 0
    for i in range(n):
        if v[i] >= thr:
            ties += 1
    k = min(int(u * ties), ties - 1)
    for i in range(n):
        if v[i] >= thr:
            if k == 0:
                return i
            k -= 1
    return 0


@njit(cache=True, nogil=True)
def find_child(kids, row, states, s_next):
    """In the child table ``kids[row, :]`` (node indices, -1 = free slot, filled in order): the child whose state
    is ``s_next`` (-1 if none) and the first free slot (-1 if none)."""
    free = -1
    for j in range(kids.shape[1]):
        k = kids[row, j]
        if k < 0:
            if free < 0:
                free = j
        elif states[k] == s_next:
            return k, free
    return -1, free


def lowest_argmax_np(v) -> int:
    v = np.asarray(v, dtype=float)
    m = v.max()
    return int(np.flatnonzero(v >= m - TIE_RTOL * (1.0 + abs(m)))[0])


def random_argmax_np(v, u: float) -> int:
    v = np.asarray(v, dtype=float)
    m = v.max()
    tied = np.flatnonzero(v >= m - TIE_RTOL * (1.0 + abs(m)))
    return int(tied[min(int(u * tied.size), tied.size - 1)])


@njit(cache=True, nogil=True)
def max_value(gamma, steps):
    """``sum_{i < steps} gamma^i``: the largest value of ``steps`` rewards in [0, 1] (0 for ``steps <= 0``)."""
    if steps <= 0:
        return 0.0
    if gamma == 1.0:
        return float(steps)
    return (1.0 - gamma ** steps) / (1.0 - gamma)


@njit(cache=True, nogil=True)
def threshold(coef, n):
    r"""``beta(n) = coef[0] + coef[1] log n + coef[2] d log(e (1 + n / d))`` with ``d = coef[3]`` (the term is 0
    for ``d = 0``): every threshold family of the paper and of the official scripts (see ``Thresholds``)."""
    out = coef[0]
    if coef[1] != 0.0:
        out += coef[1] * math.log(n)
    if coef[2] != 0.0 and coef[3] > 0.0:
        out += coef[2] * coef[3] * (1.0 + math.log1p(n / coef[3]))
    return out


def threshold_np(coef, n: float) -> float:
    out = coef[0]
    if coef[1] != 0.0:
        out += coef[1] * math.log(n)
    if coef[2] != 0.0 and coef[3] > 0.0:
        out += coef[2] * coef[3] * (1.0 + math.log1p(n / coef[3]))
    return float(out)


def olop_allocation(budget: int, gamma: float) -> tuple[int, int]:
    """OLOP's split of ``budget`` calls into ``M`` trajectories of length ``L`` (rl-agents
    ``OLOP.allocation`` [C]): ``L(M) = max(ceil(log M / (2 log(1/gamma))), 1)`` and ``M`` the largest count with
    ``M L(M) <= budget`` (at least 1). ``gamma = 0.7``: 10 -> (4, 2), 100 -> (20, 5), 10^4 -> (1000, 10)."""
    def horizon(m: int) -> int:
        return max(int(math.ceil(math.log(m) / (2.0 * math.log(1.0 / gamma)))), 1)

    m = 1
    while (m + 1) * horizon(m + 1) <= budget:
        m += 1
    return m, horizon(m)
