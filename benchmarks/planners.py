"""Planner benchmark: solve() and our planners against QuantEcon, pymdptoolbox and plain NumPy; kernels
against memory bandwidth and SciPy; threads; MPI's evaluation sweeps; reordering; S = 1,000,000.

Run:  python benchmarks/planners.py [--quick] [--budget SECONDS] [--no-million]
      (peers: pip install -e .[bench]; output of a full run: benchmarks/results/planners.txt)

Rules (software_anchors.md section 5.3, item 15; issue 12): everything is measured in one run; times
are medians of repeated runs in this process (thread CPU time for kernels, so that a descheduled thread
on a shared machine does not count; wall time for whole planners); ratios are against references
measured in the same run; the load average is printed at the start, per section and at the end.
Methods are compared at equal **true** accuracy: every method is stopped at ``||V - V*||_inf <= 1e-6``,
with ``V*`` from our MPI at tol 1e-10, checked independently by SciPy's ``P @ V`` (Bellman residual
/ (1 - gamma)), and each peer's stopping parameter chosen in hindsight as the largest of 1e-1, 1e-2,
... that reaches that true error (generous to the peers; ``solve()`` runs with ``tol=1e-6``, certified,
no hindsight).

Sections
--------
1. Read bandwidth: NumPy ``sum`` over 1 GiB and a BLAS gemv.
2. Threads: one Bellman sweep, serial vs parallel compilation, over work sizes; as is and with two
   busy processes started by this script (the parallel/serial threshold and the default).
3. CSR sweep: bytes of ``P`` read per second by our fused Bellman sweep, SciPy's ``P @ V`` and ``sum``.
4. MPI's evaluation sweeps: extraction + fused sweeps against a full optimality sweep.
5. Peers: time to true error <= 1e-6 on dense S = 500, sparse S = 2,000 / 20,000 / 200,000.
6. LP: HiGHS interior point vs simplex.
7. Reordering (RCM) on a shuffled grid and a Garnet.
8. UCBVI's support update.
9. S = 1,000,000: Garnet generation, VI and solve(), with peak memory (each in a child process).
"""
from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import resource
import subprocess
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import solvers  # noqa: E402
from mdptheory import FiniteMDP  # noqa: E402
from mdptheory.envs.garnet import garnet  # noqa: E402
from mdptheory.envs.sparse_grid import sparse_grid  # noqa: E402
from solvers import _kernels as K  # noqa: E402
from solvers._kernels import _numba_common as NC  # noqa: E402

EPS = 1e-6
print = functools.partial(print, flush=True)  # noqa: A001  (progress visible when piped)


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def median_time(fn, repeats=7, min_batch_s=0.02, clock=time.thread_time, max_batch=2000):
    """Median over ``repeats`` batches of the per-call time of ``fn`` (batch sized to >= min_batch_s)."""
    fn()
    t0 = clock()
    fn()
    one = max(clock() - t0, 1e-7)
    n = int(min(max(1, min_batch_s / one), max_batch))
    ts = []
    for _ in range(repeats):
        t0 = clock()
        for _ in range(n):
            fn()
        ts.append((clock() - t0) / n)
    return float(np.median(ts))


def wall_median(fn, budget):
    """``(median wall seconds, runs)``: 5 runs if one takes < budget/20, 3 if < budget/5, else 1."""
    t0 = time.perf_counter()
    out = fn()
    t = time.perf_counter() - t0
    runs = 5 if t < budget / 20 else 3 if t < budget / 5 else 1
    ts = [t]
    for _ in range(runs - 1):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts)), len(ts), out


def fmt_t(t):
    if t is None or not np.isfinite(t):
        return "-"
    return f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.2f} s"


def dense_random_mdp(S, A, gamma, seed):
    rng = np.random.default_rng(seed)
    P = rng.random((S, A, S))
    P /= P.sum(axis=2, keepdims=True)
    return FiniteMDP(P, rng.random((S, A)), gamma)


