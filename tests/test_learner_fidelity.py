"""The official OPSRL code's options (issue 14): learnt rewards, UCBVI's official bookkeeping, RLSVI; the regret stays
the exact expected regret against the true mean rewards; the grid-world experiment and its figure."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from experiments import opsrl_gridworld, ucbvi_values
from experiments._learner_common import RecordingOracle
from mdptheory.envs import garnet, gridworld
from solvers._kernels.episodic import backward_induction_arrays, policy_evaluation_arrays
from solvers.learners import OPSRL, PSRL, RLSVI, UCBVI, Trajectory, check_learner, run

ENV = garnet(4, 2, 2, rng=3, H=3)

CONTRACT = [
    (OPSRL, {"reward_model": "beta-bernoulli"}), (OPSRL, {"reward_model": "beta-bernoulli", "stage_dependent": True}),
    (PSRL, {"reward_model": "beta-bernoulli"}), (UCBVI, {"implementation": "official-code"}),
    (UCBVI, {"implementation": "official-code", "bonus": "bernstein", "reward_model": "empirical",
             "stage_dependent": True}),
    (UCBVI, {"reward_model": "empirical"}), (RLSVI, {}), (RLSVI, {"reward_model": "empirical", "backend": "numpy"}),
    (RLSVI, {"perturbation": "official-code", "stage_dependent": True}),
]


@pytest.mark.parametrize("cls,params", CONTRACT, ids=[f"{c.__name__}-{i}" for i, (c, _) in enumerate(CONTRACT)])
def test_check_learner(cls, params):
    check_learner(cls, **params)


@pytest.mark.parametrize("cls,params", [(OPSRL, {"reward_model": "beta-bernoulli"}), (PSRL, {"reward_model": "beta-bernoulli"}),
                                        (UCBVI, {"implementation": "official-code", "reward_model": "empirical",
                                                 "bonus": "bernstein"}),
                                        (RLSVI, {"reward_model": "empirical", "perturbation": "official-code"})])
def test_numba_and_numpy_backends_play_the_same_run(cls, params):
    env = garnet(5, 2, 3, rng=1, H=4)
    a = run(cls(env.S, env.A, env.H, rng=7, **params), env, 30, rng=8)
    b = run(cls(env.S, env.A, env.H, rng=7, backend="numpy", **params), env, 30, rng=8)
    np.testing.assert_allclose(a.regret, b.regret, atol=1e-10)
    np.testing.assert_allclose(a.value_estimates, b.value_estimates, atol=1e-10)


@pytest.mark.parametrize("cls,model", [(OPSRL, "beta-bernoulli"), (UCBVI, "empirical"), (RLSVI, "empirical")])
def test_learnt_rewards_do_not_change_what_regret_is_measured_against(cls, model):
    """V* and every V^{pi_t} use the true mean rewards: the trace's regret equals independent policy evaluation."""
    env = garnet(4, 2, 2, rng=5, H=3)
    oracle = RecordingOracle(env)
    pis = []

    class Keep:                                           # the played policies, seen through the run loop's seam
        def __init__(self, agent):
            self.agent = agent

        def policy(self):
            pis.append(self.agent.policy())
            return pis[-1]

        def __getattr__(self, name):
            return getattr(self.agent, name)

    tr = run(Keep(cls(env.S, env.A, env.H, reward_model=model, rng=0)), None, 40, rng=1, oracle=oracle)
    V_star = backward_induction_arrays(env.P, env.R, backend="numpy")[0]
    assert tr.v_star == pytest.approx(env.mu0 @ V_star[0], abs=1e-12)
    exact = [env.mu0 @ V_star[0] - env.mu0 @ policy_evaluation_arrays(env.P, env.R, pi, backend="numpy")[0][0]
             for pi in pis]
    np.testing.assert_allclose(tr.regret, exact, atol=1e-10)


