"""Fuzzing the model constructors, uncertainty sets, environments and ``load_npz`` (issue 11, "Also").

Every corrupted input gets a ``ValueError``/``TypeError`` naming the argument, or is accepted with exactly
the numbers the caller meant (no silent repair), checked here. See ``tests/fuzz_inputs.py`` for the rule.
"""
from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from fuzz_inputs import ARRAY_CORRUPTIONS, ERRORS, NOT_A_NUMBER, as_canonical, clear_error_or, few, seeds
from mdptheory import EpisodicMDP, FiniteMDP, LinearMDP, random_d_rectangular
from mdptheory.envs import american_put, chain, garnet, gridworld, reset_chain, riverswim, simulated_linear_mdp
from mdptheory.io import load_npz, save_npz
from mdptheory.uncertainty import DIVERGENCES, make
from mdptheory.validation import PROB_ATOL
from strategies import random_kernel

PROBABILITY_CORRUPTIONS = {
    "negative": lambda a, rng: _shift(a, rng, -0.3),
    "row-not-summing-to-1": lambda a, rng: _shift(a, rng, 0.01),
}


def _shift(a, rng, delta):
    out = np.array(a, dtype=np.float64)
    out[tuple(rng.integers(n) for n in out.shape)] += delta
    return out


def _corrupt(kind, arr, rng):
    """``(value, invalid)`` for a corruption of ``arr`` named ``kind``."""
    if kind in PROBABILITY_CORRUPTIONS:
        return PROBABILITY_CORRUPTIONS[kind](arr, rng), True
    fn, invalid = ARRAY_CORRUPTIONS[kind]
    return fn(arr, rng), invalid


def _assert_model_holds(model, given_arrays: dict) -> None:
    """An accepted model holds the caller's numbers (in float64), read-only, and valid distributions."""
    for name, value in given_arrays.items():
        held = getattr(model, name)
        if sp.issparse(value):
            assert np.array_equal(held.toarray(), value.toarray()), name
        else:
            assert np.array_equal(np.asarray(held).reshape(np.shape(as_canonical(value))), as_canonical(value)), name
    for name in ("P", "R", "mu0"):
        arr = getattr(model, name)
        parts = (arr.data, arr.indices, arr.indptr) if sp.issparse(arr) else (arr,)
        assert all(isinstance(p, np.ndarray) and not p.flags.writeable for p in parts), name
    P = model.dense_P() if isinstance(model, FiniteMDP) else model.P
    assert np.all(P >= 0) and np.allclose(P.sum(-1), 1.0, rtol=0, atol=PROB_ATOL)
    finite_or_infeasible = np.isfinite(model.R) | np.isneginf(model.R)       # -inf: an infeasible action
    assert np.all(finite_or_infeasible) and np.isfinite(model.R).any(axis=-1).all()
    assert np.isclose(model.mu0.sum(), 1.0, rtol=0, atol=PROB_ATOL)


def _valid_finite(seed, S=3, A=2):
    rng = np.random.default_rng(seed)
    return random_kernel(rng, (S, A, S), 0.6), rng.uniform(-1, 1, (S, A)), random_kernel(rng, (S,)), rng


ALL_KINDS = sorted(ARRAY_CORRUPTIONS) + sorted(PROBABILITY_CORRUPTIONS)


# ------------------------------------------------------------------------------------------ FiniteMDP
@pytest.mark.parametrize("field", ["P", "R", "mu0"])
@pytest.mark.parametrize("kind", ALL_KINDS)
@few(4)
@given(seed=seeds)
def test_finite_mdp_dense_arrays(field, kind, seed):
    P, R, mu0, rng = _valid_finite(seed)
    args = {"P": P, "R": R, "mu0": mu0}
    if kind in PROBABILITY_CORRUPTIONS and field == "R":
        args["R"], invalid = _corrupt(kind, R, rng)[0], False          # any real reward is a reward
    else:
        args[field], invalid = _corrupt(kind, args[field], rng)
    if field == "R" and kind == "-inf":                                # an infeasible action: valid while
        invalid = bool(np.isneginf(args["R"]).all(axis=-1).any())     # every state keeps a feasible one
    if field == "mu0" and kind == "none":
        invalid = False                                                # None = uniform, documented
    names = [field] + (["P", "shape"] if field == "R" else [])         # a wrong R shape makes P mismatch
    clear_error_or(lambda: FiniteMDP(args["P"], args["R"], 0.9, args["mu0"]), names, invalid,
                   lambda m: _assert_model_holds(m, {k: v for k, v in args.items() if v is not None}))


