"""The online learners' claims: the exact math behind the posterior and UCBVI checks, the mutants, and (slow)
every claim verified on its quick grid with every registered mutant of OPSRL, PSRL, UCBVI and the shared
count update rejected by some claim."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from experiments import _learner_common as common
from experiments import opsrl_posterior, ucbvi_values
from experiments.verify import verify
from mdptheory import mutants
from mdptheory.envs import garnet
from mdptheory.store import ResultStore
from solvers.learners import OPSRL, PSRL, RLSVI, UCBVI, Trajectory, run

LEARNER_CLAIMS = ["opsrl-posterior", "psrl-posterior", "opsrl-optimism", "opsrl-regret-rate", "opsrl-regret-ratio",
                  "opsrl-anticoncentration", "opsrl-j-samples", "opsrl-gridworld-below-ucbvi", "ucbvi-upper-values",
                  "ucbvi-optimism", "rlsvi-perturbation"]
ALGORITHMS = ("opsrl", "psrl", "ucbvi", "rlsvi", "learners")


# ------------------------------------------------------------------------------- exact posterior math
def test_uniformity_moments_are_exact():
    """The z-tests' constants: E (u - 1/2)^2 = 1/12 and Var (u - 1/2)^2 = 1/180 for u ~ U(0, 1)."""
    m2 = integrate.quad(lambda u: (u - 0.5) ** 2, 0, 1)[0]
    m4 = integrate.quad(lambda u: (u - 0.5) ** 4, 0, 1)[0]
    assert m2 == pytest.approx(1 / 12, rel=1e-12) and m4 - m2**2 == pytest.approx(1 / 180, rel=1e-12)


def test_uniformity_verdict_passes_uniform_and_rejects_the_rest():
    rng = np.random.default_rng(0)
    assert common.uniformity_verdict(rng.random(3000), 0, 0).passed
    assert not common.uniformity_verdict(rng.beta(2.0, 2.0, 3000), 0, 0).passed        # too concentrated
    assert not common.uniformity_verdict(rng.random(3000) ** 1.2, 0, 0).passed          # shifted
    assert not common.uniformity_verdict(rng.random(3000), 1, 10).passed                # a point mass was off
    with pytest.raises(ValueError, match="too few"):
        common.uniformity_verdict(rng.random(50), 0, 0)


@pytest.mark.parametrize("J", [1, 3, 8])
def test_max_beta_pit_is_the_cdf_of_the_max(J):
    """I_x(a, b)^J is the CDF of the max of J Beta(a, b): exact against scipy, uniform on simulated maxima,
    and a max of the wrong number of draws is rejected."""
    rng = np.random.default_rng(J)
    a, b = rng.uniform(0.3, 5, 400), rng.uniform(0.3, 5, 400)
    x = rng.random(400)
    np.testing.assert_allclose(opsrl_posterior.max_beta_pit(x, a, b, J), stats.beta.cdf(x, a, b) ** J, rtol=1e-12)
    a, b = np.repeat(a, 10), np.repeat(b, 10)
    draws = rng.beta(a[:, None], b[:, None], size=(a.size, J)).max(axis=1)
    assert common.uniformity_verdict(opsrl_posterior.max_beta_pit(draws, a, b, J), 0, 0).passed
    assert not common.uniformity_verdict(opsrl_posterior.max_beta_pit(draws, a, b, J + 2), 0, 0).passed


def test_beta_parameters_aggregate_the_inflated_dirichlet():
    """p(B) under Dir((counts + prior, n0) / kappa) is Beta(alpha(B) / kappa, alpha(B^c) / kappa), B = odd + pseudo:
    by hand, and by sampling the Dirichlet directly."""
    counts = np.array([3.0, 0.0, 2.0, 5.0])
    odd = np.array([False, True, False, True])
    a1, a0 = opsrl_posterior.beta_parameters(counts, odd, prior_alpha=0.5, n0=2.0, kappa=4.0)
    assert a1 == pytest.approx((0.5 + 5.5 + 2.0) / 4) and a0 == pytest.approx((3.5 + 2.5) / 4)
    rng = np.random.default_rng(1)
    w = rng.dirichlet(np.append(counts + 0.5, 2.0) / 4.0, size=200_000)
    pB = w[:, 1] + w[:, 3] + w[:, 4]
    assert stats.kstest(pB, stats.beta(a1, a0).cdf).pvalue > 1e-3


