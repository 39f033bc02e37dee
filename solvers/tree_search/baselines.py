r"""The planning baselines of MDP-GapE's experiments (spec section 3.7): UCT, KL-OLOP and BRUE with a fixed
budget, and Sparse Sampling.

The fixed-budget planners split the budget ``n`` by OLOP's rule into ``M`` trajectories of ``L`` calls
(:func:`olop_allocation`, as rl-agents does for all of them [C]) and draw the uniforms ``(M, L, w)`` from
``rng`` up front. Deviations from rl-agents, named: the budget is strict (BRUE runs ``floor(n / L)``
rollouts, the code ``ceil(n / L)``); ties follow the suite's rule (lowest index; uniformly random where the
code uses ``random_argmax`` in a sampling rule); UCT's ``temperature`` defaults to ``2 / (1 - gamma)`` as the
code's config intends, while the code evaluates it with its class default ``gamma = 0.8`` (an effective
``temperature = 10`` whatever the ``gamma`` passed; the experiments pass 10 explicitly).

Guarantees [R]: Sparse Sampling is (eps, delta)-correct with ``C = O~(H^2 / eps^2)`` samples per node and
``(K C)^H`` calls whatever the instance; UCT's guarantees are asymptotic; KL-OLOP and BRUE bound the simple
regret of a fixed budget.
"""
from __future__ import annotations

import math
import time

import numpy as np

from mdptheory import backends
from mdptheory.generative import GenerativeOracle
from mdptheory.validation import as_generator, check_positive_int

from . import _baselines as K_
from . import reference as R_
from ._common import lowest_argmax_np, olop_allocation
from .mdp_gape import _check_oracle
from .result import TreeSearchResult

__all__ = ["uct", "kl_olop", "brue", "sparse_sampling", "sparse_sampling_budget", "sparse_sampling_calls"]

backends.register("tree_search.uct", numba=K_.uct_run, numpy=R_.uct_objects)
backends.register("tree_search.kl_olop", numba=K_.olop_run, numpy=R_.olop_objects)
backends.register("tree_search.brue", numba=K_.brue_run, numpy=R_.brue_objects)


def _split(oracle: GenerativeOracle, budget: int | None) -> tuple[int, int, int]:
    n = oracle.remaining if budget is None else check_positive_int(budget, "budget")
    if n is None:
        raise ValueError("give budget=... (or an oracle with a budget) for a fixed-budget planner")
    if oracle.remaining is not None and n > oracle.remaining:
        raise ValueError(f"budget = {n} exceeds the oracle's remaining {oracle.remaining} calls")
    if not oracle.model.gamma < 1.0:
        raise ValueError("the fixed-budget split needs gamma < 1 (OLOP's depth grows like log M / log(1/gamma))")
    M, L = olop_allocation(n, oracle.model.gamma)
    oracle.model.check_depth(L)
    return n, M, L


def _finish(method, oracle, action, counts, values, M, L, n, t0, params) -> TreeSearchResult:
    if action < 0:
        raise ValueError(f"a transition reached more than B = {oracle.model.B} distinct next states")
    oracle.charge(M * L)
    K = oracle.model.K
    return TreeSearchResult(action=int(action), calls=M * L, trajectories=M, status="done",
                            root_upper=np.full(K, np.nan), root_lower=np.full(K, np.nan),
                            root_counts=np.asarray(counts, np.int64), root_values=np.asarray(values, float), depth=L,
                            wall_time=time.perf_counter() - t0, method=method,
                            params={"budget": n, "M": M, "L": L, **params}, extra={"M": M, "L": L})


