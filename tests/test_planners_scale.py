"""Large sparse models and threads (issue 11, item 8; issue 12, item 1): the vectorised Garnet, policy
iteration's Krylov evaluation and its timeout, the LP's timeout, and the serial-by-default kernels.

No timing assertions here (timings live in benchmarks/planners.py); these tests check behaviour: the
law of the sampled columns, certificates against an independent reference, that a timeout is honoured
inside a long step (status and a valid certificate), and which compilation runs.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.stats import chisquare

import solvers
from mdptheory.envs.garnet import _distinct_columns, garnet
from mdptheory.envs.sparse_grid import sparse_grid
from solvers import _kernels as K
from solvers._kernels import _numba_common as NC
from solvers.policy_evaluation import SPARSE_DIRECT_MAX_S, EvaluationTimeout, solve_policy_value


# ------------------------------------------------------------------------------------------ garnet
def test_garnet_same_seed_same_model_and_distinct_sorted_columns():
    a = garnet(3000, 4, 7, rng=11, gamma=0.9, sparse=True)
    b = garnet(3000, 4, 7, rng=11, gamma=0.9, sparse=True)
    assert (a.P_flat != b.P_flat).nnz == 0 and np.array_equal(a.R, b.R)
    c = garnet(3000, 4, 7, rng=12, gamma=0.9, sparse=True)
    assert (a.P_flat != c.P_flat).nnz > 0
    idx = a.P_flat.indices.reshape(-1, 7)
    assert np.all(np.diff(idx, axis=1) > 0)                       # distinct and sorted in every row
    assert np.allclose(np.asarray(a.P_flat.sum(axis=1)), 1.0, atol=1e-12)
    assert np.array_equal(garnet(40, 3, 5, rng=7).P, garnet(40, 3, 5, rng=7).P)


def _subset_counts(cols, S):
    """How often each B-subset of range(S) occurs among the rows of ``cols``."""
    codes = (cols * (S ** np.arange(cols.shape[1]))).sum(axis=1)
    _, counts = np.unique(codes, return_counts=True)
    return counts


@pytest.mark.parametrize("S, B", [(12, 2), (6, 3), (5, 5)])  # the rejection path and the keys path
def test_distinct_columns_are_uniform_subsets(S, B):
    from math import comb

    n = 60_000
    counts = _subset_counts(_distinct_columns(np.random.default_rng(3), n, S, B), S)
    assert len(counts) == comb(S, B)                               # every subset occurs
    if len(counts) > 1:
        assert chisquare(counts).pvalue > 1e-4
    # negative control: the same test rejects a sampler that favours low states (B draws from range(S - 1)
    # plus the last state half of the time)
    if B < S:
        rng = np.random.default_rng(4)
        biased = _distinct_columns(rng, n, S, B)
        swap = rng.random(n) < 0.3
        biased[swap, -1] = S - 1
        biased = np.sort(biased, axis=1)
        ok = np.all(np.diff(biased, axis=1) > 0, axis=1)
        counts_b = _subset_counts(biased[ok], S)
        assert len(counts_b) < comb(S, B) or chisquare(counts_b).pvalue < 1e-4


# ------------------------------------------------------------------------------- PI, large sparse
def test_policy_iteration_uses_krylov_above_the_direct_limit_and_stays_certified():
    S = 2 * SPARSE_DIRECT_MAX_S
    mdp = garnet(S, 4, 5, rng=2, gamma=0.99, sparse=True)
    res = solvers.policy_iteration(mdp, tol=1e-8)
    assert res.converged and res.error_bound <= 1e-8
    # independent check: the returned policy's exact value (sparse direct solve) and the Bellman residual
    # of V computed by SciPy; ||V - V*|| <= ||TV - V|| / (1 - gamma)
    P = mdp.P_flat
    V = res.V
    TV = (mdp.R + mdp.gamma * (P @ V).reshape(S, 4)).max(axis=1)
    assert np.max(np.abs(TV - V)) / (1 - mdp.gamma) <= res.error_bound * 1.01 + 1e-12
    V_pi = solve_policy_value(P, mdp.R, res.policy, mdp.gamma, method="direct")
    assert np.max(np.abs(V_pi - V)) <= res.policy_gap_bound
    ref = solvers.modified_policy_iteration(mdp, tol=1e-9)
    assert np.max(np.abs(ref.V - V)) <= ref.error_bound + res.error_bound


def test_krylov_evaluation_matches_direct_solve():
    mdp = garnet(1500, 3, 6, rng=5, gamma=0.995, sparse=True)
    pi = np.random.default_rng(0).integers(3, size=1500)
    direct = solve_policy_value(mdp.P_flat, mdp.R, pi, mdp.gamma, method="direct")
    krylov = solve_policy_value(mdp.P_flat, mdp.R, pi, mdp.gamma, method="krylov", residual_tol=1e-12)
    assert np.max(np.abs(direct - krylov)) <= 1e-12 / (1 - mdp.gamma) * 1.01 + 1e-9
    # negative control: one step fewer (residual_tol huge) is measurably off
    rough = solve_policy_value(mdp.P_flat, mdp.R, pi, mdp.gamma, method="krylov", residual_tol=1e-2)
    assert np.max(np.abs(direct - rough)) > 1e-9


def test_timeout_is_honoured_inside_the_krylov_evaluation():
    mdp = garnet(4000, 4, 5, rng=3, gamma=0.999, sparse=True)
    with pytest.raises(EvaluationTimeout) as stop:
        solve_policy_value(mdp.P_flat, mdp.R, np.zeros(4000, np.int64), mdp.gamma, method="krylov",
                           residual_tol=1e-300, deadline=0.0)
    assert stop.value.V.shape == (4000,)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", solvers.ConvergenceWarning)
        res = solvers.policy_iteration(mdp, tol=1e-8, timeout=0.0)
    assert res.status == "timeout" and not res.converged and res.iterations == 1
    ref = solvers.modified_policy_iteration(mdp, tol=1e-8)
    assert np.max(np.abs(ref.V - res.V)) <= ref.error_bound + res.error_bound     # still a valid certificate


def test_lp_timeout_gives_status_timeout_with_a_valid_certificate():
    mdp = garnet(400, 5, 5, rng=0, gamma=0.99, sparse=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", solvers.ConvergenceWarning)
        res = solvers.linear_programming(mdp, timeout=1e-6, highs_method="highs-ds")  # checks the clock often
    assert res.status == "timeout" and not res.converged
    ref = solvers.modified_policy_iteration(mdp, tol=1e-9)
    assert np.max(np.abs(ref.V - res.V)) <= ref.error_bound + res.error_bound


# ---------------------------------------------------------------------------------------- threads
def test_kernels_are_serial_by_default_and_parallel_on_request(monkeypatch):
    calls = []

    def spy(name):
        real = getattr(K.csr, name)

        def wrapped(*a):
            calls.append(name)
            return real(*a)
        return wrapped

    monkeypatch.setattr(K.csr, "bellman", spy("bellman"))
    monkeypatch.setattr(K.csr, "bellman_serial", spy("bellman_serial"))
    mdp = garnet(3000, 10, 10, rng=0, gamma=0.9, sparse=True)     # 300,000 multiply-adds per sweep
    assert mdp.P_flat.nnz >= NC.PARALLEL_MIN_WORK
    monkeypatch.setattr(NC, "PARALLEL_MODE", "off")
    K.bellman_q(mdp.P_flat, mdp.R, np.zeros(3000), 0.9)
    assert calls == ["bellman_serial"]
    old = solvers.set_parallel("on")
    try:
        K.bellman_q(mdp.P_flat, mdp.R, np.zeros(3000), 0.9)
        small = garnet(50, 2, 2, rng=0, gamma=0.9, sparse=True)
        K.bellman_q(small.P_flat, small.R, np.zeros(50), 0.9)      # below the threshold: serial
    finally:
        solvers.set_parallel(old)
    assert calls == ["bellman_serial", "bellman", "bellman_serial"]
    with pytest.raises(ValueError, match="parallel mode"):
        solvers.set_parallel("yes")


def test_auto_mode_follows_the_load(monkeypatch):
    monkeypatch.setattr(NC, "PARALLEL_MODE", "auto")
    monkeypatch.setattr(NC, "_LOAD_CHECK", {"t": -1.0, "idle": False})
    monkeypatch.setattr(NC.os, "getloadavg", lambda: (0.2, 0.2, 0.2))
    monkeypatch.setattr(NC.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    import numba
    monkeypatch.setattr(numba, "get_num_threads", lambda: 2)
    assert NC.use_parallel(NC.PARALLEL_MIN_WORK)
    assert not NC.use_parallel(NC.PARALLEL_MIN_WORK - 1)
    monkeypatch.setattr(NC, "_LOAD_CHECK", {"t": -1.0, "idle": True})
    monkeypatch.setattr(NC.os, "getloadavg", lambda: (3.5, 3.0, 2.0))   # another process on each core
    assert not NC.use_parallel(NC.PARALLEL_MIN_WORK)


# ------------------------------------------------------------------------------------- reordering
def _bandwidth(mdp):
    P = mdp.P_flat.tocoo()
    return int(np.max(np.abs(P.row // mdp.A - P.col)))


def test_rcm_restores_locality_and_results_come_back_in_the_original_labels():
    from solvers.reorder import permute, rcm_permutation

    rng = np.random.default_rng(0)
    mdp = sparse_grid(30, 0.99, shuffle=rng)
    perm = rcm_permutation(mdp.P_flat, mdp.S, mdp.A)
    assert np.array_equal(np.sort(perm), np.arange(mdp.S))
    assert _bandwidth(permute(mdp, perm)) <= 2 * 30 + 2 < _bandwidth(mdp)
    # negative control: a random relabelling does not
    assert _bandwidth(permute(mdp, rng.permutation(mdp.S))) > 10 * 30
    for planner in (solvers.value_iteration, solvers.modified_policy_iteration, solvers.solve):
        plain = planner(mdp, tol=1e-8)
        re = planner(mdp, tol=1e-8, reorder="rcm")
        assert re.converged and re.extra["reorder"] == "rcm"
        assert np.max(np.abs(re.V - plain.V)) <= re.error_bound + plain.error_bound
        assert np.max(np.abs(re.Q - plain.Q)) <= re.extra["Q_error_bound"] + plain.extra["Q_error_bound"]
        assert np.array_equal(re.policy, plain.policy)
        assert np.all(re.extra["V_lower"] <= plain.V + plain.error_bound)
        assert np.all(plain.V - plain.error_bound <= re.extra["V_upper"])
    V0 = np.linspace(0, 50, mdp.S)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", solvers.ConvergenceWarning)
        a = solvers.value_iteration(mdp, tol=1e-8, V0=V0, max_iter=1)
        b = solvers.value_iteration(mdp, tol=1e-8, V0=V0, max_iter=1, reorder="rcm")
    assert np.allclose(a.V, b.V, rtol=0, atol=1e-10)                   # V0 relabelled with the states
    with pytest.raises(ValueError, match="reorder"):
        solvers.solve(mdp, reorder="metis")