def test_beta_bernoulli_counts_binary_rewards_exactly_and_bernoullises_the_others():
    agent = OPSRL(3, 2, 2, reward_model="beta-bernoulli", stage_dependent=True, rng=0)
    agent.policy()
    agent.update(Trajectory(np.array([0, 1, 2]), np.array([1, 0]), np.array([1.0, 0.0])))
    np.testing.assert_array_equal(agent.reward_stats[0, 0, 1], [1.0, 1.0])        # success
    np.testing.assert_array_equal(agent.reward_stats[1, 1, 0], [0.0, 1.0])        # failure
    assert agent.reward_stats.sum() == 3.0
    a, b = agent.beta_parameters(1.0)
    assert (a[0, 0, 1], b[0, 0, 1], a[1, 1, 0], b[1, 1, 0], a[0, 2, 0], b[0, 2, 0]) == (2, 1, 1, 2, 1, 1)
    for _ in range(400):                                 # fractional rewards become 0/1 successes, about r of them
        agent.update(Trajectory(np.array([2, 2, 2]), np.array([0, 0]), np.array([0.25, 0.25])))
    succ, n = agent.reward_stats[:, 2, 0, 0], agent.reward_stats[:, 2, 0, 1]
    assert set(np.unique(succ - np.floor(succ))) == {0.0} and n.sum() == 800
    assert abs(succ.sum() / 800 - 0.25) < 4 * np.sqrt(0.25 * 0.75 / 800)


def test_learnt_rewards_are_sampled_jointly_with_the_transitions():
    """At the last stage OPSRL plans max_j r̃_j: with J large and a fresh Beta(1, 1) prior that is near 1; PSRL's one
    sample is not. Known rewards plan exactly R at the last stage."""
    env = garnet(3, 2, 2, rng=0, H=2)
    op = OPSRL(3, 2, 2, reward_model="beta-bernoulli", J=64, rng=0)
    ps = PSRL(3, 2, 2, reward_model="beta-bernoulli", rng=0)
    op.policy(), ps.policy()
    assert op.Q[1].min() > 0.8 and ps.Q[1].std() > 0.05
    known = OPSRL(3, 2, 2, rewards=env.R, rng=0)
    known.policy()
    np.testing.assert_array_equal(known.Q[1], env.R[1])


def test_official_ucbvi_untried_pairs_value_cap_and_bonus_table():
    """Before any data: Q_h = v_max[h] + mean(V_{h+1}) (uniform p̂, r̂ = 0), unclipped, V_h = min(max Q, H); a visit
    rewrites the bonus only at its own stage, with the shared count, capped at v_max[h]."""
    H, S, A = 4, 3, 2
    ag = UCBVI(S, A, H, reward_model="empirical", implementation="official-code", rng=0)
    ag.policy()
    for h in range(H):
        expect = (H - h) + ag.V[h + 1].mean()
        np.testing.assert_allclose(ag.Q[h], expect, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ag.V[h], min(expect, H), rtol=0, atol=1e-12)
    assert ag.Q[0].max() > H                              # Q is not clipped, V is
    ag.update(Trajectory(np.array([0, 0, 0, 0, 0]), np.array([1, 1, 1, 1]), np.array([1.0, 0.0, 0.0, 0.0])))
    expect = np.full((H, S, A), 0.0) + (H - np.arange(H))[:, None, None]
    for h in range(H):                                   # shared count after step h is h + 1
        expect[h, 0, 1] = min((H - h) / (2 * np.sqrt(h + 1)), H - h)
    np.testing.assert_allclose(ag.bonus_table, expect, rtol=0, atol=1e-15)
    ag.policy()
    np.testing.assert_allclose(ag.Q[H - 1, 0, 1], 0.25 + expect[H - 1, 0, 1], atol=1e-12)   # r̂ = 1/4 (4 visits)


@pytest.mark.parametrize("bonus,sd,rewards", [("hoeffding", False, "learned"), ("bernstein", True, "known"),
                                              ("bernstein", False, "learned")])
