"""R2PVI against exact ground truth from the robust planners (solvers.robust), bounds and experiments wiring."""
import numpy as np
import pytest

import bounds
from bounds.r2pvi import BETA_CONSTANTS, COVERAGE, DRPVI_INSTANCE, INSTANCE, RATES, beta, log_factor
from mdptheory.envs.linear_sim import simulated_linear_mdp
from mdptheory.linear import random_d_rectangular
from mdptheory.offline import collect, replication_rng
from mdptheory.uncertainty import KL, TV, ChiSquare
from solvers.offline import drpvi, drvi_l, r2pvi
from solvers.robust import robust_backward_induction, robust_policy_evaluation


@pytest.mark.parametrize("divergence,U", [("tv", TV(lam=0.5)), ("kl", KL(lam=0.5)), ("chi2", ChiSquare(lam=0.5))])
def test_large_K_covering_behaviour_recovers_the_exact_regularized_robust_optimum(divergence, U):
    model = random_d_rectangular(S=5, A=3, d=3, H=3, rng=4)
    exact = robust_backward_induction(model, U)
    data = collect(model, 20000, "uniform", replication_rng(0, 0))
    fit = r2pvi(data, divergence=divergence, lam=0.5, theta=model.theta, beta=0.05, ridge=1e-3)
    # the learned policy is exactly optimal for the regularized robust MDP (gaps >> estimation error)
    val = robust_policy_evaluation(model, fit.policy, U)
    np.testing.assert_allclose(val.V[0], exact.V[0], atol=1e-9)
    np.testing.assert_allclose(fit.V[0], exact.V[0], atol=0.05)
    assert np.all(fit.V[0] <= exact.V[0] + 1e-3)  # pessimistic (up to the ridge/estimation error)


def test_constrained_baselines_recover_exact_constrained_optimum():
    model = random_d_rectangular(S=5, A=3, d=3, H=3, rng=5)
    data = collect(model, 20000, "uniform", replication_rng(0, 1))
    for learner, U in ((drpvi, TV(rho=0.2)), (drvi_l, KL(rho=0.2))):
        exact = robust_backward_induction(model, U)
        fit = learner(data, rho=0.2, theta=model.theta, beta=0.0, ridge=1e-3)
        np.testing.assert_allclose(fit.V[0], exact.V[0], atol=0.03)
        val = robust_policy_evaluation(model, fit.policy, U)
        np.testing.assert_allclose(val.V[0], exact.V[0], atol=1e-3)


def test_linear_sim_ground_truth_numbers_from_the_spec():
    """Spec 2.5(a): nominal 1.6243, TV lam = 0.1 -> 0.1000, KL 1.3452, chi2 1.6221 at x1."""
    model = simulated_linear_mdp()
    for U, v in ((TV(lam=0.1), 0.1000), (KL(lam=0.1), 1.3452), (ChiSquare(lam=0.1), 1.6221)):
        assert robust_backward_induction(model, U).V[0, 0] == pytest.approx(v, abs=5e-5)


def test_r2pvi_on_linear_sim_paper_options_run_and_official_differ():
    model = simulated_linear_mdp()
    data = collect(model, 100, "uniform", replication_rng(1, 0))
    kw = dict(theta=model.theta, beta=1.0, ridge=0.1, lam=0.1)
    paper = r2pvi(data, divergence="chi2", **kw)
    official = r2pvi(data, divergence="chi2", chi2_direction="min", bonus="l2", clip="upper", fail_states=[3], **kw)
    assert official.w[0].sum() < paper.w[0].sum()   # minimising the dual is more pessimistic