@pytest.mark.parametrize("kind", ["nan", "string", "list", "complex", "bool", "array", "negative", "one", "2.0",
                                  "float32", "int", "0-d"])
def test_finite_mdp_gamma(kind):
    P, R, mu0, _ = _valid_finite(0)
    value, valid = {"negative": (-0.1, False), "one": (1.0, False), "2.0": (2.0, False),
                    "float32": (np.float32(0.5), True), "int": (0, True), "0-d": (np.array(0.5), True),
                    **{k: (v, False) for k, v in NOT_A_NUMBER}}[kind]
    clear_error_or(lambda: FiniteMDP(P, R, value, mu0), ["gamma"], not valid,
                   lambda m: pytest.approx(float(value)) == m.gamma)


CSR_CORRUPTIONS = {
    # name: (edit(data, indices, indptr, S, rng) -> (data, indices, indptr), invalid)
    "index-negative": (lambda d, i, p, S, rng: (d, _at1(i, rng, -1 - rng.integers(3)), p), True),
    "index-too-large": (lambda d, i, p, S, rng: (d, _at1(i, rng, S + rng.integers(3)), p), True),
    "index-float": (lambda d, i, p, S, rng: (d, i.astype(np.float64), p), True),
    "indptr-decreasing": (lambda d, i, p, S, rng: (d, i, _swap_ptr(p, rng)), True),
    "indptr-short": (lambda d, i, p, S, rng: (d, i, p[:-1]), True),
    "indptr-offset": (lambda d, i, p, S, rng: (d, i, p + 1), True),
    "data-short": (lambda d, i, p, S, rng: (d[:-1], i, p), True),
    "data-nan": (lambda d, i, p, S, rng: (_at1(d, rng, np.nan), i, p), True),
    "data-negative": (lambda d, i, p, S, rng: (_at1(d, rng, -0.5), i, p), True),
    "data-complex": (lambda d, i, p, S, rng: (d + 0j, i, p), True),
    "data-float32": (lambda d, i, p, S, rng: (d.astype(np.float32), i, p), False),
    "duplicates": (lambda d, i, p, S, rng: _duplicate(d, i, p), False),
    "unsorted": (lambda d, i, p, S, rng: _reverse_rows(d, i, p), False),
    "explicit-zero": (lambda d, i, p, S, rng: _explicit_zero(d, i, p, S), False),
    "int32-indices": (lambda d, i, p, S, rng: (d, i.astype(np.int32), p.astype(np.int32)), False),
}


def _at1(a, rng, value):
    out = np.array(a, dtype=np.result_type(a, type(value)) if not isinstance(value, (int, np.integer)) else a.dtype)
    out[rng.integers(len(out))] = value
    return out


def _swap_ptr(p, rng):
    out = p.copy()
    r = 1 + rng.integers(len(p) - 2)
    out[r] = out[-1] + 1
    return out


def _duplicate(d, i, p):
    """Every entry split in two halves: same matrix, twice the entries."""
    return np.repeat(d / 2, 2), np.repeat(i, 2), 2 * p


def _reverse_rows(d, i, p):
    d, i = d.copy(), i.copy()
    for r in range(len(p) - 1):
        d[p[r]:p[r + 1]] = d[p[r]:p[r + 1]][::-1]
        i[p[r]:p[r + 1]] = i[p[r]:p[r + 1]][::-1]
    return d, i, p


def _explicit_zero(d, i, p, S):
    """A stored 0.0 in row 0 at a column it does not use (or a duplicate zero if the row is full)."""
    used = set(i[p[0]:p[1]].tolist())
    col = next((c for c in range(S) if c not in used), int(i[0]))
    return np.insert(d, 0, 0.0), np.insert(i, 0, col), np.r_[0, p[1:] + 1]


def _raw_csr(d, i, p, shape):
    """A CSR object holding exactly these arrays, bypassing SciPy's partial checks (as a hand-made or
    deserialised matrix can)."""
    M = sp.csr_array(shape)
    M.data, M.indices, M.indptr = d, i, p
    return M


