"""Offline learners: ridge helper, exact 1-D duals vs brute force, closed forms vs the exact inner
problems, hand-checkable tiny instances, limits, options and input validation."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from mdptheory.uncertainty import KL, TV, ChiSquare, make
from solvers.offline import Gram, drpvi, drvi_l, pessimistic_lsvi, pevi, r2pvi
from solvers.offline.drpvi import tv_constrained_estimate
from solvers.offline.drvi_l import kl_constrained_estimate
from solvers.offline.r2pvi import chi2_estimate, kl_estimate, tv_estimate
from solvers.offline.truncation import TruncatedRegression
from solvers.robust.inner import worst_case_rows
from strategies_offline import dataset, random_drect


def _regression_problem(seed, n=40, d=3, H=3.0):
    rng = np.random.default_rng(seed)
    Phi = rng.dirichlet(np.ones(d), size=n)
    y = rng.uniform(0, H - 0.5, n)
    y[rng.integers(n)] = y[rng.integers(n)]  # a tie
    return Gram(Phi, 0.1), Phi, y


# ---------------------------------------------------------------- ridge helper
def test_gram_matches_explicit_inverse():
    g, Phi, y = _regression_problem(0)
    Lam = Phi.T @ Phi + 0.1 * np.eye(3)
    Linv = np.linalg.inv(Lam)
    np.testing.assert_allclose(g.regress(y), Linv @ Phi.T @ y, rtol=1e-10)
    np.testing.assert_allclose(g.inv_diag(), np.diag(Linv), rtol=1e-10)
    q = np.random.default_rng(1).dirichlet(np.ones(3), size=(5, 2))
    np.testing.assert_allclose(g.mahalanobis(q), np.sqrt(np.einsum("...i,ij,...j->...", q, Linv, q)), rtol=1e-10)
    np.testing.assert_allclose(g.hat(), Phi @ Linv, rtol=1e-10)
    with pytest.raises(ValueError, match="ridge"):
        Gram(Phi, 0.0)


# ---------------------------------------------------------------- exact 1-D duals vs brute force
def _fine_grid(y, H):
    return np.unique(np.concatenate([np.linspace(0, H, 4001), y]))


@pytest.mark.parametrize("seed", range(4))
def test_truncated_regression_pieces(seed):
    g, Phi, y = _regression_problem(seed)
    tr = TruncatedRegression(g, y, 3.0, squares=True)
    for alpha in np.random.default_rng(seed).uniform(0, 3, 7):
        np.testing.assert_allclose(tr.u(np.array([alpha]))[0], g.regress(np.minimum(y, alpha)), atol=1e-12)
        k = tr.piece(np.array([alpha]))[0]
        np.testing.assert_allclose(tr.c[k] + tr.b[k] * alpha ** 2, g.regress(np.minimum(y, alpha) ** 2),
                                   atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("lam", [0.05, 0.5, 5.0])
def test_chi2_breakpoint_maximisation_matches_brute_force(seed, lam):
    g, Phi, y = _regression_problem(seed)
    grid = _fine_grid(y, 3.0)
    U = g.regress(np.minimum(y[:, None], grid[None, :]))           # (d, m)
    Vv = g.regress(np.minimum(y[:, None], grid[None, :]) ** 2)
    obj = U + (U ** 2 - Vv) / (4 * lam)
    got = chi2_estimate(g, y, lam, 3.0)
    assert np.all(got >= obj.max(axis=1) - 1e-12)                   # exact max is >= any grid point
    np.testing.assert_allclose(got, obj.max(axis=1), atol=5e-3)
    got_min = chi2_estimate(g, y, lam, 3.0, direction="min")        # the official code's bug
    assert np.all(got_min <= obj.min(axis=1) + 1e-12)
    assert np.all(got_min < got)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("rho", [0.0, 0.1, 0.5, 1.0])
@pytest.mark.parametrize("v_min", [0.0, 0.7])
def test_drpvi_breakpoint_maximisation_matches_brute_force(seed, rho, v_min):
    g, Phi, y = _regression_problem(seed)
    grid = np.union1d(_fine_grid(y, 3.0), [v_min])                 # all kinks: targets, min V, ends
    obj = g.regress(np.minimum(y[:, None], grid[None, :])) - rho * (grid - np.minimum(v_min, grid))[None, :]
    got = tv_constrained_estimate(g, y, np.full(3, rho), v_min, 3.0)
    np.testing.assert_allclose(got, obj.max(axis=1), atol=1e-12)    # piecewise linear: grid has all kinks


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("rho", [0.01, 0.2, 1.0])
def test_drvi_l_search_matches_brute_force(seed, rho):
    g, Phi, y = _regression_problem(seed)
    betas = np.geomspace(3e-4, 3.0, 20001)
    M = g.hat()
    m = y.min()
    u = 1.0 + (np.exp(-(y[:, None] - m) / betas[None, :]) - 1.0).T @ M    # (B, d)
    val = np.where(u > 0, np.minimum(3.0, m - betas[:, None] * np.log(np.where(u > 0, u, 1.0))), 3.0)
    obj = val - betas[:, None] * rho
    got = kl_constrained_estimate(g, y, np.full(3, rho), 3.0)
    np.testing.assert_allclose(got, obj.max(axis=0), atol=1e-5)


# ---------------------------------------------------------------- closed forms vs the exact inner problems
@pytest.mark.parametrize("lam", [0.05, 0.3, 2.0])
def test_estimators_are_consistent_with_exact_inner_values_on_tabular_data(lam):
    """One-hot features + exact empirical frequencies: the ridge-free estimate of each closed form
    equals the robust helper's exact inner value on the empirical distribution."""
    rng = np.random.default_rng(0)
    S, n = 5, 200
    V = rng.uniform(0, 2.5, S)
    s_next = rng.integers(0, S, n)
    emp = np.bincount(s_next, minlength=S) / n
    Phi = np.ones((n, 1))
    g = Gram(Phi, 1e-12)                                   # (almost) no ridge: u = empirical mean
    y = V[s_next]
    for U, est in [(TV(lam=lam), tv_estimate(g, y, lam, V.min())),
                   (KL(lam=lam), kl_estimate(g, y, lam, 3.0)),
                   (ChiSquare(lam=lam), chi2_estimate(g, y, lam, 3.0))]:
        exact, _ = worst_case_rows(emp[None], V, U, want_p=False)
        np.testing.assert_allclose(est, exact, atol=1e-8, err_msg=repr(U))
    exact, _ = worst_case_rows(emp[None], V, TV(rho=0.2), want_p=False)
    np.testing.assert_allclose(tv_constrained_estimate(g, y, np.array([0.2]), V.min(), 3.0), exact, atol=1e-8)
    exact, _ = worst_case_rows(emp[None], V, KL(rho=0.2), want_p=False)
    np.testing.assert_allclose(kl_constrained_estimate(g, y, np.array([0.2]), 3.0), exact, atol=1e-6)


