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


# ------------------------------------------------------------------ issue 11: inputs that never lie
def _csr_model(seed=0, S=4, A=2):
    P, R, _ = _model(seed, S, A)
    P = random_kernel(np.random.default_rng(seed), (S, A, S), density=0.5)
    return sp.csr_array(P.reshape(S * A, S)), R


@pytest.mark.parametrize("value", [-1, -7, 4, 1000])
def test_csr_column_index_out_of_range_is_rejected(value):
    """Item 2: an index outside 0..S-1 made the Numba kernel read outside V (V ~ -3e271)."""
    P, R = _csr_model()
    P.indices[1] = value
    with pytest.raises(ValueError, match=re.escape(f"P.indices[1] = {value} (in row 0 (state 0, action 0)) "
                                                   "is outside 0..3")):
        FiniteMDP(P, R, 0.9)


def test_csr_broken_row_structure_is_rejected():
    P, R = _csr_model()
    cases = [
        ("indptr", np.r_[P.indptr[:3], P.indptr[2] - 1, P.indptr[4:]], "P.indptr decreases at row 2"),
        ("indptr", P.indptr[:-1], re.escape("P.indptr has 8 entries, expected S*A + 1 = 9")),
        ("indptr", P.indptr + 1, r"P.indptr\[0\] = 1, expected 0"),
        ("indices", P.indices.astype(np.float64), "P.indices must hold integers"),
        ("indices", P.indices[:-1], "the three must agree"),
    ]
    for attr, value, match in cases:
        bad = P.copy()
        setattr(bad, attr, value)
        with pytest.raises((ValueError, TypeError), match=match):
            FiniteMDP(bad, R, 0.9)


def test_csr_with_duplicates_is_canonicalised_on_a_copy_and_the_model_is_read_only():
    """Item 3: duplicates were summed in the caller's matrix (nnz 60 -> 48) and mdp.P.data stayed writable."""
    P, R = _csr_model(S=6, A=2)
    # every entry split in two halves, in reversed column order: duplicates and unsorted indices
    rows = np.repeat(np.arange(P.shape[0]), np.diff(P.indptr))
    order = np.lexsort((-P.indices, rows))
    data = np.repeat(P.data[order] / 2, 2)
    indices = np.repeat(P.indices[order], 2)
    dup = sp.csr_array((data, indices, 2 * P.indptr), shape=P.shape)
    assert not dup.has_canonical_format
    before = [a.copy() for a in (dup.data, dup.indices, dup.indptr)]
    mdp = FiniteMDP(dup, R, 0.9)
    assert dup.nnz == 2 * P.nnz
    for arr, old in zip((dup.data, dup.indices, dup.indptr), before):
        assert np.array_equal(arr, old) and arr.flags.writeable     # the caller's matrix is untouched
    assert mdp.P.has_canonical_format and mdp.P.nnz == P.nnz
    np.testing.assert_allclose(mdp.dense_P().reshape(P.shape), P.toarray(), rtol=0, atol=1e-16)
    for arr in (mdp.P.data, mdp.P.indices, mdp.P.indptr):
        assert not arr.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        mdp.P.data[0] = 0.5


def test_every_array_a_model_holds_is_read_only():
    P, R, _ = _model(1, 3, 2)
    models = [FiniteMDP(P.copy(), R, 0.9), FiniteMDP(sp.csr_array(P.reshape(6, 3)), R, 0.9),
              EpisodicMDP(np.stack([P, P]), np.stack([R, R]))]
    for mdp in models:
        arrays = [mdp.R, mdp.mu0] + ([mdp.P.data, mdp.P.indices, mdp.P.indptr] if sp.issparse(mdp.P) else [mdp.P])
        assert not any(a.flags.writeable for a in arrays)


def test_canonical_float64_csr_is_shared_not_copied():
    P, R = _csr_model()
    mdp = FiniteMDP(P, R, 0.9)
    assert np.shares_memory(mdp.P.data, P.data)                      # no second copy of a large model
    assert not P.data.flags.writeable                               # ... so it is frozen, like a dense P


