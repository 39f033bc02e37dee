"""Average-reward planners, exact evaluation, chain quantities and their errors (issue 15)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import assume, given, settings, strategies as st

import solvers
from mdptheory import FiniteMDP
from mdptheory.envs import garnet, two_state_escape
from mdptheory.markov import (MultichainError, gain_bias, hitting_times, minorization, period, recurrent_classes,
                              stationary_distribution, t_minorize, t_mix)
from mdptheory.structure import classify, deterministic_policies, policy_chain, uniform_mixing
from solvers.result import ConvergenceWarning
from strategies import finite_mdps, random_kernel, seeds


def _brute_gain(mdp: FiniteMDP) -> float:
    """max over deterministic policies of eta . r_pi, eta from a least-squares solve (independent of the library)."""
    best = -np.inf
    for pi in deterministic_policies(mdp):
        P, r = policy_chain(mdp, pi)
        S = len(r)
        eta = np.linalg.lstsq(np.vstack([P.T - np.eye(S), np.ones((1, S))]), np.r_[np.zeros(S), 1.0], rcond=None)[0]
        best = max(best, float(eta @ r))
    return best


def periodic_cycle(S: int = 2) -> FiniteMDP:
    P = np.zeros((S, 1, S))
    P[np.arange(S), 0, (np.arange(S) + 1) % S] = 1.0
    R = np.zeros((S, 1))
    R[0] = 1.0
    return FiniteMDP(P, R, None)


# ------------------------------------------------------------------------------------------ planners
@settings(max_examples=15)
@given(finite_mdps(max_S=6, max_A=3, gamma=st.just(None)), st.sampled_from(["numba", "numpy"]))
def test_rvi_pi_lp_agree_with_brute_force_on_unichain_models(mdp, backend):
    assume(mdp.A ** mdp.S <= 2000 and classify(mdp).unichain)
    g = _brute_gain(mdp)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rvi = solvers.relative_value_iteration(mdp, tol=1e-9, backend=backend)
        pi = solvers.average_reward_policy_iteration(mdp, tol=1e-9, backend=backend)
        lp = solvers.average_reward_linear_programming(mdp, tol=1e-9, backend=backend)
    slack = 1e-12 * (1 + abs(g))
    for res in (rvi, pi, lp):
        assert res.converged
        assert res.gain_lower - slack <= g <= res.gain_upper + slack
        assert abs(res.gain - g) <= res.error_bound + slack
        ev = solvers.average_reward_evaluation(mdp, res.policy)
        assert g - ev.gain <= res.policy_gap_bound + slack


def test_gain_and_bias_against_a_direct_linear_solve():
    rng = np.random.default_rng(3)
    for S in (1, 2, 5, 9):
        P = random_kernel(rng, (S, S), 1.0)
        r = rng.random(S)
        g, h = gain_bias(P, r)
        # direct: solve [I - P, 1; eta, 0] [h; g] = [r; 0] with eta from the left null space
        w, vl = np.linalg.eig(P.T)
        eta = np.real(vl[:, np.argmin(np.abs(w - 1))])
        eta /= eta.sum()
        M = np.block([[np.eye(S) - P, np.ones((S, 1))], [eta[None, :], np.zeros((1, 1))]])
        x = np.linalg.solve(M, np.r_[r, 0.0])
        np.testing.assert_allclose(h, x[:S], atol=1e-10)
        assert g == pytest.approx(x[S], abs=1e-12)
        np.testing.assert_allclose(stationary_distribution(P), eta, atol=1e-12)


def test_relative_values_solve_the_optimality_equation():
    mdp = garnet(8, 3, 8, rng=1, gamma=None)
    res = solvers.relative_value_iteration(mdp, tol=1e-11)
    P, R = mdp.dense_P(), mdp.R
    lhs = res.gain + res.V
    rhs = (R + np.einsum("sat,t->sa", P, res.V)).max(axis=1)
    np.testing.assert_allclose(lhs, rhs, atol=1e-9)
    assert res.V[0] == 0.0
    pe = solvers.average_reward_policy_iteration(mdp.to_sparse())
    np.testing.assert_allclose(pe.V, res.V, atol=1e-8)
    assert pe.gain == pytest.approx(res.gain, abs=1e-10)


def test_rvi_needs_the_aperiodicity_transform_on_a_periodic_cycle():
    mdp = periodic_cycle(2)
    res = solvers.relative_value_iteration(mdp, tol=1e-10)
    assert res.converged and res.gain == pytest.approx(0.5, abs=1e-10)
    with pytest.warns(ConvergenceWarning, match="relative_value_iteration"):
        plain = solvers.relative_value_iteration(mdp, tol=1e-10, tau=1.0, max_iter=200)
    assert not plain.converged and plain.gain_lower <= 0.5 <= plain.gain_upper


def test_rvi_trace_records_the_gain_interval_at_every_sweep():
    mdp = garnet(6, 2, 3, rng=4, gamma=None)
    res = solvers.relative_value_iteration(mdp, tol=1e-10, trace=True)
    lo, hi = res.trace["gain_lower"], res.trace["gain_upper"]
    assert len(lo) == res.iterations == len(res.trace["error_bound"])
    g = solvers.average_reward_policy_iteration(mdp).gain
    assert np.all(lo <= g + 1e-12) and np.all(hi >= g - 1e-12)
    assert "optimal gain in [" in res.message


def test_lp_occupancy_is_a_stationary_law_of_the_optimal_policy():
    mdp = garnet(7, 3, 4, rng=2, gamma=None)
    assume_unichain = classify(mdp).unichain
    assert assume_unichain
    lp = solvers.average_reward_linear_programming(mdp)
    x = lp.extra["occupancy"]
    assert x.sum() == pytest.approx(1.0) and (x >= 0).all()
    P = mdp.dense_P()
    np.testing.assert_allclose(x.sum(axis=1), np.einsum("sa,sat->t", x, P), atol=1e-9)
    assert float((x * mdp.R).sum()) == pytest.approx(lp.gain, abs=1e-9)


# ------------------------------------------------------------------------------------------ bad input
def test_multichain_model_is_refused_by_unichain_policy_iteration():
    P = np.zeros((2, 1, 2))
    P[0, 0, 0] = P[1, 0, 1] = 1.0          # two absorbing states: two recurrent classes
    mdp = FiniteMDP(P, np.array([[1.0], [0.0]]), None)
    with pytest.raises(MultichainError, match="multichain.*unichain policy iteration"):
        solvers.average_reward_policy_iteration(mdp)
    with pytest.raises(MultichainError, match="recurrent classes"):
        solvers.average_reward_evaluation(mdp, np.array([0, 0]))
    assert classify(mdp).unichain is False


def test_discounted_model_is_refused_with_the_fix():
    mdp = garnet(3, 2, 2, rng=0, gamma=0.9)
    for f in (solvers.relative_value_iteration, solvers.average_reward_policy_iteration,
              solvers.average_reward_linear_programming):
        with pytest.raises(ValueError, match=r"with_gamma\(None\)"):
            f(mdp)
    with pytest.raises(ValueError, match="relative_value_iteration"):
        solvers.value_iteration(mdp.with_gamma(None))


@given(st.one_of(st.floats(max_value=0.0, allow_nan=False), st.floats(min_value=0.0, max_value=1.0,
                                                                           exclude_min=True)))
def test_rvi_tau_and_ref_state_are_checked(tau):
    mdp = garnet(3, 2, 2, rng=0, gamma=None)
    if tau <= 0:
        with pytest.raises(ValueError, match="tau must lie in"):
            solvers.relative_value_iteration(mdp, tau=tau)
    with pytest.raises(ValueError, match="ref_state"):
        solvers.relative_value_iteration(mdp, ref_state=3)


# ------------------------------------------------------------------------------------------ chains
@pytest.mark.parametrize("a", [0.05, 0.1, 0.3])
def test_mixing_and_minorization_of_the_symmetric_two_state_chain(a):
    P = np.array([[1 - a, a], [a, 1 - a]])
    # ||P^t(0) - eta||_TV = |1 - 2a|^t / 2
    expected = math.ceil(math.log(0.5) / math.log(abs(1 - 2 * a)))
    assert t_mix(P) == expected
    # p_1 = 2a, and m / p_m increases with m for this chain, so t_minorize = 1 / (2a)
    assert t_minorize(P) == pytest.approx(1 / (2 * a))
    assert minorization(P)[1] == 1


def test_chains_with_known_values():
    nu = np.array([0.2, 0.3, 0.5])
    iid = np.tile(nu, (3, 1))
    assert t_mix(iid) == 1 and t_minorize(iid) == pytest.approx(1.0)
    cyc = np.roll(np.eye(3), 1, axis=1)
    assert period(cyc) == 3 and t_mix(cyc) == math.inf and t_minorize(cyc) == math.inf
    # a lazy line: E[hitting time of the right end] = (S - 1 - s) / q
    q, S = 0.25, 5
    P = np.zeros((S, S))
    for s in range(S):
        P[s, min(s + 1, S - 1)] += q
        P[s, s] += 1 - q
    np.testing.assert_allclose(hitting_times(P, [S - 1]), (S - 1 - np.arange(S)) / q)
    # a state that can be absorbed elsewhere misses the target with positive probability: inf
    Q = np.array([[0.5, 0.25, 0.25], [0, 1, 0], [0, 0, 1]])
    assert hitting_times(Q, [1])[0] == math.inf
    assert [c.tolist() for c in recurrent_classes(Q)] == [[1], [2]]
    with pytest.raises(MultichainError):
        stationary_distribution(Q)


@settings(max_examples=15)
@given(seeds, st.integers(2, 5))
def test_exact_tmix_and_tminorize_match_matrix_powers(seed, S):
    rng = np.random.default_rng(seed)
    P = 0.3 * random_kernel(rng, (S, S), 1.0) + 0.7 * np.eye(S)
    eta = stationary_distribution(P)
    Pt, t = P.copy(), 1
    while 0.5 * np.abs(Pt - eta).sum(axis=1).max() > 0.25:
        Pt, t = Pt @ P, t + 1
    assert t_mix(P) == t
    best, Pm = np.inf, np.eye(S)
    for m in range(1, 400):
        Pm = Pm @ P
        best = min(best, m / Pm.min(axis=0).sum())
    assert t_minorize(P) == pytest.approx(best, rel=1e-12)


def test_uniform_mixing_refuses_large_enumerations():
    mdp = garnet(12, 3, 2, rng=0, gamma=None)
    with pytest.raises(ValueError, match="max_policies"):
        uniform_mixing(mdp)
    um = uniform_mixing(two_state_escape(0.05))
    assert um.t_minorize == pytest.approx(10.0) and um.policies == 4


def test_classify():
    assert classify(garnet(4, 2, 4, rng=0, gamma=None)).ergodic
    two = np.zeros((3, 2, 3))
    two[0, 0, 0] = two[0, 1, 1] = 1
    two[1, 0, 1] = two[1, 1, 2] = 1
    two[2, :, 0] = 1
    c = classify(FiniteMDP(two, np.zeros((3, 2)), None))
    assert c.communicating and not c.ergodic and c.unichain is False
    assert len(recurrent_classes(policy_chain(FiniteMDP(two, np.zeros((3, 2)), None), c.multichain_policy)[0])) > 1
    absorbing = np.zeros((2, 1, 2))
    absorbing[:, 0, 1] = 1.0
    c2 = classify(FiniteMDP(absorbing, np.zeros((2, 1)), None))
    assert not c2.communicating and c2.unichain