def test_tv_with_dataset_min_differs_when_the_minimum_is_unobserved():
    """Negative control for tv_min_mode: the min over sampled next states is not the min over S."""
    V = np.array([0.0, 1.0, 2.0])
    y = np.array([1.0, 2.0, 2.0, 1.0])                      # state 0 never observed
    g = Gram(np.ones((4, 1)), 1e-12)
    paper = tv_estimate(g, y, 0.5, V.min())
    official = tv_estimate(g, y, 0.5, y.min())
    np.testing.assert_allclose(paper, [0.5], atol=1e-9)     # every value truncated at 0 + 0.5
    np.testing.assert_allclose(official, [1.25], atol=1e-9)  # truncated at 1.5 instead


def test_kl_is_stable_at_small_lambda_and_the_unshifted_formula_is_not():
    V = np.array([2.0, 2.5, 3.0])
    y = np.repeat(V, 10)
    g = Gram(np.ones((30, 1)), 1e-12)
    lam = 1e-3                                               # e^{-2/lam} underflows to 0
    stable = kl_estimate(g, y, lam, 3.0)
    assert np.isfinite(stable).all()
    np.testing.assert_allclose(stable, [2.0 + lam * np.log(3)], atol=1e-6)  # -lam log(mean e^{-V/lam})
    naive = kl_estimate(g, y, lam, 3.0, stable=False)
    assert not np.allclose(naive, stable, atol=1e-3)          # the official formula hits the floor: 3.0
    # where both are finite they agree exactly
    np.testing.assert_allclose(kl_estimate(g, y, 0.5, 3.0), kl_estimate(g, y, 0.5, 3.0, stable=False), rtol=1e-12)


