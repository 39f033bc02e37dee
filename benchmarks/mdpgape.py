"""Benchmark: MDP-GapE's oracle calls per second on flat arrays (Numba) against the official code's design.

The reference is :class:`solvers.tree_search.reference.GapeObjects`: the tree built the way rl-agents builds it
(``DecisionNode``/``ChanceNode`` Python objects, dicts of children, one NumPy call per node for the kl bounds and
the KL projection, one sampler call per oracle query). Both run the *same* trajectories on the same paper Garnet
(same uniforms, same answers: the two are twins), capped at ``--trajectories``; each is timed ``--repeats`` times
in this run and the medians are compared (target: at least 20x). Then a full fixed-confidence run at
``eps = 1/3`` (``H = 9``, the experiments' thresholds, ``delta = 0.1``) on paper Garnets, median wall time over
``--seeds``.

    python benchmarks/mdpgape.py                      # ~1-3 min on a loaded 2-core machine
    python benchmarks/mdpgape.py --trajectories 100 --seeds 3
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")   # the tree kernels are serial

import numpy as np  # noqa: E402

from mdptheory.generative import GenerativeOracle, LazyGarnet  # noqa: E402
from solvers.tree_search import mdp_gape  # noqa: E402


def timed(backend: str, model, H: int, trajectories: int, seed: int):
    oracle = GenerativeOracle(model, budget=H * trajectories)
    t = time.perf_counter()
    res = mdp_gape(oracle, 0.0, 0.1, H=H, thresholds="experiments", rng=seed, backend=backend)
    return time.perf_counter() - t, res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trajectories", type=int, default=300, help="trajectories of the capped twin runs")
    ap.add_argument("--depth", type=int, default=9)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seeds", type=int, default=7, help="Garnets of the full eps = 1/3 run")
    args = ap.parse_args(argv)
    print(f"load average at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"({os.cpu_count()} cores; a noisy shared machine: ratios are measured in one run, medians of "
          f"{args.repeats})")
    model = LazyGarnet.paper(seed=0)
    timed("numba", model, args.depth, 5, 0)                 # JIT compile / cache load outside the timing
    rows = {}
    for backend in ("numba", "numpy"):
        times, res = [], None
        for r in range(args.repeats):
            dt, res = timed(backend, model, args.depth, args.trajectories, seed=1)
            times.append(dt)
        rows[backend] = (float(np.median(times)), res)
    (tn, rn), (tp, rp) = rows["numba"], rows["numpy"]
    same = rn.action == rp.action and rn.calls == rp.calls and np.allclose(rn.root_upper, rp.root_upper, atol=1e-12)
    print(f"\ncapped run: paper Garnet (S = 100,000, K = 5, B = 2, gamma = 0.7), H = {args.depth}, "
          f"{args.trajectories} trajectories = {rn.calls} calls, tree of {rn.extra['decision_nodes']} state nodes")
    print(f"{'implementation':<40} {'median s':>10} {'calls/s':>12}")
    print(f"{'flat arrays, Numba (solvers.tree_search)':<40} {tn:>10.4f} {rn.calls / tn:>12.0f}")
    print(f"{'node objects + dicts (official design)':<40} {tp:>10.4f} {rp.calls / tp:>12.0f}")
    print(f"speed-up {tp / tn:.0f}x (target >= 20x); same run on both: {same}")

    walls, calls, stopped = [], [], 0
    for seed in range(args.seeds):
        g = LazyGarnet.paper(seed=1000 + seed)
        t = time.perf_counter()
        res = mdp_gape(GenerativeOracle(g), 1 / 3, 0.1, thresholds="experiments", rng=seed)
        walls.append(time.perf_counter() - t)
        calls.append(res.calls)
        stopped += res.status == "stopped"
    print(f"\nfixed confidence, eps = 1/3 (H = 9), experiments' thresholds, {args.seeds} paper Garnets: median wall "
          f"{np.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f}); median calls {np.median(calls):.3g} "
          f"({np.median(calls) / np.median(walls):.3g} calls/s); {stopped}/{args.seeds} stopped")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