# ------------------------------------------------------------------------------------ 1. bandwidth
def bandwidth(nbytes):
    x = np.ones(nbytes // 8)
    t_sum = median_time(x.sum, repeats=5)
    M = x.reshape(-1, 4096)
    v = np.ones(4096)
    t_gemv = median_time(lambda: M @ v, repeats=5, clock=time.perf_counter)
    del x, M
    gc.collect()
    return nbytes / t_sum, nbytes / t_gemv


def csr_bytes(P):
    return P.data.nbytes + P.indices.nbytes + P.indptr.nbytes


# -------------------------------------------------------------------------------------- 2. threads
BURNER = "import time\nt = time.time()\nwhile time.time() - t < 600:\n    pass\n"


def threads_section(sizes, dense_sizes):
    import numba

    print(f"\n## 2. threads: one Bellman sweep, serial vs parallel compilation ({numba.get_num_threads()} Numba "
          f"threads; default mode '{NC.PARALLEL_MODE}'); thread CPU time would hide a stall, so wall time here")
    cases = [(f"garnet S={S} CSR", garnet(S, 10, 10, rng=S, gamma=0.99, sparse=True)) for S in sizes]
    cases += [(f"dense S={S}", dense_random_mdp(S, 10, 0.99, S)) for S in dense_sizes]
    results = {}
    for phase in ("as is", "2 busy processes"):
        burners = []
        if phase != "as is":
            burners = [subprocess.Popen([sys.executable, "-c", BURNER]) for _ in range(2)]
            time.sleep(1.0)
        try:
            print(f"### {phase} ({load()})")
            print(f"{'MDP':<24}{'work':>12}{'serial':>12}{'parallel':>12}{'par/ser':>9}")
            for name, m in cases:
                P, R = m.P_flat, m.R
                V = np.random.default_rng(0).random(m.S)
                out = (np.empty((m.S, m.A)), np.empty(m.S), np.empty(m.S, np.int64))
                work = P.nnz if sp.issparse(P) else P.size
                ts = {}
                saved = NC.PARALLEL_MODE, NC.PARALLEL_MIN_WORK
                try:
                    NC.PARALLEL_MIN_WORK = 0
                    for mode in ("off", "on"):
                        NC.PARALLEL_MODE = mode
                        ts[mode] = median_time(lambda: K.bellman_q(P, R, V, 0.99, "numba", out), clock=time.perf_counter)
                finally:
                    NC.PARALLEL_MODE, NC.PARALLEL_MIN_WORK = saved
                results[(phase, name)] = (work, ts["off"], ts["on"])
                print(f"{name:<24}{work:>12,}{fmt_t(ts['off']):>12}{fmt_t(ts['on']):>12}{ts['on'] / ts['off']:>8.2f}x")
        finally:
            for b in burners:  # our own helper processes, by pid
                b.kill()
                b.wait()
    wins = [w for (ph, _), (w, s, p) in results.items() if ph == "as is" and p < 0.9 * s]
    busy_loss = max(p / s for (ph, _), (w, s, p) in results.items() if ph != "as is")
    print(f"parallel at least 10% faster (as is) from work = {min(wins):,} multiply-adds" if wins else
          "parallel never 10% faster than serial in this run")
    print(f"worst parallel/serial ratio with 2 busy processes: {busy_loss:.1f}x -> default stays serial; "
          f"solvers.set_parallel('on') uses parallel above PARALLEL_MIN_WORK = {NC.PARALLEL_MIN_WORK:,}")


# ------------------------------------------------------------------------------------ 3. CSR sweep
def csr_section(sizes, bw_sum):
    print(f"\n## 3. CSR sweep bandwidth (Garnet A=10, branching 10; bytes of P = data + indices + indptr; "
          f"thread time; {load()})")
    print("kernel = the fused sweep (Q, max, greedy) called directly; facade = K.bellman_q (argument checks, "
          "CSR parts, dispatch)")
    print(f"{'S':>9}{'nnz':>12}{'kernel':>10}{'facade':>10}{'SciPy P@V':>11}{'ns/nz kernel':>13}{'ns/nz SciPy':>12}"
          f"{'GB/s kernel':>12}{'/ SciPy':>9}{'/ sum':>8}{'facade / SciPy':>16}")
    fracs = []
    for S in sizes:
        m = garnet(S, 10, 10, rng=S, gamma=0.99, sparse=True)
        P, R = m.P_flat, m.R
        V = np.random.default_rng(0).random(S)
        out = (np.empty((S, 10)), np.empty(S), np.empty(S, np.int64))
        parts = K._kernel_csr(P)
        t_kernel = median_time(lambda: K.csr.bellman_serial(*parts, R, V, 0.99, *out))
        t_ours = median_time(lambda: K.bellman_q(P, R, V, 0.99, "numba", out))
        t_scipy = median_time(lambda: P @ V)
        b = csr_bytes(P)
        fracs.append(t_scipy / t_kernel)
        print(f"{S:>9,}{P.nnz:>12,}{fmt_t(t_kernel):>10}{fmt_t(t_ours):>10}{fmt_t(t_scipy):>11}"
              f"{t_kernel / P.nnz * 1e9:>13.2f}{t_scipy / P.nnz * 1e9:>12.2f}{b / t_kernel / 1e9:>12.2f}"
              f"{t_scipy / t_kernel:>8.2f}x{b / t_kernel / bw_sum:>7.0%}{t_scipy / t_ours:>15.2f}x")
    return fracs


# ------------------------------------------------------------------------------ 4. MPI evaluation
def mpi_eval_section(sizes):
    print(f"\n## 4. MPI's 9 evaluation sweeps (policy rows extracted once, one fused call) vs one optimality "
          f"sweep; thread time ({load()})")
    print(f"{'S':>9}{'optimality sweep':>18}{'extract':>10}{'9 sweeps':>10}{'per sweep':>11}{'/ optimality':>14}")
    for S in sizes:
        m = garnet(S, 10, 10, rng=S, gamma=0.99, sparse=True)
        P, R = m.P_flat, m.R
        V = np.random.default_rng(0).random(S)
        pi = np.random.default_rng(1).integers(10, size=S)
        out = (np.empty((S, 10)), np.empty(S), np.empty(S, np.int64))
        t_full = median_time(lambda: K.bellman_q(P, R, V, 0.99, "numba", out))
        t_ext = median_time(lambda: K.policy_chain(P, R, pi))
        chain = K.policy_chain(P, R, pi)
        W = V.copy()
        t_sw = median_time(lambda: K.chain_sweeps(chain, W, 0.99, 9))
        print(f"{S:>9,}{fmt_t(t_full):>18}{fmt_t(t_ext):>10}{fmt_t(t_sw):>10}{fmt_t(t_sw / 9):>11}"
              f"{t_sw / 9 / t_full:>13.2f}x   (1/A = 0.10)")


# ------------------------------------------------------------------------------------------ 5. peers
def reference(m):
    """V* from our MPI at tol 1e-10, and an independent bound on its error from SciPy: ||TV - V|| / (1-g)."""
    ref = solvers.modified_policy_iteration(m, tol=1e-10, m=20)
    P = m.P_flat
    TV = (m.R + m.gamma * np.asarray(P @ ref.V).reshape(m.S, m.A)).max(axis=1)
    return ref.V, float(np.max(np.abs(TV - ref.V))) / (1 - m.gamma) + 1e-12


def plain_vi(P, R, gamma, eps, max_sweeps):
    """Textbook VI with the sup-norm rule ||V_{k+1} - V_k|| < eps (1-gamma)/(2 gamma) (Puterman 1994, Thm 6.3.1)."""
    S, A = R.shape
    thr = eps * (1 - gamma) / (2 * gamma)
    V = np.zeros(S)
    for _ in range(max_sweeps):
        V_new = (R + gamma * np.asarray(P @ V).reshape(S, A)).max(axis=1)
        if np.max(np.abs(V_new - V)) < thr:
            return V_new
        V = V_new
    return V


def peer_methods(m, budget, sweep_time):
    """name -> (run(eps) -> V, needs eps search); every peer built once outside the timing."""
    S, A, g = m.S, m.A, m.gamma
    cap = int(max(100, budget / max(sweep_time, 1e-6)))
    out = {}
    try:
        from quantecon.markov import DiscreteDP

        if m.is_sparse:
            ddp = DiscreteDP(m.R.ravel(), sp.csr_matrix(m.P_flat), g, np.repeat(np.arange(S), A), np.tile(np.arange(A), S))
        else:
            ddp = DiscreteDP(m.R, m.dense_P(), g)
        out["QuantEcon vi"] = (lambda e: ddp.solve("vi", epsilon=e, max_iter=cap).v, True)
        out["QuantEcon mpi"] = (lambda e: ddp.solve("mpi", epsilon=e, max_iter=cap).v, True)
        out["QuantEcon pi"] = (lambda e: ddp.solve("pi").v, False)
    except ImportError:
        print("  (quantecon not installed: pip install -e .[bench])")
    try:
        import mdptoolbox.mdp as mtb

        if m.is_sparse:
            Pt = [sp.csr_matrix(m.P_flat[a::A]) for a in range(A)]
        else:
            Pt = np.ascontiguousarray(m.dense_P().transpose(1, 0, 2))

        def mtb_run(cls, **kw):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                solver = cls(Pt, m.R, g, **kw)
                solver.run()
            return np.asarray(solver.V, dtype=float)

        if not (m.is_sparse and g > 0.99):  # it resets max_iter itself: one run took 46 s at S = 2,000, gamma 0.999
            out["pymdptoolbox VI"] = (lambda e: mtb_run(mtb.ValueIteration, epsilon=e, max_iter=cap), True)
        out["pymdptoolbox PI"] = (lambda e: mtb_run(mtb.PolicyIteration, max_iter=1000), False)
        # its max_iter counts improvement steps (default 10), each evaluating the policy by sweeps until
        # its own epsilon test: one run took 225 s at S = 2,000, gamma = 0.999, so it runs only where cheap
        if not (m.is_sparse and g > 0.99):
            out["pymdptoolbox MPI"] = (lambda e: mtb_run(mtb.PolicyIterationModified, epsilon=e, max_iter=10), True)
    except ImportError:
        print("  (pymdptoolbox not installed: pip install -e .[bench])")
    out["NumPy VI (sup-norm)"] = (lambda e: plain_vi(m.P_flat, m.R, g, e, cap), True)
    return out


def peers_section(instances, budget):
    print(f"\n## 5. peers: wall time until ||V - V*||_inf <= {EPS:g} (true error; V* certified to 1e-10 and "
          f"checked by SciPy); peers' epsilon chosen in hindsight; default thread settings; budget {budget:g} s "
          f"per method")
    summary = []
    for name, m in instances:
        print(f"\n### {name}, gamma = {m.gamma} ({load()})")
        V_star, ref_err = reference(m)
        print(f"reference error bound (independent, SciPy residual): {ref_err:.1e}")
        ours = {
            "solve()": lambda: solvers.solve(m, tol=EPS),
            "modified_policy_iteration": lambda: solvers.modified_policy_iteration(m, tol=EPS),
            "value_iteration": lambda: solvers.value_iteration(m, tol=EPS),
            "policy_iteration": lambda: solvers.policy_iteration(m, tol=EPS),
        }
        if m.S <= 2000:
            ours["linear_programming"] = lambda: solvers.linear_programming(m, tol=EPS)
        print(f"{'method':<28}{'time':>12}{'runs':>6}{'param':>10}{'true err':>11}{'certified':>11}")
        times = {}
        for meth, fn in ours.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t, n, res = wall_median(fn, budget)
            err = np.max(np.abs(res.V - V_star)) + ref_err
            times[meth] = t
            print(f"{meth:<28}{fmt_t(t):>12}{n:>6}{'tol 1e-6':>10}{err:>11.1e}{res.error_bound:>11.1e}"
                  + ("" if res.converged else f"  ({res.status})"))
        P = m.P_flat
        Vz = np.zeros(m.S)
        sweep = median_time(lambda: (m.R + m.gamma * np.asarray(P @ Vz).reshape(m.S, m.A)).max(axis=1), repeats=3,
                            clock=time.perf_counter)
        methods = peer_methods(m, budget, sweep)
        if m.is_sparse and m.gamma > 0.99:
            print(f"{'pymdptoolbox VI, MPI':<28}{'skipped':>12}   one run exceeded any budget at S = 2,000 (46 s and 225 s; "
                  f"they reset max_iter / evaluate to their own epsilon)")
        for meth, (run, search) in methods.items():
            if meth in ("QuantEcon pi", "pymdptoolbox PI") and m.is_sparse and m.S > 2000:
                print(f"{meth:<28}{'skipped':>12}   a sparse direct solve per evaluation (SuperLU fill-in: "
                      f"seconds per solve already at S = 2,000)")
                continue
            reached, failed, err, t1, e = False, False, np.inf, 0.0, None
            for e in ([10.0 ** -k for k in range(1, 13)] if search else [None]):
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        V = run(e)
                    except Exception as exc:  # a peer failing is a result, not a crash of the benchmark
                        print(f"{meth:<28}{'error':>12}   {type(exc).__name__}: {str(exc)[:70]}")
                        failed = True
                        break
                t1 = time.perf_counter() - t0
                err = np.max(np.abs(V - V_star)) + ref_err
                if err <= EPS:
                    reached = True
                    break
                if t1 > 0.5 * budget:  # at the sweep cap (or too slow): a smaller epsilon cannot do better
                    break
            if failed:
                continue
            if not reached:
                print(f"{meth:<28}{'not reached':>12}   true error {err:.1e} after {fmt_t(t1)} (eps {e}; "
                      f"sweeps capped at the budget)")
                times[meth] = np.inf
                continue
            t, n, V = wall_median(lambda: run(e), budget)
            times[meth] = t
            print(f"{meth:<28}{fmt_t(t):>12}{n:>6}{'-' if e is None else f'{e:.0e}':>10}"
                  f"{np.max(np.abs(V - V_star)) + ref_err:>11.1e}{'-':>11}")
        qe = min((t for k, t in times.items() if k.startswith("QuantEcon")), default=np.nan)
        summary.append((name, times["solve()"], qe))
        if np.isfinite(qe):
            print(f"solve() vs QuantEcon's best: {qe / times['solve()']:.2f}x faster (target >= 2x)")
    return summary


# -------------------------------------------------------------------------------------------- 6. LP
def lp_section(sizes, budget):
    print(f"\n## 6. LP (HiGHS) on Garnet A=10, gamma=0.999, tol 1e-6; timeout {budget:g} s ({load()})")
    print(f"{'S':>7}{'method':>12}{'time':>11}{'status':>12}{'bound':>10}{'polished':>10}")
    for S in sizes:
        m = garnet(S, 10, 10, rng=S, gamma=0.999, sparse=True)
        for meth in ("highs-ipm", "highs-ds"):
            if meth == "highs-ds" and S > 500:
                print(f"{S:>7}{meth:>12}   skipped (18 s at S = 1,000; 224 s at S = 2,000 in issue 12)")
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                r = solvers.linear_programming(m, tol=EPS, highs_method=meth, timeout=budget)
                t = time.perf_counter() - t0
            print(f"{S:>7}{meth:>12}{fmt_t(t):>11}{r.status:>12}{r.error_bound:>10.1e}{str(r.extra['polished']):>10}")


# ------------------------------------------------------------------------------------ 7. reordering
def reorder_section(n_grid, S_garnet):
    from solvers.reorder import permute, rcm_permutation

    print(f"\n## 7. reverse Cuthill-McKee: one Bellman sweep before/after relabelling; thread time ({load()})")
    print(f"{'MDP':<34}{'nnz':>12}{'ns/nz before':>14}{'ns/nz after':>13}{'speed-up':>10}{'RCM + permute':>15}")
    for name, m in ((f"grid {n_grid}x{n_grid}, shuffled labels", sparse_grid(n_grid, 0.99, shuffle=0)),
                    (f"garnet S={S_garnet} (random graph)", garnet(S_garnet, 4, 5, rng=1, gamma=0.99, sparse=True))):
        t0 = time.perf_counter()
        perm = rcm_permutation(m.P_flat, m.S, m.A)
        m2 = permute(m, perm)
        t_rcm = time.perf_counter() - t0
        V = np.random.default_rng(0).random(m.S)
        out = (np.empty((m.S, m.A)), np.empty(m.S), np.empty(m.S, np.int64))
        nnz = m.P_flat.nnz
        t1 = median_time(lambda: K.bellman_q(m.P_flat, m.R, V, 0.99, "numba", out), repeats=5)
        t2 = median_time(lambda: K.bellman_q(m2.P_flat, m2.R, V, 0.99, "numba", out), repeats=5)
        print(f"{name:<34}{nnz:>12,}{t1 / nnz * 1e9:>14.2f}{t2 / nnz * 1e9:>13.2f}{t1 / t2:>9.2f}x{fmt_t(t_rcm):>15}")


# ----------------------------------------------------------------------------------------- 8. UCBVI
def ucbvi_section():
    from solvers.learners import UCBVI, run

    env = garnet(300, 4, 5, rng=0, H=20)
    print(f"\n## 8. UCBVI on a 300-state Garnet (A=4, H=20), 300 episodes; thread time ({load()})")
    agent = UCBVI(env.S, env.A, env.H, rewards=env.R, rng=1)
    run(agent, env, 3, rng=0)
    agent = UCBVI(env.S, env.A, env.H, rewards=env.R, rng=1)
    t0 = time.thread_time()
    tr = run(agent, env, 300, rng=2)
    total = time.thread_time() - t0
    counts = agent.counts
    rescan = median_time(lambda: np.flatnonzero(counts.reshape(-1)), repeats=5)
    print(f"total {fmt_t(total)}; support + bonus inputs ('sampling' phase) {fmt_t(tr.phase_times['sampling'])} "
          f"({tr.phase_times['sampling'] / total:.0%}); planning {fmt_t(tr.phase_times['planning'])}")
    print(f"the replaced full rescan (flatnonzero of the {counts.size:,} counts) costs {fmt_t(rescan)} per episode "
          f"with a new transition, {fmt_t(300 * rescan)} for 300 such episodes")


# ------------------------------------------------------------------------------------- 9. million
CHILD = r"""
import json, resource, sys, time, tracemalloc, warnings
import numpy as np
warnings.simplefilter("ignore")
sys.path.insert(0, {root!r})
import solvers
from mdptheory.envs.garnet import garnet
what = {what!r}
t0 = time.perf_counter()
m = garnet(1_000_000, 4, 5, rng=0, gamma=0.99, sparse=True)
t_gen = time.perf_counter() - t0
out = dict(t_garnet=t_gen, nnz=int(m.P_flat.nnz), bytes=int(m.P_flat.data.nbytes + m.P_flat.indices.nbytes + m.P_flat.indptr.nbytes))
if what != "garnet":
    solvers.solve(garnet(1000, 4, 5, rng=0, gamma=0.99, sparse=True))  # JIT cache load outside the timing
    rss0 = int([l for l in open("/proc/self/status") if l.startswith("VmRSS:")][0].split()[1])
    tracemalloc.start()
    t0 = time.perf_counter()
    r = solvers.value_iteration(m, tol=1e-6) if what == "vi" else solvers.solve(m, tol=1e-6)
    out.update(t=time.perf_counter() - t0, status=r.status, bound=r.error_bound, iterations=r.iterations,
               traced_peak=tracemalloc.get_traced_memory()[1], rss_before=rss0 * 1024)
def hwm():  # peak RSS of this process image: ru_maxrss would include the parent's (kept across fork/exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
out["rss_peak"] = hwm()
print(json.dumps(out))
"""


def million_section():
    print(f"\n## 9. S = 1,000,000 Garnet (A=4, branching 5, gamma=0.99), tol 1e-6; each in a fresh child process "
          f"(peak RSS of the child; tracemalloc peak = NumPy allocations during the planner) ({load()})")
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    for what in ("garnet", "vi", "solve"):
        res = subprocess.run([sys.executable, "-c", CHILD.format(root=root, what=what)], capture_output=True, text=True)
        if res.returncode != 0:
            print(f"{what}: failed: {res.stderr.strip().splitlines()[-1] if res.stderr else res.returncode}")
            continue
        d = json.loads(res.stdout.strip().splitlines()[-1])
        if what == "garnet":
            print(f"garnet(): {d['t_garnet']:.2f} s, nnz {d['nnz']:,}, P {d['bytes'] / 2**20:.0f} MiB, "
                  f"peak RSS {d['rss_peak'] / 2**20:.0f} MiB")
        else:
            name = "value_iteration" if what == "vi" else "solve() (MPI m=10)"
            print(f"{name}: {d['t']:.2f} s, {d['iterations']} iterations, status {d['status']}, bound "
                  f"{d['bound']:.1e}; peak RSS {d['rss_peak'] / 2**20:.0f} MiB (after building the model: "
                  f"{d['rss_before'] / 2**20:.0f} MiB); tracemalloc peak {d['traced_peak'] / 2**20:.0f} MiB")


# ------------------------------------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes and budgets (a few minutes)")
    ap.add_argument("--budget", type=float, default=None, help="seconds allowed for one peer run")
    ap.add_argument("--no-million", action="store_true", help="skip section 9 (S = 1,000,000)")
    ap.add_argument("--only-million", action="store_true", help="run section 9 only")
    args = ap.parse_args(argv)
    if args.only_million:
        print(f"# section 9 only; {load()} at start")
        million_section()
        print(f"# {load()} at end")
        return
    quick = args.quick
    budget = args.budget if args.budget is not None else (10.0 if quick else 60.0)
    warnings.simplefilter("ignore", solvers.ConvergenceWarning)
    import numba
    import scipy

    print(f"# planners benchmark ({'quick' if quick else 'full'}); {os.cpu_count()} cores, numba {numba.__version__} "
          f"threads={numba.get_num_threads()} layer={numba.config.THREADING_LAYER}, numpy {np.__version__}, "
          f"scipy {scipy.__version__}; parallel mode '{NC.PARALLEL_MODE}'")
    print(f"# {load()} at start")
    t_start = time.perf_counter()

    bw_sum, bw_gemv = bandwidth((256 if quick else 1024) << 20)
    print(f"\n## 1. read bandwidth: sum {bw_sum / 1e9:.1f} GB/s, BLAS gemv {bw_gemv / 1e9:.1f} GB/s (wall) ({load()})")

    threads_section([2000, 20000] if quick else [500, 2000, 20000, 200000], [200] if quick else [200, 1000])
    fracs = csr_section([2000, 20000] if quick else [2000, 20000, 200000], bw_sum)
    mpi_eval_section([2000, 20000] if quick else [2000, 20000, 200000])
    instances = [("dense S=500 A=10", dense_random_mdp(500, 10, 0.99, 1)),
                 ("sparse S=2,000 A=10 B=10", garnet(2000, 10, 10, rng=2000, gamma=0.999, sparse=True))]
    if not quick:
        instances += [("sparse S=20,000 A=10 B=10", garnet(20000, 10, 10, rng=20000, gamma=0.999, sparse=True)),
                      ("sparse S=200,000 A=10 B=10", garnet(200000, 10, 10, rng=200000, gamma=0.999, sparse=True))]
    summary = peers_section(instances, budget)
    del instances
    gc.collect()
    lp_section([500, 1000] if quick else [500, 2000], budget)
    reorder_section(300 if quick else 1000, 100_000 if quick else 1_000_000)
    ucbvi_section()
    if not args.no_million and not quick:
        million_section()

    print("\n## targets")
    for name, t_solve, t_qe in summary:
        ratio = t_qe / t_solve
        print(f"solve() vs QuantEcon's best on {name}: {ratio:.2f}x -> target >= 2x "
              f"{'MET' if ratio >= 2 else 'MISSED'}")
    for S, f in zip([2000, 20000, 200000], fracs):
        print(f"CSR Bellman sweep at S={S:,}: {f:.2f}x SciPy's P @ V bandwidth -> target >= 1x "
              f"{'MET' if f >= 1 else 'MISSED'}")
    print(f"# total {time.perf_counter() - t_start:.0f} s; {load()} at end; peak RSS of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:.0f} MiB")


if __name__ == "__main__":
    main()
