"""GOSPRL (Tarbouriech et al. 2021) and its optimistic SSP layer, against independent ground truth.

- the box-simplex inner minimum against HiGHS (``scipy.optimize.linprog``), ties included, both backends;
- extended value iteration with singleton sets against SSP policy iteration (communicating or not), and its
  optimism (every iterate ``<= h*``) when the sets contain the true kernel;
- the empirical-Bernstein sets: never-visited pairs get the whole simplex, the boxes contain ``p_hat``;
- the collection loop: every requirement met at termination (Hypothesis over random MDPs and requirements,
  zero rows and online requirements included, counts recounted from the trajectory), the reset chain's exact
  lower bound ``b (L + 1)`` for every strategy, determinism, read-only results;
- bad input: negative, non-integer, NaN, boolean or mis-shaped requirements, an online requirement returning
  garbage, a non-communicating MDP with an unreachable required pair (a clear error, or with
  ``check_reachable=False`` the documented status ``"max_steps"``, never an endless loop);
- the applications: Weissman and treasure requirements, the adaptive rule's width at termination, PAC planning.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import solvers
from experiments.gosprl_common import communicating_garnet
from fuzz_inputs import NOT_A_NUMBER, clear_error_or
from mdptheory import FiniteMDP, mutants
from mdptheory.envs import garnet, gridworld, reset_chain, riverswim
from solvers.collection import (AdaptiveModelEstimation, UnreachableRequirementError, check_requirement, collect,
                                discover_treasures, estimate_model, gosprl, model_error, pac_planning,
                                pac_requirement, random_walk_collection, treasure_requirement, weissman_requirement)
from solvers.ssp_evi import bernstein_box, bernstein_width, empirical_box, inner_minimum, ssp_extended_value_iteration

EPS = np.finfo(float).eps
BACKENDS = ("numba", "numpy")


def _box(rng, n, S, density=0.7, scale=0.4):
    p = rng.dirichlet(np.full(S, 0.6), size=n)
    beta = rng.uniform(0.0, scale, (n, S)) * (rng.random((n, S)) < density)
    return np.clip(p - beta, 0, 1), np.clip(p + beta, 0, 1)


def _recount(res, S, A):
    return np.bincount(res.states[:-1] * A + res.actions, minlength=S * A).reshape(S, A)


# ------------------------------------------------------------------------------------- the inner minimum
@pytest.mark.parametrize("backend", BACKENDS)
@given(seed=st.integers(0, 2**32 - 1), S=st.integers(1, 9))
def test_inner_minimum_equals_the_lp(backend, seed, S):
    rng = np.random.default_rng(seed)
    lo, hi = _box(rng, 3, S)
    V = rng.integers(0, 4, S).astype(float) if seed % 2 else rng.normal(size=S)     # ties half of the time
    vals, q = inner_minimum(lo, hi, V, backend=backend)
    for r in range(3):
        lp = linprog(V, A_eq=np.ones((1, S)), b_eq=[1.0], bounds=list(zip(lo[r], hi[r])), method="highs")
        assert lp.status == 0
        assert abs(lp.fun - vals[r]) <= 1e-9 * (1 + np.abs(V).max())
        assert np.all(q[r] >= lo[r] - 1e-15) and np.all(q[r] <= hi[r] + 1e-15)
        assert abs(q[r].sum() - 1.0) <= 1e-12 and abs(q[r] @ V - vals[r]) <= 1e-12 * (1 + np.abs(V).max())


def test_inner_minimum_of_the_whole_simplex_is_the_smallest_value_and_a_control_is_caught():
    V = np.array([3.0, 1.0, 2.0, 1.0])
    vals, q = inner_minimum(np.zeros((1, 4)), np.ones((1, 4)), V)
    assert vals[0] == 1.0 and q[0].tolist() == [0.0, 1.0, 0.0, 0.0]          # ties: the lowest index
    with mutants.activated("evi-ssp.pour-descending"):                       # the max, not the min
        assert inner_minimum(np.zeros((1, 4)), np.ones((1, 4)), V)[0][0] == 3.0


def test_inner_minimum_refuses_boxes_that_miss_the_simplex():
    with pytest.raises(ValueError, match="misses the simplex"):
        inner_minimum(np.full((1, 3), 0.5), np.ones((1, 3)), np.zeros(3))
    with pytest.raises(ValueError, match="exceeds upper"):
        inner_minimum(np.array([[0.6, 0.4]]), np.array([[0.5, 1.0]]), np.zeros(2))
    with pytest.raises(ValueError, match="V must be finite"):
        inner_minimum(np.zeros((1, 2)), np.ones((1, 2)), np.array([0.0, np.nan]))


# --------------------------------------------------------------------------- extended value iteration
@pytest.mark.parametrize("backend", BACKENDS)
@given(seed=st.integers(0, 2**32 - 1))
def test_singleton_evi_equals_exact_ssp(backend, seed):
    """``lower = upper = P``: EVI is the SSP of P; against SSP policy iteration, communicating or not."""
    rng = np.random.default_rng(seed)
    S, A = int(rng.integers(1, 7)), int(rng.integers(1, 4))
    g = garnet(S, A, int(rng.integers(1, S + 1)), rng=rng, gamma=None)
    mdp = FiniteMDP(g.P, g.R, None)
    goal = rng.choice(S, size=int(rng.integers(1, S + 1)), replace=False)
    P = mdp.dense_P()
    evi = ssp_extended_value_iteration(P, P, goal, tol=1e-9, backend=backend, check_every=int(rng.integers(1, 5)))
    pi = solvers.ssp_policy_iteration(mdp, goal, tol=1e-10)
    assert evi.converged
    assert np.array_equal(np.isinf(evi.V), np.isinf(pi.V))
    fin = np.isfinite(pi.V)
    slack = evi.error_bound + pi.error_bound + 64 * S * EPS * (1 + np.abs(pi.V[fin]).max(initial=0))
    assert np.abs(evi.V[fin] - pi.V[fin]).max(initial=0) <= slack
    assert np.all(evi.V[goal] == 0)
    rounding = pi.error_bound + 64 * S * EPS * (1 + np.abs(pi.V[fin]).max(initial=0))
    assert np.all(evi.extra["lower_bound"][fin] <= pi.V[fin] + rounding)       # the certified bracket
    assert np.all(pi.V[fin] <= evi.extra["upper_bound"][fin] + rounding)


def test_evi_iterates_stay_below_the_true_hitting_times_when_the_sets_contain_p():
    rng = np.random.default_rng(3)
    mdp = riverswim(5)
    P = mdp.dense_P()
    h = solvers.ssp_policy_iteration(mdp, [4], tol=1e-10)
    for r in (0.0, 0.01, 0.1, 0.5):
        lo, hi = np.clip(P - r * rng.random(P.shape), 0, 1), np.clip(P + r * rng.random(P.shape), 0, 1)
        res = ssp_extended_value_iteration(lo, hi, [4], tol=1e-10, record_iterates=True)
        its = res.extra["iterates"]
        assert np.all(np.diff(its, axis=0) >= -1e-12)                       # VI from 0 increases
        assert np.all(its <= h.V + h.error_bound + 1e-9)
        assert np.all(res.extra["lower_bound"] <= h.V + h.error_bound + 1e-9)


def test_evi_values_are_infinite_where_no_kernel_of_the_sets_reaches_the_goal():
    P = np.zeros((3, 1, 3))
    P[0, 0, 1] = P[1, 0, 0] = P[2, 0, 2] = 1.0                                # 0 <-> 1, 2 absorbing
    res = ssp_extended_value_iteration(P, P, [2])
    assert np.isinf(res.V[:2]).all() and res.V[2] == 0
    lo, hi = P.copy(), P.copy()
    hi[1, 0, 2] = 0.5                                                         # room towards 2, but the lower
    assert np.isinf(ssp_extended_value_iteration(lo, hi, [2]).V[:2]).all()   # ends force all the mass to 0
    lo[1, 0, 0] = 0.5                                                         # now half can go to 2:
    res = ssp_extended_value_iteration(lo, hi, [2], tol=1e-10)                # h1 = 1 + h0/2, h0 = 1 + h1
    assert res.V[1] == pytest.approx(3.0) and res.V[0] == pytest.approx(4.0)


@pytest.mark.parametrize("kw, match", [
    ({"lower": np.zeros((2, 1, 3))}, "shape"), ({"goal": []}, "at least one"), ({"goal": [5]}, "0..1"),
    ({"goal": [0.5]}, "integers"), ({"cost": -np.ones((2, 1))}, "cost"), ({"tol": 0.0}, "tol"),
    ({"check_every": 0}, "check_every"), ({"upper": np.full((2, 1, 2), np.nan)}, "non-finite")])
def test_evi_arguments_are_checked(kw, match):
    args = dict(lower=np.full((2, 1, 2), 0.5), upper=np.full((2, 1, 2), 0.5), goal=[0])
    args.update(kw)
    with pytest.raises((ValueError, TypeError), match=match):
        ssp_extended_value_iteration(**args)


# ------------------------------------------------------------------------------------ confidence sets
def test_bernstein_sets_give_unvisited_pairs_the_whole_simplex_and_contain_p_hat():
    rng = np.random.default_rng(0)
    N = rng.integers(0, 50, (4, 2, 4)) * (rng.random((4, 2, 4)) < 0.6)
    N[1, 0] = 0
    lo, hi = bernstein_box(N, 0.1)
    assert np.all(lo[1, 0] == 0) and np.all(hi[1, 0] == 1)
    n = N.sum(axis=2, keepdims=True)
    p = np.where(n > 0, N / np.maximum(n, 1), lo)
    assert np.all(lo <= p) and np.all(p <= hi)
    assert np.all(lo.sum(axis=2) <= 1 + 1e-12) and np.all(hi.sum(axis=2) >= 1 - 1e-12)
    e_lo, e_hi = empirical_box(N)
    assert np.array_equal(e_lo[1, 0], np.eye(4)[1]) and np.array_equal(e_lo, e_hi)


def test_bernstein_width_shrinks_like_one_over_sqrt_n_and_its_slips_are_switchable():
    row = np.array([30.0, 70.0])
    w = [bernstein_width(row * k, np.array([100.0 * k]), 2, 1, 0.1)[0] for k in (1, 100, 10_000)]
    assert w[0] > w[1] > w[2] and 8 < w[1] / w[2] < 11                       # ~ sqrt(100) (logs grow)
    with mutants.activated("evi-ssp.bernstein-no-variance"):
        assert bernstein_width(row * 10_000, np.array([1e6]), 2, 1, 0.1)[0] < w[2] / 10


@pytest.mark.parametrize("bad, match", [(np.full((2, 1, 2), -1), "non-negative"), (np.full((2, 1, 2), 0.5), "integer"),
                                        (np.zeros((2, 2)), "shape"), (np.zeros((2, 1, 3)), "shape")])
def test_bernstein_box_refuses_bad_counts(bad, match):
    with pytest.raises(ValueError, match=match):
        bernstein_box(bad, 0.1)
    with pytest.raises(ValueError, match="delta"):
        bernstein_box(np.zeros((2, 1, 2), dtype=int), 1.5)


# ---------------------------------------------------------------------------------- the collection loop
@settings(max_examples=15)
@given(seed=st.integers(0, 2**32 - 1), online=st.booleans())
def test_every_requirement_is_met_when_gosprl_stops(seed, online):
    rng = np.random.default_rng(seed)
    S, A = int(rng.integers(2, 6)), int(rng.integers(1, 4))
    mdp, D = communicating_garnet(S, A, 2, rng)
    b = rng.integers(0, 4, (S, A))
    b[rng.random(S) < 0.3] = 0                                                # zero rows
    req = (lambda data: b + (np.asarray(data.transitions) > 0).sum(axis=2)) if online else b
    res = gosprl(mdp, req, rng, max_steps=200_000)
    N = _recount(res, S, A)
    assert res.status == "satisfied" and np.array_equal(N, res.counts)
    final = b + (np.bincount(((res.states[:-1] * A + res.actions) * S + res.states[1:]), minlength=S * A * S)
                 .reshape(S, A, S) > 0).sum(axis=2) if online else b
    assert np.all(N >= final) and np.array_equal(res.requirement, final)
    assert res.C == len(res.actions) == len(res.states) - 1 and res.satisfied


@pytest.mark.parametrize("agent", ["gosprl", "empirical", "random-walk"])
@pytest.mark.parametrize("L, b", [(2, 5), (4, 12)])
def test_reset_chain_needs_exactly_b_times_L_plus_one_steps_at_least(agent, L, b):
    mdp = reset_chain(L)
    assert solvers.diameter(mdp) == L
    req = np.zeros((L + 1, 2), dtype=np.int64)
    req[L, 0] = b
    res = collect(mdp, req, 1, agent=agent, max_steps=100_000)
    assert res.satisfied and res.C >= b * (L + 1)


def test_a_strategy_that_knows_the_chain_meets_the_lower_bound_exactly():
    """The lower bound is attained: the loop's bookkeeping and the bound agree on the optimal strategy. GOSPRL
    without optimism on a chain it has learned plays it: its excess over b (L + 1) stops growing with b."""
    L = 3
    mdp = reset_chain(L)
    ex = []
    for b in (8, 64):
        req = np.zeros((L + 1, 2), dtype=np.int64)
        req[L, 0] = b
        ex.append(collect(mdp, req, 0, agent="empirical").C - b * (L + 1))
    assert ex[0] == ex[1] >= 0


def test_gosprl_is_deterministic_given_the_seed_and_its_result_is_read_only():
    mdp = riverswim(4)
    b = np.full((4, 2), 3)
    r1, r2 = gosprl(mdp, b, 7), gosprl(mdp, b, np.random.default_rng(7))
    assert r1.C == r2.C and np.array_equal(r1.states, r2.states) and np.array_equal(r1.policy, r2.policy)
    with pytest.raises(ValueError):
        r1.counts[0, 0] = 5
    assert "requirement met" in r1.message and r1.method == "GOSPRL" and r1.params["delta"] == 0.1
    assert r1.wall_time > 0 and set(r1.phase_times) == {"planning", "loop"}


def test_a_zero_requirement_stops_at_once():
    res = gosprl(riverswim(3), np.zeros((3, 2), dtype=int), 0)
    assert res.C == 0 and res.status == "satisfied" and res.states.tolist() == [0]


def test_both_planner_backends_collect_the_same_trajectory():
    mdp = gridworld(3, success_prob=0.8)
    b = np.full((9, 4), 2)
    r1, r2 = gosprl(mdp, b, 3, backend="numba"), gosprl(mdp, b, 3, backend="numpy")
    assert np.array_equal(r1.actions, r2.actions)


# ------------------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("bad, err, match", [
    (-np.ones((3, 2)), ValueError, "negative"),
    (np.full((3, 2), 2.5), ValueError, "not an integer"),
    (np.full((3, 2), np.nan), ValueError, "non-finite"),
    (np.full((3, 2), np.inf), ValueError, "non-finite"),
    (np.ones((3, 2), dtype=bool), TypeError, "boolean"),
    (np.ones((2, 2)), ValueError, "shape"),
    ("1", TypeError, "requirements"),
    (np.ones((3, 2)) + 0j, TypeError, "dtype"),
    ([[1, 1], [1]], ValueError, "rectangular"),
])
def test_bad_requirements_are_clear_errors(bad, err, match):
    with pytest.raises(err, match=match):
        gosprl(riverswim(3), bad, 0)


def test_integral_floats_and_lists_are_accepted_as_requirements():
    assert check_requirement([[1.0, 2.0]], 1, 2).tolist() == [[1, 2]]
    assert gosprl(riverswim(3), np.full((3, 2), 2.0), 0).satisfied


def test_an_online_requirement_returning_garbage_is_named():
    with pytest.raises(ValueError, match="online requirement"):
        gosprl(riverswim(3), lambda data: -np.ones((3, 2)), 0)
    with pytest.raises(ValueError, match="online requirement"):
        gosprl(riverswim(3), lambda data: np.ones((2, 2)), 0)


def _two_islands() -> FiniteMDP:
    """0 <-> 1 and 2 <-> 3, no edge between the islands: not communicating."""
    P = np.zeros((4, 1, 4))
    P[0, 0, 1] = P[1, 0, 0] = P[2, 0, 3] = P[3, 0, 2] = 1.0
    return FiniteMDP(P, np.zeros((4, 1)), None, np.eye(4)[0])


def test_an_unreachable_required_pair_is_a_clear_error_naming_it():
    b = np.zeros((4, 1), dtype=int)
    b[3, 0] = 2
    for agent in ("gosprl", "empirical", "random-walk"):
        with pytest.raises(UnreachableRequirementError, match=r"requirements\[3, 0\].*state 3"):
            collect(_two_islands(), b, 0, agent=agent)


def test_an_unreachable_pair_without_the_check_stops_at_max_steps_with_its_status():
    b = np.zeros((4, 1), dtype=int)
    b[3, 0] = 2
    res = gosprl(_two_islands(), b, 0, check_reachable=False, max_steps=500)
    assert res.status == "max_steps" and res.C == 500 and not res.satisfied and "NOT met" in res.message


def test_a_trap_reachable_with_positive_probability_is_refused_too():
    """From 0, action 0 falls into an absorbing state 2 half of the time: a requirement at 1 is not surely
    collectable, although every state is reachable from the start."""
    P = np.zeros((3, 2, 3))
    P[0, 0, [1, 2]] = 0.5
    P[0, 1, 0] = P[1, :, 0] = P[2, :, 2] = 1.0
    mdp = FiniteMDP(P, np.zeros((3, 2)), None, np.eye(3)[0])
    b = np.zeros((3, 2), dtype=int)
    b[1, 1] = 1
    with pytest.raises(UnreachableRequirementError, match="from state 2"):
        gosprl(mdp, b, 0)


@pytest.mark.parametrize("kw, name", [
    ({"delta": 0.0}, "delta"), ({"delta": 1.0}, "delta"), ({"max_steps": 0}, "max_steps"),
    ({"max_steps": 2.5}, "max_steps"), ({"start": 7}, "start"), ({"start": True}, "start"),
    ({"rewards": "random"}, "rewards"), ({"backend": "cuda"}, "backend"), ({"plan_tol": -1.0}, "plan_tol"),
    ({"c1": float("nan")}, "c1"), ({"plan_check_every": 0}, "plan_check_every"), ({"agent": "ucrl"}, "agent")])
def test_collection_arguments_are_checked(kw, name):
    with pytest.raises((ValueError, TypeError), match=name):
        collect(riverswim(3), np.ones((3, 2), dtype=int), 0, **kw)


def test_env_and_rng_are_checked():
    with pytest.raises(TypeError, match="env must be an mdptheory.FiniteMDP"):
        gosprl(riverswim(3, H=4), np.ones((3, 2), dtype=int), 0)
    with pytest.raises(ValueError, match="rng"):
        gosprl(riverswim(3), np.ones((3, 2), dtype=int), -1)


@pytest.mark.parametrize("label, value", NOT_A_NUMBER)
def test_scalar_arguments_refuse_what_is_not_a_number(label, value):
    for name in ("delta", "plan_tol", "c1"):
        clear_error_or(lambda: collect(riverswim(3), np.ones((3, 2), dtype=int), 0, max_steps=100, **{name: value}),
                       [name], must_fail=True)


@given(seed=st.integers(0, 2**32 - 1), where=st.sampled_from(["neg", "frac", "nan", "shape"]))
def test_fuzzed_requirements_raise_naming_them(seed, where):
    rng = np.random.default_rng(seed)
    b = rng.integers(0, 3, (3, 2)).astype(float)
    i = tuple(int(j) for j in rng.integers(0, (3, 2)))
    if where == "neg":
        b[i] = -rng.integers(1, 5)
    elif where == "frac":
        b[i] += rng.uniform(0.01, 0.99)
    elif where == "nan":
        b[i] = np.nan
    else:
        b = b[:, :1]
    clear_error_or(lambda: gosprl(riverswim(3), b, 0), ["requirements"], must_fail=True)


def test_mutants_are_registered_and_a_stuck_mutant_still_terminates():
    names = {m.name for m in mutants.of("gosprl")} | {m.name for m in mutants.of("evi-ssp")}
    assert {"gosprl.replan-attempts-only", "gosprl.goal-not-shrinking", "gosprl.action-ignores-counts",
            "gosprl.requirement-off-by-one", "evi-ssp.bernstein-no-variance", "evi-ssp.bernstein-n-not-sqrt",
            "evi-ssp.unvisited-pessimistic"} <= names
    with mutants.activated("gosprl.replan-attempts-only"):
        res = gosprl(reset_chain(3), np.array([[0, 0]] * 3 + [[4, 0]]), 0, max_steps=2_000)
    assert res.status == "max_steps" and res.C == 2_000


# ----------------------------------------------------------------------------------------- applications
def test_weissman_and_treasure_requirements_match_their_formulas():
    b = weissman_requirement(4, 2, 0.2, 0.1)
    assert b.shape == (4, 2) and b[0, 0] == int(np.ceil(2 * (4 * np.log(2) + np.log(80)) / 0.04))
    assert weissman_requirement(4, 2, 0.2, 0.1, support=2)[0, 0] < b[0, 0]
    assert treasure_requirement(3, 2).tolist() == [[1, 1]] * 3
    assert treasure_requirement(3, 2, 0.2, 0.1)[0, 0] == int(np.ceil(np.log(60) / 0.2))
    assert pac_requirement(3, 2, 0.5, 0.3, 0.1)[0, 0] == weissman_requirement(3, 2, 0.3 * 0.25 / 0.5, 0.1)[0, 0]
    for bad in ({"eta": 0.0}, {"eta": 3.0}, {"delta": 1.0}, {"support": 5}):
        with pytest.raises((ValueError, TypeError), match=next(iter(bad))):
            weissman_requirement(**{"S": 4, "A": 2, "eta": 0.2, "delta": 0.1, **bad})
    with pytest.raises(ValueError, match="delta is required"):
        treasure_requirement(3, 2, 0.2)


def test_adaptive_model_estimation_stops_with_every_width_below_eta():
    mdp = garnet(3, 2, 2, rng=1, gamma=None)
    mdp = FiniteMDP(mdp.P, mdp.R, None, np.eye(3)[0])
    est = estimate_model(mdp, 1.2, 0.1, rng=0)
    res = est.collection
    rule = AdaptiveModelEstimation(1.2, 0.1)
    assert res.satisfied
    assert max(rule.width(res.transitions[s, a], 3, 2) for s in range(3) for a in range(2)) <= 1.2
    assert model_error(est.P_hat, mdp) <= 1.2


def test_treasure_discovery_finds_a_deterministic_treasure():
    mdp = riverswim(3, r_left=0.0, r_right=1.0)
    hunt = discover_treasures(mdp, 0)
    assert hunt.found.tolist() == [[False, False], [False, False], [False, True]]


def test_pac_planning_returns_an_eps_optimal_policy():
    mdp = garnet(3, 2, 2, rng=4, gamma=None)
    mdp = FiniteMDP(mdp.P, mdp.R, None, np.eye(3)[0])
    gamma, eps = 0.5, 0.3
    plan = pac_planning(mdp, gamma, eps, 0.1, 0)
    disc = mdp.with_gamma(gamma)
    v_star = solvers.policy_iteration(disc).V
    v_pi = solvers.policy_evaluation(disc, plan.policy).V
    assert np.all(v_star - v_pi <= eps)


def test_bounds_of_the_paper_evaluate():
    from bounds.gosprl import COLLECTION_TIME, RESET_LOWER, WEISSMAN
    assert COLLECTION_TIME.hidden_constant and COLLECTION_TIME.provenance == "A"
    assert COLLECTION_TIME.evaluate(B=10, D=4, S=3, A=2) == pytest.approx(40 + 8 * 18)
    assert RESET_LOWER.kind == "lower" and RESET_LOWER.evaluate(b=4, L=3) == 16
    assert WEISSMAN.evaluate(Gamma=4, S=4, A=2, delta=0.1, eta=0.2) == pytest.approx(
        2 * (4 * np.log(2) + np.log(80)) / 0.04)


def test_the_evi_warns_but_returns_when_it_does_not_converge():
    P = riverswim(4).dense_P()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        res = ssp_extended_value_iteration(P, P, [3], tol=1e-12, max_iter=2)
    assert res.status == "max_iter" and w
