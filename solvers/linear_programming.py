"""Linear-programming solution of a discounted MDP with HiGHS, and the optimal occupancy measure."""
from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from . import _kernels as K
from .brackets import U, SweepRounding, a_posteriori, greedy_gap, macqueen, row_stats
from .iteration import a_posteriori_detail
from .result import PlanningResult, check_backend, check_tol, discount_of, finish


def linear_programming(
    mdp: Any,
    tol: float = 1e-6,
    weights: Any = None,
    backend: str = "numba",
    highs_method: str = "highs",
    feasibility_tol: float = 1e-10,
    strict: bool = False,
    timeout: float | None = None,
) -> PlanningResult:
    r"""Solve the primal LP of a discounted MDP with HiGHS and read the occupancy measure off the dual.

    Primal (Puterman 1994, section 6.9; d'Epenoux 1963):

    .. math:: \min_V\ \sum_s w(s) V(s) \quad\text{s.t.}\quad
              V(s) \ge R(s,a) + \gamma \sum_{s'} P(s'|s,a) V(s') \quad \forall (s,a),

    whose unique solution for weights ``w > 0`` is ``V*``. Its dual

    .. math:: \max_{\lambda \ge 0} \sum_{s,a} \lambda(s,a) R(s,a) \quad\text{s.t.}\quad
              \sum_a \lambda(s',a) - \gamma \sum_{s,a} P(s'|s,a)\lambda(s,a) = w(s')

    is solved by the *unnormalised* discounted occupancy of an optimal policy started from ``w``:
    ``lambda(s,a) = sum_t gamma^t Pr_w(s_t = s, a_t = a)``, which sums to ``1/(1-gamma)``. We return
    the **normalised** occupancy ``d = (1 - gamma) lambda`` (sums to 1) in ``extra["occupancy"]``
    ``(S, A)``; ``lambda`` is minus HiGHS's marginals of the ``<=`` constraints.

    Parameters
    ----------
    mdp : mdptheory.FiniteMDP
        Discounted; dense or CSR ``P`` (the constraint matrix is passed to HiGHS as sparse).
    tol : float
        ``converged`` means HiGHS succeeded and the a-posteriori certificate
        ``||V - V*|| <= ||T V - V|| / (1 - gamma)`` is ``<= tol``; otherwise status ``"inaccurate"``.
    weights : ndarray (S,), optional
        Initial-state weights ``w``; default ``mdp.mu0`` when it is strictly positive, else uniform
        (a zero weight would leave ``V`` undetermined at states that ``w`` never reaches). Recorded in
        ``extra["weights"]``: the occupancy is the one started from these weights.
    backend : {"numba", "numpy"}
        Kernel for the certificate sweep.
    highs_method : {"highs", "highs-ds", "highs-ipm"}
    feasibility_tol : float
        HiGHS primal and dual feasibility tolerances.
    strict : bool
        Raise :class:`solvers.result.NotConvergedError` instead of warning when not converged.
    timeout : float, optional
        Seconds; passed to HiGHS as its ``time_limit``. A stop at the limit gives status ``"timeout"`` with
        HiGHS's last point (or ``V = 0`` if it has none), certified like any other ``V``.

    Returns
    -------
    PlanningResult
        ``V`` (S,) = LP primal solution, ``Q = R + gamma P V``, ``policy`` greedy for ``V``,
        ``iterations`` = HiGHS iterations. ``extra``: ``occupancy`` ``(S, A)`` normalised,
        ``objective`` (``w . V``), ``weights``, ``highs_message``, ``policy_gap_bound``
        (``gamma span(T V - V) / (1 - gamma)`` for the greedy policy, see :mod:`solvers.brackets`).
    """
    t0 = time.perf_counter()
    gamma = discount_of(mdp, "linear_programming")
    tol = check_tol(tol)
    backend = check_backend(backend)
    S, A = mdp.S, mdp.A
    if weights is None:
        w = mdp.mu0 if np.all(mdp.mu0 > 0) else np.full(S, 1.0 / S)
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (S,) or not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ValueError(f"weights must be a strictly positive finite (S,) = ({S},) array, got shape {w.shape}")
    # constraint rows s*A + a:  gamma P[s, a, :] . V - V[s] <= -R[s, a]
    E = sp.csr_array((np.ones(S * A), (np.arange(S * A), np.repeat(np.arange(S), A))), shape=(S * A, S))
    A_ub = sp.csr_array(gamma * sp.csr_array(mdp.P_flat) - E)
    options = {"primal_feasibility_tolerance": feasibility_tol, "dual_feasibility_tolerance": feasibility_tol}
    if timeout is not None:
        options["time_limit"] = max(float(timeout) - (time.perf_counter() - t0), 0.0)
    res = linprog(w, A_ub=A_ub, b_ub=-mdp.R.ravel(), bounds=(None, None), method=highs_method, options=options)
    timed_out = timeout is not None and res.status == 1 and time.perf_counter() - t0 >= 0.99 * timeout
    if (res.status != 0 or res.x is None) and not timed_out:
        raise RuntimeError(f"HiGHS failed on the MDP linear program: {res.message}")
    V = np.asarray(res.x, dtype=np.float64) if res.x is not None else np.zeros(S)
    Q, TV, greedy = K.bellman_q(mdp.P_flat, mdp.R, V, gamma, backend)
    stats = row_stats(mdp.P)
    rounding = SweepRounding.bellman(stats, gamma)
    cert = a_posteriori(V, TV, gamma, rounding)
    bound = cert.bound
    br = macqueen(V, TV, gamma, rounding, backend)  # the greedy policy's certificate (see solvers.brackets.greedy_gap)
    gap = greedy_gap(Q, TV, greedy, br.half_width, br.sweep_error, gamma, stats.rho_hi)
    marginals = getattr(getattr(res, "ineqlin", None), "marginals", None)
    lam = (np.clip(-np.asarray(marginals), 0.0, None).reshape(S, A) if marginals is not None
           else np.full((S, A), np.nan))
    occ = (1.0 - gamma) * lam
    converged = bound <= tol and not timed_out
    status = "converged" if converged else ("timeout" if timed_out else "inaccurate")
    if timed_out:
        finish(status, False, strict, "linear_programming", f"HiGHS stopped at time_limit; certified error {bound:.3g}")
    elif not converged:
        detail = a_posteriori_detail(tol, cert, V, int(getattr(res, "nit", 0)))
        if cert.rounding <= tol:
            detail += "; lower feasibility_tol or use policy_iteration"
        finish(status, converged, strict, "linear_programming", detail)
    Q_bound = (bound * gamma * stats.rho_hi + rounding.q_error(float(np.abs(Q).max(initial=0.0)), cert.V_abs))
    return PlanningResult(
        V=V, Q=Q.copy(), policy=greedy.copy(), iterations=int(getattr(res, "nit", 0)),
        residual=cert.residual, error_bound=bound, converged=converged, status=status,
        wall_time=time.perf_counter() - t0, method=f"linear_programming[{highs_method}]", backend=backend,
        extra={"occupancy": occ, "objective": float(res.fun) if res.fun is not None else float("nan"), "weights": w, "highs_message": res.message,
               "certificate": "a-posteriori", "policy_gap_bound": gap, "rounding_bound": cert.rounding,
               "Q_error_bound": Q_bound * (1 + 8 * U)},
        params=dict(tol=tol, highs_method=highs_method, feasibility_tol=feasibility_tol, timeout=timeout),
    )
