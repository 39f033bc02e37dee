"""Latent MDPs (Zhou, Wang & Du, ICML 2023): the model, the history-tree planner, Var*, the learner (issue 18).

Ground truth comes from :mod:`experiments.lmdp_bruteforce` (histories as tuples, trajectories enumerated) and
from :func:`solvers.backward_induction` for one context; nothing here reuses the planner's recursion.
"""
from __future__ import annotations

import itertools
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import solvers
from experiments import lmdp_bruteforce as bf
from fuzz_inputs import ARRAY_CORRUPTIONS, NOT_A_NUMBER, clear_error_or, few, seeds
from mdptheory import mutants
from mdptheory.envs.latent import hidden_arm_lmdp, misleading_lmdp, noisy_lmdp, random_lmdp
from mdptheory.latent import HistoryTree, LatentMDP, max_total_reward
from solvers.latent import (MAX_TREE_ENTRIES, GreedyLMDP, HoeffdingLMDP, HorizonFreeLMDP, LatentOracle,
                            LatentTrajectory, check_latent_learner, latent_planning, latent_policy_evaluation,
                            lmdp_iota, var_star)
from solvers.learners import run
from strategies import random_kernel

BACKENDS = ("numba", "numpy")


def _arrays(seed, M=2, S=3, A=2, H=3):
    rng = np.random.default_rng(seed)
    return (rng.dirichlet(np.ones(M)), random_kernel(rng, (M, S), 0.7), random_kernel(rng, (M, S, A, S), 0.6),
            rng.random((M, S, A)) / H, H, rng)


@st.composite
def micro_lmdps(draw, max_policies: int = 600):
    """Random micro latent MDPs whose deterministic history policies can be enumerated."""
    M, S, A, H = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    lmdp = random_lmdp(M, S, A, H, rng=draw(seeds), Gamma=draw(st.integers(1, S)), shared_rewards=draw(st.booleans()))
    if max(bf.count_policies(lmdp.R, lmdp.P, lmdp.H, s) for s in range(lmdp.S)) > max_policies:
        lmdp = random_lmdp(M, min(S, 2), min(A, 2), min(H, 2), rng=0)
    return lmdp


# --------------------------------------------------------------------------------------------- the model
LATENT_FIELDS = ("weights", "nu", "P", "R")
PROB_KINDS = {"negative": -0.3, "row-not-summing-to-1": 0.01}


@pytest.mark.parametrize("field", LATENT_FIELDS)
@pytest.mark.parametrize("kind", sorted(ARRAY_CORRUPTIONS) + sorted(PROB_KINDS))
@few(3)
@given(seed=seeds)
def test_latent_mdp_fields_fuzzed(field, kind, seed):
    w, nu, P, R, H, rng = _arrays(seed)
    args = {"weights": w, "nu": nu, "P": P, "R": R}
    if kind in PROB_KINDS:
        bad = np.array(args[field], dtype=float)
        bad[tuple(rng.integers(n) for n in bad.shape)] += PROB_KINDS[kind]
        args[field] = bad
        # a reward stays a reward when it stays in [0, 1] and the total at most 1
        invalid = field != "R" or not ((bad >= 0).all() and (bad <= 1).all())
        if field == "R" and not invalid:
            invalid = max_total_reward(nu, P, bad, H).max() > 1 + 1e-12
    else:
        fn, invalid = ARRAY_CORRUPTIONS[kind]
        args[field] = fn(args[field], rng)
    names = [field, "shape", "total reward"]

    def holds(model):
        for k, v in args.items():
            assert np.array_equal(getattr(model, k), np.asarray(v, dtype=np.float64)), k
            assert not getattr(model, k).flags.writeable

    clear_error_or(lambda: LatentMDP(args["weights"], args["nu"], args["P"], args["R"], H), names, invalid, holds)


@pytest.mark.parametrize("value", [v for _, v in NOT_A_NUMBER] + [0, -2, 2.5, np.float64(3.0)])
def test_latent_mdp_horizon_refused(value):
    w, nu, P, R, _, _ = _arrays(0)
    with pytest.raises((TypeError, ValueError), match="H"):
        LatentMDP(w, nu, P, R, value)


