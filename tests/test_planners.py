"""Exact planners: cross-solver agreement within certificates, Bellman residuals, policy values,
brackets, iteration caps, argument errors, backward induction vs brute force.

Floating-point slack: certificates hold in exact arithmetic; computed values carry rounding of order
``eps * ||V|| / (1 - gamma)`` (conditioning of ``I - gamma P``). We allow ``fp_slack`` = 64 times
that, far below every tolerance tested (``tol = 1e-9`` and up), and each certificate check has a
negative control that the same check rejects.
"""
from __future__ import annotations

import itertools
import types
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings, strategies as st

import solvers
from mdptheory import EpisodicMDP, FiniteMDP
from solvers import _kernels as K
from solvers._kernels import episodic as E
from solvers.result import ConvergenceWarning, NotConvergedError
from strategies import episodic_mdps, finite_mdps, random_kernel

TOL = 1e-9
GAMMAS = st.sampled_from([0.0, 0.5, 0.9, 0.99])


def fp_slack(mdp, V):
    return 64 * np.finfo(float).eps * (1.0 + np.abs(V).max()) / (1.0 - mdp.gamma)


def exact_value(mdp, policy):
    """Reference ``V^pi`` by a dense solve written out here (independent of the solvers package)."""
    S, A = mdp.S, mdp.A
    P = mdp.dense_P()
    P_pi = P[np.arange(S), policy]
    r_pi = mdp.R[np.arange(S), policy]
    return np.linalg.solve(np.eye(S) - mdp.gamma * P_pi, r_pi)


def bellman(mdp, V):
    Q = mdp.R + mdp.gamma * mdp.dense_P() @ V
    return Q.max(axis=1)


def certified(V, V_star, bound, slack):
    """The certificate check: ``||V - V*||_inf <= bound`` up to rounding."""
    return np.max(np.abs(V - V_star)) <= bound + slack


def all_planners(mdp, backend):
    return {
        "vi": solvers.value_iteration(mdp, tol=TOL, backend=backend),
        "vi-gs": solvers.value_iteration(mdp, tol=TOL, method="gauss-seidel", backend=backend),
        "pi": solvers.policy_iteration(mdp, tol=TOL, backend=backend),
        "mpi": solvers.modified_policy_iteration(mdp, tol=TOL, backend=backend, m=5),
        "lp": solvers.linear_programming(mdp, tol=1e-6, backend=backend),
    }


@settings(max_examples=20)
@given(finite_mdps(max_S=8, max_A=3, gamma=GAMMAS), st.sampled_from(["numba", "numpy"]))
def test_planners_agree_within_certificates(mdp, backend):
    res = all_planners(mdp, backend)
    # ground truth: PI's policy evaluated by an independent dense solve
    V_star = exact_value(mdp, res["pi"].policy)
    slack = fp_slack(mdp, V_star)
    assert certified(res["pi"].V, V_star, res["pi"].error_bound, slack)
    for name, r in res.items():
        assert r.converged and r.status == "converged", name
        assert r.V.shape == (mdp.S,) and r.Q.shape == (mdp.S, mdp.A) and r.policy.dtype == np.int64
        # every V within its own certificate of V*; pairwise agreement follows by the triangle inequality
        assert certified(r.V, V_star, r.error_bound, slack), name
        assert r.error_bound <= (1e-6 if name == "lp" else TOL), name
        # Q consistent with V and within the same certificate of Q*
        assert np.allclose(r.Q.max(axis=1), r.V, rtol=0, atol=slack), name
        Q_star = mdp.R + mdp.gamma * mdp.dense_P() @ V_star
        assert certified(r.Q, Q_star, r.error_bound, slack), name
        # Bellman residual of the returned V: ||TV - V|| <= (1 + gamma) ||V - V*||
        assert np.max(np.abs(bellman(mdp, r.V) - r.V)) <= (1 + mdp.gamma) * r.error_bound + 2 * slack, name
        # the returned policy's exact value is V* up to its certified gap
        V_pi = exact_value(mdp, r.policy)
        assert np.all(V_pi <= V_star + slack), name
        assert certified(V_pi, V_star, r.policy_gap_bound, slack), name
    for name in ("vi", "vi-gs", "mpi"):  # the bracket contains V*
        r = res[name]
        assert np.all(r.extra["V_lower"] <= V_star + slack), name
        assert np.all(V_star <= r.extra["V_upper"] + slack), name
        assert r.error_bound <= r.extra["supnorm_bound"] + slack, name


