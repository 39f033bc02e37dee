"""Training time of the offline learners on the Figure 2 grid of R2PVI (American put, H = 20).

Settings (Tang, Liu & Xu 2025, Figure 2): N in {1000, 5000, 10000} trajectories at d = 30, and
d in {60, 120} at N = 1000. Times the backward induction only (the official code times ``update_Q``),
best of ``--repeats`` runs, all learners on the same dataset in the same process. Prints seconds and the
ratios R2PVI-TV / PEVI and DRPVI / R2PVI-TV. Targets (issue 6): every setting < 0.5 s, R2PVI-TV within
1.5x of PEVI. The paper's Python needs 0.8-16.7 s per setting (spec section 2.6).

Usage: ``python benchmarks/r2pvi.py [--repeats 3] [--settings 1000x30,5000x30,...]``
"""
from __future__ import annotations

import os

# One BLAS thread (set before NumPy loads): d <= 120 Gram matrices gain nothing from threads, and
# oversubscribed OpenBLAS threads on a shared machine made every setting 10-100x slower (measured).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import time  # noqa: E402

from experiments.r2pvi_option import fit_option, option_problem  # noqa: E402

METHODS = [("pevi", None), ("r2pvi-tv", 3.0), ("r2pvi-kl", 3.0), ("drpvi", 0.1), ("drvi-l", 0.1)]
SETTINGS = [(1000, 30), (5000, 30), (10000, 30), (1000, 60), (1000, 120)]
PAPER = {(1000, 30): (0.80, 1.08, 1.04, 1.70, 1.64), (5000, 30): (4.07, 5.05, 5.02, 6.77, 7.01),
         (10000, 30): (8.15, 8.99, 9.03, 13.40, 15.04), (1000, 60): (1.84, 1.95, 1.79, 3.49, 4.12),
         (1000, 120): (5.56, 4.97, 6.31, 16.66, 16.19)}


def time_setting(N: int, d: int, repeats: int) -> dict[str, float]:
    _, data, reward = option_problem(N, d, seed=0)
    out = {}
    for method, param in METHODS:
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            fit_option(method, param, data, reward)
            best = min(best, time.perf_counter() - t0)
        out[method] = best
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--settings", default=",".join(f"{n}x{d}" for n, d in SETTINGS))
    args = ap.parse_args(argv)
    settings = [tuple(int(v) for v in s.split("x")) for s in args.settings.split(",")]
    _table(settings, args.repeats)


def _table(settings, repeats: int) -> None:
    names = [m for m, _ in METHODS]
    print(f"{'N x d':>11} | " + " | ".join(f"{n:>8}" for n in names) + " | TV/PEVI | DRPVI/TV | paper TV/PEVI")
    for N, d in settings:
        t = time_setting(N, d, repeats)
        paper = PAPER.get((N, d))
        pr = f"{paper[1] / paper[0]:.2f}" if paper else "-"
        print(f"{N:>6} x {d:<3} | " + " | ".join(f"{t[n]:8.4f}" for n in names)
              + f" | {t['r2pvi-tv'] / t['pevi']:7.2f} | {t['drpvi'] / t['r2pvi-tv']:8.2f} | {pr:>13}")


if __name__ == "__main__":
    main()