def test_latent_mdp_errors_name_the_fix():
    w, nu, P, R, H, _ = _arrays(1)
    with pytest.raises(ValueError, match=r"weights\[1\] = 0; every context needs a positive weight: drop context 1"):
        LatentMDP(np.array([1.0, 0.0]), nu, P, R, H)
    with pytest.raises(ValueError, match=r"R\[.*\] = 1.5 is outside \[0, 1\]"):
        LatentMDP(w, nu, P, np.where(R == R.max(), 1.5, R), H)
    with pytest.raises(ValueError, match="total_reward must be one of"):
        LatentMDP(w, nu, P, R, H, total_reward="clip")
    with pytest.raises(ValueError, match="M = 2 contexts"):
        LatentMDP(np.ones(3) / 3, nu, P, R, H)


def test_horizon_free_scaling_check_rescale_unchecked():
    w, nu, P, R, H, _ = _arrays(2)
    per_step = np.clip(R * H, 0, 1)                      # per-step rewards in [0, 1]: total up to H
    with pytest.raises(ValueError, match="total reward of .* > 1 in context .*total_reward='rescale'"):
        LatentMDP(w, nu, P, per_step, H)
    top = max_total_reward(nu, P, per_step, H).max()
    scaled = LatentMDP(w, nu, P, per_step, H, total_reward="rescale")
    assert scaled.reward_scale == pytest.approx(top) and np.allclose(scaled.R, per_step / top)
    assert scaled.max_return.max() == pytest.approx(1.0)
    raw = LatentMDP(w, nu, P, per_step, H, total_reward="unchecked")
    assert raw.reward_scale == 1.0 and np.array_equal(raw.R, per_step)


@few(10)
@given(lmdp=micro_lmdps())
def test_max_return_is_the_best_path(lmdp):
    """``max_return`` is the largest return of any enumerated deterministic history policy and path."""
    best = np.zeros(lmdp.M)
    for s, subs in bf.policies_per_root(lmdp).items():
        for policy in subs:
            for m in np.flatnonzero(lmdp.nu[:, s] > 0):
                for _, _, rewards in bf.trajectories(lmdp, policy, int(m), s):
                    best[m] = max(best[m], sum(rewards))
    np.testing.assert_allclose(lmdp.max_return, best, atol=1e-12)


def test_gamma_and_tree_layout():
    lmdp = noisy_lmdp(2, 3, 2, 3, 0.0, rng=0)
    assert lmdp.Gamma == 1
    assert random_lmdp(2, 4, 2, 2, rng=0, Gamma=3).Gamma == 3
    assert hidden_arm_lmdp(3, 2, 0.75, 0.1, rng=0).Gamma == 2
    R = np.array([[[0.1, 0.2]], [[0.1, 0.3]], [[0.4, 0.2]]])      # (M=3, S=1, A=2)
    tree = HistoryTree.from_rewards(R, 3)
    assert tree.G == 2 and tree.cls[:, 0, 0].tolist() == [0, 0, 1] and tree.cls[:, 0, 1].tolist() == [0, 1, 0]
    assert tree.level_sizes.tolist() == [1, 2, 4] and tree.n_decision_nodes == 7
    assert tree.node_index([0, 0, 0], [1, 0], [0.3, 0.4]) == 3 + tree.child(tree.child(0, 1, 0), 1, 0)
    with pytest.raises(ValueError, match="not the reward of any context"):
        tree.node_index([0, 0], [0], [0.25])
    with pytest.raises(ValueError, match="shape"):
        tree.check_policy(np.zeros(3, np.int64))
    with pytest.raises(ValueError, match=r"policy\[2\] = 5 is not an action"):
        tree.check_policy(np.array([0, 1, 5, 0, 0, 0, 0]))
    with pytest.raises(TypeError, match="integer array"):
        tree.check_policy(np.zeros(7))


def test_sampling_reproducible_and_backends_agree():
    lmdp = random_lmdp(3, 3, 2, 4, rng=5, shared_rewards=False)
    pol = np.random.default_rng(0).integers(2, size=lmdp.tree.n_decision_nodes)
    a = lmdp.sample_episode(pol, 7)
    b = lmdp.sample_episode(pol, 7, backend="numpy")
    assert a[0] == b[0] and all(np.array_equal(x, y) for x, y in zip(a[1:], b[1:]))
    m, states, actions, rewards = a
    assert states.shape == (5,) and actions.shape == (4,) and np.array_equal(rewards, lmdp.R[m, states[:-1], actions])
    assert np.array_equal(actions[0], pol[states[0]])