@settings(max_examples=10)
@given(finite_mdps(max_S=8, max_A=3, gamma=st.sampled_from([0.5, 0.9, 0.99])))
def test_negative_control_shifted_V_fails_certificate(mdp):
    r = solvers.value_iteration(mdp, tol=TOL)
    V_star = exact_value(mdp, solvers.policy_iteration(mdp).policy)
    slack = fp_slack(mdp, V_star)
    assert certified(r.V, V_star, r.error_bound, slack)
    direction = np.where(r.V >= V_star, 1.0, -1.0)
    assert not certified(r.V + 2 * TOL * direction, V_star, r.error_bound, slack)
    # the bracket must not contain a V* moved by 2 tol either
    assert not np.all((r.extra["V_lower"] <= V_star + 2 * TOL) & (V_star + 2 * TOL <= r.extra["V_upper"]))


@settings(max_examples=10)
@given(finite_mdps(max_S=8, max_A=3, gamma=st.sampled_from([0.9, 0.99])))
def test_bracket_half_width_contracts_by_gamma(mdp):
    """span(T V_{k+1} - V_{k+1}) <= gamma span(T V_k - V_k) for Jacobi VI (Puterman 1994, section 6.6)."""
    with warnings.catch_warnings():   # tol is meant to reach the rounding floor: 'inaccurate' is expected there
        warnings.simplefilter("ignore", solvers.ConvergenceWarning)
        r = solvers.value_iteration(mdp, tol=1e-12, trace=True)
    hw = r.trace["error_bound"]
    assert len(hw) == r.iterations
    assert np.all(hw[1:] <= mdp.gamma * hw[:-1] + fp_slack(mdp, r.V))


def test_vi_numba_and_numpy_backends_give_same_iterates():
    rng = np.random.default_rng(5)
    S, A = 40, 4
    mdp = FiniteMDP(random_kernel(rng, (S, A, S), 0.3), rng.random((S, A)), 0.95)
    for m in (mdp, mdp.to_sparse()):
        a = solvers.value_iteration(m, tol=1e-10, backend="numba", trace="V")
        b = solvers.value_iteration(m, tol=1e-10, backend="numpy", trace="V")
        assert a.iterations == b.iterations
        assert np.allclose(a.trace["V"], b.trace["V"], rtol=0, atol=1e-12)


def test_lp_occupancy_is_the_optimal_policy_occupancy():
    rng = np.random.default_rng(7)
    S, A, gamma = 12, 3, 0.9
    mdp = FiniteMDP(random_kernel(rng, (S, A, S), 0.5), rng.random((S, A)), gamma, mu0=random_kernel(rng, (S,)))
    for m in (mdp, mdp.to_sparse()):
        r = solvers.linear_programming(m)
        occ = r.extra["occupancy"]
        assert occ.shape == (S, A) and np.all(occ >= 0) and abs(occ.sum() - 1) < 1e-8
        pi = r.policy
        P_pi = mdp.P[np.arange(S), pi]
        d_state = (1 - gamma) * np.linalg.solve((np.eye(S) - gamma * P_pi).T, mdp.mu0)
        expected = np.zeros((S, A))
        expected[np.arange(S), pi] = d_state
        assert np.allclose(occ, expected, atol=1e-7)
        # strong duality: <d, R> / (1 - gamma) = mu0 . V*
        assert abs((occ * mdp.R).sum() / (1 - gamma) - mdp.mu0 @ r.V) < 1e-6
        # negative control: the occupancy of a wrong policy breaks the same identity
        wrong = expected.copy()
        s = int(np.argmax(d_state))
        wrong[s] = 0.0
        wrong[s, (pi[s] + 1) % A] = d_state[s]
        assert not np.allclose(wrong, occ, atol=1e-7)


# --------------------------------------------------------------------------------------------------
# arguments, caps, warnings
# --------------------------------------------------------------------------------------------------

def two_state_mdp(gamma=0.9):
    """State 0: action 0 stays with reward 0.1 (myopically best), action 1 moves to state 1 (reward 0);
    state 1 is absorbing with reward 1. Optimal: move (for gamma > 0.1)."""
    P = np.zeros((2, 2, 2))
    P[0, 0, 0] = P[0, 1, 1] = P[1, :, 1] = 1.0
    R = np.array([[0.1, 0.0], [1.0, 1.0]])
    return FiniteMDP(P, R, gamma)


