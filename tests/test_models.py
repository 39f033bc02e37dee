"""Model constructors: valid inputs are accepted unchanged, every kind of bad input is a clear error."""
import re

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from mdptheory import EpisodicMDP, FiniteMDP, as_generator, as_stochastic, validate_policy
from strategies import episodic_mdps, finite_mdps, random_kernel, seeds

sizes = st.tuples(st.integers(1, 6), st.integers(1, 4))


def _model(seed, S, A):
    rng = np.random.default_rng(seed)
    return random_kernel(rng, (S, A, S)), rng.random((S, A)), rng


@given(finite_mdps())
def test_valid_finite_mdp_roundtrips(mdp):
    assert mdp.P_flat.shape == (mdp.S * mdp.A, mdp.S)
    assert np.allclose(mdp.dense_P().sum(-1), 1.0)
    again = mdp.to_sparse().to_dense()
    assert np.array_equal(again.dense_P(), mdp.dense_P())
    assert not mdp.R.flags.writeable


@given(episodic_mdps())
def test_valid_episodic_mdp(mdp):
    assert mdp.P.shape == (mdp.H, mdp.S, mdp.A, mdp.S)
    assert np.allclose(mdp.P.sum(-1), 1.0)


@given(seeds, sizes, st.floats(0.5, 0.99), st.data())
def test_row_not_summing_to_one_names_index(seed, sa, scale, data):
    S, A = sa
    P, R, rng = _model(seed, S, A)
    s, a = data.draw(st.integers(0, S - 1)), data.draw(st.integers(0, A - 1))
    P[s, a] *= scale
    with pytest.raises(ValueError, match=re.escape(f"P[{s}, {a}, :] sums to")):
        FiniteMDP(P, R, 0.9)
    with pytest.raises(ValueError, match=re.escape(f"P[{s}, {a}, :] sums to")):
        FiniteMDP(sp.csr_array(P.reshape(S * A, S)), R, 0.9)


@given(seeds, sizes, st.sampled_from([np.nan, np.inf, -np.inf, -0.25]), st.data())
def test_bad_entries_rejected(seed, sa, value, data):
    S, A = sa
    P, R, _ = _model(seed, S, A)
    idx = tuple(data.draw(st.integers(0, n - 1)) for n in P.shape)
    P[idx] = value
    word = "negative" if value == -0.25 else "not finite"
    with pytest.raises(ValueError, match=word):
        FiniteMDP(P, R, 0.5)
    R2 = R.copy()
    R2[idx[:2]] = np.nan
    with pytest.raises(ValueError, match=re.escape(f"R[{idx[0]}, {idx[1]}]")):
        FiniteMDP(_model(seed, S, A)[0], R2, 0.5)


@given(st.one_of(st.floats(allow_nan=True), st.integers(-5, 5)).filter(lambda g: not (0 <= g < 1)))
def test_gamma_outside_unit_interval(g):
    P, R, _ = _model(0, 2, 2)
    with pytest.raises(ValueError, match="gamma must lie in"):
        FiniteMDP(P, R, g)


def test_gamma_one_points_to_the_right_solver():
    P, R, _ = _model(0, 2, 2)
    with pytest.raises(ValueError, match="backward_induction"):
        FiniteMDP(P, R, 1.0)
    with pytest.raises(TypeError, match="gamma"):
        FiniteMDP(P, R, "0.9")


@given(seeds, sizes)
def test_shape_mismatches(seed, sa):
    S, A = sa
    P, R, rng = _model(seed, S, A)
    with pytest.raises(ValueError, match="shape"):
        FiniteMDP(P, np.zeros((S, A + 1)), 0.9)
    with pytest.raises(ValueError, match="shape"):
        FiniteMDP(P[:, :, None, :], R, 0.9)
    with pytest.raises(ValueError, match="mu0"):
        FiniteMDP(P, R, 0.9, mu0=np.full(S + 1, 1 / (S + 1)))
    with pytest.raises(ValueError, match="sparse P has shape"):
        FiniteMDP(sp.csr_array(np.ones((S * A + 1, S)) / S), R, 0.9)
    with pytest.raises(ValueError, match="shape"):
        EpisodicMDP(np.stack([P, P]), np.stack([R, R, R]))


def test_empty_sets_and_horizon():
    with pytest.raises(ValueError, match="at least one state"):
        FiniteMDP(np.zeros((0, 2, 0)), np.zeros((0, 2)), 0.9)
    with pytest.raises(ValueError, match="at least one state and one action"):
        FiniteMDP(np.zeros((2, 0, 2)), np.zeros((2, 0)), 0.9)
    with pytest.raises(ValueError, match="horizon H"):
        EpisodicMDP(np.zeros((0, 2, 2, 2)), np.zeros((0, 2, 2)))
    with pytest.raises(ValueError, match="H must be >= 1"):
        EpisodicMDP.stationary(np.full((2, 1, 2), 0.5), np.zeros((2, 1)), 0)
    with pytest.raises(TypeError, match="H must be an integer"):
        EpisodicMDP.stationary(np.full((2, 1, 2), 0.5), np.zeros((2, 1)), 2.5)


@given(seeds, sizes, st.integers(1, 4), st.data())
def test_policy_validation(seed, sa, H, data):
    S, A = sa
    rng = np.random.default_rng(seed)
    pi = rng.integers(A, size=(H, S))
    assert as_stochastic(pi, S, A, H).shape == (H, S, A)
    assert np.allclose(as_stochastic(pi[0], S, A), np.eye(A)[pi[0]])
    bad = pi.copy()
    h, s = data.draw(st.integers(0, H - 1)), data.draw(st.integers(0, S - 1))
    bad[h, s] = data.draw(st.sampled_from([-1, A, A + 3]))
    with pytest.raises(ValueError, match=re.escape(f"policy[{h}, {s}]")):
        validate_policy(bad, S, A, H)
    stoch = random_kernel(rng, (S, A))
    stoch[s] *= 0.5
    with pytest.raises(ValueError, match=re.escape(f"policy[{s}, :] sums to")):
        validate_policy(stoch, S, A)
    with pytest.raises(ValueError, match="expected one of"):
        validate_policy(pi, S, A)  # stage-dependent policy where a stationary one is expected
    with pytest.raises(TypeError, match="dtype"):
        validate_policy(np.zeros(S, dtype=bool), S, A)


def test_renormalisation_tolerance_and_no_silent_fix():
    P, R, _ = _model(3, 3, 2)
    rounded = np.round(P, 10)  # a file with 10 decimals: accepted
    FiniteMDP(rounded / rounded.sum(-1, keepdims=True) + 0.0, R, 0.9)
    mdp = FiniteMDP(P, R, 0.9)
    assert np.shares_memory(mdp.P, P)  # float64 C-contiguous input is not copied


def test_as_generator():
    assert as_generator(5).random() == np.random.default_rng(5).random()
    g = np.random.default_rng(1)
    assert as_generator(g) is g
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        as_generator(1.5)
