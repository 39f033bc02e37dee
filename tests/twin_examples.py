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


EXAMPLES: dict[str, Callable] = {
    "planning.bellman": planning_bellman,
    "planning.policy_sweep": planning_policy_sweep,
    "planning.gauss_seidel": planning_gauss_seidel,
    "planning.backward_induction": planning_backward_induction,
    "planning.policy_evaluation": planning_policy_evaluation,
    **{f"robust.{d}_{form}": _robust(form == "reg") for d in ("tv", "kl", "chi2") for form in ("reg", "cons")},
    "robust.rows_are_distributions": robust_rows_are_distributions,
    "learners.max_sample_backward": learners_max_sample_backward,
    "learners.ucbvi_backward": learners_ucbvi_backward,
    "learners.count_update": learners_count_update,
    "learners.evaluate_policy_csr": learners_evaluate_policy_csr,
    "sampling.rollout": sampling_rollout,
}