DISCOUNTED = [solvers.value_iteration, solvers.policy_iteration, solvers.modified_policy_iteration,
              solvers.linear_programming]


@pytest.mark.parametrize("planner", DISCOUNTED + [lambda m: solvers.policy_evaluation(m, np.zeros(2, int))])
def test_gamma_one_or_none_is_rejected_with_pointer(planner):
    mdp = two_state_mdp()
    fake = types.SimpleNamespace(P=mdp.P, R=mdp.R, gamma=1.0, S=2, A=2, P_flat=mdp.P_flat, mu0=mdp.mu0)
    for m in (fake, mdp.with_gamma(None)):
        with pytest.raises(ValueError, match="backward_induction.*relative_value_iteration"):
            planner(m)
    with pytest.raises(ValueError, match="backward_induction"):  # the model itself refuses gamma = 1
        FiniteMDP(mdp.P, mdp.R, 1.0)


def test_episodic_mdp_given_to_discounted_planner_points_to_backward_induction():
    emdp = EpisodicMDP.stationary(two_state_mdp().P, two_state_mdp().R, 3)
    with pytest.raises(TypeError, match="backward_induction"):
        solvers.value_iteration(emdp)
    with pytest.raises(TypeError, match="EpisodicMDP.stationary"):
        solvers.backward_induction(two_state_mdp())


@pytest.mark.parametrize("planner", [solvers.value_iteration, solvers.modified_policy_iteration])
def test_user_max_iter_is_respected(planner):
    mdp = chain_mdp(100)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        r = planner(mdp, tol=1e-12, max_iter=3)
    assert r.iterations == 3 and r.status == "max_iter" and not r.converged
    assert r.error_bound > 1e-12
    # the certificate is still valid when not converged
    V_star = exact_value(mdp, np.zeros(100, dtype=int))
    assert certified(r.V, V_star, r.error_bound, fp_slack(mdp, V_star))
    with pytest.raises(NotConvergedError):
        planner(mdp, tol=1e-12, max_iter=3, strict=True)


def test_policy_iteration_max_iter_and_ties():
    mdp = two_state_mdp(0.9)
    with pytest.warns(ConvergenceWarning):
        r = solvers.policy_iteration(mdp, max_iter=1)
    assert r.iterations == 1 and r.status == "max_iter" and r.policy.tolist() == [0, 0]
    r = solvers.policy_iteration(mdp)
    assert r.converged and r.policy.tolist()[0] == 1
    # ties: both actions in state 1 are identical; the incumbent is kept, whatever it is
    for start in ([1, 0], [1, 1]):
        r = solvers.policy_iteration(mdp, policy0=np.array(start))
        assert r.policy.tolist() == start and r.iterations == 1


def chain_mdp(S=30, gamma=0.99):
    """Deterministic chain 0 -> 1 -> ... -> S-1 (absorbing, reward 1): mixes slowly, so the bracket
    shrinks only at rate gamma. ``V*(s) = gamma^(S-1-s) / (1 - gamma)``."""
    P = np.zeros((S, 1, S))
    P[np.arange(S - 1), 0, np.arange(1, S)] = 1.0
    P[S - 1, 0, S - 1] = 1.0
    R = np.zeros((S, 1))
    R[S - 1] = 1.0
    return FiniteMDP(P, R, gamma)


def test_default_max_iter_reaches_tol_on_slow_chain():
    S = 30
    mdp = chain_mdp(S)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = solvers.value_iteration(mdp, tol=1e-8)
    assert r.converged
    V_star = 0.99 ** (S - 1 - np.arange(S)) / (1 - 0.99)
    assert certified(r.V, V_star, r.error_bound, fp_slack(mdp, V_star))


def test_callback_and_trace_and_timeout():
    mdp = chain_mdp(10)
    seen = []
    r = solvers.value_iteration(mdp, tol=1e-12, trace=True, callback=lambda k, res, eb: seen.append(k) or k >= 2)
    assert r.status == "callback" and r.iterations == 2 and seen == [1, 2]
    assert set(r.trace) == {"residual", "error_bound", "supnorm_bound"} and len(r.trace["residual"]) == 2
    with pytest.warns(ConvergenceWarning):
        r = solvers.value_iteration(mdp, tol=1e-300, max_iter=10**6, timeout=0.0)
    assert r.status == "timeout"


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"tol": 0.0}, ValueError, "tol"), ({"tol": -1}, ValueError, "tol"), ({"tol": "a"}, TypeError, "tol"),
    ({"max_iter": 0}, ValueError, "max_iter"), ({"max_iter": 2.5}, TypeError, "max_iter"),
    ({"backend": "cuda"}, ValueError, "backend"), ({"method": "async"}, ValueError, "method"),
    ({"V0": np.zeros(3)}, ValueError, "V0"), ({"trace": "yes"}, ValueError, "trace"),
])
def test_bad_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        solvers.value_iteration(two_state_mdp(), **kwargs)


