"""Action grouping (issue 20): groupings and their validation, the lifted MDP, the decomposition, the dissimilarities
and the approximation bound, the dendrogram family, Algorithm 1, the budgeted selection against brute force, the
bounds' SymPy forms, the environments, and bad input."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import solvers
from bounds.grouping import APPROXIMATION, ESTIMATION, OPTIMIZATION, TOTAL
from experiments import grouping_truth as truth
from mdptheory import FiniteMDP, Grouping, mutants
from mdptheory.envs import garnet, hierarchical_actions, hierarchical_grouping, reward_twins, transition_fork
from mdptheory.grouping import (compose, decompose, dissimilarities, lift, nested_groupings, pointwise_weight,
                                uniform_lower_level, validate_lower_level)
from solvers.grouping import (approximation_term, estimation_term, grouped_planning, optimization_term,
                              samples_per_pair, select_grouping, sweeps_for_budget)
from strategies import random_kernel, seeds


def _mdp(seed: int, S: int = 5, A: int = 6, gamma: float = 0.8) -> FiniteMDP:
    rng = np.random.default_rng(seed)
    return FiniteMDP(random_kernel(rng, (S, A, S), 0.6), rng.random((S, A)), gamma)


def _random_grouping(rng: np.random.Generator, S: int, A: int, G: int, state_dependent: bool) -> Grouping:
    def one():
        lab = np.concatenate([np.arange(G), rng.integers(0, G, A - G)])
        return rng.permutation(lab)
    return Grouping(np.stack([one() for _ in range(S)]) if state_dependent else one())


def _random_h(rng: np.random.Generator, grouping: Grouping, S: int) -> np.ndarray:
    w = rng.random((S, grouping.G, grouping.A)) + 0.1
    w *= uniform_lower_level(grouping, S) > 0
    return w / w.sum(axis=-1, keepdims=True)


groupings = st.tuples(seeds, st.integers(1, 6), st.booleans(), st.booleans())


def _instance(args, gamma: float = 0.8):
    """A random MDP (S = 4, A = 6), a random grouping and a random lower level from ``groupings``' draw."""
    seed, G, state_dep, _ = args
    rng = np.random.default_rng(seed)
    mdp = _mdp(seed % 1000, S=4, A=6, gamma=gamma)
    g = _random_grouping(rng, mdp.S, mdp.A, G, state_dep)
    return mdp, g, _random_h(rng, g, mdp.S), rng


# ------------------------------------------------------------------------------------------ validation
def test_from_groups_and_views():
    g = Grouping.from_groups([[0, 3], [1], [2, 4]], A=5)
    assert g.G == 3 and g.A == 5 and g.labels.tolist() == [0, 1, 2, 0, 2] and not g.state_dependent
    assert [x.tolist() for x in g.groups()] == [[0, 3], [1], [2, 4]]
    assert g.sizes(2).tolist() == [[2, 1, 2], [2, 1, 2]]
    sd = Grouping.from_groups([[[0, 1], [2]], [[0], [1, 2]]], A=3, state_dependent=True)
    assert sd.state_dependent and sd.labels.tolist() == [[0, 0, 1], [0, 1, 1]]
    assert Grouping(np.array([1, 1, 0])).same_partition(Grouping(np.array([0, 0, 1])))
    assert not Grouping(np.array([0, 1, 1])).same_partition(Grouping(np.array([0, 0, 1])))
    with pytest.raises(ValueError):
        g.labels[0] = 1  # read-only


@pytest.mark.parametrize("groups, match", [
    ([[0, 1], [3]], r"actions \[2\] are in no group"),
    ([[0, 1], [1, 2, 3]], r"action 1 is in groups 0 and 1"),
    ([[0, 0, 1], [2, 3]], r"action 0 is twice in the same group"),
    ([[0, 1], [2, 3, 4]], r"action 4, not an action of 0 .. A-1 = 3"),
    ([[0, 1, 2, 3], []], r"groups\[1\] is empty"),
    ([[0, 1], [2, -3]], r"action -3"),
])
def test_a_grouping_that_misses_or_repeats_an_action_is_refused(groups, match):
    with pytest.raises(ValueError, match=match):
        Grouping.from_groups(groups, A=4)


