"""MDP-GapE and the planning baselines: the stopping rule on hand-made trees, budgets, bad input, backends."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bounds.mdpgape import SPARSE_SAMPLING_CALLS
from mdptheory import FiniteMDP, mutants
from mdptheory.generative import GenerativeOracle, LazyGarnet, TabularModel, q_star
from solvers import tree_search as T
from solvers.tree_search import _gape as G
from solvers.tree_search.mdp_gape import _drive, theory_thresholds


def root_tree(U, L):
    """A tree whose root actions have the given bounds (every action sampled once)."""
    K = len(U)
    t = G.new_tree(K, 2, 0, 3, 0.7)
    for a in range(K):
        t.d_kids[0, a] = a
        t.c_U[a], t.c_L[a] = U[a], L[a]
    t.sizes[1] = K
    return t


def stop_statistic(U, L):
    vals = np.empty((4, len(U)))
    b, c, sel = G.ugape(root_tree(U, L), len(U), 3, 0.7, 0, vals)
    return b, c, sel, U[c] - L[b]


def test_ugape_on_a_hand_made_root():
    # gaps: a0: max(U1, U2) - L0 = 1.2 - 0.5 = 0.7; a1: 1.0 - 0.2 = 0.8; a2: 1.2 - 0.1 = 1.1 -> b = 0; c = argmax U
    # over {1, 2} = 1; widths: b 0.5, c 1.0 -> sample c
    b, c, sel, gap = stop_statistic([1.0, 1.2, 0.9], [0.5, 0.2, 0.1])
    assert (b, c, sel) == (0, 1, 1) and abs(gap - 0.7) < 1e-15
    # exact ties: lowest index for b and c, b sampled when the widths tie
    b, c, sel, _ = stop_statistic([1.0, 1.0, 1.0], [0.0, 0.0, 0.0])
    assert (b, c, sel) == (0, 1, 0)


@given(K=st.integers(2, 6), seed=st.integers(0, 2**32 - 1), eps=st.floats(0.0, 0.5))
def test_stopping_rule_is_eps_correct_on_valid_bounds(K, seed, eps):
    """The generic argument: if L <= Q* <= U and U(c) - L(b) <= eps, then Q*(b) >= max Q* - eps."""
    rng = np.random.default_rng(seed)
    q = rng.random(K)
    U = q + rng.exponential(0.05, K)
    L = q - rng.exponential(0.05, K)
    b, c, sel, gap = stop_statistic(U, L)
    assume(gap <= eps)
    assert q.max() - q[b] <= eps + 1e-15


def test_stopping_on_the_lower_bound_of_the_challenger_is_not_correct():
    """The registered mutant's rule L(c) - L(b) <= eps stops with valid bounds on a wrong answer."""
    q = np.array([0.0, 1.0])
    U, L = np.array([2.0, 1.5]), np.array([0.0, 0.5])
    b, c, _, gap = stop_statistic(U, L)
    assert b == 0 and gap == 1.5 > 0.6               # the real rule goes on
    assert L[c] - L[b] <= 0.6 and q.max() - q[b] == 1.0 > 0.6


def garnet(seed=3, S=500, **kw):
    return LazyGarnet(S=S, K=kw.pop("K", 4), B=2, gamma=0.7, seed=seed, **kw)


def test_mdp_gape_is_correct_and_its_bounds_hold_on_a_small_garnet():
    m = garnet()
    q = q_star(m, 3)
    res = T.mdp_gape(GenerativeOracle(m, budget=10**6), 0.3, 0.1, H=3, rng=0)
    assert res.status == "stopped" and res.calls == 3 * res.trajectories
    assert q.max() - q[res.action] <= 0.3
    assert np.all(res.root_lower <= q + 1e-12) and np.all(q <= res.root_upper + 1e-12)
    assert res.policy == res.action and "MDP-GapE" in res.message and res.wall_time > 0
    assert res.root_counts.sum() == res.trajectories and res.params["thresholds"] == "theory"


def test_budget_exhaustion_stops_cleanly():
    m = garnet()
    oracle = GenerativeOracle(m, budget=31)
    res = T.mdp_gape(oracle, 0.01, 0.1, H=3, rng=0)
    assert res.status == "budget" and res.calls == 30 and oracle.calls == 30 and oracle.remaining == 1
    assert "budget exhausted" in res.message
    for planner in (T.uct, T.kl_olop, T.brue, T.mdp_gape_budget, T.sparse_sampling_budget):
        o = GenerativeOracle(m, budget=500)
        r = planner(o, rng=1)
        assert r.calls <= 500 and o.calls == r.calls and r.status == "done", planner.__name__


