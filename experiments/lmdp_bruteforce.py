"""Ground truth for the latent-MDP claims, by code that shares nothing with :mod:`solvers.latent`.

Histories are tuples of observations ``(s_1, r_1, s_2, ..., r_{h-1}, s_h)`` (rewards as the exact floats of
``R``), policies are dicts ``history -> action``, and every expectation is a sum over the enumerated
trajectories ``(m, s_1, a_1, s_2, ...)`` with their probabilities ``w_m nu_m(s_1) prod_t P_m(s_{t+1}|s_t, a_t)``
(the definition, no recursion over alpha vectors, no tree layout). Micro instances only: the number of
deterministic history policies is doubly exponential in ``H``.

- :func:`policies_per_root` / :func:`all_policies` -- every deterministic history policy (as dicts);
- :func:`trajectory_moments` -- per context ``E_m[X]`` and ``E_m[X^2]`` of the return ``X``;
- :func:`brute_force_optimum` -- ``V*`` as a maximum over enumerated policies (one root at a time: the
  value is a sum over the initial states of terms that only the policy's subtree at that state affects);
- :func:`conditional_values` -- ``E[future return | history]`` at every history of positive probability
  (Bayes' rule over contexts, by summing trajectories through the history);
- :func:`optimal_alphas` -- the alpha vectors of the optimal continuation at every history, by
  enumerating the subpolicies from it;
- :func:`brute_force_var_star` -- ``Var*`` (definition of :mod:`solvers.latent.planner`) as a maximum over
  enumerated policies of the total variance of those alpha vectors.

It is a helper module of the experiments (no ``NAME``), not an experiment.
"""
from __future__ import annotations

import itertools
from typing import Iterator

import numpy as np

__all__ = ["policies_per_root", "all_policies", "trajectories", "trajectory_moments", "policy_value",
           "brute_force_optimum", "conditional_values", "brute_force_var_star", "policy_from_table",
           "count_policies", "optimal_alphas"]


def _children(R, P, s: int, a: int) -> list[tuple[float, int]]:
    """Observations ``(r, s')`` some context can produce after ``(s, a)``."""
    out = set()
    for m in range(R.shape[0]):
        for s2 in np.flatnonzero(P[m, s, a] > 0):
            out.add((float(R[m, s, a]), int(s2)))
    return sorted(out)


def _subpolicies(R, P, H: int, prefix: tuple, s: int, h: int) -> Iterator[dict]:
    """Every deterministic policy of the subtree at history ``prefix`` (ending in state ``s``, level ``h``)."""
    A = R.shape[2]
    for a in range(A):
        if h == H - 1:
            yield {prefix: a}
            continue
        kids = _children(R, P, s, a)
        subs = [list(_subpolicies(R, P, H, prefix + (r, s2), s2, h + 1)) for r, s2 in kids]
        for combo in itertools.product(*subs):
            d = {prefix: a}
            for part in combo:
                d.update(part)
            yield d


def count_policies(R, P, H: int, s: int, h: int = 0) -> int:
    """Number of deterministic subpolicies at a state of level ``h`` (to refuse a too-large enumeration)."""
    if h == H - 1:
        return R.shape[2]
    total = 0
    for a in range(R.shape[2]):
        prod = 1
        for _, s2 in _children(R, P, s, a):
            prod *= count_policies(R, P, H, s2, h + 1)
        total += prod
    return total


def policies_per_root(lmdp) -> dict[int, list[dict]]:
    """``s_1 -> every deterministic subpolicy rooted at the history (s_1,)``."""
    out = {}
    for s in range(lmdp.S):
        n = count_policies(lmdp.R, lmdp.P, lmdp.H, s)
        if n > 200_000:
            raise ValueError(f"{n} subpolicies at state {s}: too many to enumerate")
        out[s] = list(_subpolicies(lmdp.R, lmdp.P, lmdp.H, (s,), s, 0))
    return out


