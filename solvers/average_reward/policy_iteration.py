"""Average-reward (unichain) policy iteration with exact evaluation and a certified gain interval."""
from __future__ import annotations

import time
from typing import Any

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from mdptheory import mutants
from mdptheory.markov import MultichainError, recurrent_classes
from mdptheory.policies import TIE_RTOL, validate_policy
from mdptheory.structure import average_reward_model

from .. import _kernels as K
from ..result import check_backend, check_max_iter, check_tol, finish
from .result import AverageRewardResult, GainBracket
from .rvi import _row_terms

__all__ = ["average_reward_policy_iteration", "evaluate_unichain"]

EVALUATION_TRANSPOSED = mutants.register(
    "ar-pi", "evaluation-transposed", "the evaluation equations g + h = r_pi + P_pi h solved with P_pi transposed")


#: Above this many states a sparse evaluation tries BiCGSTAB (warm-started at the previous solution) before SuperLU,
#: whose fill-in on random sparse graphs grows fast (measured: minutes at S = 1e4).
ITERATIVE_MIN_S = 1_000


def _sparse_solve(M: sp.csc_array, b: np.ndarray, x0: np.ndarray | None) -> np.ndarray:
    if M.shape[0] >= ITERATIVE_MIN_S:
        x, info = spla.bicgstab(sp.csr_array(M), b, x0=x0, rtol=1e-13, atol=0.0, maxiter=10 * M.shape[0])
        if info == 0:
            return x
    return spla.spsolve(M, b)


