"""Episodes per second of DR-RPO (and DR-LSVI-UCB) on the 5-state simulated linear MDP and on d = 20 random instances.

Each setting runs ``--episodes`` episodes of the online loop (:func:`solvers.learners.run` with the exact
:class:`~solvers.robust_online.RobustRegretOracle`), after one warm-up run (Numba compilation excluded), and
reports the median over ``--repeats`` of

- ``loop eps/s``: whole episodes per second, exact regret bookkeeping included (what a claim pays);
- ``agent eps/s``: the learner alone (``policy()`` + ``update()``: optimistic robust evaluation, mirror-descent
  step, softmax), from ``Trace.phase_times``;

for DR-RPO with the Numba kernels and their NumPy twins, and DR-LSVI-UCB (same evaluation, greedy), all in the
same process so that the ratios are comparable. The machine's load average is printed: on a shared machine the
absolute numbers are noisy, the ratios less so.

Usage: ``python benchmarks/drrpo.py [--episodes 300] [--repeats 3]``
"""
from __future__ import annotations

import os

# One BLAS thread (set before NumPy loads): d <= 20 Gram matrices gain nothing from threads, and oversubscribed
# OpenBLAS threads on a shared machine make every small Cholesky 10-100x slower (measured for R2PVI).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from experiments.drrpo_common import reference_policy  # noqa: E402
from mdptheory.envs import simulated_linear_mdp  # noqa: E402
from mdptheory.linear import random_d_rectangular  # noqa: E402
from mdptheory.uncertainty import make  # noqa: E402
from solvers.learners import run  # noqa: E402
from solvers.robust_online import DRLSVIUCB, DRRPO, RobustRegretOracle  # noqa: E402

RHO, TAU, ETA, BETA = 0.2, 0.1, 2.0, 1.0


def settings():
    """(name, model): the 5-state MDP and two d = 20 random d-rectangular instances."""
    return [("5-state (S=5, A=16, d=4, H=3)", simulated_linear_mdp()),
            ("random (S=20, A=5, d=20, H=5)", random_d_rectangular(20, 5, 20, 5, rng=0)),
            ("random (S=50, A=10, d=20, H=10)", random_d_rectangular(50, 10, 20, 10, rng=1))]


def one_run(agent_name: str, backend: str, model, K: int, seed: int) -> tuple[float, float]:
    """(loop episodes/s, agent episodes/s) of one run of ``K`` episodes."""
    ref = reference_policy(model.H, model.S, model.A, 7)
    tau = TAU if agent_name == "DR-RPO" else 0.0
    oracle = RobustRegretOracle(model, make("tv", rho=RHO), tau, ref, backend=backend)
    if agent_name == "DR-RPO":
        agent = DRRPO.for_model(model, rho=RHO, tau=TAU, eta=ETA, reference=ref, beta=BETA, rng=seed, backend=backend)
    else:
        agent = DRLSVIUCB.for_model(model, rho=RHO, beta=BETA, rng=seed, backend=backend)
    t0 = time.perf_counter()
    trace = run(agent, None, K, rng=seed, oracle=oracle)
    wall = time.perf_counter() - t0
    own = trace.phase_times["planning"] + trace.phase_times["update"]
    return K / wall, K / own


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--episodes", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} cores "
          f"(shared machine: absolute numbers are noisy); {args.episodes} episodes, median of {args.repeats}")
    variants = [("DR-RPO", "numba"), ("DR-RPO", "numpy"), ("DR-LSVI-UCB", "numba")]
    print(f"{'setting':<33} | " + " | ".join(f"{a + ' ' + b + ' loop / agent eps/s':>34}" for a, b in variants)
          + " | numba/numpy (agent)")
    for name, model in settings():
        for a, b in variants:           # warm-up: JIT compilation and caches
            one_run(a, b, model, 5, 0)
        res = {}
        for a, b in variants:
            runs = [one_run(a, b, model, args.episodes, r) for r in range(args.repeats)]
            res[(a, b)] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
        cells = [f"{res[v][0]:>10.0f} / {res[v][1]:<10.0f}" for v in variants]
        ratio = res[("DR-RPO", "numba")][1] / res[("DR-RPO", "numpy")][1]
        print(f"{name:<33} | " + " | ".join(f"{c:>34}" for c in cells) + f" | {ratio:6.2f}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
