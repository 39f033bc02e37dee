"""The generative-model interface: the lazy Garnet family, the oracle's counter and budget, the exact ground truth."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import solvers
from mdptheory import EpisodicMDP, FiniteMDP
from mdptheory.generative import (BudgetExhausted, GenerativeOracle, LazyGarnet, TabularModel, horizon_from_accuracy,
                                  q_star, truncated_q)
from strategies import random_kernel


def dense_garnet(m: LazyGarnet) -> tuple[np.ndarray, np.ndarray]:
    """The whole lazy Garnet as dense arrays ``P (S, K, S)``, ``R (S, K)`` (small ``S`` only)."""
    s = np.repeat(np.arange(m.S), m.K)
    a = np.tile(np.arange(m.K), m.S)
    nxt, probs, rew = m.rows(0, s, a)
    P = np.zeros((m.S * m.K, m.S))
    np.add.at(P, (np.repeat(np.arange(m.S * m.K), m.B), nxt.ravel()), probs.ravel())
    return P.reshape(m.S, m.K, m.S), rew.reshape(m.S, m.K)


def test_lazy_garnet_is_a_pure_function_of_the_seed_and_stores_nothing():
    a, b, c = LazyGarnet(S=10**9, seed=7), LazyGarnet(S=10**9, seed=7), LazyGarnet(S=10**9, seed=8)
    s, act = np.array([0, 123456789, 999_999_999]), np.array([0, 3, 4])
    for x, y in zip(a.rows(0, s, act), b.rows(0, s, act)):
        assert np.array_equal(x, y)
    assert not np.array_equal(a.rows(0, s, act)[0], c.rows(0, s, act)[0])
    assert all(arr.size <= 6 for arr in a.kernel())      # a billion states, no table


def test_lazy_garnet_follows_the_paper_family():
    """B next states uniform with replacement, probabilities (U, 1 - U), about half the pairs rewarded U(0, 1)."""
    m = LazyGarnet(S=50, K=5, B=2, seed=3)
    P, R = dense_garnet(m)
    assert np.allclose(P.sum(-1), 1.0)
    support = (P > 0).sum(-1)
    assert set(np.unique(support)) <= {1, 2} and (support == 1).mean() < 0.1     # duplicates ~ 1/S
    assert 0.4 < (R > 0).mean() < 0.6 and R.max() <= 1.0
    big = LazyGarnet(S=100_000, seed=1)
    nxt, probs, rew = big.rows(0, np.arange(20_000), np.zeros(20_000, np.int64))
    assert abs((rew > 0).mean() - 0.5) < 0.02
    assert abs(np.sort(probs, axis=1)[:, 0].mean() - 0.25) < 0.01          # min(U, 1 - U) has mean 1/4
    assert abs(nxt.mean() / 100_000 - 0.5) < 0.01


def test_oracle_samples_the_rows_and_counts_and_caps_its_calls():
    m = LazyGarnet(S=50, K=5, B=2, seed=3)
    P, R = dense_garnet(m)
    oracle = GenerativeOracle(m, budget=4000)
    rng = np.random.default_rng(0)
    hits = np.zeros(m.S)
    for _ in range(4000):
        r, s = oracle.sample(0, 7, 2, rng)
        hits[s] += 1
        assert r == R[7, 2]
    assert oracle.calls == 4000 and oracle.remaining == 0
    assert np.abs(hits / 4000 - P[7, 2]).max() < 0.03
    with pytest.raises(BudgetExhausted):
        oracle.sample(0, 7, 2, rng)
    # the same generator state gives the same answer
    o2 = GenerativeOracle(m)
    assert o2.sample(0, 7, 2, np.random.default_rng(5)) == o2.sample(0, 7, 2, np.random.default_rng(5))
    with pytest.raises(BudgetExhausted, match="exceed the budget"):
        GenerativeOracle(m, budget=3).charge(4)


def test_q_star_matches_backward_induction_on_a_tabular_model():
    rng = np.random.default_rng(2)
    P = random_kernel(rng, (4, 6, 3, 6), 0.5)
    R = rng.random((4, 6, 3))
    model = TabularModel(EpisodicMDP(P, R), gamma=1.0, s0=2)
    ref = solvers.backward_induction(EpisodicMDP(P, R))
    assert np.allclose(q_star(model, 4), ref.Q[0, 2], atol=1e-13)
    # discounted, stationary: Q*_H from H backward steps of gamma-discounted rewards
    fm = FiniteMDP(P[0], R[0], 0.8)
    Q = np.zeros((6, 3))
    for _ in range(5):
        Q = R[0] + 0.8 * P[0] @ Q.max(axis=1)
    assert np.allclose(q_star(TabularModel(fm, s0=4), 5), Q[4], atol=1e-13)


def test_truncated_q_is_the_official_nine_value_iterations():
    """``ValueIterationAgent(iterations=int(3 / (1 - 0.7)))`` iterates Q 9 times from 0 on the whole MDP."""
    assert int(3 / (1 - 0.7)) == 9
    m = LazyGarnet(S=300, K=5, B=2, gamma=0.7, seed=11)
    P, R = dense_garnet(m)
    Q = np.zeros((300, 5))
    for _ in range(9):
        Q = R + 0.7 * P @ Q.max(axis=1)
    assert np.allclose(truncated_q(m), Q[0], atol=1e-12)


def test_horizon_from_accuracy_table():
    assert [horizon_from_accuracy(e, 0.7) for e in (1, 2 / 3, 1 / 2, 1 / 3, 1 / 5)] == [6, 7, 8, 9, 10]


def test_tabular_model_validation():
    P = np.full((2, 2, 2), 0.5)
    with pytest.raises(ValueError, match=r"rewards must lie in \[0, 1\].*R\[0, 1\] = 1.5"):
        TabularModel(FiniteMDP(P, np.array([[0.0, 1.5], [0.0, 0.0]]), 0.9))
    with pytest.raises(ValueError, match="B = 1 is smaller than the largest support"):
        TabularModel(FiniteMDP(P, np.zeros((2, 2)), 0.9), B=1)
    with pytest.raises(ValueError, match="B must be >= 1"):
        TabularModel(FiniteMDP(P, np.zeros((2, 2)), 0.9), B=0)
    with pytest.raises(ValueError, match="gamma must lie in"):
        TabularModel(FiniteMDP(P, np.zeros((2, 2)), 0.9), gamma=1.5)
    with pytest.raises(ValueError, match="reward_noise"):
        TabularModel(FiniteMDP(P, np.zeros((2, 2)), 0.9), reward_noise="gauss")
    with pytest.raises(ValueError, match="exceeds the model's 2 stages"):
        q_star(TabularModel(EpisodicMDP(np.full((2, 2, 2, 2), 0.5), np.zeros((2, 2, 2)))), 3)


@given(S=st.integers(-3, 0), K=st.integers(-2, 0), B=st.integers(-2, 0))
def test_lazy_garnet_rejects_sizes_below_one(S, K, B):
    with pytest.raises(ValueError, match="must be >= 1"):
        LazyGarnet(S=S or 1, K=K or 1, B=B)


@given(st.floats(allow_nan=True, allow_infinity=True).filter(lambda x: not 0 <= x <= 1))
def test_lazy_garnet_rejects_a_bad_sparsity(x):
    with pytest.raises(ValueError, match="reward_sparsity"):
        LazyGarnet(S=10, reward_sparsity=x)


@given(bad=st.one_of(st.floats(min_value=-1e6, max_value=-1e-9), st.floats(min_value=1.0 + 1e-9, max_value=1e6)),
       where=st.tuples(st.integers(0, 2), st.integers(0, 1)))
def test_rewards_outside_the_unit_interval_are_rejected(bad, where):
    R = np.full((3, 2), 0.5)
    R[where] = bad
    with pytest.raises(ValueError, match=rf"rewards must lie in \[0, 1\].*R\[{where[0]}, {where[1]}\]"):
        TabularModel(FiniteMDP(np.full((3, 2, 3), 1 / 3), R, 0.9))

