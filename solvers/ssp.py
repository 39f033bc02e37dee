r"""Stochastic shortest paths to a goal set: value iteration (certified), policy iteration, LP; minimum
expected hitting times and the diameter.

For a finite MDP, a goal set ``G`` and positive costs ``c(s, a)`` (unit costs by default, so values are
expected hitting times), the optimal cost-to-go solves

.. math:: h(s) = 0 \ (s \in G), \qquad h(s) = \min_a \big[c(s,a) + \textstyle\sum_x P(x|s,a) h(x)\big] \ (s \notin G)

(Bertsekas & Tsitsiklis 1991). States from which no policy reaches ``G`` almost surely have ``h = inf``;
they are found first (almost-sure reachability: repeatedly forbid the actions that may leave the set of
states that can still reach ``G``), and the actions that may leave the finite region are forbidden, so the
three planners work on a model in which every allowed policy that reaches ``G`` is proper.

The diameter ``D = max_{s != s'} min_pi E[tau_pi(s -> s')]`` (Jaksch, Ortner & Auer 2010) takes one SSP
per target ``s'`` (spec section 1); ``D < inf`` iff the model is communicating. This module is the public
home the sample-collection code (GOSPRL) builds on.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from mdptheory import mutants
from mdptheory.policies import TIE_RTOL

from . import _kernels as K
from .brackets import Bracket
from .iteration import IterationOptions, Sweep, certified_iteration
from .result import PlanningResult, check_backend, check_max_iter, check_tol, finish

__all__ = ["SSPModel", "ssp_model", "ssp_value_iteration", "ssp_policy_iteration", "ssp_linear_programming",
           "min_hitting_times", "diameter", "NotCommunicatingError", "SSPBracket", "METHODS", "almost_sure_region",
           "goal_mask"]

METHODS = ("pi", "vi", "lp")
_U = np.finfo(np.float64).eps

GOAL_NOT_FIXED = mutants.register("ssp", "goal-not-fixed",
                                  "the goal states' values are not pinned at 0 (the goal is treated as an ordinary state)")
NO_AMPLIFICATION = mutants.register("ssp", "bracket-no-amplification",
                                    "the SSP certificate takes max(T h - h) as the error (no 1/(1 - rho) factor)")
RETURN_TIMES = mutants.register("diameter", "return-times",
                                "the diameter's max includes s = s' with the expected return time")


class NotCommunicatingError(ValueError):
    """Some state cannot reach another under any policy: the diameter is infinite."""


@dataclass(frozen=True, eq=False)
class SSPModel:
    """An SSP instance prepared for the planners: ``finite`` marks the states with ``h* < inf``, ``cost``
    is ``(S, A)`` with ``inf`` on forbidden actions (those that may leave ``finite``), ``goal`` a mask."""

    P_flat: Any
    cost: np.ndarray
    goal: np.ndarray
    finite: np.ndarray
    S: int
    A: int

    @property
    def c_min(self) -> float:
        """Smallest allowed cost (1 when no action is allowed: nothing to iterate)."""
        c = self.cost[np.isfinite(self.cost)]
        return float(c.min()) if c.size else 1.0

    @property
    def c_max(self) -> float:
        c = self.cost[np.isfinite(self.cost)]
        return float(c.max()) if c.size else 1.0


def ssp_model(mdp: Any, goal: Any, cost: Any = None) -> SSPModel:
    """Validate ``goal`` (state indices or a boolean mask) and ``cost`` (default ones; positive and finite) and
    compute the almost-sure-reachability region (see the module docstring)."""
    S, A = mdp.S, mdp.A
    g = goal_mask(goal, S)
    c = np.ones((S, A)) if cost is None else np.array(cost, dtype=np.float64)
    if c.shape != (S, A) or not np.all(np.isfinite(c)) or (c <= 0).any():
        raise ValueError(f"cost must be a finite positive (S, A) = ({S}, {A}) array (SSP needs c > 0), got shape {c.shape}")
    P_flat = sp.csr_array(mdp.P_flat)
    support = lambda mask: (P_flat @ mask.astype(np.float64)).reshape(S, A) > 0   # noqa: E731
    allowed, region = almost_sure_region(S, A, g, can_hit=support, must_leave=lambda inside: support(~inside))
    c = np.where(allowed, c, np.inf)
    return SSPModel(mdp.P_flat, c, g, region, S, A)


def goal_mask(goal: Any, S: int) -> np.ndarray:
    """``goal`` (state indices or a boolean mask of shape ``(S,)``) as a non-empty boolean mask."""
    gl = np.asarray(goal)
    if gl.dtype == bool:
        if gl.shape != (S,):
            raise ValueError(f"a boolean goal mask must have shape ({S},), got {gl.shape}")
        g = gl.copy()
    else:
        idx = np.atleast_1d(gl)
        if idx.size and idx.dtype.kind not in "iu":
            raise ValueError(f"goal must be state indices (integers) or a boolean mask, got dtype {idx.dtype}")
        idx = idx.astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= S):
            raise ValueError(f"goal states must lie in 0..{S - 1}, got {idx.tolist()}")
        g = np.zeros(S, dtype=bool)
        g[idx] = True
    if not g.any():
        raise ValueError("goal must contain at least one state")
    return g


def almost_sure_region(S: int, A: int, goal: np.ndarray, can_hit: Any, must_leave: Any) -> tuple[np.ndarray, np.ndarray]:
    """The states that reach ``goal`` almost surely and the actions that keep them there (spec section 1).

    ``can_hit(mask) -> (S, A) bool``: the action may move to a state of ``mask`` with positive probability;
    ``must_leave(inside) -> (S, A) bool``: the action cannot keep all of its mass inside ``inside``. Repeatedly:
    the region is what reaches the goal with positive probability through allowed actions, and an action that must
    leave the region is forbidden. On the returned region every allowed policy that reaches the goal with
    positive probability from every state is proper. Shared by :func:`ssp_model` (a fixed kernel: both tests
    are the support) and the optimistic planner of :mod:`solvers.ssp_evi` (box confidence sets: the upper ends
    say where mass *may* go, the lower ends and the upper sums where it *must* go).
    """
    allowed = np.ones((S, A), dtype=bool)
    while True:
        reach = goal.copy()
        while True:
            new = reach | (can_hit(reach) & allowed).any(axis=1)
            if (new == reach).all():
                break
            reach = new
        new_allowed = allowed & ~must_leave(reach)
        if (new_allowed == allowed).all():
            return allowed, reach
        allowed = new_allowed


def _result(h, policy, it, err, converged, status, t0, method, backend, extra=None, params=None) -> PlanningResult:
    return PlanningResult(V=h, Q=np.empty((0, 0)), policy=policy, iterations=it, residual=err, error_bound=err,
                          converged=converged, status=status, wall_time=time.perf_counter() - t0, method=method,
                          backend=backend, extra=dict(extra or {}), params=dict(params or {}))


@dataclass
class SSPBracket:
    r"""Certified bracket of the optimal cost-to-go from one SSP sweep (derived [D]; cf. Bertsekas 2012,
    Vol. II, section 3.4): for ``V >= 0`` with ``V = 0`` on the goal, ``mu`` greedy for ``V`` and
    ``rho = max_s (T V - V)(s) / c_min < 1``, ``c_mu + P_mu V <= V + rho c_mu``, hence
    ``(1 - rho) h_mu <= V`` and ``T V <= h* <= h_mu <= V / (1 - rho)`` (the lower end because value
    iteration from 0 increases to ``h*``). As a constant shift of ``T V``: ``lo = 0``,
    ``hi = max_s V(s)/(1-rho) - (T V)(s)``, widened by the rounding of the sweep.
    """

    terms: int
    c_min: float
    c_max: float

    def __call__(self, V: np.ndarray, TV: np.ndarray) -> Bracket:
        d = TV - V
        slack = 1.01 * (self.terms + 4) * _U * (self.c_max + 2.0 * float(np.abs(V).max()) + float(np.abs(TV).max()))
        M = float(d.max()) + slack
        rho = M / self.c_min
        if NO_AMPLIFICATION.active:
            hi = max(M, 0.0)
        elif rho < 1.0:
            hi = float((V / (1.0 - rho) - TV).max()) + slack
        else:
            hi = np.inf
        lo = -slack
        return Bracket(lo=lo, hi=hi, half_width=0.5 * (hi - lo), residual=float(np.abs(d).max()))


def _terms(P_flat) -> int:
    return int(np.diff(sp.csr_array(P_flat).indptr).max(initial=1)) if sp.issparse(P_flat) else int(P_flat.shape[1])


def ssp_value_iteration(mdp: Any, goal: Any, cost: Any = None, tol: float = 1e-8, max_iter: int | None = None,
                        backend: str = "numba", strict: bool = False) -> PlanningResult:
    """Value iteration from ``h = 0`` for the SSP (unit costs by default), through
    :func:`solvers.iteration.certified_iteration` with the :class:`SSPBracket`; returns the bracket midpoint
    (``inf`` on states that cannot reach the goal almost surely). ``error_bound`` is a certified sup-norm error
    on the finite states; ``max_iter`` defaults to ``10**6``."""
    t0 = time.perf_counter()
    backend = check_backend(backend)
    tol = check_tol(tol)
    max_iter = check_max_iter(max_iter) or 10**6
    m = ssp_model(mdp, goal, cost)
    fin = m.finite
    reward = np.where(np.isfinite(m.cost), -m.cost, -np.inf)     # max of -cost - P h  =  -min(cost + P h)
    pin = m.goal if not GOAL_NOT_FIXED.active else np.zeros(m.S, dtype=bool)

    def sweep(h: np.ndarray) -> Sweep:
        Q, TV, greedy = K.bellman_q(m.P_flat, reward, -h, 1.0, backend)   # fresh buffers: never overwrites h
        np.negative(TV, out=TV)
        TV[pin] = 0.0
        TV[~fin] = 0.0          # never reached by allowed actions; kept finite so that 0 * h stays 0
        return Sweep(TV, None, greedy)

    br_fn = SSPBracket(_terms(m.P_flat), m.c_min, m.c_max)
    opts = IterationOptions(tol=tol, max_iter=max_iter, strict=strict)
    out = certified_iteration(sweep, np.zeros(m.S), br_fn, opts, name="ssp_value_iteration", t_start=t0)
    br = out.bracket
    h = out.sweep.TV + br.shift
    h[m.goal] = 0.0
    h[~fin] = np.inf
    policy = np.array(out.sweep.greedy, dtype=np.int64)
    return _result(h, policy, out.iterations, br.half_width, out.converged, out.status, t0, "ssp_value_iteration",
                   backend, extra=dict(sweeps=out.sweeps, certificate="ssp-bracket"),
                   params=dict(tol=tol, max_iter=max_iter))


def _evaluate(m: SSPModel, pi: np.ndarray) -> np.ndarray:
    """Cost-to-go of a proper policy on the finite region: ``(I - P_mu) h = c_mu`` off the goal."""
    S, A = m.S, m.A
    idx = np.flatnonzero(m.finite & ~m.goal) if not GOAL_NOT_FIXED.active else np.flatnonzero(m.finite)
    rows = idx * A + pi[idx]
    P_sub = sp.csr_array(m.P_flat)[rows][:, idx].toarray()
    h = np.zeros(S)
    h[idx] = np.linalg.solve(np.eye(len(idx)) - P_sub, m.cost[idx, pi[idx]])
    h[~m.finite] = np.inf
    return h


def _proper_policy(m: SSPModel) -> np.ndarray:
    """A proper policy on the finite region: each state takes an allowed action reaching a state closer (in
    allowed-graph distance) to the goal with positive probability."""
    S, A = m.S, m.A
    P_flat = sp.csr_array(m.P_flat)
    pi = np.zeros(S, dtype=np.int64)
    done = m.goal.copy()
    allowed = np.isfinite(m.cost)
    while not done[m.finite].all():
        hits = ((P_flat @ done.astype(np.float64)).reshape(S, A) > 0) & allowed
        layer = ~done & m.finite & hits.any(axis=1)
        pi[layer] = hits[layer].argmax(axis=1)
        done |= layer
    return pi


def ssp_policy_iteration(mdp: Any, goal: Any, cost: Any = None, tol: float = 1e-8, max_iter: int | None = None,
                         backend: str = "numba", strict: bool = False) -> PlanningResult:
    """Policy iteration for the SSP (Bertsekas & Tsitsiklis 1991): start from a proper policy, evaluate exactly,
    improve with the incumbent kept on ties. Certificate: ``error_bound`` = the :class:`SSPBracket` half-width
    at the final ``h`` (rounding level when exact)."""
    t0 = time.perf_counter()
    backend = check_backend(backend)
    tol = check_tol(tol)
    max_iter = check_max_iter(max_iter) or 10 * mdp.S * mdp.A + 100
    m = ssp_model(mdp, goal, cost)
    pi = _proper_policy(m)
    reward = np.where(np.isfinite(m.cost), -m.cost, -np.inf)
    rows = np.arange(m.S)
    status, it = "max_iter", 0
    for it in range(1, max_iter + 1):
        h = _evaluate(m, pi)
        hf = np.where(m.finite, h, 0.0)
        Q, TV, greedy = K.bellman_q(m.P_flat, reward, -hf, 1.0, backend)
        cur = Q[rows, pi]
        keep = cur >= TV - TIE_RTOL * (1.0 + np.abs(TV))
        new = np.where(keep | m.goal | ~m.finite, pi, greedy)
        if np.array_equal(new, pi):
            status = "stable"
            break
        pi = new
    hf = np.where(m.finite, h, 0.0)
    TVh = -K.bellman_q(m.P_flat, reward, -hf, 1.0, backend)[1]
    TVh[m.goal | ~m.finite] = 0.0
    br = SSPBracket(_terms(m.P_flat), m.c_min, m.c_max)(hf, TVh)
    err = max(abs(br.lo), float((hf - TVh).max()) + br.hi) if np.isfinite(br.hi) else np.inf
    converged = status == "stable" and err <= tol
    status = "converged" if converged else ("inaccurate" if status == "stable" else status)
    finish(status, converged, strict, "ssp_policy_iteration", f"certified error {err:.3g} vs tol {tol:.3g}")
    return _result(h, pi, it, err, converged, status, t0, "ssp_policy_iteration", backend,
                   params=dict(tol=tol, max_iter=max_iter))


def ssp_linear_programming(mdp: Any, goal: Any, cost: Any = None, tol: float = 1e-6,
                           strict: bool = False) -> PlanningResult:
    """The SSP's LP (d'Epenoux 1963 form): ``max sum_s h(s)`` s.t. ``h(s) <= c(s,a) + P(s,a) h`` for the allowed
    actions off the goal, ``h = 0`` on the goal, solved by HiGHS on the finite region; a cross-check of VI and
    PI. ``error_bound``: the largest violation of the optimality equation (a residual, not an amplified
    certificate: use PI or VI for certified values)."""
    t0 = time.perf_counter()
    tol = check_tol(tol)
    m = ssp_model(mdp, goal, cost)
    S, A = m.S, m.A
    idx = np.flatnonzero(m.finite & ~m.goal)
    if idx.size == 0:     # every finite state is a goal: nothing to optimise
        h = np.where(m.finite, 0.0, np.inf)
        return _result(h, np.zeros(S, dtype=np.int64), 0, 0.0, True, "converged", t0, "ssp_linear_programming",
                       "numpy", params=dict(tol=tol))
    pos = -np.ones(S, dtype=np.int64)
    pos[idx] = np.arange(len(idx))
    P_flat = sp.csr_array(m.P_flat)
    rows = [(s, a) for s in idx for a in range(A) if np.isfinite(m.cost[s, a])]
    r_idx = np.array([s * A + a for s, a in rows], dtype=np.int64)
    Psub = P_flat[r_idx][:, idx]
    E = sp.csr_array((np.ones(len(rows)), (np.arange(len(rows)), pos[[s for s, _ in rows]])), shape=(len(rows), len(idx)))
    res = linprog(-np.ones(len(idx)), A_ub=E - Psub, b_ub=np.array([m.cost[s, a] for s, a in rows]),
                  bounds=(0, None), method="highs")
    if res.status != 0:
        raise RuntimeError(f"ssp_linear_programming: HiGHS failed: {res.message}")
    h = np.zeros(S)
    h[idx] = res.x
    h[~m.finite] = np.inf
    hf = np.where(m.finite, h, 0.0)
    reward = np.where(np.isfinite(m.cost), -m.cost, -np.inf)
    Q, TV, greedy = K.bellman_q(m.P_flat, reward, -hf, 1.0, "numpy")
    resid = float(np.abs(np.where(m.finite & ~m.goal, -TV - hf, 0.0)).max())
    converged = resid <= tol
    status = "converged" if converged else "inaccurate"
    finish(status, converged, strict, "ssp_linear_programming", f"residual {resid:.3g} vs tol {tol:.3g}")
    return _result(h, greedy.astype(np.int64), int(getattr(res, "nit", 0)), resid, converged, status, t0,
                   "ssp_linear_programming", "numpy", params=dict(tol=tol))


_PLANNERS = {"pi": ssp_policy_iteration, "vi": ssp_value_iteration, "lp": ssp_linear_programming}


def min_hitting_times(mdp: Any, method: str = "pi", **kw: Any) -> np.ndarray:
    """``T[s, s'] = min_pi E[tau_pi(s -> s')]`` for every pair (``0`` on the diagonal, ``inf`` when ``s'`` cannot
    be reached almost surely from ``s``): one SSP per target with unit costs. ``method`` in :data:`METHODS`."""
    if method not in _PLANNERS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    S = mdp.S
    T = np.empty((S, S))
    for t in range(S):
        T[:, t] = _PLANNERS[method](mdp, [t], **kw).V
    return T


def diameter(mdp: Any, method: str = "pi", **kw: Any) -> float:
    r"""The diameter ``D = max_{s != s'} min_pi E[tau_pi(s -> s')]`` (Jaksch, Ortner & Auer 2010, Def. 1).

    A model that is not communicating raises :class:`NotCommunicatingError` naming an unreachable pair.

    >>> import numpy as np, mdptheory
    >>> P = np.zeros((3, 2, 3)); P[[0, 1, 2], 0, [1, 2, 2]] = 1; P[[0, 1, 2], 1, [0, 0, 1]] = 1  # a line
    >>> diameter(mdptheory.FiniteMDP(P, np.zeros((3, 2))))
    2.0
    """
    T = min_hitting_times(mdp, method, **kw)
    off = ~np.eye(mdp.S, dtype=bool)
    if np.isinf(T[off]).any():
        s, t = (int(i) for i in np.argwhere(np.isinf(T) & off)[0])
        raise NotCommunicatingError(
            f"state {t} cannot be reached almost surely from state {s} under any policy: the model is not "
            "communicating and its diameter is infinite (check with mdptheory.structure.classify)")
    if RETURN_TIMES.active:
        S, A = mdp.S, mdp.A
        P3 = mdp.dense_P()
        ret = [1.0 + (P3[s] @ T[:, s]).min() for s in range(S)]
        return float(max(T[off].max(initial=0.0), max(ret)))
    return float(T[off].max(initial=0.0))
