"""Policies: validation and conversion between deterministic and stochastic forms.

Shapes
------
- deterministic, stationary: int ``(S,)``, ``pi[s]`` = action;
- deterministic, stage-dependent: int ``(H, S)``, ``pi[h, s]``;
- stochastic, stationary: float ``(S, A)``, ``pi[s, a]`` = probability;
- stochastic, stage-dependent: float ``(H, S, A)``.

Greedy policies follow one tie rule everywhere (planners, learners, both backends): :func:`greedy`.
"""
from __future__ import annotations

import numpy as np

from .validation import PROB_ATOL, check_distribution, check_finite


#: Relative width of a tie: actions whose ``Q`` is within ``TIE_RTOL * (1 + |max_a Q|)`` of the row's max
#: are tied, and the lowest of them is greedy. Exact ties computed by different summation orders (Numba
#: vs BLAS) differ by a few ulps (~1e-16 relative), far inside this width; two actions closer than it are
#: equally good for every purpose of the suite (certificates carry a term for it, see docs/planners.md).
TIE_RTOL = 1e-12


def greedy(Q: np.ndarray, axis: int = -1) -> np.ndarray:
    """The greedy action along ``axis`` of ``Q`` with the suite's tie rule: the **lowest** action whose value
    is within ``TIE_RTOL * (1 + |max|)`` of the max (int64).

    The Numba kernels apply the same rule (``solvers._kernels._numba_common.greedy_row``), so both backends
    pick the same action on ties even when their sums differ in the last bits.

    >>> greedy(np.array([[1.0, 1.0 + 1e-15, 0.5], [0.0, 2.0, 2.0]])).tolist()
    [0, 1]
    """
    Q = np.moveaxis(np.asarray(Q, dtype=np.float64), axis, -1)
    A = Q.shape[-1]
    # one vectorised pass per action: as fast as argmax on (H, S, A) tables, where a reduction over the
    # short last axis is ~4x slower
    m = Q[..., 0].copy()
    for a in range(1, A):
        np.maximum(m, Q[..., a], out=m)
    thr = m - TIE_RTOL * (1.0 + np.abs(m))
    pi = np.zeros(m.shape, dtype=np.int64)
    for a in range(A - 1, 0, -1):   # descending, so the lowest tied action is written last
        pi[Q[..., a] >= thr] = a
    pi[Q[..., 0] >= thr] = 0
    return pi


def is_deterministic(policy: np.ndarray) -> bool:
    """Whether ``policy`` is an integer array of actions (as opposed to probabilities)."""
    return np.issubdtype(np.asarray(policy).dtype, np.integer)


def validate_policy(policy, S: int, A: int, H: int | None = None, name: str = "policy") -> np.ndarray:
    """Check ``policy`` against the model sizes and return it as int64 or float64.

    ``H=None`` means a stationary policy is expected; with ``H`` given, stationary policies are
    accepted too (they are broadcast by :func:`as_stochastic`).
    """
    arr = np.asarray(policy)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must be an int array of actions or a float array of probabilities, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.integer):
        allowed = [(S,)] + ([(H, S)] if H is not None else [])
        if arr.shape not in allowed:
            raise ValueError(f"deterministic {name} has shape {arr.shape}, expected one of {allowed}")
        out = arr.astype(np.int64, copy=False)
        bad = (out < 0) | (out >= A)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"{name}{list(idx)} = {out[idx]} is not an action; actions are 0..{A - 1}")
        return out
    allowed = [(S, A)] + ([(H, S, A)] if H is not None else [])
    if arr.shape not in allowed:
        raise ValueError(f"stochastic {name} has shape {arr.shape}, expected one of {allowed}")
    out = np.ascontiguousarray(arr, dtype=np.float64)
    check_finite(out, name)
    check_distribution(out, name, PROB_ATOL)
    return out


def as_stochastic(policy, S: int, A: int, H: int | None = None) -> np.ndarray:
    """Return ``policy`` as probabilities: ``(S, A)`` if ``H is None`` else ``(H, S, A)``.

    A stationary policy given with ``H`` is repeated at every stage.
    """
    pol = validate_policy(policy, S, A, H)
    if is_deterministic(pol):
        pol = np.eye(A)[pol]
    if H is not None and pol.ndim == 2:
        pol = np.broadcast_to(pol, (H, S, A)).copy()
    return pol
