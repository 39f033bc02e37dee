"""Exact policy evaluation, discounted and episodic, for deterministic and stochastic policies."""
from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from mdptheory import mutants

from . import _kernels as K
from .brackets import U, MacQueen, SweepRounding, a_posteriori, abs_finite, gamma_n, row_stats
from .iteration import (IterationOptions, Sweep, a_posteriori_detail, certified_iteration, iteration_scale,
                        midpoint_result)
from .result import PlanningResult, check_backend, check_max_iter, check_tol, discount_of, finish


#: The linear-algebra slip: solving with ``P_pi`` transposed (a row-stochastic matrix used as column-stochastic).
TRANSPOSED = mutants.register("policy-evaluation", "transposed",
                              "the direct evaluation solves (I - gamma P_pi^T) V = r_pi instead of (I - gamma P_pi) V = r_pi")


#: Sparse models with more states than this are evaluated by a Krylov solver (issue 11, item 8): SuperLU's
#: fill-in on random transition graphs made one direct solve take 1.3-1.5 s at S = 2,000 (Garnet, 10
#: entries per row) and ran past 420 s and 1.65 GB at S = 100,000; BiCGSTAB needs ~20 iterations there.
SPARSE_DIRECT_MAX_S = 1000


class EvaluationTimeout(Exception):
    """Raised inside :func:`solve_policy_value` when its ``deadline`` passes; ``V`` is the last iterate."""

    def __init__(self, V: np.ndarray) -> None:
        super().__init__("policy evaluation stopped at the deadline")
        self.V = V


def solve_policy_value(P_flat: Any, R: np.ndarray, policy: np.ndarray, gamma: float, *, method: str = "auto",
                       V0: np.ndarray | None = None, residual_tol: float = 0.0,
                       deadline: float | None = None) -> np.ndarray:
    r"""``V^pi = (I - gamma P_pi)^{-1} r_pi``.

    ``method="auto"``: dense ``scipy.linalg.lu_factor``/``lu_solve`` (``O(S^3)``); CSR with at most
    :data:`SPARSE_DIRECT_MAX_S` states ``scipy.sparse.linalg.spsolve`` (SuperLU); larger CSR models
    ``"krylov"``: BiCGSTAB (van der Vorst 1992) on ``(I - gamma P_pi) V = r_pi`` with the deterministic
    policy's rows extracted once, started from ``V0`` (the previous policy's value in policy iteration),
    until the sup-norm of the residual ``r_pi + gamma P_pi V - V`` is at most ``residual_tol`` or stops
    improving (the rounding floor). The result is only as exact as that residual: callers
    certify it a posteriori (:func:`solvers.brackets.a_posteriori`). Never an explicit inverse.
    ``policy`` is int ``(S,)`` or float ``(S, A)`` (stochastic: direct only). ``deadline``
    (``time.perf_counter()`` value) is checked at every Krylov iteration: :class:`EvaluationTimeout`
    carries the last iterate.
    """
    S = R.shape[0]
    if method not in ("auto", "direct", "krylov"):
        raise ValueError(f"method must be 'auto', 'direct' or 'krylov', got {method!r}")
    krylov = method == "krylov" or (method == "auto" and sp.issparse(P_flat) and S > SPARSE_DIRECT_MAX_S)
    if krylov and policy.ndim == 1:
        return _krylov_value(P_flat, R, policy, gamma, V0, residual_tol, deadline)
    P_pi, r_pi = K.policy_model(P_flat, R, policy)
    if TRANSPOSED.active:
        P_pi = P_pi.T
    if sp.issparse(P_pi):
        M = (sp.identity(S, format="csc") - gamma * sp.csc_array(P_pi))
        return np.asarray(spla.spsolve(M, r_pi), dtype=np.float64).reshape(S)
    M = np.eye(S) - gamma * P_pi
    return sla.lu_solve(sla.lu_factor(M, check_finite=False), r_pi, check_finite=False)


class _Stop(Exception):
    pass


