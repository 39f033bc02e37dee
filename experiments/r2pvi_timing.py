"""Figure 2 of R2PVI (Tang, Liu & Xu, ICML 2025): training time of PEVI, R2PVI-TV/KL, DRPVI and DRVI-L on
the American put option (H = 20) for N in {1000, 5000, 10000} (d = 30) and d in {60, 120} (N = 1000).

Times the backward induction only (as the official code times ``update_Q``). Wall-clock numbers depend
on the machine and its load; ``benchmarks/r2pvi.py`` prints the same grid with one BLAS thread and the
ratios (the figure's message: the regularized learners cost about as much as PEVI, the constrained ones
pay a 1-D dual search per coordinate).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

from .r2pvi_option import fit_option, option_problem

NAME = "r2pvi-timing"
METHODS = [("pevi", None), ("r2pvi-tv", 3.0), ("r2pvi-kl", 3.0), ("drpvi", 0.1), ("drvi-l", 0.1)]
SETTINGS = [(1000, 30), (5000, 30), (10000, 30), (1000, 60), (1000, 120)]
GRID = [{"method": m, "param": p, "N": N, "d": d} for N, d in SETTINGS for m, p in METHODS]
QUICK_GRID = [c for c in GRID if c["N"] == 1000 and c["d"] in (30, 60)]
SEEDS = 3
QUICK_SEEDS = 1
CLAIMS: list = []


def measure(config: dict, seed: int) -> dict:
    """Best of 3 training times in this process."""
    _, data, reward = option_problem(int(config["N"]), int(config["d"]), seed)
    times = [fit_option(config["method"], config["param"], data, reward).wall_time for _ in range(3)]
    return {"train_seconds": min(times)}


def run(config: dict, seed: int) -> dict:
    """Time in a fresh process with one BLAS thread: on a shared machine oversubscribed OpenBLAS threads
    made the same fits 10-100x slower (measured), which would say nothing about the algorithms."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-m", "experiments.r2pvi_timing", json.dumps(config), str(seed)],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    print(json.dumps(measure(json.loads(sys.argv[1]), int(sys.argv[2]))))