def test_bad_labels_and_mismatches():
    with pytest.raises(ValueError, match="group 1 is empty"):
        Grouping(np.array([0, 2, 2]))
    with pytest.raises(ValueError, match="group 1 is empty at state 1"):
        Grouping(np.array([[0, 1], [0, 0]]))
    with pytest.raises(ValueError, match="negative"):
        Grouping(np.array([0, -1]))
    with pytest.raises(TypeError, match="integer group labels"):
        Grouping(np.array([0.5, 1.0]))
    with pytest.raises(TypeError, match="integer group labels"):
        Grouping(np.array(["a", "b"]))
    assert Grouping(np.array([0.0, 1.0])).G == 2  # integral floats are labels
    with pytest.raises(ValueError, match="same number of groups at every state"):
        Grouping.from_groups([[[0, 1]], [[0], [1]]], A=2, state_dependent=True)
    mdp = _mdp(0, S=3, A=4)
    with pytest.raises(ValueError, match="A = 3 actions but the MDP has A = 4"):
        lift(mdp, Grouping(np.array([0, 1, 1])))
    with pytest.raises(ValueError, match="labels for 2 states but the MDP has S = 3"):
        lift(mdp, Grouping(np.array([[0, 1, 1, 0], [0, 1, 0, 0]])))


def test_lower_level_policy_validation():
    g = Grouping.from_groups([[0, 1], [2]], A=3)
    h = uniform_lower_level(g, 2)
    assert np.allclose(h[:, 0], [0.5, 0.5, 0.0]) and np.allclose(h[:, 1], [0, 0, 1])
    bad = h.copy()
    bad[1, 0] = [0.5, 0.25, 0.25]
    with pytest.raises(ValueError, match=r"h\[1, 0, 2\] = 0.25 > 0 but action 2 is not in group 0"):
        validate_lower_level(bad, g, 2)
    with pytest.raises(ValueError, match="shape"):
        validate_lower_level(h[:1], g, 2)
    off = h.copy()
    off[0, 0, 0] = 0.6
    with pytest.raises(ValueError, match="sums to"):
        validate_lower_level(off, g, 2)


# ------------------------------------------------------------------------------------------ lifted MDP
def test_singletons_give_back_the_mdp_and_one_group_the_lower_level_policy():
    mdp = _mdp(1)
    L = lift(mdp, Grouping.singletons(mdp.A))
    assert np.array_equal(L.P, mdp.P) and np.array_equal(L.R, mdp.R)
    one = lift(mdp, Grouping.one_group(mdp.A))
    uniform = np.full((mdp.S, mdp.A), 1.0 / mdp.A)
    expected = truth.policy_value(mdp.P, mdp.R, mdp.gamma, uniform)  # dense solve, independent of the library
    assert one.A == 1
    assert np.allclose(solvers.policy_evaluation(one, np.zeros(mdp.S, dtype=np.int64)).V, expected, atol=1e-10)


@given(groupings)
def test_lifted_model_is_the_group_mixture_and_plays_at_its_value(args):
    mdp, g, h, rng = _instance(args)
    G, sparse = g.G, args[3]
    M = mdp.to_sparse() if sparse else mdp
    L = lift(M, g, h)
    assert L.is_sparse == sparse
    P_ind = np.einsum("sia,sat->sit", h, mdp.P)
    assert np.allclose(L.dense_P(), P_ind, atol=1e-14) and np.allclose(L.R, np.einsum("sia,sa->si", h, mdp.R))
    if np.allclose(h, uniform_lower_level(g, mdp.S)):
        P_u, R_u = truth.group_means(mdp.P, mdp.R, g.labels)
        assert np.allclose(L.dense_P(), P_u) and np.allclose(L.R, R_u)
    hi = rng.integers(0, G, mdp.S)
    v_lift = truth.policy_value(L.dense_P(), np.asarray(L.R), mdp.gamma, hi)
    v_played = solvers.policy_evaluation(mdp, compose(hi, h)).V
    assert np.allclose(v_played, v_lift, atol=1e-9)


