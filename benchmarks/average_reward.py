"""Average-reward benchmark: RVI (Numba and NumPy backends) and unichain PI against a plain NumPy RVI, and the
estimator's wall time per replication.

Run:  python benchmarks/average_reward.py [--quick]

Everything is measured in the same run and printed as ratios against the plain NumPy RVI; times are medians
of repeats (3, or 1 for the largest sizes); the 1-minute load average is printed before and after (the machine is
shared: treat the numbers as noisy). Accuracy is reported next to each time (the certified gain half-width).

Models: sparse Garnets (CSR, ``A = 4``, ``branching = 3``) with a 1% restart to state 0 in every row, so that every
policy is unichain (PI's requirement) and RVI's span contracts. Sizes S = 1e3, 1e4, 1e5 (``--quick``: 1e3, 1e4).
PI evaluates with BiCGSTAB from S = 1000 on (SuperLU's fill-in on random sparse graphs took minutes at S = 1e4).

The plain baseline: NumPy RVI with the same transform and stopping rule, written without the library
(``Q = R + tau (P @ V)``, ``T V = max_a Q + (1 - tau) V``, stop when ``span(T V - V) <= 2 tol``).

Estimator: one replication of Algorithm 4.1 at Figure 1a's largest n (4.5e7 samples per pair on the two-state
escape family) and of the Jin-Sidford baseline, median of 20.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import solvers  # noqa: E402
from mdptheory import FiniteMDP  # noqa: E402
from mdptheory.envs import garnet, two_state_escape  # noqa: E402
from solvers.average_reward.estimator import (GenerativeSampler, amdp_estimator, epsilon_for_samples,  # noqa: E402
                                              jin_sidford_epsilon, jin_sidford_reduction)
from _timing import load_line, median  # noqa: E402  (benchmarks/ is the script's folder)

TOL = 1e-6
TAU = 0.5


def restart_garnet(S: int, seed: int = 0) -> FiniteMDP:
    base = garnet(S, 4, 3, rng=seed, gamma=None, sparse=True)
    E0 = sp.csr_array((np.ones(S * 4), (np.arange(S * 4), np.zeros(S * 4, dtype=np.int64))), shape=(S * 4, S))
    return FiniteMDP(sp.csr_array(0.99 * base.P_flat + 0.01 * E0), base.R, None)


def plain_rvi(mdp: FiniteMDP, tol: float = TOL, tau: float = TAU, max_iter: int = 100_000):
    P, R = mdp.P_flat, mdp.R
    S, A = R.shape
    V = np.zeros(S)
    for k in range(1, max_iter + 1):
        TV = (R + tau * (P @ V).reshape(S, A)).max(axis=1) + (1 - tau) * V
        d = TV - V
        if d.max() - d.min() <= 2 * tol:
            return 0.5 * (d.max() + d.min()), k
        V = TV - TV[0]
    raise RuntimeError("plain RVI did not converge")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    print(load_line("before"))
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    warm = restart_garnet(50)
    solvers.relative_value_iteration(warm, tol=TOL)                      # JIT warm-up
    print(f"\n{'S':>7} {'method':<24} {'time [s]':>9} {'iters':>6} {'half-width':>10} {'vs plain':>9}")
    for S in sizes:
        mdp = restart_garnet(S)
        reps = 3 if S < 100_000 else 1
        t_plain, (g_plain, k_plain) = median(lambda: plain_rvi(mdp), reps)
        print(f"{S:>7} {'plain NumPy RVI':<24} {t_plain:>9.3f} {k_plain:>6} {'-':>10} {1.0:>9.2f}")
        for backend in ("numba", "numpy"):
            t, res = median(lambda: solvers.relative_value_iteration(mdp, tol=TOL, backend=backend), reps)
            assert abs(res.gain - g_plain) <= 2 * TOL
            print(f"{S:>7} {'RVI ' + backend:<24} {t:>9.3f} {res.iterations:>6} {res.error_bound:>10.2g} "
                  f"{t_plain / t:>9.2f}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t, res = median(lambda: solvers.average_reward_policy_iteration(mdp, tol=TOL), reps)
        print(f"{S:>7} {'PI (BiCGSTAB)':<24} {t:>9.3f} {res.iterations:>6} {res.error_bound:>10.2g} "
              f"{t_plain / t:>9.2f}")
    m = two_state_escape(0.05)
    n = int(4500 * 10 * 1000)
    print(f"\nestimator on two_state_escape(0.05), n = {n:.2g} samples per pair (Figure 1a's largest):")
    for name, est, eps_of in (("Algorithm 4.1", amdp_estimator, epsilon_for_samples),
                              ("Jin-Sidford", jin_sidford_reduction, jin_sidford_epsilon)):
        rng = np.random.default_rng(0)
        t, _ = median(lambda: est(GenerativeSampler(m, rng), eps_of(n, 10.0, 4500.0), 10.0, n), 20)
        print(f"  {name:<14} {1e3 * t:8.2f} ms per replication")
    print("\n" + load_line("after"))


if __name__ == "__main__":
    main()
