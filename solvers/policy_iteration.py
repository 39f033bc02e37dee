"""Howard's policy iteration with exact (direct) evaluation."""
from __future__ import annotations

import hashlib
import math
import time
from typing import Any, Callable

import numpy as np

from mdptheory.policies import greedy as greedy_actions

from . import _kernels as K
from .brackets import U, SweepRounding, a_posteriori, abs_finite, row_stats
from .iteration import a_posteriori_detail
from .policy_evaluation import EvaluationTimeout, solve_policy_value
from .result import (PlanningResult, check_backend, check_max_iter, check_nonnegative, check_seconds, check_tol,
                     discount_of, finish, freeze_trace, make_trace)


def default_pi_max_iter(S: int, A: int, gamma: float) -> int:
    """Generous cap of the order of the strongly-polynomial bound ``O(S A / (1-gamma) log(S / (1-gamma)))``
    on Howard's PI (Ye 2011; Hansen, Miltersen & Zwick 2013), clamped to ``[100, 10**6]``. PI usually
    stops after a handful of iterations; the cap only guards against bugs and roundoff cycling."""
    k = S * A / (1.0 - gamma) * math.log(max(S, 2) / (1.0 - gamma))
    return int(min(max(math.ceil(k), 100), 10**6))


def policy_iteration(
    mdp: Any,
    tol: float = 1e-8,
    max_iter: int | None = None,
    backend: str = "numba",
    policy0: Any = None,
    tie_tol: float | None = None,
    trace: bool = False,
    callback: Callable[[int, float, float], Any] | None = None,
    timeout: float | None = None,
    strict: bool = False,
) -> PlanningResult:
    r"""Policy iteration (Howard 1960; Puterman 1994, section 6.4).

    Each iteration evaluates the current deterministic policy, ``V^pi = (I - gamma P_pi)^{-1} r_pi``
    (dense ``lu_factor``/``lu_solve``; sparse ``spsolve`` up to
    :data:`~solvers.policy_evaluation.SPARSE_DIRECT_MAX_S` states, BiCGSTAB started from the previous
    value above it, see :func:`solvers.policy_evaluation.solve_policy_value`), then improves greedily.
    The incumbent action is kept unless another action is better by more than ``tie_tol`` plus twice the
    evaluation's own certified error (Puterman's tie rule), so that roundoff or an inexact evaluation
    cannot make PI cycle between equally good policies. Stops when the policy is stable.

    Certificate: for the returned ``V`` (``V^pi`` up to the evaluation's residual),
    ``||V - V*|| <= ||T V - V|| / (1 - gamma)`` plus rounding (a-posteriori bound, ``error_bound``, see
    :func:`solvers.brackets.a_posteriori`); ``extra["policy_gap_bound"]`` adds the evaluation error
    ``||T^pi V - V|| / (1 - gamma)``.

    Parameters
    ----------
    mdp : mdptheory.FiniteMDP
        Discounted; dense or CSR ``P``. Sparse evaluation up to 1,000 states uses SuperLU, whose cost
        depends on fill-in (seconds at S = 2,000 on random graphs); larger sparse models use BiCGSTAB,
        stopped once the sup-norm residual is ``(1 - gamma) tol / 4`` or stops improving.
    tol : float
        ``converged`` requires a stable policy *and* ``error_bound <= tol``; a stable policy with a
        larger bound (only possible through roundoff or a large ``tie_tol``) gives status
        ``"inaccurate"``.
    max_iter : int, optional
        Improvement steps, respected exactly. Default :func:`default_pi_max_iter`.
    backend : {"numba", "numpy"}
        Kernel for the improvement sweep.
    policy0 : int ndarray (S,), optional
        Initial policy (default: greedy for ``V = 0``, i.e. myopic).
    tie_tol : float, optional
        Default ``16 eps (1 + ||V||_inf)``, a few ulps of the values compared. A larger value (e.g.
        including the ``1/(1-gamma)`` conditioning of the solve) keeps incumbents whose true
        improvement is below it; on a gridworld with gamma = 0.999 that left a stable policy with a
        certified error of 3e-6, so the default stays at rounding level and the certificate decides.
    trace, callback, timeout, strict
        As in :func:`solvers.value_iteration` (trace records ``residual`` and ``error_bound``; ``trace="V"`` also
        the evaluated ``V`` and the ``policy`` of every iteration). The ``timeout`` is also checked at every
        iteration of a Krylov evaluation (a direct solve cannot be interrupted; it is only used where it
        takes at most seconds).

    Returns
    -------
    PlanningResult
        ``V = V^pi`` (S,), ``Q = R + gamma P V`` (S, A), ``policy`` (S,) int64;
        ``extra["n_changed"]`` actions changed per iteration.
    """
    t0 = time.perf_counter()
    gamma = discount_of(mdp, "policy_iteration")
    tol = check_tol(tol)
    backend = check_backend(backend)
    max_iter = check_max_iter(max_iter)
    timeout = check_seconds(timeout)
    tie_tol = check_nonnegative(tie_tol, "tie_tol")
    P, R = mdp.P_flat, mdp.R
    S, A = R.shape
    if max_iter is None:
        max_iter = default_pi_max_iter(S, A, gamma)
    if policy0 is None:
        pi = greedy_actions(R)
    else:
        from mdptheory.policies import validate_policy

        pi = validate_policy(policy0, S, A, name="policy0")
        if pi.ndim != 1:
            raise ValueError("policy0 must be a deterministic int policy of shape (S,)")
        pi = pi.copy()
    tr = make_trace(trace)
    if tr is not None:
        tr.pop("supnorm_bound", None)
    status, it, changed = "max_iter", 0, []
    stats = row_stats(mdp.P)
    rounding = SweepRounding.bellman(stats, gamma)
    deadline = None if timeout is None else t0 + timeout
    V = None
    seen = {hashlib.blake2b(pi.tobytes(), digest_size=16).digest()}
    for it in range(1, max_iter + 1):
        try:
            V = solve_policy_value(P, R, pi, gamma, V0=V, residual_tol=0.25 * (1.0 - gamma) * tol,
                                   deadline=deadline)
        except EvaluationTimeout as stop:  # certify the last Krylov iterate (any V has a certificate)
            V, status = stop.V, "timeout"
        Q, TV, greedy = K.bellman_q(P, R, V, gamma, backend)
        cert = a_posteriori(V, TV, gamma, rounding)
        bound, residual = cert.bound, cert.residual
        if tr is not None:
            tr["residual"].append(residual)
            tr["error_bound"].append(bound)
            if "V" in tr:
                tr["V"].append(V)
                tr.setdefault("policy", []).append(pi.copy())
        if status == "timeout":
            break
        eps_tie = tie_tol if tie_tol is not None else 16 * np.finfo(float).eps * (1 + np.abs(V).max())
        keep = Q[np.arange(S), pi] >= TV - eps_tie
        new_pi = np.where(keep, pi, greedy)
        n = int(np.count_nonzero(new_pi != pi))
        changed.append(n)
        # an inexact (Krylov) evaluation may make PI revisit a policy among near-equal ones: that is a stop
        key = hashlib.blake2b(new_pi.tobytes(), digest_size=16).digest()
        if n == 0 or key in seen:
            status = "converged" if bound <= tol else "inaccurate"
            break
        seen.add(key)
        if callback is not None and callback(it, residual, bound):
            status = "callback"
            break
        if timeout is not None and time.perf_counter() - t0 > timeout:
            status = "timeout"
            break
        if it < max_iter:
            pi = new_pi
    # ||V* - V^pi|| <= ||V* - V|| + ||V - V^pi||, the second from the computed T^pi V (its own rounding)
    eval_err = a_posteriori(V, K.policy_sweep(P, R, pi, V, gamma, backend), gamma,
                            SweepRounding.policy(stats, gamma, R, pi)).bound
    converged = status == "converged"
    if status == "inaccurate":
        detail = a_posteriori_detail(tol, cert, V, it)
    else:
        detail = f"error bound {bound:.3g} (tol {tol:.3g}) after {it} iterations (max_iter={max_iter})"
    finish(status, converged, strict, "policy_iteration", detail)
    Q_bound = (bound * gamma * stats.rho_hi + rounding.q_error(float(abs_finite(Q).max(initial=0.0)), cert.V_abs))
    return PlanningResult(
        V=V, Q=Q, policy=pi, iterations=it, residual=residual, error_bound=bound, converged=converged,
        status=status, wall_time=time.perf_counter() - t0, method="policy_iteration", backend=backend,
        trace=freeze_trace(tr), extra={"policy_gap_bound": (bound + eval_err) * (1 + 4 * U), "n_changed": changed,
                                       "certificate": "a-posteriori", "rounding_bound": cert.rounding,
                                       "Q_error_bound": Q_bound * (1 + 8 * U)},
        params=dict(tol=tol, max_iter=max_iter),
    )
