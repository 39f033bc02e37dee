"""Modified policy iteration (Puterman & Shin 1978) with the MacQueen certificate."""
from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from . import _kernels as K
from .brackets import MacQueen
from .iteration import BellmanSweep, IterationOptions, certified_iteration, initial_V, iteration_scale, midpoint_result
from .reorder import with_reordering
from .result import PlanningResult, check_backend, discount_of


def modified_policy_iteration(
    mdp: Any,
    tol: float = 1e-8,
    max_iter: int | None = None,
    m: int = 20,
    backend: str = "numba",
    V0: Any = None,
    trace: bool | str = False,
    callback: Callable[[int, float, float], Any] | None = None,
    timeout: float | None = None,
    strict: bool = False,
    reorder: str | None = None,
) -> PlanningResult:
    r"""Modified policy iteration: ``V_{k+1} = (T^{pi_k})^m V_k`` with ``pi_k`` greedy for ``V_k``.

    Puterman & Shin (1978); Puterman (1994), section 6.5, Algorithm (MPI) with order ``m_n = m``. The
    first of the ``m`` evaluation sweeps is the optimality sweep ``T V_k`` itself, which also gives the
    MacQueen bracket used to stop (see :func:`solvers.value_iteration`); the other ``m - 1`` sweeps
    apply ``T^{pi_k}`` and read only ``S`` rows of ``P`` each (``1/A`` of an optimality sweep).
    ``m = 1`` is value iteration; ``m -> inf`` is policy iteration.

    Parameters
    ----------
    mdp : mdptheory.FiniteMDP
        Discounted; dense or CSR ``P``.
    tol : float
        Certified ``||V - V*||_inf`` of the returned bracket midpoint.
    max_iter : int, optional
        Maximum number of improvement steps, respected exactly. Default as in
        :func:`solvers.value_iteration` (valid since, started from ``V0`` with ``T V0 >= V0``, MPI
        iterates dominate VI iterates; Puterman 1994, section 6.5).
    m : int
        Evaluation sweeps per improvement (including the optimality sweep), ``m >= 1``.
    V0 : ndarray (S,), optional
        Default ``min_s max_a R(s,a) / (1 - gamma)``, the largest constant with ``T V0 >= V0`` (Puterman
        1994, section 6.5, uses ``min_{s,a} R / (1 - gamma)``, which also satisfies it but sits far from
        ``V*`` when an infeasible action is written as a penalty reward such as -1e12: the first sweeps
        then run at a scale where ``T V - V`` loses every digit of ``R``). After each check the iterate
        is moved to the bracket midpoint (:mod:`solvers.iteration`), which keeps it at the scale of ``V*``.
    backend, trace, callback, timeout, strict, reorder
        As in :func:`solvers.value_iteration`.

    Returns
    -------
    PlanningResult
        Same fields and ``extra`` as :func:`solvers.value_iteration`; ``iterations`` counts improvement
        steps, ``extra["sweeps"]`` counts optimality + evaluation sweeps.
    """
    if reorder is not None:  # relabel the states once, plan, relabel back (solvers.reorder)
        return with_reordering(modified_policy_iteration, mdp, reorder, tol=tol, max_iter=max_iter, m=m,
                               backend=backend, V0=V0, trace=trace, callback=callback, timeout=timeout, strict=strict)
    t0 = time.perf_counter()
    gamma = discount_of(mdp, "modified_policy_iteration")
    backend = check_backend(backend)
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
        raise ValueError(f"m (evaluation sweeps per improvement) must be an int >= 1, got {m!r}")
    if V0 is None:
        V = np.full(mdp.S, float(mdp.R.max(axis=1).min()) / (1.0 - gamma))
    else:
        V = initial_V(V0, mdp.S)
    opts = IterationOptions.discounted(gamma, iteration_scale(mdp.R, V, gamma), tol, max_iter, trace=trace,
                                       callback=callback, timeout=timeout, strict=strict)
    P, R = mdp.P_flat, mdp.R

    def evaluate(V_next: np.ndarray, greedy: np.ndarray) -> int:
        # the m - 1 partial-evaluation sweeps: the policy's rows extracted once (contiguous CSR), then one
        # fused kernel call (issue 12: they cost 1.94 ms each at S = 20,000 as separate S-row gathers)
        if m > 1:
            K.chain_sweeps(K.policy_chain(P, R, greedy, backend), V_next, gamma, m - 1, backend)
        return m - 1

    bracket = MacQueen.of_bellman(mdp.P, gamma, backend)
    out = certified_iteration(BellmanSweep(P, R, gamma, backend), V, bracket, opts, advance=evaluate,
                              name="modified_policy_iteration", t_start=t0)
    return midpoint_result(out, method="modified_policy_iteration", backend=backend, extra={"m": int(m)},
                           params=dict(tol=opts.tol, max_iter=opts.max_iter, m=int(m)))