def all_policies(lmdp, limit: int = 20_000) -> list[dict]:
    """Every deterministic history policy (the product over initial states), at most ``limit`` of them."""
    roots = policies_per_root(lmdp)
    n = int(np.prod([len(v) for v in roots.values()]))
    if n > limit:
        raise ValueError(f"{n} history policies exceed the limit {limit}")
    out = []
    for combo in itertools.product(*roots.values()):
        d = {}
        for part in combo:
            d.update(part)
        out.append(d)
    return out


def trajectories(lmdp, policy: dict, m: int, s1: int | None = None) -> Iterator[tuple[float, list, list]]:
    """``(probability, observations, rewards)`` of every trajectory of context ``m`` (probability > 0), from
    every initial state or only from ``s1``; the probability includes ``nu_m(s_1)`` but not ``w_m``;
    ``observations`` lists the history tuples visited."""
    H = lmdp.H

    def walk(prob, hist, s, h, rewards):
        if h == H:
            yield prob, rewards
            return
        a = policy[hist]
        r = float(lmdp.R[m, s, a])
        for s2 in np.flatnonzero(lmdp.P[m, s, a] > 0):
            s2 = int(s2)
            yield from walk(prob * lmdp.P[m, s, a, s2], hist + (r, s2), s2, h + 1, rewards + [(hist, r)])

    starts = np.flatnonzero(lmdp.nu[m] > 0) if s1 is None else [s1]
    for s in starts:
        s = int(s)
        for prob, rewards in walk(float(lmdp.nu[m, s]), (s,), s, 0, []):
            yield prob, [hist for hist, _ in rewards], [r for _, r in rewards]


def trajectory_moments(lmdp, policy: dict) -> tuple[np.ndarray, np.ndarray]:
    """``(E_m[X], E_m[X^2])`` per context, summing over trajectories."""
    e1, e2 = np.zeros(lmdp.M), np.zeros(lmdp.M)
    for m in range(lmdp.M):
        for prob, _, rewards in trajectories(lmdp, policy, m):
            x = float(sum(rewards))
            e1[m] += prob * x
            e2[m] += prob * x * x
    return e1, e2


def policy_value(lmdp, policy: dict) -> float:
    """``sum_m w_m E_m[X]``."""
    return float(lmdp.weights @ trajectory_moments(lmdp, policy)[0])


def brute_force_optimum(lmdp) -> tuple[float, dict]:
    """``(V*, an optimal policy)`` by enumeration, one initial state at a time."""
    best_total, best_policy = 0.0, {}  # the value is a sum over s_1 of terms only the subtree at s_1 affects
    for s, subs in policies_per_root(lmdp).items():
        vals = []
        for d in subs:
            vals.append(sum(lmdp.weights[m] * prob * sum(rewards)
                            for m in range(lmdp.M) for prob, _, rewards in trajectories(lmdp, d, m, s)))
        k = int(np.argmax(vals))
        best_total += vals[k]
        best_policy.update(subs[k])
    return best_total, best_policy


def conditional_values(lmdp, policy: dict) -> dict[tuple, float]:
    """``history -> E[sum of the rewards from that history on | history]`` for every history the policy reaches
    with positive probability (over the mixture of contexts: Bayes' rule by summing trajectories)."""
    num: dict[tuple, float] = {}
    den: dict[tuple, float] = {}
    for m in range(lmdp.M):
        for prob, hists, rewards in trajectories(lmdp, policy, m):
            p = lmdp.weights[m] * prob
            for t, hist in enumerate(hists):
                num[hist] = num.get(hist, 0.0) + p * float(sum(rewards[t:]))
                den[hist] = den.get(hist, 0.0) + p
    return {k: num[k] / den[k] for k in num if den[k] > 0}


