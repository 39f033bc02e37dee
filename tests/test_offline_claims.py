"""The offline (R2PVI and baselines) claims: verified on their quick grids with every named mutant rejected,
every registered mutant of the offline and robust algorithms live (it changes what its algorithm computes) and
caught by some claim (the power report, slow), the regime statements of the claims' descriptions (where
Theorem 5.1's bound binds, when its beta makes the learner degenerate) recomputed, and compressed datasets."""
from __future__ import annotations

import numpy as np
import pytest

from claims_in_memory import judge_quick
from experiments import (offline_consistency, offline_duals, r2pvi_bound, r2pvi_consistency, r2pvi_limit,
                         r2pvi_official, r2pvi_rate)
from experiments.offline_truth import (informative_K, learn, no_trap_behaviour, population_inv_diag, theorem_bound,
                                       theorem_instance, trap_instance)
from mdptheory import mutants
from mdptheory.linear import random_d_rectangular
from mdptheory.offline import OfflineDataset, collect_counts, replication_rng, uniform_policy
from mdptheory.uncertainty import make
from solvers.offline import LEARNERS, Gram
from solvers.offline.r2pvi import chi2_estimate
from solvers.robust import robust_backward_induction, robust_policy_evaluation, worst_case_rows

OFFLINE_CLAIMS = (r2pvi_bound.CLAIMS + r2pvi_rate.CLAIMS + r2pvi_limit.CLAIMS + r2pvi_consistency.CLAIMS
                  + offline_consistency.CLAIMS + r2pvi_official.CLAIMS + offline_duals.CLAIMS)
#: The algorithms whose mutants these claims and tests/test_robust_claims.py answer for.
ALGORITHMS = ("r2pvi", "pessimistic-vi", "drpvi", "drvi-l", "pevi", "robust-inner", "robust-dp")


@pytest.mark.parametrize("claim", OFFLINE_CLAIMS, ids=lambda c: c.name)
def test_claim_verified_on_the_quick_grid(claim):
    result = judge_quick(claim)
    assert result.status == "verified", (result.status, result.verdict, result.control_verdicts, result.error,
                                         result.details)


# ----------------------------------------------------------------------------- mutants are live
def _offline_outputs(name: str) -> np.ndarray:
    """Every offline learner's Q on a well-covered dataset (lam and rho interior) and on the coverage-poor
    trap instance (its fail state is never a sampled next state), and with the official-code presets (the
    Nelder-Mead searches) on the official reference datasets."""
    out = []
    for model, behaviour in ((random_d_rectangular(5, 3, 3, 3, rng=3), "uniform"),
                             (trap_instance(), no_trap_behaviour(trap_instance()))):
        data = collect_counts(model, 5000, behaviour, replication_rng(0, 0))
        for method in LEARNERS:
            kw = ({"lam": 0.1} if method.startswith("r2pvi") else {"rho": 0.2} if method in ("drpvi", "drvi-l")
                  else {})
            out.append(learn(method, data, model, beta=0.5, ridge=1.0, **kw).Q.ravel())
    for seed in range(r2pvi_official.SEEDS):
        data = r2pvi_official.reference_dataset(seed)
        out += [r2pvi_official.fit_official(method, data).Q.ravel() for method in r2pvi_official.OFFICIAL_NAMES]
    # the exact chi-square dual where its optimum lies past the first breakpoint (small lam, spread targets):
    # the learners' instances above never put it there
    rng = np.random.default_rng(0)
    out += [chi2_estimate(Gram(rng.dirichlet(np.ones(3), size=40), 0.1), rng.uniform(0, 2.5, 40), lam, 3.0)
            for lam in (0.05, 0.5)]
    return np.concatenate(out)


