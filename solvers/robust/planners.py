r"""Robust planners: the nominal Bellman sweep with the inner expectation replaced by nature.

For rectangular uncertainty the robust Bellman operator is the nominal one with
``sum_s' P(s'|s,a) V(s')`` replaced by nature's worst-case response (:mod:`solvers.robust.inner`):

- ``"sa"``-rectangular (Iyengar 2005; Nilim & El Ghaoui 2005): one ball / penalty per ``(s, a)``
  around ``P0(.|s, a)``: ``Q(s,a) = R(s,a) + gamma * nature(P0(.|s,a), V)``;
- ``"d"``-rectangular (Liu & Xu 2024, DRPVI; Tang, Liu & Xu 2025, R2PVI; spec section 1.2-1.3): one
  ball / penalty per latent factor ``mu_{h,i}`` of a d-rectangular :class:`mdptheory.LinearMDP`:
  ``nu_{h,i} = nature(mu_{h,i}, V_{h+1})`` and ``Q_h(s,a) = phi(s,a) . (theta_h + nu_h)``. In the
  regularized case the penalty is ``lam * sum_i phi_i(s,a) D(mu_i || mu0_i)`` (spec eq. for the
  d-RRMDP), which is what keeps ``Q`` linear in ``phi``.

Regularized values include nature's penalty (they are the ``V^{pi,lam}`` of R2PVI), so for every
uncertainty set ``V_robust <= V_nominal`` (nature may always play ``P0`` at zero cost).

Every planner returns a :class:`solvers.PlanningResult`; robust-specific outputs are in ``extra``:

``"P_worst"``
    Worst-case kernel: ``(S, A, S)`` discounted, ``(H, S, A, S)`` episodic (for ``"d"``: ``phi . mu_worst``).
``"penalty"``
    Nature's per-step penalty ``(S, A)`` / ``(H, S, A)``: ``lam * D(P_worst || P0)`` (``"sa"``) or
    ``lam * sum_i phi_i D(mu_worst_i || mu_i)`` (``"d"``); zeros for constrained sets. The *nominal*
    evaluation of the policy under ``P_worst`` with rewards ``R + penalty`` (episodic) or
    ``R + gamma * penalty`` (discounted: nature pays inside the discounted continuation) reproduces ``V``.
``"mu_worst"``, ``"nu"``
    ``"d"`` only: worst-case factors ``(H, d, S)`` and robust next values ``nu[h, i]`` ``(H, d)``.
``"uncertainty"``, ``"rect"``
    The set and rectangularity used.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from mdptheory import mutants
from mdptheory.backends import check_backend
from mdptheory.episodic import EpisodicMDP
from mdptheory.finite import FiniteMDP
from mdptheory.linear import LinearMDP
from mdptheory.policies import as_stochastic, validate_policy
from mdptheory.policies import greedy as greedy_actions
from mdptheory.uncertainty import UncertaintySet

from ..brackets import MacQueen, SweepRounding
from ..iteration import IterationOptions, Sweep, certified_iteration, initial_V, iteration_scale, midpoint_result
from ..result import PlanningResult, discount_of
from .inner import _check_uncertainty, inner_solver, s_rectangular_rows

__all__ = ["robust_value_iteration", "robust_backward_induction", "robust_policy_evaluation"]

# Realistic single bugs of robust dynamic programming (episodic, robust_backward_induction; mdptheory.mutants).
CONTINUATION_STAGE_H = mutants.register("robust-dp", "continuation-stage-h",
                                        "nature answers V_h (not computed yet: 0) instead of V_{h+1}")
PENALTY_LEFT_OUT = mutants.register("robust-dp", "penalty-left-out",
                                    "regularized values rebuilt as <P_worst, V_{h+1}>: nature's penalty lam D left out")
EVALUATION_IGNORES_POLICY = mutants.register("robust-dp", "evaluation-ignores-policy",
                                             "robust policy evaluation returns the greedy (optimal) value at each stage")
# ... and of discounted robust value iteration (robust_value_iteration, also robust evaluation of a policy).
VI_DISCOUNT_SQUARED = mutants.register("robust-vi", "discount-squared",
                                       "the robust sweep discounts nature's value by gamma^2 instead of gamma")
VI_EVALUATION_IGNORES_POLICY = mutants.register("robust-vi", "evaluation-ignores-policy",
                                                "robust evaluation of a given policy sweeps with max_a Q: the "
                                                "optimal robust value is reported as the policy's")
VI_NOMINAL_SWEEP = mutants.register("robust-vi", "nominal-sweep",
                                    "the sweep continues with the nominal P V (nature is asked only for "
                                    "extra['P_worst'] at the end): nominal values reported as robust")


def _penalty(P_w: np.ndarray, P0: np.ndarray, uncertainty: UncertaintySet, param: np.ndarray) -> np.ndarray:
    if not uncertainty.is_regularized:
        return np.zeros(P0.shape[:-1])
    lam = np.where(np.isinf(param), 0.0, param)  # lam = inf means P_w = P0: no penalty
    return lam * uncertainty.divergence(P_w, P0)


def _method(name: str, uncertainty: UncertaintySet, rect: str) -> str:
    return f"{name}[{rect}, {uncertainty!r}]"


def _check_rect(rect: str, allowed: tuple[str, ...], where: str) -> str:
    if rect not in allowed:
        hint = ("; s-rectangular sets are supported for evaluating a given policy: "
                "robust_policy_evaluation(model, policy, uncertainty, rect='s')" if rect == "s" else "")
        raise ValueError(f"{where}: rect must be one of {allowed}, got {rect!r}{hint}")
    return rect


# ------------------------------------------------------------------------------------ episodic
def _episodic_rect(model: Any, rect: str | None) -> str:
    if isinstance(model, LinearMDP):
        rect = "d" if rect is None else rect
        return _check_rect(rect, ("d", "sa"), "robust_backward_induction on a LinearMDP")
    if isinstance(model, EpisodicMDP):
        rect = "sa" if rect is None else rect
        if rect == "d":
            raise ValueError(
                "rect='d' needs a d-rectangular mdptheory.LinearMDP (latent factors mu_{h,i}); "
                "an EpisodicMDP only supports rect='sa'"
            )
        return _check_rect(rect, ("sa",), "robust_backward_induction on an EpisodicMDP")
    raise TypeError(
        f"model must be a mdptheory.EpisodicMDP or LinearMDP, got {type(model).__name__}"
        + (" (a discounted FiniteMDP: use solvers.robust_value_iteration)" if isinstance(model, FiniteMDP) else "")
    )


def robust_backward_induction(model: EpisodicMDP | LinearMDP, uncertainty: UncertaintySet, *,
                              rect: str | None = None, policy: np.ndarray | None = None,
                              backend: str = "numba") -> PlanningResult:
    r"""Exact robust dynamic programming over a finite horizon (optimal policy, or a given one).

    Recursion (stages ``h = H-1, ..., 0``; ``V_H = 0``):

    - ``"sa"``: ``Q_h(s,a) = R_h(s,a) + nature(P_h(.|s,a), V_{h+1})`` (Iyengar 2005, Thm 2.2 finite horizon);
    - ``"d"``: ``nu_{h,i} = nature(mu_{h,i}, V_{h+1})``, ``Q_h(s,a) = phi(s,a) . (theta_h + nu_h)``
      (robust Bellman equation of Liu & Xu 2024 / DR-LSVI-UCB for constrained sets; the robust
      regularized Bellman equation of Tang, Liu & Xu 2025, Section 3, for ``.regularized(lam)`` sets);

    then ``V_h = max_a Q_h`` (``policy=None``) or ``V_h(s) = sum_a pi_h(a|s) Q_h(s,a)``. For these
    rectangular sets nature's best response to a fixed policy is the same per-row problem, so the
    evaluation branch is exactly the robust (worst-case) value of ``policy``.

    Parameters
    ----------
    model : mdptheory.EpisodicMDP or mdptheory.LinearMDP
        A LinearMDP must pass :meth:`~mdptheory.LinearMDP.check_d_rectangular` for ``rect="d"``.
    uncertainty : TV, KL or ChiSquare (constrained or ``.regularized(lam)``)
        ``rho``/``lam`` scalar or broadcastable to ``(H, d)`` (``"d"``) / ``(H, S, A)`` (``"sa"``), e.g.
        DRPVI's table ``rho[h, i]``.
    rect : {"d", "sa"}, optional
        Default ``"d"`` for a LinearMDP and ``"sa"`` for an EpisodicMDP. ``"sa"`` on a LinearMDP
        runs on :meth:`~mdptheory.LinearMDP.to_tabular`.
    policy : ndarray, optional
        Deterministic ``(S,)``/``(H, S)`` or stochastic ``(S, A)``/``(H, S, A)``; ``None`` = optimize.
    backend : {"numba", "numpy"}

    Returns
    -------
    PlanningResult
        ``V (H+1, S)`` with ``V[H] = 0``, ``Q (H, S, A)``, ``policy (H, S)`` (greedy, or the given one),
        ``status="exact"``; ``extra`` holds ``P_worst (H,S,A,S)``, ``penalty (H,S,A)`` and for ``"d"``
        ``mu_worst (H,d,S)``, ``nu (H,d)`` (see module docstring).

    Examples
    --------
    >>> from mdptheory.envs.linear_sim import simulated_linear_mdp
    >>> from mdptheory.uncertainty import TV
    >>> res = robust_backward_induction(simulated_linear_mdp(), TV(lam=1.0))
    >>> round(float(res.V[0, 0]), 4)
    0.9995
    """
    t0 = time.perf_counter()
    _check_uncertainty(uncertainty)
    check_backend(backend)
    rect = _episodic_rect(model, rect)
    if isinstance(model, LinearMDP) and rect == "sa":
        model = model.to_tabular()
    H, S, A = model.H, model.S, model.A
    pol = None
    if policy is not None:
        pol = as_stochastic(validate_policy(policy, S, A, H), S, A, H)
    solve = inner_solver(uncertainty, backend)
    V = np.zeros((H + 1, S))
    Q = np.empty((H, S, A))
    greedy = np.empty((H, S), dtype=np.int64)
    P_worst = np.empty((H, S, A, S))
    penalty = np.empty((H, S, A))
    extra: dict[str, Any] = {"uncertainty": uncertainty, "rect": rect}
    if rect == "d":
        model.check_d_rectangular()
        d = model.d
        param = uncertainty.param_rows((H, d), "(H, d) factor")
        phi = model.phi
        mu_worst = np.empty((H, d, S))
        nu = np.empty((H, d))
        for h in range(H - 1, -1, -1):
            nxt = V[h] if CONTINUATION_STAGE_H.active else V[h + 1]
            nu[h], mu_worst[h] = solve(np.ascontiguousarray(model.mu[h]), nxt, param[h], True)
            if PENALTY_LEFT_OUT.active:
                nu[h] = mu_worst[h] @ nxt
            Q[h] = phi @ (model.theta[h] + nu[h])
            div_pen = _penalty(mu_worst[h], model.mu[h], uncertainty, param[h])  # (d,)
            penalty[h] = phi @ div_pen
            P_worst[h] = np.einsum("sai,it->sat", phi, mu_worst[h])
            V[h], greedy[h] = _stage_value(Q[h], pol, h)
        extra.update(mu_worst=mu_worst, nu=nu)
    else:
        param = uncertainty.param_rows((H, S, A), "(H, S, A) state-action")
        P0 = model.P
        for h in range(H - 1, -1, -1):
            rows = P0[h].reshape(S * A, S)
            nxt = V[h] if CONTINUATION_STAGE_H.active else V[h + 1]
            vals, Pw = solve(np.ascontiguousarray(rows), nxt, param[h].ravel(), True)
            if PENALTY_LEFT_OUT.active:
                vals = Pw @ nxt
            Q[h] = model.R[h] + vals.reshape(S, A)
            P_worst[h] = Pw.reshape(S, A, S)
            penalty[h] = _penalty(P_worst[h], P0[h], uncertainty, param[h])
            V[h], greedy[h] = _stage_value(Q[h], pol, h)
    extra.update(P_worst=P_worst, penalty=penalty)
    out_policy = greedy if policy is None else np.asarray(validate_policy(policy, S, A, H))
    name = "robust_backward_induction" if policy is None else "robust_policy_evaluation"
    return PlanningResult(
        V=V, Q=Q, policy=out_policy, iterations=H, residual=0.0, error_bound=0.0, converged=True,
        status="exact", wall_time=time.perf_counter() - t0, method=_method(name, uncertainty, rect),
        backend=backend, extra=extra,
    )


def _stage_value(Qh: np.ndarray, pol: np.ndarray | None, h: int) -> tuple[np.ndarray, np.ndarray]:
    greedy = greedy_actions(Qh)
    if pol is None or EVALUATION_IGNORES_POLICY.active:
        return Qh[np.arange(Qh.shape[0]), greedy], greedy
    return (pol[h] * Qh).sum(axis=1), greedy


# ----------------------------------------------------------------------------------- discounted
def _dense_rows(mdp: FiniteMDP) -> np.ndarray:
    P = mdp.P_flat
    if hasattr(P, "toarray"):  # sparse CSR: nature may move mass anywhere (TV), so densify
        P = P.toarray()
    return np.ascontiguousarray(P, dtype=np.float64)


def robust_value_iteration(mdp: FiniteMDP, uncertainty: UncertaintySet, *, rect: str = "sa",
                           tol: float = 1e-8, max_iter: int | None = None, backend: str = "numba",
                           V0: np.ndarray | None = None, policy: np.ndarray | None = None,
                           strict: bool = False) -> PlanningResult:
    r"""Discounted robust value iteration (``"sa"``-rectangular), stopped on the MacQueen bracket.

    Iterates ``(T V)(s) = max_a R(s,a) + gamma * nature(P(.|s,a), V)`` (Iyengar 2005; Nilim & El
    Ghaoui 2005), or ``T^pi`` with ``policy`` given (robust policy evaluation). ``T`` is a monotone
    ``gamma``-contraction that commutes with adding constants (nature's value of ``V + c`` is its value
    of ``V`` plus ``c``, for constrained and regularized sets alike), so the MacQueen bracket of
    :mod:`solvers.brackets` certifies ``||V - V*_robust||_inf <= error_bound``; the midpoint is returned.

    Parameters
    ----------
    mdp : mdptheory.FiniteMDP
        Discounted (``gamma in [0, 1)``); a sparse ``P`` is densified (TV nature may move mass anywhere).
    uncertainty : TV, KL or ChiSquare (constrained or regularized)
        ``rho``/``lam`` scalar or broadcastable to ``(S, A)``.
    rect : {"sa"}
        Only ``"sa"``: the optimal s-rectangular policy needs a joint (policy, budget) saddle problem per
        state (Wiesemann et al. 2013; Ho et al. 2021) that is not implemented; ``rect="s"`` raises
        ``NotImplementedError`` (s-rectangular *evaluation* is :func:`robust_policy_evaluation` with ``rect="s"``).
    tol : float
        Certified sup-norm error on ``V``.
    max_iter : int, optional
        Default: the sweeps after which the contraction guarantees ``tol`` (as ``solvers.value_iteration``).
    backend : {"numba", "numpy"}
    V0 : ndarray (S,), optional
    policy : ndarray, optional
        Deterministic ``(S,)`` or stochastic ``(S, A)``: evaluate it against its worst case instead.
    strict : bool
        Raise instead of warning when ``max_iter`` is reached first.

    Returns
    -------
    PlanningResult
        ``V (S,)``, ``Q (S, A)``, greedy ``policy (S,)`` (or the given one); ``extra``: ``P_worst (S,A,S)``
        and ``penalty (S, A)`` at the returned ``V``, ``V_lower``/``V_upper`` (bracket), ``uncertainty``, ``rect``.
    """
    t0 = time.perf_counter()
    _check_uncertainty(uncertainty)
    check_backend(backend)
    if rect == "s":
        raise NotImplementedError(
            "robust_value_iteration(rect='s') (the optimal s-rectangular policy) is not implemented: its "
            "Bellman update is a per-state saddle problem over stochastic policies and budget splits. "
            "Robust evaluation of a given policy is: robust_policy_evaluation(mdp, policy, uncertainty, rect='s')."
        )
    _check_rect(rect, ("sa",), "robust_value_iteration")
    gamma = discount_of(mdp, "robust_value_iteration")
    S, A = mdp.S, mdp.A
    rows = _dense_rows(mdp)
    R = np.asarray(mdp.R, dtype=np.float64)
    param = uncertainty.param_rows((S, A), "(S, A) state-action").ravel()
    pol = None if policy is None else as_stochastic(validate_policy(policy, S, A), S, A)
    V = initial_V(V0, S)
    opts = IterationOptions.discounted(gamma, iteration_scale(R, V, gamma), tol, max_iter, strict=strict)
    solve = inner_solver(uncertainty, backend)

    def sweep(V: np.ndarray) -> Sweep:
        vals = rows @ V if VI_NOMINAL_SWEEP.active else solve(rows, V, param, False)[0]
        Q = R + (gamma ** 2 if VI_DISCOUNT_SQUARED.active else gamma) * vals.reshape(S, A)
        if pol is None or VI_EVALUATION_IGNORES_POLICY.active:
            return Sweep(Q.max(axis=1), Q)  # greedy: once, at the end
        return Sweep((pol * Q).sum(axis=1), Q)

    name = "robust_value_iteration" if policy is None else "robust_policy_evaluation"
    bracket = MacQueen(gamma, SweepRounding.robust(S, gamma, R, pol), backend)
    out = certified_iteration(sweep, V, bracket, opts, name=name, t_start=t0)
    # nature's response at the returned V (its values shift with V: nature's value of V + c is its value plus c)
    _, Pw = solve(rows, out.sweep.TV + out.bracket.shift, param, True)
    P_worst = Pw.reshape(S, A, S)
    penalty = _penalty(P_worst, rows.reshape(S, A, S), uncertainty, param.reshape(S, A))
    return midpoint_result(out, method=_method(name, uncertainty, rect), backend=backend,
                           policy=None if policy is None else np.asarray(validate_policy(policy, S, A)),
                           extra=dict(P_worst=P_worst, penalty=penalty, uncertainty=uncertainty, rect=rect),
                           params=dict(tol=opts.tol, max_iter=opts.max_iter))


def _s_rect_policy_evaluation(model, policy, uncertainty, backend, tol, max_iter, strict) -> PlanningResult:
    """``"s"``-rectangular robust evaluation of a fixed policy (discounted or episodic); see below."""
    t0 = time.perf_counter()
    if isinstance(model, LinearMDP):
        model = model.to_tabular()
    if isinstance(model, FiniteMDP):
        gamma = discount_of(model, "robust_policy_evaluation")
        S, A = model.S, model.A
        P0 = _dense_rows(model).reshape(S, A, S)
        R = np.asarray(model.R, dtype=np.float64)
        pol = as_stochastic(validate_policy(policy, S, A), S, A)
        r_pi = (pol * R).sum(axis=1)
        opts = IterationOptions.discounted(gamma, iteration_scale(R, np.zeros(1), gamma), tol, max_iter,
                                           strict=strict)

        def sweep(V: np.ndarray) -> Sweep:
            vals, _, _ = s_rectangular_rows(P0, pol, V, uncertainty, backend=backend)
            return Sweep(r_pi + gamma * vals)

        bracket = MacQueen(gamma, SweepRounding.robust(S, gamma, R, pol), backend)
        out = certified_iteration(sweep, np.zeros(S), bracket, opts, name="robust_policy_evaluation",
                                  t_start=t0)
        V_out = out.sweep.TV + out.bracket.shift
        _, Pw, pen = s_rectangular_rows(P0, pol, V_out, uncertainty, backend=backend)
        return midpoint_result(
            out, method=_method("robust_policy_evaluation", uncertainty, "s"), backend=backend,
            policy=np.asarray(validate_policy(policy, S, A)), Q=R + gamma * (Pw @ V_out),
            extra=dict(P_worst=Pw, penalty=pen, uncertainty=uncertainty, rect="s"),
            params=dict(tol=opts.tol, max_iter=opts.max_iter))
    if not isinstance(model, EpisodicMDP):
        raise TypeError(f"model must be a FiniteMDP, EpisodicMDP or LinearMDP, got {type(model).__name__}")
    H, S, A = model.H, model.S, model.A
    pol = as_stochastic(validate_policy(policy, S, A, H), S, A, H)
    param = uncertainty.param_rows((H, S), "(H, S) state")
    V = np.zeros((H + 1, S))
    Q = np.empty((H, S, A))
    P_worst = np.empty((H, S, A, S))
    penalty = np.empty((H, S))
    for h in range(H - 1, -1, -1):
        u_h = type(uncertainty)(**{("lam" if uncertainty.is_regularized else "rho"): param[h]})
        vals, P_worst[h], penalty[h] = s_rectangular_rows(model.P[h], pol[h], V[h + 1], u_h, backend=backend)
        V[h] = (pol[h] * model.R[h]).sum(axis=1) + vals
        Q[h] = model.R[h] + P_worst[h] @ V[h + 1]
    return PlanningResult(
        V=V, Q=Q, policy=np.asarray(validate_policy(policy, S, A, H)), iterations=H, residual=0.0, error_bound=0.0,
        converged=True, status="exact", wall_time=time.perf_counter() - t0,
        method=_method("robust_policy_evaluation", uncertainty, "s"), backend=backend,
        extra=dict(P_worst=P_worst, penalty=penalty, uncertainty=uncertainty, rect="s"),
    )


def robust_policy_evaluation(model: FiniteMDP | EpisodicMDP | LinearMDP, policy: np.ndarray,
                             uncertainty: UncertaintySet, *, rect: str | None = None, backend: str = "numba",
                             tol: float = 1e-8, max_iter: int | None = None, strict: bool = False) -> PlanningResult:
    r"""Worst-case value of ``policy``: nature's best response (and its kernel) to a fixed policy.

    Episodic models (``EpisodicMDP`` -> ``"sa"``, ``LinearMDP`` -> ``"d"``) use
    :func:`robust_backward_induction` with ``policy``; a discounted ``FiniteMDP`` uses
    :func:`robust_value_iteration` with ``policy`` (certified to ``tol``). ``extra["P_worst"]`` is the
    adversary's kernel: evaluating ``policy`` nominally under it (with rewards ``R + extra["penalty"]``
    for regularized sets) reproduces ``V``.

    ``rect="s"`` (any of the three models; a LinearMDP is expanded with ``to_tabular``): one budget per
    state shared by the actions, ``sum_a D(p_a || P0(.|s,a)) <= rho`` (Wiesemann, Kuhn & Rustem 2013), or
    the penalty ``lam * sum_a D(p_a || P0(.|s,a))``; nature's response is
    :func:`solvers.robust.inner.s_rectangular_rows`. Then ``Q[s, a] = R[s, a] + gamma <P_worst[s, a], V>``
    (no discount for episodic models) and ``extra["penalty"]`` is per state ``(S,)`` / ``(H, S)``:
    ``V = sum_a pi_a Q[., a] + gamma * penalty`` (discounted) or ``+ penalty`` (episodic). Only
    evaluation is provided for ``"s"``: the optimal s-rectangular policy is in general stochastic and
    needs a per-state saddle-point solve.
    """
    if rect == "s":
        _check_uncertainty(uncertainty)
        check_backend(backend)
        return _s_rect_policy_evaluation(model, policy, uncertainty, backend, tol, max_iter, strict)
    if isinstance(model, FiniteMDP):
        return robust_value_iteration(model, uncertainty, rect="sa" if rect is None else rect, tol=tol,
                                      max_iter=max_iter, backend=backend, policy=policy, strict=strict)
    return robust_backward_induction(model, uncertainty, rect=rect, policy=policy, backend=backend)
