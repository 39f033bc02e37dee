"""Robust planners: spec ground truth, brute force on tiny instances, worst-case kernels, limits, errors."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import solvers
from mdptheory import KL, TV, ChiSquare, FiniteMDP, LinearMDP, random_d_rectangular
from mdptheory.envs import simulated_linear_mdp
from solvers.robust import robust_backward_induction, robust_policy_evaluation, robust_value_iteration
from solvers.robust.inner import worst_case_rows
from strategies_robust import DIVERGENCES, small_linear_mdps, uncertainty_sets


def evaluate(P, R, policy):
    """Nominal finite-horizon evaluation of a deterministic (H, S) or stochastic (H, S, A) policy."""
    H, S, A, _ = P.shape
    pol = np.eye(A)[policy] if np.issubdtype(np.asarray(policy).dtype, np.integer) else policy
    V = np.zeros((H + 1, S))
    for h in range(H - 1, -1, -1):
        V[h] = (pol[h] * (R[h] + P[h] @ V[h + 1])).sum(axis=1)
    return V


# ------------------------------------------------------------------- spec 2.5(a) ground truth
SPEC_TABLE = {  # V*_1(x1), delta=0.3, ||xi||_1=0.2, p=0.001, lam = 0.1 / 0.3 / 1 / 10
    TV: [0.1000, 0.2998, 0.9995, 1.6243],
    KL: [1.3452, 1.6155, 1.6236, 1.6242],
    ChiSquare: [1.6221, 1.6235, 1.6240, 1.6242],
}


@pytest.mark.parametrize("cls", DIVERGENCES)
def test_spec_ground_truth_simulated_linear_mdp(cls):
    m = simulated_linear_mdp(delta=0.3, xi_norm=0.2, p=0.001)
    for lam, expected in zip((0.1, 0.3, 1.0, 10.0), SPEC_TABLE[cls]):
        res = robust_backward_induction(m, cls(lam=lam))
        assert round(float(res.V[0, 0]), 4) == expected, (cls, lam, res.V[0, 0])
        assert res.policy[0, 0] == 15  # a = (1,1,1,1) is robust-optimal at x1 in every case (spec)


def test_spec_ground_truth_negative_control():
    """The same 4-decimal check rejects TV with the minimum over supp(mu0) instead of over S (spec 5.4).

    That variant cannot move mass to the fail state x4 from factor 4 (= delta_x5), so it stays far
    above the exact 0.1000.
    """
    m = simulated_linear_mdp()
    lam = 0.1
    V = np.zeros(m.S)
    for h in range(m.H - 1, -1, -1):
        nu = np.array([mu @ np.minimum(V, V[mu > 0].min() + lam) for mu in m.mu[h]])
        V = (m.phi @ (m.theta[h] + nu)).max(axis=1)
    assert round(float(V[0]), 4) != SPEC_TABLE[TV][0]
    assert round(float(robust_backward_induction(m, TV(lam=lam)).V[0, 0]), 4) == SPEC_TABLE[TV][0]


# ------------------------------------------------------------------------- robust <= nominal etc.
@settings(max_examples=15)
@given(m=small_linear_mdps(), u=uncertainty_sets())
def test_robust_below_nominal_and_kernel_consistency(m, u):
    nominal = solvers.backward_induction(m.to_tabular())
    for rect in ("d", "sa"):
        res = robust_backward_induction(m, u, rect=rect)
        assert np.all(res.V <= nominal.V + 1e-10)
        # the worst-case kernel (plus nature's penalty) reproduces V for the robust-optimal policy
        Vw = evaluate(res.extra["P_worst"], m.R + res.extra["penalty"], res.policy)
        assert np.allclose(Vw, res.V, atol=1e-9)
        if float(u.param) in (0.05, 0.3) and not np.allclose(res.V, nominal.V, atol=1e-6):
            # negative control: the nominal kernel does not reproduce the robust values
            assert not np.allclose(evaluate(m.P, m.R, res.policy), res.V, atol=1e-9)
        if not u.is_regularized:
            assert np.all(res.extra["penalty"] == 0)
            if rect == "d":
                div = u.divergence(res.extra["mu_worst"], m.mu)
                assert np.all(div <= u.rho + 1e-9)
            else:
                div = u.divergence(res.extra["P_worst"], m.to_tabular().P)
                assert np.all(div <= u.rho + 1e-9)


@settings(max_examples=10)
@given(m=small_linear_mdps(), cls=st.sampled_from(DIVERGENCES))
def test_limits_and_monotonicity_of_values(m, cls):
    nominal = solvers.backward_induction(m.to_tabular()).V
    assert np.allclose(robust_backward_induction(m, cls(0.0)).V, nominal, atol=1e-12)
    assert np.allclose(robust_backward_induction(m, cls(lam=np.inf)).V, nominal, atol=1e-12)
    cons = [robust_backward_induction(m, cls(r)).V for r in (0.0, 0.05, 0.2, 1.0, np.inf)]
    reg = [robust_backward_induction(m, cls(lam=x)).V for x in (1e-6, 0.1, 1.0, 10.0, 1e6)]
    assert all(np.all(a >= b - 1e-10) for a, b in zip(cons, cons[1:]))
    assert all(np.all(a <= b + 1e-10) for a, b in zip(reg, reg[1:]))
    assert np.allclose(reg[-1], nominal, atol=1e-4 * m.H)
    if cls is TV:  # TV regularized is exactly nominal once lam >= span of every V_{h+1} (<= H)
        assert np.allclose(robust_backward_induction(m, TV(lam=m.H + 1.0)).V, nominal, atol=1e-12)


def test_limits_negative_control():
    """Checks above reject a 'nature' that plays the best case, and the nominal value mislabelled as robust."""
    m = random_d_rectangular(3, 2, 2, 2, rng=4)
    nominal = solvers.backward_induction(m.to_tabular())
    robust = robust_backward_induction(m, TV(0.3))
    flipped = LinearMDP(m.phi, m.mu, -m.theta, m.mu0)  # best case of r = minus worst case of -r
    best_case = -robust_backward_induction(flipped, TV(0.3), policy=nominal.policy).V
    assert np.any(best_case > nominal.V + 1e-6)  # fails "robust <= nominal"
    assert np.any(np.abs(robust.V - nominal.V) > 1e-6)  # nominal-as-robust fails the rho > 0 values


# --------------------------------------------------------------------------------- brute force
def _ball_interval(x0, u, cls):
    """Endpoints of {x in [0,1] : D((x,1-x) || (x0,1-x0)) <= rho} (a 1-D interval), by bisection."""
    q = np.array([x0, 1 - x0])

    def div(x):
        return cls(0.0).divergence(np.array([x, 1 - x]), q)

    ends = []
    for target in (0.0, 1.0):
        if div(target) <= u.rho:
            ends.append(target)
            continue
        lo, hi = x0, target  # div(lo) = 0 <= rho < div(hi)
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if div(mid) <= u.rho else (lo, mid)
        ends.append(lo)
    return ends


@pytest.mark.parametrize("cls", DIVERGENCES)
@pytest.mark.parametrize("seed", [0, 1])
def test_d_rectangular_dp_equals_brute_force(cls, seed):
    """S=2: each factor ball is an interval, V^{pi,mu} is multilinear in the factors, so the worst case is
    a vertex combination; max over all deterministic policies of min over all vertex combinations
    (evaluated exactly on the tabular model) must equal the robust DP value at every initial state."""
    S, A, d, H = 2, 2, 2, 3
    m = random_d_rectangular(S, A, d, H, rng=seed)
    u = cls(0.15)
    ends = [[_ball_interval(m.mu[h, i, 0], u, cls) for i in range(d)] for h in range(H)]
    R = m.R
    best = np.full(S, -np.inf)
    nominal_rhs = np.full(S, -np.inf)
    policies = list(itertools.product(range(A), repeat=S * H))
    combos = list(itertools.product((0, 1), repeat=H * d))
    for flat in policies:
        pol = np.array(flat).reshape(H, S)
        worst = np.full(S, np.inf)
        for c in combos:
            x = np.array([ends[h][i][c[h * d + i]] for h in range(H) for i in range(d)]).reshape(H, d)
            mu = np.stack([x, 1 - x], axis=-1)
            P = np.einsum("sai,hit->hsat", m.phi, mu)
            worst = np.minimum(worst, evaluate(P, R, pol)[0])
        best = np.maximum(best, worst)
        nominal_rhs = np.maximum(nominal_rhs, evaluate(m.P, R, pol)[0])
    dp = robust_backward_induction(m, u).V[0]
    assert np.allclose(dp, best, atol=1e-9), (dp, best)
    # negative control: the nominal optimum is not the brute-force robust value
    assert np.any(np.abs(nominal_rhs - best) > 1e-4)


@pytest.mark.parametrize("cls", DIVERGENCES)
def test_regularized_no_feasible_perturbation_beats_dp(cls):
    """Random factor perturbations (value + phi-weighted penalty) never undercut the robust DP value."""
    rng = np.random.default_rng(2)
    m = random_d_rectangular(3, 2, 2, 3, rng=2)
    lam = 0.3
    res = robust_backward_induction(m, cls(lam=lam))
    for _ in range(200):
        mix = rng.uniform(0, 1)
        mu = (1 - mix) * m.mu + mix * rng.dirichlet(np.ones(m.S), size=(m.H, m.d))
        pen = lam * cls(lam=lam).divergence(mu, m.mu)  # (H, d)
        R = m.R + np.einsum("sai,hi->hsa", m.phi, pen)
        V = evaluate(m.with_mu(mu).to_tabular().P, R, res.policy)
        assert np.all(V[0] >= res.V[0] - 1e-10)


def test_one_hot_features_reduce_to_sa_rectangular():
    """d-rectangular with one-hot phi (d = S*A) is sa-rectangular (software_anchors 5.4 reductions)."""
    rng = np.random.default_rng(0)
    S, A, H = 3, 2, 3
    phi = np.eye(S * A).reshape(S, A, S * A)
    m = LinearMDP(phi, rng.dirichlet(np.ones(S), size=(H, S * A)), rng.random((H, S * A)))
    for u in (TV(0.2), KL(0.1), ChiSquare(0.3), TV(lam=0.5), KL(lam=0.5), ChiSquare(lam=0.5)):
        a = robust_backward_induction(m, u, rect="d")
        b = robust_backward_induction(m.to_tabular(), u)
        assert np.allclose(a.V, b.V, atol=1e-12) and np.allclose(a.extra["P_worst"], b.extra["P_worst"], atol=1e-12)


def test_d_and_sa_differ_for_mixed_features():
    """Negative control for the reduction test: with mixed features d- and sa-rectangular values differ."""
    m = random_d_rectangular(3, 2, 2, 3, rng=0)
    a = robust_backward_induction(m, TV(0.2), rect="d").V
    b = robust_backward_induction(m, TV(0.2), rect="sa").V
    assert np.abs(a - b).max() > 1e-4


# ---------------------------------------------------------------------------- policy evaluation
@settings(max_examples=10)
@given(m=small_linear_mdps(), u=uncertainty_sets(), seed=st.integers(0, 1000))
def test_policy_evaluation_is_worst_case_of_policy(m, u, seed):
    rng = np.random.default_rng(seed)
    pol = rng.dirichlet(np.ones(m.A), size=(m.H, m.S))
    res = robust_policy_evaluation(m, pol, u)
    opt = robust_backward_induction(m, u)
    assert np.all(res.V <= opt.V + 1e-10)  # the robust optimum dominates every policy
    assert np.all(res.V <= evaluate(m.P, m.R, pol) + 1e-10)  # below the nominal value of pol
    Vw = evaluate(res.extra["P_worst"], m.R + res.extra["penalty"], pol)
    assert np.allclose(Vw, res.V, atol=1e-9)
    # evaluating the robust-optimal policy reproduces the optimum
    assert np.allclose(robust_policy_evaluation(m, opt.policy, u).V, opt.V, atol=1e-12)


def test_backends_agree():
    m = random_d_rectangular(5, 3, 3, 4, rng=9, factor_support=3)
    for u in (TV(0.2), KL(0.2), ChiSquare(0.2), TV(lam=0.4), KL(lam=0.4), ChiSquare(lam=0.4)):
        a = robust_backward_induction(m, u, backend="numba")
        b = robust_backward_induction(m, u, backend="numpy")
        assert np.allclose(a.V, b.V, atol=1e-10) and np.array_equal(a.policy, b.policy)


def test_per_factor_radius_table():
    """DRPVI-style rho[h, i] table: only (stage 0, factor 3) uncertain."""
    m = simulated_linear_mdp()
    rho = np.zeros((m.H, m.d))
    rho[0, 3] = 0.3
    res = robust_backward_induction(m, TV(rho))
    nominal = robust_backward_induction(m, TV(0.0))
    assert np.allclose(res.V[1:], nominal.V[1:]) and res.V[0, 0] < nominal.V[0, 0]
    assert np.allclose(res.extra["mu_worst"][1:], m.mu[1:])
    with pytest.raises(ValueError, match="does not broadcast"):
        robust_backward_induction(m, TV(np.zeros((2, 4))))


# ------------------------------------------------------------------------------- discounted VI
def _random_finite(S, A, gamma, seed):
    rng = np.random.default_rng(seed)
    P = rng.dirichlet(np.full(S, 0.5), size=(S, A))
    return FiniteMDP(P, rng.random((S, A)), gamma)


@pytest.mark.parametrize("u", [TV(0.1), KL(0.1), ChiSquare(0.1), TV(lam=0.5), KL(lam=0.5), ChiSquare(lam=0.5)],
                         ids=repr)
def test_robust_value_iteration_certificate_and_fixed_point(u):
    mdp = _random_finite(8, 3, 0.9, 0)
    res = robust_value_iteration(mdp, u, tol=1e-9)
    assert res.converged and res.error_bound <= 1e-9
    # robust Bellman residual of the returned V is within the certificate's reach
    vals, _ = worst_case_rows(mdp.P.reshape(-1, 8), res.V, u)
    TV_ = (mdp.R + 0.9 * vals.reshape(8, 3)).max(axis=1)
    assert np.abs(TV_ - res.V).max() <= (1 + 0.9) * 1e-9 + 1e-12
    assert np.all(res.extra["V_lower"] <= res.V + 1e-15) and np.all(res.V <= res.extra["V_upper"] + 1e-15)
    # the greedy policy evaluated nominally under the worst-case kernel (+ penalty) gives back V
    pol = np.eye(3)[res.policy]
    Ppi = np.einsum("sa,sat->st", pol, res.extra["P_worst"])
    rpi = ((mdp.R + 0.9 * res.extra["penalty"]) * pol).sum(axis=1)  # nature pays inside gamma
    Vpi = np.linalg.solve(np.eye(8) - 0.9 * Ppi, rpi)
    assert np.allclose(Vpi, res.V, atol=1e-7)
    shifted = res.V + 2 * 1e-9 * (1 + 0.9) / 0.1  # negative control: outside the certified bracket
    assert np.any(shifted > res.extra["V_upper"])
    nominal = solvers.value_iteration(mdp, tol=1e-10).V
    assert np.all(res.V <= nominal + 1e-8)
    b = robust_value_iteration(mdp, u, tol=1e-9, backend="numpy")
    assert np.allclose(b.V, res.V, atol=2e-9)


def test_robust_value_iteration_rho_zero_is_nominal_and_policy_eval():
    mdp = _random_finite(6, 2, 0.95, 1)
    nominal = solvers.value_iteration(mdp, tol=1e-10)
    assert np.allclose(robust_value_iteration(mdp, KL(0.0), tol=1e-10).V, nominal.V, atol=2e-10)
    ev = robust_policy_evaluation(mdp, nominal.policy, TV(0.2), tol=1e-10)
    opt = robust_value_iteration(mdp, TV(0.2), tol=1e-10)
    assert np.all(ev.V <= opt.V + 1e-9) and ev.method.startswith("robust_policy_evaluation")


# ------------------------------------------------------------------------------------- errors
def test_bad_arguments():
    m = random_d_rectangular(3, 2, 2, 2, rng=0)
    tab = m.to_tabular()
    with pytest.raises(ValueError, match="rect='d' needs a d-rectangular"):
        robust_backward_induction(tab, TV(0.1), rect="d")
    with pytest.raises(ValueError, match="rect must be one of"):
        robust_backward_induction(m, TV(0.1), rect="s")
    with pytest.raises(TypeError, match="use solvers.robust_value_iteration"):
        robust_backward_induction(_random_finite(3, 2, 0.9, 0), TV(0.1))
    with pytest.raises(TypeError, match="uncertainty must be"):
        robust_backward_induction(m, 0.1)
    with pytest.raises(ValueError, match="policy"):
        robust_backward_induction(m, TV(0.1), policy=np.zeros((5, 5), dtype=int))
    signed = LinearMDP(np.full((2, 1, 2), 0.5), np.array([[[2.0, -1.0], [-1.0, 2.0]]]), np.zeros((1, 2)))
    with pytest.raises(ValueError, match="not d-rectangular"):
        robust_backward_induction(signed, TV(0.1))
    robust_backward_induction(signed, TV(0.1), rect="sa")  # fine on the tabular model
    mdp = _random_finite(3, 2, 0.9, 0)
    with pytest.raises(NotImplementedError, match="rect='s'"):
        robust_value_iteration(mdp, TV(0.1), rect="s")
    with pytest.raises(ValueError, match="gamma"):
        robust_value_iteration(mdp.with_gamma(None), TV(0.1))
    with pytest.raises(ValueError, match="tol"):
        robust_value_iteration(mdp, TV(0.1), tol=-1)
    with pytest.raises(ValueError, match="V0"):
        robust_value_iteration(mdp, TV(0.1), V0=np.zeros(4))
    with pytest.warns(solvers.ConvergenceWarning):
        robust_value_iteration(mdp, TV(0.1), max_iter=1, tol=1e-12)
    with pytest.raises(solvers.NotConvergedError):
        robust_value_iteration(mdp, TV(0.1), max_iter=1, tol=1e-12, strict=True)
