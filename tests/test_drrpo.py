"""DR-RPO (reconstruction), DR-LSVI-UCB and the exact policy-regularised robust objective (issue 19).

- the exact regularised robust DP against brute force over stochastic policies on micro instances, and its
  ``tau = 0`` reduction to :func:`solvers.robust.robust_backward_induction`;
- the softmax / mirror-descent update in closed form; the log-linear storage of the policy;
- the learners' evaluation against an independent per-sample computation (the count-compressed Gram);
- NumPy/Numba agreement of the learners, the oracle and the planner;
- the learner contract (:func:`solvers.learners.check_learner`) with the robust-regret oracle;
- bad input: ``tau < 0``, ``eta <= 0``, a reference that is not a distribution, ``rho`` out of range
  (fuzzed), with errors naming the argument;
- slow: the claims on their quick grids (in memory), every mutant rejected.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from experiments import drrpo_truth
from experiments.drrpo_common import reference_policy
from fuzz_inputs import NOT_A_NUMBER, clear_error_or, few
from mdptheory import mutants
from mdptheory.envs import linear_riverswim, one_hot_linear, riverswim, simulated_linear_mdp
from mdptheory.linear import random_d_rectangular
from mdptheory.offline import collect
from mdptheory.uncertainty import make
from solvers.learners import Trajectory, check_learner, run
from solvers.offline.drpvi import tv_constrained_estimate
from solvers.offline.ridge import Gram
from solvers.robust import (policy_regularized_dp, policy_regularized_evaluation, robust_backward_induction,
                            robust_policy_evaluation, worst_case_rows)
from solvers.robust_online import DRLSVIUCB, DRRPO, RobustRegretOracle

LIN = simulated_linear_mdp()
RAND = random_d_rectangular(6, 3, 4, 3, rng=11)
REF_RAND = reference_policy(RAND.H, RAND.S, RAND.A, 7)


# ------------------------------------------------------------------------------------------- exact truth
@pytest.mark.parametrize("set_name", sorted(drrpo_truth.SETS))
def test_regularised_dp_against_brute_force(set_name):
    out = drrpo_truth.run({"set": set_name}, 3)
    assert out["eval_err"] <= out["atol"]
    assert out["reduce_err"] <= out["atol"]
    assert (out["opt_over"] <= out["atol"]).all()                    # no grid policy beats V*
    assert (out["opt_under"] <= out["opt_tol"] + out["atol"]).all()  # V* within the certified grid gap
    assert (out["opt_under"] > 0).all()                              # the grid does not contain the Gibbs policy


@pytest.mark.parametrize("model", [LIN, RAND, RAND.to_tabular()], ids=["linear-sim", "random-d", "random-sa"])
@pytest.mark.parametrize("uset", [make("tv", rho=0.2), make("kl", rho=0.3), make("chi2", lam=0.7),
                                  make("tv", lam=0.4)], ids=repr)
def test_tau_zero_is_robust_backward_induction(model, uset):
    a, b = policy_regularized_dp(model, uset, 0.0), robust_backward_induction(model, uset)
    np.testing.assert_array_equal(a.V, b.V)
    np.testing.assert_array_equal(a.extra["greedy"], b.policy)
    np.testing.assert_array_equal(a.policy.argmax(-1), b.policy)            # the one-hot greedy policy
    pol = np.random.default_rng(0).dirichlet(np.ones(model.A), size=(model.H, model.S))
    np.testing.assert_allclose(policy_regularized_evaluation(model, pol, uset, 0.0).V,
                               robust_policy_evaluation(model, pol, uset).V, atol=1e-13)


def test_gibbs_optimum_is_the_softmax_of_its_q_and_dominates_every_policy():
    uset, tau = make("tv", rho=0.2), 0.3
    res = policy_regularized_dp(RAND, uset, tau, REF_RAND)
    logits = np.log(REF_RAND) + res.Q / tau
    expected = np.exp(logits - logits.max(-1, keepdims=True))
    np.testing.assert_allclose(res.policy, expected / expected.sum(-1, keepdims=True), atol=1e-14)
    np.testing.assert_allclose(res.V[:-1], tau * np.log((REF_RAND * np.exp(res.Q / tau)).sum(-1)), atol=1e-12)
    rng = np.random.default_rng(1)
    for _ in range(20):
        pol = rng.dirichlet(np.full(RAND.A, 0.5), size=(RAND.H, RAND.S))
        assert (policy_regularized_evaluation(RAND, pol, uset, tau, REF_RAND).V <= res.V + 1e-12).all()


def test_evaluation_outside_the_reference_support_is_minus_inf():
    ref = np.array(REF_RAND)
    ref[:, :, 0] = 0.0
    ref /= ref.sum(-1, keepdims=True)
    pol = np.full((RAND.H, RAND.S, RAND.A), 1.0 / RAND.A)
    V = policy_regularized_evaluation(RAND, pol, make("tv", rho=0.1), 0.5, ref).V
    assert np.isneginf(V[0]).all()
    opt = policy_regularized_dp(RAND, make("tv", rho=0.1), 0.5, ref)
    assert (opt.policy[..., 0] == 0.0).all() and np.isfinite(opt.V).all()


def test_limits_in_tau():
    uset = make("tv", rho=0.2)
    v0 = policy_regularized_dp(LIN, uset, 0.0).V[0, 0]
    vs = [policy_regularized_dp(LIN, uset, t).V[0, 0] for t in (1e-4, 1e-2, 1.0)]
    assert all(v <= v0 + 1e-12 for v in vs) and vs[0] > vs[1] > vs[2]
    assert v0 - vs[0] < 1e-3
    big = policy_regularized_dp(LIN, uset, 1e4)                          # uniform reference by default
    np.testing.assert_allclose(big.policy, 1.0 / LIN.A, atol=1e-3)


# ------------------------------------------------------------------------------------------- the learners
def _drrpo(backend="numba", **kw):
    params = dict(rho=0.2, tau=0.3, eta=1.5, reference=REF_RAND, beta=1.0, rng=0, backend=backend)
    params.update(kw)
    return DRRPO.for_model(RAND, **params)


class Recorder:
    def __init__(self, agent):
        self.agent, self.ws, self.pis = agent, [], []

    def policy(self):
        pi = self.agent.policy()
        self.ws.append(np.array(self.agent.w, copy=True))
        self.pis.append(np.array(pi, copy=True))
        return pi

    def __getattr__(self, name):
        return getattr(self.agent, name)


def test_mirror_descent_update_in_closed_form():
    """pi^{k+1} ∝ (pi^k)^{1/(1+eta tau)} ref^{eta tau/(1+eta tau)} exp(eta Q_lin^k / (1 + eta tau))."""
    agent = Recorder(_drrpo())
    oracle = RobustRegretOracle(RAND, make("tv", rho=0.2), 0.3, REF_RAND)
    run(agent, None, 6, rng=3, oracle=oracle)
    eta, tau = 1.5, 0.3
    np.testing.assert_allclose(agent.pis[0], REF_RAND, atol=1e-15)          # pi^1 = pi_ref
    # call k+1 of policy() evaluates pi^k = pis[k-1] on the data (ws[k]) and steps to pi^{k+1} = pis[k]; ws[0] is
    # the zero-data evaluation of pi^1, which takes no step
    for k in range(1, 6):
        q_lin = np.einsum("sai,hi->hsa", RAND.phi, agent.ws[k])
        logits = (np.log(agent.pis[k - 1]) + eta * tau * np.log(REF_RAND) + eta * q_lin) / (1 + eta * tau)
        expected = np.exp(logits - logits.max(-1, keepdims=True))
        np.testing.assert_allclose(agent.pis[k], expected / expected.sum(-1, keepdims=True), atol=1e-12)


def test_policy_is_log_linear_around_the_reference():
    agent = _drrpo()
    run(agent, None, 8, rng=1, oracle=RobustRegretOracle(RAND, make("tv", rho=0.2), 0.3, REF_RAND))
    z = np.log(agent.pi) - np.log(REF_RAND) - np.einsum("sai,hi->hsa", RAND.phi, agent.W)
    np.testing.assert_allclose(z - z[..., :1], 0.0, atol=1e-12)             # log pi - log ref - phi.W: const per (h,s)


def test_tau_zero_learner_is_oppo_type():
    agent = Recorder(_drrpo(tau=0.0))
    run(agent, None, 4, rng=2, oracle=RobustRegretOracle(RAND, make("tv", rho=0.2), 0.0, REF_RAND))
    np.testing.assert_allclose(agent.W, 1.5 * (agent.ws[1] + agent.ws[2] + agent.ws[3]), atol=1e-12)


def test_evaluation_matches_an_independent_per_sample_computation():
    """The count-compressed Gram and targets give the regression over the raw samples (offline pieces)."""
    data = collect(RAND, 40, rng=5)
    agent = _drrpo()
    for k in range(data.K):
        rows = data.episode == k
        agent.update(Trajectory(np.append(data.s[rows], data.s_next[rows][-1]), data.a[rows], data.r[rows]))
    pi = np.random.default_rng(3).dirichlet(np.ones(RAND.A), size=(RAND.H, RAND.S))
    Q, V, w = agent.evaluate(pi)
    H, d = RAND.H, RAND.d
    V_ref = np.zeros((H + 1, RAND.S))
    for h in range(H - 1, -1, -1):
        rows = data.step(h)
        gram = Gram(data.phi[rows], 1.0)
        y = V_ref[h + 1][data.s_next[rows]]
        nu = np.zeros(d) if h == H - 1 else tv_constrained_estimate(gram, y, np.full(d, 0.2), V_ref[h + 1].min(), H)
        ww = RAND.theta[h] + nu + np.sqrt(np.diag(np.linalg.inv(gram.matrix)))
        np.testing.assert_allclose(w[h], ww, atol=1e-10)
        q = np.minimum(RAND.phi @ ww, H - h)
        kl = (pi[h] * (np.log(pi[h]) - np.log(REF_RAND[h]))).sum(-1)
        V_ref[h] = np.clip((pi[h] * q).sum(-1) - 0.3 * kl, 0, H - h)
    np.testing.assert_allclose(V, V_ref, atol=1e-10)


@pytest.mark.parametrize("cls", [DRRPO, DRLSVIUCB])
def test_numba_and_numpy_agree(cls):
    traces = []
    for backend in ("numba", "numpy"):
        kw = dict(tau=0.3, eta=1.5, reference=REF_RAND) if cls is DRRPO else {}
        agent = cls.for_model(RAND, rho=0.2, beta=1.0, rng=0, backend=backend, **kw)
        oracle = RobustRegretOracle(RAND, make("tv", rho=0.2), 0.3 if cls is DRRPO else 0.0, REF_RAND, backend=backend)
        traces.append(run(agent, None, 25, rng=4, oracle=oracle))
    a, b = traces
    np.testing.assert_allclose(a.regret, b.regret, atol=1e-10)
    np.testing.assert_allclose(a.returns, b.returns)
    np.testing.assert_allclose(a.value_estimates, b.value_estimates, atol=1e-10)


def test_planner_backends_agree():
    for tau in (0.0, 0.2):
        a = policy_regularized_dp(RAND, make("kl", lam=0.5), tau, REF_RAND, backend="numba")
        b = policy_regularized_dp(RAND, make("kl", lam=0.5), tau, REF_RAND, backend="numpy")
        np.testing.assert_allclose(a.V, b.V, atol=1e-12)
        np.testing.assert_allclose(a.policy, b.policy, atol=1e-12)


@pytest.mark.parametrize("cls", [DRRPO, DRLSVIUCB])
def test_learner_contract(cls):
    kw = dict(tau=0.3, eta=1.5, reference=REF_RAND) if cls is DRRPO else {}
    oracle = RobustRegretOracle(RAND, make("tv", rho=0.2), 0.3 if cls is DRRPO else 0.0, REF_RAND)
    check_learner(cls, env=RAND.to_tabular(), oracle=oracle,
                  factory=lambda seed: cls.for_model(RAND, rho=0.2, beta=1.0, rng=seed, **kw))


def test_oracle_values_and_regret():
    uset = make("tv", rho=0.2)
    oracle = RobustRegretOracle(LIN, uset, 0.1, reference_policy(LIN.H, LIN.S, LIN.A, 7))
    det = np.zeros((LIN.H, LIN.S), np.int64)
    assert oracle.value(det) == pytest.approx(oracle.value(np.eye(LIN.A)[det]), abs=1e-14)
    agent = DRRPO.for_model(LIN, rho=0.2, tau=0.1, eta=2.0, reference=reference_policy(LIN.H, LIN.S, LIN.A, 7),
                            beta=2.0, rng=0)
    trace = run(agent, None, 30, rng=0, oracle=oracle)
    assert (trace.regret >= -1e-12).all()
    exact = policy_regularized_evaluation(LIN, trace.policy, uset, 0.1, oracle.problem.reference).V[0, 0]
    assert trace.v_star - trace.regret[-1] == pytest.approx(exact, abs=1e-13)


def test_oracle_plays_in_the_nominal_model():
    """Empirical first transitions of a stochastic policy match phi . mu (nominal), not the worst case."""
    oracle = RobustRegretOracle(LIN, make("tv", rho=0.5), 0.0)
    pol = np.full((LIN.H, LIN.S, LIN.A), 1.0 / LIN.A)
    rng = np.random.default_rng(0)
    firsts = np.array([oracle.play(pol, rng).states[1] for _ in range(4000)])
    p_nominal = (pol[0, 0] @ LIN.P[0, 0])
    freq = np.bincount(firsts, minlength=LIN.S) / firsts.size
    assert np.abs(freq - p_nominal).max() < 0.03


def test_one_hot_linear_is_the_tabular_model():
    env = riverswim(4, H=5)
    m = one_hot_linear(env)
    np.testing.assert_allclose(m.to_tabular().P, env.P)
    np.testing.assert_allclose(m.R, env.R)
    assert linear_riverswim(3, 6, r_left=0.1).d == 6


def test_mutants_change_their_step():
    """Every registered mutant of DR-RPO, DR-LSVI-UCB and the planner changes what its code computes."""
    base_dp = policy_regularized_dp(RAND, make("tv", rho=0.2), 0.3, REF_RAND).V
    pol = np.full((RAND.H, RAND.S, RAND.A), 1.0 / RAND.A)
    base_ev = policy_regularized_evaluation(RAND, pol, make("tv", rho=0.2), 0.3, REF_RAND).V

    def learner_regret(cls):
        kw = dict(tau=0.3, eta=1.5, reference=REF_RAND) if cls is DRRPO else {}
        oracle = RobustRegretOracle(RAND, make("tv", rho=0.2), 0.3, REF_RAND)
        trace = run(cls.for_model(RAND, rho=0.2, beta=1.0, rng=0, **kw), None, 12, rng=1, oracle=oracle)
        return np.concatenate([trace.regret, trace.value_estimates])       # what it played and what it believed

    base = {DRRPO: learner_regret(DRRPO), DRLSVIUCB: learner_regret(DRLSVIUCB)}
    for algo, cls in (("drrpo", DRRPO), ("drrpo-evaluation", DRRPO), ("dr-lsvi-ucb", DRLSVIUCB),
                      ("policy-reg-dp", None)):
        for m in mutants.of(algo):
            with mutants.activated(m.name):
                if cls is None:
                    dp = policy_regularized_dp(RAND, make("tv", rho=0.2), 0.3, REF_RAND).V
                    ev = policy_regularized_evaluation(RAND, pol, make("tv", rho=0.2), 0.3, REF_RAND).V
                    assert not (np.allclose(dp, base_dp) and np.allclose(ev, base_ev)), m.name
                else:
                    assert not np.allclose(learner_regret(cls), base[cls]), m.name


# ------------------------------------------------------------------------------------------- bad input
def _build(**kw):
    params = dict(rho=0.1, tau=0.1, eta=1.0, reference=None, beta=1.0, rng=0)
    params.update(kw)
    return DRRPO.for_model(LIN, **params)


@pytest.mark.parametrize("tau", [-1e-3, -1.0, float("inf")] + [v for _, v in NOT_A_NUMBER])
def test_bad_tau(tau):
    clear_error_or(lambda: _build(tau=tau), ["tau"], True)
    clear_error_or(lambda: policy_regularized_dp(LIN, make("tv", rho=0.1), tau), ["tau"], True)
    clear_error_or(lambda: RobustRegretOracle(LIN, make("tv", rho=0.1), tau), ["tau"], True)


@pytest.mark.parametrize("eta", [0.0, -1.0, float("inf")] + [v for _, v in NOT_A_NUMBER])
def test_bad_eta(eta):
    with pytest.raises((ValueError, TypeError), match="eta"):
        _build(eta=eta)


@pytest.mark.parametrize("rho, div", [(1.5, "tv"), (-0.1, "tv"), (float("inf"), "tv"), (float("inf"), "kl"),
                                      (-1.0, "kl"), (float("nan"), "tv"), ("0.1", "tv")])
def test_bad_rho(rho, div):
    with pytest.raises((ValueError, TypeError), match="rho"):
        DRRPO.for_model(LIN, divergence=div, rho=rho, rng=0)
    with pytest.raises((ValueError, TypeError), match="rho"):
        DRLSVIUCB.for_model(LIN, divergence=div, rho=rho, rng=0)


def test_bad_rho_table_and_missing_set():
    with pytest.raises(ValueError, match=r"rho\[1, 2\]"):
        bad = np.full((LIN.H, LIN.d), 0.1)
        bad[1, 2] = 1.2
        DRRPO.for_model(LIN, rho=bad)
    with pytest.raises(ValueError, match="exactly one of rho"):
        DRRPO.for_model(LIN)
    with pytest.raises(NotImplementedError, match="chi-square"):
        DRRPO.for_model(LIN, divergence="chi2", rho=0.1)
    with pytest.raises(ValueError, match="divergence"):
        DRRPO.for_model(LIN, divergence="wasserstein", rho=0.1)


@given(seed=st.integers(0, 2**31 - 1), kind=st.sampled_from(["negative", "sum", "nan", "shape", "strings"]))
@few(10)
def test_bad_reference_policy(seed, kind):
    rng = np.random.default_rng(seed)
    ref = rng.dirichlet(np.ones(LIN.A), size=(LIN.H, LIN.S))
    h, s, a = rng.integers(LIN.H), rng.integers(LIN.S), rng.integers(LIN.A)
    if kind == "negative":
        ref[h, s, a] = -0.2
    elif kind == "sum":
        ref[h, s] *= rng.uniform(1.01, 3.0)
    elif kind == "nan":
        ref[h, s, a] = np.nan
    elif kind == "shape":
        ref = ref[:, :, :-1]
    else:
        ref = ref.astype(str)
    for call in (lambda: _build(reference=ref),
                 lambda: policy_regularized_dp(LIN, make("tv", rho=0.1), 0.1, ref),
                 lambda: RobustRegretOracle(LIN, make("tv", rho=0.1), 0.1, ref)):
        clear_error_or(call, ["reference"], True)


@given(tau=st.floats(allow_nan=True, allow_infinity=True), eta=st.floats(allow_nan=True, allow_infinity=True))
@few(25)
def test_fuzz_tau_eta(tau, eta):
    valid = np.isfinite(tau) and tau >= 0 and np.isfinite(eta) and eta > 0
    names = ["tau"] if not (np.isfinite(tau) and tau >= 0) else ["eta"]
    clear_error_or(lambda: _build(tau=tau, eta=eta), names, not valid,
                   lambda agent: np.testing.assert_allclose(agent.policy().sum(-1), 1.0))


def test_observe_counts_checks_its_input():
    agent = _build()
    with pytest.raises(ValueError, match="counts"):
        agent.observe_counts(np.zeros((2, 2, 2, 2)))
    with pytest.raises(ValueError, match="counts"):
        agent.observe_counts(-np.ones(agent.counts.shape))


def test_evaluate_checks_the_policy_shape():
    with pytest.raises(ValueError, match="policy"):
        _build().evaluate(np.zeros((3, 5)))


def test_worst_case_rows_is_the_inner_problem_used():
    """The learners' d-rectangular truth uses the registered inner problem (a sanity link for the docs)."""
    V = np.linspace(0, 1, LIN.S)
    nu, _ = worst_case_rows(np.ascontiguousarray(LIN.mu[0]), V, make("tv", rho=0.2), want_p=False)
    res = policy_regularized_evaluation(LIN, np.zeros((LIN.H, LIN.S), np.int64), make("tv", rho=0.2), 0.0)
    assert res.extra["nu"].shape == (LIN.H, LIN.d) and nu.shape == (LIN.d,)


# ------------------------------------------------------------------------------------------- claims (slow)
@pytest.mark.slow
@pytest.mark.parametrize("claim", ["drrpo-truth-brute-force", "drrpo-regularisation-limit", "drrpo-regret-sublinear",
                                   "drrpo-final-value-vs-dr-lsvi-ucb", "drrpo-evaluation-consistency",
                                   "dr-lsvi-ucb-evaluation-consistency"])
def test_claims_verified_on_their_quick_grids(claim):
    from claims_in_memory import judge_quick
    from experiments import all_claims

    result = judge_quick(all_claims()[claim])
    assert result.status == "verified", (result.status, result.verdict, result.error, result.passing_controls)


@pytest.mark.parametrize("claim", ["drrpo-evaluation-recomputed", "dr-lsvi-ucb-evaluation-recomputed"])
def test_recomputed_evaluation_claims_verified(claim):
    """Cheap (about a second): the evaluation on little data, where the cap H - h binds, against the dense
    recomputation, with every named mutant (the cap at H among them) rejected."""
    from claims_in_memory import judge_quick
    from experiments import all_claims

    result = judge_quick(all_claims()[claim])
    assert result.status == "verified", (result.status, result.verdict, result.error, result.passing_controls)