def uct(oracle: GenerativeOracle, budget: int | None = None, temperature: float | None = None, rng=None,
        backend: str = "numba") -> TreeSearchResult:
    """UCT with a fixed budget (rl-agents ``MCTSAgent``, ``closed_loop=True`` [C]; Kocsis & Szepesvari 2006).

    ``temperature``: exploration weight ``T`` of the index ``value + T / (count + 1)`` (default
    ``2 / (1 - gamma)``; the official code's effective value is 10, see the module docstring).
    """
    t0 = time.perf_counter()
    oracle = _check_oracle(oracle)
    n, M, L = _split(oracle, budget)
    m = oracle.model
    T = 2.0 / (1.0 - m.gamma) if temperature is None else float(temperature)
    if not T >= 0:
        raise ValueError(f"temperature must be >= 0, got {temperature!r}")
    U = as_generator(rng).random((M, L, 3))
    a, counts, values = backends.pick("tree_search.uct", backend)(*m.kernel(), m.s0, m.K, m.B, m.gamma, T, U)
    return _finish("UCT", oracle, a, counts, values, M, L, n, t0, {"temperature": T, "backend": backend})


def kl_olop(oracle: GenerativeOracle, budget: int | None = None, threshold: float | None = None, rng=None,
            backend: str = "numba") -> TreeSearchResult:
    """KL-OLOP with a fixed budget (Leurent & Maillard 2019; rl-agents ``OLOPAgent`` with ``kullback-leibler``
    bounds and a lazy tree [C]). ``threshold`` defaults to the experiments' ``log M``."""
    t0 = time.perf_counter()
    oracle = _check_oracle(oracle)
    n, M, L = _split(oracle, budget)
    m = oracle.model
    thr = math.log(M) if threshold is None else float(threshold)
    U = as_generator(rng).random((M, L, 3))
    a, counts, values = backends.pick("tree_search.kl_olop", backend)(*m.kernel(), m.s0, m.K, m.gamma, thr, U)
    return _finish("KL-OLOP", oracle, a, counts, values, M, L, n, t0, {"threshold": thr, "backend": backend})


def brue(oracle: GenerativeOracle, budget: int | None = None, rng=None, backend: str = "numba") -> TreeSearchResult:
    """BRUE with a fixed budget (Feldman & Domshlak 2014; rl-agents ``BRUEAgent`` [C]): ``floor(n / L)`` uniformly
    random rollouts of depth ``L`` (OLOP's depth for ``n``)."""
    t0 = time.perf_counter()
    oracle = _check_oracle(oracle)
    n, _, L = _split(oracle, budget)
    M = n // L
    m = oracle.model
    U = as_generator(rng).random((M, L, 3 + L))
    a, counts, values = backends.pick("tree_search.brue", backend)(*m.kernel(), m.s0, m.K, m.B, m.gamma, U)
    return _finish("BRUE", oracle, a, counts, values, M, L, n, t0, {"backend": backend})


# ----------------------------------------------------------------------------------- Sparse Sampling
def sparse_sampling_calls(K: int, C: int, H: int, B: int | None = None) -> int:
    """Worst-case oracle calls of Sparse Sampling: ``sum_{d < H} K C (K w)^d`` with ``w = C`` (every sample its
    own subtree, Kearns et al.'s ``(KC)^H`` order) or ``w = min(C, B)`` when identical next states are merged."""
    w = C if B is None else min(C, B)
    return int(sum(K * C * (K * w) ** d for d in range(H)))


