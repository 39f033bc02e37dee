"""Numba kernels vs their NumPy twins (dense and CSR), and dense vs CSR layouts.

Tolerance: the Numba kernels reassociate sums (``fastmath``), so results agree to a few ulps of the
largest term, not bit-for-bit; we allow ``KERNEL_RTOL * (1 + scale)`` with ``scale`` the magnitude of
the summed terms. A negative control shows the same comparison rejects a kernel run with a discount
off by 1e-9 relative.
"""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings, strategies as st

from solvers import _kernels as K
from solvers._kernels import _numba_common as NC
from solvers._kernels import episodic as E
from strategies import random_kernel, seeds

KERNEL_RTOL = 1e-13


def numba_variants():
    """Run the enclosed checks once with the serial and once with the parallel (prange) compilation."""
    saved = NC.PARALLEL_MODE, NC.PARALLEL_MIN_WORK
    try:
        NC.PARALLEL_MIN_WORK = 0
        for mode in ("off", "on"):
            NC.PARALLEL_MODE = mode
            yield "serial" if mode == "off" else "parallel"
    finally:
        NC.PARALLEL_MODE, NC.PARALLEL_MIN_WORK = saved


def close(a, b, scale):
    return np.max(np.abs(np.asarray(a) - np.asarray(b)), initial=0.0) <= KERNEL_RTOL * (1.0 + scale)


@st.composite
def kernel_inputs(draw, max_S=12, max_A=4):
    S, A = draw(st.integers(1, max_S)), draw(st.integers(1, max_A))
    rng = np.random.default_rng(draw(seeds))
    density = draw(st.sampled_from([1.0, 0.3]))
    P = random_kernel(rng, (S, A, S), density).reshape(S * A, S)
    R = rng.uniform(-1, 1, (S, A))
    V = rng.uniform(-10, 10, S)
    gamma = draw(st.sampled_from([0.0, 0.5, 0.99]))
    pi_det = rng.integers(A, size=S)
    pi_sto = random_kernel(rng, (S, A), draw(st.sampled_from([1.0, 0.5])))
    return P, R, V, gamma, pi_det, pi_sto


def layouts(P):
    return [("dense", P), ("csr", sp.csr_array(P)), ("csr_matrix", sp.csr_matrix(P))]


@settings(max_examples=30)
@given(kernel_inputs())
def test_bellman_q_numba_matches_numpy(inp):
    P, R, V, gamma, _, _ = inp
    scale = np.abs(R).max() + np.abs(V).max()
    Q0, V0, g0 = K.reference.bellman(P, R, V, gamma)
    for name, Pl in (x for _ in numba_variants() for x in layouts(P)):
        Q1, V1, g1 = K.bellman_q(Pl, R, V, gamma, "numba")
        assert close(Q1, Q0, scale) and close(V1, V0, scale), name
        # greedy actions may differ only between actions tied up to rounding
        assert close(Q0[np.arange(len(g1)), g1], V0, scale), name
        assert g1.dtype == np.int64
        Q2, V2, g2 = K.bellman_q(Pl, R, V, gamma, "numpy")
        assert close(Q2, Q0, scale) and close(V2, V0, scale), name


@settings(max_examples=30)
@given(kernel_inputs())
def test_policy_sweep_numba_matches_numpy(inp):
    P, R, V, gamma, pi_det, pi_sto = inp
    scale = np.abs(R).max() + np.abs(V).max()
    S, A = R.shape
    for pi in (pi_det, pi_sto):
        ref = K.reference.policy_sweep(P, R, pi, V, gamma)
        # definition check for the reference itself: sum_a pi(a|s) Q(s, a)
        Q = R + gamma * (P @ V).reshape(S, A)
        probs = np.eye(A)[pi] if pi.ndim == 1 else pi
        assert close(ref, (probs * Q).sum(1), scale)
        for name, Pl in (x for _ in numba_variants() for x in layouts(P)):
            assert close(K.policy_sweep(Pl, R, pi, V, gamma, "numba"), ref, scale), name
            assert close(K.policy_sweep(Pl, R, pi, V, gamma, "numpy"), ref, scale), name


@settings(max_examples=30)
@given(kernel_inputs())
def test_gauss_seidel_numba_matches_numpy(inp):
    P, R, V, gamma, _, _ = inp
    scale = np.abs(R).max() + np.abs(V).max()
    V_ref = V.copy()
    d_ref = K.reference.gauss_seidel(P, R, V_ref, gamma)
    # definition: state s sees the already-updated V[:s]
    S, A = R.shape
    W = V.copy()
    for s in range(S):
        W[s] = (R[s] + gamma * P[s * A:(s + 1) * A] @ W).max()
    assert close(V_ref, W, scale)
    for name, Pl in layouts(P):
        for backend in ("numba", "numpy"):
            V1 = V.copy()
            d1 = K.gauss_seidel_sweep(Pl, R, V1, gamma, backend)
            assert close(V1, V_ref, scale) and abs(d1 - d_ref) <= KERNEL_RTOL * (1 + scale), (name, backend)


