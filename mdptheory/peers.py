"""Models as peers write them: QuantEcon's state-action-pair format.

QuantEcon's ``DiscreteDP(R, Q, beta, s_indices, a_indices)`` lists only the feasible state-action pairs:
pair ``l`` is action ``a_indices[l]`` in state ``s_indices[l]``, with reward ``R[l]`` and next-state law
``Q[l, :]`` (dense, or a ``scipy.sparse`` matrix). :func:`from_sa_pairs` turns that into the ``(P, R)``
of :class:`mdptheory.FiniteMDP` / :class:`mdptheory.EpisodicMDP`: pairs that are not listed are infeasible
(``R = -inf``, the convention both share), and their transition rows are self-loops that no planner or
policy ever uses. ``FiniteMDP.from_sa_pairs`` and ``EpisodicMDP.from_sa_pairs`` call it.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from .validation import as_float_array

__all__ = ["from_sa_pairs"]


def _indices(x: Any, name: str, L: int) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim != 1 or arr.shape[0] != L or (arr.size and arr.dtype.kind not in "iu"):
        raise ValueError(f"{name} must be a 1-D array of {L} integer indices (one per state-action pair), got "
                         f"shape {arr.shape} and dtype {arr.dtype}")
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name}[{int(np.argmin(arr))}] = {int(arr.min())} is negative; indices start at 0")
    return arr.astype(np.int64)


def from_sa_pairs(R: Any, Q: Any, s_indices: Any, a_indices: Any, n_states: int | None = None,
                  n_actions: int | None = None) -> tuple[Any, np.ndarray]:
    """``(P, R)`` from QuantEcon's state-action-pair form (see the module docstring).

    Returns ``P`` dense ``(S, A, S)`` (or CSR ``(S*A, S)`` when ``Q`` is sparse) and ``R (S, A)`` with ``-inf``
    at the pairs not listed. ``n_states`` defaults to ``Q``'s number of columns, ``n_actions`` to the largest
    action index plus one. Errors name the offending pair: a duplicated pair, an index out of range, a state
    without any action.
    """
    R_sa = as_float_array(R, "R", ndim=1)
    L = R_sa.shape[0]
    sparse = sp.issparse(Q)
    Q_sa = sp.csr_array(Q) if sparse else as_float_array(Q, "Q", ndim=2)
    if Q_sa.shape[0] != L:
        raise ValueError(f"Q has {Q_sa.shape[0]} rows but R lists {L} state-action pairs; give one row per pair")
    s_idx, a_idx = _indices(s_indices, "s_indices", L), _indices(a_indices, "a_indices", L)
    S = Q_sa.shape[1] if n_states is None else int(n_states)
    A = (int(a_idx.max()) + 1 if L else 1) if n_actions is None else int(n_actions)
    if Q_sa.shape[1] != S:
        raise ValueError(f"Q has {Q_sa.shape[1]} columns (next states) but n_states = {S}")
    if L and s_idx.max() >= S:
        l = int(np.argmax(s_idx))
        raise ValueError(f"s_indices[{l}] = {s_idx[l]} is out of range 0..{S - 1}")
    if L and a_idx.max() >= A:
        l = int(np.argmax(a_idx))
        raise ValueError(f"a_indices[{l}] = {a_idx[l]} is out of range 0..{A - 1}")
    flat = s_idx * A + a_idx
    seen, first = np.unique(flat, return_index=True)
    if seen.size != L:
        dup = np.setdiff1d(np.arange(L), first)[0]
        raise ValueError(f"state-action pair (s={s_idx[dup]}, a={a_idx[dup]}) is listed twice (pair {dup}); "
                         "list each pair once")
    missing = np.setdiff1d(np.arange(S), s_idx)
    if missing.size:
        raise ValueError(f"state {missing[0]} has no feasible action (no pair lists it); every state needs one")
    R_full = np.full(S * A, -np.inf)
    R_full[flat] = R_sa
    loops = np.setdiff1d(np.arange(S * A), flat)          # infeasible pairs: self-loops, never used
    if sparse:
        rows = sp.csr_array((np.ones(loops.size), (loops, loops // A)), shape=(S * A, S))
        placed = sp.csr_array((np.ones(L), (flat, np.arange(L))), shape=(S * A, L)) @ Q_sa
        return sp.csr_array(placed + rows), R_full.reshape(S, A)
    P = np.zeros((S * A, S))
    P[flat] = Q_sa
    P[loops, loops // A] = 1.0
    return P.reshape(S, A, S), R_full.reshape(S, A)