def sparse_sampling(oracle: GenerativeOracle, H: int, C: int, merge: bool = True, rng=None,
                    max_calls: int = 50_000_000) -> TreeSearchResult:
    r"""Sparse Sampling (Kearns, Mansour & Ng 2002; rl-agents ``SparseSampling`` [C]): ``C`` calls per
    (node, action) down to depth ``H``, ``Q_d(s, a) = mean(r) + gamma / C sum_i V_{d+1}(s'_i)``,
    ``V_d = max_a Q_d``, ``V_H = 0``; recommends ``argmax_a Q_0(s0, a)``. The number of calls does not depend on
    the instance's gaps (only on the coincidences of next states when ``merge``).

    ``merge=True`` (the official code) gives identical next states of one (node, action) a single subtree, weighted
    by their count; ``merge=False`` is the original algorithm (``(K C)^H`` calls). Deviation: the node's reward is
    the mean of its ``C`` samples (the code keeps the last sample's; equal for deterministic rewards). Level by
    level and vectorised (NumPy); raises before sampling if the worst case exceeds ``max_calls``.
    """
    t0 = time.perf_counter()
    oracle = _check_oracle(oracle)
    m = oracle.model
    H = m.check_depth(H)
    C = check_positive_int(C, "C")
    worst = sparse_sampling_calls(m.K, C, H, m.B if merge else None)
    if worst > max_calls:
        raise ValueError(f"Sparse Sampling with K = {m.K}, C = {C}, H = {H} may need {worst:.3g} calls > max_calls = "
                         f"{max_calls:.3g}; lower C or H (or raise max_calls)")
    if oracle.remaining is not None and oracle.remaining < m.K * C:
        raise ValueError(f"the oracle's remaining budget ({oracle.remaining}) is below one node's K C = {m.K * C} "
                         "calls")
    gen = as_generator(rng)
    from mdptheory.generative import _sample_numpy

    K = m.K
    states = [np.array([m.s0], np.int64)]
    links = []           # per level: (parent pair index (n_children,), weight (n_children,)), mean rewards (n*K,)
    calls = 0
    status = "done"
    for d in range(H):
        n = len(states[-1])
        if oracle.remaining is not None and calls + n * K * C > oracle.remaining:
            status = "budget"
            break
        s = np.repeat(states[-1], K * C)
        a = np.tile(np.repeat(np.arange(K), C), n)
        r, s_next = _sample_numpy(*m.kernel(), np.full(len(s), d, np.int64), s, a, gen.random((len(s), 2)))
        calls += len(s)
        pair = np.repeat(np.arange(n * K), C)
        mean_r = r.reshape(n * K, C).mean(axis=1)
        if merge:
            keys, inv, cnt = np.unique(np.stack([pair, s_next]), axis=1, return_inverse=True, return_counts=True)
            parent, child_states, weight = keys[0], keys[1], cnt / C
        else:
            parent, child_states, weight = pair, s_next, np.full(len(pair), 1.0 / C)
        links.append((parent, weight, mean_r))
        states.append(child_states.astype(np.int64))
    oracle.charge(calls)
    if status == "budget":
        raise_budget = (f"Sparse Sampling ran out of budget at depth {len(links)} of {H} "
                        f"({calls} calls); give a larger budget or a smaller C or H")
        raise ValueError(raise_budget)
    V = np.zeros(len(states[-1]))
    for parent, weight, mean_r in reversed(links):
        Q = mean_r + m.gamma * np.bincount(parent, weights=weight * V, minlength=len(mean_r))
        V = Q.reshape(-1, K).max(axis=1)
    Q0 = Q.reshape(-1, K)[0]
    counts = np.full(K, C, np.int64)
    return TreeSearchResult(action=lowest_argmax_np(Q0), calls=calls, trajectories=0, status=status,
                            root_upper=np.full(K, np.nan), root_lower=np.full(K, np.nan), root_counts=counts,
                            root_values=Q0, depth=H, wall_time=time.perf_counter() - t0, method="Sparse Sampling",
                            params={"H": H, "C": C, "merge": merge},
                            extra={"nodes_per_level": [len(x) for x in states], "worst_case_calls": worst})


def sparse_sampling_budget(oracle: GenerativeOracle, budget: int | None = None, merge: bool = True,
                           rng=None) -> TreeSearchResult:
    """Sparse Sampling under a fixed budget (our adaptation; not in the paper): depth ``L`` from OLOP's split
    (reduced until one sample per node fits), then the largest width ``C`` whose worst-case calls fit."""
    oracle = _check_oracle(oracle)
    n = oracle.remaining if budget is None else check_positive_int(budget, "budget")
    if n is None:
        raise ValueError("give budget=... (or an oracle with a budget)")
    m = oracle.model
    _, L = olop_allocation(n, m.gamma)
    B = m.B if merge else None
    while L > 1 and sparse_sampling_calls(m.K, 1, L, B) > n:
        L -= 1
    if sparse_sampling_calls(m.K, 1, L, B) > n:
        raise ValueError(f"budget = {n} is below one Sparse Sampling node (K = {m.K} calls)")
    C = 1
    while sparse_sampling_calls(m.K, C + 1, L, B) <= n:
        C += 1
    res = sparse_sampling(oracle, L, C, merge=merge, rng=rng)
    res.params["budget"] = n
    return res