@pytest.mark.parametrize("kind", sorted(CSR_CORRUPTIONS))
@few(6)
@given(seed=seeds, S=st.integers(2, 5), A=st.integers(1, 3))
def test_finite_mdp_csr_structure(kind, seed, S, A):
    rng = np.random.default_rng(seed)
    P = sp.csr_array(random_kernel(rng, (S, A, S), 0.5).reshape(S * A, S))
    R = rng.uniform(-1, 1, (S, A))
    edit, invalid = CSR_CORRUPTIONS[kind]
    d, i, p = edit(P.data, P.indices, P.indptr, S, rng)
    given_csr = _raw_csr(d, i, p, (S * A, S))
    before = [np.array(a, copy=True) for a in (d, i, p)]

    def check(mdp):
        assert np.array_equal(mdp.dense_P().reshape(S * A, S), P.toarray().astype(np.float64) if kind != "data-float32"
                              else sp.csr_array((d.astype(np.float64), i, p), shape=P.shape).toarray())
        assert mdp.P.has_canonical_format
        assert all(not a.flags.writeable for a in (mdp.P.data, mdp.P.indices, mdp.P.indptr))

    out = clear_error_or(lambda: FiniteMDP(given_csr, R, 0.9), ["P"], invalid, check)
    if kind == "data-float32" and out is None:
        return
    for arr, old in zip((given_csr.data, given_csr.indices, given_csr.indptr), before):
        assert np.array_equal(arr, old, equal_nan=True)          # the caller's arrays are never rewritten


# ------------------------------------------------------------------------------------------ episodic
@pytest.mark.parametrize("field", ["P", "R", "mu0"])
@pytest.mark.parametrize("kind", ALL_KINDS)
@few(3)
@given(seed=seeds)
def test_episodic_mdp_arrays(field, kind, seed):
    rng = np.random.default_rng(seed)
    args = {"P": random_kernel(rng, (2, 3, 2, 3), 0.6), "R": rng.random((2, 3, 2)), "mu0": random_kernel(rng, (3,))}
    if kind in PROBABILITY_CORRUPTIONS and field == "R":
        args["R"], invalid = _corrupt(kind, args["R"], rng)[0], False
    else:
        args[field], invalid = _corrupt(kind, args[field], rng)
    if field == "R" and kind == "-inf":                                # an infeasible action (see above)
        invalid = bool(np.isneginf(args["R"]).all(axis=-1).any())
    if field == "mu0" and kind == "none":
        invalid = False
    names = [field] + (["P", "shape", "horizon"] if field == "R" else [])
    clear_error_or(lambda: EpisodicMDP(args["P"], args["R"], args["mu0"]), names, invalid,
                   lambda m: _assert_model_holds(m, {k: v for k, v in args.items() if v is not None}))


@pytest.mark.parametrize("field", ["phi", "mu", "theta", "mu0"])
@pytest.mark.parametrize("kind", sorted(ARRAY_CORRUPTIONS))
@few(3)
@given(seed=seeds)
def test_linear_mdp_arrays(field, kind, seed):
    rng = np.random.default_rng(seed)
    base = random_d_rectangular(S=3, A=2, d=2, H=2, rng=seed)
    args = {"phi": base.phi, "mu": base.mu, "theta": base.theta, "mu0": base.mu0}
    args[field], invalid = _corrupt(kind, args[field], rng)
    if field == "mu0" and kind == "none" or (field == "phi" and kind == "shorter" and np.shape(args["phi"])[1] == 1):
        invalid = False                                               # uniform mu0; a model with one action
    names = {"phi": ["phi", "P"], "mu": ["mu", "P"], "theta": ["theta"], "mu0": ["mu0"]}[field]
    names = names + (["mu", "theta", "shape"] if kind in ("shorter", "empty", "extra-axis", "flattened") else [])

    def check(m):
        for name, value in args.items():
            if value is not None:
                assert np.array_equal(getattr(m, name), as_canonical(value)), name
        assert not any(getattr(m, n).flags.writeable for n in ("phi", "mu", "theta", "mu0"))

    clear_error_or(lambda: LinearMDP(args["phi"], args["mu"], args["theta"], args["mu0"]), names, invalid, check)


# ------------------------------------------------------------------------------------------ uncertainty
PARAMS = [("zero", 0.0), ("negative", -0.1), ("inf", float("inf")), ("-inf", float("-inf")), ("float32", np.float32(0.2)),
          ("int", 1), ("ok-array", np.array([0.1, 0.2])), ("array-nan", np.array([0.1, np.nan])),
          ("array-strings", np.array(["0.1"])), *NOT_A_NUMBER]


@pytest.mark.parametrize("name", sorted(DIVERGENCES))
@pytest.mark.parametrize("which", ["rho", "lam"])
@pytest.mark.parametrize("label, value", PARAMS, ids=[p[0] for p in PARAMS])
def test_uncertainty_parameters(name, which, label, value):
    def valid(v):
        if v is None or isinstance(v, (bool, str)):
            return False
        arr = np.asarray(v)
        if arr.dtype.kind not in "iuf" or np.isnan(arr).any():        # object(), complex, strings, NaN
            return False
        return bool(np.all(arr >= 0) if which == "rho" else np.all(arr > 0))

    def check(u):
        assert np.array_equal(np.asarray(u.param), as_canonical(value))

    clear_error_or(lambda: make(name, **{which: value}), [which], not valid(value), check)