# ------------------------------------------------------------------------------------ planner and beliefs
@few(12)
@given(lmdp=micro_lmdps())
def test_planner_equals_brute_force(lmdp):
    v_bf, _ = bf.brute_force_optimum(lmdp)
    for backend in BACKENDS:
        plan = latent_planning(lmdp, backend=backend)
        assert plan.value == pytest.approx(v_bf, abs=1e-12)
        assert bf.policy_value(lmdp, bf.policy_from_table(lmdp, plan.policy)) == pytest.approx(v_bf, abs=1e-12)
        ev = latent_policy_evaluation(lmdp, plan.policy, backend=backend)
        assert ev.value == pytest.approx(plan.value, abs=1e-12)


@few(12)
@given(lmdp=micro_lmdps())
def test_beliefs_normalised_and_bayes(lmdp):
    """At every history of positive probability the belief sums to 1, equals the Bayes posterior over contexts
    (trajectories enumerated) and <belief, alpha> is the conditional expected future return."""
    plan = latent_planning(lmdp)
    table = bf.policy_from_table(lmdp, plan.policy)
    post: dict = {}
    for m in range(lmdp.M):
        for prob, hists, _ in bf.trajectories(lmdp, table, m):
            for hist in hists:
                post.setdefault(hist, np.zeros(lmdp.M))[m] += lmdp.weights[m] * prob
    cond = bf.conditional_values(lmdp, table)
    for hist, mass in post.items():
        if mass.sum() <= 0:
            continue
        states, rewards = list(hist[0::2]), list(hist[1::2])
        node = lmdp.tree.node_index(states, [table[hist[:2 * i + 1]] for i in range(len(rewards))], rewards)
        assert plan.belief[node].sum() == pytest.approx(1.0, abs=1e-12)
        np.testing.assert_allclose(plan.belief[node], mass / mass.sum(), atol=1e-12)
        assert plan.node_value[node] == pytest.approx(cond[hist], abs=1e-12)


def test_belief_mutant_is_not_normalised():
    lmdp = random_lmdp(2, 2, 2, 2, rng=3)
    with mutants.activated("lmdp-planner.belief-not-renormalised"):
        b = latent_planning(lmdp).belief
    assert not np.allclose(np.nansum(b, axis=1)[np.isfinite(b).all(axis=1)], 1.0)


@pytest.mark.parametrize("seed", range(4))
def test_single_context_is_backward_induction(seed):
    lmdp = random_lmdp(1, 3, 3, 4, rng=seed)
    bi = solvers.backward_induction(lmdp.context(0))
    for backend in BACKENDS:
        assert latent_planning(lmdp, backend=backend).value == pytest.approx(bi.extra["value_mu0"], abs=1e-12)


@few(10)
@given(lmdp=micro_lmdps(), seed=seeds)
def test_evaluation_of_any_policy(lmdp, seed):
    pol = np.random.default_rng(seed).integers(lmdp.A, size=lmdp.tree.n_decision_nodes)
    table = bf.policy_from_table(lmdp, pol)
    e1, e2 = bf.trajectory_moments(lmdp, table)
    for backend in BACKENDS:
        ev = latent_policy_evaluation(lmdp, pol, backend=backend)
        np.testing.assert_allclose(ev.context_values, e1, atol=1e-12)
        np.testing.assert_allclose(ev.context_variances, np.maximum(e2 - e1 ** 2, 0), atol=1e-12)


def test_tree_size_refused():
    lmdp = random_lmdp(3, 6, 4, 6, rng=0, shared_rewards=False)
    assert lmdp.tree.n_full_nodes * lmdp.M > MAX_TREE_ENTRIES
    with pytest.raises(ValueError, match="exponential in H; reduce H, S or A"):
        latent_planning(lmdp)
    with pytest.raises(TypeError, match="LatentMDP"):
        latent_planning(lmdp.context(0))


# --------------------------------------------------------------------------------------------------- Var*
@few(10)
@given(lmdp=micro_lmdps(max_policies=200))
def test_var_star_equals_its_definition(lmdp):
    expected = bf.brute_force_var_star(lmdp)
    for backend in BACKENDS:
        res = var_star(lmdp, backend=backend)
        assert res.value == pytest.approx(expected, abs=1e-12)
        assert res.value >= res.optimal_policy_variance - 1e-12


