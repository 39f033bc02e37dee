"""cvxpy primal formulations of the inner worst-case problems: the reference the fast paths are tested against.

These solve the *primal* problems directly (no duality, no closed form), so agreement with
:func:`solvers.robust.worst_case` is a real check of the derivations. They are slow (a conic solve per
row) and are meant for tests and ``benchmarks/robust.py`` only; cvxpy is imported lazily.
"""
from __future__ import annotations

import numpy as np

from mdptheory.uncertainty import UncertaintySet

#: Clarabel tolerances tight enough for the 1e-6 agreement the tests demand.
CLARABEL_OPTS = dict(tol_gap_abs=1e-11, tol_gap_rel=1e-11, tol_feas=1e-11, max_iter=500)


def build_problem(p0: np.ndarray, V: np.ndarray, uncertainty: UncertaintySet, param: float | None = None):
    """The cvxpy problem ``min <p, V> (+ lam D(p||p0))`` over the simplex (``(problem, p_variable, support)``).

    KL and chi-square are formulated on ``supp p0`` (they are infinite elsewhere); TV on all states.
    """
    import cvxpy as cp

    p0 = np.asarray(p0, dtype=np.float64)
    V = np.asarray(V, dtype=np.float64)
    param = float(uncertainty.param if param is None else param)
    name = uncertainty.divergence_name
    support = np.arange(p0.size) if name == "tv" else np.flatnonzero(p0 > 0)
    q, v = p0[support], V[support]
    p = cp.Variable(support.size, nonneg=True)
    if name == "tv":
        div = 0.5 * cp.norm1(p - q)
    elif name == "kl":
        div = cp.sum(cp.rel_entr(p, q))
    elif name == "chi2":
        div = cp.sum_squares(cp.multiply(p - q, 1.0 / np.sqrt(q)))
    else:  # pragma: no cover - guarded by the UncertaintySet classes
        raise ValueError(f"unknown divergence {name!r}")
    cons = [cp.sum(p) == 1]
    if uncertainty.is_regularized:
        obj = cp.Minimize(v @ p + param * div)
    else:
        obj = cp.Minimize(v @ p)
        cons.append(div <= param)
    return cp.Problem(obj, cons), p, support


def primal_worst_case(p0: np.ndarray, V: np.ndarray, uncertainty: UncertaintySet,
                      param: float | None = None) -> tuple[float, np.ndarray]:
    """Solve the primal with Clarabel; return ``(value, p_worst (S,))``. Raises if the solve fails."""
    prob, p, support = build_problem(p0, V, uncertainty, param)
    prob.solve(solver="CLARABEL", **CLARABEL_OPTS)
    if prob.status not in ("optimal", "optimal_inaccurate"):
        raise RuntimeError(f"cvxpy primal for {uncertainty!r} ended with status {prob.status}")
    full = np.zeros(np.asarray(p0).size)
    full[support] = np.clip(p.value, 0.0, None)
    return float(prob.value), full


def primal_s_rectangular(P0: np.ndarray, pi: np.ndarray, V: np.ndarray, uncertainty: UncertaintySet) -> float:
    """cvxpy primal of the s-rectangular inner problem for one state: ``P0 (A, S)``, policy ``pi (A,)``.

    ``min sum_a pi_a <p_a, V>`` s.t. ``sum_a D(p_a || P0[a]) <= rho`` (or ``+ lam sum_a D``), jointly over
    all ``p_a`` (no duality), with the same support conventions as :func:`build_problem`.
    """
    import cvxpy as cp

    A, S = P0.shape
    name = uncertainty.divergence_name
    obj, divs, cons = 0, [], []
    for a in range(A):
        support = np.arange(S) if name == "tv" else np.flatnonzero(P0[a] > 0)
        q, v = P0[a, support], np.asarray(V, float)[support]
        p = cp.Variable(support.size, nonneg=True)
        cons.append(cp.sum(p) == 1)
        if name == "tv":
            divs.append(0.5 * cp.norm1(p - q))
        elif name == "kl":
            divs.append(cp.sum(cp.rel_entr(p, q)))
        else:
            divs.append(cp.sum_squares(cp.multiply(p - q, 1.0 / np.sqrt(q))))
        obj = obj + float(pi[a]) * (v @ p)
    if uncertainty.is_regularized:
        obj = obj + float(uncertainty.lam) * sum(divs)
    else:
        cons.append(sum(divs) <= float(uncertainty.rho))
    prob = cp.Problem(cp.Minimize(obj), cons)
    prob.solve(solver="CLARABEL", **CLARABEL_OPTS)
    if prob.status not in ("optimal", "optimal_inaccurate"):
        raise RuntimeError(f"cvxpy s-rectangular primal for {uncertainty!r} ended with status {prob.status}")
    return float(prob.value)
