r"""Exact policy-regularised robust dynamic programming (the ground truth of DR-RPO's robust regret).

The objective (a **reconstruction**, spec ``r2pvi_drrpo.md`` section 3.2: the DR-RPO paper, Gu, He, Liu &
Xu 2025, arXiv:2510.14246, could only be read in its abstract, which says "reference-policy
regularisation ... RMDP variants doubly constrained in both transitions and policies"): nature picks the
transitions in a rectangular uncertainty set, the agent pays ``tau`` times the KL divergence of its policy
from a reference policy at every visited state,

.. math::

    V^{\pi,\tau}_h(s) = \inf_{P \in \mathcal U} \mathbb E^{\pi, P}\Big[\sum_{t \ge h}
        r_t(s_t, a_t) - \tau\, \mathrm{KL}\big(\pi_t(\cdot|s_t) \,\|\, \pi^{\rm ref}_t(\cdot|s_t)\big)\Big].

For d-rectangular sets (and ``"sa"``-rectangular ones) nature's best response to a fixed policy decomposes
per stage and factor exactly as in :func:`~solvers.robust.robust_backward_induction` (the KL term depends on
the state only: it is a reward ``-tau KL(pi_h(.|s) || ref_h(.|s))`` that no transition choice changes):

.. math::

    Q^{\pi,\tau}_h(s,a) = r_h(s,a) + \sum_i \phi_i(s,a)\, \nu_{h,i}, \quad
    \nu_{h,i} = \mathrm{nature}(\mu_{h,i}, V^{\pi,\tau}_{h+1}), \quad
    V^{\pi,\tau}_h(s) = \sum_a \pi_h(a|s) Q^{\pi,\tau}_h(s,a) - \tau\,\mathrm{KL}(\pi_h(\cdot|s)\|\pi^{\rm ref}_h(\cdot|s)).

The optimum is the same recursion with the stage problem ``max_p sum_a p_a Q_h(s,a) - tau KL(p || ref)``,
solved by the Gibbs policy ``pi*_h(a|s) ∝ ref_h(a|s) exp(Q*_h(s,a)/tau)`` with value
``V*_h(s) = tau log sum_a ref_h(a|s) exp(Q*_h(s,a)/tau)`` (Donsker-Varadhan). That this stage-wise optimum
is the optimum over all (history-independent, stochastic) policies follows from monotonicity of nature's
value in ``V`` and ``phi >= 0`` (induction: ``V^pi_{h+1} <= V*_{h+1}`` gives ``Q^pi_h <= Q*_h``); the claim
``drrpo-truth-brute-force`` checks it against a grid over all stochastic policies on micro instances.

``tau = 0`` is the unregularised robust problem: the stage value is ``max_a Q`` with the suite's greedy tie
rule and the recursion is exactly :func:`~solvers.robust.robust_backward_induction`'s (tested).

Exact limits used by the claims (derived here, [D]):

- ``0 <= V*_0 - V*_tau <= tau * sum_h max_s log(1 / ref_h(a*_h(s)|s))`` (``a*`` the unregularised greedy
  action; the regularised value of the deterministic ``pi*_0`` is its robust value minus at most that);
- ``TV(pi*_tau,h(.|s), ref_h(.|s)) <= span_a Q*_tau,h(s, .) / (2 tau)`` (Pinsker after
  ``KL(pi* || ref) <= (E_{pi*} Q - E_ref Q)/tau``): large ``tau`` keeps the reference policy.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np
from numba import njit

from mdptheory import backends, mutants
from mdptheory.backends import check_backend
from mdptheory.episodic import EpisodicMDP
from mdptheory.linear import LinearMDP
from mdptheory.policies import greedy, validate_policy
from mdptheory.uncertainty import UncertaintySet
from mdptheory.validation import as_real_array, check_real

from .._kernels._numba_common import greedy_row
from ..result import PlanningResult
from .inner import _check_uncertainty, inner_solver

__all__ = ["policy_regularized_dp", "policy_regularized_evaluation", "RegularizedRobustProblem", "check_tau",
           "check_reference",
           "gibbs_stage", "gibbs_stage_numpy", "evaluate_stage", "evaluate_stage_numpy"]

# Realistic single bugs of the exact regularised robust DP (mdptheory.mutants), switched at the Python wrapper.
_M = "policy-reg-dp"
GIBBS_SIGN = mutants.register(_M, "gibbs-sign",
                              "Gibbs logits log ref - Q/tau (soft-min): the tau -> 0 limit taken with the wrong sign")
KL_ADDED = mutants.register(_M, "kl-added",
                            "policy evaluation adds tau KL(pi || ref) instead of subtracting it")
REFERENCE_DROPPED = mutants.register(_M, "reference-dropped",
                                     "the optimum's Gibbs step regularises towards the uniform policy, not pi_ref")
TEMPERATURE_INVERTED = mutants.register(_M, "temperature-inverted",
                                        "Gibbs weights exp(tau Q) instead of exp(Q / tau)")
NATURE_NOMINAL = mutants.register(_M, "nature-nominal",
                                  "the continuation is the nominal expectation mu_{h,i} . V_{h+1}: nature forgotten")


# ------------------------------------------------------------------------------------------ kernels
@njit(cache=True)
def gibbs_stage(Q, log_ref, tau):
    r"""Regularised stage optimum per state: ``V[s] = tau log sum_a ref(a|s) e^{Q[s,a]/tau}``, ``pi ∝ ref e^{Q/tau}``.

    ``Q (S, A)``, ``log_ref (S, A)`` (``-inf`` where the reference is 0), ``tau >= 0``. ``tau = 0``: the
    unregularised stage, ``V = max_a Q`` (all actions) and ``pi`` the greedy one-hot (suite tie rule).
    Returns ``V (S,)``, ``pi (S, A)``. Twin: :func:`gibbs_stage_numpy`.
    """
    S, A = Q.shape
    V = np.empty(S)
    pi = np.zeros((S, A))
    for s in range(S):
        if tau == 0.0:
            best, a = greedy_row(Q[s])
            V[s] = best
            pi[s, a] = 1.0
            continue
        m = -np.inf
        for a in range(A):
            z = log_ref[s, a] + Q[s, a] / tau
            if z > m:
                m = z
        tot = 0.0
        for a in range(A):
            e = np.exp(log_ref[s, a] + Q[s, a] / tau - m)
            pi[s, a] = e
            tot += e
        for a in range(A):
            pi[s, a] /= tot
        V[s] = tau * (m + np.log(tot))
    return V, pi


def gibbs_stage_numpy(Q, log_ref, tau):
    """NumPy twin of :func:`gibbs_stage` (``scipy.special.logsumexp``-style shift by the max)."""
    if tau == 0.0:
        a = greedy(Q)
        pi = np.zeros(Q.shape)
        pi[np.arange(Q.shape[0]), a] = 1.0
        return Q[np.arange(Q.shape[0]), a], pi
    z = log_ref + Q / tau
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    tot = e.sum(axis=1, keepdims=True)
    return tau * (m[:, 0] + np.log(tot[:, 0])), e / tot


@njit(cache=True)
def evaluate_stage(Q, pi, log_ref, tau):
    r"""``V[s] = sum_a pi[s,a] Q[s,a] - tau KL(pi[s] || ref[s])`` (``0 log 0 = 0``; ``-inf`` where ``pi > 0 = ref``).

    ``tau = 0`` skips the KL term entirely (no ``0 * inf``). Twin: :func:`evaluate_stage_numpy`.
    """
    S, A = Q.shape
    V = np.empty(S)
    for s in range(S):
        lin = 0.0
        kl = 0.0
        for a in range(A):
            p = pi[s, a]
            if p > 0.0:
                lin += p * Q[s, a]
                if tau > 0.0:
                    kl += p * (np.log(p) - log_ref[s, a])
        V[s] = lin - tau * kl if tau > 0.0 else lin
    return V


def evaluate_stage_numpy(Q, pi, log_ref, tau):
    """NumPy twin of :func:`evaluate_stage`."""
    pos = pi > 0
    lin = np.where(pos, pi * Q, 0.0).sum(axis=1)
    if tau == 0.0:
        return lin
    with np.errstate(divide="ignore", invalid="ignore"):
        kl = np.where(pos, pi * (np.log(np.where(pos, pi, 1.0)) - log_ref), 0.0).sum(axis=1)
    return lin - tau * kl


backends.register("policy_reg.gibbs_stage", numba=gibbs_stage, numpy=gibbs_stage_numpy)
backends.register("policy_reg.evaluate_stage", numba=evaluate_stage, numpy=evaluate_stage_numpy)


# ------------------------------------------------------------------------------------------ checks
def check_tau(tau: Any) -> float:
    """``tau`` as a float ``>= 0`` (finite), else an error naming it and the fix."""
    return check_real(tau, "tau (KL regularisation towards the reference policy)", low=0.0,
                      hint="tau >= 0; tau = 0 is the unregularised robust problem, large tau keeps the reference policy")


def check_reference(reference: Any, S: int, A: int, H: int, name: str = "reference") -> np.ndarray:
    """The reference policy as a read-only ``(H, S, A)`` float64 array of distributions (``None``: uniform).

    Accepts ``(S, A)`` (stationary) or ``(H, S, A)``. Zero entries are allowed (the regularised optimum then
    never plays those actions); negative entries, NaN, or rows that do not sum to 1 are errors naming the row.
    """
    if reference is None:
        ref = np.full((H, S, A), 1.0 / A)
    else:
        ref = as_real_array(reference, name)
        if ref.shape == (S, A):
            ref = np.broadcast_to(ref, (H, S, A))
        if ref.shape != (H, S, A):
            raise ValueError(f"{name} has shape {ref.shape}, expected (H, S, A) = {(H, S, A)} or (S, A) = {(S, A)}: "
                             "one distribution over actions per (stage, state)")
        bad = ~np.isfinite(ref) | (ref < 0)
        if bad.any():
            i = tuple(int(v) for v in np.argwhere(bad)[0])
            raise ValueError(f"{name}{list(i)} = {ref[i]} is not a probability: a reference policy has entries in "
                             "[0, 1] summing to 1 over actions")
        sums = ref.sum(axis=-1)
        off = np.abs(sums - 1.0) > 1e-9
        if off.any():
            h, s = (int(v) for v in np.argwhere(off)[0])
            raise ValueError(f"{name}[{h}, {s}, :] sums to {sums[h, s]:.10g}, not 1: the reference policy is not a "
                             f"distribution over actions; normalise it ({name} / {name}.sum(-1, keepdims=True))")
    ref = np.ascontiguousarray(ref, dtype=np.float64)
    ref.flags.writeable = False
    return ref


def log_reference(ref: np.ndarray) -> np.ndarray:
    """``log ref`` with ``-inf`` where the reference is 0 (no warning)."""
    with np.errstate(divide="ignore"):
        return np.log(ref)


# ------------------------------------------------------------------------------------------ the recursion
def _model_rows(model: Any) -> tuple[str, int, int, int]:
    if isinstance(model, LinearMDP):
        model.check_d_rectangular()
        return "d", model.H, model.S, model.A
    if isinstance(model, EpisodicMDP):
        return "sa", model.H, model.S, model.A
    raise TypeError(f"model must be a d-rectangular mdptheory.LinearMDP or an EpisodicMDP, got {type(model).__name__}")


class RegularizedRobustProblem:
    """A model, an uncertainty set, ``tau`` and a reference policy, validated once, for repeated exact solves.

    :func:`policy_regularized_dp` and :func:`policy_regularized_evaluation` build one per call; an evaluation
    oracle that values a new policy every episode keeps one (the checks, the ``(H, d)`` parameter table and
    ``log ref`` are computed once: an evaluation then costs the ``H`` inner solves and stage kernels only).
    """

    def __init__(self, model: Any, uncertainty: UncertaintySet, tau: float, reference: Any = None,
                 backend: str = "numba") -> None:
        _check_uncertainty(uncertainty)
        self.backend = check_backend(backend)
        self.tau = check_tau(tau)
        self.rect, self.H, self.S, self.A = _model_rows(model)
        self.model, self.uncertainty = model, uncertainty
        self.reference = check_reference(reference, self.S, self.A, self.H)
        self.log_ref = log_reference(self.reference)
        if self.rect == "d":
            self.param = uncertainty.param_rows((self.H, model.d), "(H, d) factor")
            self.rows = [np.ascontiguousarray(model.mu[h]) for h in range(self.H)]
            self.phi, self.theta = model.phi, model.theta
        else:
            self.param = uncertainty.param_rows((self.H, self.S, self.A), "(H, S, A) state-action").reshape(self.H, -1)
            self.rows = [np.ascontiguousarray(model.P[h].reshape(self.S * self.A, self.S)) for h in range(self.H)]
            self.R = model.R

    def solve(self, policy: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
        """Backward recursion: ``policy=None`` -> the Gibbs optimum, else the evaluation of ``policy (H, S, A)``.

        Returns ``V (H+1, S)``, ``Q (H, S, A)``, ``pi (H, S, A)`` and ``extra``.
        """
        H, S, A, tau, log_ref = self.H, self.S, self.A, self.tau, self.log_ref
        solve = inner_solver(self.uncertainty, self.backend)
        gibbs = backends.pick("policy_reg.gibbs_stage", self.backend)
        evaluate = backends.pick("policy_reg.evaluate_stage", self.backend)
        log_ref_gibbs = np.full_like(log_ref, -np.log(A)) if REFERENCE_DROPPED.active else log_ref
        V = np.zeros((H + 1, S))
        Q = np.empty((H, S, A))
        pi = np.empty((H, S, A))
        nu = np.empty((H, len(self.rows[0])))
        for h in range(H - 1, -1, -1):
            nxt = V[h + 1]
            if NATURE_NOMINAL.active:
                nu[h] = self.rows[h] @ nxt
            else:
                nu[h] = solve(self.rows[h], nxt, self.param[h], False)[0]
            Q[h] = self.phi @ (self.theta[h] + nu[h]) if self.rect == "d" else self.R[h] + nu[h].reshape(S, A)
            if policy is None:
                if GIBBS_SIGN.active and tau > 0:       # soft-min: V = -tau log sum ref e^{-Q/tau}
                    v, pi[h] = gibbs(np.ascontiguousarray(-Q[h]), log_ref_gibbs[h], tau)
                    V[h] = -v
                elif TEMPERATURE_INVERTED.active and tau > 0:
                    pi[h] = gibbs(Q[h], log_ref_gibbs[h], 1.0 / tau)[1]
                    V[h] = evaluate(Q[h], pi[h], log_ref[h], tau)
                else:
                    V[h], pi[h] = gibbs(Q[h], log_ref_gibbs[h], tau)
            else:
                pi[h] = policy[h]
                V[h] = evaluate(Q[h], pi[h], log_ref[h], tau)
                if KL_ADDED.active and tau > 0:         # lin + tau KL = 2 lin - (lin - tau KL)
                    V[h] = 2.0 * evaluate(Q[h], pi[h], log_ref[h], 0.0) - V[h]
        extra: dict[str, Any] = {"uncertainty": self.uncertainty, "rect": self.rect, "tau": tau,
                                 "reference": self.reference}
        if self.rect == "d":
            extra["nu"] = nu
        return V, Q, pi, extra

    def as_probabilities(self, policy: np.ndarray) -> np.ndarray:
        """``policy`` (deterministic ``(H, S)``/``(S,)`` or stochastic ``(H, S, A)``/``(S, A)``) as ``(H, S, A)``."""
        H, S, A = self.H, self.S, self.A
        pol = validate_policy(policy, S, A, H)
        if pol.dtype.kind in "iu":
            pol = np.eye(A)[np.broadcast_to(pol, (H, S))]
        return np.ascontiguousarray(np.broadcast_to(pol, (H, S, A)), dtype=np.float64)


def policy_regularized_dp(model: LinearMDP | EpisodicMDP, uncertainty: UncertaintySet, tau: float,
                          reference: Any = None, *, backend: str = "numba") -> PlanningResult:
    r"""The optimal policy-regularised robust value ``V*_tau`` and its Gibbs policy, by exact backward induction.

    Parameters
    ----------
    model : mdptheory.LinearMDP (d-rectangular, ``rect="d"``) or mdptheory.EpisodicMDP (``rect="sa"``)
    uncertainty : TV, KL or ChiSquare, constrained (``rho``) or regularised (``lam``)
        By name: ``mdptheory.uncertainty.make("tv", rho=0.1)``; ``rho``/``lam`` scalar or per ``(H, d)``.
    tau : float >= 0
        Weight of ``KL(pi_h(.|s) || reference_h(.|s))``; ``0`` = unregularised (robust backward induction).
    reference : array (H, S, A) or (S, A), optional
        The reference policy ``pi_ref`` (default uniform). Must be a distribution over actions per state.
    backend : {"numba", "numpy"}

    Returns
    -------
    PlanningResult
        ``V (H+1, S)`` (``V[H] = 0``), ``Q (H, S, A)`` (``r + phi . nu``, without the KL term),
        ``policy (H, S, A)`` the Gibbs policy (one-hot greedy at ``tau = 0``), ``status="exact"``;
        ``extra``: ``nu (H, d)`` (d-rectangular), ``greedy (H, S)`` int64 (the suite's greedy action of ``Q``),
        ``kl (H, S)`` (``KL(policy || reference)``), ``tau``, ``reference``, ``uncertainty``, ``rect``.

    Examples
    --------
    >>> from mdptheory.envs import simulated_linear_mdp
    >>> from mdptheory.uncertainty import make
    >>> res = policy_regularized_dp(simulated_linear_mdp(), make("tv", rho=0.1), tau=0.0)
    >>> round(float(res.V[0, 0]), 6)
    1.38305
    >>> round(float(policy_regularized_dp(simulated_linear_mdp(), make("tv", rho=0.1), tau=0.1).V[0, 0]), 6)
    1.120652
    """
    t0 = time.perf_counter()
    prob = RegularizedRobustProblem(model, uncertainty, tau, reference, backend)
    V, Q, pi, extra = prob.solve()
    extra.update(greedy=greedy(Q), kl=_kl(pi, prob.reference))
    return PlanningResult(V=V, Q=Q, policy=pi, iterations=prob.H, residual=0.0, error_bound=0.0, converged=True,
                          status="exact", wall_time=time.perf_counter() - t0,
                          method=f"policy_regularized_dp[{prob.rect}, {uncertainty!r}, tau={prob.tau:g}]",
                          backend=backend, extra=extra, params={"tau": prob.tau})


def policy_regularized_evaluation(model: LinearMDP | EpisodicMDP, policy: np.ndarray, uncertainty: UncertaintySet,
                                  tau: float, reference: Any = None, *, backend: str = "numba") -> PlanningResult:
    r"""The exact policy-regularised robust value ``V^{pi,tau}`` of any (stochastic) policy.

    ``policy``: deterministic ``(H, S)``/``(S,)`` int or stochastic ``(H, S, A)``/``(S, A)``. A policy that
    puts mass where the reference is 0 has ``KL = inf`` and value ``-inf`` there (``tau > 0``).
    Other parameters and the result as :func:`policy_regularized_dp` (``policy`` is the given one as
    probabilities ``(H, S, A)``; ``extra["kl"]`` its KL to the reference).
    """
    t0 = time.perf_counter()
    prob = RegularizedRobustProblem(model, uncertainty, tau, reference, backend)
    V, Q, pi, extra = prob.solve(prob.as_probabilities(policy))
    extra["kl"] = _kl(pi, prob.reference)
    return PlanningResult(V=V, Q=Q, policy=pi, iterations=prob.H, residual=0.0, error_bound=0.0, converged=True,
                          status="exact", wall_time=time.perf_counter() - t0,
                          method=f"policy_regularized_evaluation[{prob.rect}, {uncertainty!r}, tau={prob.tau:g}]",
                          backend=backend, extra=extra, params={"tau": prob.tau})


def _kl(pi: np.ndarray, ref: np.ndarray) -> np.ndarray:
    pos = pi > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pos, pi * (np.log(np.where(pos, pi, 1.0)) - np.log(np.where(ref > 0, ref, 1.0))), 0.0)
    return np.where((pos & (ref <= 0)).any(axis=-1), np.inf, terms.sum(axis=-1))
