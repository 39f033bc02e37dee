"""Example inputs for every kernel registered in :mod:`mdptheory.backends`, ties included.

``EXAMPLES[name](rng)`` returns a list of argument tuples for the kernel ``name``. ``tests/test_twins.py``
runs the Numba kernel and its NumPy twin on copies of each tuple and compares the outputs and every array
argument afterwards (in-place kernels). A kernel registered without an entry here fails that test.

Ties: planning and learner examples duplicate an action (identical transition rows and rewards), so their
``Q`` values are exactly equal in both backends and the greedy action must be the lowest index in both.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import scipy.sparse as sp

from strategies import random_kernel


def _with_tied_action(P: np.ndarray, R: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Copy action 0 onto the last action (``P (..., S, A, S)``, ``R (..., S, A)``): an exact tie."""
    P, R = P.copy(), R.copy()
    P[..., -1, :] = P[..., 0, :]
    R[..., -1] = R[..., 0]
    return P, R


def _discounted(rng: np.random.Generator):
    for S, A, density in ((1, 1, 1.0), (5, 3, 1.0), (9, 4, 0.3), (40, 3, 0.2)):
        P, R = _with_tied_action(random_kernel(rng, (S, A, S), density), rng.uniform(-1, 1, (S, A)))
        V = rng.uniform(-10, 10, S)
        if S > 4:
            V[:2] = V[2]                       # ties in V too
        for P_flat in (P.reshape(S * A, S), sp.csr_array(P.reshape(S * A, S))):
            yield S, A, P_flat, R, V, float(rng.choice([0.0, 0.5, 0.99]))


def planning_bellman(rng):
    return [(P, R, V, g) for S, A, P, R, V, g in _discounted(rng)]


def planning_policy_sweep(rng):
    out = []
    for S, A, P, R, V, g in _discounted(rng):
        out.append((P, R, rng.integers(A, size=S).astype(np.int64), V, g))
        out.append((P, R, random_kernel(rng, (S, A), 0.5), V, g))
    return out


def planning_policy_chain(rng):
    """Deterministic policies, including the tied (duplicated) last action and the first one."""
    out = []
    for S, A, P, R, V, g in _discounted(rng):
        for pi in (rng.integers(A, size=S), np.full(S, A - 1), np.zeros(S)):
            out.append((P, R, pi.astype(np.int64)))
    return out


def planning_chain_sweeps(rng):
    """k = 0, 1 (odd: the result ends in the scratch buffer and is copied back) and 7 fused sweeps."""
    from solvers import _kernels as K

    out = []
    for S, A, P, R, V, g in _discounted(rng):
        chain = K.policy_chain(P, R, rng.integers(A, size=S).astype(np.int64), backend="numpy")
        for k in (0, 1, 7):
            out.append((chain, V.copy(), g, k))
    return out


def planning_bracket_stats(rng):
    """Values on three scales, ties between entries, a constant difference, a single state, a zero V."""
    out = []
    for S in (1, 7, 200):
        for scale in (1e-3, 1.0, 1e12):
            V = rng.normal(size=S) * scale
            out.append((V, V + rng.normal(size=S) * scale * 1e-3))
            out.append((V, V + 0.25))
    out.append((np.zeros(5), np.array([1.0, -1.0, 1.0, 0.0, -1.0])))
    return out


def planning_gauss_seidel(rng):
    return [(P, R, V.copy(), g) for S, A, P, R, V, g in _discounted(rng)]


def _episodic(rng):
    for H, S, A, stationary in ((1, 1, 1, False), (3, 4, 3, False), (4, 6, 2, True), (2, 30, 3, False)):
        P, R = _with_tied_action(random_kernel(rng, (1 if stationary else H, S, A, S), 0.5),
                                 rng.uniform(0, 1, (H, S, A)))
        V = np.empty((H + 1, S))
        V[H] = rng.uniform(0, 1, S)
        yield H, S, A, P, R, V