def test_numpy_backend_and_block_sizes_give_the_same_run():
    m = garnet(seed=5, S=200, K=3)
    a = T.mdp_gape(GenerativeOracle(m, budget=3000), 0.5, 0.1, H=2, thresholds="experiments", rng=7)
    b = T.mdp_gape(GenerativeOracle(m, budget=3000), 0.5, 0.1, H=2, thresholds="experiments", rng=7, backend="numpy")
    assert (a.action, a.calls, a.status) == (b.action, b.calls, b.status)
    assert np.allclose(a.root_upper, b.root_upper, atol=1e-13) and np.array_equal(a.root_counts, b.root_counts)
    thr = theory_thresholds(0.1, 3, 2, 2)
    runs = [_drive(GenerativeOracle(m), 2, 0.4, False, "pair", *thr, 2, np.random.default_rng(9), "numba", -1,
                   chunk=chunk)[:3] for chunk in (1, 7, 256)]
    assert runs[0] == runs[1] == runs[2]


@pytest.mark.parametrize("H,B,K,delta", [(1, 1, 2, 0.1), (2, 2, 3, 0.1), (3, 2, 2, 0.05), (4, 3, 5, 0.01),
                                          (6, 4, 2, 0.5)])
def test_theory_thresholds_follow_their_formula(H, B, K, delta):
    """``beta_r(n) = log(3 (BK)^H / delta) + log(e (1 + n))``, ``beta_p(n) = log(3 (BK)^H / delta) +
    (B - 1) log(e (1 + n / (B - 1)))`` (the transition term is 0 for ``B = 1``), written out here independently."""
    n = np.array([1.0, 2.0, 7.0, 100.0, 1e5])

    def expected():
        base = math.log(3.0 * (B * K) ** H / delta)
        beta_r = [base + math.log(math.e * (1.0 + x)) for x in n]
        beta_p = [base + ((B - 1) * math.log(math.e * (1.0 + x / (B - 1))) if B > 1 else 0.0) for x in n]
        return np.array(beta_r), np.array(beta_p)

    def close():
        r, p = theory_thresholds(delta, K, B, H)
        er, ep = expected()
        return np.allclose(r(n), er, rtol=1e-13, atol=0) and np.allclose(p(n), ep, rtol=1e-13, atol=0)

    assert close()
    if H > 1:       # the test has power against a union bound that loses its power H
        with mutants.activated("mdp-gape-stopping.threshold-no-horizon"):
            assert not close()


def test_tree_growth_keeps_the_run():
    """A run that outgrows the initial node arrays (1024 rows) is the same as the object twin's."""
    m = garnet(seed=2, S=100_000)
    a = T.mdp_gape(GenerativeOracle(m, budget=3000), 0.0, 0.1, H=6, thresholds="experiments", rng=3, keep_tree=True)
    assert a.extra["decision_nodes"] > 1024
    b = T.mdp_gape(GenerativeOracle(m, budget=3000), 0.0, 0.1, H=6, thresholds="experiments", rng=3,
                   backend="numpy", keep_tree=True)
    assert a.action == b.action and np.allclose(a.root_lower, b.root_lower, atol=1e-13)
    assert len(a.extra["tree"]["c_n"]) == len(b.extra["tree"]["c_n"])


def chain(rewards):
    """A deterministic model: action a at every state moves to state a with reward rewards[s, a]."""
    S, K = rewards.shape
    P = np.zeros((S, K, S))
    P[:, np.arange(K), np.arange(K)] = 1.0
    return TabularModel(FiniteMDP(P, rewards, 0.7))


def test_ugape_mcts_on_deterministic_transitions():
    R = np.array([[0.2, 0.5, 0.1], [0.9, 0.0, 0.0], [0.3, 0.3, 0.3]])
    m = chain(R)
    q = q_star(m, 3)
    res = T.ugape_mcts(GenerativeOracle(m, budget=10**6), 0.05, 0.1, H=3, rng=0)
    assert res.method == "UGapE-MCTS" and res.status == "stopped" and q.max() - q[res.action] <= 0.05
    with pytest.raises(ValueError, match="more than B = 1 distinct next states"):
        T.ugape_mcts(GenerativeOracle(garnet(), budget=10**5), 0.1, 0.1, H=2, rng=0)


def test_sparse_sampling_counts_and_values():
    m = garnet(S=10**6, K=3)
    res = T.sparse_sampling(GenerativeOracle(m), H=3, C=4, merge=False, rng=0)
    assert res.calls == SPARSE_SAMPLING_CALLS.evaluate(K=3, C=4, H=3) == T.sparse_sampling_calls(3, 4, 3)
    merged = T.sparse_sampling(GenerativeOracle(m), H=3, C=4, merge=True, rng=0)
    assert merged.calls <= res.calls
    R = np.array([[0.2, 0.5, 0.1], [0.9, 0.0, 0.0], [0.3, 0.3, 0.3]])
    det = T.sparse_sampling(GenerativeOracle(chain(R)), H=3, C=2, rng=0)
    assert np.allclose(det.root_values, q_star(chain(R), 3))     # deterministic: the samples are exact
    with pytest.raises(ValueError, match="may need .* calls > max_calls"):
        T.sparse_sampling(GenerativeOracle(m), H=8, C=50, rng=0)


