"""Policy evaluation: linear-system identity, direct vs iterative within certificates, and agreement
with Monte Carlo rollouts (a z-test with a stated false-alarm rate and a negative control)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.stats import norm

import solvers
from mdptheory import EpisodicMDP, FiniteMDP
from mdptheory.sampling import rollout
from strategies import finite_mdps, random_kernel, seeds

#: Family-wise false-alarm rate of each Monte Carlo test (Bonferroni over the start states tested).
ALPHA = 1e-6


def fp_slack(mdp, V):
    return 64 * np.finfo(float).eps * (1.0 + np.abs(V).max()) / (1.0 - mdp.gamma)


@st.composite
def mdp_and_policy(draw):
    mdp = draw(finite_mdps(max_S=8, max_A=3, gamma=st.sampled_from([0.0, 0.5, 0.9, 0.99])))
    rng = np.random.default_rng(draw(seeds))
    if draw(st.booleans()):
        pol = rng.integers(mdp.A, size=mdp.S)
    else:
        pol = random_kernel(rng, (mdp.S, mdp.A), draw(st.sampled_from([1.0, 0.5])))
    return mdp, pol


@settings(max_examples=25)
@given(mdp_and_policy(), st.sampled_from(["numba", "numpy"]))
def test_direct_and_iterative_agree_and_solve_the_linear_system(mp, backend):
    mdp, pol = mp
    S, A = mdp.S, mdp.A
    probs = np.eye(A)[pol] if pol.ndim == 1 else pol
    P = mdp.dense_P()
    P_pi = np.einsum("sa,sat->st", probs, P)
    r_pi = (probs * mdp.R).sum(1)
    d = solvers.policy_evaluation(mdp, pol, backend=backend)
    it = solvers.policy_evaluation(mdp, pol, method="iterative", tol=1e-9, backend=backend)
    slack = fp_slack(mdp, d.V)
    # V^pi = r_pi + gamma P_pi V^pi
    assert np.max(np.abs(d.V - r_pi - mdp.gamma * P_pi @ d.V)) <= slack
    assert d.error_bound <= slack and d.converged
    assert it.converged and it.error_bound <= 1e-9
    assert np.max(np.abs(it.V - d.V)) <= it.error_bound + d.error_bound + slack
    assert np.all(it.extra["V_lower"] <= d.V + slack) and np.all(d.V <= it.extra["V_upper"] + slack)
    # Q^pi and V = sum_a pi Q
    assert np.allclose(d.Q, mdp.R + mdp.gamma * P @ d.V, rtol=0, atol=slack)
    assert np.allclose((probs * d.Q).sum(1), d.V, rtol=0, atol=slack)
    # one-hot stochastic form gives the same values
    if pol.ndim == 1:
        assert np.allclose(solvers.policy_evaluation(mdp, probs).V, d.V, rtol=0, atol=slack)


def test_optimal_policy_evaluates_to_V_star_and_others_do_not_exceed_it():
    rng = np.random.default_rng(4)
    mdp = FiniteMDP(random_kernel(rng, (10, 3, 10), 0.5), rng.random((10, 3)), 0.95)
    opt = solvers.policy_iteration(mdp)
    V = solvers.policy_evaluation(mdp, opt.policy).V
    assert np.allclose(V, opt.V, rtol=0, atol=fp_slack(mdp, V))
    for _ in range(5):
        other = solvers.policy_evaluation(mdp, random_kernel(rng, (10, 3))).V
        assert np.all(other <= opt.V + fp_slack(mdp, V))


def test_policy_is_validated():
    mdp = FiniteMDP(np.full((2, 2, 2), 0.5), np.zeros((2, 2)), 0.9)
    with pytest.raises(ValueError, match="action"):
        solvers.policy_evaluation(mdp, np.array([0, 2]))
    with pytest.raises(ValueError, match="shape"):
        solvers.policy_evaluation(mdp, np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match="sums to"):
        solvers.policy_evaluation(mdp, np.full((2, 2), 0.3))
    with pytest.raises(ValueError, match="method"):
        solvers.policy_evaluation(mdp, np.zeros(2, dtype=int), method="mc")


# --------------------------------------------------------------------------------------------------
# Monte Carlo
# --------------------------------------------------------------------------------------------------

def mc_z_test(returns_by_state, V, bias, alpha=ALPHA):
    """Two-sided z-test, Bonferroni over states: reject if any |mean - V| > z se + bias.

    With ``n`` i.i.d. returns per state the sample mean is asymptotically normal (n >= 10^4 here,
    bounded returns), so under H0 (``V`` is the true value up to ``bias``) the family-wise false-alarm
    rate is at most ``alpha``. Returns (passed, max standardized deviation, threshold).
    """
    z_crit = norm.ppf(1 - alpha / (2 * len(returns_by_state)))
    worst = 0.0
    for s, G in returns_by_state.items():
        se = G.std(ddof=1) / np.sqrt(G.size)
        dev = max(abs(G.mean() - V[s]) - bias, 0.0) / max(se, 1e-300)
        worst = max(worst, dev)
    return worst <= z_crit, worst, z_crit


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("sparse", [False, True])
def test_discounted_policy_evaluation_agrees_with_monte_carlo(seed, sparse):
    rng = np.random.default_rng(seed)
    S, A, gamma, n = 5, 3, 0.9, 20_000
    mdp = FiniteMDP(random_kernel(rng, (S, A, S), 0.6), rng.uniform(-1, 1, (S, A)), gamma)
    if sparse:
        mdp = mdp.to_sparse()
    pol = random_kernel(rng, (S, A), 0.7)
    L = int(np.ceil(np.log(1e-6 * (1 - gamma)) / np.log(gamma)))  # truncation bias <= 1e-6 * r_max
    bias = gamma ** L * np.abs(mdp.R).max() / (1 - gamma)
    returns = {s: rollout(mdp, pol, n, rng=rng, horizon=L, s0=s).returns(gamma) for s in range(S)}
    V = solvers.policy_evaluation(mdp, pol).V
    ok, stat, thr = mc_z_test(returns, V, bias)
    assert ok, f"max z = {stat:.2f} > {thr:.2f}"
    # negative controls: the value of a different policy, and of the right policy with a wrong discount
    V_wrong_pol = solvers.policy_evaluation(mdp, np.roll(pol, 1, axis=1)).V
    V_wrong_gamma = solvers.policy_evaluation(mdp.with_gamma(0.85), pol).V
    for V_bad in (V_wrong_pol, V_wrong_gamma):
        assert not mc_z_test(returns, V_bad, bias)[0]


@pytest.mark.parametrize("seed", [0, 1])
def test_episodic_policy_evaluation_agrees_with_monte_carlo(seed):
    rng = np.random.default_rng(seed)
    H, S, A, n = 5, 4, 3, 20_000
    mdp = EpisodicMDP(random_kernel(rng, (H, S, A, S), 0.6), rng.random((H, S, A)))
    pol = random_kernel(rng, (H, S, A), 0.7)  # stage-dependent stochastic policy
    res = solvers.policy_evaluation(mdp, pol)
    assert res.V.shape == (H + 1, S) and res.Q.shape == (H, S, A) and np.all(res.V[H] == 0)
    returns = {s: rollout(mdp, pol, n, rng=rng, s0=s).returns() for s in range(S)}
    ok, stat, thr = mc_z_test(returns, res.V[0], 0.0)
    assert ok, f"max z = {stat:.2f} > {thr:.2f}"
    # negative control: drop the last stage's reward (an off-by-one in the recursion)
    R_bad = mdp.R.copy()
    R_bad[-1] = 0.0
    V_bad = solvers.policy_evaluation(EpisodicMDP(mdp.P, R_bad), pol).V[0]
    assert not mc_z_test(returns, V_bad, 0.0)[0]
    # deterministic stage-dependent policy: same check
    det = rng.integers(A, size=(H, S))
    returns = {s: rollout(mdp, det, n, rng=rng, s0=s).returns() for s in range(S)}
    assert mc_z_test(returns, solvers.policy_evaluation(mdp, det).V[0], 0.0)[0]