def planning_backward_induction(rng):
    return [(P, R, V, np.empty((H, S, A)), np.empty((H, S), np.int64)) for H, S, A, P, R, V in _episodic(rng)]


def planning_policy_evaluation(rng):
    return [(P, R, random_kernel(rng, (H, S, A), 0.5), V, np.empty((H, S, A))) for H, S, A, P, R, V in _episodic(rng)]


def robust_rows(rng):
    """Nominal rows ``P0 (6, S)`` with zeros and values ``V (S,)`` on three scales, every third with ties."""
    for trial in range(12):
        n, S = 6, int(rng.integers(1, 12))
        P0 = rng.dirichlet(np.full(S, 0.5), size=n)
        P0[P0 < 0.05] = 0.0
        P0[:, 0] += 1e-3
        P0 /= P0.sum(axis=1, keepdims=True)
        V = rng.normal(size=S) * rng.choice([0.01, 1.0, 100.0])
        if trial % 3 == 0:
            V = np.round(V)                     # ties
        yield P0, V


def _robust(reg: bool) -> Callable:
    def make(rng):
        out = []
        for P0, V in robust_rows(rng):
            params = [1e-9, 1e-3, 0.1, 1.0, 10.0, np.inf] if reg else [0.0, 1e-3, 0.1, 0.5, 2.0, np.inf]
            out += [(P0, V, rng.choice(params, size=P0.shape[0]), want_p) for want_p in (True, False)]
        return out
    return make


def robust_rows_are_distributions(rng):
    out = []
    for P0, V in robust_rows(rng):
        bad = P0.copy()
        bad[0, 0] += 1e-6
        out += [(P0, V, 1e-9), (bad, V, 1e-9), (P0, np.append(V[:-1], np.nan), 1e-9)]
    return out


