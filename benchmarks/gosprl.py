"""GOSPRL benchmark: environment steps per second of the full collection loop (planning included) on a 100-state
grid, and the share of the time spent planning.

Run:  python benchmarks/gosprl.py [--quick]

Model: ``gridworld(10, success_prob=0.8)`` (S = 100, A = 4, rlberry's slippery moves), start in the corner, the
uniform requirement ``b = 1`` at every pair (B = 400). Each strategy runs for at most ``STEPS`` steps (``--quick``:
fewer): GOSPRL with the Numba and the NumPy planners, GOSPRL without optimism, and the random walk (the loop
without planning: the cost of the environment and the bookkeeping alone). Times are medians of ``REPEATS`` runs
with different seeds, measured in the same process; the 1-minute load average is printed before and after (the
machine is shared: treat the numbers as noisy). The Numba kernels are compiled (and cached) before timing.

GOSPRL itself needs about 73 000 steps to meet this requirement (its optimism, with the valid-constant Bernstein sets,
fades only after ~70 samples per pair), so within ``STEPS`` it reports "met: no"; the steps per second are what is
measured.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from mdptheory.envs import gridworld  # noqa: E402
from solvers.collection import collect  # noqa: E402
from _timing import load_line  # noqa: E402  (benchmarks/ is the script's folder)

STEPS, QUICK_STEPS = 60_000, 15_000
REPEATS = 3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    steps = QUICK_STEPS if args.quick else STEPS
    print(load_line("before"))
    env = gridworld(10, success_prob=0.8)
    b = np.ones((env.S, env.A), dtype=np.int64)
    collect(gridworld(3), np.ones((9, 4), dtype=np.int64), 0)          # JIT warm-up (cached kernels)
    print(f"\ngridworld 10 x 10 (S = {env.S}, A = {env.A}), b = 1 everywhere (B = {int(b.sum())}), "
          f"at most {steps} steps, median of {REPEATS}")
    print(f"{'strategy':<28} {'steps':>7} {'met':>4} {'time [s]':>9} {'steps/s':>9} {'plans':>6} {'planning':>9}")
    base = None
    for label, agent, backend in (("GOSPRL (numba)", "gosprl", "numba"), ("GOSPRL (numpy)", "gosprl", "numpy"),
                                  ("GOSPRL without optimism", "empirical", "numba"),
                                  ("random walk (no planning)", "random-walk", "numba")):
        runs = []
        for seed in range(REPEATS):
            t0 = time.perf_counter()
            res = collect(env, b, seed, agent=agent, backend=backend, max_steps=steps)
            runs.append((time.perf_counter() - t0, res))
        wall, res = sorted(runs, key=lambda r: r[0])[len(runs) // 2]
        share = res.phase_times["planning"] / wall
        rate = res.C / wall
        base = rate if base is None else base
        print(f"{label:<28} {res.C:>7} {'yes' if res.status == 'satisfied' else 'no':>4} {wall:>9.2f} {rate:>9.0f} "
              f"{res.plans:>6} {share:>8.0%}")
    print("\n" + load_line("after"))


if __name__ == "__main__":
    main()
