"""Benchmark: nature's inner problem and a robust VI sweep, closed forms / 1-D duals vs the cvxpy primal.

For S in {10, 100, 1000} and every (divergence, form) it times

- one inner update (one ``(s, a)`` pair): ``solvers.robust.worst_case`` (Numba), the NumPy twin, and the
  cvxpy primal (``solvers.robust.oracle.primal_worst_case``, Clarabel, build + solve, as a user would call it);
- one robust VI sweep (``S * A`` rows, ``A = 4``) with the Numba kernel and the NumPy twin; the cvxpy sweep
  is *estimated* from ``SWEEP_SAMPLE`` timed rows times ``S * A`` (a full cvxpy sweep at S = 1000 would
  take over an hour);

and reports the speed-up over cvxpy and the agreement ``max |ours - cvxpy|`` (relative to ``max |V|``).
Target (issue 4): >= 1000x faster than cvxpy per inner update at S = 100 with agreement <= 1e-6.

Run: ``python benchmarks/robust.py`` (about 2-3 minutes on 2 cores).
"""
from __future__ import annotations

import time
import warnings

import numpy as np

from mdptheory import KL, TV, ChiSquare
from solvers.robust import worst_case, worst_case_rows
from solvers.robust.oracle import primal_worst_case

from _timing import median  # benchmarks/ is the script's folder

SIZES = (10, 100, 1000)
A = 4
GAMMA = 0.9
SWEEP_SAMPLE = 4
SETS = [TV(0.1), TV(lam=0.5), KL(0.1), KL(lam=0.5), ChiSquare(0.1), ChiSquare(lam=0.5)]


def _best_time(fn, min_total: float = 0.05, max_reps: int = 20000) -> float:
    """Per-call time of a fast function: repeat until ``min_total`` seconds, take the best of 3 batches."""
    fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_total or n >= max_reps:
            break
        n *= 4
    best = dt / n
    for _ in range(2):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t0) / n)
    return best


def main() -> None:
    warnings.filterwarnings("ignore", message="Solution may be inaccurate")
    rng = np.random.default_rng(0)
    # warm the JIT caches so compile time is not measured
    for u in SETS:
        worst_case(np.array([0.5, 0.5]), np.array([0.0, 1.0]), u)
    print("## Inner update (one state-action pair)\n")
    print("| set | S | Numba (us) | NumPy twin (us) | cvxpy (ms) | cvxpy / Numba | max abs diff (rel) |")
    print("|---|---|---|---|---|---|---|")
    inner_rows = {}
    for S in SIZES:
        p0 = rng.dirichlet(np.ones(S))
        V = rng.uniform(0, 1 / (1 - GAMMA), S)
        for u in SETS:
            t_nb = _best_time(lambda: worst_case(p0, V, u))
            t_np = _best_time(lambda: worst_case(p0, V, u, backend="numpy"))
            reps = 3 if S <= 100 else 1
            t_cvx = median(lambda: primal_worst_case(p0, V, u), reps)[0]
            ours, _ = worst_case(p0, V, u)
            ref, _ = primal_worst_case(p0, V, u)
            diff = abs(ours - ref) / max(1.0, np.abs(V).max())
            inner_rows[(repr(u), S)] = (t_cvx / t_nb, diff)
            print(f"| {u!r} | {S} | {t_nb * 1e6:.1f} | {t_np * 1e6:.1f} | {t_cvx * 1e3:.1f} | "
                  f"{t_cvx / t_nb:,.0f}x | {diff:.1e} |")

    print(f"\n## Robust VI sweep (S*A rows, A = {A}); cvxpy estimated from {SWEEP_SAMPLE} timed rows\n")
    print("| set | S | Numba sweep (ms) | NumPy sweep (ms) | cvxpy sweep est. (s) | cvxpy / Numba | max abs diff on sampled rows (rel) |")
    print("|---|---|---|---|---|---|---|")
    for S in SIZES:
        P0 = rng.dirichlet(np.ones(S), size=S * A)
        V = rng.uniform(0, 1 / (1 - GAMMA), S)
        for u in SETS:
            t_nb = _best_time(lambda: worst_case_rows(P0, V, u, want_p=False, validate=False), min_total=0.2,
                              max_reps=200)
            t_np = _best_time(lambda: worst_case_rows(P0, V, u, want_p=False, backend="numpy", validate=False),
                              min_total=0.2, max_reps=50)
            vals, _ = worst_case_rows(P0, V, u, want_p=False)
            sample = rng.choice(S * A, size=SWEEP_SAMPLE, replace=False)
            t0 = time.perf_counter()
            refs = [primal_worst_case(P0[r], V, u)[0] for r in sample]
            t_row = (time.perf_counter() - t0) / SWEEP_SAMPLE
            t_cvx = t_row * S * A
            diff = float(np.max(np.abs(vals[sample] - np.array(refs)))) / max(1.0, np.abs(V).max())
            print(f"| {u!r} | {S} | {t_nb * 1e3:.3f} | {t_np * 1e3:.3f} | {t_cvx:.2f} | {t_cvx / t_nb:,.0f}x | "
                  f"{diff:.1e} |")

    print("\n## Target: >= 1000x at S = 100 with agreement <= 1e-6 (inner update)\n")
    ok = True
    for (name, S), (ratio, diff) in inner_rows.items():
        if S == 100:
            hit = ratio >= 1000 and diff <= 1e-6
            ok &= hit
            print(f"- {name}: {ratio:,.0f}x, diff {diff:.1e} -> {'met' if hit else 'NOT met'}")
    print(f"\nall targets met: {ok}")


if __name__ == "__main__":
    main()
