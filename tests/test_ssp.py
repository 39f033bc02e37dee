"""Stochastic shortest paths, hitting times and the diameter (issue 15; reused by GOSPRL)."""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import solvers
from mdptheory import FiniteMDP
from solvers.ssp import NotCommunicatingError, ssp_model
from strategies import finite_mdps


def _line(S: int, q: float = 1.0) -> FiniteMDP:
    P = np.zeros((S, 2, S))
    for s in range(S):
        for a, d in ((0, -1), (1, 1)):
            P[s, a, min(max(s + d, 0), S - 1)] += q
            P[s, a, s] += 1 - q
    return FiniteMDP(P, np.zeros((S, 2)), None)


def _brute_hitting(P3: np.ndarray, target: int) -> np.ndarray:
    S, A = P3.shape[:2]
    others = [s for s in range(S) if s != target]
    best = np.full(S, np.inf)
    best[target] = 0
    if not others:
        return best
    for pi in itertools.product(range(A), repeat=S):
        Q = P3[others, np.array(pi)[others]][:, others]
        if np.abs(np.linalg.eigvals(Q)).max() < 1 - 1e-12:
            best[others] = np.minimum(best[others], np.linalg.solve(np.eye(len(others)) - Q, np.ones(len(others))))
    return best


@pytest.mark.parametrize("S,q", [(2, 1.0), (5, 1.0), (6, 0.4)])
def test_diameter_of_lines(S, q):
    for method in ("pi", "vi", "lp"):
        assert solvers.diameter(_line(S, q), method=method) == pytest.approx((S - 1) / q, rel=1e-7)


def test_diameter_of_a_deterministic_grid():
    k = 4
    P = np.zeros((k * k, 4, k * k))
    for i, j in itertools.product(range(k), range(k)):
        for a, (di, dj) in enumerate(((-1, 0), (1, 0), (0, -1), (0, 1))):
            P[i * k + j, a, min(max(i + di, 0), k - 1) * k + min(max(j + dj, 0), k - 1)] = 1
    mdp = FiniteMDP(P, np.zeros((k * k, 4)), None)
    assert solvers.diameter(mdp) == 2 * (k - 1)
    T = solvers.min_hitting_times(mdp, method="vi")
    np.testing.assert_allclose(T[0, k * k - 1], 2 * (k - 1), atol=1e-7)


@settings(max_examples=15)
@given(finite_mdps(max_S=5, max_A=2, gamma=st.just(None)))
def test_ssp_planners_agree_with_brute_force(mdp):
    P3 = mdp.dense_P()
    truth = _brute_hitting(P3, 0)
    assume(np.isfinite(truth).all())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        vi = solvers.ssp_value_iteration(mdp, [0], tol=1e-8)
        pi = solvers.ssp_policy_iteration(mdp, [0])
        lp = solvers.ssp_linear_programming(mdp, [0])
    assert np.abs(vi.V - truth).max() <= vi.error_bound + 1e-12
    np.testing.assert_allclose(pi.V, truth, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(lp.V, truth, rtol=1e-6, atol=1e-9)


def test_unreachable_states_get_inf_and_the_diameter_refuses():
    P = np.zeros((3, 1, 3))
    P[0, 0, 1] = P[1, 0, 1] = P[2, 0, 0] = 1.0      # 1 is absorbing: 0 and 2 never come back
    mdp = FiniteMDP(P, np.zeros((3, 1)), None)
    res = solvers.ssp_policy_iteration(mdp, [2])
    assert np.isinf(res.V[[0, 1]]).all() and res.V[2] == 0
    assert np.isinf(solvers.ssp_value_iteration(mdp, [2]).V[[0, 1]]).all()
    with pytest.raises(NotCommunicatingError, match="not communicating"):
        solvers.diameter(mdp)


def test_actions_that_risk_an_absorbing_trap_are_forbidden():
    # from 0: action 0 reaches the goal 2 surely in 2 steps via 1; action 1 goes to 2 w.p. 0.9 but to the trap 3
    P = np.zeros((4, 2, 4))
    P[0, 0, 1] = 1
    P[0, 1, 2], P[0, 1, 3] = 0.9, 0.1
    P[1, :, 2] = 1
    P[2, :, 2] = 1
    P[3, :, 3] = 1
    res = solvers.ssp_policy_iteration(FiniteMDP(P, np.zeros((4, 2)), None), [2])
    assert res.V[0] == 2.0 and res.policy[0] == 0


@pytest.mark.parametrize("goal,cost,match", [([], None, "at least one"), ([7], None, "goal states"),
                                             ([0], -np.ones((2, 2)), "positive"),
                                             ([0], np.ones((3, 2)), "positive")])
def test_bad_ssp_input(goal, cost, match):
    with pytest.raises(ValueError, match=match):
        ssp_model(_line(2), goal, cost)