@given(groupings)
def test_decomposition_identity(args):
    mdp, g, h, _ = _instance(args)
    d = decompose(mdp, g, h)
    P, R = d.reconstruct()
    assert np.allclose(P, mdp.P, atol=1e-15) and np.allclose(R, mdp.R, atol=1e-15)
    assert np.allclose(d.delta_P.sum(axis=-1), 0.0, atol=1e-14)
    # residuals average to zero under h within every group
    assert np.allclose(np.einsum("sia,sat->sit", h, d.delta_P), 0.0, atol=1e-14)
    assert np.allclose(np.einsum("sia,sa->si", h, d.delta_R), 0.0, atol=1e-14)


@given(groupings, st.sampled_from([0.0, 0.5, 0.9]))
def test_approximation_bound_holds_for_any_lower_level(args, gamma):
    mdp, g, h, _ = _instance(args, gamma)
    ref, sol = solvers.solve(mdp, tol=1e-10), solvers.solve(lift(mdp, g, h), tol=1e-10)
    gap = np.asarray(ref.V) - np.asarray(sol.V)
    slack = ref.error_bound + sol.error_bound
    d = dissimilarities(mdp, g, h)
    assert gap.min() >= -slack  # the lifted MDP cannot beat M
    assert gap.max() <= d.pointwise / (1 - gamma) + slack
    assert d.pointwise <= d.eps_R + pointwise_weight(gamma) * d.eps_P + 1e-12
    assert gap.max() <= APPROXIMATION.evaluate(epsilon_R=d.eps_R, epsilon_P=d.eps_P, gamma=gamma) + slack


def test_tight_instances():
    for gamma in (0.5, 0.9):
        mdp = reward_twins(gamma)
        gap = solvers.solve(mdp).V[0] - solvers.solve(lift(mdp, Grouping.one_group(2))).V[0]
        d = dissimilarities(mdp, Grouping.one_group(2))
        assert gap == pytest.approx(0.5 / (1 - gamma), rel=1e-8)
        assert APPROXIMATION.evaluate(epsilon_R=d.eps_R, epsilon_P=d.eps_P, gamma=gamma) == pytest.approx(gap, rel=1e-8)
    mdp = transition_fork(8, 0.5)
    d = dissimilarities(mdp, Grouping.one_group(2))
    gap = solvers.solve(mdp).V[0] - solvers.solve(lift(mdp, Grouping.one_group(2))).V[0]
    assert (d.eps_R, d.eps_P) == (0.0, pytest.approx(1.0))
    assert gap == pytest.approx(0.5 / (2 * 0.5), rel=1e-8)


def test_hierarchical_mdp_is_exactly_grouped_at_rho_0():
    mdp = hierarchical_actions(S=6, n_coarse=3, n_fine=4, rho=0.0, rng=3)
    g = hierarchical_grouping(3, 4)
    d = dissimilarities(mdp, g)
    assert max(d.eps_P, d.eps_R) <= 1e-15
    assert np.allclose(solvers.solve(lift(mdp, g)).V, solvers.solve(mdp).V, atol=1e-7)
    fam = nested_groupings(mdp.P, mdp.R, pointwise_weight(mdp.gamma))
    assert fam.cut(3).same_partition(g) and fam.height(3) == 0.0 and fam.height(2) > 0
    rough = hierarchical_actions(S=6, n_coarse=3, n_fine=4, rho=0.3, rng=3)
    assert np.all((rough.R >= 0) & (rough.R <= 1)) and dissimilarities(rough, g).eps_P > 0


# ------------------------------------------------------------------------------------------ dendrogram family
@given(seeds, st.sampled_from([0.3, 0.9]))
def test_cut_dissimilarity_lies_between_half_the_height_and_the_height(seed, gamma):
    mdp = _mdp(seed % 1000, S=4, A=7, gamma=gamma)
    fam = nested_groupings(mdp.P, mdp.R, pointwise_weight(gamma))
    heights = fam.heights()
    assert np.all(np.diff(heights) <= 0) and heights[-1] == 0.0
    assert fam.cut(1).G == 1 and fam.cut(mdp.A).same_partition(Grouping.singletons(mdp.A))
    D = truth.distances(mdp.P, mdp.R, truth.weight(gamma))
    Z = truth.linkage(mdp.P, mdp.R, truth.weight(gamma))
    assert np.allclose(Z[:, 2], fam.Z[:, 2], rtol=1e-12, atol=1e-15)
    for G in range(1, mdp.A + 1):
        cut = fam.cut(G)
        assert cut.G == G and cut.same_partition(Grouping(truth.scipy_cut(fam.Z, G)))
        eps = dissimilarities(mdp, cut).pointwise
        assert fam.height(G) / 2 - 1e-12 <= eps <= fam.height(G) + 1e-12
        diam = max((D[np.ix_(m, m)].max() for m in cut.groups()), default=0.0)
        assert diam == pytest.approx(fam.height(G), abs=1e-12)