def test_transition_counts_by_hand():
    trajs = [Trajectory(np.array([0, 1, 1]), np.array([1, 0]), np.zeros(2)),
             Trajectory(np.array([1, 0, 1]), np.array([0, 1]), np.zeros(2))]
    shared = common.transition_counts(trajs, 2, 2, 2, False)
    assert shared.shape == (2, 1, 2, 2, 2) and shared[0].sum() == 0
    assert shared[1, 0, 0, 1, 1] == 1 and shared[1, 0, 1, 0, 1] == 1 and shared[1].sum() == 2
    staged = common.transition_counts(trajs, 2, 2, 2, True)
    assert staged[1, 0, 0, 1, 1] == 1 and staged[1, 1, 1, 0, 1] == 1


@pytest.mark.parametrize("agent", ["opsrl", "psrl"])
def test_one_posterior_run_is_uniform_and_a_sampling_bug_is_not(agent):
    cfg = next(c for c in opsrl_posterior.QUICK_GRID if c["agent"] == agent and not c["stage_dependent"])
    check = opsrl_posterior.check_opsrl_posterior if agent == "opsrl" else opsrl_posterior.check_psrl_posterior
    frame = lambda: pd.DataFrame([{**cfg, **opsrl_posterior.run(cfg, s)} for s in range(2)])  # noqa: E731
    assert check(frame()).passed
    bug = "opsrl.kappa-ignored" if agent == "opsrl" else "psrl.posterior-mean"
    with mutants.activated(bug):
        assert not check(frame()).passed


def test_paired_sign_test():
    a, b = np.linspace(0.2, 0.7, 10), np.zeros(10)
    v = common.paired_greater(a, b)
    assert v.passed and v.details["pvalue"] == pytest.approx(0.5**10)
    assert not common.paired_greater(b, a).passed
    assert common.paired_greater(a, a).details["n"] == 0 and not common.paired_greater(a, a).passed


# ---------------------------------------------------------------------------------------- UCBVI
@pytest.mark.parametrize("bonus,constants,sd", [("hoeffding", "theory", True), ("bernstein", "theory", False),
                                                 ("hoeffding", "experiments", False), ("bernstein", "experiments", True)])
def test_reference_q_is_the_agents_q(bonus, constants, sd):
    """The independent Algorithm 2 equals the kernel's Q on a run's counts, to rounding."""
    env = garnet(3, 2, 2, rng=4, H=3)
    agent = UCBVI(3, 2, 3, rewards=env.R, bonus=bonus, constants=constants, n_episodes=400, stage_dependent=sd, rng=0)
    run(agent, env, 400, rng=1)
    agent.policy()
    ref = ucbvi_values.reference_q(agent.counts, env.R, bonus, constants, 400, 0.1)
    np.testing.assert_allclose(agent.Q, ref, rtol=0, atol=1e-12)


def test_ucbvi_identity_rejects_a_bonus_bug_and_optimism_a_sign_bug():
    cfg = ucbvi_values.QUICK_GRID[2]                            # experiments' constants: the bonus is not clipped
    assert ucbvi_values.check_identity(pd.DataFrame([{**cfg, **ucbvi_values.run(cfg, 0)}])).passed
    with mutants.activated("ucbvi.bonus-tenth"):
        assert not ucbvi_values.check_identity(pd.DataFrame([{**cfg, **ucbvi_values.run(cfg, 0)}])).passed
    from experiments import ucbvi_optimism as uo

    cfg = dict(uo.QUICK_GRID[0], T=300)
    assert uo.check_optimism(pd.DataFrame([uo.run(cfg, s) for s in range(2)])).passed
    with mutants.activated("ucbvi.bonus-sign"):
        assert not uo.check_optimism(pd.DataFrame([uo.run(cfg, s) for s in range(2)])).passed