# ------------------------------------------------------------------ bounds
def test_bounds_registered_and_evaluate():
    reg = bounds.registry()
    for name in ("r2pvi-tv-instance", "r2pvi-kl-instance", "r2pvi-chi2-instance", "drpvi-instance",
                 "r2pvi-tv-rate", "r2pvi-tv-coverage"):
        assert name in reg
    b = beta("tv", 4, 3, 100, 0.1)
    assert b == pytest.approx(16 * 4 * 3 * np.sqrt(np.log(2 * 4 * 9 * 100 / 0.1)))
    v = INSTANCE["tv"].evaluate(d=4, H=3, xi=log_factor(4, 3, 100, 0.1), Phi=0.5, c_beta=BETA_CONSTANTS["tv"][0])
    assert v == pytest.approx(2 * b * 0.5)
    assert beta("chi2", 2, 3, 10, 0.1, lam=0.5) == pytest.approx(8 * 2 * 9 * 3 * np.sqrt(log_factor(2, 3, 10, 0.1)))
    assert DRPVI_INSTANCE.evaluate(d=4, H=3, iota=2.0, Phi=1.0) == pytest.approx(8 * 2 * 3 * np.sqrt(2))
    assert RATES["tv"].hidden_constant and not INSTANCE["tv"].hidden_constant
    # the corollary: Phi <= dH/sqrt(cK) plugged into the instance bound
    c = COVERAGE["tv"].evaluate(d=4, H=3, K=100, xi=3.0, c_beta=16.0, c_dagger=0.5)
    assert c == pytest.approx(INSTANCE["tv"].evaluate(d=4, H=3, xi=3.0, Phi=4 * 3 / np.sqrt(50), c_beta=16.0))
    with pytest.raises(ValueError, match="needs lam"):
        beta("kl", 2, 3, 10, 0.1)
    with pytest.raises(ValueError, match="delta"):
        log_factor(2, 3, 10, 1.5)


# ------------------------------------------------------------------ the bound's uncertainty term
def test_uncertainty_term_nominal_matches_direct_expectation_and_sup_is_larger():
    from experiments.offline_truth import admissible_set, trap_instance, uncertainty_term
    from solvers import policy_evaluation
    model = trap_instance()
    pol = robust_backward_induction(model, TV(lam=1.0)).policy
    inv_diag = np.random.default_rng(0).uniform(0.01, 1.0, (model.H, model.d))
    nominal = uncertainty_term(model, pol, inv_diag, TV(rho=0.0))
    cost = np.einsum("sai,hi->hsa", model.phi, np.sqrt(inv_diag))
    from mdptheory import EpisodicMDP
    direct = policy_evaluation(EpisodicMDP(model.to_tabular().P, cost, model.mu0), pol).V[0, 0]
    assert nominal == pytest.approx(direct, rel=1e-12)
    sup = uncertainty_term(model, pol, inv_diag, admissible_set("tv", 1.0, model.H))
    assert sup > nominal + 1e-6


def test_experiment_modules_validate_and_run_one_job():
    from experiments import get_experiment
    for name in ("r2pvi-bound", "r2pvi-rate", "r2pvi-lam-limit", "r2pvi-linear-sim", "r2pvi-american-put",
                 "r2pvi-timing"):
        get_experiment(name)
    from experiments import r2pvi_bound, r2pvi_limit
    out = r2pvi_bound.run(r2pvi_bound.QUICK_GRID[0], 0)
    assert 0 <= out["subopt"] <= out["bound"]
    assert r2pvi_limit.run({"lam": 4.0, "K": 30}, 0)["max_abs_q_diff"] == 0.0
    assert r2pvi_limit.run({"lam": 0.2, "K": 30}, 0)["max_abs_q_diff"] > 1e-3


def test_kl_estimator_is_optimistic_on_unobserved_features_unless_beta_covers_it():
    """Finding (see experiments/r2pvi_rate.py): the ridge estimate of e^{-y/lam} is 0 on a never-observed
    feature, the floor turns it into w = H, and only a bonus beta / sqrt(ridge) >= H hides the trap."""
    from experiments.offline_truth import no_trap_behaviour, trap_instance
    model = trap_instance()
    data = collect(model, 1000, no_trap_behaviour(model), replication_rng(0, 0))
    trap = model.A - 1
    weak = r2pvi(data, divergence="kl", lam=1.0, theta=model.theta, beta=1.0, ridge=1.0)
    assert weak.w[0, -1] == pytest.approx(model.H)          # unobserved coordinate -> cap H
    reachable = slice(0, model.S - 1)                      # the fail state's actions all share e_{d-1}
    assert (weak.policy[:, reachable] == trap).any()         # the trap is taken (stage 2 here)
    v_star = robust_backward_induction(model, KL(lam=1.0)).V[0, 0]
    assert weak.V[0, 0] > v_star + 0.5                       # and the "pessimistic" estimate is optimistic
    strong = r2pvi(data, divergence="kl", lam=1.0, theta=model.theta, beta=model.H + 0.5, ridge=1.0)
    assert not (strong.policy[:, reachable] == trap).any()
    tv = r2pvi(data, divergence="tv", lam=1.0, theta=model.theta, beta=1.0, ridge=1.0)
    assert tv.w[0, -1] == 0.0 and not (tv.policy[:, reachable] == trap).any()  # TV's ridge shrinks to 0