# ------------------------------------------------------------------------------------------ Algorithm 1
def test_algorithm1_counts_determinism_and_consistency():
    mdp = hierarchical_actions(S=6, n_coarse=2, n_fine=3, rho=0.2, rng=0)
    g = hierarchical_grouping(2, 3)
    a = grouped_planning(mdp, g, N=25, K=4, rng=7)
    b = grouped_planning(mdp, g, N=25, K=4, rng=7)
    assert np.array_equal(a.policy, b.policy) and np.array_equal(a.action_counts, b.action_counts)
    assert a.samples == 25 * 6 * 2 == int(a.action_counts.sum()) and a.iterations == 4
    counts = a.lifted_estimate.dense_P() * 25
    assert np.allclose(counts, np.round(counts), rtol=0, atol=1e-12) and np.allclose(counts.sum(-1), 25)
    assert "G = 2 groups" in a.message and a.method == "grouping-algorithm1"
    # with many samples and sweeps the played policy is optimal in the lifted MDP (its value = V*_g)
    big = grouped_planning(mdp, g, N=200_000, K=300, rng=1)
    V_g = solvers.solve(lift(mdp, g)).V
    assert np.allclose(big.value, V_g, atol=1e-6)
    noisy = grouped_planning(mdp, g, N=50, K=3, rng=2, reward_noise="bernoulli")
    assert np.all((noisy.lifted_estimate.R >= 0) & (noisy.lifted_estimate.R <= 1))


def test_algorithm1_bad_input():
    mdp = hierarchical_actions(S=4, n_coarse=2, n_fine=2, rho=0.2, rng=0)
    g = hierarchical_grouping(2, 2)
    with pytest.raises(ValueError, match="N must be >= 1"):
        grouped_planning(mdp, g, N=0, K=3)
    with pytest.raises(ValueError, match="K must be >= 1"):
        grouped_planning(mdp, g, N=3, K=0)
    with pytest.raises(TypeError, match="N must be an integer"):
        grouped_planning(mdp, g, N=2.5, K=3)
    with pytest.raises(ValueError, match="reward_noise"):
        grouped_planning(mdp, g, N=3, K=3, reward_noise="gauss")
    neg = FiniteMDP(mdp.P, mdp.R - 1.0, 0.9)
    with pytest.raises(ValueError, match="rewards in \\[0, 1\\]"):
        grouped_planning(neg, g, N=3, K=3, reward_noise="bernoulli")
    with pytest.raises(TypeError, match="grouping must be"):
        grouped_planning(mdp, [[0, 1], [2, 3]], N=3, K=3)
    with pytest.raises(ValueError, match="discounted"):
        grouped_planning(mdp.with_gamma(None), g, N=3, K=3)


# ------------------------------------------------------------------------------------------ selection
def test_budgets_below_one_sample_per_pair_or_one_sweep_are_refused():
    assert samples_per_pair(160, 20, 8) == 1 and sweeps_for_budget(3200, 20, 8) == 1
    with pytest.raises(ValueError, match=r"B_s = 159 buys fewer than one sample per \(state, group\) pair: "
                                         r"S \* G = 20 \* 8 = 160; raise B_s to at least 160"):
        samples_per_pair(159, 20, 8)
    with pytest.raises(ValueError, match=r"B_c = 3199 buys less than one value-iteration sweep.*at least 3200"):
        sweeps_for_budget(3199, 20, 8)
    mdp = hierarchical_actions(S=5, n_coarse=2, n_fine=3, rho=0.2, rng=0)
    with pytest.raises(ValueError, match="B_s = 4 buys fewer than one sample"):
        select_grouping(mdp, B_s=4, B_c=1e6)
    with pytest.raises(ValueError, match="B_c = 24 buys less than one value-iteration sweep"):
        select_grouping(mdp, B_s=1e4, B_c=24)
    for bad in (0, -5, float("nan"), "100", None):
        with pytest.raises((ValueError, TypeError), match="B_s"):
            samples_per_pair(bad, 5, 2)
    with pytest.raises(ValueError, match="not both"):
        select_grouping(mdp, B_s=1e4, B_c=1e6, lam_s=1.0, lam_c=1.0)
    with pytest.raises(ValueError, match="both B_s"):
        select_grouping(mdp, B_s=1e4)
    with pytest.raises(ValueError, match="both lam_s and lam_c"):
        select_grouping(mdp, lam_s=1e-3)
    with pytest.raises(ValueError, match="G_max must be >= 1"):
        select_grouping(mdp, B_s=1e4, B_c=1e6, G_max=0)
    with pytest.raises(ValueError, match="delta"):
        select_grouping(mdp, B_s=1e4, B_c=1e6, delta=1.0)


