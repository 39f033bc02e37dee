"""Fuzzing the planners' arguments (issue 11, "Also"): a bad argument is a ``ValueError``/``TypeError`` naming it;
an accepted call returns a value whose certificate holds against an independent ground truth.

The ground truth never goes through the suite's code: ``V*`` of a small discounted MDP is the element-wise
max of ``V^pi`` over all ``A^S`` deterministic policies, each from ``numpy.linalg.solve``; episodic values
come from a plain Python backward recursion.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import solvers
from fuzz_inputs import ARRAY_CORRUPTIONS, NOT_A_NUMBER, clear_error_or, few, seeds
from mdptheory import EpisodicMDP, FiniteMDP
from mdptheory.uncertainty import KL, TV, ChiSquare
from solvers.robust import robust_backward_induction, robust_policy_evaluation, robust_value_iteration
from solvers.robust import worst_case, worst_case_rows
from strategies import finite_mdps, random_kernel

EPS = np.finfo(float).eps


def _v_pi(P, R, gamma, pi):
    """Exact ``V^pi`` of a deterministic policy, by a dense solve."""
    S = R.shape[0]
    idx = np.arange(S)
    return np.linalg.solve(np.eye(S) - gamma * P[idx, pi], R[idx, pi])


def brute_force_v_star(mdp: FiniteMDP) -> np.ndarray:
    P, R = mdp.dense_P(), mdp.R
    return np.max([_v_pi(P, R, mdp.gamma, np.array(pi)) for pi in itertools.product(range(mdp.A), repeat=mdp.S)],
                  axis=0)


def rounding_allowance(mdp) -> float:
    """What float64 rounding may add to a certificate on these tiny, well-scaled models (S <= 4)."""
    gamma = getattr(mdp, "gamma", None) or 0.0
    return 64 * EPS * (1.0 + np.abs(mdp.R).max()) / (1.0 - gamma)


def _certificate_holds(res, truth, mdp, tol=None) -> None:
    assert np.all(np.isfinite(res.V)) and res.V.shape == truth.shape
    err = float(np.max(np.abs(res.V - truth)))
    assert err <= res.error_bound + rounding_allowance(mdp), (res, err)
    if res.converged and tol is not None:
        assert res.error_bound <= float(tol)


small_mdps = finite_mdps(max_S=4, max_A=3, gamma=st.sampled_from([0.0, 0.5, 0.9]))

# argument -> [(label, value, valid)]
TOL = [("zero", 0.0, False), ("negative", -1e-8, False), ("inf", float("inf"), False), ("int", 1, True),
       ("float32", np.float32(1e-6), True), ("huge", 1e300, True), ("tiny-ok", 1e-10, True)] + \
      [(k, v, False) for k, v in NOT_A_NUMBER]
MAX_ITER = [("zero", 0, False), ("negative", -3, False), ("float", 2.5, False), ("string", "10", False),
            ("bool", True, False), ("one", 1, True), ("np-int", np.int64(3), True), ("none", None, True)]
BACKEND = [("cuda", "cuda", False), ("none", None, False), ("int", 1, False), ("upper", "NUMBA", False),
           ("numpy", "numpy", True)]
M = [("zero", 0, False), ("negative", -1, False), ("float", 2.5, False), ("string", "5", False), ("one", 1, True)]
TIMEOUT = [("nan", float("nan"), False), ("negative", -1.0, False), ("string", "1", False),
           ("inf", float("inf"), True), ("large", 60.0, True)]

PLANNERS = {
    "value_iteration": (solvers.value_iteration, {"tol": TOL, "max_iter": MAX_ITER, "backend": BACKEND,
                                                  "method": [("newton", "newton", False), ("gs", "gauss-seidel", True)],
                                                  "timeout": TIMEOUT, "trace": [("x", "x", False), ("V", "V", True)]}),
    "modified_policy_iteration": (solvers.modified_policy_iteration, {"tol": TOL, "max_iter": MAX_ITER,
                                                                      "backend": BACKEND, "m": M}),
    "policy_iteration": (solvers.policy_iteration, {"tol": TOL, "max_iter": MAX_ITER, "backend": BACKEND,
                                                    "tie_tol": [("nan", float("nan"), False), ("neg", -1.0, False),
                                                                ("string", "0", False), ("ok", 1e-12, True)]}),
    "linear_programming": (solvers.linear_programming, {"tol": TOL, "backend": BACKEND,
                                                        "highs_method": [("x", "simplex", False),
                                                                         ("ipm", "highs-ipm", True)]}),
    "solve": (solvers.solve, {"tol": TOL, "backend": BACKEND, "max_iter": MAX_ITER}),
}


def cases(table: dict, prefix: str = "") -> list:
    """pytest params ``(arg, i)`` of a table ``{arg: [(label, value, valid[, known defect])]}``."""
    out = []
    for arg, values in table.items():
        for i, entry in enumerate(values):
            marks = [pytest.mark.xfail(strict=True, reason=entry[3])] if len(entry) > 3 else []
            out.append(pytest.param(arg, i, id=f"{prefix}{arg}-{entry[0]}", marks=marks))
    return out


PLANNER_CASES = [pytest.param(p, *c.values, id=c.id, marks=c.marks) for p, (_, table) in PLANNERS.items()
                 for c in cases(table, f"{p}-")]


@pytest.mark.filterwarnings("ignore::solvers.result.ConvergenceWarning")
@pytest.mark.parametrize("planner, arg, i", PLANNER_CASES)
@few(2)
@given(mdp=small_mdps)
def test_planner_arguments(planner, arg, i, mdp):
    fn, table = PLANNERS[planner]
    value, valid = table[arg][i][1:3]
    kwargs = {arg: value}
    if arg == "max_iter" and planner != "policy_iteration":
        kwargs["tol"] = 1e-6
    names = [arg, "Method"] if arg == "highs_method" else [arg]       # SciPy: "Method 'simplex' ... use one of"
    clear_error_or(lambda: fn(mdp, **kwargs), names, not valid,
                   lambda res: _certificate_holds(res, brute_force_v_star(mdp), mdp, kwargs.get("tol")))


@pytest.mark.parametrize("fn", [solvers.value_iteration, solvers.modified_policy_iteration])
@pytest.mark.parametrize("kind", sorted(ARRAY_CORRUPTIONS))
@few(2)
@given(mdp=small_mdps, seed=seeds)
def test_planner_start_vector(fn, kind, mdp, seed):
    corrupt, invalid = ARRAY_CORRUPTIONS[kind]
    invalid = invalid and kind != "none"                                   # V0=None: the default start
    V0 = corrupt(np.random.default_rng(seed).uniform(-1, 1, mdp.S), np.random.default_rng(seed))
    clear_error_or(lambda: fn(mdp, V0=V0), ["V0"], invalid,
                   lambda res: _certificate_holds(res, brute_force_v_star(mdp), mdp, 1e-8))


WRONG_MODELS = [("array", lambda m: m.dense_P()), ("none", lambda m: None), ("string", lambda m: "mdp.npz"),
                ("average-reward", lambda m: m.with_gamma(None)),
                ("episodic", lambda m: EpisodicMDP.stationary(m.dense_P(), m.R, 3))]


@pytest.mark.parametrize("fn", [solvers.value_iteration, solvers.modified_policy_iteration, solvers.policy_iteration,
                                solvers.linear_programming, solvers.policy_evaluation])
@pytest.mark.parametrize("label, make", WRONG_MODELS, ids=[w[0] for w in WRONG_MODELS])
def test_planner_wrong_model(fn, label, make):
    mdp = make(FiniteMDP(np.full((2, 2, 2), 0.5), np.eye(2), 0.9))
    args = (mdp, np.zeros(2, np.int64)) if fn is solvers.policy_evaluation else (mdp,)
    if fn is solvers.policy_evaluation and label == "episodic":
        return                                                   # evaluates episodic models too: valid
    clear_error_or(lambda: fn(*args), ["FiniteMDP", "gamma", "mdp"], True)


# ------------------------------------------------------------------------------------------ policies
def _policies(S, A, rng):
    """(label, policy, valid) for a discounted model of size S x A."""
    det = rng.integers(A, size=S)
    sto = random_kernel(rng, (S, A))
    bad_rows = sto.copy()
    bad_rows[0] *= 0.5
    return [
        ("det", det, True), ("det-list", det.tolist(), True), ("stochastic", sto, True),
        ("stochastic-f32", sto.astype(np.float32), False),      # rows off by ~1e-8: rejected with the fix
        ("action-too-large", np.full(S, A), False), ("action-negative", np.full(S, -1), False),
        ("wrong-length", np.zeros(S + 1, np.int64), False), ("bool", np.zeros(S, bool), False),
        ("float-actions", det.astype(float), False), ("rows-not-1", bad_rows, False),
        ("nan", np.where(np.eye(S, A) > 0, np.nan, sto), False), ("strings", det.astype(str), False),
        ("none", None, False), ("stage-dependent", np.tile(det, (2, 1)), False),
    ]


def _exact_policy_value(mdp, policy):
    P, R = mdp.dense_P(), mdp.R
    pol = np.eye(mdp.A)[policy] if np.issubdtype(np.asarray(policy).dtype, np.integer) else np.asarray(policy, float)
    P_pi = np.einsum("sa,sat->st", pol, P)
    return np.linalg.solve(np.eye(mdp.S) - mdp.gamma * P_pi, (pol * R).sum(1))


@pytest.mark.parametrize("method", ["direct", "iterative"])
@few(4)
@given(mdp=small_mdps, seed=seeds, which=st.integers(0, 13))
def test_policy_evaluation_policies(method, mdp, seed, which):
    label, policy, valid = _policies(mdp.S, mdp.A, np.random.default_rng(seed))[which]
    if label == "wrong-length" and mdp.S + 1 == mdp.A:
        pass
    if label == "float-actions" and mdp.A == 1:
        valid = False

    def check(res):
        _certificate_holds(res, _exact_policy_value(mdp, np.asarray(policy) if label != "det-list"
                                                      else np.array(policy)), mdp)
    clear_error_or(lambda: solvers.policy_evaluation(mdp, policy, method=method), ["policy"], not valid, check)


@few(4)
@given(mdp=small_mdps, seed=seeds, which=st.integers(0, 13))
def test_policy_iteration_start_policy(mdp, seed, which):
    label, policy, valid = _policies(mdp.S, mdp.A, np.random.default_rng(seed))[which]
    valid = valid and label != "stochastic" or label == "none"       # policy0 is deterministic; None = default
    clear_error_or(lambda: solvers.policy_iteration(mdp, policy0=policy), ["policy0"], not valid,
                   lambda res: _certificate_holds(res, brute_force_v_star(mdp), mdp, 1e-8))


# ------------------------------------------------------------------------------------------ episodic
def _episodic_truth(mdp: EpisodicMDP) -> np.ndarray:
    V = np.zeros((mdp.H + 1, mdp.S))
    for h in reversed(range(mdp.H)):
        V[h] = (mdp.R[h] + mdp.P[h] @ V[h + 1]).max(axis=1)
    return V


@pytest.mark.parametrize("label, backend, valid", BACKEND, ids=[b[0] for b in BACKEND])
def test_backward_induction_arguments(label, backend, valid):
    rng = np.random.default_rng(3)
    mdp = EpisodicMDP(random_kernel(rng, (3, 4, 2, 4)), rng.random((3, 4, 2)))
    clear_error_or(lambda: solvers.backward_induction(mdp, backend=backend), ["backend"], not valid,
                   lambda res: np.testing.assert_allclose(res.V, _episodic_truth(mdp), rtol=0, atol=1e-12))
    for wrong in (mdp.R, None, FiniteMDP(np.full((2, 1, 2), 0.5), np.ones((2, 1)), 0.5)):
        clear_error_or(lambda: solvers.backward_induction(wrong), ["EpisodicMDP"], True)


# ------------------------------------------------------------------------------------------ robust
NOT_A_SET = [("float", 0.1), ("string", "tv"), ("none", None), ("class", TV), ("dict", {"rho": 0.1})]


@pytest.mark.parametrize("label, value", NOT_A_SET, ids=[n[0] for n in NOT_A_SET])
def test_robust_planners_uncertainty_argument(label, value):
    rng = np.random.default_rng(0)
    fin = FiniteMDP(random_kernel(rng, (3, 2, 3)), rng.random((3, 2)), 0.9)
    epi = EpisodicMDP.stationary(fin.P, fin.R, 3)
    calls = [lambda: robust_value_iteration(fin, value), lambda: robust_backward_induction(epi, value),
             lambda: robust_policy_evaluation(fin, np.zeros(3, np.int64), value),
             lambda: worst_case(np.array([0.5, 0.5]), np.zeros(2), value)]
    for call in calls:
        clear_error_or(call, ["uncertainty"], True)


ROBUST_ARGS = {
    "rect": [("x", "x", False), ("d-on-tabular", "d", False), ("none", None, False), ("sa", "sa", True)],
    "tol": TOL, "max_iter": MAX_ITER, "backend": BACKEND,
}


@pytest.mark.filterwarnings("ignore::solvers.result.ConvergenceWarning")
@pytest.mark.parametrize("arg, i", cases(ROBUST_ARGS))
@few(2)
@given(mdp=small_mdps, which=st.integers(0, 3))
def test_robust_value_iteration_arguments(arg, i, mdp, which):
    U = [TV(0.1), KL(0.2), ChiSquare(lam=1.0), TV(lam=0.5)][which]
    value, valid = ROBUST_ARGS[arg][i][1:3]
    kwargs = {arg: value}
    if arg == "max_iter":
        kwargs["tol"] = 1e-6

    def check(res):
        # the certificate against the robust Bellman operator evaluated by the other backend: with
        # ||V - V*|| <= e, ||T V - V|| <= (1 + gamma) e
        S, A = mdp.S, mdp.A
        vals, _ = worst_case_rows(mdp.dense_P().reshape(S * A, S), res.V, U, want_p=False, backend="numpy")
        TV_ = (mdp.R + mdp.gamma * vals.reshape(S, A)).max(axis=1)
        assert np.max(np.abs(TV_ - res.V)) <= (1 + mdp.gamma) * res.error_bound + rounding_allowance(mdp)

    clear_error_or(lambda: robust_value_iteration(mdp, U, **kwargs), [arg], not valid, check)


@pytest.mark.parametrize("kind", sorted(ARRAY_CORRUPTIONS))
@few(3)
@given(seed=seeds, S=st.integers(1, 5), which=st.integers(0, 3), field=st.sampled_from(["p0", "V"]))
def test_worst_case_vectors(kind, seed, S, which, field):
    rng = np.random.default_rng(seed)
    U = [TV(0.1), KL(0.2), ChiSquare(rho=0.3), KL(lam=1.0)][which]
    args = {"p0": random_kernel(rng, (S,)), "V": rng.normal(size=S)}
    corrupt, invalid = ARRAY_CORRUPTIONS[kind]
    args[field] = corrupt(args[field], rng)
    names = [field, "p0", "V"] if kind in ("shorter", "extra-axis", "flattened", "scalar", "empty") else [field]

    def check(out):
        value, p = out
        p0, V = np.asarray(args["p0"], float), np.asarray(args["V"], float)
        assert np.all(p >= -1e-12) and abs(p.sum() - 1) <= 1e-9
        assert V.min() - 1e-9 <= value <= p0 @ V + 1e-9        # nature does no worse than the nominal model
        if not U.is_regularized:
            assert U.divergence(np.clip(p, 0, None), p0) <= U.rho + 1e-7 and abs(value - p @ V) <= 1e-9

    clear_error_or(lambda: worst_case(args["p0"], args["V"], U), names, invalid, check)


ROBUST_EPISODIC_ARGS = {
    "rect": [("x", "x", False), ("d-on-tabular", "d", False), ("s", "s", False), ("sa", "sa", True),
             ("none", None, True)],
    "backend": BACKEND,
    "policy": [("det", "det", True), ("stochastic", "sto", True), ("action-too-large", "big", False),
               ("wrong-shape", "short", False), ("nan", "nan", False), ("strings", "str", False)],
}


@pytest.mark.parametrize("arg, i", cases(ROBUST_EPISODIC_ARGS))
@few(2)
@given(seed=seeds, which=st.integers(0, 2))
def test_robust_backward_induction_arguments(arg, i, seed, which):
    rng = np.random.default_rng(seed)
    H, S, A = 3, 3, 2
    mdp = EpisodicMDP(random_kernel(rng, (H, S, A, S)), rng.random((H, S, A)))
    U = [TV(0.2), KL(lam=1.0), ChiSquare(rho=0.1)][which]
    value, valid = ROBUST_EPISODIC_ARGS[arg][i][1:3]
    if arg == "policy":
        value = {"det": rng.integers(A, size=(H, S)), "sto": random_kernel(rng, (H, S, A)),
                 "big": np.full((H, S), A), "short": np.zeros((H, S + 1), np.int64),
                 "nan": np.full((H, S, A), np.nan), "str": np.zeros((H, S), np.int64).astype(str)}[value]

    def check(res):
        # nature never helps: the robust value is at most the nominal one (same policy, or optimal)
        pol = None if arg != "policy" else value
        nominal = (solvers.backward_induction(mdp).V if pol is None else
                   solvers.policy_evaluation(mdp, pol).V)
        assert np.all(np.isfinite(res.V)) and np.all(res.V <= nominal + 1e-9)
        twin = robust_backward_induction(mdp, U, **{**({arg: value} if arg != "backend" else {}),
                                                     "backend": "numpy"})
        np.testing.assert_allclose(res.V, twin.V, rtol=0, atol=1e-10)

    clear_error_or(lambda: robust_backward_induction(mdp, U, **{arg: value}), [arg], not valid, check)