# ------------------------------------------------------------------------------------------ environments
ENV_ARGS = {
    # name: (builder(**override), {argument: [(value, valid), ...]})
    "gridworld": (lambda **kw: gridworld(**{"nrows": 3, "gamma": 0.9, **kw}), {
        "nrows": [(0, False), (2.5, False), ("3", False), (-1, False)],
        "success_prob": [(1.5, False), (-0.1, False), (float("nan"), False), ("0.8", False), (0.0, True), (1, True)],
        "walls": [([(5, 5)], False), ([(0, 3)], False), ([(1, 1, 1)], False), ([(0.5, 1)], False), ([(1, 1)], True),
                  ([[1, 1]], True)],
        "start": [((3, 3), False), ((-1, 0), False), ("a", False), ((1, 2), True)],
        "terminal": [([(9, 9)], False), ([(2, 2)], True)],
        "rewards": [({(0, 0): float("nan")}, False), ({(0, 0): "1"}, False), ({(7, 0): 1.0}, False),
                    ({(0, 0): 2.0}, True)],
        "terminal_mode": [("sink", False), ("restart", True)],
        "gamma": [(1.0, False), ("0.9", False), (None, True)],
        "H": [(0, False), (2.5, False), (3, True)],
    }),
    "riverswim": (lambda **kw: riverswim(**{"S": 4, "gamma": 0.9, **kw}), {
        "S": [(1, False), (0, False), ("4", False), (4.0, False)],
        "p_right": [(-0.1, False), (0.5, False), (float("nan"), False), ("0.3", False), (0.4, True)],
        "p_stay": [(1.2, False), (float("nan"), False), ("0.6", False), (0.0, True)],
        "r_left": [(float("nan"), False), ("1", False), (float("inf"), False), (-1.0, True)],
        "r_right": [(float("nan"), False), (None, False), (2.0, True)],
    }),
    "chain": (lambda **kw: chain(**{"S": 4, "gamma": 0.9, **kw}), {
        "S": [(0, False), ("4", False)],
        "slip": [(-0.5, False), (1.5, False), (float("nan"), False), ("0.2", False), (1.0, True)],
        "r_return": [(float("nan"), False), ("2", False), (float("-inf"), False), (0.0, True)],
        "r_end": [(float("nan"), False), (None, False), (5, True)],
    }),
    "garnet": (lambda **kw: garnet(**{"S": 4, "A": 2, "branching": 2, "rng": 0, **kw}), {
        "S": [(0, False), (2.0, False), ("4", False)],
        "A": [(0, False), (None, False)],
        "branching": [(5, False), (0, False), (1, True)],
        "rng": [(-1, False), (1.5, False), ("0", False), (np.random.default_rng(1), True)],
        "gamma": [(1.0, False), ("0.9", False), (float("nan"), False), (np.array([0.9, 0.9]), False)],
        "H": [(0, False), (1.5, False), (2, True)],
    }),
    "reset_chain": (lambda **kw: reset_chain(**{"L": 3, **kw}), {
        "L": [(0, False), (2.5, False), ("3", False), (True, False), (None, False), (1, True), (np.int64(4), True)],
    }),
    "american_put": (lambda **kw: american_put(**{"H": 3, "d": 4, "s0": 100.0, **kw}).mdp, {
        "p0": [("0.5", False), (float("nan"), False), (1.5, False), (1, True)],
        "s0": [(-1.0, False), ("100", False), (float("inf"), False), (None, True)],
        "strike": [(float("nan"), False), ("100", False), (0.0, False), (90, True)],
        "up": [(0.0, False), ("1.02", False), (float("nan"), False)],
        "down": [(-0.5, False), (None, False)],
        "H": [(0, False), (2.0, False)], "d": [(0, False), ("4", False)],
        "rng": [(-1, False), (0, True)],
    }),
    "simulated_linear_mdp": (lambda **kw: simulated_linear_mdp(**kw).to_tabular(), {
        "delta": [(float("nan"), False), ("0.3", False), (1.5, False), (0.5, True)],
        "xi_norm": [(-0.1, False), (None, False)], "p": [(2.0, False), (0.0, True)],
        "q": [(float("nan"), False), ("0.1", False), (0.2, True)],
    }),
    "random_d_rectangular": (lambda **kw: random_d_rectangular(**{"S": 3, "A": 2, "d": 2, "H": 2, "rng": 0, **kw})
                             .to_tabular(), {
        "S": [(0, False), ("3", False)], "d": [(1.5, False)], "rng": [(-3, False), ("x", False)],
        "feature_concentration": [(0.0, False), (float("nan"), False), ("1", False), (2, True)],
        "factor_support": [(0, False), (9, False), (2.5, False), (2, True)],
    }),
}
ENV_CASES = [(env, arg, i) for env, (_, table) in ENV_ARGS.items() for arg, values in table.items()
             for i in range(len(values))]