# ---------------------------------------------------------------- hand-checkable tiny instances
def test_one_step_bonus_by_hand():
    """H = 1, one state, two actions, one-hot features, a0 seen 3 times and a1 once, ridge 1:
    Lambda = diag(4, 2); l1 bonus of (s, a0) = 1/2, of (s, a1) = 1/sqrt(2); Q = r - beta * bonus."""
    from mdptheory.offline import OfflineDataset
    phi = np.eye(2).reshape(1, 2, 2)
    s = np.zeros(4, dtype=np.int64)
    a = np.array([0, 0, 0, 1])
    ds = OfflineDataset(np.arange(4), np.zeros(4, dtype=np.int64), s, a, np.array([.8, .8, .8, .9]), s,
                        phi[s, a], phi, np.full((1, 1, 2), .5), 4, 1)
    theta = np.array([[0.8, 0.9]])
    for fn in (lambda **k: r2pvi(ds, divergence="tv", lam=1.0, **k), lambda **k: pessimistic_lsvi(ds, **k),
               lambda **k: drpvi(ds, rho=0.1, **k)):
        res = fn(theta=theta, beta=0.5)
        np.testing.assert_allclose(res.Q[0, 0], [0.8 - 0.25, 0.9 - 0.5 / np.sqrt(2)], atol=1e-12)
        assert res.policy[0, 0] == 0                    # pessimism prefers the better-covered action
        opt = fn(theta=theta, beta=0.5, pessimism=False, clip="none")
        np.testing.assert_allclose(opt.Q[0, 0], [0.8 + 0.25, 0.9 + 0.5 / np.sqrt(2)], atol=1e-12)
        assert opt.policy[0, 0] == 1                    # optimism (negative control) takes the gamble
    # PEVI regresses the reward: w = Lambda^{-1} Phi^T r = (2.4/4, 0.9/2)
    res = pevi(ds, beta=0.0)
    np.testing.assert_allclose(res.Q[0, 0], [0.6, 0.45], atol=1e-12)


def test_lam_large_tv_equals_pessimistic_lsvi_and_small_lam_does_not():
    mdp, phi, mu, theta = random_drect(H=4, seed=3)
    ds = dataset(mdp, phi, 60, 1)
    ref = pessimistic_lsvi(ds, theta=theta, beta=0.3, ridge=0.5)
    big = r2pvi(ds, divergence="tv", lam=4.0, theta=theta, beta=0.3, ridge=0.5)
    np.testing.assert_array_equal(big.policy, ref.policy)
    np.testing.assert_allclose(big.Q, ref.Q, atol=1e-12, rtol=0)
    small = r2pvi(ds, divergence="tv", lam=0.1, theta=theta, beta=0.3, ridge=0.5)
    assert np.abs(small.Q - ref.Q).max() > 1e-3


@pytest.mark.parametrize("divergence", ["tv", "kl", "chi2"])
def test_large_K_recovers_exact_regularized_weights(divergence):
    """K large, uniform behaviour, beta = 0: w_h converges to the exact robust regularized weights
    computed by backward induction with the robust helper's exact inner solver."""
    mdp, phi, mu, theta = random_drect(H=3, seed=11)
    ds = dataset(mdp, phi, 20000, 2)
    lam = 0.4
    U = make(divergence, lam=lam)
    res = r2pvi(ds, divergence=divergence, lam=lam, theta=theta, beta=0.0, ridge=1e-3)
    V = np.zeros(mdp.S)
    for h in range(2, -1, -1):
        w, _ = worst_case_rows(mu[h], res.V[h + 1], U, want_p=False)  # exact operator on the estimate
        np.testing.assert_allclose(res.w[h], w, atol=0.03)
        Vx = (mdp.R[h] + phi @ worst_case_rows(mu[h], V, U, want_p=False)[0]).max(1)
        V = Vx
    np.testing.assert_allclose(res.V[0], V, atol=0.05)              # value of the exact DP


def test_options_change_what_they_should():
    mdp, phi, mu, theta = random_drect(H=3, d=4, seed=5)
    ds = dataset(mdp, phi, 30, 0)
    l1 = r2pvi(ds, lam=0.5, theta=theta, beta=1.0)
    l2 = r2pvi(ds, lam=0.5, theta=theta, beta=1.0, bonus="l2")
    assert np.all(l2.bonus <= l1.bonus + 1e-15) and np.any(l2.bonus < l1.bonus)
    up = r2pvi(ds, lam=0.5, theta=theta, beta=5.0, clip="upper")
    both = r2pvi(ds, lam=0.5, theta=theta, beta=5.0)
    assert up.Q.min() < 0 <= both.Q.min()
    fs = r2pvi(ds, lam=0.5, theta=theta, beta=0.0, fail_states=[0])
    assert np.all(fs.V[:, 0] == 0)