def posterior_csr(rng, G, S, A, J, density=0.5, pseudo=True, zero_rows=False):
    """Random CSR posterior weights (ptr, idx, W (nnz, J), Wp (n_rows, J)); ``zero_rows`` emulates underflow."""
    mask = rng.random((G * S * A, S)) < density
    mask[np.arange(G * S * A), rng.integers(S, size=G * S * A)] = True
    rows, idx = np.nonzero(mask)
    ptr = np.zeros(G * S * A + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=G * S * A), out=ptr[1:])
    W = rng.gamma(0.5, size=(len(idx), J))
    Wp = rng.gamma(1.0, size=(G * S * A, J)) if pseudo else np.zeros((G * S * A, J))
    if zero_rows:
        for r in rng.choice(G * S * A, size=max(1, G * S * A // 5), replace=False):
            W[ptr[r]:ptr[r + 1]] = 0.0
            Wp[r] = 0.0
    return ptr, idx.astype(np.int64), W, Wp


def learners_max_sample_backward(rng):
    out = []
    for H, S, A, J, stage, pseudo, zero in ((1, 1, 1, 1, True, False, False), (3, 4, 2, 3, True, True, False),
                                            (4, 5, 3, 2, False, False, True), (2, 6, 2, 5, True, True, True)):
        G = H if stage else 1
        ptr, idx, W, Wp = posterior_csr(rng, G, S, A, J, pseudo=pseudo, zero_rows=zero)
        R = rng.random((H if H % 2 else 1, S, A, J if stage else 1))   # known (JR = 1) and joint (JR = J) rewards
        R[:, :, -1] = R[:, :, 0]                # a tie when the two rows' samples coincide (A = 1: trivial)
        out.append((ptr, idx, W, Wp, R, 2.0 * (H - np.arange(H + 1.0)), np.full(H, float(rng.choice([np.inf, 2.0]))),
                    stage))
    return out


def learners_ucbvi_backward(rng):
    out = []
    for H, S, A, stage, bernstein, theory in ((2, 3, 2, True, False, True), (3, 5, 3, False, True, False),
                                              (4, 4, 2, True, True, True)):
        G = H if stage else 1
        ptr, idx, W, _ = posterior_csr(rng, G, S, A, 1, density=0.6)
        cnt = np.floor(W[:, 0] * 5)
        inv_next = 1.0 / np.maximum(rng.integers(0, 4, (H, S)), 1e-300)
        inv_next[inv_next > 1] = np.inf
        out.append((ptr, idx, cnt, rng.random((H, S, A)), H - np.arange(H, dtype=float), stage, bernstein,
                    7.0 if theory else 0.5, 8.0, 14 / 3, 8.0 if theory else 0.0, 1e4, 3.0, np.full(H, float(H)),
                    float(H), float(S), float(A), inv_next))
    return out


def learners_count_update(rng):
    out = []
    for H, S, A, stage in ((3, 4, 2, True), (5, 3, 2, False), (4, 1, 1, True)):
        states = rng.integers(S, size=H + 1).astype(np.int64)
        states[2:] = states[1]                  # repeated transitions: np.add.at vs a loop
        out.append((np.zeros((H if stage else 1, S, A, S)), states, rng.integers(A, size=H).astype(np.int64), stage))
    return out


def learners_evaluate_policy_csr(rng):
    out = []
    for H, S, A, stationary in ((3, 4, 2, False), (5, 6, 3, True), (1, 1, 1, True)):
        G = 1 if stationary else H
        P = random_kernel(rng, (G * S * A, S), 0.4)
        csr = sp.csr_array(P)
        out.append((csr.indptr.astype(np.int64), csr.indices.astype(np.int64), csr.data, rng.random((H, S, A)),
                    rng.integers(A, size=(H, S)).astype(np.int64), stationary))
    return out


def sampling_rollout(rng):
    out = []
    for H, S, A, stage in ((3, 4, 2, True), (6, 5, 3, False), (2, 1, 1, True)):
        G = H if stage else 1
        P = random_kernel(rng, (G * S * A, S), 0.5)
        csr = sp.csr_array(P)
        cdf = np.cumsum(csr.data)  # per-row cumulative probabilities: reset at each row start
        for r in range(G * S * A):
            lo, hi = csr.indptr[r], csr.indptr[r + 1]
            cdf[lo:hi] = np.cumsum(csr.data[lo:hi])
        pol = np.cumsum(random_kernel(rng, (H, S, A), 0.6), axis=-1)
        n_ep = 7
        out.append((csr.indptr.astype(np.int64), csr.indices.astype(np.int64), cdf, rng.random((G, S, A)),
                    pol, rng.integers(S, size=n_ep).astype(np.int64), rng.random((n_ep, H, 2)), stage))
    return out


def _boxes(rng, n: int, S: int) -> tuple[np.ndarray, np.ndarray]:
    """Box ends around random rows (some entries exact, one row the whole simplex: a never-visited pair)."""
    p = random_kernel(rng, (n, S), 0.6)
    beta = rng.uniform(0.0, 0.3, (n, S)) * (rng.random((n, S)) < 0.6)
    lo, hi = np.clip(p - beta, 0.0, 1.0), np.clip(p + beta, 0.0, 1.0)
    lo[0], hi[0] = 0.0, 1.0
    return lo, hi


def ssp_box_simplex_min(rng):
    out = []
    for S, n in ((1, 1), (4, 5), (9, 7), (30, 4)):
        lo, hi = _boxes(rng, n, S)
        V = rng.integers(0, 3, S).astype(float)          # integer values: ties in the pouring order
        for descending in (False, True):
            out += [(lo, hi, V, descending, True), (lo, hi, V, descending, False)]
    return out


def ssp_evi_sweeps(rng):
    out = []
    for S, A in ((1, 1), (4, 2), (7, 3), (20, 2)):
        lo, hi = _boxes(rng, S * A, S)
        lo3, hi3 = lo.reshape(S, A, S), hi.reshape(S, A, S)
        lo3[:, -1], hi3[:, -1] = lo3[:, 0], hi3[:, 0]        # a tied action
        cost = np.ones((S, A))
        cost[rng.random((S, A)) < 0.15] = np.inf             # forbidden actions
        V = rng.integers(0, 4, S).astype(float)
        pinned = rng.random(S) < 0.3
        for descending in (False, True):
            for k in (1, 3):
                out.append((lo, hi, cost, V, pinned, descending, k))
    return out


def _latent_models(rng):
    """Small latent MDPs ``(w, nu, P, R, cls, G, H)`` with a tied action (action A-1 copies action 0 in every
    context) and rewards shared by the contexts or not (``G = 1`` or ``G > 1``)."""
    from mdptheory.latent import HistoryTree

    for M, S, A, H, shared in ((1, 1, 1, 1, True), (2, 2, 2, 3, True), (2, 3, 2, 2, False), (3, 2, 3, 3, False),
                               (2, 3, 3, 2, True)):
        P, R = _with_tied_action(random_kernel(rng, (M, S, A, S), 0.6), rng.random((M, S, A)) / H)
        if shared:
            R = np.broadcast_to(R[:1], R.shape).copy()
        else:
            R[:, 0, 0] = R[0, 0, 0]               # some pairs shared, others not
            R[:, :, -1] = R[:, :, 0]
        w = rng.dirichlet(np.ones(M))
        nu = random_kernel(rng, (M, S), 0.7)
        tree = HistoryTree.from_rewards(R, H)
        yield w, nu, P, R, np.asarray(tree.cls), tree.G, H, tree


def latent_plan_tree(rng):
    out = []
    for w, nu, P, R, cls, G, H, _ in _latent_models(rng):
        M, S, A = R.shape
        n = rng.integers(0, 5, size=(M, S, A)).astype(float)
        inv_n = 1.0 / np.maximum(n, 1.0)
        Pv = np.where(n[..., None] > 0, P, 1.0 / S)
        for mode, c1, c2, ch, center, cap, var_mode, prior, shift, levels in (
                (0, 0.0, 0.0, 0.0, 1.0, np.inf, False, False, 0, H),          # exact planning
                (0, 1.0, 0.1, 0.0, 1.0, 1.0, False, False, 0, H),             # Bernstein, truncated
                (0, 0.0, 0.0, 0.3 * H, 1.0, 1.0, False, False, 0, H),         # Hoeffding x H
                (0, 1.0, 0.1, 0.0, 0.0, np.inf, False, True, 1, max(H - 1, 1)),  # the mutants' arguments
                (1, 1.0, 0.1, 0.0, 1.0, 1.0, False, False, 0, H),             # box-simplex sets
                (0, 0.0, 0.0, 0.0, 1.0, np.inf, True, False, 0, H)):          # the Var* pass
            for prune in (False, True):
                out.append((w, nu, Pv if prune else P, Pv, R, cls, G, H, levels, mode, c1, c2, ch, center, 3.0, inv_n,
                            cap, var_mode, prior, shift, prune))
    return out


def latent_evaluate_tree(rng):
    out = []
    for w, nu, P, R, cls, G, H, tree in _latent_models(rng):
        for _ in range(2):
            out.append((w, nu, P, R, cls, G, H, rng.integers(R.shape[2], size=tree.n_decision_nodes).astype(np.int64)))
    return out


def latent_play_episode(rng):
    out = []
    for w, nu, P, R, cls, G, H, tree in _latent_models(rng):
        cdfs = [np.cumsum(x, axis=-1) for x in (w, nu, P)]
        pol = rng.integers(R.shape[2], size=tree.n_decision_nodes).astype(np.int64)
        for u in (rng.random(H + 2), np.zeros(H + 2), np.full(H + 2, 1.0 - 1e-16)):
            out.append((*cdfs, R, cls, np.asarray(tree.offsets), G, pol, u))
    return out


def kl_bernoulli_bounds(rng):
    """Means on the edges (0, 1), exact repeats (ties) and radii from 0 to inf, tiny and huge."""
    p = np.concatenate([[0.0, 1.0, 0.5, 0.5, 1e-12, 1 - 1e-12], rng.random(40)])
    c = np.concatenate([[0.3, 0.3, 0.0, np.inf, 2.0, 1e-9], rng.exponential(0.5, 40)])
    c[::7] = 1e-14
    c[3::11] = 50.0
    return [(p, c), (p[:1].copy(), c[:1].copy())]


def kl_ball(rng):
    """Rows with unobserved points (tied unobserved maxima too), a single support point, constant f, c = 0
    and c = inf, widths 2 (the closed form) and 5 (the dual)."""
    out = []
    for n in (2, 3, 5):
        P = rng.dirichlet(np.ones(n), size=12)
        P[0] = 0.0
        P[0, 0] = 1.0                          # single observed point
        P[1:4, -1] = 0.0                       # an unobserved point
        P /= P.sum(axis=1, keepdims=True)
        F = np.round(rng.random((12, n)) * 4) / 4
        F[1, -1] = F[1].max() + 1.0            # an unobserved point better than all observed
        if n > 2:
            P[2, -2:] = 0.0
            P[2] /= P[2].sum()
            F[2, -2:] = F[2].max() + 0.5        # two tied unobserved maxima
        F[5] = 0.25                            # constant f
        c = rng.choice([1e-6, 0.05, 0.7, 3.0], size=12)
        c[6], c[7] = 0.0, np.inf
        out.append((P, F, c))
    return out


def _gape_models(rng):
    """A lazy Garnet, a tabular model with a duplicated action (exact ties) and Bernoulli rewards, a
    deterministic chain (B = 1)."""
    from mdptheory import FiniteMDP
    from mdptheory.generative import LazyGarnet, TabularModel

    P, R = _with_tied_action(random_kernel(rng, (6, 3, 6), 0.4), rng.random((6, 3)))
    tab = TabularModel(FiniteMDP(P, R, 0.8), reward_noise="bernoulli")
    det = np.zeros((5, 2, 5))
    det[np.arange(5), 0, (np.arange(5) + 1) % 5] = 1.0
    det[np.arange(5), 1, np.arange(5)] = 1.0
    chain = TabularModel(FiniteMDP(det, rng.random((5, 2)), 0.7))
    return [LazyGarnet(S=40, K=3, B=2, gamma=0.7, seed=int(rng.integers(1000))), tab, chain]


def generative_sample(rng):
    from mdptheory import EpisodicMDP
    from mdptheory.generative import TabularModel

    models = _gape_models(rng)
    P = random_kernel(rng, (3, 4, 2, 4), 0.5)
    models.append(TabularModel(EpisodicMDP(P, rng.random((3, 4, 2))), reward_noise="bernoulli"))
    out = []
    for m in models:
        n = 50
        h = rng.integers(0, 3 if m.horizon else 5, n).astype(np.int64)
        u = rng.random((n, 2))
        u[:5, 0] = 0.0                         # edges of the inverse CDF
        out.append((*m.kernel(), h, rng.integers(0, m.S, n).astype(np.int64), rng.integers(0, m.K, n).astype(np.int64),
                    u))
    return out


def generative_rows(rng):
    return [args[:-1] for args in generative_sample(rng)]      # the sampler's (h, s, a), without the uniforms


def tree_search_mdp_gape(rng):
    out = []
    for i, m in enumerate(_gape_models(rng)):
        H = 3 if i < 2 else 4
        B = m.B
        base = np.log(3.0) + H * np.log(B * m.K) + np.log(10.0)
        theory_r, theory_p = np.array([base, 0, 1.0, 1.0]), np.array([base, 0, 1.0, max(B - 1, 0)])
        exp_ = np.array([np.log(10.0), 1.0, 0.0, 0.0])
        U = rng.random((40, H, 3))
        out.append((*m.kernel(), m.s0, H, m.K, B, m.gamma, 0.5, False, False, theory_r, theory_p, 0, U, 40 * H))
        out.append((*m.kernel(), m.s0, H, m.K, B, m.gamma, 0.0, True, i == 0, exp_, exp_ * 0.1, 0, U, -1))
        vmax = (1 - m.gamma ** H) / (1 - m.gamma)   # small thresholds and a loose eps: runs that stop
        out.append((*m.kernel(), m.s0, H, m.K, B, m.gamma, 0.3 * vmax, False, i == 1, exp_ * 0.3, exp_ * 0.03, 0,
                    rng.random((300, H, 3)), -1))
    return out


def tree_search_uct(rng):
    return [(*m.kernel(), m.s0, m.K, m.B, m.gamma, T, rng.random((30, 4, 3)))
            for m, T in zip(_gape_models(rng), (10.0, 0.0, 2.0))]


def tree_search_kl_olop(rng):
    return [(*m.kernel(), m.s0, m.K, m.gamma, thr, rng.random((30, 4, 3)))
            for m, thr in zip(_gape_models(rng), (np.log(30.0), 0.0, 1.0))]


def tree_search_brue(rng):
    return [(*m.kernel(), m.s0, m.K, m.B, m.gamma, rng.random((30, 4, 7))) for m in _gape_models(rng)]


def _policy_reg_tables(rng):
    """Stage tables (Q, log ref) with exact ties (a duplicated action), zero reference entries and tau in {0, ...}."""
    for S, A in ((1, 1), (4, 3), (6, 5)):
        Q = rng.uniform(-1, 2, (S, A))
        Q[:, -1] = Q[:, 0]                               # exact tie: greedy must pick the lower action
        ref = rng.dirichlet(np.ones(A), size=S)
        if A > 2:
            ref[0, 1] = 0.0                              # an action the reference never plays
            ref[0] /= ref[0].sum()
        with np.errstate(divide="ignore"):
            log_ref = np.log(ref)
        for tau in (0.0, 1e-3, 0.3, 50.0):
            yield Q, log_ref, tau


def policy_reg_gibbs_stage(rng):
    return [(Q, log_ref, tau) for Q, log_ref, tau in _policy_reg_tables(rng)]


def policy_reg_evaluate_stage(rng):
    out = []
    for Q, log_ref, tau in _policy_reg_tables(rng):
        S, A = Q.shape
        pi = rng.dirichlet(np.ones(A), size=S)
        if A > 1:
            pi[:, 0] = np.where(rng.random(S) < 0.3, 0.0, pi[:, 0])      # zeros: 0 log 0 = 0
        pi /= pi.sum(axis=1, keepdims=True)
        out.append((Q, pi, log_ref, tau))
        outside = pi.copy()
        if A > 2:
            outside[0] = 1.0 / A                                          # mass where ref = 0: KL = inf
        out.append((Q, outside, log_ref, tau))
    return out


def drrpo_softmax_policy(rng):
    out = []
    for H, S, A, d in ((1, 1, 1, 1), (3, 4, 3, 2), (2, 5, 4, 6)):
        phi = rng.dirichlet(np.ones(d), size=(S, A))
        phi[:, -1] = phi[:, 0]                                            # tied logits
        ref = rng.dirichlet(np.ones(A), size=(H, S))
        if A > 2:
            ref[:, 0, 1] = 0.0
            ref[:, 0] /= ref[:, 0].sum(axis=-1, keepdims=True)
        with np.errstate(divide="ignore"):
            log_ref = np.log(ref)
        for scale, power in ((0.0, 1.0), (1.0, 1.0), (300.0, 1.0), (1.0, 0.25)):
            out.append((phi, scale * rng.normal(size=(H, d)), log_ref, power))
    return out


def _exploration_rows(rng, G: int, S: int, A: int, fixed: bool):
    """Count rows of a pure explorer (:mod:`solvers.exploration._kernels`): unvisited rows, single and spread
    supports, and the last action a copy of action 0 (exact ties in ``W`` and the KL bounds). ``fixed``: the
    fused loops' fixed-capacity layout (row ``r`` at ``[r S, r S + S)``), else CSR."""
    counts = rng.integers(0, 4, (G, S, A, S)).astype(float) * (rng.random((G, S, A, S)) < 0.4)
    counts[..., 1 % S, :] = 0.0                 # an unvisited state
    counts[..., -1, :] = counts[..., 0, :]      # tied action
    flat = counts.reshape(-1, S)
    if not fixed:
        ptr = np.concatenate(([0], np.cumsum((flat > 0).sum(axis=1)))).astype(np.int64)
        nz = np.nonzero(flat)
        return ptr[:-1], ptr[1:], nz[1].astype(np.int64), flat[nz]
    start = np.arange(flat.shape[0], dtype=np.int64) * S
    stop, idx, cnt = start.copy(), np.zeros(flat.size, np.int64), np.zeros(flat.size)
    for r, s2 in zip(*np.nonzero(flat)):
        idx[stop[r]], cnt[stop[r]] = s2, flat[r, s2]
        stop[r] += 1
    return start, stop, idx, cnt


#: RF-Express (theory-shaped, scaled), RF-UCRL and the alt-kind (ALT'21) beta as ``error_backward`` bonus vectors.
def _rf_bonus_params(S, A, H):
    b0 = np.log(3.0 * S * A * H / 0.1)
    return [(np.array([15.0 * H * H * 1e-3, 1.0, 1.0, 0.0, 0.0, b0, float(S), 15.0 * H * H]), 1.0 + 1.0 / H, float(H), np.inf),
            (np.array([float(H), 0.5, 0.5, 0.0, 0.0, b0, float(S), float(H)]), 1.0, np.inf, np.inf),
            (np.array([0.2, 1.0, 0.5, 1.0, 1.0, b0, float(max(S - 1, 0)), 0.3]), 1.0, np.inf, float(H))]


def exploration_error_backward(rng):
    out = []
    for H, S, A, stage in ((3, 4, 2, True), (4, 3, 3, False), (2, 1, 1, True)):
        rows = _exploration_rows(rng, H if stage else 1, S, A, fixed=False)
        for k, (bp, mult, w_clip, v_clip) in enumerate(_rf_bonus_params(S, A, H)):
            out.append((*rows, S, A, H, stage, k % 2 if stage else 0, bp, mult, w_clip, v_clip))
    return out


def _bpi_beta_params(S, A, H):
    return [np.array([0.0, np.log(3.0 * S * A * H / 0.1), float(S), 1.0]),
            np.array([1.0, np.log(2.0 * S * A * H / 0.1), float(max(S - 1, 0)), 0.05])]


def exploration_kl_backward(rng):
    out = []
    for H, S, A, stage in ((3, 4, 2, True), (4, 3, 3, False), (2, 1, 1, True)):
        rows = _exploration_rows(rng, H if stage else 1, S, A, fixed=False)
        R = np.round(rng.random((H, S, A)) * 4) / 4
        R[..., -1] = R[..., 0]
        for k, beta_p in enumerate(_bpi_beta_params(S, A, H)):
            v_clip = (H - np.arange(H, dtype=float)) if k == 0 else np.full(H, np.inf)
            out.append((*rows, R, H, stage, k if stage else 0, beta_p, v_clip, k, 0))
            out.append((*rows, R, H, stage, 0, beta_p, v_clip, 1 - k, 1))
    return out


def _exploration_truth(rng, H, S, A):
    from mdptheory import EpisodicMDP
    from mdptheory.sampling import transition_cdf

    P, R = _with_tied_action(random_kernel(rng, (H, S, A, S), 0.5), rng.random((H, S, A)))
    mu0 = rng.dirichlet(np.ones(S))
    env = EpisodicMDP(P, R, mu0)
    return (*transition_cdf(env), mu0, np.cumsum(mu0)), R


def exploration_rf_explore(rng):
    out = []
    for H, S, A, stage in ((3, 4, 2, True), (2, 3, 2, False)):
        truth, _ = _exploration_truth(rng, H, S, A)
        for k, (bp, mult, w_clip, v_clip) in enumerate(_rf_bonus_params(S, A, H)):
            n = 12
            u = rng.random((n, 1 + 2 * H))
            rows = _exploration_rows(rng, H if stage else 1, S, A, fixed=True)
            start, stop, idx, cnt = rows
            # budget below n, a threshold that stops on the way for one bonus, a run without the stopping rule
            out.append((*truth, u, [n, 7, n][k], k != 2, [50.0, 1e9, 0.0][k], 1 - (k % 2),
                        idx, cnt, start, stop, H, stage, 0, bp, mult, w_clip, v_clip, np.zeros(n + 1)))
    return out


def exploration_bpi_explore(rng):
    out = []
    for H, S, A, stage in ((3, 4, 2, True), (2, 3, 2, False)):
        truth, R = _exploration_truth(rng, H, S, A)
        for k, beta_p in enumerate(_bpi_beta_params(S, A, H)):
            n = 10
            start, stop, idx, cnt = _exploration_rows(rng, H if stage else 1, S, A, fixed=True)
            v_clip = (H - np.arange(H, dtype=float)) if k == 0 else np.full(H, np.inf)
            out.append((*truth, rng.random((n, 1 + 2 * H)), n - 3 * k, True, [0.5, 1.5][k], R, idx, cnt, start,
                        stop, H, stage, 0, beta_p, v_clip, k, 0, np.zeros(n + 1)))
    return out


EXAMPLES: dict[str, Callable] = {
    "planning.bellman": planning_bellman,
    "planning.policy_sweep": planning_policy_sweep,
    "planning.gauss_seidel": planning_gauss_seidel,
    "planning.policy_chain": planning_policy_chain,
    "planning.chain_sweeps": planning_chain_sweeps,
    "planning.bracket_stats": planning_bracket_stats,
    "planning.backward_induction": planning_backward_induction,
    "planning.policy_evaluation": planning_policy_evaluation,
    **{f"robust.{d}_{form}": _robust(form == "reg") for d in ("tv", "kl", "chi2") for form in ("reg", "cons")},
    "robust.rows_are_distributions": robust_rows_are_distributions,
    "learners.max_sample_backward": learners_max_sample_backward,
    "learners.ucbvi_backward": learners_ucbvi_backward,
    "learners.count_update": learners_count_update,
    "learners.evaluate_policy_csr": learners_evaluate_policy_csr,
    "sampling.rollout": sampling_rollout,
    "ssp.box_simplex_min": ssp_box_simplex_min,
    "ssp.evi_sweeps": ssp_evi_sweeps,
    "latent.plan_tree": latent_plan_tree,
    "latent.evaluate_tree": latent_evaluate_tree,
    "latent.play_episode": latent_play_episode,
    "kl.bernoulli_upper": kl_bernoulli_bounds,
    "kl.bernoulli_lower": kl_bernoulli_bounds,
    "kl.ball_max": kl_ball,
    "generative.sample": generative_sample,
    "generative.rows": generative_rows,
    "tree_search.mdp_gape": tree_search_mdp_gape,
    "tree_search.uct": tree_search_uct,
    "tree_search.kl_olop": tree_search_kl_olop,
    "tree_search.brue": tree_search_brue,
    "policy_reg.gibbs_stage": policy_reg_gibbs_stage,
    "policy_reg.evaluate_stage": policy_reg_evaluate_stage,
    "drrpo.softmax_policy": drrpo_softmax_policy,
    "exploration.error_backward": exploration_error_backward,
    "exploration.kl_backward": exploration_kl_backward,
    "exploration.rf_explore": exploration_rf_explore,
    "exploration.bpi_explore": exploration_bpi_explore,
}