def _robust_outputs(name: str) -> np.ndarray:
    """Nature's values at rho = 0 and at interior parameters, robust DP and a robust evaluation on a small
    instance."""
    rng = np.random.default_rng(0)
    P0 = rng.dirichlet(np.ones(5), size=4)
    P0[:, 0] = 0.0
    P0 /= P0.sum(axis=1, keepdims=True)
    V = rng.uniform(0, 2, 5)
    vals = [worst_case_rows(P0, V, make(dv, **{kind: par}))[0] for dv in ("tv", "kl", "chi2")
            for kind, par in (("rho", 0.0), ("rho", 0.2), ("lam", 0.3))]
    model = random_d_rectangular(4, 2, 2, 3, rng=1, factor_support=2)
    for u in (make("kl", lam=0.3), make("tv", rho=0.2)):
        vals.append(robust_backward_induction(model, u).V.ravel())
        vals.append(robust_policy_evaluation(model, np.zeros((3, 4), dtype=int), u).V.ravel())
    return np.concatenate(vals)


@pytest.mark.parametrize("name", [n for n, m in mutants.registry().items() if m.algorithm in ALGORITHMS])
def test_every_registered_mutant_changes_what_its_algorithm_computes(name):
    """A mutant whose switch is never reached would be "rejected" by nothing and prove nothing."""
    outputs = _robust_outputs if mutants.get(name).algorithm.startswith("robust") else _offline_outputs
    right = outputs(name)
    with mutants.activated(name):
        wrong = outputs(name)
    assert wrong.shape != right.shape or np.abs(wrong - right).max() > 1e-6, name


def test_each_algorithm_has_several_mutants():
    for algo in ALGORITHMS:
        assert len(mutants.of(algo)) >= 3, algo


# ----------------------------------------------------------------------------- the regime statements
def test_theorem_bound_binds_from_the_stated_K_and_never_on_the_old_instances():
    model = theorem_instance()
    behaviour = no_trap_behaviour(model, trap=0)
    for lam, K in r2pvi_bound.K_INFORMATIVE.items():
        assert informative_K(model, behaviour, "tv", lam, r2pvi_bound.DELTA) == pytest.approx(K, rel=0.05)
    assert all(c["K"] > r2pvi_bound.K_INFORMATIVE[c["lam"]] for c in r2pvi_bound.QUICK_GRID)
    # the old claim's instance and the paper's simulated linear MDP: Phi has a floor, never informative
    old = trap_instance()
    assert informative_K(old, no_trap_behaviour(old), "tv", 1.0, r2pvi_bound.DELTA, K_max=1e12) == np.inf
    from mdptheory.envs.linear_sim import simulated_linear_mdp
    paper = simulated_linear_mdp()
    uniform = uniform_policy(paper.H, paper.S, paper.A)
    assert informative_K(paper, uniform, "tv", 0.1, r2pvi_bound.DELTA, K_max=1e12) == np.inf
    # the floor: Phi stops decaying on the old instance, but keeps decaying on the new one
    phi = [theorem_bound(m, "tv", 1.0, K, population_inv_diag(m, b, K, 1.0), 0.1)[1]
           for m, b in ((old, no_trap_behaviour(old)), (model, behaviour)) for K in (1e6, 1e10)]
    assert phi[1] > 0.9 * phi[0] and phi[3] < 0.02 * phi[2]


def test_theorem_beta_makes_the_learner_degenerate_below_the_stated_K_only():
    """Q_hat = 0 everywhere once beta >= H sqrt(K + ridge) (the docstring's sufficient condition); not at the
    claim's K. Ties then go to action 0, the trap of theorem_instance, so a degenerate learner fails the bound."""
    from bounds.r2pvi import beta as theorem_beta
    model = theorem_instance()
    behaviour = no_trap_behaviour(model, trap=0)
    for K, degenerate in ((1000, True), (10**8, False)):
        b = theorem_beta("tv", model.d, model.H, K, r2pvi_bound.DELTA)
        assert (b >= model.H * np.sqrt(K + 1.0)) == degenerate
        data = collect_counts(model, K, behaviour, replication_rng(0, 0))
        fit = learn("r2pvi-tv", data, model, lam=0.3, beta=b, ridge=1.0)
        assert bool(np.all(fit.Q == 0.0)) == degenerate
        if degenerate:
            assert (fit.policy == 0).all()
    out = r2pvi_bound.run(r2pvi_bound.QUICK_GRID[0], 0)
    assert out["degenerate"] == 0.0 and out["bound"] < out["v_star"] and 0.0 <= out["subopt"] <= out["bound"]