def test_var_star_zero_when_deterministic_and_closed_form_on_the_hidden_arms():
    assert var_star(noisy_lmdp(2, 3, 2, 3, 0.0, rng=1)).value == pytest.approx(0.0, abs=1e-15)
    assert var_star(misleading_lmdp(3)).value == pytest.approx(0.0, abs=1e-15)
    res = var_star(hidden_arm_lmdp(2, 2, 0.75, 0.1, rng=0))
    assert res.value == pytest.approx(0.75 * 0.25, abs=1e-12)
    assert res.optimal_policy_variance == pytest.approx(0.85 * 0.15, abs=1e-12)


# ------------------------------------------------------------------------------------------------ learner
@pytest.mark.parametrize("cls, params", [(HorizonFreeLMDP, {}), (HorizonFreeLMDP, {"solver": "model"}),
                                         (HoeffdingLMDP, {}), (GreedyLMDP, {}),
                                         (HorizonFreeLMDP, {"replan": "every", "backend": "numpy"})])
def test_learner_contract(cls, params):
    check_latent_learner(cls, **params)


def test_learner_counts_update():
    lmdp = random_lmdp(2, 3, 2, 3, rng=4)
    ag = HorizonFreeLMDP(lmdp.S, lmdp.A, lmdp.H, rewards=lmdp.R)
    pol = ag.policy()
    m, s, a, r = lmdp.sample_episode(pol, 0)
    ag.update(LatentTrajectory(s, a, r, m))
    expected = np.zeros_like(ag.counts)
    for h in range(lmdp.H):
        expected[m, s[h], a[h], s[h + 1]] += 1
    assert np.array_equal(ag.counts, expected) and np.array_equal(ag.visits, expected.sum(-1))
    assert ag.initial_counts[m, s[0]] == 1 and ag.initial_counts.sum() == 1
    assert ag.context_counts.tolist() == [1.0 * (k == m) for k in range(2)] and ag.episodes == 1
    w, nu, P, inv_n = ag.empirical_model()
    assert w[m] == 1 and nu[m, s[0]] == 1 and np.allclose(P.sum(-1), 1) and inv_n.min() > 0
    with mutants.activated("lmdp-learner.counts-wrong-context"):
        bad = HorizonFreeLMDP(lmdp.S, lmdp.A, lmdp.H, rewards=lmdp.R)
        bad.update(LatentTrajectory(s, a, r, m))
    assert bad.counts[(m + 1) % 2].sum() == lmdp.H and bad.counts[m].sum() == 0


def test_learner_doubling_schedule_and_oracle():
    lmdp = random_lmdp(2, 2, 2, 3, rng=1)
    oracle = LatentOracle(lmdp)
    ag = HorizonFreeLMDP(lmdp.S, lmdp.A, lmdp.H, rewards=lmdp.R, n_episodes=300)
    trace = run(ag, None, 300, rng=0, oracle=oracle)
    assert ag.n_plans < 300 and ag.n_plans <= lmdp.M * lmdp.S * lmdp.A * 11 + 2 * 10
    assert trace.v_star == pytest.approx(latent_planning(lmdp).value)
    assert oracle.value(trace.policy) == pytest.approx(latent_policy_evaluation(lmdp, trace.policy).value)
    assert (trace.regret > -1e-12).all() and len(ag.value_history) == 300
    assert trace.method == "LMDP-VO" and trace.params["solver"] == "value" and "episodes" in trace.message
    every = HorizonFreeLMDP(lmdp.S, lmdp.A, lmdp.H, rewards=lmdp.R, replan="every")
    run(every, None, 20, rng=0, oracle=oracle)
    assert every.n_plans == 20


def test_learner_regret_sublinear_and_greedy_fails_on_misleading():
    lmdp = misleading_lmdp(2, 0.7, 0.1)
    good = run(HorizonFreeLMDP(4, 2, 2, rewards=lmdp.R, n_episodes=800, c2=0.1), None, 800, rng=0,
               oracle=LatentOracle(lmdp)).cumulative_regret
    assert good[-1] - good[399] < 0.05 * 400          # no regret in the second half
    greedy = [run(GreedyLMDP(4, 2, 2, rewards=lmdp.R), None, 200, rng=s, oracle=LatentOracle(lmdp)).regret[-1]
              for s in range(6)]
    assert max(greedy) == pytest.approx(0.2)          # stuck on the safe action in some seed


