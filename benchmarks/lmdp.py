"""Latent-MDP benchmark: exact history-tree planning (Numba and NumPy backends) against a plain recursive Python
planner, and the learner's episodes per second.

Run:  python benchmarks/lmdp.py [--quick]

Planning: random LMDPs with M = 3, S = 3, A = 2, H = 5 (the issue's size), rewards shared by the contexts
(G = 1: 4,665 full-tree nodes) and, without ``--quick``, per-context rewards (G = 3: 333,333 nodes). The plain
baseline is the spec's linear-in-u recursion ``U(tau) = max_a [sum_m u_m R_m(s,a) + sum_{g,s'} U(tau a g s')]``
written as a direct Python recursion over histories (lists, no NumPy, no library code); every planner's ``V*``
must agree with it to 1e-12. Times are medians of repeats measured in the same run, printed as ratios against
the plain planner; the 1-minute load average is printed before and after (the machine is shared: the numbers
are noisy).

Learner: episodes per second of the value-optimistic learner (Bernstein), the model-optimistic one, and the
Hoeffding baseline on a random LMDP (M = 2, S = 3, A = 2, H = 3), 2,000 episodes through
``solvers.learners.run`` (planning on the doubling schedule, the exact regret of every episode included).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from mdptheory.envs.latent import random_lmdp  # noqa: E402
from solvers.latent import HoeffdingLMDP, HorizonFreeLMDP, LatentOracle, latent_planning  # noqa: E402
from solvers.learners import run  # noqa: E402
from _timing import load_line, median  # noqa: E402  (benchmarks/ is the script's folder)


def plain_planner(w, nu, P, R, H) -> float:
    """``V* = sum_{s_1} U((s_1,))`` by the linear-in-u recursion over histories, in plain Python."""
    M, S, A = len(w), len(nu[0]), len(R[0][0])
    P, R = P.tolist(), R.tolist()

    def U(u, s, h):
        best = -1.0
        for a in range(A):
            total = sum(u[m] * R[m][s][a] for m in range(M))
            if h < H - 1:
                classes = {}
                for m in range(M):
                    classes.setdefault(R[m][s][a], []).append(m)
                for ms in classes.values():
                    for s2 in range(S):
                        child = [u[m] * P[m][s][a][s2] if m in ms else 0.0 for m in range(M)]
                        if any(child):
                            total += U(child, s2, h + 1)
            best = max(best, total)
        return best

    return sum(U([w[m] * nu[m][s] for m in range(M)], s, 0) for s in range(S))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    print(load_line("before"))
    latent_planning(random_lmdp(2, 2, 2, 2, rng=0))                   # JIT warm-up
    latent_planning(random_lmdp(2, 2, 2, 2, rng=0), backend="numpy")
    cases = [("shared rewards (G = 1)", True)] + ([] if args.quick else [("per-context rewards (G = 3)", False)])
    print(f"\nplanning, M = 3, S = 3, A = 2, H = 5\n{'case':<28} {'nodes':>8} {'method':<16} {'time [s]':>9} "
          f"{'vs plain':>9}")
    for label, shared in cases:
        lmdp = random_lmdp(3, 3, 2, 5, rng=1, shared_rewards=shared)
        nodes = lmdp.tree.n_full_nodes
        reps = 3 if shared else 1
        t_plain, v_plain = median(lambda: plain_planner(lmdp.weights, lmdp.nu, lmdp.P, lmdp.R, lmdp.H), reps)
        print(f"{label:<28} {nodes:>8} {'plain Python':<16} {t_plain:>9.4f} {1.0:>9.2f}")
        for backend in ("numba", "numpy"):
            t, res = median(lambda: latent_planning(lmdp, backend=backend), 5 if shared else 3)
            assert abs(res.value - v_plain) <= 1e-12, (res.value, v_plain)
            print(f"{'':<28} {'':>8} {'tree ' + backend:<16} {t:>9.4f} {t_plain / t:>9.1f}")
    lmdp = random_lmdp(2, 3, 2, 3, rng=2)
    K = 2000
    print(f"\nlearner, M = 2, S = 3, A = 2, H = 3, {K} episodes (median of 3 runs)")
    print(f"{'learner':<22} {'episodes/s':>11} {'planning share':>15} {'plans':>6}")
    for name, make in (("value-optimistic", lambda: HorizonFreeLMDP(3, 2, 3, rewards=lmdp.R, n_episodes=K)),
                       ("model-optimistic", lambda: HorizonFreeLMDP(3, 2, 3, rewards=lmdp.R, n_episodes=K,
                                                                    solver="model")),
                       ("Hoeffding baseline", lambda: HoeffdingLMDP(3, 2, 3, rewards=lmdp.R, n_episodes=K))):
        oracle = LatentOracle(lmdp)
        run(make(), None, 20, rng=0, oracle=oracle)                 # warm-up
        ts, shares, plans = [], [], []
        for rep in range(3):
            agent = make()
            trace = run(agent, None, K, rng=rep, oracle=oracle)
            ts.append(trace.wall_time)
            shares.append(trace.phase_times["planning"] / trace.wall_time)
            plans.append(agent.n_plans)
        print(f"{name:<22} {K / np.median(ts):>11.0f} {np.median(shares):>14.0%} {int(np.median(plans)):>6}")
    print("\n" + load_line("after"))


if __name__ == "__main__":
    main()
