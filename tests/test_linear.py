"""LinearMDP, the d-rectangular check, to_tabular, the generator, and the two spec environments."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import solvers
from mdptheory import EpisodicMDP, LinearMDP, random_d_rectangular
from mdptheory.envs import american_put, simulated_linear_mdp, simulated_linear_mdp_actions
from mdptheory.envs.american_put import hat_features
from strategies_robust import seeds


def test_to_tabular_factorisation():
    m = random_d_rectangular(5, 3, 2, 4, rng=1)
    tab = m.to_tabular()
    assert isinstance(tab, EpisodicMDP) and tab.P.shape == (4, 5, 3, 5) and tab.R.shape == (4, 5, 3)
    for h, s, a in [(0, 0, 0), (3, 4, 2), (2, 1, 1)]:
        assert np.allclose(tab.P[h, s, a], sum(m.phi[s, a, i] * m.mu[h, i] for i in range(m.d)))
        assert tab.R[h, s, a] == pytest.approx(m.phi[s, a] @ m.theta[h])
    assert np.array_equal(tab.mu0, m.mu0)
    assert (m.S, m.A, m.d, m.H) == (5, 3, 2, 4)


def test_generator_reproducible_and_valid():
    a = random_d_rectangular(4, 2, 3, 2, rng=7, factor_support=2)
    b = random_d_rectangular(4, 2, 3, 2, rng=np.random.default_rng(7), factor_support=2)
    assert np.array_equal(a.phi, b.phi) and np.array_equal(a.mu, b.mu) and np.array_equal(a.theta, b.theta)
    assert a.is_d_rectangular and ((a.mu > 0).sum(axis=-1) == 2).all()
    assert not np.array_equal(a.mu, random_d_rectangular(4, 2, 3, 2, rng=8, factor_support=2).mu)
    with pytest.raises(ValueError, match="factor_support"):
        random_d_rectangular(3, 2, 2, 1, rng=0, factor_support=4)
    with pytest.raises(ValueError, match="concentration"):
        random_d_rectangular(3, 2, 2, 1, rng=0, feature_concentration=0.0)
    with pytest.raises(ValueError, match="S must be >= 1"):
        random_d_rectangular(0, 2, 2, 1, rng=0)


def test_general_linear_mdp_with_signed_mu_is_not_d_rectangular():
    """A valid linear MDP whose factors are signed: allowed, but check_d_rectangular names the problem."""
    phi = np.array([[[1.0, 0.0]], [[0.5, 0.5]]])  # S=2, A=1, d=2
    mu = np.array([[[1.0, 0.0], [-0.2, 1.2]]])  # factor 1 is not a distribution; P rows still are
    m = LinearMDP(phi, mu, np.zeros((1, 2)))
    assert np.allclose(m.P[0, 1, 0], [0.4, 0.6])
    with pytest.raises(ValueError, match=r"not d-rectangular: mu\[0, 1, 0\] = -0.2 is negative"):
        m.check_d_rectangular()
    assert not m.is_d_rectangular


def test_d_rectangular_errors():
    m = random_d_rectangular(3, 2, 2, 1, rng=0)
    phi = m.phi.copy()
    phi[1, 0] = [1.0, 1.0]  # rows of phi sum to 2; scale mu so that P stays stochastic
    with pytest.raises(ValueError, match=r"phi \. mu is not a transition kernel: P\[0, 1, 0, :\] sums to 2"):
        LinearMDP(phi, m.mu, m.theta)
    phi = np.full((2, 1, 2), 0.5)
    mu = np.array([[[2.0, -1.0], [-1.0, 2.0]]])  # P = (0.5, 0.5) valid, factors signed
    LinearMDP(phi, mu, np.zeros((1, 2)))
    phi2 = np.array([[[1.5, -0.5]], [[1.5, -0.5]]])
    mu2 = np.array([[[0.5, 0.5], [0.5, 0.5]]])
    with pytest.raises(ValueError, match=r"not d-rectangular: phi\[0, 0, 1\] = -0.5 is negative"):
        LinearMDP(phi2, mu2, np.zeros((1, 2))).check_d_rectangular()
    phi3 = np.array([[[0.5, 0.7]]])
    mu3 = np.array([[[1.0]], [[1.0]]]).reshape(1, 2, 1) / 1.2
    with pytest.raises(ValueError, match=r"not d-rectangular: phi\[0, 0, :\] sums to 1.2"):
        LinearMDP(phi3, mu3, np.zeros((1, 2))).check_d_rectangular()


def test_shape_errors():
    m = random_d_rectangular(3, 2, 2, 2, rng=0)
    with pytest.raises(ValueError, match=r"mu has shape \(2, 3, 3\), expected \(2, 2, 3\)"):
        LinearMDP(m.phi, np.ones((2, 3, 3)) / 3, m.theta)
    with pytest.raises(ValueError, match=r"theta has shape \(3, 2\), expected \(2, 2\)"):
        LinearMDP(m.phi, m.mu, np.zeros((3, 2)))
    with pytest.raises(ValueError, match="phi must have 3 dimensions"):
        LinearMDP(m.phi[0], m.mu, m.theta)
    with pytest.raises(ValueError, match="not finite"):
        LinearMDP(m.phi, m.mu, np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match="mu0"):
        LinearMDP(m.phi, m.mu, m.theta, mu0=np.array([0.5, 0.5]))
    with pytest.raises(TypeError, match="numeric"):
        LinearMDP("phi", m.mu, m.theta)


@settings(max_examples=30)
@given(seed=seeds, S=st.integers(1, 4), A=st.integers(1, 3), d=st.integers(1, 3), H=st.integers(1, 3),
       corrupt=st.sampled_from(["none", "phi_neg", "phi_scale", "mu_shape", "theta_shape", "mu_nan", "mu_neg"]))
def test_fuzz_constructor(seed, S, A, d, H, corrupt):
    """Random (possibly corrupted) inputs: either a valid LinearMDP or a ValueError/TypeError naming the field."""
    rng = np.random.default_rng(seed)
    phi = rng.dirichlet(np.ones(d), size=(S, A))
    mu = rng.dirichlet(np.ones(S), size=(H, d))
    theta = rng.random((H, d))
    if corrupt == "phi_neg":
        phi[0, 0, 0] = -0.5
    elif corrupt == "phi_scale":
        phi = phi * 1.3
    elif corrupt == "mu_shape":
        mu = mu[:, :, :-1] if S > 1 else mu[:, :0]
    elif corrupt == "theta_shape":
        theta = theta[:, :-1]
    elif corrupt == "mu_nan":
        mu[0, 0, 0] = np.nan
    elif corrupt == "mu_neg":
        mu[0, 0, 0] -= 2.0
    try:
        m = LinearMDP(phi, mu, theta)
    except (ValueError, TypeError) as exc:
        assert corrupt != "none", exc
        assert any(w in str(exc) for w in ("phi", "mu", "theta", "P[")), exc
        return
    tab = m.to_tabular()
    assert np.allclose(tab.P.sum(-1), 1.0)
    if corrupt == "none":
        assert m.is_d_rectangular


# --------------------------------------------------------------------- simulated linear MDP (spec 2.5a)
def test_simulated_linear_mdp_transition_table():
    m = simulated_linear_mdp(delta=0.3, xi_norm=0.2, p=0.001)
    m.check_d_rectangular()
    acts = simulated_linear_mdp_actions()
    assert acts.shape == (16, 4) and (acts[15] == 1).all() and (acts[0] == -1).all()
    P, R = m.P, m.R
    for k in (0, 7, 15):
        g = 0.3 + 0.05 * acts[k].sum()
        assert np.allclose(P[0, 0, k], [0, 0.999 * (1 - g), 0, 0.001 * (1 - g), g])  # x1
        assert np.allclose(P[1, 1, k], [0, 0, 0.999 * (1 - g), 0.001 * (1 - g), g])  # x2
        assert np.allclose(P[2, 2, k], [0, 0, 0, 1 - g, g])  # x3
        assert R[1, 1, k] == pytest.approx(g) and R[0, 0, k] == 0.0
    assert np.allclose(P[:, 3, :, 3], 1) and np.allclose(P[:, 4, :, 4], 1)  # absorbing fail / goal
    assert np.allclose(R[1:, 4], 1) and np.allclose(R[:, 3], 0)


def test_simulated_linear_mdp_target_environment():
    t = simulated_linear_mdp(q=0.4)
    g = 0.3 + 0.05 * simulated_linear_mdp_actions().sum(axis=1)
    assert np.allclose(t.P[0, 0, :, 1], 1 - g)  # no leakage at stage 1
    assert np.allclose(t.P[0, 0, :, 3], 0.4 * g) and np.allclose(t.P[0, 0, :, 4], 0.6 * g)
    assert np.allclose(t.P[1:], simulated_linear_mdp().P[1:])  # only stage 1 changes
    with pytest.raises(ValueError, match="q must lie in"):
        simulated_linear_mdp(q=1.5)
    with pytest.raises(ValueError, match="xi_norm <= delta"):
        simulated_linear_mdp(delta=0.1, xi_norm=0.3)


def test_simulated_linear_mdp_nominal_optimum():
    """Spec 2.5(a): nominal V*_1(x1) = 1.6243 with a = (1,1,1,1) (closed form 0.5*2 + 0.4995*1.24975)."""
    res = solvers.backward_induction(simulated_linear_mdp().to_tabular())
    assert res.V[0, 0] == pytest.approx(0.5 * 2 + 0.999 * 0.5 * (0.5 + 0.5 + 0.999 * 0.5 * 0.5), abs=1e-12)
    assert round(float(res.V[0, 0]), 4) == 1.6243
    assert (res.policy[:, :3] == 15).all()


# ------------------------------------------------------------------------------ American put option
def test_american_put_lattice():
    opt = american_put(p0=0.5, s0=100.0)
    mdp = opt.mdp
    assert mdp.H == 20 and mdp.S == 21 * 22 // 2 + 1 and mdp.A == 2
    assert opt.prices[0] == 100.0 and opt.prices[2] == pytest.approx(102.0) and opt.prices[1] == pytest.approx(98.0)
    assert mdp.P[0, 0, 0, 2] == 0.5 and mdp.P[0, 0, 0, 1] == 0.5 and mdp.P[0, 0, 1, opt.exercised] == 1.0
    assert mdp.R[3, 6, 1] == pytest.approx(max(0.0, 100 - opt.prices[6]))
    # holding the option to the end and never exercising is worth 0; exercising is worth max(0, K - s)
    res = solvers.backward_induction(mdp)
    assert res.V[0, 0] > 0 and np.all(res.V[:, opt.exercised] == 0)
    # price-up probability 1: the put is never worth exercising after s0 >= K
    assert solvers.backward_induction(american_put(p0=1.0, s0=100.0).mdp).V[0, 0] == pytest.approx(0.0)
    drawn = american_put(rng=3).s0
    assert 95 <= drawn <= 105 and drawn == american_put(rng=3).s0
    with pytest.raises(ValueError, match="p0"):
        american_put(p0=1.2, s0=100.0)


def test_hat_features():
    f = hat_features(np.array([80.0, 80 + 100 / 30 / 2, 50.0]), d=30)
    assert f.shape == (3, 30)
    assert f[0, 0] == 1.0 and f[0].sum() == pytest.approx(1.0)
    assert f[1, :2] == pytest.approx([0.5, 0.5])
    assert f[2].sum() == 0.0


@settings(max_examples=30)
@given(delta=st.floats(-0.5, 1.5), xi=st.floats(-0.5, 1.5), p=st.floats(-0.5, 1.5),
       q=st.one_of(st.none(), st.floats(-0.5, 1.5)))
def test_fuzz_simulated_linear_mdp(delta, xi, p, q):
    """Any parameters: a valid d-rectangular model, or a ValueError naming the parameter."""
    try:
        m = simulated_linear_mdp(delta=delta, xi_norm=xi, p=p, q=q)
    except ValueError as exc:
        assert any(n in str(exc) for n in ("delta", "xi_norm", "p must", "q must")), exc
        return
    m.check_d_rectangular()
    assert m.S == 5 and m.A == 16 and m.d == 4 and m.H == 3


@settings(max_examples=20)
@given(p0=st.floats(-0.5, 1.5), s0=st.one_of(st.none(), st.floats(-10, 200)), H=st.integers(-1, 6),
       d=st.integers(-1, 8))
def test_fuzz_american_put(p0, s0, H, d):
    try:
        opt = american_put(p0=p0, s0=s0, H=H, d=d, rng=0)
    except ValueError as exc:
        assert any(n in str(exc) for n in ("p0", "s0", "H", "d must")), exc
        return
    assert opt.mdp.H == H and opt.features.shape == (opt.mdp.S, d)