@pytest.mark.parametrize("known", [False, True])
def test_greedy_start_value_is_the_brute_force_optimum_of_the_empirical_model(known):
    """Without bonus the learner's value at the start is ``V*`` of its empirical LMDP (w^, nu^, P^): checked
    against the enumeration of :mod:`experiments.lmdp_bruteforce` (independent of the planner and of the root
    aggregation ``sum_{m,s} w_m nu_m(s) alpha_m(s)``). M = 2 != S = 3 and unequal weights, so a root flattened in
    the wrong (s, m) order gives another number."""
    lmdp = random_lmdp(2, 3, 2, 3, rng=4)
    kw = dict(weights=[0.3, 0.7], nu=[[0.6, 0.3, 0.1], [0.1, 0.2, 0.7]]) if known else {}
    ag = GreedyLMDP(lmdp.S, lmdp.A, lmdp.H, rewards=lmdp.R, replan="every", **kw)
    run(ag, None, 40, rng=1, oracle=LatentOracle(lmdp))
    ag.policy()
    w, nu, P, _ = ag.empirical_model()
    assert (w > 0).all() and len(set(np.round(w, 9))) == 2
    v_bf, _ = bf.brute_force_optimum(LatentMDP(w, nu, P, lmdp.R, lmdp.H))
    assert ag.value_history[-1] == pytest.approx(v_bf, abs=1e-12)
    with mutants.activated("lmdp-learner.root-value-order"):
        bad = GreedyLMDP(lmdp.S, lmdp.A, lmdp.H, rewards=lmdp.R, replan="every", **kw)
        run(bad, None, 40, rng=1, oracle=LatentOracle(lmdp))
        bad.policy()
    assert abs(bad.value_history[-1] - v_bf) > 1e-6             # the slip fails the identity above


def test_iota_is_the_papers_log_term():
    """``iota = 2 ln(2 M S A H K / delta)`` (Zhou, Wang & Du 2023, Section 3 notation; spec section 5.1), by hand:
    M = 2, S = 3, A = 2, H = 4, K = 1000, delta = 0.05 gives 2 ln(1.92e6) = 28.93567..."""
    assert lmdp_iota(2, 3, 2, 4, 1000, 0.05) == pytest.approx(2.0 * np.log(1.92e6), rel=1e-14)
    assert lmdp_iota(2, 3, 2, 4, 1000, 0.05) == pytest.approx(28.93567, abs=1e-5)
    assert lmdp_iota(1, 1, 1, 1, 1, 0.5) == pytest.approx(2.0 * np.log(4.0), rel=1e-14)
    ag = HorizonFreeLMDP(3, 2, 4, rewards=np.zeros((2, 3, 2)), n_episodes=1000, delta=0.05)
    assert ag.iota == pytest.approx(28.93567, abs=1e-5) and ag.params["iota"] == ag.iota


def test_root_value_bonus_written_out():
    """The optimistic value at the start (module docstring): ``min(1, mean + c1 sqrt(var iota / k) + c2 iota / k)``
    over the estimated joint law ``w_m nu_m(s)`` of ``(m, s_1)``, ``k`` episodes, written as explicit loops over
    ``(m, s)`` on an arbitrary alpha table."""
    rng = np.random.default_rng(0)
    M, S, k = 2, 3, 7
    ag = HorizonFreeLMDP(S, 2, 2, rewards=np.zeros((M, S, 2)), c1=0.8, c2=0.05, n_episodes=50, delta=0.2)
    ag.episodes = k
    w = np.array([0.25, 0.75])
    nu = rng.dirichlet(np.ones(S), size=M)
    alpha = rng.uniform(0, 1, (S + 5, M))                 # root nodes first: alpha[s, m] = alpha_m(s)
    mean = sum(w[m] * nu[m, s] * alpha[s, m] for m in range(M) for s in range(S))
    second = sum(w[m] * nu[m, s] * alpha[s, m] ** 2 for m in range(M) for s in range(S))
    iota = 2.0 * np.log(2 * M * S * 2 * 2 * 50 / 0.2)
    expected = mean + 0.8 * np.sqrt((second - mean ** 2) * iota / k) + 0.05 * iota / k
    assert ag._root_value(w, nu, alpha, np.inf) == pytest.approx(expected, rel=1e-12)
    assert ag._root_value(w, nu, alpha, 1.0) == pytest.approx(min(1.0, expected), rel=1e-12)
    known = HorizonFreeLMDP(S, 2, 2, rewards=np.zeros((M, S, 2)), weights=w, nu=nu)
    assert known._root_value(w, nu, alpha, 1.0) == pytest.approx(mean, rel=1e-12)   # nothing estimated: no bonus