def test_official_ucbvi_is_the_official_replay(bonus, sd, rewards):
    env = garnet(3, 2, 2, rng=4, H=3)
    learned = rewards == "learned"
    agent = UCBVI(3, 2, 3, rewards=None if learned else env.R, reward_model="empirical" if learned else "known",
                  bonus=bonus, implementation="official-code", stage_dependent=sd, rng=0)
    oracle = RecordingOracle(env)
    Qs = []

    class Keep:
        def policy(self):
            pi = agent.policy()
            Qs.append(agent.Q.copy())
            return pi

        def __getattr__(self, name):
            return getattr(agent, name)

    run(Keep(), None, 200, rng=1, oracle=oracle)
    ref = ucbvi_values.reference_official_q(oracle.trajectories, None if learned else env.R, 3, 2, 3, bonus, sd)
    np.testing.assert_allclose(np.array(Qs), ref, rtol=0, atol=1e-12)


def test_rlsvi_perturbation_mean_and_scale():
    """With known rewards and no data, the last stage plans r + xi, xi ~ N(0, (1 + 1)^2) at h = H - 1 (sigma =
    1/sqrt(1) + 1/1); the official-code perturbation plans 2 r + xi."""
    env = garnet(3, 2, 2, rng=2, H=2)
    for pert, c in (("centred", 1.0), ("official-code", 2.0)):
        ag = RLSVI(3, 2, 2, rewards=env.R, perturbation=pert, rng=0)
        x = np.array([(ag.policy(), ag.Q[1] - c * env.R[1])[1] for _ in range(3000)])
        assert abs(x.mean()) < 4 * 2.0 / np.sqrt(x.size)
        assert abs(x.std() - 2.0) < 0.05
    ag = RLSVI(3, 2, 2, rewards=env.R, rng=0)
    ag.policy()
    np.testing.assert_allclose(ag.sigma[0], 1.0 + 2.0)                      # h = 0: 1/sqrt(1) + (H - 0)/1
    assert np.all(ag.V[:2] <= 2.0 + 1e-12)                                  # value cap H at every stage


def test_gridworld_experiment_agents_and_official_runs():
    env = gridworld(4, H=6)
    for name in opsrl_gridworld.AGENTS:
        for rewards in ("known", "learned"):
            agent = opsrl_gridworld.make_agent(name, env, np.random.default_rng(0), rewards=rewards,
                                               ucbvi_implementation="official-code")
            assert agent.reward_model == ("known" if rewards == "known" else
                                          "beta-bernoulli" if name in ("OPSRL", "PSRL") else "empirical")
    assert opsrl_gridworld.SEEDS == opsrl_gridworld.PAPER_RUNS == 4
    assert {c["T"] for c in opsrl_gridworld.GRID} == {10_000} and len(opsrl_gridworld.GRID) == 12
    cfg = dict(opsrl_gridworld.QUICK_GRID[0], size=4, H=6, T=30)
    out = opsrl_gridworld.run(cfg, 0)
    assert out["regret"].shape == (3,) and out["final_regret"] >= -1e-9


def test_figure_draws_both_panels_with_the_scaled_rate():
    from paper_figs import opsrl_regret

    x = np.arange(10, 101, 10.0)
    rows = [dict(agent=a, rewards=rw, T=100, H=50, size=10, episode=x, regret=np.sqrt(x) * (i + 1),
                 realised_regret=np.sqrt(x) * (i + 1), final_regret=np.sqrt(100) * (i + 1), mutant=None)
            for i, a in enumerate(opsrl_regret.STYLE) for rw in ("learned", "known") for _ in range(2)]
    rows.append(dict(rows[0], mutant="opsrl.r0-zero", regret=x * 100))           # mutant rows are not drawn
    fig = opsrl_regret.draw(pd.DataFrame(rows))
    assert isinstance(fig, Figure) and "Tiapkin et al. (2022)" in fig._suptitle.get_text()
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert any(lbl.startswith("Theorem 1 rate") and "scaled" in lbl for lbl in labels)
    rate = next(line for line in fig.axes[0].lines if line.get_label().startswith("Theorem 1"))
    assert rate.get_ydata()[-1] == pytest.approx(10.0)                     # scaled to OPSRL's mean at T
    assert max(line.get_ydata().max() for line in fig.axes[0].lines) < 1000  # the mutant's 10^4 never drawn
