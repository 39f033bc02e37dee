"""A high-precision ground truth for the floating-point regression tests of the exact planners.

``reference_value(mdp)`` runs policy iteration in x87 extended precision (``np.longdouble``, 64-bit
mantissa, unit roundoff 5.4e-20, 2048 times finer than float64): each evaluation solves
``(I - gamma P_pi) V = r_pi`` by mixed-precision iterative refinement (residual and iterate in
``longdouble``, corrections from a float64 LU factorisation; Higham 2002, section 12.1), and the
improvement step compares ``Q`` in ``longdouble``. The result is accurate to about
``cond(I - gamma P_pi) * 5e-20 * ||V||`` (``<= 1e-14 ||V||`` for ``1 - gamma >= 1e-5``), far below
the float64 errors the tests measure. Independent of ``solvers``: the planners are never judged by
their own code.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg as sla

LD = np.longdouble


def _evaluate(P: np.ndarray, R: np.ndarray, gamma: float, pi: np.ndarray, sweeps: int = 60) -> np.ndarray:
    S = R.shape[0]
    P_pi = P[np.arange(S), pi].astype(LD)                 # (S, S), exact copies of the stored floats
    r_pi = R[np.arange(S), pi].astype(LD)
    M = np.eye(S, dtype=LD) - LD(gamma) * P_pi
    lu = sla.lu_factor(np.asarray(M, dtype=np.float64))
    V = np.zeros(S, dtype=LD)
    for _ in range(sweeps):
        res = r_pi - M @ V
        d = sla.lu_solve(lu, np.asarray(res, dtype=np.float64))
        V = V + d.astype(LD)
        if np.max(np.abs(d)) <= 1e-30 * (1.0 + float(np.max(np.abs(V)))):
            break
    return V


def reference_value(mdp) -> tuple[np.ndarray, np.ndarray]:
    """``(V*, policy)`` of a discounted ``FiniteMDP``, ``V*`` as a ``longdouble`` array ``(S,)``."""
    S, A = mdp.S, mdp.A
    P = np.asarray(mdp.dense_P(), dtype=np.float64)
    R = np.asarray(mdp.R, dtype=np.float64)
    gamma = float(mdp.gamma)
    PL, RL = P.astype(LD), R.astype(LD)
    pi = np.argmax(R, axis=1)
    for _ in range(10 * S + 10):
        V = _evaluate(P, R, gamma, pi)
        Q = RL + LD(gamma) * np.einsum("sat,t->sa", PL, V)
        best = Q.max(axis=1)
        # keep the incumbent unless another action is better beyond the reference's own accuracy
        keep = Q[np.arange(S), pi] >= best - LD(1e-17) * (1 + np.abs(best))
        new = np.where(keep, pi, np.argmax(Q, axis=1))
        if np.array_equal(new, pi):
            return V, pi
        pi = new
    raise RuntimeError("reference policy iteration did not stabilise")


def true_error(V: np.ndarray, V_ref: np.ndarray) -> float:
    """``||V - V_ref||_inf`` computed in extended precision."""
    return float(np.max(np.abs(np.asarray(V, dtype=LD) - V_ref)))