def test_olop_allocation_table():
    got = [T.olop_allocation(n, 0.7) for n in (10, 31, 100, 316, 1000, 3162, 10_000, 31_622, 100_000)]
    assert got == [(4, 2), (8, 3), (20, 5), (52, 6), (142, 7), (351, 9), (1000, 10), (2635, 12), (7692, 13)]


def test_fixed_budget_planners_prefer_the_better_arm_of_an_easy_bandit():
    P = np.ones((1, 3, 1))
    m = TabularModel(FiniteMDP(P, np.array([[0.2, 0.9, 0.4]]), 0.7), reward_noise="bernoulli")
    for planner in (T.uct, T.kl_olop, T.brue, T.mdp_gape_budget):
        assert planner(GenerativeOracle(m, budget=2000), rng=0).action == 1, planner.__name__


# ------------------------------------------------------------------------------------------ bad input
@given(eps=st.one_of(st.floats(max_value=-1e-300), st.just(math.nan), st.just(math.inf)))
def test_bad_eps(eps):
    with pytest.raises(ValueError, match="eps must be a finite number >= 0"):
        T.mdp_gape(GenerativeOracle(garnet()), eps, 0.1, H=2)


@given(delta=st.one_of(st.floats(max_value=0.0), st.floats(min_value=1.0), st.just(math.nan)))
def test_bad_delta(delta):
    with pytest.raises(ValueError, match=r"delta must lie in \(0, 1\)"):
        T.mdp_gape(GenerativeOracle(garnet()), 0.1, delta, H=2)


@given(B=st.integers(-5, 0))
def test_bad_support(B):
    with pytest.raises(ValueError, match="B must be an integer >= 1"):
        T.mdp_gape(GenerativeOracle(garnet()), 0.1, 0.1, H=2, B=B)


@given(budget=st.integers(1, 5))
def test_budget_smaller_than_one_trajectory(budget):
    with pytest.raises(ValueError, match="smaller than one trajectory of H = 6 calls"):
        T.mdp_gape(GenerativeOracle(garnet(), budget=budget), 1.0, 0.1)


def test_other_bad_arguments():
    m = garnet()
    with pytest.raises(ValueError, match="thresholds must be"):
        T.mdp_gape(GenerativeOracle(m), 0.1, 0.1, H=2, thresholds="loose")
    with pytest.raises(ValueError, match="rewards must be 'pair'"):
        T.mdp_gape(GenerativeOracle(m), 0.1, 0.1, H=2, rewards="node")
    with pytest.raises(ValueError, match="rewards must be 'pair'"):
        T.mdp_gape_budget(GenerativeOracle(m, budget=100), rewards="node")
    with pytest.raises(ValueError, match="threshold_scale must be > 0"):
        T.mdp_gape(GenerativeOracle(m), 0.1, 0.1, H=2, threshold_scale=0.0)
    with pytest.raises(TypeError, match="GenerativeOracle"):
        T.mdp_gape(m, 0.1, 0.1, H=2)
    with pytest.raises(ValueError, match="give budget="):
        T.uct(GenerativeOracle(m))
    with pytest.raises(ValueError, match="exceeds the oracle's remaining"):
        T.kl_olop(GenerativeOracle(m, budget=10), budget=20)
    with pytest.raises(ValueError, match="temperature must be >= 0"):
        T.uct(GenerativeOracle(m, budget=100), temperature=-1.0)
    with pytest.raises(ValueError, match="rewards must lie in"):
        TabularModel(FiniteMDP(np.full((1, 1, 1), 1.0), np.array([[-0.5]]), 0.9))


# --------------------------------------------------------------------------------------------- mutants
def test_every_mdp_gape_mutant_is_wired():
    """Each registered slip changes what MDP-GapE returns on small instances (fixed confidence or budget)."""
    def signature():
        out = []
        for seed in (1, 2):
            m = garnet(seed=seed, S=10**5)
            r = T.mdp_gape(GenerativeOracle(m, budget=4000), 0.3, 0.1, H=3, rng=seed)
            f = T.mdp_gape_budget(GenerativeOracle(m, budget=2000), rng=seed)
            out.append((r.action, r.calls, np.round(r.root_upper, 12).tolist(), f.action,
                        np.round(f.root_upper, 12).tolist()))
        return out

    real = signature()
    algo = mutants.of("mdp-gape") + mutants.of("mdp-gape-stopping")
    assert len(algo) >= 10
    for m in algo:
        with mutants.activated(m.name):
            assert signature() != real, m.name