def evaluate_unichain(P_pi: Any, r_pi: np.ndarray, ref_state: int = 0, what: str = "policy",
                      x0: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    r"""Gain ``g`` and relative values ``h`` (``h[ref_state] = 0``) of a unichain chain: the solution of
    ``g + h = r_pi + P_pi h`` (Puterman 1994, Thm 8.2.6 / eq. 8.6.1), as one linear system in ``(g, h)`` with the
    unknown ``h[ref_state]`` replaced by ``g`` (column ``ref_state`` of ``I - P_pi`` replaced by ones; the
    system is nonsingular exactly when the chain is unichain). Dense LU, or SuperLU for CSR (BiCGSTAB from ``x0``
    first for ``S >= ITERATIVE_MIN_S``; its inexactness is covered by the caller's certificate, which is computed
    from the returned values).

    A chain with several recurrent classes raises :class:`~mdptheory.markov.MultichainError`.
    """
    classes = recurrent_classes(P_pi)
    if len(classes) > 1:
        raise MultichainError(
            f"the {what}'s chain has {len(classes)} recurrent classes (e.g. {classes[0].tolist()[:5]} and "
            f"{classes[1].tolist()[:5]}): the model is multichain, and unichain policy iteration "
            "(Puterman 1994, section 8.6) does not apply. Use solvers.relative_value_iteration (weakly "
            "communicating models) or check the model with mdptheory.structure.classify")
    S = r_pi.shape[0]
    if sp.issparse(P_pi):
        keep = np.ones(S)
        keep[ref_state] = 0.0
        M = (sp.identity(S, format="csr") - sp.csr_array(P_pi))
        if EVALUATION_TRANSPOSED.active:
            M = M.T
        # column ref_state replaced by ones (the unknown g), without a LIL round trip
        M = sp.csc_array(M @ sp.diags(keep) + sp.csr_array((np.ones(S), (np.arange(S), np.full(S, ref_state))),
                                                             shape=(S, S)))
        x = _sparse_solve(M, r_pi, x0)
    else:
        M = np.eye(S) - np.asarray(P_pi)
        if EVALUATION_TRANSPOSED.active:
            M = M.T.copy()
        M[:, ref_state] = 1.0
        x = np.linalg.solve(M, r_pi)
    g = float(x[ref_state])
    h = np.array(x, dtype=np.float64)
    h[ref_state] = 0.0
    return g, h


def average_reward_policy_iteration(
    mdp: Any,
    tol: float = 1e-8,
    max_iter: int | None = None,
    backend: str = "numba",
    policy0: Any = None,
    ref_state: int = 0,
    strict: bool = False,
) -> AverageRewardResult:
    r"""Howard's policy iteration for unichain average-reward MDPs (Puterman 1994, section 8.6.1).

    Evaluation solves ``g + h = r_pi + P_pi h``, ``h[ref_state] = 0`` exactly (:func:`evaluate_unichain`);
    improvement takes ``argmax_a R(s, a) + P(s, a) h`` but keeps the incumbent action whenever it is within
    the suite's tie width of the max (Puterman's rule, needed for termination; otherwise the lowest tied
    action, :func:`mdptheory.policies.greedy`). Stops when the policy is stable.

    A policy whose chain has several recurrent classes (a **multichain** model) raises
    :class:`~mdptheory.markov.MultichainError` saying so: this is the unichain algorithm.

    Certificate: the span bracket on the final ``h`` (:class:`~solvers.average_reward.result.GainBracket`),
    ``min(T h - h) <= g* <= max(T h - h)`` with ``T`` the undiscounted optimality operator; ``converged``
    requires a stable policy and a half-width ``<= tol`` (else status ``"inaccurate"``).

    Parameters
    ----------
    mdp : mdptheory.FiniteMDP
        Average-reward model (``gamma=None``), dense or CSR (sparse evaluation uses SuperLU).
    tol : float
        Certified ``|gain - g*|``.
    max_iter : int, optional
        Improvement steps (default ``10 S A + 100``; PI usually stops after a handful).
    backend : {"numba", "numpy"}
        Kernel of the improvement sweep.
    policy0 : int ndarray (S,), optional
        Initial policy (default: greedy for the rewards).
    ref_state : int
        State whose relative value is pinned at 0.
    strict : bool
        Raise instead of warning when not converged.
    """
    t0 = time.perf_counter()
    mdp = average_reward_model(mdp, "average_reward_policy_iteration")
    backend = check_backend(backend)
    tol = check_tol(tol)
    max_iter = check_max_iter(max_iter)
    S, A = mdp.S, mdp.A
    max_iter = 10 * S * A + 100 if max_iter is None else max_iter
    if isinstance(ref_state, bool) or not isinstance(ref_state, (int, np.integer)) or not 0 <= ref_state < S:
        raise ValueError(f"ref_state must be a state index in 0..{S - 1}, got {ref_state!r}")
    P_flat, R = mdp.P_flat, mdp.R
    pi = (K.bellman_q(P_flat, R, np.zeros(S), 0.0, backend)[2].copy() if policy0 is None
          else validate_policy(policy0, S, A, name="policy0").copy())
    if pi.ndim != 1:
        raise ValueError("policy0 must be a deterministic policy, int array (S,)")
    rows = np.arange(S)
    status, it, x0 = "max_iter", 0, None
    for it in range(1, max_iter + 1):
        P_pi, r_pi = K.policy_model(P_flat, R, pi)
        g, h = evaluate_unichain(P_pi, r_pi, ref_state, what=f"iteration-{it} policy", x0=x0)
        x0 = h.copy()
        x0[ref_state] = g
        Q, TV, greedy = K.bellman_q(P_flat, R, h, 1.0, backend)
        cur = Q[rows, pi]
        keep = cur >= TV - TIE_RTOL * (1.0 + np.abs(TV))
        new = np.where(keep, pi, greedy)
        if np.array_equal(new, pi):
            status = "stable"
            break
        pi = new
    bracket = GainBracket(terms=_row_terms(P_flat), r_max=mdp.r_max)
    br = bracket(h, TV.copy())
    converged = status == "stable" and br.half_width <= tol
    status = "converged" if converged else ("inaccurate" if status == "stable" else status)
    finish(status, converged, strict, "average_reward_policy_iteration",
           f"certified |gain - g*| <= {br.half_width:.3g} vs tol {tol:.3g} after {it} iterations")
    return AverageRewardResult(
        V=h, Q=Q.copy(), policy=pi, iterations=it, residual=br.hi - br.lo, error_bound=br.half_width,
        converged=converged, status=status, wall_time=time.perf_counter() - t0,
        method="average_reward_policy_iteration", backend=backend,
        extra=dict(policy_gap_bound=br.hi - br.lo, policy_gain=g, certificate="span-bracket"),
        params=dict(tol=tol, max_iter=max_iter, ref_state=int(ref_state)),
        gain=0.5 * (br.lo + br.hi), gain_lower=br.lo, gain_upper=br.hi,
    )
