r"""Finite-horizon recursions on raw arrays (no model object, no validation of probabilities).

Stage-dependent model: ``P[h, s, a, s']`` ``(H, S, A, S)`` and ``R[h, s, a]`` ``(H, S, A)``, stages
``h = 0..H-1`` (the papers' ``h = 1..H``). A stationary kernel ``P (S, A, S)`` is accepted too and used
at every stage (handy for learners that estimate one ``P``); ``R`` may then be ``(S, A)`` with ``H``
given. Recursion (Puterman 1994, section 4.5, backward induction):

.. math::  V_H = V_{\text{terminal}}\ (\text{default } 0),\quad
           Q_h = R_h + P_h V_{h+1},\quad V_h = \max_a Q_h .

These are the entry points learners call on estimated models each episode
(``backward_induction_arrays(P_hat, R_hat + bonus)``); they only check shapes, so they cost nothing
beyond the recursion itself. :func:`solvers.backward_induction` wraps them for a validated
``EpisodicMDP``.

The Numba kernels parallelise over states within a stage (``prange``) with the checklist of
:mod:`.dense`; summation order may differ from the NumPy twin within ~1e-15 relative.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from mdptheory import backends, mutants

from mdptheory.policies import greedy

from ._numba_common import FASTMATH, greedy_row, jit_pair, use_parallel


def _as_stages(P, R, H):
    """Return float64 ``P4`` ``(H or 1, S, A, S)`` and ``R3`` ``(H, S, A)`` after shape checks."""
    P = np.ascontiguousarray(P, dtype=np.float64)
    R = np.asarray(R, dtype=np.float64)
    if P.ndim == 3:
        P = P[None]
    if P.ndim != 4 or P.shape[1] != P.shape[3]:
        raise ValueError(f"P must have shape (H, S, A, S) or (S, A, S), got {P.shape}")
    S, A = P.shape[1], P.shape[2]
    if R.ndim == 2:
        if H is None:
            H = P.shape[0] if P.shape[0] > 1 else None
        if H is None:
            raise ValueError("R has shape (S, A) and P is stationary: pass the horizon H")
        R = np.broadcast_to(R, (int(H),) + R.shape)
    if R.ndim != 3 or R.shape[1:] != (S, A):
        raise ValueError(f"R must have shape (H, S, A) = (H, {S}, {A}) (or (S, A) with H), got {R.shape}")
    if H is not None and R.shape[0] != H:
        raise ValueError(f"R has {R.shape[0]} stages but H={H}")
    if P.shape[0] not in (1, R.shape[0]):
        raise ValueError(f"P has {P.shape[0]} stages but R has {R.shape[0]}; they must match (or P be stationary)")
    return P, np.ascontiguousarray(R)


def _terminal(V_terminal, S):
    if V_terminal is None:
        return np.zeros(S)
    v = np.ascontiguousarray(V_terminal, dtype=np.float64)
    if v.shape != (S,):
        raise ValueError(f"V_terminal must have shape (S,) = ({S},), got {v.shape}")
    return v


def _bi_body(P, R, V, Q, pi):
    H, S, A = R.shape
    stationary = P.shape[0] == 1
    for h in range(H - 1, -1, -1):
        hp = 0 if stationary else h
        for s in prange(S):
            for a in range(A):
                acc = 0.0
                for t in range(S):
                    acc += P[hp, s, a, t] * V[h + 1, t]
                Q[h, s, a] = R[h, s, a] + acc
            V[h, s], pi[h, s] = greedy_row(Q[h, s])


def _pe_body(P, R, pol, V, Q):
    H, S, A = R.shape
    stationary = P.shape[0] == 1
    for h in range(H - 1, -1, -1):
        hp = 0 if stationary else h
        for s in prange(S):
            v = 0.0
            for a in range(A):
                acc = 0.0
                for t in range(S):
                    acc += P[hp, s, a, t] * V[h + 1, t]
                q = R[h, s, a] + acc
                Q[h, s, a] = q
                if pol[h, s, a] != 0.0:   # probability 0 adds 0, also for an infeasible (-inf) action
                    v += pol[h, s, a] * q
            V[h, s] = v


_bi_serial, _bi_parallel = jit_pair(_bi_body)
_pe_serial, _pe_parallel = jit_pair(_pe_body)


def _bi_numba(P, R, V, Q, pi):
    S, A = R.shape[1], R.shape[2]
    (_bi_parallel if use_parallel(S * A * S) else _bi_serial)(P, R, V, Q, pi)


def _pe_numba(P, R, pol, V, Q):
    S, A = R.shape[1], R.shape[2]
    (_pe_parallel if use_parallel(S * A * S) else _pe_serial)(P, R, pol, V, Q)


def _bi_numpy(P, R, V, Q, pi):
    """NumPy twin of the backward-induction kernel: fills ``V[:H]``, ``Q``, ``pi`` in place."""
    for h in range(R.shape[0] - 1, -1, -1):
        Q[h] = R[h] + P[h if P.shape[0] > 1 else 0] @ V[h + 1]
        V[h] = Q[h].max(axis=1)
        pi[h] = greedy(Q[h])


def _pe_numpy(P, R, pol, V, Q):
    """NumPy twin of the policy-evaluation kernel: fills ``V[:H]`` and ``Q`` in place."""
    for h in range(R.shape[0] - 1, -1, -1):
        Q[h] = R[h] + P[h if P.shape[0] > 1 else 0] @ V[h + 1]
        V[h] = np.where(pol[h] > 0, pol[h] * Q[h], 0.0).sum(axis=1)


backends.register("planning.backward_induction", numba=_bi_numba, numpy=_bi_numpy)
backends.register("planning.policy_evaluation", numba=_pe_numba, numpy=_pe_numpy)


#: The stage off-by-one of 0- vs 1-based indexing: stage h collects the reward of stage h + 1.
REWARD_NEXT_STAGE = mutants.register("backward-induction", "reward-next-stage",
                                     "stage h uses the reward of stage h + 1 (the last stage keeps its own)")


def backward_induction_arrays(P, R, V_terminal=None, H=None, backend="numba"):
    """Optimal finite-horizon values by backward induction on raw arrays.

    Parameters
    ----------
    P : ndarray (H, S, A, S) or (S, A, S)
        ``P[h, s, a, s']``; a 3-D array is used at every stage.
    R : ndarray (H, S, A), or (S, A) with ``H``
        Expected reward ``R[h, s, a]`` (add exploration bonuses here).
    V_terminal : ndarray (S,), optional
        ``V[H]``; default zeros.
    H : int, optional
        Horizon, needed only when both ``P`` and ``R`` are stationary.
    backend : {"numba", "numpy"}

    Returns
    -------
    V : ndarray (H+1, S)
        ``V[h, s]`` optimal value-to-go from stage ``h``; ``V[H] = V_terminal``.
    Q : ndarray (H, S, A)
    pi : ndarray (H, S) int64
        Greedy action, lowest index on ties.
    """
    P4, R3 = _as_stages(P, R, H)
    if REWARD_NEXT_STAGE.active:
        R3 = np.ascontiguousarray(np.concatenate([R3[1:], R3[-1:]]))
    H, S, A = R3.shape
    V = np.empty((H + 1, S))
    V[H] = _terminal(V_terminal, S)
    Q = np.empty((H, S, A))
    pi = np.empty((H, S), dtype=np.int64)
    backends.pick("planning.backward_induction", backend)(P4, R3, V, Q, pi)
    return V, Q, pi


def policy_evaluation_arrays(P, R, policy, V_terminal=None, H=None, backend="numba"):
    """Exact finite-horizon value of a (possibly stochastic, stage-dependent) policy on raw arrays.

    ``V_h(s) = sum_a pi_h(a|s) Q_h(s, a)``, ``Q_h = R_h + P_h V_{h+1}``, ``V_H = V_terminal``.

    Parameters
    ----------
    P, R, V_terminal, H, backend
        As in :func:`backward_induction_arrays`.
    policy : ndarray
        Deterministic int ``(H, S)`` (or ``(S,)``, used at every stage) with ``policy[h, s]`` the action,
        or stochastic float ``(H, S, A)`` (or ``(S, A)``) with ``policy[h, s, a] = pi_h(a | s)``.
        Only shapes and action ranges are checked here.

    Returns
    -------
    V : ndarray (H+1, S)
    Q : ndarray (H, S, A)
        ``Q^pi_h(s, a)``.
    """
    P4, R3 = _as_stages(P, R, H)
    H, S, A = R3.shape
    pol = stochastic_policy_arrays(policy, H, S, A)
    V = np.empty((H + 1, S))
    V[H] = _terminal(V_terminal, S)
    Q = np.empty((H, S, A))
    backends.pick("planning.policy_evaluation", backend)(P4, R3, pol, V, Q)
    return V, Q


def stochastic_policy_arrays(policy, H, S, A):
    """Return ``policy`` as a float64 ``(H, S, A)`` array of action probabilities (shape/range checks only)."""
    pol = np.asarray(policy)
    if np.issubdtype(pol.dtype, np.integer):
        if pol.shape == (S,):
            pol = np.broadcast_to(pol, (H, S))
        if pol.shape != (H, S):
            raise ValueError(f"deterministic policy must have shape (H, S) = ({H}, {S}) or (S,), got {pol.shape}")
        if pol.size and (pol.min() < 0 or pol.max() >= A):
            raise ValueError(f"policy actions must lie in [0, {A - 1}], got range [{pol.min()}, {pol.max()}]")
        out = np.zeros((H, S, A))
        np.put_along_axis(out, pol[..., None].astype(np.int64), 1.0, axis=2)
        return out
    pol = np.asarray(pol, dtype=np.float64)
    if pol.shape == (S, A):
        pol = np.broadcast_to(pol, (H, S, A))
    if pol.shape != (H, S, A):
        raise ValueError(f"stochastic policy must have shape (H, S, A) = ({H}, {S}, {A}) or (S, A), got {pol.shape}")
    return np.ascontiguousarray(pol)