def _krylov_value(P_flat, R, policy, gamma, V0, residual_tol, deadline) -> np.ndarray:
    """BiCGSTAB stopped on the sup-norm of the true residual (checked at every iteration, one extra matvec
    with the extracted ``P_pi``): at ``residual_tol``, or when it has not halved for 20 iterations (the
    rounding floor), or at the deadline. Returns the iterate with the smallest residual seen."""
    S = R.shape[0]
    chain = K.policy_chain(P_flat, R, policy)
    if chain.rows is None:
        indptr, indices, data = chain.P
        P_pi = sp.csr_array((data, indices, indptr), shape=(S, S))
    else:
        P_pi = chain.P[chain.rows]
    r = chain.r
    op = spla.LinearOperator((S, S), matvec=lambda x: x - gamma * (P_pi @ x), dtype=np.float64)
    x0 = np.zeros(S) if V0 is None else np.array(V0, dtype=np.float64, copy=True)
    best = {"res": float(np.max(np.abs(r - op @ x0), initial=0.0)), "x": x0, "since": 0}

    def check(xk: np.ndarray) -> None:
        res = float(np.max(np.abs(r - op @ xk), initial=0.0))
        if res < best["res"]:
            if res <= 0.5 * best["res"]:
                best["since"] = 0
            best["res"], best["x"] = res, np.array(xk, copy=True)
        best["since"] += 1
        if deadline is not None and time.perf_counter() > deadline:
            raise EvaluationTimeout(best["x"])
        if best["res"] <= residual_tol or best["since"] > 20:
            raise _Stop

    if best["res"] > residual_tol:
        try:
            spla.bicgstab(op, r, x0=x0, rtol=0.0, atol=0.0, maxiter=max(200, 4 * int(np.sqrt(S))), callback=check)
        except _Stop:
            pass
    return best["x"]


def _policy_of(mdp: Any, policy: Any, H: int | None) -> np.ndarray:
    from mdptheory.policies import validate_policy  # local: keeps solvers importable piecemeal
    from mdptheory.validation import check_feasible_policy

    pol = validate_policy(policy, mdp.S, mdp.A, H)
    check_feasible_policy(mdp.R, pol)
    return pol


def policy_evaluation(
    mdp: Any,
    policy: Any,
    method: str = "direct",
    tol: float | None = None,
    max_iter: int | None = None,
    backend: str = "numba",
    strict: bool = False,
) -> PlanningResult:
    r"""Value of a fixed policy, with a certificate.

    Discounted (``FiniteMDP``): :math:`V^\pi = r_\pi + \gamma P_\pi V^\pi` (Puterman 1994, section 6.1),
    solved directly (``method="direct"``: dense LU or sparse ``spsolve``) or by iterating ``T^pi`` with
    the MacQueen bracket (``method="iterative"``; ``tol`` is then the certified error of the returned
    midpoint, as in :func:`solvers.value_iteration`). The direct solve reports the a-posteriori
    certificate ``||V - V^pi|| <= ||T^pi V - V|| / (1 - gamma)`` computed with one evaluation sweep.

    Episodic (``EpisodicMDP``): the backward recursion
    ``V_h = sum_a pi_h(a|s) (R_h + P_h V_{h+1})``, ``V_H = 0``, exact in exact arithmetic.

    Parameters
    ----------
    mdp : mdptheory.FiniteMDP or mdptheory.EpisodicMDP
    policy : ndarray
        Deterministic int ``(S,)`` (or ``(H, S)`` episodic), ``policy[s]`` = action; or stochastic
        float ``(S, A)`` / ``(H, S, A)``, ``policy[s, a] = pi(a | s)``. Validated by
        :func:`mdptheory.policies.validate_policy`; a stationary policy is used at every stage of an
        episodic MDP.
    method : {"direct", "iterative"}
        Discounted only.
    tol : float, optional
        ``method="iterative"``: certified error of the returned midpoint (default ``1e-10``).
        ``method="direct"``: if given, ``converged`` means the a-posteriori bound is ``<= tol``;
        by default the bound is only reported.
    max_iter, strict
        As in :func:`solvers.value_iteration`.
    backend : {"numba", "numpy"}
        Kernels for the evaluation sweeps / episodic recursion.

    Returns
    -------
    PlanningResult
        ``V`` (``(S,)`` or ``(H+1, S)``), ``Q`` = ``Q^pi`` (``(S, A)`` or ``(H, S, A)``), ``policy`` = the
        validated input policy. ``residual = ||T^pi V_k - V_k||`` (discounted), ``error_bound``
        certified ``||V - V^pi||``.
    """
    t0 = time.perf_counter()
    backend = check_backend(backend)
    if hasattr(mdp, "H") and not hasattr(mdp, "gamma"):
        pol = _policy_of(mdp, policy, mdp.H)
        V, Q = K.policy_evaluation_arrays(mdp.P, mdp.R, pol, backend=backend)
        return PlanningResult(V=V, Q=Q, policy=pol, iterations=mdp.H, residual=0.0, error_bound=0.0,
                              converged=True, status="exact", wall_time=time.perf_counter() - t0,
                              method="policy_evaluation[episodic]", backend=backend)
    gamma = discount_of(mdp, "policy_evaluation")
    tol = None if tol is None else check_tol(tol)
    max_iter = check_max_iter(max_iter)
    pol = _policy_of(mdp, policy, None)
    P, R = mdp.P_flat, mdp.R
    if method == "direct":
        V = solve_policy_value(P, R, pol, gamma)
        TV = K.policy_sweep(P, R, pol, V, gamma, backend)
        stats = row_stats(mdp.P)
        cert = a_posteriori(V, TV, gamma, SweepRounding.policy(stats, gamma, R, pol))
        Q = R + gamma * np.asarray(P @ V).reshape(mdp.S, mdp.A)
        converged = tol is None or cert.bound <= tol
        status = "converged" if converged else "inaccurate"
        if not converged:
            finish(status, converged, strict, "policy_evaluation", a_posteriori_detail(tol, cert, V, 1))
        return PlanningResult(V=V, Q=Q, policy=pol, iterations=1, residual=cert.residual,
                              error_bound=cert.bound, converged=converged, status=status,
                              wall_time=time.perf_counter() - t0, method="policy_evaluation[direct]",
                              backend=backend, extra={"certificate": "a-posteriori", "rounding_bound": cert.rounding,
                                                      "Q_error_bound": _q_bound(cert.bound, Q, R, V, gamma, stats)},
                              params=dict(tol=tol))
    if method != "iterative":
        raise ValueError(f"method must be 'direct' or 'iterative', got {method!r}")
    return _iterative(mdp, pol, gamma, 1e-10 if tol is None else tol, max_iter, backend, strict, t0)


