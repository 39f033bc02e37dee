"""Linear-programming solution of a discounted MDP with HiGHS, and the optimal occupancy measure."""
from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from . import _kernels as K
from .brackets import U, SweepRounding, a_posteriori, abs_finite, greedy_gap, macqueen, row_stats
from .iteration import a_posteriori_detail
from .policy_evaluation import solve_policy_value
from .result import PlanningResult, check_backend, check_seconds, check_tol, discount_of, finish


def linear_programming(
    mdp: Any,
    tol: float = 1e-6,
    weights: Any = None,
    backend: str = "numba",
    highs_method: str = "highs-ipm",
    feasibility_tol: float = 1e-10,
    strict: bool = False,
    timeout: float | None = None,
    polish: bool = True,
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
    polish : bool
        Evaluate the greedy policy of HiGHS's ``V`` exactly (:func:`solvers.policy_evaluation.solve_policy_value`)
        and return that value when its a-posteriori bound is smaller (HiGHS's tolerance on the constraint
        residual becomes ``feasibility_tol / (1 - gamma)`` in the certificate). ``extra["V_lp"]`` keeps the
        LP primal solution and ``extra["polished"]`` says which one ``V`` is.

    Returns
    -------
    PlanningResult
        ``V`` (S,) = LP primal solution (or its greedy policy's exact value, see ``polish``),
        ``Q = R + gamma P V``, ``policy`` greedy for ``V``, ``iterations`` = HiGHS iterations. ``extra``:
        ``occupancy`` ``(S, A)`` normalised, ``objective`` (``w . V_lp``), ``weights``, ``highs_message``,
        ``policy_gap_bound`` (:func:`solvers.brackets.greedy_gap` for the greedy policy), ``V_lp``,
        ``polished``.

    Size. HiGHS's simplex grows fast with ``S A`` on random (Garnet) models: measured 2.3 s at S = 500
    and 18 s at S = 1,000 (A = 10, 10 entries per row, gamma = 0.999), 224 s at S = 2,000 in issue 12;
    the interior-point method (``highs_method="highs-ipm"``) took 0.5 s and 1.0 s. :func:`solvers.solve`
    never uses the LP; use it for the occupancy measure or as a cross-check up to a few thousand states.
    """
    t0 = time.perf_counter()
    gamma = discount_of(mdp, "linear_programming")
    tol = check_tol(tol)
    timeout = check_seconds(timeout)
    backend = check_backend(backend)
    S, A = mdp.S, mdp.A
    if weights is None:
        w = mdp.mu0 if np.all(mdp.mu0 > 0) else np.full(S, 1.0 / S)
    else:
        w = np.asarray(weights, dtype=np.float64)
        if w.shape != (S,) or not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ValueError(f"weights must be a strictly positive finite (S,) = ({S},) array, got shape {w.shape}")
    # constraint rows s*A + a:  gamma P[s, a, :] . V - V[s] <= -R[s, a]; an infeasible action (R = -inf)
    # constrains nothing, so its row is left out
    E = sp.csr_array((np.ones(S * A), (np.arange(S * A), np.repeat(np.arange(S), A))), shape=(S * A, S))
    feasible = np.flatnonzero(np.isfinite(mdp.R.ravel()))
    A_ub = sp.csr_array(gamma * sp.csr_array(mdp.P_flat) - E)[feasible]
    options = {"primal_feasibility_tolerance": feasibility_tol, "dual_feasibility_tolerance": feasibility_tol}
    if timeout is not None:
        options["time_limit"] = max(float(timeout) - (time.perf_counter() - t0), 0.0)
    res = linprog(w, A_ub=A_ub, b_ub=-mdp.R.ravel()[feasible], bounds=(None, None), method=highs_method,
                  options=options)
    timed_out = timeout is not None and res.status == 1 and time.perf_counter() - t0 >= 0.99 * timeout
    if (res.status != 0 or res.x is None) and not timed_out:
        raise RuntimeError(f"HiGHS failed on the MDP linear program: {res.message}")
    V_lp = np.asarray(res.x, dtype=np.float64) if res.x is not None else np.zeros(S)
    stats = row_stats(mdp.P)
    rounding = SweepRounding.bellman(stats, gamma)
    V = V_lp
    Q, TV, greedy = K.bellman_q(mdp.P_flat, mdp.R, V, gamma, backend)
    cert = a_posteriori(V, TV, gamma, rounding)
    polished = False
    if polish and not timed_out:
        # HiGHS meets its feasibility tolerance on a residual that the certificate divides by 1 - gamma
        # (measured bound 2.5e-6 .. 9e-5 at gamma = 0.999 for a true error of 1e-8): evaluate the LP's
        # greedy policy exactly and keep that value if it certifies better (it is V* when the policy is)
        V_pi = solve_policy_value(mdp.P_flat, mdp.R, greedy, gamma, V0=V, residual_tol=0.25 * (1 - gamma) * tol)
        Q_pi, TV_pi, greedy_pi = K.bellman_q(mdp.P_flat, mdp.R, V_pi, gamma, backend)
        cert_pi = a_posteriori(V_pi, TV_pi, gamma, rounding)
        if cert_pi.bound < cert.bound:
            V, Q, TV, greedy, cert, polished = V_pi, Q_pi, TV_pi, greedy_pi, cert_pi, True
    bound = cert.bound
    br = macqueen(V, TV, gamma, rounding, backend)  # the greedy policy's certificate (see solvers.brackets.greedy_gap)
    gap = greedy_gap(Q, TV, greedy, br.half_width, br.sweep_error, gamma, stats.rho_hi)
    marginals = getattr(getattr(res, "ineqlin", None), "marginals", None)
    lam = np.full(S * A, np.nan)
    if marginals is not None:
        lam[:] = 0.0
        lam[feasible] = np.clip(-np.asarray(marginals), 0.0, None)
    lam = lam.reshape(S, A)
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
    Q_bound = (bound * gamma * stats.rho_hi + rounding.q_error(float(abs_finite(Q).max(initial=0.0)), cert.V_abs))
    return PlanningResult(
        V=V, Q=Q.copy(), policy=greedy.copy(), iterations=int(getattr(res, "nit", 0)),
        residual=cert.residual, error_bound=bound, converged=converged, status=status,
        wall_time=time.perf_counter() - t0, method=f"linear_programming[{highs_method}]", backend=backend,
        extra={"occupancy": occ, "objective": float(res.fun) if res.fun is not None else float("nan"), "weights": w, "highs_message": res.message,
               "certificate": "a-posteriori", "policy_gap_bound": gap, "rounding_bound": cert.rounding,
               "Q_error_bound": Q_bound * (1 + 8 * U), "V_lp": V_lp, "polished": polished},
        params=dict(tol=tol, highs_method=highs_method, feasibility_tol=feasibility_tol, timeout=timeout),
    )
