r"""Numba kernels of the fixed-budget baselines on flat preallocated arrays (their object twins are in
:mod:`.reference`). Each runs ``M`` trajectories of ``L`` oracle calls from pre-drawn uniforms ``U (M, L, w)``
and returns ``(action, root counts (K,), root values (K,))``:

- :func:`uct_run` -- UCT as in rl-agents ``MCTS`` with ``closed_loop=True`` [C]: state nodes per observed next
  state, the index ``value + temperature / (count + 1)`` (the code's prior bonus ``T K prior / (n + 1)`` with
  the uniform prior ``1/K``; *not* UCB1's ``sqrt(log N / n)``, see :func:`solvers.tree_search.uct`), expansion of
  one leaf per trajectory, a uniformly random rollout to depth ``L``, every node on the path updated with the
  trajectory's discounted return; recommends the most visited root action (ties: the larger value).
- :func:`olop_run` -- KL-OLOP as rl-agents ``OLOP`` with a lazy tree [C]: open loop (nodes are action
  sequences, whatever the states), ``mu_ucb = kl_upper(mean, threshold / n)`` per node,
  ``U = mu_ucb + gamma max_children U`` backed up along the sampled sequence, ``argmax U`` descent and a uniform
  continuation below the tree; recommends the most visited root action (ties: the larger ``U``).
- :func:`brue_run` -- BRUE as rl-agents ``BRUE`` [C]: uniformly random action sequences; each node on the
  sequence is updated (in reverse) with ``r + gamma * estimate(next)``, the estimate following the empirically
  best action and empirically sampled next states; recommends the root action of largest value.

Uniform columns: 0 = action choice (tie-break, random action), 1 = next state, 2 = Bernoulli reward;
BRUE's columns ``3 + d`` drive the ``d``-th step of its estimate walks.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from mdptheory.generative import model_step

from ..kl import _kl_upper_scalar
from ._common import find_child, lowest_argmax, max_value, random_argmax


@njit(cache=True, nogil=True)
def _most_visited(counts, values, K):
    """The most visited root action; ties between counts go to the larger value, then the lowest index."""
    best = -1
    for a in range(K):
        if best < 0 or counts[a] > counts[best]:
            best = a
    tmp = np.full(K, -np.inf)
    for a in range(K):
        if counts[a] == counts[best]:
            tmp[a] = values[a]
    return lowest_argmax(tmp, K)


# ---------------------------------------------------------------------------------------------- UCT
@njit(cache=True, nogil=True)
def uct_run(m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew, s0, K, B, gamma, temperature, U):
    M, L = U.shape[0], U.shape[1]
    cap = M * L + 2
    s_state = np.zeros(cap, np.int64)          # state nodes
    s_kids = np.full((cap, K), -1, np.int64)   # action node per action, -1 before expansion
    s_count = np.zeros(cap, np.int64)
    s_value = np.zeros(cap)
    a_count = np.zeros(cap * K, np.int64)      # action nodes
    a_value = np.zeros(cap * K)
    a_kids = np.full((cap * K, B), -1, np.int64)
    n_s = 1
    n_a = 0
    s_state[0] = s0
    idx = np.empty(K)
    path_s = np.empty(L + 1, np.int64)
    path_a = np.empty(L, np.int64)
    for t in range(M):
        u = U[t]
        node = 0
        depth = 0
        total = 0.0
        path_s[0] = 0
        while depth < L and s_kids[node, 0] >= 0:
            for o in range(K):
                an = s_kids[node, o]
                idx[o] = a_value[an] + temperature / (a_count[an] + 1.0)
            a = random_argmax(idx, K, u[depth, 0])
            r, s_next = model_step(m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew, depth, s_state[node], a,
                                   u[depth, 1], u[depth, 2])
            total += gamma ** depth * r
            an = s_kids[node, a]
            path_a[depth] = an
            child, free = find_child(a_kids, an, s_state, s_next)
            if child < 0:
                if free < 0:
                    return -1, a_count[:0], a_value[:0]
                child = n_s
                n_s += 1
                s_state[child] = s_next
                a_kids[an, free] = child
            node = child
            depth += 1
            path_s[depth] = node
        s = s_state[node]
        if depth < L and s_kids[node, 0] < 0:
            for o in range(K):
                s_kids[node, o] = n_a
                n_a += 1
        for h in range(depth, L):
            a = min(int(u[h, 0] * K), K - 1)
            r, s = model_step(m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew, h, s, a, u[h, 1], u[h, 2])
            total += gamma ** h * r
        for i in range(depth + 1):
            n = path_s[i]
            s_count[n] += 1
            s_value[n] += (total - s_value[n]) / s_count[n]
        for i in range(depth):
            an = path_a[i]
            a_count[an] += 1
            a_value[an] += (total - a_value[an]) / a_count[an]
    counts = np.zeros(K, np.int64)
    values = np.zeros(K)
    for o in range(K):
        an = s_kids[0, o]
        if an >= 0:
            counts[o] = a_count[an]
            values[o] = a_value[an]
    return _most_visited(counts, values, K), counts, values


# ------------------------------------------------------------------------------------------ KL-OLOP
@njit(cache=True, nogil=True)
def olop_run(m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew, s0, K, gamma, threshold, U):
    M, L = U.shape[0], U.shape[1]
    cap = M * L * K + 1
    kids = np.full((cap, K), -1, np.int64)
    count = np.zeros(cap, np.int64)
    rsum = np.zeros(cap)
    mu = np.ones(cap)
    upper = np.zeros(cap)
    parent = np.full(cap, -1, np.int64)
    depth = np.zeros(cap, np.int64)
    n_nodes = 1
    upper[0] = max_value(gamma, L + 1)
    vals = np.empty(K)
    for t in range(M):
        u = U[t]
        node = 0
        s = s0
        for h in range(L):
            if kids[node, 0] < 0:
                for o in range(K):
                    c = n_nodes
                    n_nodes += 1
                    kids[node, o] = c
                    parent[c] = node
                    depth[c] = depth[node] + 1
                    upper[c] = max_value(gamma, L + 1 - depth[c])
                a = min(int(u[h, 0] * K), K - 1)
            else:
                for o in range(K):
                    vals[o] = upper[kids[node, o]]
                a = lowest_argmax(vals, K)
            r, s = model_step(m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew, h, s, a, u[h, 1], u[h, 2])
            node = kids[node, a]
            count[node] += 1
            rsum[node] += r
            mu[node] = _kl_upper_scalar(rsum[node] / count[node], max(threshold / count[node], 0.0))
        while node >= 0:
            if kids[node, 0] < 0:
                upper[node] = mu[node]
            else:
                best = -np.inf
                for o in range(K):
                    best = max(best, upper[kids[node, o]])
                upper[node] = mu[node] + gamma * best
            node = parent[node]
    counts = np.zeros(K, np.int64)
    values = np.zeros(K)
    for o in range(K):
        c = kids[0, o]
        counts[o] = count[c]
        values[o] = upper[c]
    return _most_visited(counts, values, K), counts, values


# --------------------------------------------------------------------------------------------- BRUE
@njit(cache=True, nogil=True)
def _brue_estimate(d, L, K, B, gamma, s_depth, s_kids, s_reward, s_count, c_value, c_kids, u, col):
    """Discounted return of following the empirically best action and empirically drawn next states from
    state node ``d`` (rl-agents ``BRUE.estimate``); ``u[col + i]`` draws the ``i``-th next state."""
    ret = 0.0
    vals = np.empty(K)
    for i in range(L - s_depth[d]):
        has = False
        for o in range(K):
            c = s_kids[d, o]
            if c >= 0:
                vals[o] = c_value[c]
                has = True
            else:
                vals[o] = -np.inf
        if not has:
            break
        c = s_kids[d, lowest_argmax(vals, K)]
        tot = 0
        for j in range(B):
            if c_kids[c, j] >= 0:
                tot += s_count[c_kids[c, j]]
        target = u[col + i] * tot
        acc = 0.0
        nxt = -1
        for j in range(B):
            k = c_kids[c, j]
            if k >= 0:
                nxt = k
                acc += s_count[k]
                if acc > target:
                    break
        d = nxt
        ret += gamma ** i * s_reward[d]
    return ret


@njit(cache=True, nogil=True)
def brue_run(m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew, s0, K, B, gamma, U):
    M, L = U.shape[0], U.shape[1]
    cap = M * L + 1
    s_state = np.zeros(cap, np.int64)
    s_depth = np.zeros(cap, np.int64)
    s_kids = np.full((cap, K), -1, np.int64)
    s_reward = np.zeros(cap)
    s_count = np.zeros(cap, np.int64)
    c_value = np.zeros(cap)
    c_count = np.zeros(cap, np.int64)
    c_kids = np.full((cap, B), -1, np.int64)
    n_s = 1
    n_c = 0
    s_state[0] = s0
    path_s = np.empty(L + 1, np.int64)
    path_c = np.empty(L, np.int64)
    rewards = np.empty(L)
    for t in range(M):
        u = U[t]
        d = 0
        path_s[0] = 0
        for h in range(L):
            a = min(int(u[h, 0] * K), K - 1)
            r, s_next = model_step(m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew, h, s_state[d], a, u[h, 1], u[h, 2])
            c = s_kids[d, a]
            if c < 0:
                c = n_c
                n_c += 1
                s_kids[d, a] = c
            kid, free = find_child(c_kids, c, s_state, s_next)
            if kid < 0:
                if free < 0:
                    return -1, c_count[:0], c_value[:0]
                kid = n_s
                n_s += 1
                s_state[kid] = s_next
                s_depth[kid] = h + 1
                c_kids[c, free] = kid
            path_c[h] = c
            rewards[h] = r
            d = kid
            path_s[h + 1] = d
        for h in range(L - 1, -1, -1):
            nxt = path_s[h + 1]
            s_count[nxt] += 1
            s_reward[nxt] += (rewards[h] - s_reward[nxt]) / s_count[nxt]
            est = rewards[h] + gamma * _brue_estimate(nxt, L, K, B, gamma, s_depth, s_kids, s_reward, s_count,
                                                      c_value, c_kids, u[h], 3)
            c = path_c[h]
            c_count[c] += 1
            c_value[c] += (est - c_value[c]) / c_count[c]
    counts = np.zeros(K, np.int64)
    values = np.full(K, -np.inf)
    for o in range(K):
        c = s_kids[0, o]
        if c >= 0:
            counts[o] = c_count[c]
            values[o] = c_value[c]
    return lowest_argmax(values, K), counts, values