def test_result_is_frozen():
    r = solvers.value_iteration(two_state_mdp())
    with pytest.raises(Exception):
        r.V = None
    with pytest.raises(ValueError):
        r.V[0] = 1.0
    assert "value_iteration" in repr(r)


# --------------------------------------------------------------------------------------------------
# solve() and episodic planners
# --------------------------------------------------------------------------------------------------

@settings(max_examples=10)
@given(finite_mdps(max_S=8, max_A=3, gamma=GAMMAS))
def test_solve_returns_certified_policy(mdp):
    r = solvers.solve(mdp, tol=1e-8)
    V_star = exact_value(mdp, solvers.policy_iteration(mdp).policy)
    slack = fp_slack(mdp, V_star)
    assert r.converged and certified(r.V, V_star, r.error_bound, slack) and r.error_bound <= 1e-8
    assert certified(exact_value(mdp, r.policy), V_star, r.policy_gap_bound, slack)


def test_solve_large_sparse_uses_iterative_method():
    from mdptheory.envs.garnet import garnet

    mdp = garnet(400, 3, 5, rng=0, gamma=0.95, sparse=True)
    r = solvers.solve(mdp, tol=1e-8)
    assert r.method == "modified_policy_iteration" and r.converged
    ref = solvers.policy_iteration(mdp)
    assert certified(r.V, ref.V, r.error_bound + ref.error_bound, fp_slack(mdp, ref.V))


def brute_force_episodic(mdp):
    """Max over all A^(H S) deterministic Markov policies of their exact values (NumPy recursion)."""
    H, S, A = mdp.H, mdp.S, mdp.A
    best = np.full(S, -np.inf)
    for flat in itertools.product(range(A), repeat=H * S):
        pol = np.array(flat).reshape(H, S)
        V, _ = E.policy_evaluation_arrays(mdp.P, mdp.R, pol, backend="numpy")
        best = np.maximum(best, V[0])
    return best


tiny_episodic = episodic_mdps(max_H=3, max_S=3, max_A=2)


@settings(max_examples=15)
@given(tiny_episodic, st.sampled_from(["numba", "numpy"]))
def test_backward_induction_matches_brute_force(mdp, backend):
    r = solvers.backward_induction(mdp, backend=backend)
    assert r.V.shape == (mdp.H + 1, mdp.S) and r.Q.shape == (mdp.H, mdp.S, mdp.A)
    assert r.policy.shape == (mdp.H, mdp.S) and np.all(r.V[mdp.H] == 0)
    best = brute_force_episodic(mdp)
    assert np.allclose(r.V[0], best, rtol=0, atol=1e-12 * mdp.H)
    pe = solvers.policy_evaluation(mdp, r.policy, backend=backend)
    assert np.allclose(pe.V, r.V, rtol=0, atol=1e-12 * mdp.H)
    assert abs(r.extra["value_mu0"] - mdp.mu0 @ best) < 1e-12 * mdp.H


def test_negative_control_brute_force_rejects_wrong_recursion():
    """The brute-force check must reject a recursion with the stages in the wrong order."""
    rng = np.random.default_rng(11)
    H, S, A = 3, 3, 2
    mdp = EpisodicMDP(random_kernel(rng, (H, S, A, S)), rng.random((H, S, A)))
    V_wrong, _, _ = E.backward_induction_arrays(mdp.P[::-1], mdp.R[::-1])
    assert not np.allclose(V_wrong[0], brute_force_episodic(mdp), rtol=0, atol=1e-12 * H)


def test_solve_episodic_uses_backward_induction():
    rng = np.random.default_rng(2)
    mdp = EpisodicMDP(random_kernel(rng, (4, 3, 2, 3)), rng.random((4, 3, 2)))
    r = solvers.solve(mdp)
    assert r.method == "backward_induction" and r.status == "exact"