def _q_bound(v_bound: float, Q: np.ndarray, R: np.ndarray, V: np.ndarray, gamma: float, stats) -> float:
    """Certified ``||Q - Q^pi||_max`` for ``Q = R + gamma P V`` computed in floating point from a ``V`` with
    ``||V - V^pi|| <= v_bound``: ``gamma rho_hi v_bound`` plus the rounding of the ``Q`` sweep."""
    g = gamma_n(stats.terms + 2)
    rnd = g * (float(abs_finite(R).max(initial=0.0)) + gamma * stats.rho_hi * float(np.abs(V).max(initial=0.0)))
    return (gamma * stats.rho_hi * v_bound + rnd + 2 * U * float(abs_finite(Q).max(initial=0.0))) * (1 + 8 * U)


def _iterative(mdp, pol, gamma, tol, max_iter, backend, strict, t0) -> PlanningResult:
    """Iterate ``T^pi`` from 0 with the MacQueen bracket (valid for ``T^pi`` too)."""
    P, R = mdp.P_flat, mdp.R
    stats = row_stats(mdp.P)
    opts = IterationOptions.discounted(gamma, iteration_scale(R, np.zeros(1), gamma), tol, max_iter, strict=strict)
    out = certified_iteration(lambda V: Sweep(K.policy_sweep(P, R, pol, V, gamma, backend)), np.zeros(mdp.S),
                              MacQueen(gamma, SweepRounding.policy(stats, gamma, R, pol), backend), opts,
                              name="policy_evaluation", t_start=t0)
    # Q^pi - Q(V_k) = gamma P (V^pi - V_k) lies in [lo, hi] like V^pi - T^pi V_k: Q(V_k) + shift bounds Q^pi
    Q = R + gamma * np.asarray(P @ out.V).reshape(mdp.S, mdp.A) + out.bracket.shift
    hw = out.bracket.half_width
    return midpoint_result(out, method="policy_evaluation[iterative]", backend=backend, policy=pol, Q=Q,
                           Q_error_bound=(hw + _q_bound(0.0, Q, R, out.V, gamma, stats)) * (1 + 8 * U),
                           params=dict(tol=opts.tol, max_iter=opts.max_iter))