@st.composite
def episodic_inputs(draw):
    H, S, A = draw(st.integers(1, 5)), draw(st.integers(1, 7)), draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(seeds))
    stationary = draw(st.booleans())
    P = random_kernel(rng, (S, A, S) if stationary else (H, S, A, S), draw(st.sampled_from([1.0, 0.4])))
    R = rng.uniform(0, 1, (H, S, A))
    pol = random_kernel(rng, (H, S, A), 0.5) if draw(st.booleans()) else rng.integers(A, size=(H, S))
    return P, R, pol


@settings(max_examples=30)
@given(episodic_inputs())
def test_episodic_kernels_numba_match_numpy(inp):
    P, R, pol = inp
    H = R.shape[0]
    V0, Q0, pi0 = E.backward_induction_arrays(P, R, backend="numpy")
    W0, G0 = E.policy_evaluation_arrays(P, R, pol, backend="numpy")
    for variant in numba_variants():
        V1, Q1, pi1 = E.backward_induction_arrays(P, R, backend="numba")
        assert close(V1, V0, H) and close(Q1, Q0, H), variant
        assert close(np.take_along_axis(Q0, pi1[..., None], 2)[..., 0], V0[:-1], H), variant
        W1, G1 = E.policy_evaluation_arrays(P, R, pol, backend="numba")
        assert close(W1, W0, H) and close(G1, G0, H), variant
    # the greedy policy of backward induction evaluates to V*
    Wstar, _ = E.policy_evaluation_arrays(P, R, pi1, backend="numba")
    assert close(Wstar, V0, H)
    # any policy is dominated by V*
    assert np.all(W0 <= V0 + KERNEL_RTOL * (1 + H))


def test_episodic_arrays_terminal_and_stationary_shapes():
    rng = np.random.default_rng(3)
    P = random_kernel(rng, (4, 3, 4))
    R = rng.random((4, 3))
    VT = rng.random(4)
    V, Q, pi = E.backward_induction_arrays(P, R, V_terminal=VT, H=5)
    assert V.shape == (6, 4) and Q.shape == (5, 4, 3) and pi.shape == (5, 4)
    assert np.array_equal(V[5], VT)
    assert np.allclose(Q[4], R + P @ VT)
    with pytest.raises(ValueError, match="pass the horizon H"):
        E.backward_induction_arrays(P, R)
    with pytest.raises(ValueError, match="V_terminal"):
        E.backward_induction_arrays(P, R, V_terminal=np.ones(3), H=2)
    with pytest.raises(ValueError, match="backend"):
        E.backward_induction_arrays(P, R, H=2, backend="cuda")


def test_negative_control_kernel_comparison_detects_wrong_discount():
    rng = np.random.default_rng(0)
    S, A = 30, 3
    P = random_kernel(rng, (S, A, S)).reshape(S * A, S)
    R, V = rng.uniform(-1, 1, (S, A)), rng.uniform(50, 100, S)
    scale = np.abs(R).max() + np.abs(V).max()
    Q0, V0, _ = K.reference.bellman(P, R, V, 0.9)
    for variant in numba_variants():
        assert close(K.bellman_q(P, R, V, 0.9, "numba")[1], V0, scale), variant
        Q1, V1, _ = K.bellman_q(P, R, V, 0.9 * (1 + 1e-9), "numba")
        assert not close(V1, V0, scale), variant
        Q2, V2, _ = K.bellman_q(sp.csr_array(P), R, V, 0.9 * (1 + 1e-9), "numba")
        assert not close(V2, V0, scale), variant


def test_policy_model_matches_sweep():
    rng = np.random.default_rng(1)
    S, A = 9, 3
    P = random_kernel(rng, (S, A, S), 0.4).reshape(S * A, S)
    R, V = rng.random((S, A)), rng.random(S)
    for pi in (rng.integers(A, size=S), random_kernel(rng, (S, A))):
        for Pl in (P, sp.csr_array(P)):
            P_pi, r_pi = K.policy_model(Pl, R, pi)
            assert np.allclose(r_pi + 0.9 * (P_pi @ V), K.reference.policy_sweep(P, R, pi, V, 0.9), atol=1e-14)
            assert sp.issparse(P_pi) == sp.issparse(Pl)


def test_backend_is_validated():
    with pytest.raises(ValueError, match="backend"):
        K.bellman_q(np.eye(2), np.zeros((2, 1)), np.zeros(2), 0.5, backend="gpu")
