"""Planner benchmark: kernels vs memory bandwidth, Numba vs NumPy, solve() vs plain NumPy VI.

Run:  python benchmarks/planners.py [--quick]

Everything is measured in the same run and printed as ratios (software_anchors.md section 5.3,
item 15): times are medians of repeats; accuracy is reported as the achieved ||V - V*||_inf next to
each time, so methods are compared at equal *achieved* accuracy, not equal ``tol`` arguments.

Sections
--------
1. Read bandwidth of this machine: NumPy ``sum`` over a 1 GiB array and a BLAS gemv over a 1 GiB
   matrix (the gemv is the better streaming measure; both are printed).
2. One Bellman optimality sweep, Numba vs NumPy backend, on Garnet MDPs (CSR; S in {500, 2000, 5000},
   A = 10, branching 10) and on one dense MDP (S = 2000, A = 10, every P[s, a, :] dense); for the
   dense sweep, bytes of P read per second as a fraction of both bandwidths.
3. Time to an eps = 1e-6 certified policy: ``solvers.solve(mdp, tol=eps/2)`` (certifies
   ||V - V*|| <= eps/2 and ||V* - V^pi|| <= eps) against plain NumPy value iteration on the dense
   array with the classical sup-norm rule for an eps-optimal policy, ||V_{k+1} - V_k|| <
   eps (1 - gamma) / (2 gamma) (Puterman 1994, Theorem 6.3.1). When that baseline would run longer
   than the budget, its sweep count K is obtained by running the identical iteration on the CSR
   matrix and its time is reported as K x (measured dense sweep time), marked "~".
4. Candidates for solve()'s default on the same MDPs (VI with the bracket, MPI with m in {5, 10, 20},
   PI with sparse LU where affordable).
"""
from __future__ import annotations

import argparse
import functools
import gc
import os
import sys
import time
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import solvers  # noqa: E402
from mdptheory import FiniteMDP  # noqa: E402
from mdptheory.envs.garnet import garnet  # noqa: E402
from solvers import _kernels as K  # noqa: E402

EPS = 1e-6


def median_time(fn, min_batch_s=0.05, repeats=7, max_batch=1000):
    """Median over ``repeats`` batches of the per-call time of ``fn`` (batch sized to >= min_batch_s)."""
    for _ in range(2):  # warm-up: JIT cache load, thread-pool start, first-touch of buffers
        fn()
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-7)
    n = int(min(max(1, min_batch_s / one), max_batch))
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        ts.append((time.perf_counter() - t0) / n)
    return float(np.median(ts))