@pytest.mark.parametrize("env, arg, i", ENV_CASES, ids=[f"{e}-{a}-{i}" for e, a, i in ENV_CASES])
def test_environment_arguments(env, arg, i):
    build, table = ENV_ARGS[env]
    value, valid = table[arg][i]
    names = {"walls": ["walls"], "start": ["start"], "terminal": ["terminal"], "rewards": ["rewards"]}.get(arg, [arg])

    def check(model):
        assert isinstance(model, (FiniteMDP, EpisodicMDP))
        if arg == "gamma" and value is None:
            assert model.gamma is None

    clear_error_or(lambda: build(**{arg: value}), names, not valid, check)


# ------------------------------------------------------------------------------------------ load_npz
FILE_EDITS = {
    # name: (edit(dict of arrays) -> dict, invalid)
    "no-R": (lambda a: {k: v for k, v in a.items() if k != "R"}, True),
    "no-P": (lambda a: {k: v for k, v in a.items() if not k.startswith("P")}, True),
    "R-strings": (lambda a: {**a, "R": a["R"].astype(str)}, True),
    "R-complex": (lambda a: {**a, "R": a["R"] + 1j}, True),
    "R-3d": (lambda a: {**a, "R": a["R"][None]}, True),
    "gamma-vector": (lambda a: {**a, "gamma": np.array([0.9, 0.9])}, True),
    "gamma-string": (lambda a: {**a, "gamma": np.array("0.9")}, True),
    "gamma-one": (lambda a: {**a, "gamma": np.array(1.0)}, True),
    "mu0-short": (lambda a: {**a, "mu0": a["mu0"][:-1]}, True),
    "P_indices-out-of-range": (lambda a: {**a, "P_indices": a["P_indices"] + a["R"].shape[0]}, True),
    "P_indices-float": (lambda a: {**a, "P_indices": a["P_indices"] + 0.25}, True),
    "P_indptr-reversed": (lambda a: {**a, "P_indptr": a["P_indptr"][::-1].copy()}, True),
    "P_data-nan": (lambda a: {**a, "P_data": np.where(np.arange(a["P_data"].size) == 0, np.nan, a["P_data"])}, True),
    "P_data-float32": (lambda a: {**a, "P_data": a["P_data"].astype(np.float32)}, False),
    "extra-key": (lambda a: {**a, "notes": np.array([1, 2])}, False),
    "no-gamma": (lambda a: {k: v for k, v in a.items() if k != "gamma"}, False),
}


@pytest.mark.parametrize("kind", sorted(FILE_EDITS))
@few(3)
@given(seed=seeds)
def test_load_npz_fields(tmp_path_factory, kind, seed):
    mdp = garnet(5, 2, 3, rng=seed, gamma=0.9, sparse=True)
    arrays = dict(P_data=mdp.P.data, P_indices=mdp.P.indices, P_indptr=mdp.P.indptr, R=mdp.R, mu0=mdp.mu0,
                  gamma=np.array(0.9))
    edit, invalid = FILE_EDITS[kind]
    path = tmp_path_factory.mktemp("npz") / "model.npz"
    np.savez(path, **edit(arrays))
    try:
        back = load_npz(path)
    except ERRORS as exc:
        assert str(exc).startswith(str(path)), f"the error does not name the file: {exc}"
        return
    assert not invalid, f"{kind} was accepted"
    assert np.allclose(back.dense_P(), mdp.dense_P(), rtol=0, atol=1e-7) and np.array_equal(back.R, mdp.R)
    assert back.gamma == (None if kind == "no-gamma" else 0.9)


@few(10)
@given(seed=seeds, cut=st.floats(0.0, 0.99))
def test_load_npz_truncated_anywhere(tmp_path_factory, seed, cut):
    path = tmp_path_factory.mktemp("npz") / "model.npz"
    save_npz(garnet(4, 2, 2, rng=seed, gamma=0.5), path)
    blob = path.read_bytes()
    path.write_bytes(blob[: int(cut * len(blob))])
    with pytest.raises(ValueError, match="^" + str(path).replace("\\", "\\\\")):
        load_npz(path)
