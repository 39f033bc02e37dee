"""Benchmark: RF-Express episodes per second on NRoom (S = 389, A = 4, H = 30) against the official code's design.

The official design (``rl_fast_active_learning: algorithms/adaptive_rf.py`` [C], re-implemented here from its
description): a dense ``P_hat (H, S, A, S)`` updated after each episode and ``W`` recomputed by one Numba backward
induction over the dense array (rlberry's ``backward_induction_sd`` with the ``1 + 1/H`` multiplier as a
"discount"), ``O(H S^2 A)`` per episode. Ours: the fused loop (:func:`solvers.exploration.explore`, sparse rows of
the observed next states, ``O(H S A + nnz)`` per episode) and the episode-by-episode interface loop. All three in
this run, ``--repeats`` times each; medians and their ratios are printed with the load average (the machine is
shared: the numbers are noisy).

    python benchmarks/rfexpress.py --episodes 2000 --official-episodes 100 --repeats 3

Each timing is one call of ``episodes`` episodes (setup included: a fused call converts the dense counts to rows
and back, ~0.5 s on NRoom); the official design runs fewer episodes (its cost per episode does not change with
the counts) and the comparison is in episodes per second.
"""
from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
from numba import njit

from mdptheory.envs import nroom
from solvers.exploration import RFExpress, explore


@njit(cache=True)
def _dense_backward(P_hat, bonus, mult):
    H, S, A, _ = P_hat.shape
    W = np.empty((H, S, A))
    V = np.zeros(S)
    for h in range(H - 1, -1, -1):
        Vn = np.zeros(S)
        for s in range(S):
            best = -np.inf
            for a in range(A):
                acc = 0.0
                for t in range(S):
                    acc += P_hat[h, s, a, t] * V[t]
                w = bonus[h, s, a] + mult * acc
                W[h, s, a] = w
                best = max(best, w)
            Vn[s] = best
        V = Vn
    return W


def official_design(env, episodes: int, seed: int) -> float:
    """Dense P_hat, one dense backward induction per episode, greedy rollout (no clipping, the NRoom runs)."""
    H, S, A = env.H, env.S, env.A
    rng = np.random.default_rng(seed)
    N_sa = np.zeros((H, S, A))
    N_sas = np.zeros((H, S, A, S))
    P_hat = np.full((H, S, A, S), 1.0 / S)
    b = math.log(3 * S * A * H / 0.1)
    beta = lambda n: b + S * np.log(8 * math.e * (n + 1))  # noqa: E731
    bonus = 15 * H * H * beta(N_sa)
    s0 = int(np.argmax(env.mu0))
    t0 = time.perf_counter()
    for _ in range(episodes):
        W = _dense_backward(P_hat, bonus, 1.0 + 1.0 / H)
        s = s0
        for h in range(H):
            a = int(np.argmax(W[h, s]))
            s2 = int(rng.choice(S, p=env.P[h, s, a]))
            N_sa[h, s, a] += 1
            N_sas[h, s, a, s2] += 1
            P_hat[h, s, a] = N_sas[h, s, a] / N_sa[h, s, a]
            bonus[h, s, a] = 15 * H * H * beta(N_sa[h, s, a]) / N_sa[h, s, a]
            s = s2
    return time.perf_counter() - t0


def ours(env, episodes: int, seed: int, fast: bool) -> float:
    agent = RFExpress(env.S, env.A, env.H, eps=0.1, clip="none")
    t0 = time.perf_counter()
    explore(agent, env, episodes, rng=seed, stop=False, fast=fast)
    return time.perf_counter() - t0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=2000, help="episodes of our runs")
    ap.add_argument("--official-episodes", type=int, default=100, help="episodes of the official design's runs")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    env = nroom()
    official_design(env, 2, 0)
    ours(env, 2, 0, True)
    ours(env, 2, 0, False)                     # compile / load caches
    n = {"official design (dense, Numba BI)": args.official_episodes, "ours, fused loop": args.episodes,
         "ours, episode loop": args.official_episodes}
    rows = {k: [] for k in n}
    for r in range(args.repeats):
        rows["official design (dense, Numba BI)"].append(official_design(env, n["official design (dense, Numba BI)"], r))
        rows["ours, fused loop"].append(ours(env, n["ours, fused loop"], r, True))
        rows["ours, episode loop"].append(ours(env, n["ours, episode loop"], r, False))
    rate = {k: n[k] / float(np.median(v)) for k, v in rows.items()}
    base = rate["official design (dense, Numba BI)"]
    print(f"NRoom S={env.S} A={env.A} H={env.H}, {args.repeats} repeats; load average {os.getloadavg()} "
          f"(shared machine: noisy)")
    for k, v in rows.items():
        print(f"{k:38s} {n[k]:6d} episodes  median {float(np.median(v)):8.3f} s  {rate[k]:9.1f} episodes/s  "
              f"speed-up {rate[k] / base:6.1f}x")


if __name__ == "__main__":
    main()