@pytest.mark.parametrize("kwargs, match", [
    (dict(rewards=None), "rewards is required"),
    (dict(rewards=np.zeros((3, 2))), r"rewards has shape \(3, 2\), expected \(M, S, A\)"),
    (dict(rewards=np.full((2, 3, 2), 1.5)), r"rewards must lie in \[0, 1\]"),
    (dict(solver="policy"), "solver must be one of"),
    (dict(bonus="ucb"), "bonus must be one of"),
    (dict(solver="model", bonus="hoeffding"), "solver='model' uses the Bernstein"),
    (dict(c1=-1.0), "c1"), (dict(c2="0.1"), "c2"), (dict(delta=0.0), "delta"), (dict(delta=1.5), "delta"),
    (dict(n_episodes=0), "n_episodes"), (dict(replan="never"), "replan"), (dict(backend="gpu"), "backend"),
    (dict(weights=[0.5, 0.6]), "weights must hold probability vectors"),
    (dict(nu=np.ones((2, 2))), r"nu has shape \(2, 2\)"),
])
def test_learner_bad_arguments(kwargs, match):
    args = dict(rewards=np.zeros((2, 3, 2)))
    args.update(kwargs)
    with pytest.raises((TypeError, ValueError), match=match):
        HorizonFreeLMDP(3, 2, 2, **args)


def test_learner_bad_trajectories_and_oracle():
    ag = HorizonFreeLMDP(3, 2, 2, rewards=np.zeros((2, 3, 2)))
    good = (np.array([0, 1, 2]), np.array([0, 1]), np.zeros(2))
    from solvers.learners import Trajectory

    with pytest.raises(TypeError, match="needs the context revealed"):
        ag.update(Trajectory(*good))
    with pytest.raises(ValueError, match="not a context in 0..1"):
        ag.update(LatentTrajectory(*good, 2))
    with pytest.raises(ValueError, match="expected"):
        ag.update(LatentTrajectory(np.array([0, 1]), np.array([0]), np.zeros(1), 0))
    with pytest.raises(ValueError, match="state outside"):
        ag.update(LatentTrajectory(np.array([0, 1, 3]), np.array([0, 1]), np.zeros(2), 0))
    with pytest.raises(TypeError, match="LatentMDP"):
        LatentOracle(random_lmdp(1, 2, 2, 2, rng=0).context(0))
    with pytest.raises(ValueError, match="agent has"):
        run(HorizonFreeLMDP(3, 2, 2, rewards=np.zeros((2, 3, 2))), None, 2, oracle=LatentOracle(random_lmdp(2, 3, 2, 3, rng=0)))


def test_learner_pickles_and_backends_agree():
    lmdp = random_lmdp(2, 2, 2, 3, rng=2)
    traces = [run(HorizonFreeLMDP(2, 2, 3, rewards=lmdp.R, backend=b), None, 60, rng=3,
                  oracle=LatentOracle(lmdp, backend=b)) for b in BACKENDS]
    np.testing.assert_allclose(traces[0].regret, traces[1].regret, atol=1e-12)
    ag = HorizonFreeLMDP(2, 2, 3, rewards=lmdp.R, solver="model")
    run(ag, None, 10, rng=0, oracle=LatentOracle(lmdp))
    assert pickle.loads(pickle.dumps(ag)).value_history == ag.value_history


def test_mutant_switches_change_what_they_claim():
    lmdp = random_lmdp(2, 2, 2, 3, rng=6)
    base = latent_planning(lmdp)
    with mutants.activated("lmdp-planner.depth-off-by-one"):
        short = latent_planning(lmdp)
    assert short.value < base.value
    ag = HorizonFreeLMDP(2, 2, 3, rewards=lmdp.R)
    assert ag.policy() is not None and ag.value_history[-1] <= 1.0
    with mutants.activated("lmdp-learner.no-truncation"):
        wild = HorizonFreeLMDP(2, 2, 3, rewards=lmdp.R)
        wild.policy()
    assert wild.value_history[-1] > 1.0
    names = [m for m in mutants.registry() if m.startswith("lmdp")]
    assert len(names) == 13 and all(itertools.chain(names))
