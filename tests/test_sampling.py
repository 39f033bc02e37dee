"""Generative model and rollouts: NumPy/Numba agreement, reproducibility, and the right distribution."""
import numpy as np
import pytest
from hypothesis import given
from scipy import stats

from mdptheory.envs import garnet, gridworld
from mdptheory.sampling import rollout, sample, sample_counts
from strategies import episodic_mdps, finite_mdps, random_kernel, seeds

ALPHA = 1e-6  # false-alarm rate of each statistical test below


@given(episodic_mdps(), seeds)
def test_numba_and_numpy_rollouts_agree(mdp, seed):
    pi = random_kernel(np.random.default_rng(seed), (mdp.H, mdp.S, mdp.A))
    a = rollout(mdp, pi, 20, rng=seed)
    b = rollout(mdp, pi, 20, rng=seed, backend="numpy")
    for x, y in ((a.s, b.s), (a.a, b.a), (a.r, b.r), (a.s_next, b.s_next)):
        assert np.array_equal(x, y)
    assert np.array_equal(a.s[:, 1:], a.s_next[:, :-1])  # consecutive steps chain


@given(finite_mdps(max_S=6), seeds)
def test_finite_mdp_rollouts_dense_and_sparse_agree(mdp, seed):
    pi = np.random.default_rng(seed).integers(mdp.A, size=mdp.S)
    a = rollout(mdp, pi, 10, rng=seed, horizon=6)
    b = rollout(mdp.to_sparse(), pi, 10, rng=seed, horizon=6, backend="numpy")
    assert np.array_equal(a.s_next, b.s_next) and np.array_equal(a.a, pi[a.s])


def test_rollout_transition_frequencies_match_P():
    mdp = garnet(6, 2, 3, rng=1, H=2)
    pi = np.zeros((2, 6), int)
    ep = rollout(mdp, pi, 20000, rng=2)
    s0 = ep.s[:, 0]
    for s in range(6):
        nxt = ep.s_next[s0 == s, 0]
        p = mdp.P[0, s, 0]
        observed = np.bincount(nxt, minlength=6)[p > 0]
        assert stats.chisquare(observed, p[p > 0] * len(nxt)).pvalue > ALPHA
    # the start distribution is mu0 (uniform here)
    assert stats.chisquare(np.bincount(s0, minlength=6)).pvalue > ALPHA


def test_sample_generative_model_distribution_and_seed():
    mdp = garnet(8, 2, 4, rng=3, sparse=True)
    x = sample(mdp, 5, 1, 40000, rng=4)
    assert np.array_equal(x, sample(mdp, 5, 1, 40000, rng=4))
    p = mdp.dense_P()[5, 1]
    assert stats.chisquare(np.bincount(x, minlength=8)[p > 0], p[p > 0] * len(x)).pvalue > ALPHA
    counts = sample_counts(mdp, 50, rng=0)
    assert counts.shape == (8, 2, 8) and np.all(counts.sum(-1) == 50) and np.all(counts[mdp.dense_P() == 0] == 0)


def test_gridworld_return_matches_optimal_value_statistically():
    g = gridworld(5, H=20)
    V = np.zeros(g.S)
    pis = []
    for h in range(g.H - 1, -1, -1):
        Q = g.R[h] + g.P[h] @ V
        pis.insert(0, Q.argmax(1))
        V = Q.max(1)
    ret = rollout(g, np.array(pis), 4000, rng=0).returns()
    z = (ret.mean() - V[0]) / (ret.std(ddof=1) / np.sqrt(len(ret)))
    assert abs(z) < stats.norm.isf(ALPHA / 2)


def test_rollout_errors():
    g = gridworld(3, gamma=0.9)
    with pytest.raises(ValueError, match="horizon"):
        rollout(g, np.zeros(g.S, int), 3)
    with pytest.raises(ValueError, match="not an action"):
        rollout(g, np.full(g.S, 7), 3, horizon=2)
    with pytest.raises(ValueError, match="s0"):
        rollout(g, np.zeros(g.S, int), 3, horizon=2, s0=99)
    with pytest.raises(ValueError, match="backend"):
        rollout(g, np.zeros(g.S, int), 3, horizon=2, backend="cuda")
    with pytest.raises(ValueError, match="out of range"):
        sample(g, 0, 9, 3)