@given(st.integers(1, 50), st.integers(1, 30), st.integers(1, 10))
def test_budget_floors(S, G, mult):
    assert samples_per_pair(S * G * mult + (S * G - 1), S, G) == mult
    with pytest.raises(ValueError, match="B_s"):
        samples_per_pair(S * G - 0.5, S, G)
    assert sweeps_for_budget(S * S * G * mult, S, G) == mult


@pytest.mark.parametrize("form", ["budget", "lagrangian"])
def test_selection_matches_brute_force_over_every_cut(form):
    mdp = hierarchical_actions(S=5, n_coarse=3, n_fine=4, rho=0.2, rng=4, gamma=0.8)
    G_max, delta = 5, 0.1
    kw = dict(B_s=3000, B_c=4000) if form == "budget" else dict(lam_s=1e-4, lam_c=1e-6)
    sel = select_grouping(mdp, G_max=G_max, delta=delta, **kw)
    S, A, gamma = mdp.S, mdp.A, mdp.gamma
    Z = truth.linkage(mdp.P, mdp.R, truth.weight(gamma))
    eps = truth.pointwise_of_cuts(mdp.P, mdp.R, Z, truth.weight(gamma))
    heights = np.concatenate([Z[::-1, 2], [0.0]])
    best = math.inf
    for G in range(1, A + 1):
        if form == "budget":
            N, K = truth.budget_N(3000, S, G), truth.budget_K(4000, S, G)
            if N < 1 or K < 1:
                continue
            rest = float(ESTIMATION.evaluate(S=S, G=G, N=N, gamma=gamma, delta=delta)
                         + OPTIMIZATION.evaluate(K=K, gamma=gamma))
        else:
            Ns, Ks = np.arange(1, 20_001.0), np.arange(1, 3001.0)
            rest = float((ESTIMATION.evaluate(S=S, G=G, N=Ns, gamma=gamma, delta=delta) + 1e-4 * S * G * Ns).min()
                         + (OPTIMIZATION.evaluate(K=Ks, gamma=gamma) + 1e-6 * S * S * G * Ks).min())
        exact = eps[G - 1] / (1 - gamma) + rest
        best = min(best, exact)
        if G == sel.G:
            assert sel.exact_objective == pytest.approx(exact, rel=1e-9)
            assert sel.objective == pytest.approx(heights[G - 1] / (1 - gamma) + rest, rel=1e-9)
    assert sel.exact_objective - best <= sel.gap + 1e-9
    assert sel.G <= G_max and sel.n_evaluations <= G_max + 1 and sel.grouping.G == sel.G
    assert sel.lower_bound <= best + 1e-9
    assert "within" in sel.message and sel.policy is None


def test_selection_cost_does_not_grow_with_the_actions():
    counts = []
    for n_fine in (4, 32):
        mdp = hierarchical_actions(S=4, n_coarse=4, n_fine=n_fine, rho=0.1, rng=0)
        counts.append(select_grouping(mdp, B_s=1e5, B_c=1e6, G_max=8).n_evaluations)
    assert counts == [9, 9]
    with mutants.activated("grouping-selection.scan-all-cuts"):
        mdp = hierarchical_actions(S=4, n_coarse=4, n_fine=32, rho=0.1, rng=0)
        assert select_grouping(mdp, B_s=1e5, B_c=1e6, G_max=8).n_evaluations > 9


