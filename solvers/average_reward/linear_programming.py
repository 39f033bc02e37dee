"""The average-reward linear program (HiGHS) over stationary occupancy measures."""
from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from mdptheory import mutants
from mdptheory.markov import recurrent_classes
from mdptheory.policies import greedy as greedy_actions
from mdptheory.structure import average_reward_model

from .. import _kernels as K
from ..result import check_backend, check_tol, finish
from ..brackets import Bracket
from .policy_iteration import evaluate_unichain
from .result import AverageRewardResult, GainBracket
from .rvi import _row_terms

__all__ = ["average_reward_linear_programming"]

BALANCE_TRANSPOSED = mutants.register(
    "ar-lp", "balance-transposed",
    "the flow-balance rows built from P[s', a, s] (the kernel's state axes swapped) instead of P[s, a, s']")


def average_reward_linear_programming(mdp: Any, tol: float = 1e-8, backend: str = "numba",
                                      ref_state: int = 0, strict: bool = False) -> AverageRewardResult:
    r"""Optimal gain and an optimal occupancy measure from the average-reward LP (Manne 1960; Puterman 1994,
    section 8.8), solved by HiGHS:

    .. math:: \max_{x \ge 0} \sum_{s,a} r(s,a) x(s,a) \quad \text{s.t.}\quad
              \sum_a x(s',a) = \sum_{s,a} P(s'|s,a) x(s,a)\ \forall s',\qquad \sum_{s,a} x(s,a) = 1 .

    ``x`` is the stationary state-action law of an optimal policy; its value is the optimal gain of a
    unichain or communicating model (for a multichain model, the largest gain of any recurrent class). The
    duals of the balance rows are relative values ``h``. The returned policy takes ``argmax_a x(s, a)`` where
    ``x(s, .) > 0`` and is greedy for ``h`` elsewhere (transient states).

    Certificate, computed with the model's own kernel so that it does not trust the solver: the upper end
    ``g* <= max(T h - h)`` of the span bracket (:class:`~solvers.average_reward.result.GainBracket`) on the
    dual ``h`` and on the returned policy's relative values; the lower end ``g* >= g^policy``, the returned
    policy's exact gain (a linear solve; when its chain is unichain, else the bracket's lower end).
    ``converged`` needs a half-width ``<= tol`` (else status ``"inaccurate"``). ``V`` holds the returned
    policy's relative values (the duals if its chain is multichain).

    Returns
    -------
    AverageRewardResult
        ``extra["occupancy"]`` ``(S, A)`` (the LP's ``x``), ``extra["lp_gain"]`` (its objective value).
    """
    t0 = time.perf_counter()
    mdp = average_reward_model(mdp, "average_reward_linear_programming")
    backend = check_backend(backend)
    tol = check_tol(tol)
    S, A = mdp.S, mdp.A
    P_flat = sp.csr_array(mdp.P_flat)
    if BALANCE_TRANSPOSED.active:
        P3 = P_flat.toarray().reshape(S, A, S).transpose(2, 1, 0)
        P_flat = sp.csr_array(P3.reshape(S * A, S))
    # balance: sum_a x(s', a) - sum_{s,a} P(s'|s,a) x(s,a) = 0, one row per s'
    E = sp.csr_array((np.ones(S * A), (np.repeat(np.arange(S), A), np.arange(S * A))), shape=(S, S * A))
    A_eq = sp.vstack([E - P_flat.T, sp.csr_array(np.ones((1, S * A)))]).tocsc()
    b_eq = np.zeros(S + 1)
    b_eq[-1] = 1.0
    res = linprog(-mdp.R.ravel(), A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    if res.status != 0:
        raise RuntimeError(f"average_reward_linear_programming: HiGHS failed: {res.message}")
    x = np.maximum(res.x.reshape(S, A), 0.0)
    # duals: HiGHS minimises -r.x; the marginals of the balance rows are -h (up to a constant)
    h = -np.asarray(res.eqlin.marginals[:S], dtype=np.float64)
    h = h - h[ref_state]
    _, TV_dual, greedy = K.bellman_q(mdp.P_flat, mdp.R, h, 1.0, backend)
    occ = x.sum(axis=1)
    policy = np.where(occ > 0, greedy_actions(x), greedy).astype(np.int64)
    bracket = GainBracket(terms=_row_terms(mdp.P_flat), r_max=mdp.r_max)
    br = bracket(h, TV_dual.copy())            # g* <= max(T h - h) for any h: the dual's upper end
    lo, hi = br.lo, br.hi
    P_pi, r_pi = K.policy_model(mdp.P_flat, mdp.R, policy)
    if len(recurrent_classes(P_pi)) == 1:
        # the returned policy's exact gain is a lower end; its relative values are returned
        g_pi, h = evaluate_unichain(P_pi, r_pi, ref_state, what="LP")
        Q, TV, _ = K.bellman_q(mdp.P_flat, mdp.R, h, 1.0, backend)
        br_pi = bracket(h, TV.copy())
        slack = br_pi.hi - float((TV - h).max())     # the rounding allowance of the bracket
        lo, hi = g_pi - slack, min(hi, br_pi.hi)
    else:
        Q = K.bellman_q(mdp.P_flat, mdp.R, h, 1.0, backend)[0]
    br = Bracket(lo=lo, hi=hi, half_width=0.5 * (hi - lo), residual=hi - lo)
    converged = br.half_width <= tol
    status = "converged" if converged else "inaccurate"
    finish(status, converged, strict, "average_reward_linear_programming",
           f"certified |gain - g*| <= {br.half_width:.3g} vs tol {tol:.3g}")
    return AverageRewardResult(
        V=h, Q=Q.copy(), policy=policy, iterations=int(getattr(res, "nit", 0)),
        residual=br.hi - br.lo, error_bound=br.half_width, converged=converged, status=status,
        wall_time=time.perf_counter() - t0, method="average_reward_linear_programming", backend=backend,
        extra=dict(occupancy=x, lp_gain=float(-res.fun), policy_gap_bound=br.hi - br.lo,
                   highs_message=res.message, certificate="span-bracket-on-duals"),
        params=dict(tol=tol, ref_state=int(ref_state)),
        gain=0.5 * (br.lo + br.hi), gain_lower=br.lo, gain_upper=br.hi,
    )