def test_same_data_same_result_and_result_shapes():
    mdp, phi, mu, theta = random_drect(seed=7)
    ds = dataset(mdp, phi, 25, 0)
    for fn in (lambda: r2pvi(ds, divergence="chi2", lam=0.3, theta=theta),
               lambda: drvi_l(ds, rho=0.1, theta=theta), lambda: pevi(ds)):
        a, b = fn(), fn()
        np.testing.assert_array_equal(a.Q, b.Q)
        assert a.policy.shape == (3, 4) and a.policy.dtype == np.int64
        assert a.Q.shape == (3, 4, 2) and a.V.shape == (4, 4) and a.inv_diag.shape == (3, 3)
        assert np.all(a.V[-1] == 0) and np.all(a.Q >= 0) and np.all(a.Q <= 3)


def test_bad_inputs_raise_clear_errors():
    mdp, phi, mu, theta = random_drect(seed=8)
    ds = dataset(mdp, phi, 5, 0)
    with pytest.raises(ValueError, match="divergence='js'"):
        r2pvi(ds, divergence="js", lam=1.0, theta=theta)
    with pytest.raises(ValueError, match="lam must be"):
        r2pvi(ds, divergence="kl", lam=0.0, theta=theta)
    with pytest.raises(ValueError, match="beta must be"):
        r2pvi(ds, lam=1.0, theta=theta, beta=-1.0)
    with pytest.raises(ValueError, match="exactly one of theta"):
        r2pvi(ds, lam=1.0)
    with pytest.raises(ValueError, match=r"theta has shape \(2, 3\)"):
        r2pvi(ds, lam=1.0, theta=theta[:2])
    with pytest.raises(ValueError, match="bonus='l3'"):
        pevi(ds, bonus="l3")
    with pytest.raises(ValueError, match="tv_min_mode"):
        drpvi(ds, rho=0.1, theta=theta, tv_min_mode="support")
    with pytest.raises(ValueError, match=r"rho\[0, 1\]"):
        drvi_l(ds, rho=np.array([[0.1, -1, 0.1]] * 3), theta=theta)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1000), lam=st.floats(0.01, 10.0), beta=st.floats(0.0, 2.0),
       div=st.sampled_from(["tv", "kl", "chi2"]))
def test_fuzz_r2pvi_outputs_are_valid(seed, lam, beta, div):
    mdp, phi, mu, theta = random_drect(seed=seed % 50)
    ds = dataset(mdp, phi, 8, seed)
    res = r2pvi(ds, divergence=div, lam=lam, theta=theta, beta=beta)
    assert np.isfinite(res.Q).all()
    assert np.all(res.Q >= 0) and np.all(res.Q <= (3 - np.arange(3))[:, None, None] + 1e-12)
    np.testing.assert_array_equal(res.V[:3], res.Q.max(axis=2))


@pytest.mark.parametrize("field", ["theta", "reward"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_non_finite_known_reward_is_rejected(field, value):
    """Issue 11, item 5: r2pvi(theta=NaN) returned NaN Q values and an all-zero policy."""
    mdp, phi, mu, theta = random_drect(seed=8)
    ds = dataset(mdp, phi, 5, 0)
    known = {"theta": theta.copy(), "reward": mdp.R.copy()}[field]
    known[1, 0] = value
    for learner, kw in ((r2pvi, {"lam": 1.0}), (drpvi, {"rho": 0.1})):
        with pytest.raises(ValueError, match=rf"{field}\[1, 0(, 0)?\] = {value} is not finite"):
            learner(ds, **{field: known}, **kw)
    with pytest.raises(ValueError, match=r"theta(\[0\])? = nan is not finite"):
        r2pvi(ds, lam=1.0, theta=np.nan)


def test_string_hyperparameters_name_the_argument():
    mdp, phi, mu, theta = random_drect(seed=8)
    ds = dataset(mdp, phi, 5, 0)
    with pytest.raises(TypeError, match="lam must be a single real number in .*got the string '1'"):
        r2pvi(ds, lam="1", theta=theta)
    with pytest.raises(TypeError, match="beta must be a single real number"):
        r2pvi(ds, lam=1.0, theta=theta, beta="1")
    with pytest.raises(ValueError, match=r"lam must be a finite number in \(0, inf\)"):
        r2pvi(ds, divergence="kl", lam=np.nan, theta=theta)
