"""The certified iteration loop: one loop for every planner that iterates an operator to its fixed point.

A planner supplies

- a **sweep** ``V -> Sweep(TV, Q, greedy, sweeps)``: one application of its operator (nominal or robust
  Bellman optimality, a policy's evaluation operator, a Gauss-Seidel pass followed by the check sweep,
  an average-reward operator...). It must not overwrite ``V``'s buffer with ``TV`` (it may update ``V``
  in place *before* computing ``TV``, as Gauss-Seidel does);
- a **bracket** strategy ``(V, TV) -> Bracket`` (:mod:`solvers.brackets`): :class:`~solvers.brackets.MacQueen`
  for discounted operators, :class:`~solvers.brackets.SpanBracket` for average reward;
- optionally an **advance** step ``(TV, greedy) -> sweeps`` that moves the next iterate in place after a
  failed check (modified policy iteration's partial evaluation, relative value iteration's
  normalisation);
- its options as one :class:`IterationOptions`.

:func:`certified_iteration` then runs ``check -> stop? -> advance`` until the bracket's half-width is at
most ``tol`` (status ``"converged"``), the half-width is down to its floating-point part and cannot reach
``tol`` (status ``"inaccurate"``, see :mod:`solvers.brackets`), the callback asks to stop, the timeout or
``max_iter`` is reached, and returns an :class:`Iterate`. With a recentring bracket (MacQueen) the next
iterate is the bracket midpoint ``T V + shift``: the span of ``T V - V`` (hence the half-width and the
iteration count) is unchanged by constant shifts, and the iterate stays at the scale of the fixed point,
where the rounding bound is smallest, even from a far-away ``V0``. :func:`midpoint_result` packages an :class:`Iterate` of a discounted
operator into a :class:`~solvers.result.PlanningResult` whose ``V`` is the bracket midpoint.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple

import numpy as np
import scipy.sparse as sp

from mdptheory import mutants
from mdptheory.policies import greedy as greedy_actions
from mdptheory.validation import as_float_array

from . import _kernels as K
from .brackets import U, Bracket, SweepRounding, abs_finite, greedy_gap, worst_case_rounding
from .result import (PlanningResult, check_max_iter, check_seconds, check_tol, default_max_iter, finish,
                     freeze_trace, make_trace)

__all__ = ["IterationOptions", "Sweep", "Iterate", "certified_iteration", "midpoint_result", "BellmanSweep",
           "initial_V", "iteration_scale"]


#: A sign slip in returning the bracket midpoint (``T V - shift`` instead of ``T V + shift``).
MIDPOINT_SIGN = mutants.register("certificates", "midpoint-sign",
                                 "the bracket midpoint returned as T V - shift instead of T V + shift")


@dataclass(frozen=True)
class IterationOptions:
    """How long and how closely to iterate, and what to record.

    Attributes
    ----------
    tol : float
        Stop when the bracket's half-width is ``<= tol``.
    max_iter : int
        Check sweeps allowed, respected exactly.
    trace : bool or "V"
        Record per-iteration ``residual``, ``error_bound`` (half-width), ``supnorm_bound`` (discounted);
        ``"V"`` also the midpoints.
    callback : callable ``(iteration, residual, error_bound) -> bool``, optional
        Called after each failed check; ``True`` stops with status ``"callback"``.
    timeout : float, optional
        Wall-clock seconds (from the planner's start) after which the loop stops with status ``"timeout"``.
    strict : bool
        Raise :class:`~solvers.result.NotConvergedError` instead of warning when not converged.
    """

    tol: float
    max_iter: int
    trace: bool | str = False
    callback: Callable[[int, float, float], Any] | None = None
    timeout: float | None = None
    strict: bool = False

    @classmethod
    def discounted(cls, gamma: float, scale: float, tol: Any, max_iter: Any = None, **kw: Any) -> "IterationOptions":
        """Checked options for a ``gamma``-discounted operator; ``max_iter=None`` gives
        :func:`~solvers.result.default_max_iter` for an initial residual of at most ``scale``."""
        tol = check_tol(tol)
        max_iter = check_max_iter(max_iter)
        if max_iter is None:
            max_iter = default_max_iter(gamma, tol, scale)
        if "timeout" in kw:
            kw["timeout"] = check_seconds(kw["timeout"])
        return cls(tol=tol, max_iter=max_iter, **kw)


class Sweep(NamedTuple):
    """One application of the operator to ``V``."""

    TV: np.ndarray                   #: the operator applied to V, (S,)
    Q: np.ndarray | None = None      #: Q(V), (S, A), when the operator has one
    greedy: np.ndarray | None = None  #: argmax_a Q(V), (S,) int64, when the operator optimises
    sweeps: int = 1                  #: operator applications this call cost (Gauss-Seidel: 2)


@dataclass(frozen=True, eq=False)
class Iterate:
    """Where :func:`certified_iteration` stopped: the last iterate ``V``, its sweep and its bracket."""

    V: np.ndarray
    sweep: Sweep
    bracket: Bracket
    iterations: int
    sweeps: int
    status: str
    trace: dict | None
    wall_time: float
    gamma: float = math.nan                 #: the bracket strategy's discount (for policy certificates)
    rounding: SweepRounding | None = None   #: the bracket strategy's rounding model

    @property
    def converged(self) -> bool:
        return self.status == "converged"


def certified_iteration(
    sweep: Callable[[np.ndarray], Sweep],
    V0: np.ndarray,
    bracket: Callable[[np.ndarray, np.ndarray], Bracket],
    options: IterationOptions,
    *,
    advance: Callable[[np.ndarray, np.ndarray | None], int] | None = None,
    name: str = "iteration",
    t_start: float | None = None,
) -> Iterate:
    """Iterate ``V <- T V`` (then ``advance``) until ``bracket(V, T V).half_width <= options.tol``.

    ``V0`` is copied. A ``ConvergenceWarning`` (or, under ``strict``, ``NotConvergedError``) naming ``name``
    is issued when the loop stops for another reason than convergence or the callback.
    """
    t0 = time.perf_counter() if t_start is None else t_start
    V = np.array(V0, dtype=np.float64, copy=True)
    tr = make_trace(options.trace)
    recentre = getattr(bracket, "recentre", False)
    n_sweeps, status, it = 0, "max_iter", 0
    best, stale = math.inf, 0   # smallest half-width so far; checks since it was set
    for it in range(1, options.max_iter + 1):
        sw = sweep(V)
        n_sweeps += sw.sweeps
        br = bracket(V, sw.TV)
        if tr is not None:
            tr["residual"].append(br.residual)
            tr["error_bound"].append(br.half_width)
            if br.supnorm_bound is not None:
                tr["supnorm_bound"].append(br.supnorm_bound)
            if "V" in tr:
                tr["V"].append(sw.TV + br.shift)
        if br.half_width <= options.tol:
            status = "converged"
            break
        if br.half_width < best:
            best, stale = br.half_width, 0
        else:
            stale += 1
        if it > 1 and _in_rounding_regime(br):
            # The exact-arithmetic part of the half-width is down to the rounding of the iterate's scale (the
            # iterate came from the loop, so that scale is the fixed point's): stop once it is negligible and
            # tol is out of reach anyway, or once the half-width stops setting new minima (rounding noise).
            if (br.rounding > options.tol and br.half_width - br.rounding <= FLOOR_FRACTION * br.rounding) \
                    or stale >= FLOOR_PATIENCE:
                status = "inaccurate"
                break
        if options.callback is not None and options.callback(it, br.residual, br.half_width):
            status = "callback"
            break
        if options.timeout is not None and time.perf_counter() - t0 > options.timeout:
            status = "timeout"
            break
        if it == options.max_iter:
            break
        if recentre:  # next iterate = bracket midpoint: same spans, iterate kept at the scale of V*
            np.add(sw.TV, br.shift, out=sw.TV)
        if advance is not None:
            n_sweeps += advance(sw.TV, sw.greedy)
        V = sw.TV
    if tr is not None and not tr["supnorm_bound"]:
        del tr["supnorm_bound"]
    if status == "inaccurate":
        detail = inaccurate_detail(options.tol, br.half_width, br.rounding, br.V_abs, it)
    else:
        detail = (f"certified error {br.half_width:.3g} > tol {options.tol:.3g} after {it} iterations "
                  f"(max_iter={options.max_iter}); pass a larger max_iter or tol")
    finish(status, status == "converged", options.strict, name, detail, stacklevel=4)
    return Iterate(V=V, sweep=sw, bracket=br, iterations=it, sweeps=n_sweeps, status=status,
                   trace=freeze_trace(tr), wall_time=time.perf_counter() - t0,
                   gamma=getattr(bracket, "gamma", math.nan), rounding=getattr(bracket, "rounding", None))


#: Consecutive checks without a new minimum of the half-width, in the rounding regime, after which the
#: loop stops with status ``"inaccurate"`` (a half-width still contracting sets a new minimum every check).
FLOOR_PATIENCE = 5

#: When the rounding part alone exceeds ``tol``, the loop keeps sweeping until the exact-arithmetic part is
#: at most this fraction of it (the returned midpoint is then as accurate as the iteration can make it).
FLOOR_FRACTION = 0.25


def _in_rounding_regime(br: Bracket) -> bool:
    """The exact-arithmetic part of the half-width is no larger than its floating-point part."""
    return br.rounding > 0.0 and br.half_width - br.rounding <= br.rounding


def a_posteriori_detail(tol: float, cert: Any, V: np.ndarray, it: int) -> str:
    """Why an a-posteriori certificate (:func:`solvers.brackets.a_posteriori`) exceeds ``tol``."""
    if cert.rounding > tol:
        return inaccurate_detail(tol, cert.bound, cert.rounding, float(np.abs(V).max(initial=0.0)), it)
    return (f"a-posteriori bound {cert.bound:.3g} > tol {tol:.3g} (rounding part {cert.rounding:.3g}) "
            f"after {it} iterations")


def inaccurate_detail(tol: float, bound: float, rounding: float, V_abs: float, it: int) -> str:
    """The message of status ``"inaccurate"``: the tol asked for, the attainable bound, the rounding part."""
    return (f"tol {tol:.3g} is below what float64 can certify for this model: at ||V||_inf = {V_abs:.3g} the "
            f"rounding of one sweep alone bounds ||V - V*||_inf only to {rounding:.3g} (about eps ||V|| / "
            f"(1 - gamma)); attainable error bound {bound:.3g} after {it} iterations; pass tol >= {bound:.2g}")


def midpoint_result(out: Iterate, *, method: str, backend: str, policy: Any = None, Q: Any = None,
                    Q_error_bound: float | None = None, extra: dict | None = None,
                    params: dict | None = None) -> PlanningResult:
    """The :class:`PlanningResult` of a discounted loop: ``V`` = bracket midpoint, ``Q`` shifted alike.

    ``policy`` defaults to the last sweep's greedy policy (greedy for the iterate ``V_k``, certified by
    :func:`solvers.brackets.greedy_gap`: twice the half-width plus the tie rule's width and the sweep's
    rounding, over ``1 - gamma``) and ``Q`` to ``Q(V_k) + shift`` (certified with the same half-width,
    since ``V* - V_k`` lies in ``[m, M] / (1 - gamma)``, plus the rounding of entries of ``Q`` larger in
    magnitude than ``V``: ``extra["Q_error_bound"]``). Operators without them (policy evaluation) pass
    their own ``policy``, ``Q`` and ``Q_error_bound``. ``extra`` gains ``V_lower``/``V_upper`` (the
    bracket), ``supnorm_bound``, ``rounding_bound`` (the floating-point part of ``error_bound``),
    ``Q_error_bound``, ``sweeps``, ``certificate`` and, for the greedy policy, ``policy_gap_bound``.
    """
    br, sw = out.bracket, out.sweep
    shift = -br.shift if MIDPOINT_SIGN.active else br.shift
    greedy = policy is None
    if greedy:  # a sweep may leave the greedy policy to be computed once, here
        policy = np.array(sw.greedy, dtype=np.int64) if sw.greedy is not None else greedy_actions(sw.Q)
    rounding = out.rounding if out.rounding is not None else worst_case_rounding(len(sw.TV), out.gamma)
    if Q is None:
        Q = sw.Q + shift
        if Q_error_bound is None:
            # Q* - Q(V_k) lies in [lo, hi] like V* - T V_k; Q~ differs from Q(V_k) by the sweep's rounding
            Q_abs = float(abs_finite(sw.Q).max(initial=0.0))
            Q_error_bound = (br.half_width + rounding.q_error(Q_abs, br.V_abs) + 2 * U * Q_abs) * (1 + 8 * U)
    ex = dict(V_lower=sw.TV + br.lo, V_upper=sw.TV + br.hi, supnorm_bound=br.supnorm_bound,
              rounding_bound=br.rounding, Q_error_bound=Q_error_bound, sweeps=out.sweeps,
              certificate="macqueen-bracket-midpoint")
    if greedy:
        ex["policy_gap_bound"] = greedy_gap(sw.Q, sw.TV, policy, br.half_width, br.sweep_error,
                                            out.gamma, rounding.rho_hi)
    ex.update(extra or {})
    return PlanningResult(
        V=sw.TV + shift, Q=Q, policy=policy, iterations=out.iterations,
        residual=br.residual, error_bound=br.half_width, converged=out.converged, status=out.status,
        wall_time=out.wall_time, method=method, backend=backend, trace=out.trace, extra=ex,
        params=dict(params or {}),
    )


class BellmanSweep:
    """The nominal optimality sweep ``V -> (R + gamma P V, max, argmax)`` with reused output buffers.

    Two value buffers alternate so that ``TV`` never overwrites the ``V`` it was computed from; ``Q`` and
    ``greedy`` are overwritten by every call (the loop reads them before the next one).
    """

    def __init__(self, P_flat: Any, R: np.ndarray, gamma: float, backend: str) -> None:
        S, A = R.shape
        self.P, self.R, self.gamma, self.backend = P_flat, R, gamma, backend
        self._Q, self._greedy = np.empty((S, A)), np.empty(S, dtype=np.int64)
        self._values = (np.empty(S), np.empty(S))

    def __call__(self, V: np.ndarray) -> Sweep:
        out = self._values[1] if V is self._values[0] else self._values[0]
        Q, TV, greedy = K.bellman_q(self.P, self.R, V, self.gamma, self.backend, out=(self._Q, out, self._greedy))
        return Sweep(TV, Q, greedy)


def initial_V(V0: Any, S: int) -> np.ndarray:
    """``V0`` as a finite float64 ``(S,)`` array (zeros when ``None``), with a clear error otherwise."""
    if V0 is None:
        return np.zeros(S)
    if sp.issparse(V0):
        raise TypeError(f"V0 must be a dense array of shape (S,) = ({S},), got a scipy.sparse matrix; pass V0.toarray().ravel()")
    if np.ndim(V0) != 1:
        raise ValueError(f"V0 must be a 1-D array of shape (S,) = ({S},), got {np.ndim(V0)} dimensions")
    V = as_float_array(V0, "V0")   # strings, complex numbers and NaN are errors naming V0, never cast silently
    if V.shape != (S,):
        raise ValueError(f"V0 must have shape (S,) = ({S},), got {V.shape}")
    return V


def iteration_scale(R: np.ndarray, V0: np.ndarray, gamma: float) -> float:
    """``r_max + (1 + gamma) ||V0||_inf``, an upper bound on ``||T V0 - V0||_inf``."""
    return float(abs_finite(R).max()) + (1.0 + gamma) * float(np.abs(V0).max(initial=0.0))
