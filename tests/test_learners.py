"""Learners: kernels vs NumPy twins, the episode contract, posterior updates, bonuses, validation."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mdptheory import EpisodicMDP
from mdptheory.envs import garnet, riverswim
from mdptheory.sampling import deterministic_policy_cdf, rollout
from solvers._kernels.episodic import backward_induction_arrays, policy_evaluation_arrays
from solvers.learners import (OPSRL, PSRL, UCBVI, GreedyPosteriorMean, LearnerContractError, Trajectory,
                              check_learner, run)
from solvers.learners import _kernels as K
from strategies import episodic_mdps, random_kernel, seeds
from twin_examples import posterior_csr as random_csr


# ---------------------------------------------------------------------------------------------- kernels
@settings(max_examples=20)
@given(seed=seeds, H=st.integers(1, 5), S=st.integers(1, 6), A=st.integers(1, 3), J=st.integers(1, 5),
       stage=st.booleans(), pseudo=st.booleans(), zero_rows=st.booleans(), clip=st.sampled_from([np.inf, 2.0]),
       joint=st.booleans(), rewards_staged=st.booleans())
def test_max_sample_backward_numba_matches_numpy(seed, H, S, A, J, stage, pseudo, zero_rows, clip, joint,
                                                 rewards_staged):
    rng = np.random.default_rng(seed)
    G = H if stage else 1
    ptr, idx, W, Wp = random_csr(rng, G, S, A, J, pseudo=pseudo, zero_rows=zero_rows)
    R = rng.random((H if rewards_staged else 1, S, A, J if joint else 1))
    v_pseudo = 1.5 * (H - np.arange(H + 1.0))
    v_clip = np.full(H, clip)
    Q1, V1, pi1 = K.max_sample_backward(ptr, idx, W, Wp, R, v_pseudo, v_clip, stage)
    Q2, V2, pi2 = K.max_sample_backward_numpy(ptr, idx, W, Wp, R, v_pseudo, v_clip, stage)
    np.testing.assert_allclose(Q1, Q2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(V1, V2, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(pi1, pi2)


@settings(max_examples=15)
@given(mdp=episodic_mdps())
def test_one_exact_sample_is_backward_induction(mdp):
    """J = 1 with the true probabilities as weights and no pseudo-state = plain backward induction."""
    H, S, A = mdp.H, mdp.S, mdp.A
    flat = mdp.P.reshape(-1)
    nz = np.flatnonzero(flat)
    ptr = np.zeros(H * S * A + 1, np.int64)
    np.cumsum(np.bincount(nz // S, minlength=H * S * A), out=ptr[1:])
    W = flat[nz][:, None].copy()
    Q, V, _ = K.max_sample_backward(ptr, (nz % S).astype(np.int64), W, np.zeros((H * S * A, 1)), mdp.R[..., None],
                                    np.zeros(H + 1), np.full(H, np.inf), True)
    V_ref, Q_ref, _ = backward_induction_arrays(mdp.P, mdp.R, backend="numpy")
    np.testing.assert_allclose(Q, Q_ref, atol=1e-12)
    np.testing.assert_allclose(V, V_ref, atol=1e-12)


def test_max_over_samples_dominates_each_sample():
    rng = np.random.default_rng(3)
    H, S, A, J = 3, 4, 2, 6
    ptr, idx, W, Wp = random_csr(rng, H, S, A, J)
    vp, vc = 2.0 * (H - np.arange(H + 1.0)), np.full(H, np.inf)
    for R in (rng.random((H, S, A, 1)), rng.random((H, S, A, J))):          # known rewards, joint reward samples
        Q, _, _ = K.max_sample_backward(ptr, idx, W, Wp, R, vp, vc, True)
        for j in range(J):
            Rj = R[..., j:j + 1].copy() if R.shape[-1] == J else R
            Qj, _, _ = K.max_sample_backward(ptr, idx, W[:, j:j + 1].copy(), Wp[:, j:j + 1].copy(), Rj, vp, vc, True)
            assert np.all(Q >= Qj - 1e-12)


def test_joint_max_pairs_each_reward_sample_with_its_transition_sample():
    """One row, two samples: (reward 1, transition to a 0-valued state) and (reward 0, to a 5-valued pseudo-state):
    the joint max is max(1 + 0, 0 + 5) = 5, the separate maxima would give 1 + 5 = 6 (pseudo-state value at h + 1 = 5)."""
    ptr, idx = np.array([0, 1]), np.array([0])
    W, Wp = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])
    R = np.array([1.0, 0.0]).reshape(1, 1, 1, 2)
    for backward in (K.max_sample_backward, K.max_sample_backward_numpy):
        Q, V, _ = backward(ptr, idx, W, Wp, R, np.array([0.0, 5.0]), np.array([np.inf]), False)
        assert Q[0, 0, 0] == 5.0 and V[0, 0] == 5.0


@settings(max_examples=15)
@given(seed=seeds, H=st.integers(1, 4), S=st.integers(1, 5), A=st.integers(1, 3), stage=st.booleans(),
       bernstein=st.booleans(), theory=st.booleans())
def test_ucbvi_backward_numba_matches_numpy(seed, H, S, A, stage, bernstein, theory):
    rng = np.random.default_rng(seed)
    G = H if stage else 1
    ptr, idx, W, _ = random_csr(rng, G, S, A, 1, density=0.6)
    cnt = np.floor(W[:, 0] * 5)                      # some zero counts -> unvisited rows
    inv_next = 1.0 / np.maximum(rng.integers(0, 4, (H, S)), 1e-300)
    inv_next[inv_next > 1] = np.inf
    args = (ptr, idx, cnt, rng.random((H, S, A)), H - np.arange(H, dtype=float), stage, bernstein,
            7.0 if theory else 0.5, 8.0, 14 / 3, 8.0 if theory else 0.0, 1e4, 3.0, np.full(H, float(H)),
            float(H), float(S), float(A), inv_next)
    Q1, V1, B1, _ = K.ucbvi_backward(*args)
    Q2, V2, B2, _ = K.ucbvi_backward_numpy(*args)
    np.testing.assert_allclose(Q1, Q2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(V1, V2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(B1, B2, rtol=1e-12, atol=1e-12)


@settings(max_examples=15)
@given(mdp=episodic_mdps(), seed=seeds)
def test_episode_counts_and_evaluation_match_twins(mdp, seed):
    rng = np.random.default_rng(seed)
    H, S, A = mdp.H, mdp.S, mdp.A
    pi = rng.integers(A, size=(H, S)).astype(np.int64)
    ep = rollout(mdp, pi, 1, rng=seed)  # the kernel run_learner plays episodes with
    states, actions = np.append(ep.s[0], ep.s_next[0, -1]), ep.a[0]
    assert np.array_equal(actions, pi[np.arange(H), states[:-1]])
    cdf = deterministic_policy_cdf(pi, A)  # the fast path of run_learner: same actions, no validation
    assert np.array_equal(cdf, np.cumsum(np.eye(A)[pi], axis=-1))
    assert all(mdp.P[h, states[h], actions[h], states[h + 1]] > 0 for h in range(H))
    c1, c2 = np.zeros((H, S, A, S)), np.zeros((H, S, A, S))
    K.count_update(c1, states, actions, True)
    K.count_update_numpy(c2, states, actions, True)
    np.testing.assert_array_equal(c1, c2)
    assert c1.sum() == H
    flat = mdp.P.reshape(-1)
    nz = np.flatnonzero(flat)
    ptr = np.zeros(H * S * A + 1, np.int64)
    np.cumsum(np.bincount(nz // S, minlength=H * S * A), out=ptr[1:])
    V = K.evaluate_policy_csr(ptr, (nz % S).astype(np.int64), flat[nz], mdp.R, pi, False)
    np.testing.assert_allclose(V, policy_evaluation_arrays(mdp.P, mdp.R, pi, backend="numpy")[0], atol=1e-12)


def test_gamma_sampler_moments_match_inflated_dirichlet():
    """Normalised Gamma draws have the Dir(alpha/kappa) mean and variance (5-sigma tolerance)."""
    S, A, H, kappa, n = 3, 1, 1, 2.0, 20000
    agent = OPSRL(S, A, H, rewards=np.zeros((S, A)), J=n, kappa=kappa, n0=3.0, rng=1)
    agent.counts[0, 0, 0] = [4.0, 0.0, 1.0]
    ptr, idx, W, Wp = agent.sample_weights()
    r = 0                                               # row (g=0, s=0, a=0), support {0, 2} + pseudo
    w = np.vstack([W[ptr[r]:ptr[r + 1]], Wp[r][None]])  # (3, n): states 0, 2, pseudo
    p = w / w.sum(0)
    alpha = np.array([4.0, 1.0, 3.0]) / kappa
    a0 = alpha.sum()
    mean, var = alpha / a0, alpha / a0 * (1 - alpha / a0) / (a0 + 1)
    np.testing.assert_array_equal(idx[ptr[r]:ptr[r + 1]], [0, 2])
    assert np.all(np.abs(p.mean(1) - mean) < 5 * np.sqrt(var / n))
    # variance of the sample variance ~ 2 var^2 / n for these near-normal marginals; 6 sigma
    assert np.all(np.abs(p.var(1) - var) < 6 * np.sqrt(2 / n) * var + 1e-4)


# ----------------------------------------------------------------------------------------- posteriors
def test_psrl_posterior_is_the_conjugate_dirichlet_update_by_hand():
    env = riverswim(4, H=3)
    agent = PSRL(env.S, env.A, env.H, rewards=env.R, rng=0)
    traj = Trajectory(np.array([0, 1, 1, 0]), np.array([1, 1, 0]), np.zeros(3))
    agent.update(traj)
    alpha, a0 = agent.posterior_parameters()
    expected = np.full((1, 4, 2, 4), 0.25)              # Dir(1/S) prior
    expected[0, 0, 1, 1] += 1                             # 0 -(1)-> 1
    expected[0, 1, 1, 1] += 1                             # 1 -(1)-> 1
    expected[0, 1, 0, 0] += 1                             # 1 -(0)-> 0
    np.testing.assert_array_equal(alpha, expected)
    assert a0 == 0.0
    sd = PSRL(env.S, env.A, env.H, rewards=env.R, rng=0, stage_dependent=True)
    sd.update(traj)
    assert sd.counts[0, 0, 1, 1] == 1 and sd.counts[1, 1, 1, 1] == 1 and sd.counts[2, 1, 0, 0] == 1
    assert sd.counts.sum() == 3


def test_opsrl_unvisited_pair_is_fully_optimistic():
    """Before any data every sample puts all mass on the pseudo-state: V̄_h = min(r0 (H-h) + ..., clip)."""
    env = riverswim(3, H=4)
    agent = OPSRL(env.S, env.A, env.H, rewards=env.R, r0=1.0, clip="none", rng=0)
    agent.policy()
    # Q_h = r_h + v_pseudo[h+1] = r_h + (H - h - 1)
    expected = env.R + (env.H - 1 - np.arange(env.H))[:, None, None]
    np.testing.assert_allclose(agent.Q, expected)


def test_opsrl_with_many_samples_is_optimistic_whp():
    """Theory parameters (large J, kappa, n0): the sampled value dominates V* in >= 95% of episodes."""
    env = garnet(3, 2, 2, rng=5, H=3)
    agent = OPSRL.theory(env.S, env.A, env.H, rewards=env.R, T=200, delta=0.05, rng=1)
    tr = run(agent, env, 200, rng=2)
    assert np.mean(tr.value_estimates >= tr.v_star - 1e-12) >= 0.95
    # same check with fixed V at the level of one (h, s, a): max_j p_j V >= p V
    sd = OPSRL(env.S, env.A, env.H, rewards=env.R, J=64, kappa=1.0, n0=1.0, rng=3, stage_dependent=True)
    data = run(sd, env, 100, rng=4)
    assert data.n_episodes == 100
    ptr, idx, W, Wp = sd.sample_weights()
    V = np.linspace(0, 1, env.S)
    hits = []
    for r in range(len(ptr) - 1):
        g, s, a = np.unravel_index(r, (env.H, env.S, env.A))
        w = np.vstack([W[ptr[r]:ptr[r + 1]], Wp[r][None]])
        vals = (np.append(V[idx[ptr[r]:ptr[r + 1]]], 1.0) @ w) / w.sum(0)
        hits.append(vals.max() >= env.P[g, s, a] @ V)
    assert np.mean(hits) >= 0.95


def test_psrl_is_not_always_optimistic():
    """Negative control of the optimism test: one plain posterior sample undershoots V* often."""
    env = garnet(3, 2, 2, rng=5, H=3)
    tr = run(PSRL(env.S, env.A, env.H, rewards=env.R, rng=1, stage_dependent=True), env, 200, rng=2)
    assert np.mean(tr.value_estimates >= tr.v_star - 1e-12) < 0.9


# -------------------------------------------------------------------------------------------- UCBVI
@pytest.mark.parametrize("constants", ["theory", "experiments"])
def test_ucbvi_bonus_formula_by_hand(constants):
    env = riverswim(3, H=2)
    ag = UCBVI(env.S, env.A, env.H, rewards=env.R, bonus="hoeffding", constants=constants, n_episodes=100,
               delta=0.1, rng=0)
    for traj in ([0, 1, 1], [0, 0, 1]):
        ag.update(Trajectory(np.array(traj), np.array([1, 1]), np.zeros(2)))
    ag.policy()
    n = ag.counts[0, 0, 1].sum()                    # visits of (s=0, a=1): 0->1, 0->0, 0->1
    assert n == 3
    L = np.log(5 * 3 * 2 * 2 * 100 / 0.1)
    if constants == "theory":
        expected = [7 * 2 * L / np.sqrt(3)] * 2      # 7 H L / sqrt(n), both stages
    else:
        expected = [2 / (2 * np.sqrt(3)), 1 / (2 * np.sqrt(3))]   # (H - h) / (2 sqrt(n))
    np.testing.assert_allclose(ag.bonus_values[:, 0, 1], expected)
    assert np.isnan(ag.bonus_values[0, 2, 0])       # never visited


def test_ucbvi_bernstein_bonus_by_hand():
    env = riverswim(3, H=2)
    ag = UCBVI(env.S, env.A, env.H, rewards=env.R, bonus="bernstein", constants="theory", n_episodes=100,
               delta=0.1, rng=0)
    for traj in ([0, 1, 1], [0, 0, 1]):
        ag.update(Trajectory(np.array(traj), np.array([1, 1]), np.zeros(2)))
    ag.policy()
    L = np.log(5 * 3 * 2 * 2 * 100 / 0.1)
    H, S, A = 2, 3, 2
    p = np.array([1 / 3, 2 / 3, 0.0])               # (s=0, a=1) -> 0 once, 1 twice
    V1 = ag.V[1]
    var = p @ V1 ** 2 - (p @ V1) ** 2
    arrivals = ag.counts.sum(axis=(0, 1, 2))        # shared posterior: visits of each y
    corr = sum(p[y] * min(1e4 * H ** 3 * S ** 2 * A * L ** 2 / arrivals[y], H ** 2) for y in range(3) if p[y] > 0)
    b = np.sqrt(8 * L * var / 3) + 14 * H * L / (3 * 3) + np.sqrt(8 * corr / 3)
    np.testing.assert_allclose(ag.bonus_values[0, 0, 1], b)


# ----------------------------------------------------------------------------------- contract + runs
CONTRACT = [
    (OPSRL, {}), (OPSRL, {"stage_dependent": True, "clip": "stage"}), (OPSRL, {"backend": "numpy"}),
    (PSRL, {}), (GreedyPosteriorMean, {}), (UCBVI, {}), (UCBVI, {"bonus": "bernstein"}),
    (UCBVI, {"bonus": "bernstein", "constants": "theory", "stage_dependent": True}),
]


@pytest.mark.parametrize("cls,params", CONTRACT, ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(CONTRACT)])
def test_check_learner(cls, params):
    check_learner(cls, **params)


def test_check_learner_catches_hidden_randomness():
    class Leaky(OPSRL):
        def policy(self):
            self.rng = np.random.default_rng()           # ignores the seed
            return super().policy()

    with pytest.raises(LearnerContractError, match="same seed"):
        check_learner(Leaky)


def test_opsrl_theory_constructor_runs_and_passes_contract():
    env = garnet(4, 2, 2, rng=12345, H=3)
    ag = OPSRL.theory(env.S, env.A, env.H, rewards=env.R, T=50, delta=0.1, rng=0)
    assert ag.stage_dependent and ag.r0 == 2.0 and ag.kappa > 1 and ag.J > 8
    run(ag, env, 5, rng=0)


@pytest.mark.parametrize("cls", [OPSRL, UCBVI, PSRL])
def test_numba_and_numpy_backends_play_the_same_run(cls):
    env = garnet(5, 2, 3, rng=1, H=4)
    a = run(cls(env.S, env.A, env.H, rewards=env.R, rng=7), env, 30, rng=8)
    b = run(cls(env.S, env.A, env.H, rewards=env.R, rng=7, backend="numpy"), env, 30, rng=8)
    np.testing.assert_allclose(a.regret, b.regret, atol=1e-10)
    np.testing.assert_allclose(a.value_estimates, b.value_estimates, atol=1e-10)


def test_greedy_pessimistic_agent_has_linear_regret_on_riverswim():
    env = riverswim(5, H=20)
    tr = run(GreedyPosteriorMean(env.S, env.A, env.H, rewards=env.R, rng=0), env, 100, rng=0)
    assert tr.regret[-50:].min() > 0.1 * tr.v_star   # never learns: constant per-episode regret
    op = run(OPSRL(env.S, env.A, env.H, rewards=env.R, rng=0), env, 400, rng=0)
    assert op.regret[-50:].mean() < tr.regret[-50:].mean() / 2


def test_trace_fields():
    env = garnet(3, 2, 2, rng=0, H=2)
    tr = run(UCBVI(env.S, env.A, env.H, rewards=env.R, rng=0), env, 10, rng=0)
    assert tr.samples[-1] == 20 and tr.cumulative_regret[-1] == pytest.approx(tr.regret.sum())
    assert set(tr.phase_times) >= {"sampling", "planning", "rollout", "update", "evaluation"}
    assert "UCBVI" in tr.agent


# --------------------------------------------------------------------------------------- validation
def test_bad_arguments_are_named():
    R = np.zeros((3, 2))
    with pytest.raises(ValueError, match="J"):
        OPSRL(3, 2, 2, rewards=R, J=0)
    with pytest.raises(ValueError, match="kappa"):
        OPSRL(3, 2, 2, rewards=R, kappa=-1.0)
    with pytest.raises(ValueError, match="n0 = 0 and prior_alpha = 0"):
        OPSRL(3, 2, 2, rewards=R, n0=0.0)
    with pytest.raises(ValueError, match=r"rewards\[0, 1, 0\] = 2.0 is outside \[0, 1\]"):
        R2 = np.zeros((3, 2)); R2[1, 0] = 2.0
        OPSRL(3, 2, 2, rewards=R2)
    with pytest.raises(TypeError, match="rewards is required"):
        OPSRL(3, 2, 2)
    with pytest.raises(ValueError, match="bonus"):
        UCBVI(3, 2, 2, rewards=R, bonus="ucb")
    with pytest.raises(ValueError, match="clip"):
        OPSRL(3, 2, 2, rewards=R, clip="yes")
    env = garnet(3, 2, 2, rng=0, H=3)
    with pytest.raises(ValueError, match=r"agent has \(S, A, H\)"):
        run(OPSRL(3, 2, 2, rewards=R), env, 2)
    ag = OPSRL(3, 2, 2, rewards=R)
    with pytest.raises(ValueError, match="trajectory"):
        ag.update(Trajectory(np.array([0, 5, 1]), np.array([0, 1]), np.zeros(2)))


@settings(max_examples=25)
@given(J=st.integers(-2, 4), kappa=st.floats(-1, 3) | st.just(float("nan")), n0=st.floats(-1, 2),
       prior=st.floats(-1, 1))
def test_constructor_fuzz(J, kappa, n0, prior):
    R = np.zeros((2, 2))
    ok = J >= 1 and np.isfinite(kappa) and kappa > 0 and n0 >= 0 and prior >= 0 and (n0 > 0 or prior > 0)
    if ok:
        ag = OPSRL(2, 2, 2, rewards=R, J=J, kappa=kappa, n0=n0, prior_alpha=prior, rng=0)
        assert ag.policy().shape == (2, 2)
    else:
        with pytest.raises(ValueError):
            OPSRL(2, 2, 2, rewards=R, J=J, kappa=kappa, n0=n0, prior_alpha=prior)


def test_cached_support_matches_a_fresh_one():
    """The support pattern is cached between updates; it must equal a recomputation after every episode."""
    env = garnet(4, 2, 3, rng=2, H=3)
    for stage in (False, True):
        ag = OPSRL(env.S, env.A, env.H, rewards=env.R, rng=0, stage_dependent=stage)
        for t in range(15):
            run(ag, env, 1, rng=t)
            ptr, idx, vals = ag._support(ag.counts)
            nz = np.flatnonzero(ag.counts)
            np.testing.assert_array_equal(ptr[1:] - ptr[:-1], np.bincount(nz // env.S, minlength=len(ptr) - 1))
            np.testing.assert_array_equal(idx, nz % env.S)
            np.testing.assert_array_equal(vals, ag.counts.reshape(-1)[nz])


def test_evaluate_policy_csr_stationary_rows():
    env = riverswim(5, H=7)
    rng = np.random.default_rng(0)
    pi = rng.integers(env.A, size=(env.H, env.S)).astype(np.int64)
    flat = env.P[0].reshape(-1)
    nz = np.flatnonzero(flat)
    ptr = np.zeros(env.S * env.A + 1, np.int64)
    np.cumsum(np.bincount(nz // env.S, minlength=env.S * env.A), out=ptr[1:])
    V = K.evaluate_policy_csr(ptr, (nz % env.S).astype(np.int64), flat[nz], env.R, pi, True)
    np.testing.assert_allclose(V, policy_evaluation_arrays(env.P, env.R, pi, backend="numpy")[0], atol=1e-12)


def test_hyperparameters_of_the_wrong_type_or_range_name_the_argument():
    """Issue 11: UCBVI(delta=0) was accepted (experiments constants); OPSRL(kappa='1') raised NumPy's
    'ufunc isfinite not supported for the input types'."""
    R = np.zeros((3, 2))
    for delta in (0, 1, 1.5, np.nan):
        with pytest.raises(ValueError, match=r"delta \(confidence level\) must be a finite number in \(0, 1\)"):
            UCBVI(3, 2, 2, rewards=R, delta=delta)
    with pytest.raises(TypeError, match=r"kappa \(inflation\) must be a single real number in \(0, inf\), got the "
                                        "string '1'"):
        OPSRL(3, 2, 2, rewards=R, kappa="1")
    with pytest.raises(TypeError, match="n0 must be a single real number"):
        OPSRL(3, 2, 2, rewards=R, n0=[1.0])
    with pytest.raises(TypeError, match="n_episodes must be an integer"):
        UCBVI(3, 2, 2, rewards=R, n_episodes=10.5)