def policy_from_table(lmdp, table: np.ndarray) -> dict:
    """The dict form of a policy table of :class:`mdptheory.latent.HistoryTree` (every history a policy can
    reach under some context)."""
    tree = lmdp.tree
    out: dict = {}

    def walk(hist, states, actions, rewards, s, h):
        a = int(table[tree.node_index(states, actions, rewards)])
        out[hist] = a
        if h == lmdp.H - 1:
            return
        for r, s2 in _children(lmdp.R, lmdp.P, s, a):
            walk(hist + (r, s2), states + [s2], actions + [a], rewards + [r], s2, h + 1)

    for s in range(lmdp.S):
        walk((s,), [s], [], [], s, 0)
    return out


def _future(lmdp, policy: dict, m: int, hist: tuple, s: int, h: int, step_value) -> float:
    """``E_m[sum_{t >= h} step_value(m, hist_t, s_t, a_t) | history hist]`` by enumerating the paths from it."""
    if h == lmdp.H:
        return 0.0
    a = policy[hist]
    r = float(lmdp.R[m, s, a])
    total = step_value(m, hist, s, a)
    if h < lmdp.H - 1:
        for s2 in np.flatnonzero(lmdp.P[m, s, a] > 0):
            s2 = int(s2)
            total += lmdp.P[m, s, a, s2] * _future(lmdp, policy, m, hist + (r, s2), s2, h + 1, step_value)
    return total


def optimal_alphas(lmdp) -> dict[tuple, np.ndarray]:
    """``history -> alpha*(history) (M,)``: per context, the expected future return of the continuation that
    maximises ``sum_m u_m(history) E_m[future]`` over all subpolicies (``u`` = the posterior weights of the
    history), at every history some action sequence reaches under some context."""
    out: dict[tuple, np.ndarray] = {}
    reward = (lambda m, hist, s, a: float(lmdp.R[m, s, a]))

    def visit(hist, s, h, u):
        subs = list(_subpolicies(lmdp.R, lmdp.P, lmdp.H, hist, s, h))
        E = np.array([[_future(lmdp, d, m, hist, s, h, reward) for m in range(lmdp.M)] for d in subs])
        out[hist] = E[int(np.argmax(E @ u))]
        if h == lmdp.H - 1:
            return
        for a in range(lmdp.A):
            for r, s2 in _children(lmdp.R, lmdp.P, s, a):
                consistent = (lmdp.R[:, s, a] == r)
                visit(hist + (r, s2), s2, h + 1, u * lmdp.P[:, s, a, s2] * consistent)

    for s in range(lmdp.S):
        visit((s,), s, 0, lmdp.weights * lmdp.nu[:, s])
    return out


def brute_force_var_star(lmdp) -> float:
    """``max_pi sum_m w_m (V(nu_m, alpha*_m(s_1)) + E^pi_m sum_h V(P_m(.|s_h, a_h), alpha*_m(tau_{h+1})))`` by
    enumerating the deterministic policies (one initial state at a time: the trajectory term is a sum over
    ``s_1`` of terms that only the subtree at ``s_1`` affects; the initial term does not depend on ``pi``)."""
    star = optimal_alphas(lmdp)

    def step_var(m, hist, s, a):
        if len(hist) // 2 >= lmdp.H - 1:           # the last step: the continuation is 0
            return 0.0
        r = float(lmdp.R[m, s, a])
        x = np.array([star.get(hist + (r, s2), np.zeros(lmdp.M))[m] for s2 in range(lmdp.S)])
        p = lmdp.P[m, s, a]
        return float(p @ x ** 2 - (p @ x) ** 2)

    roots = np.array([star[(s,)] for s in range(lmdp.S)])        # (S, M)
    initial = sum(lmdp.weights[m] * (lmdp.nu[m] @ roots[:, m] ** 2 - (lmdp.nu[m] @ roots[:, m]) ** 2)
                  for m in range(lmdp.M))
    total = float(initial)
    for s, subs in policies_per_root(lmdp).items():
        total += max(sum(lmdp.weights[m] * lmdp.nu[m, s] * _future(lmdp, d, m, (s,), s, 0, step_var)
                         for m in range(lmdp.M)) for d in subs)
    return total
