r"""Optimistic SSP planning: extended value iteration (EVI) over box confidence sets, and empirical-Bernstein sets.

This extends :mod:`solvers.ssp` (same :class:`~solvers.ssp.SSPBracket` certificate, same certified loop, same
almost-sure-reachability region) from a known kernel to a set of kernels: for confidence sets
``C(s, a) = {q in simplex : lower(s, a, .) <= q <= upper(s, a, .)}`` the optimistic cost-to-go of a goal set
``G`` solves

.. math:: \tilde h(s) = 0 \ (s \in G), \qquad \tilde h(s) = \min_a \big[c(s, a) + \min_{q \in C(s,a)} q \cdot \tilde h\big]

(spec section 1; Jaksch, Ortner & Auer 2010, section 3.1.2 for the average-reward original; Tarbouriech et al.
2021 build GOSPRL's exploration on such SSP planners). It is the SSP of the *extended* MDP whose actions are the
pairs ``(a, q)``, so value iteration from ``0`` increases to ``\tilde h`` and the bracket of
:class:`~solvers.ssp.SSPBracket` certifies it exactly as for a known kernel. The inner minimum is the greedy
pour of :mod:`solvers._kernels.box_simplex`. If ``p(.|s, a) in C(s, a)`` for every pair, every iterate is
``<= h*``, the true optimal hitting time (optimism; the claim ``evi-ssp-optimism`` checks it).

Public functions
----------------
:func:`ssp_extended_value_iteration`
    the planner (a :class:`~solvers.result.PlanningResult`; ``inf`` where no kernel of the sets reaches the goal
    almost surely).
:func:`bernstein_box`
    entrywise empirical-Bernstein sets from transition counts (below), never-visited pairs get the whole simplex.
:func:`empirical_box`
    the singleton sets ``{p_hat}`` (unvisited pairs: a self-loop), the no-optimism baseline.

The empirical-Bernstein width (a reconstruction [I] of the paper's SSP layer, whose sets were not retrieved; the
spec proposes ``beta = c1 sqrt(p(1-p) L/n) + c2 L/n`` with ``L = log(c3 S A n / delta)``)::

    beta(s, a, x) = c1 sqrt(p_hat (1 - p_hat) L / n) + c2 L / n,   L = ln(c3 S^2 A n (n + 1) / delta),   n = N(s, a)

With ``c1 = 2``, ``c2 = 14/3``, ``c3 = 4`` it contains ``p`` for every entry and every count simultaneously with
probability ``>= 1 - delta`` [D]: Maurer & Pontil (2009, Theorem 4) on ``X`` and ``1 - X`` with failure
``delta / (2 S^2 A n (n + 1))`` each gives ``sqrt(2 V_n L / n) + 7 L / (3 (n - 1))`` with the sample variance
``V_n = n p_hat (1 - p_hat) / (n - 1)``; for ``n >= 2``, ``sqrt(2 n/(n-1)) <= 2`` and ``7 n / (3 (n - 1)) <= 14/3``;
the sum of ``1/(n (n + 1))`` over ``n`` is 1 (a union over counts), and ``n = 1`` gives ``c2 L >= 1`` (the whole
simplex). The constants are named parameters.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from mdptheory import backends, mutants
from mdptheory.validation import check_real

from ._kernels import box_simplex  # noqa: F401  (registers the kernels)
from .iteration import IterationOptions, Sweep, certified_iteration
from .result import PlanningResult, check_backend, check_max_iter, check_tol
from .ssp import SSPBracket, almost_sure_region, goal_mask

__all__ = ["ssp_extended_value_iteration", "bernstein_box", "bernstein_width", "empirical_box", "inner_minimum", "BERNSTEIN_C1",
           "BERNSTEIN_C2", "BERNSTEIN_C3"]

#: Default constants of :func:`bernstein_box` (valid coverage, see the module docstring) [D].
BERNSTEIN_C1, BERNSTEIN_C2, BERNSTEIN_C3 = 2.0, 14.0 / 3.0, 4.0
_ATOL = 1e-9
#: Probability mass below which a box is taken not to reach (or not to be forced into) a set of states.
_MASS = 1e-12

NO_VARIANCE = mutants.register("evi-ssp", "bernstein-no-variance",
                               "the empirical-Bernstein width without its variance term sqrt(p(1-p) L / n)")
N_NOT_SQRT = mutants.register("evi-ssp", "bernstein-n-not-sqrt",
                              "the variance term divided by n instead of sqrt(n): sqrt(p(1-p) L) / n")
UNVISITED_PESSIMISTIC = mutants.register("evi-ssp", "unvisited-pessimistic",
                                         "never-visited pairs get the self-loop {delta_s} instead of the whole simplex")
POUR_DESCENDING = mutants.register("evi-ssp", "pour-descending",
                                   "the inner minimum pours the free mass onto the largest values first (a max)")
GOAL_NOT_PINNED = mutants.register("evi-ssp", "goal-not-pinned",
                                   "the goal states' optimistic values are not pinned at 0")
UPPER_END = mutants.register("evi-ssp", "upper-end",
                             "the returned values are the bracket's upper end T V + hi instead of its midpoint")


def _counts(transitions: Any) -> np.ndarray:
    N = np.asarray(transitions)
    if N.ndim != 3 or N.shape[0] < 1 or N.shape[1] < 1 or N.shape[2] != N.shape[0]:
        raise ValueError(f"transitions must be an (S, A, S) array of counts N(s, a, s'), got shape {N.shape}")
    if N.dtype.kind not in "iu":
        Nf = np.asarray(N, dtype=float)
        if not np.all(np.isfinite(Nf)) or np.any(Nf != np.round(Nf)):
            raise ValueError("transitions must hold non-negative integer counts N(s, a, s'); got non-integers")
        N = Nf.astype(np.int64)
    if N.size and N.min() < 0:
        raise ValueError(f"transitions must hold non-negative counts, got {int(N.min())}")
    return N


def bernstein_width(row_counts: np.ndarray, n: np.ndarray, S: int, A: int, delta: float, c1: float = BERNSTEIN_C1,
                    c2: float = BERNSTEIN_C2, c3: float = BERNSTEIN_C3) -> np.ndarray:
    """Entrywise widths ``beta`` of the module docstring for count rows ``row_counts (..., S)`` with totals
    ``n (..., 1)`` (``n = 0`` is treated as ``n = 1``: a width ``c2 L >= 1``, the whole simplex). No argument checks:
    callers validate (:func:`bernstein_box`, :class:`solvers.collection.AdaptiveModelEstimation`)."""
    nn = np.maximum(n, 1.0)
    p = row_counts / nn
    L = np.log(c3 * S * S * A * nn * (nn + 1.0) / delta)
    var = p * (1.0 - p)
    if N_NOT_SQRT.active:
        width = c1 * np.sqrt(var * L) / nn
    else:
        width = c1 * np.sqrt(var * L / nn)
    if NO_VARIANCE.active:
        width = np.zeros_like(width)
    return width + c2 * L / nn


def bernstein_box(transitions: Any, delta: float, c1: float = BERNSTEIN_C1, c2: float = BERNSTEIN_C2,
                  c3: float = BERNSTEIN_C3) -> tuple[np.ndarray, np.ndarray]:
    """Entrywise empirical-Bernstein confidence boxes ``(lower, upper)``, each ``(S, A, S)``, from transition counts
    ``transitions[s, a, s']`` (see the module docstring for the width and its coverage). Never-visited pairs get
    ``lower = 0``, ``upper = 1`` (the whole simplex: optimism)."""
    N = _counts(transitions)
    delta = check_real(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
    for v, name in ((c1, "c1"), (c2, "c2"), (c3, "c3")):
        check_real(v, name, low=0.0, low_open=(name == "c3"))
    S, A, _ = N.shape
    n = N.sum(axis=2, keepdims=True).astype(float)
    p = N / np.maximum(n, 1.0)
    width = bernstein_width(N, n, S, A, delta, c1, c2, c3)
    lower, upper = np.clip(p - width, 0.0, 1.0), np.clip(p + width, 0.0, 1.0)
    unvisited = n[..., 0] == 0
    if UNVISITED_PESSIMISTIC.active:
        loop = np.broadcast_to(np.eye(S)[:, None, :], (S, A, S))
        lower[unvisited] = upper[unvisited] = loop[unvisited]
    else:
        lower[unvisited], upper[unvisited] = 0.0, 1.0
    return lower, upper


def empirical_box(transitions: Any) -> tuple[np.ndarray, np.ndarray]:
    """The singleton sets ``{p_hat(.|s, a)}`` (``lower = upper = p_hat``); never-visited pairs are self-loops:
    the model of GOSPRL without optimism (Tarbouriech et al. 2021's baseline as the spec describes it)."""
    N = _counts(transitions)
    S, A, _ = N.shape
    n = N.sum(axis=2, keepdims=True)
    p = N / np.maximum(n, 1)
    unvisited = n[..., 0] == 0
    p[unvisited] = np.broadcast_to(np.eye(S)[:, None, :], (S, A, S))[unvisited]
    return p, p.copy()


def _check_rows(lo: np.ndarray, hi: np.ndarray) -> None:
    """Every row ``(..., S)`` a non-empty box meeting the simplex: ``0 <= lo <= hi <= 1``, ``sum lo <= 1 <= sum hi``."""
    for arr, name in ((lo, "lower"), (hi, "upper")):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} has a non-finite entry")
        if arr.min() < 0.0 or arr.max() > 1.0:
            raise ValueError(f"{name} must lie in [0, 1] (probabilities), got range [{arr.min():.3g}, {arr.max():.3g}]")
    if np.any(lo > hi):
        i = tuple(int(j) for j in np.argwhere(lo > hi)[0])
        raise ValueError(f"lower{list(i)} = {lo[i]:.6g} exceeds upper = {hi[i]:.6g}: an empty box")
    lo_sum, hi_sum = lo.sum(axis=-1), hi.sum(axis=-1)
    bad = (lo_sum > 1.0 + _ATOL) | (hi_sum < 1.0 - _ATOL)
    if np.any(bad):
        i = tuple(int(j) for j in np.argwhere(bad)[0])
        raise ValueError(f"the box of row {list(i)} misses the simplex: sum(lower) = {lo_sum[i]:.6g}, "
                         f"sum(upper) = {hi_sum[i]:.6g}; need sum(lower) <= 1 <= sum(upper)")


def _check_box(lower: Any, upper: Any) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.asarray(lower, dtype=np.float64), np.asarray(upper, dtype=np.float64)
    if lo.ndim != 3 or lo.shape[2] != lo.shape[0] or lo.shape[0] < 1 or lo.shape[1] < 1:
        raise ValueError(f"lower must have shape (S, A, S), got {lo.shape}")
    if hi.shape != lo.shape:
        raise ValueError(f"upper must have the shape of lower {lo.shape}, got {hi.shape}")
    _check_rows(lo, hi)
    return lo, hi


def inner_minimum(lower: Any, upper: Any, V: Any, backend: str = "numba") -> tuple[np.ndarray, np.ndarray]:
    """``min_q q . V`` over each row's box ``[lower, upper]`` (rows ``(n, S)``) intersected with the simplex, and the
    minimisers ``q (n, S)``; the greedy pour of :mod:`solvers._kernels.box_simplex`."""
    lo, hi = np.atleast_2d(np.asarray(lower, np.float64)), np.atleast_2d(np.asarray(upper, np.float64))
    V = np.asarray(V, dtype=np.float64)
    if lo.ndim != 2 or hi.shape != lo.shape or V.shape != (lo.shape[1],):
        raise ValueError(f"lower, upper must be (n, S) and V (S,); got {lo.shape}, {hi.shape}, {V.shape}")
    if not np.all(np.isfinite(V)):
        raise ValueError("V must be finite")
    _check_rows(lo, hi)
    return backends.pick("ssp.box_simplex_min", check_backend(backend))(
        np.ascontiguousarray(lo), np.ascontiguousarray(hi), V, POUR_DESCENDING.active, True)


def ssp_extended_value_iteration(lower: Any, upper: Any, goal: Any, cost: Any = None, tol: float = 1e-8,
                                 max_iter: int | None = None, backend: str = "numba", strict: bool = False,
                                 check_every: int = 1, record_iterates: bool = False) -> PlanningResult:
    r"""Extended value iteration from ``h = 0`` for the optimistic SSP over box confidence sets.

    Parameters
    ----------
    lower, upper : array (S, A, S)
        Box ends of ``C(s, a)``; need ``0 <= lower <= upper <= 1`` and ``sum(lower) <= 1 <= sum(upper)`` per pair
        (:func:`bernstein_box`, :func:`empirical_box`; singletons ``lower = upper = P`` give the exact SSP of ``P``).
    goal : state indices or boolean mask (S,)
    cost : array (S, A), optional
        Positive finite costs (default: unit costs, so values are optimistic expected hitting times).
    tol : float
        Certified sup-norm error of the returned values on the finite states (the :class:`SSPBracket`
        half-width: ``T V <= h~ <= V / (1 - rho)``).
    max_iter : int, optional
        Check sweeps allowed (default ``10**6``).
    check_every : int
        Operator applications per certificate check (the loop's ``advance`` applies ``check_every - 1`` more in
        Numba between checks; 1 checks every sweep).
    record_iterates : bool
        Keep every checked iterate ``T^k 0`` (the raw VI iterates, before the midpoint shift) in
        ``extra["iterates"]`` ``(k, S)``: with ``check_every = 1`` these are all iterates, each ``<= h*`` when the
        sets contain the true kernel.

    Returns
    -------
    PlanningResult
        ``V`` = bracket midpoint (``inf`` where no kernel of the sets reaches the goal almost surely, 0 on the
        goal), ``policy`` greedy for the last iterate (actions of the extended MDP's first component),
        ``extra["lower_bound"]`` = the last ``T V`` and ``extra["upper_bound"]`` (the certified bracket
        ``lower_bound <= h~ <= upper_bound``), ``extra["region"]``, ``extra["sweeps"]``.
    """
    t0 = time.perf_counter()
    backend = check_backend(backend)
    tol = check_tol(tol)
    max_iter = check_max_iter(max_iter) or 10**6
    check_every = int(check_max_iter(check_every, "check_every"))
    lo, hi = _check_box(lower, upper)
    S, A, _ = lo.shape
    g = goal_mask(goal, S)
    c = np.ones((S, A)) if cost is None else np.array(cost, dtype=np.float64)
    if c.shape != (S, A) or not np.all(np.isfinite(c)) or (c <= 0).any():
        raise ValueError(f"cost must be a finite positive (S, A) = ({S}, {A}) array (SSP needs c > 0), got shape {c.shape}")
    return _extended_vi(lo, hi, g, c, tol, max_iter, backend, strict, check_every, record_iterates, t0)


def _extended_vi(lo: np.ndarray, hi: np.ndarray, g: np.ndarray, c: np.ndarray, tol: float, max_iter: int,
                 backend: str, strict: bool, check_every: int, record_iterates: bool,
                 t0: float | None = None) -> PlanningResult:
    """:func:`ssp_extended_value_iteration` on validated arguments (the collection loop calls it once per plan)."""
    t0 = time.perf_counter() if t0 is None else t0
    S, A, _ = lo.shape
    lo_flat, hi_flat = lo.reshape(S * A, S), hi.reshape(S * A, S)
    # a kernel of the box can put min(sum_mask upper, 1 - sum_outside lower) on a set of states, and must put
    # max(sum_outside lower, 1 - sum_inside upper) outside a set; masses below _MASS count as zero
    allowed, region = almost_sure_region(
        S, A, g,
        can_hit=lambda mask: (np.minimum(hi_flat @ mask, 1.0 - lo_flat @ ~mask) > _MASS).reshape(S, A),
        must_leave=lambda inside: (np.maximum(lo_flat @ ~inside, 1.0 - hi_flat @ inside) > _MASS).reshape(S, A))
    # mass may only go where the values are finite: restrict the upper ends to the region (allowed rows keep a
    # feasible box: no forced mass outside and enough room inside)
    hi_in = np.ascontiguousarray(np.where(region[None, :], hi_flat, 0.0))
    hi_in = np.maximum(hi_in, lo_flat)
    lo_c = np.ascontiguousarray(lo_flat)
    cost_eff = np.where(allowed, c, np.inf)
    pinned = (g if not GOAL_NOT_PINNED.active else np.zeros(S, dtype=bool)) | ~region
    sweeps_fn = backends.pick("ssp.evi_sweeps", backend)
    desc = POUR_DESCENDING.active
    iterates: list[np.ndarray] = []

    def sweep(h: np.ndarray) -> Sweep:
        TV, greedy = sweeps_fn(lo_c, hi_in, cost_eff, h, pinned, desc, 1)
        if record_iterates:
            iterates.append(TV.copy())
        return Sweep(TV, None, greedy)

    def advance(TV: np.ndarray, greedy: Any) -> int:
        if check_every > 1:
            nxt, _ = sweeps_fn(lo_c, hi_in, cost_eff, TV, pinned, desc, check_every - 1)
            TV[:] = nxt
            if record_iterates:
                iterates.append(TV.copy())
        return check_every - 1

    c_fin = c[allowed] if allowed.any() else np.ones(1)
    br_fn = SSPBracket(S, float(c_fin.min()), float(c_fin.max()))
    opts = IterationOptions(tol=tol, max_iter=max_iter, strict=strict)
    out = certified_iteration(sweep, np.zeros(S), br_fn, opts, advance=advance,
                              name="ssp_extended_value_iteration", t_start=t0)
    br = out.bracket
    TV = out.sweep.TV
    h = TV + (br.hi if UPPER_END.active else br.shift)
    h[g & region] = 0.0
    h[~region] = np.inf
    lower_bound = np.where(region, TV, np.inf)
    upper_bound = np.where(region, TV + br.hi, np.inf)
    upper_bound[g & region] = 0.0
    extra = dict(sweeps=out.sweeps, certificate="ssp-bracket", lower_bound=lower_bound, upper_bound=upper_bound,
                 region=region)
    if record_iterates:
        extra["iterates"] = np.array(iterates).reshape(len(iterates), S)
    return PlanningResult(V=h, Q=np.empty((0, 0)), policy=np.array(out.sweep.greedy, dtype=np.int64),
                          iterations=out.iterations, residual=br.residual, error_bound=br.half_width,
                          converged=out.converged, status=out.status, wall_time=time.perf_counter() - t0,
                          method="ssp_extended_value_iteration", backend=backend, extra=extra,
                          params=dict(tol=tol, max_iter=max_iter, check_every=check_every))
