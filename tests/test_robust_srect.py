"""s-rectangular robust policy evaluation: joint cvxpy primal, sandwich with sa-rectangular, reductions."""
from __future__ import annotations

import numpy as np
import pytest

from mdptheory import KL, TV, ChiSquare, EpisodicMDP, FiniteMDP, random_d_rectangular
from solvers.robust import robust_policy_evaluation
from solvers.robust.inner import s_rectangular_rows
from solvers.robust.oracle import primal_s_rectangular
from strategies_robust import DIVERGENCES

pytestmark = pytest.mark.filterwarnings("ignore:Solution may be inaccurate")


@pytest.mark.parametrize("cls", DIVERGENCES)
@pytest.mark.parametrize("reg", [False, True])
def test_matches_joint_cvxpy_primal(cls, reg):
    rng = np.random.default_rng(1)
    for t in range(3):
        A, S = 3, 5
        P0 = rng.dirichlet(np.ones(S), size=A)
        P0[1, 0] = 0.0
        P0[1] /= P0[1].sum()
        pi = rng.dirichlet(np.ones(A))
        if t == 0:
            pi[2] = 0.0
            pi /= pi.sum()
        V = rng.normal(size=S)
        u = cls(lam=0.4) if reg else cls(rho=(0.05, 0.3, 2.0)[t])
        val, Pw, pen = s_rectangular_rows(P0[None], pi[None], V, u)
        assert abs(val[0] - primal_s_rectangular(P0, pi, V, u)) < 1e-6
        div = u.divergence(Pw[0], P0)
        lin = float(pi @ (Pw[0] @ V))
        if reg:  # attains: linear part + lam sum_a D_a
            assert abs(lin + 0.4 * div[pi > 0].sum() - val[0]) < 1e-9 and pen[0] == pytest.approx(0.4 * div[pi > 0].sum())
        else:  # feasible and attains
            assert div[pi > 0].sum() <= u.rho + 1e-9 and abs(lin - val[0]) < 1e-9


def test_negative_control_sa_budget_is_not_s_rectangular():
    """The oracle comparison rejects the sa-rectangular answer (budget rho per action, not shared)."""
    rng = np.random.default_rng(2)
    P0 = rng.dirichlet(np.ones(5), size=3)
    pi = np.full(3, 1 / 3)
    V = rng.normal(size=5)
    from solvers.robust import worst_case_rows
    sa_value = float(pi @ worst_case_rows(P0, V, TV(0.3))[0])
    assert abs(sa_value - primal_s_rectangular(P0, pi, V, TV(0.3))) > 1e-3


def _finite(seed):
    rng = np.random.default_rng(seed)
    return FiniteMDP(rng.dirichlet(np.ones(6), size=(6, 3)), rng.random((6, 3)), 0.9), rng


@pytest.mark.parametrize("cls", DIVERGENCES)
def test_sandwich_and_deterministic_reduction(cls):
    mdp, rng = _finite(0)
    pi = rng.dirichlet(np.ones(3), size=6)
    rho = 0.1
    s = robust_policy_evaluation(mdp, pi, cls(rho), rect="s", tol=1e-9)
    sa = robust_policy_evaluation(mdp, pi, cls(rho), tol=1e-9)
    s_big = robust_policy_evaluation(mdp, pi, cls(3 * rho), rect="s", tol=1e-9)
    # {sum_a D_a <= rho} is inside {D_a <= rho for all a}, which is inside {sum_a D_a <= A rho}
    assert np.all(s.V >= sa.V - 2e-9) and np.all(s_big.V <= sa.V + 2e-9)
    assert s.converged and s.error_bound <= 1e-9
    det = rng.integers(3, size=6)
    for u in (cls(rho), cls(lam=0.5)):
        a = robust_policy_evaluation(mdp, det, u, rect="s", tol=1e-10).V
        b = robust_policy_evaluation(mdp, det, u, tol=1e-10).V
        assert np.allclose(a, b, atol=3e-10)
    # the worst-case kernel reproduces V: V = sum_a pi_a Q + gamma * penalty
    for u in (cls(rho), cls(lam=0.5)):
        r = robust_policy_evaluation(mdp, pi, u, rect="s", tol=1e-10)
        assert np.allclose((pi * r.Q).sum(axis=1) + 0.9 * r.extra["penalty"], r.V, atol=1e-8)


def test_episodic_and_linear():
    m = random_d_rectangular(4, 2, 2, 3, rng=0)
    rng = np.random.default_rng(0)
    pi = rng.dirichlet(np.ones(2), size=(3, 4))
    for u in (TV(0.2), KL(lam=0.3), ChiSquare(0.1)):
        r = robust_policy_evaluation(m, pi, u, rect="s")
        tab = robust_policy_evaluation(m.to_tabular(), pi, u, rect="s")
        assert np.allclose(r.V, tab.V)
        assert np.allclose((pi * r.Q).sum(axis=-1) + r.extra["penalty"], r.V[:-1], atol=1e-10)
        assert np.all(r.V <= robust_policy_evaluation(m.to_tabular(), pi, type(u)(rho=0.0)).V + 1e-12)
    assert isinstance(m.to_tabular(), EpisodicMDP)