def bandwidth(nbytes):
    x = np.ones(nbytes // 8)
    t_sum = median_time(x.sum, repeats=5)
    M = x.reshape(-1, 4096)
    v = np.ones(4096)
    t_gemv = median_time(lambda: M @ v, repeats=5)
    del x, M
    gc.collect()
    return nbytes / t_sum, nbytes / t_gemv


def plain_numpy_vi(P_flat, R, gamma, eps, max_sweeps=10**7, budget_s=None):
    """Textbook VI: V <- max_a R + gamma P V until ||V_{k+1} - V_k|| < eps (1-gamma)/(2 gamma).

    Returns (V, sweeps, seconds, finished). If ``budget_s`` runs out first, ``sweeps`` is the
    extrapolated count ``k + log(thr / delta_k) / log(rate)`` with ``rate`` the geometric decay of
    ``||V_{k+1} - V_k||`` over the last 50 sweeps (``finished`` False)."""
    S, A = R.shape
    thr = eps * (1 - gamma) / (2 * gamma)
    V = np.zeros(S)
    deltas = []
    t0 = time.perf_counter()
    for k in range(1, max_sweeps + 1):
        V_new = (R + gamma * (P_flat @ V).reshape(S, A)).max(axis=1)
        delta = np.max(np.abs(V_new - V))
        deltas.append(delta)
        V = V_new
        if delta < thr:
            return V, k, time.perf_counter() - t0, True
        if budget_s is not None and k > 100 and time.perf_counter() - t0 > budget_s:
            rate = (deltas[-1] / deltas[-51]) ** (1 / 50)
            extra = int(np.ceil(np.log(thr / delta) / np.log(rate)))
            return V, k + extra, time.perf_counter() - t0, False
    return V, max_sweeps, time.perf_counter() - t0, False


def dense_random_mdp(S, A, gamma, seed):
    rng = np.random.default_rng(seed)
    P = rng.random((S, A, S))
    P /= P.sum(axis=2, keepdims=True)
    return FiniteMDP(P, rng.random((S, A)), gamma)


def fmt_t(t):
    return f"{t * 1e3:9.3f} ms" if t < 10 else f"{t:9.2f} s "


print = functools.partial(print, flush=True)  # noqa: A001  (progress visible when piped)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes and budgets (about a minute)")
    ap.add_argument("--budget", type=float, default=None, help="seconds allowed for one plain-VI baseline run")
    args = ap.parse_args(argv)
    quick = args.quick
    sizes = [500, 2000] if quick else [500, 2000, 5000]
    gammas = [0.99, 0.999]
    S_dense = 1000 if quick else 2000
    bw_bytes = (256 if quick else 1024) << 20
    budget = args.budget if args.budget is not None else (5.0 if quick else 10.0)
    warnings.simplefilter("ignore", solvers.ConvergenceWarning)

    import numba
    print(f"# planners benchmark ({'quick' if quick else 'full'}); {os.cpu_count()} cores, "
          f"numba {numba.__version__} threads={numba.get_num_threads()} layer={numba.config.THREADING_LAYER}, "
          f"numpy {np.__version__}")
    print(f"# load average at start: {os.getloadavg()}")

    # -- 1. bandwidth ----------------------------------------------------------------------------
    bw_sum, bw_gemv = bandwidth(bw_bytes)
    print(f"\n## 1. read bandwidth ({bw_bytes >> 20} MiB): sum {bw_sum / 1e9:.1f} GB/s, "
          f"BLAS gemv {bw_gemv / 1e9:.1f} GB/s")

    # -- 2. sweeps -------------------------------------------------------------------------------
    print("\n## 2. one Bellman optimality sweep (median), Numba vs NumPy backend")
    print(f"{'MDP':<28}{'numba':>12}{'numpy':>12}{'numpy/numba':>13}{'numba GB/s':>12}"
          f"{'% sum BW':>10}{'% gemv BW':>10}")
    models = {}
    for S in sizes:
        m = garnet(S, 10, 10, rng=S, gamma=0.99, sparse=True)
        models[S] = m
        P, R = m.P_flat, m.R
        V = np.random.default_rng(0).random(S)
        out = (np.empty((S, 10)), np.empty(S), np.empty(S, np.int64))
        t_nb = median_time(lambda: K.bellman_q(P, R, V, 0.99, "numba", out))
        t_np = median_time(lambda: K.bellman_q(P, R, V, 0.99, "numpy"))
        print(f"{f'garnet S={S} CSR nnz={P.nnz}':<28}{fmt_t(t_nb):>12}{fmt_t(t_np):>12}{t_np / t_nb:>12.2f}x")
    md = dense_random_mdp(S_dense, 10, 0.99, 1)
    P, R = md.P_flat, md.R
    V = np.random.default_rng(0).random(S_dense)
    out = (np.empty((S_dense, 10)), np.empty(S_dense), np.empty(S_dense, np.int64))
    t_nb = median_time(lambda: K.bellman_q(P, R, V, 0.99, "numba", out), min_batch_s=0.2)
    t_np = median_time(lambda: K.bellman_q(P, R, V, 0.99, "numpy"), min_batch_s=0.2)
    gbs = P.nbytes / t_nb
    print(f"{f'dense S={S_dense} ({P.nbytes / 1e6:.0f} MB)':<28}{fmt_t(t_nb):>12}{fmt_t(t_np):>12}"
          f"{t_np / t_nb:>12.2f}x{gbs / 1e9:>12.1f}{100 * gbs / bw_sum:>9.0f}%{100 * gbs / bw_gemv:>9.0f}%")
    print(f"{'  (numpy dense sweep)':<28}{'':>12}{'':>12}{'':>13}{P.nbytes / t_np / 1e9:>12.1f}"
          f"{100 * P.nbytes / t_np / bw_sum:>9.0f}%{100 * P.nbytes / t_np / bw_gemv:>9.0f}%")
    dense_frac = gbs / bw_gemv

    # -- 3. solve() vs plain NumPy dense VI --------------------------------------------------------
    print(f"\n## 3. time to an eps={EPS:g} certified policy: solve(tol=eps/2) vs plain NumPy dense VI "
          "(sup-norm rule); achieved ||V - V*||_inf next to each")
    print(f"{'MDP':<24}{'gamma':>7}{'solve()':>12}{'method':>20}{'||V-V*||':>10}{'gap bnd':>9}"
          f"{'plain VI':>13}{'sweeps':>8}{'||V-V*||':>10}{'speed-up':>10}")
    target_ratio = None
    cases = [(f"garnet S={S} CSR", models[S]) for S in sizes] + [(f"dense S={S_dense}", md)]
    for name, m0 in cases:
        for gamma in gammas:
            m = m0.with_gamma(gamma)
            ref = solvers.modified_policy_iteration(m, tol=1e-9, m=20)
            solvers.solve(m, tol=EPS / 2)  # warm-up (Numba cache load)
            res = solvers.solve(m, tol=EPS / 2)
            t_solve = median_time(lambda: solvers.solve(m, tol=EPS / 2), min_batch_s=0.0, repeats=3)
            err_solve = np.max(np.abs(res.V - ref.V))
            # plain VI baseline: count sweeps on CSR (same iterates), time on dense if affordable
            P_cnt = m.P_flat  # CSR for Garnets (cheap); the dense array itself for the dense MDP
            V_pl, K_sw, _, counted = plain_numpy_vi(P_cnt, m.R, gamma, EPS, budget_s=4 * budget)
            err_pl = np.max(np.abs(V_pl - ref.V)) if counted else float("nan")
            Pd = m.dense_P().reshape(m.S * m.A, m.S)
            Vz = np.zeros(m.S)
            t_sweep = median_time(lambda: (m.R + gamma * (Pd @ Vz).reshape(m.S, m.A)).max(axis=1),
                                  min_batch_s=0.1, repeats=5)
            if K_sw * t_sweep <= budget:
                _, K_d, t_pl, ok = plain_numpy_vi(Pd, m.R, gamma, EPS)
                mark = " "
            else:
                t_pl, mark = K_sw * t_sweep, "~"
            del Pd
            gc.collect()
            ratio = t_pl / t_solve
            if name.startswith("garnet S=2000") and gamma == 0.999:
                target_ratio = ratio
            short = {"modified_policy_iteration": f"MPI m={res.extra.get('m')}", "policy_iteration": "PI",
                     "value_iteration[jacobi]": "VI"}.get(res.method, res.method)
            print(f"{name:<24}{gamma:>7}{fmt_t(t_solve):>12}{short + f' ({res.iterations} it)':>20}"
                  f"{err_solve:>10.1e}{res.policy_gap_bound:>9.1e}{mark + fmt_t(t_pl).strip():>13}{K_sw:>8}"
                  f"{err_pl:>10.1e}{ratio:>9.0f}x" + ("" if counted else "  (K extrapolated)"))
    print(f"  (V* from MPI certified to {1e-9:g}; '~' = K sweeps x median dense sweep, not run to the end; "
          "K is counted by running the same iteration (on CSR for Garnets) unless marked extrapolated)")

    # -- 4. candidates for solve() ---------------------------------------------------------------
    print("\n## 4. candidates for solve()'s default, time to certified ||V - V*|| <= eps/2 (median of 3; "
          "S <= 2000; sparse PI (SuperLU fill-in) only at S = 500)")
    cands = {
        "VI bracket": lambda m: solvers.value_iteration(m, tol=EPS / 2),
        "MPI m=5": lambda m: solvers.modified_policy_iteration(m, tol=EPS / 2, m=5),
        "MPI m=10": lambda m: solvers.modified_policy_iteration(m, tol=EPS / 2, m=10),
        "MPI m=20": lambda m: solvers.modified_policy_iteration(m, tol=EPS / 2, m=20),
        "PI (LU)": lambda m: solvers.policy_iteration(m, tol=EPS / 2),
    }
    print(f"{'MDP':<24}{'gamma':>7}" + "".join(f"{c:>14}" for c in cands))
    for name, m0 in cases:
        if m0.S > 2000:
            continue
        for gamma in gammas:
            m = m0.with_gamma(gamma)
            row = f"{name:<24}{gamma:>7}"
            for cname, fn in cands.items():
                if cname.startswith("PI") and m.is_sparse and m.S > 500:
                    row += f"{'(skipped)':>14}"
                    continue
                t = median_time(lambda: fn(m), min_batch_s=0.0, repeats=3)
                row += f"{fmt_t(t):>14}"
            print(row)

    print("\n## targets")
    print(f"dense Numba sweep at {100 * dense_frac:.0f}% of gemv read bandwidth "
          f"({100 * gbs / bw_sum:.0f}% of sum bandwidth): target >= 70% -> "
          f"{'MET' if dense_frac >= 0.7 else 'MISSED'}")
    if target_ratio is not None:
        print(f"sparse solve() vs NumPy dense VI at S=2000, gamma=0.999: {target_ratio:.0f}x: target >= 20x -> "
              f"{'MET' if target_ratio >= 20 else 'MISSED'}")
    print(f"# load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