@pytest.mark.parametrize("sparse", [False, True])
def test_float32_kernel_error_gives_a_fix_that_works(sparse):
    """Item 9: the message used to suggest `P /= P.sum(-1, keepdims=True)`, which stays float32 and fails again."""
    P, R, _ = _model(4, 5, 3)
    P32 = P.astype(np.float32)
    P32 /= P32.sum(-1, keepdims=True)       # renormalised in float32: rows still off by ~1e-8 in float64
    given = sp.csr_array(P32.reshape(15, 5)) if sparse else P32
    with pytest.raises(ValueError, match="was given as float32") as err:
        FiniteMDP(given, R, 0.9)
    fix = str(err.value).split("convert and renormalize: ")[1]
    namespace = {"np": np, "scipy": __import__("scipy"), "P": given}
    exec(fix, namespace)                    # the suggested fix, verbatim
    mdp = FiniteMDP(namespace["P"], R, 0.9)
    np.testing.assert_allclose(mdp.dense_P(), P, atol=1e-6)


def test_float32_mu0_and_episodic_kernels_get_the_same_fix():
    P, R, _ = _model(5, 3, 2)
    mu0 = np.array([0.1, 0.2, 0.7], dtype=np.float32)
    with pytest.raises(ValueError, match=r"mu0 was given as float32.*mu0 = np.asarray\(mu0, dtype=np.float64\)"):
        FiniteMDP(P, R, 0.9, mu0=mu0)
    with pytest.raises(ValueError, match="P was given as float32"):
        EpisodicMDP(np.stack([P, P]).astype(np.float32), np.stack([R, R]))


@pytest.mark.parametrize("R_bad, kind, match", [
    (lambda R: R + 0j, TypeError, "R has complex dtype"),
    (lambda R: R + 1j, TypeError, "R has complex dtype"),
    (lambda R: R.astype(str), TypeError, "R must be a number or an array of numbers, got strings"),
    (lambda R: np.array([[1.0, "x"]] * len(R), dtype=object), TypeError, "R must be a number .* found 'x'"),
])
def test_complex_or_string_rewards_are_rejected(R_bad, kind, match):
    """Item 5: complex R lost its imaginary part with a warning; string R was parsed silently."""
    P, R, _ = _model(2, 3, 2)
    with pytest.raises(kind, match=match):
        FiniteMDP(P, R_bad(R), 0.9)
    with pytest.raises(kind, match=match):
        EpisodicMDP(P[None], R_bad(R)[None])


def test_gamma_errors_name_the_fix():
    """Item 6: gamma of shape (2,) or a string got 'gamma must be a float in [0, 1), got ...' only."""
    P, R, _ = _model(0, 2, 2)
    with pytest.raises(TypeError, match=r"array of shape \(2,\); one discount factor .* gamma=0.9"):
        FiniteMDP(P, R, np.array([0.9, 0.9]))
    with pytest.raises(TypeError, match=r"the string '0.9'; pass a number"):
        FiniteMDP(P, R, "0.9")
    assert FiniteMDP(P, R, np.array(0.9)).gamma == 0.9               # a 0-d array is one number


def test_negative_seed_names_the_argument():
    """Item 6: rng=-1 gave NumPy's 'expected non-negative integer'."""
    with pytest.raises(ValueError, match="rng = -1 is a negative seed; a seed must be an int >= 0"):
        as_generator(-1)
    with pytest.raises(TypeError, match="rng must be an int seed"):
        as_generator("1")
    ss = np.random.SeedSequence(3)
    assert as_generator(ss).random() == np.random.default_rng(np.random.SeedSequence(3)).random()


def test_a_scalar_where_an_array_is_expected_is_named_as_a_scalar():
    """np.ascontiguousarray turns a scalar into shape (1,); the error must show what the user passed."""
    with pytest.raises(ValueError, match=r"R must have 2 dimensions, got the scalar 1\.0"):
        FiniteMDP(np.ones((2, 2, 2)) / 2, 1.0, 0.9)
    with pytest.raises(ValueError, match=r"R must have 2 dimensions, got shape \(2,\)"):
        FiniteMDP(np.ones((2, 2, 2)) / 2, np.ones(2), 0.9)
