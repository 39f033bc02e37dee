"""Benchmark: OPSRL (J = 8) on the OPSRL 10x10 grid-world (S = 100, A = 4, H = 50).

Prints episodes per second, the wall time of a full run, and the share of time per phase
(posterior sampling, J-sample backward induction, environment rollout, count update, exact regret
evaluation), for the Numba backend and — as the reference measured in the same run — the NumPy twin
(dense vectorised kernels) on fewer episodes; then the other agents of the paper's figure as the official
code runs them (learnt rewards, UCBVI's official bookkeeping, RLSVI). Target (issue 5): the full
10^4-episode run of one seed in under 60 s on one core.

    python benchmarks/opsrl.py                 # full 10^4 episodes (about 20-40 s)
    python benchmarks/opsrl.py --episodes 2000 # shorter
"""
from __future__ import annotations

import argparse
import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")   # one core: the learners' kernels are serial anyway

import numpy as np  # noqa: E402

from mdptheory.envs import gridworld  # noqa: E402
from solvers.learners import OPSRL, PSRL, RLSVI, UCBVI, run  # noqa: E402

PHASES = ("sampling", "planning", "rollout", "update", "evaluation")


def bench(cls, env, T, backend, **kw):
    rewards = env.R if kw.get("reward_model", "known") == "known" else None
    warm = cls(env.S, env.A, env.H, rewards=rewards, rng=0, backend=backend, **kw)
    run(warm, env, 3, rng=0)                      # JIT compile / cache load outside the timing
    agent = cls(env.S, env.A, env.H, rewards=rewards, rng=1, backend=backend, **kw)
    tr = run(agent, env, T, rng=2)
    return tr


def row(name, tr):
    tot = tr.wall_time
    shares = "  ".join(f"{p} {100 * tr.phase_times.get(p, 0.0) / tot:5.1f}%" for p in PHASES)
    print(f"{name:<22} {tr.n_episodes:>7d} {tot:9.2f} {tr.n_episodes / tot:10.1f}   {shares}")
    return tr.n_episodes / tot


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=10_000)
    ap.add_argument("--reference-episodes", type=int, default=200)
    args = ap.parse_args(argv)
    env = gridworld(10, H=50)
    print(f"grid-world S={env.S} A={env.A} H={env.H}, one core (NUMBA_NUM_THREADS={os.environ['NUMBA_NUM_THREADS']})")
    print(f"{'agent/backend':<22} {'episodes':>7} {'wall s':>9} {'episodes/s':>10}   share of wall time")
    fast = row("OPSRL J=8 numba", bench(OPSRL, env, args.episodes, "numba"))
    ref = row("OPSRL J=8 numpy (ref)", bench(OPSRL, env, args.reference_episodes, "numpy"))
    short = min(args.episodes, 1000)
    row("PSRL numba", bench(PSRL, env, short, "numba"))
    row("UCBVI numba", bench(UCBVI, env, short, "numba"))
    print("as the official code runs them (learnt rewards):")
    row("OPSRL J=8 beta-bern.", bench(OPSRL, env, short, "numba", reward_model="beta-bernoulli"))
    row("PSRL beta-bernoulli", bench(PSRL, env, short, "numba", reward_model="beta-bernoulli"))
    row("UCBVI official-code", bench(UCBVI, env, short, "numba", reward_model="empirical",
                                     implementation="official-code"))
    row("UCBVI-B official-code", bench(UCBVI, env, short, "numba", reward_model="empirical", bonus="bernstein",
                                       implementation="official-code"))
    row("RLSVI official-code", bench(RLSVI, env, short, "numba", reward_model="empirical",
                                     perturbation="official-code"))
    full = 10_000 / fast
    print(f"\nOPSRL numba vs NumPy twin: {fast / ref:.1f}x episodes/s")
    print(f"projected full 10^4-episode run: {full:.1f} s (target < 60 s): {'OK' if full < 60 else 'MISSED'}")


if __name__ == "__main__":
    main()
