"""The certified iteration loop shared by value iteration (Jacobi and Gauss-Seidel) and modified
policy iteration: each outer iteration ends with one Jacobi optimality sweep ``TV`` from which the
MacQueen bracket (:mod:`solvers._bracket`) is computed; a method-specific ``step`` may move the
iterate between checks (Gauss-Seidel sweeps before, partial policy evaluation after)."""
from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from . import _kernels as K
from ._bracket import macqueen
from .result import PlanningResult, finish, freeze_trace, make_trace


def bracketed_iteration(
    mdp: Any,
    gamma: float,
    V0: np.ndarray,
    tol: float,
    max_iter: int,
    backend: str,
    method: str,
    trace: Any,
    callback: Callable | None,
    timeout: float | None,
    strict: bool,
    t_start: float,
    pre: Callable[[np.ndarray], int] | None = None,
    post: Callable[[np.ndarray, np.ndarray], int] | None = None,
    extra: dict | None = None,
) -> PlanningResult:
    """Run the loop and package the result.

    ``pre(V) -> sweeps`` may update ``V`` in place before the check sweep (Gauss-Seidel);
    ``post(V_next, greedy) -> sweeps`` may update the next iterate in place after a failed check (MPI).
    """
    P, R = mdp.P_flat, mdp.R
    S, A = R.shape
    V = np.array(V0, dtype=np.float64, copy=True)
    V_next = np.empty(S)
    bufs = (np.empty((S, A)), V_next, np.empty(S, dtype=np.int64))
    tr = make_trace(trace)
    sweeps, status = 0, "max_iter"
    it = 0
    for it in range(1, max_iter + 1):
        if pre is not None:
            sweeps += pre(V)
        Q, TV, greedy = K.bellman_q(P, R, V, gamma, backend, out=bufs if backend == "numba" else None)
        sweeps += 1
        br = macqueen(V, TV, gamma)
        if tr is not None:
            tr["residual"].append(br.residual)
            tr["error_bound"].append(br.half_width)
            tr["supnorm_bound"].append(br.supnorm_bound)
            if "V" in tr:
                tr["V"].append(TV + br.shift)
        if br.half_width <= tol:
            status = "converged"
            break
        if callback is not None and callback(it, br.residual, br.half_width):
            status = "callback"
            break
        if timeout is not None and time.perf_counter() - t_start > timeout:
            status = "timeout"
            break
        if it == max_iter:
            break
        if post is not None:
            sweeps += post(TV, greedy)
        # the next iterate is TV (possibly moved by ``post``); swap buffers instead of copying
        V, V_next = TV, V
        bufs = (bufs[0], V_next, bufs[2])
    converged = status == "converged"
    shift = br.shift
    V_out = TV + shift
    ex = dict(extra or {})
    ex.update(
        V_lower=TV + br.lo, V_upper=TV + br.hi, supnorm_bound=br.supnorm_bound,
        policy_gap_bound=2.0 * br.half_width, sweeps=sweeps, certificate="macqueen-bracket-midpoint",
    )
    finish(status, converged, strict, method,
           f"certified error {br.half_width:.3g} > tol {tol:.3g} after {it} iterations "
           f"(max_iter={max_iter}); pass a larger max_iter or tol", stacklevel=4)
    return PlanningResult(
        V=V_out, Q=Q + shift, policy=np.array(greedy, dtype=np.int64), iterations=it,
        residual=br.residual, error_bound=br.half_width, converged=converged, status=status,
        wall_time=time.perf_counter() - t_start, method=method, backend=backend,
        trace=freeze_trace(tr), extra=ex,
    )


def initial_V(V0: Any, S: int) -> np.ndarray:
    if V0 is None:
        return np.zeros(S)
    V = np.asarray(V0, dtype=np.float64)
    if V.shape != (S,):
        raise ValueError(f"V0 must have shape (S,) = ({S},), got {V.shape}")
    if not np.all(np.isfinite(V)):
        raise ValueError(f"V0 has a non-finite entry at index {int(np.argmin(np.isfinite(V)))}")
    return V


def iteration_scale(mdp: Any, V0: np.ndarray, gamma: float) -> float:
    """``r_max + (1 + gamma) ||V0||_inf``, an upper bound on ``||T V0 - V0||_inf``."""
    return float(np.abs(mdp.R).max()) + (1.0 + gamma) * float(np.abs(V0).max(initial=0.0))

