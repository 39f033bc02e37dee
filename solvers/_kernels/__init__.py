"""Bellman kernels: a small, stable internal API shared by the planners, robust planners and learners.

Every function takes raw arrays (no model object) and a ``backend``: ``"numba"`` (JIT, parallel over
states, the default) or ``"numpy"`` (the vectorized reference twin in :mod:`.reference`). The pairs are
registered in :mod:`mdptheory.backends` as ``planning.*``. Layout: ``P_flat`` is the
``(S*A, S)`` transition matrix with row ``s*A + a`` -- a dense C-contiguous float64 ndarray (a free
``P.reshape(S*A, S)`` view of ``P[s, a, s']``) or a ``scipy.sparse`` CSR array/matrix. ``R`` is
``(S, A)``, ``V`` is ``(S,)``.

Discounted (this module):

- :func:`bellman_q` -- optimality sweep ``Q = R + gamma P V``, ``max_a``, ``argmax_a``.
- :func:`policy_sweep` -- evaluation sweep ``T^pi V`` (deterministic or stochastic ``pi``).
- :func:`gauss_seidel_sweep` -- in-place Gauss-Seidel optimality sweep.
- :func:`policy_model` -- ``(P_pi, r_pi)`` for linear solves.
- :func:`policy_chain` / :func:`chain_sweeps` -- the rows a deterministic policy uses, extracted once
  (CSR: contiguous arrays), and ``k`` evaluation sweeps on them in one kernel call (modified policy
  iteration).

Episodic (:mod:`solvers._kernels.episodic`): :func:`backward_induction_arrays` and
:func:`policy_evaluation_arrays` on ``P (H, S, A, S)``, ``R (H, S, A)``.

Numba results agree with NumPy within ~1e-15 relative (``fastmath`` reassociation, see
``_numba_common``); greedy actions can then differ only between actions whose ``Q`` differ by that much.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from mdptheory import backends, mutants

from . import csr, dense, reference
from . import _numba_common
from ._numba_common import set_parallel, use_parallel
from .episodic import backward_induction_arrays, policy_evaluation_arrays, stochastic_policy_arrays

__all__ = [
    "bellman_q", "policy_sweep", "gauss_seidel_sweep", "policy_model", "csr_parts", "PolicyChain", "policy_chain",
    "chain_sweeps", "set_parallel", "bracket_stats",
    "backward_induction_arrays", "policy_evaluation_arrays", "stochastic_policy_arrays",
]


def csr_parts(P_flat):
    """``(indptr, indices, data)`` of a CSR matrix, as contiguous arrays (no copy when already so)."""
    if not isinstance(P_flat, (sp.csr_array, sp.csr_matrix)):
        P_flat = sp.csr_array(P_flat)
    return (np.ascontiguousarray(P_flat.indptr), np.ascontiguousarray(P_flat.indices),
            np.ascontiguousarray(P_flat.data, dtype=np.float64))


def _kernel_csr(P_flat):
    """CSR parts for the planning kernels: the column indices as an unsigned view (see :mod:`.csr`)."""
    indptr, indices, data = csr_parts(P_flat)
    return indptr, csr.unsigned_indices(indices), data


def _pick(module, name, work):
    """Serial or parallel compilation of ``module.name`` for a call of ``work`` multiply-adds
    (:func:`._numba_common.use_parallel`: serial unless parallel was enabled, see ``set_parallel``)."""
    return getattr(module, name if use_parallel(work) else name + "_serial")


class PolicyChain(NamedTuple):
    """The rows of ``P`` and ``R`` a deterministic policy ``pi`` uses (the Markov chain ``P_pi``, ``r_pi``).

    CSR models: ``P = (indptr, indices, data)`` of ``P_pi (S, S)``, copied into contiguous arrays once per
    policy so that evaluation sweeps stream them, and ``rows = None``. Dense models: ``P`` is the full
    ``P_flat (S*A, S)`` and ``rows[s] = s*A + pi[s]`` (a dense row is contiguous already; no copy).
    """

    P: Any
    rows: np.ndarray | None
    r: np.ndarray


# --------------------------------------------------------------------------------- Numba entry points
# Same signatures as the NumPy twins in :mod:`.reference`, with which they are registered below.
def _bellman_numba(P_flat, R, V, gamma, out=None):
    S, A = R.shape
    Q, V_new, greedy = out if out is not None else (np.empty((S, A)), np.empty(S), np.empty(S, np.int64))
    if sp.issparse(P_flat):
        _pick(csr, "bellman", P_flat.nnz)(*_kernel_csr(P_flat), R, V, float(gamma), Q, V_new, greedy)
    else:
        _pick(dense, "bellman", P_flat.size)(P_flat, R, V, float(gamma), Q, V_new, greedy)
    return Q, V_new, greedy


def _policy_sweep_numba(P_flat, R, policy, V, gamma, out=None):
    V_new = out if out is not None else np.empty(R.shape[0])
    name = "policy_sweep_det" if policy.ndim == 1 else "policy_sweep_stoch"
    A = R.shape[1]
    if sp.issparse(P_flat):
        work = P_flat.nnz // A if policy.ndim == 1 else P_flat.nnz
        _pick(csr, name, work)(*_kernel_csr(P_flat), R, policy, V, float(gamma), V_new)
    else:
        work = P_flat.size // A if policy.ndim == 1 else P_flat.size
        _pick(dense, name, work)(P_flat, R, policy, V, float(gamma), V_new)
    return V_new


def _gauss_seidel_numba(P_flat, R, V, gamma):
    if sp.issparse(P_flat):
        return float(csr.gauss_seidel(*_kernel_csr(P_flat), R, V, float(gamma)))
    return float(dense.gauss_seidel(P_flat, R, V, float(gamma)))


def _policy_chain_numba(P_flat, R, pi):
    if sp.issparse(P_flat):
        indptr, indices, data, r = csr.policy_rows(*csr_parts(P_flat), R, pi)
        return PolicyChain((indptr, indices, data), None, r)
    S, A = R.shape
    return PolicyChain(P_flat, np.arange(S) * A + pi, R[np.arange(S), pi].copy())


def _chain_sweeps_numba(chain, V, gamma, k):
    if chain.rows is None:
        indptr, indices, data = chain.P
        _pick(csr, "chain_sweeps", len(data))(indptr, csr.unsigned_indices(indices), data, chain.r, V,
                                              float(gamma), int(k))
    else:
        _pick(dense, "chain_sweeps", chain.r.shape[0] * chain.P.shape[1])(
            chain.P, chain.rows, chain.r, V, float(gamma), int(k))


backends.register("planning.bellman", numba=_bellman_numba, numpy=reference.bellman)
backends.register("planning.policy_chain", numba=_policy_chain_numba, numpy=reference.policy_chain)
backends.register("planning.bracket_stats", numba=dense.bracket_stats, numpy=reference.bracket_stats)
backends.register("planning.chain_sweeps", numba=_chain_sweeps_numba, numpy=reference.chain_sweeps)
backends.register("planning.policy_sweep", numba=_policy_sweep_numba, numpy=reference.policy_sweep)
backends.register("planning.gauss_seidel", numba=_gauss_seidel_numba, numpy=reference.gauss_seidel)


# ------------------------------------------------------------------------------------- the facade
#: Realistic slips in the Bellman sweeps (``mdptheory.mutants``), switched here so that both backends and
#: every planner built on the sweeps (VI, Gauss-Seidel, MPI, PI's improvement, evaluation sweeps) see them.
DISCOUNT_SQUARED = mutants.register("bellman", "discount-squared", "the Bellman sweeps use gamma**2 instead of gamma")
ACTION_MAJOR = mutants.register(
    "bellman", "action-major-rows",
    "the (S*A, S) transition matrix read with row a*S + s for (s, a) instead of s*A + a (a layout slip)")


def _mutated(P_flat, R, gamma):
    """``(P_flat, gamma)`` as a registered mutant of the sweeps would read them (unchanged when none is on)."""
    if DISCOUNT_SQUARED.active:
        gamma = gamma * gamma
    if ACTION_MAJOR.active:
        S, A = R.shape
        perm = (np.arange(A)[None, :] * S + np.arange(S)[:, None]).ravel()   # (s, a) -> row a*S + s
        P_flat = P_flat[perm]
    return P_flat, gamma


def bellman_q(P_flat, R, V, gamma, backend="numba", out=None):
    """One Bellman optimality sweep.

    Parameters
    ----------
    P_flat : ndarray (S*A, S) or CSR (S*A, S)
    R : ndarray (S, A)
    V : ndarray (S,)
    gamma : float
    backend : {"numba", "numpy"}
    out : tuple (Q (S, A), V_new (S,), greedy (S,) int64), optional
        Buffers to write into (avoids per-sweep allocation).

    Returns
    -------
    Q : ndarray (S, A)
        ``Q[s, a] = R[s, a] + gamma * sum_s' P[s, a, s'] V[s']``.
    V_new : ndarray (S,)
        ``max_a Q[s, a]`` (= ``T V``).
    greedy : ndarray (S,) int64
        ``argmax_a Q[s, a]``, lowest index on ties.
    """
    P_flat, gamma = _mutated(P_flat, R, gamma)
    return backends.pick("planning.bellman", backend)(P_flat, R, V, gamma, out)


def policy_sweep(P_flat, R, policy, V, gamma, backend="numba", out=None):
    """One policy-evaluation sweep ``(T^pi V)[s] = sum_a pi(a|s) (R[s, a] + gamma P[s, a, :] @ V)``.

    ``policy`` is int ``(S,)`` (deterministic, reads only ``S`` rows of ``P``) or float ``(S, A)``
    (stochastic, rows with zero probability are skipped). Returns ``V_new (S,)`` (written into ``out``
    when given).
    """
    P_flat, gamma = _mutated(P_flat, R, gamma)
    return backends.pick("planning.policy_sweep", backend)(P_flat, R, policy, V, gamma, out)


def gauss_seidel_sweep(P_flat, R, V, gamma, backend="numba"):
    """One in-place Gauss-Seidel optimality sweep over states ``0..S-1``; returns ``max |V_new - V_old|``.

    ``V`` must be a writable float64 ``(S,)`` array; it is overwritten.
    """
    P_flat, gamma = _mutated(P_flat, R, gamma)
    return backends.pick("planning.gauss_seidel", backend)(P_flat, R, V, gamma)


def policy_chain(P_flat, R, policy, backend="numba"):
    """:class:`PolicyChain` of a deterministic ``policy (S,)``: extract once, then sweep with :func:`chain_sweeps`."""
    if ACTION_MAJOR.active:
        P_flat, _ = _mutated(P_flat, R, 1.0)
    return backends.pick("planning.policy_chain", backend)(P_flat, R, np.asarray(policy, dtype=np.int64))


def chain_sweeps(chain, V, gamma, k, backend="numba"):
    """``k`` evaluation sweeps ``V <- r_pi + gamma P_pi V`` of a :class:`PolicyChain`, in place on ``V`` and in
    one kernel call. Returns ``V``."""
    if k > 0:
        backends.pick("planning.chain_sweeps", backend)(chain, V, gamma * gamma if DISCOUNT_SQUARED.active else gamma, k)
    return V


def bracket_stats(V, TV, backend="numba"):
    """``(min(TV - V), max(TV - V), ||V||_inf, ||TV||_inf)`` in one pass: what a bracket check reads."""
    return backends.pick("planning.bracket_stats", backend)(V, TV)


def policy_model(P_flat, R, policy):
    """Markov chain of a policy: ``P_pi (S, S)`` (dense ndarray, or CSR when ``P_flat`` is sparse) and
    ``r_pi (S,)``, with ``P_pi[s, s'] = sum_a pi(a|s) P[s, a, s']``, ``r_pi[s] = sum_a pi(a|s) R[s, a]``."""
    S, A = R.shape
    if policy.ndim == 1:
        rows = np.arange(S) * A + policy
        P_pi = P_flat[rows]
        return (sp.csr_array(P_pi) if sp.issparse(P_flat) else np.asarray(P_pi)), R[np.arange(S), policy]
    if sp.issparse(P_flat):
        # block-diagonal weights W (S, S*A) with W[s, s*A + a] = pi(a|s), so P_pi = W @ P_flat
        W = sp.csr_array((policy.ravel(), np.arange(S * A), np.arange(0, S * A + 1, A)), shape=(S, S * A))
        return sp.csr_array(W @ P_flat), reference.policy_weighted(policy, R)
    P_pi = np.einsum("sa,sat->st", policy, P_flat.reshape(S, A, S))
    return P_pi, reference.policy_weighted(policy, R)