# ----------------------------------------------------------------------------- compressed datasets
def _expand(data: OfflineDataset) -> OfflineDataset:
    """The trajectory-free expansion of a compressed dataset: each row repeated ``weight`` times."""
    reps = np.rint(data.weights).astype(int)
    per_stage = reps.reshape(data.H, data.K).sum(axis=1)
    assert (per_stage == per_stage[0]).all()
    idx = np.repeat(np.arange(data.N), reps)
    K = int(per_stage[0])
    return OfflineDataset(np.tile(np.arange(K), data.H), data.h[idx], data.s[idx], data.a[idx], data.r[idx],
                          data.s_next[idx], data.phi[idx], data.features, data.behaviour, K, data.H)


@pytest.mark.parametrize("method", sorted(LEARNERS))
def test_learners_on_counts_equal_learners_on_the_rows_they_stand_for(method):
    model = random_d_rectangular(4, 3, 3, 3, rng=2)
    data = collect_counts(model, 300, "uniform", replication_rng(1, 0))
    assert data.trajectories == 300 and data.weights.reshape(3, -1).sum(axis=1).tolist() == [300.0] * 3
    kw = {"lam": 0.3} if method.startswith("r2pvi") else {"rho": 0.2} if method in ("drpvi", "drvi-l") else {}
    a = learn(method, data, model, beta=0.5, ridge=1.0, **kw)
    b = learn(method, _expand(data), model, beta=0.5, ridge=1.0, **kw)
    np.testing.assert_allclose(a.Q, b.Q, atol=1e-9)
    np.testing.assert_array_equal(a.policy, b.policy)


def test_counts_have_the_law_of_trajectory_counts():
    """E n_h(s, a, s') = K d_h(s) pi_h(a|s) P_h(s'|s, a): each count within 5 binomial sds, over 20 datasets."""
    model = random_d_rectangular(3, 2, 2, 3, rng=4)
    tab = model.to_tabular()
    pol = uniform_policy(3, 3, 2)
    K, reps = 20000, 20
    occ = np.asarray(tab.mu0, float)
    expected = []
    for h in range(3):
        joint = occ[:, None, None] * pol[h][:, :, None] * tab.P[h]
        expected.append(joint)
        occ = joint.sum(axis=(0, 1))
    expected = np.stack(expected)
    total = np.zeros_like(expected)
    for r in range(reps):
        data = collect_counts(model, K, pol, replication_rng(3, r))
        np.add.at(total, (data.h, data.s, data.a, data.s_next), data.weights)
    p = expected
    sd = np.sqrt(reps * K * p * (1 - p))
    assert np.all(np.abs(total - reps * K * p) <= 5 * sd + 1e-9)
    with pytest.raises(ValueError, match="compressed"):
        data.subset(10)
    assert data.state_action_counts().sum() == 3 * K


# ----------------------------------------------------------------------------- the power report
@pytest.mark.slow
@pytest.mark.timeout(0)
@pytest.mark.filterwarnings("ignore:Solution may be inaccurate")
def test_power_report_every_mutant_caught_and_every_claim_rejects_one(tmp_path):
    """``mdptheory verify --quick --power`` on the offline and robust claims: all verified, every registered
    mutant of their algorithms rejected by some claim of its algorithm, every claim rejecting at least one."""
    from experiments import robust_dp_brute, robust_inner_primal, robust_sanity
    from experiments.verify import verify
    from mdptheory.store import ResultStore

    claims = OFFLINE_CLAIMS + robust_sanity.CLAIMS + robust_inner_primal.CLAIMS + robust_dp_brute.CLAIMS
    v = verify([c.name for c in claims], quick=True, power=True, jobs=2, store=ResultStore(tmp_path / "r.sqlite"),
               progress=False)
    assert [r.status for r in v.results] == ["verified"] * len(claims), [(r.claim.name, r.status) for r in v.results]
    for algo in ALGORITHMS:
        caught, n = v.power.summary()[algo]
        assert caught == n, (algo, v.power.format())
    assert all(a >= 1 for a, _ in v.power.per_claim().values()), v.power.per_claim()