# -------------------------------------------------------------------------------------------- mutants
def _fingerprint(cls, T: int, **kw) -> np.ndarray:
    env = garnet(3, 2, 2, rng=0, H=2)
    learnt = kw.get("reward_model", "known") != "known"
    agent = cls(env.S, env.A, env.H, rewards=None if learnt else env.R, rng=0, **kw)
    tr = run(agent, env, T, rng=1)
    stats = agent.reward_stats.ravel() if learnt else np.zeros(0)
    return np.concatenate([agent.Q.ravel(), agent.counts.ravel(), stats, tr.value_estimates])


_SETUPS = {"opsrl": [(OPSRL, 30, dict(kappa=3.0, n0=2.0, stage_dependent=True)),
                     (OPSRL, 30, dict(stage_dependent=True, reward_model="beta-bernoulli"))],
           "psrl": [(PSRL, 30, dict(stage_dependent=True)), (PSRL, 30, dict(reward_model="beta-bernoulli"))],
           "ucbvi": [(UCBVI, 500, dict(constants="theory", bonus="bernstein")), (UCBVI, 500, dict(constants="theory")),
                     (UCBVI, 100, {}), (UCBVI, 100, dict(implementation="official-code", reward_model="empirical"))],
           "rlsvi": [(RLSVI, 30, dict(reward_model="empirical"))],
           "learners": [(OPSRL, 30, dict(stage_dependent=True))]}


def test_learner_mutants_are_registered_and_each_changes_its_algorithm():
    registry = mutants.registry()
    names = [n for n in registry if registry[n].algorithm in ALGORITHMS]
    assert {a: sum(registry[n].algorithm == a for n in names) for a in ALGORITHMS} == \
        {"opsrl": 11, "psrl": 5, "ucbvi": 9, "rlsvi": 4, "learners": 4}
    clean = {a: [_fingerprint(cls, T, **kw) for cls, T, kw in setups] for a, setups in _SETUPS.items()}
    for name in names:
        setups = _SETUPS[registry[name].algorithm]
        with mutants.activated(name):
            bad = [_fingerprint(cls, T, **kw) for cls, T, kw in setups]
        assert any(c.shape != b.shape or not np.allclose(c, b)
                   for c, b in zip(clean[registry[name].algorithm], bad)), name


def test_learner_claims_name_registered_mutants_of_their_algorithms():
    from experiments import all_claims

    claims = all_claims()
    for name in LEARNER_CLAIMS:
        c = claims[name]
        assert c.mutants and set(c.algorithms) <= set(ALGORITHMS), name
        assert all(mutants.get(m).algorithm in c.algorithms for m in c.mutants), name


# ---------------------------------------------------------------- slow: quick verification and power
@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return ResultStore(tmp_path_factory.mktemp("learners") / "r.sqlite")


@pytest.mark.slow
@pytest.mark.timeout(0)
@pytest.mark.parametrize("name", LEARNER_CLAIMS)
def test_learner_claim_is_verified_on_the_quick_grid(name, store):
    r, = verify([name], quick=True, store=store, progress=False, jobs=2).results
    assert r.status == "verified", (r.status, r.error, r.verdict, r.control_verdicts)


@pytest.mark.slow
@pytest.mark.timeout(0)
def test_every_learner_mutant_is_rejected_by_some_claim(store):
    out = verify(LEARNER_CLAIMS, quick=True, power=True, store=store, progress=False, jobs=2)
    assert all(r.status == "verified" for r in out.results), [(r.claim.name, r.status) for r in out.results]
    assert {a: got for a, (got, n) in out.power.summary().items()} == \
        {a: n for a, (_, n) in out.power.summary().items()}, out.power.format()
    assert all(k >= 1 for k, _ in out.power.per_claim().values()), out.power.format()
    assert math.isclose(out.power.total()[0] / out.power.total()[1], 1.0), out.power.format()
