"""State reordering for cache locality (issue 12, item 4): relabel the states once, plan, relabel back.

A CSR sweep reads ``V[indices[k]]`` for every nonzero; when the next states of neighbouring rows are far
apart in ``V``, every read misses the cache once ``V`` outgrows it (8 MB at S = 1,000,000). The reverse
Cuthill-McKee ordering (Cuthill & McKee 1969; George 1971; ``scipy.sparse.csgraph.reverse_cuthill_mckee``)
of the state graph (``s -> s'`` when some action moves ``s`` to ``s'``, symmetrised) numbers states so
that transitions stay close to the diagonal: it restores the locality of a model whose states were
numbered arbitrarily (a grid or a chain read from a file in hash order). It cannot create locality a
model does not have: on a random (Garnet) graph every ordering has a bandwidth of order ``S``.

``reorder="rcm"`` in :func:`solvers.value_iteration`, :func:`solvers.modified_policy_iteration` and
:func:`solvers.solve` applies :func:`rcm_permutation` once, plans on the relabelled model and returns a
result in the caller's labels (:func:`restore`); the certificate is unchanged (a permutation is exact).
The benchmark (``benchmarks/planners.py``, section "reordering") measures the cost per nonzero before and
after on a shuffled grid and on a Garnet.
"""
from __future__ import annotations

import time
from dataclasses import replace
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import reverse_cuthill_mckee

__all__ = ["REORDERINGS", "rcm_permutation", "permute", "restore", "with_reordering"]

#: Accepted values of the planners' ``reorder`` argument.
REORDERINGS = (None, "rcm")


def rcm_permutation(P_flat: Any, S: int, A: int) -> np.ndarray:
    """``perm (S,)`` int64: new state ``i`` is old state ``perm[i]`` (reverse Cuthill-McKee of the
    symmetrised state graph)."""
    P = P_flat if sp.issparse(P_flat) else sp.csr_array(P_flat)
    P = sp.csr_array(P)
    rows = np.repeat(np.arange(S * A, dtype=np.int64) // A, np.diff(P.indptr))
    G = sp.csr_array((np.ones(P.nnz, dtype=np.int8), (rows, np.asarray(P.indices, dtype=np.int64))), shape=(S, S))
    G = (G + G.T).tocsr()
    return np.asarray(reverse_cuthill_mckee(G, symmetric_mode=True), dtype=np.int64)


def permute(mdp: Any, perm: np.ndarray) -> Any:
    """The same MDP with states relabelled: new state ``i`` is old state ``perm[i]``."""
    S, A = mdp.S, mdp.A
    inv = np.empty(S, dtype=np.int64)
    inv[perm] = np.arange(S)
    if mdp.is_sparse:
        P = sp.csr_array(mdp.P_flat)[(perm[:, None] * A + np.arange(A)).ravel()]
        P = sp.csr_array((P.data, inv[P.indices].astype(P.indices.dtype), P.indptr), shape=P.shape)
        P.sort_indices()
    else:
        P = mdp.P[perm][:, :, perm]
    return replace(mdp, P=P, R=mdp.R[perm], mu0=mdp.mu0[perm])


def restore(res: Any, perm: np.ndarray) -> Any:
    """A :class:`~solvers.result.PlanningResult` of the relabelled model in the original labels."""
    S = perm.shape[0]

    def back(x: Any, axis: int = 0) -> Any:
        if not isinstance(x, np.ndarray) or x.ndim <= axis or x.shape[axis] != S:
            return x
        out = np.empty_like(x)
        idx = [slice(None)] * x.ndim
        idx[axis] = perm
        out[tuple(idx)] = x
        return out

    extra = {k: back(v) for k, v in res.extra.items()}
    extra["reorder"] = "rcm"
    trace = None if res.trace is None else {k: back(v, axis=1) if k == "V" else v for k, v in res.trace.items()}
    return replace(res, V=back(res.V), Q=back(res.Q), policy=back(res.policy), extra=extra, trace=trace)


def with_reordering(planner: Callable[..., Any], mdp: Any, reorder: str | None, **kwargs: Any) -> Any:
    """Run ``planner(mdp, **kwargs)``, on the relabelled model when ``reorder="rcm"``. A user's ``V0`` is
    relabelled too."""
    if reorder not in REORDERINGS:
        raise ValueError(f"reorder must be one of {REORDERINGS}, got {reorder!r}")
    if reorder is None:
        return planner(mdp, **kwargs)
    t0 = time.perf_counter()
    perm = rcm_permutation(mdp.P_flat, mdp.S, mdp.A)
    if kwargs.get("V0") is not None:
        kwargs["V0"] = np.asarray(kwargs["V0"], dtype=np.float64)[perm]
    relabelled = permute(mdp, perm)
    t_reorder = time.perf_counter() - t0
    res = restore(planner(relabelled, **kwargs), perm)
    extra = dict(res.extra, reorder_time=t_reorder)
    return replace(res, wall_time=time.perf_counter() - t0, extra=extra)