def test_selection_from_a_pilot_sample():
    mdp = hierarchical_actions(S=5, n_coarse=3, n_fine=3, rho=0.0, rng=2)
    sel = select_grouping(mdp, B_s=2e4, B_c=1e6, G_max=9, pilot_samples=400, rng=0)
    assert sel.pilot_samples == 400 * mdp.S * mdp.A and sel.exact_objective is None
    assert sel.G >= 1 and sel.family.A == mdp.A


def test_bounds_match_the_numeric_terms():
    S, G, N, K, gamma, delta = 20, 8, np.array([1, 10, 1000]), np.array([1, 5, 50]), 0.9, 0.05
    assert np.allclose(ESTIMATION.evaluate(S=S, G=G, N=N, gamma=gamma, delta=delta),
                       estimation_term(N, S, G, gamma, delta), rtol=1e-13)
    assert np.allclose(OPTIMIZATION.evaluate(K=K, gamma=gamma), optimization_term(K, gamma), rtol=1e-13)
    assert approximation_term(0.3, gamma) == pytest.approx(3.0)
    total = TOTAL.evaluate(epsilon=0.3, S=S, G=G, N=10, K=5, gamma=gamma, delta=delta)
    assert total == pytest.approx(3.0 + estimation_term(10, S, G, gamma, delta) + optimization_term(5, gamma))


# ------------------------------------------------------------------------------------------ fuzzed bad input
@given(seeds, st.integers(2, 12), st.integers(1, 5), st.sampled_from(["drop", "repeat", "out-of-range"]))
def test_fuzz_groupings_that_miss_or_repeat_an_action(seed, A, G, kind):
    rng = np.random.default_rng(seed)
    G = min(G, A)
    labels = rng.permutation(np.concatenate([np.arange(G), rng.integers(0, G, A - G)]))
    groups = [list(np.flatnonzero(labels == i)) for i in range(G)]
    assert Grouping.from_groups(groups, A=A).same_partition(Grouping(labels))
    a = int(rng.integers(A))
    if kind == "drop":
        groups[labels[a]].remove(a)
        match = rf"actions \[{a}\] are in no group|is empty"
    elif kind == "repeat":
        groups[int(rng.integers(G))].append(a)
        match = rf"action {a} is (twice in the same group|in groups)"
    else:
        groups[int(rng.integers(G))].append(A + a)
        match = rf"action {A + a}, not an action"
    with pytest.raises(ValueError, match=match):
        Grouping.from_groups(groups, A=A)


@given(st.integers(1, 30), st.integers(1, 20), st.floats(0.0, 1.0, exclude_max=True))
def test_fuzz_budgets_below_one_sample_per_pair(S, G, frac):
    with pytest.raises(ValueError, match="B_s"):
        samples_per_pair(frac * S * G, S, G)
    with pytest.raises(ValueError, match="B_c"):
        sweeps_for_budget(frac * S * S * G, S, G)


def test_k_sweeps_runs_exactly_K_sweeps_without_a_warning():
    """Algorithm 1's planning step: K Jacobi sweeps from 0 (V_K = T^K 0), no ConvergenceWarning when the rounding
    floor comes first, and the floor is the only early stop."""
    from solvers.grouping import k_sweeps

    mdp = garnet(12, 3, 4, rng=3, gamma=0.9)
    V = [np.zeros(mdp.S)]
    for _ in range(7):
        V.append((mdp.R + mdp.gamma * (mdp.P @ V[-1])).max(axis=1))
    res = k_sweeps(mdp, 7, backend="numpy")
    assert res.iterations == 7
    d, c = V[7] - V[6], mdp.gamma / (1 - mdp.gamma)       # MacQueen's bracket from the last two iterates
    np.testing.assert_allclose(res.extra["V_lower"], V[7] + c * d.min(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.extra["V_upper"], V[7] + c * d.max(), rtol=0, atol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        long = k_sweeps(mdp, 10_000)                  # the float64 fixed point comes long before 10^4 sweeps
    assert long.iterations < 10_000
    with pytest.raises(ValueError, match="K"):
        k_sweeps(mdp, 0)
