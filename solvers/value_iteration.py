"""Discounted value iteration (Jacobi and Gauss-Seidel) with a certified stopping rule."""
from __future__ import annotations

import time
from typing import Any, Callable

from . import _kernels as K
from .brackets import MacQueen
from .iteration import BellmanSweep, IterationOptions, Sweep, certified_iteration, initial_V, iteration_scale, midpoint_result
from .reorder import with_reordering
from .result import PlanningResult, check_backend, discount_of

METHODS = ("jacobi", "gauss-seidel")


def value_iteration(
    mdp: Any,
    tol: float = 1e-8,
    max_iter: int | None = None,
    method: str = "jacobi",
    backend: str = "numba",
    V0: Any = None,
    trace: bool | str = False,
    callback: Callable[[int, float, float], Any] | None = None,
    timeout: float | None = None,
    strict: bool = False,
    reorder: str | None = None,
) -> PlanningResult:
    r"""Value iteration stopped on the MacQueen bracket; returns the bracket midpoint.

    Each iteration applies the Bellman optimality operator
    :math:`(TV)(s) = \max_a R(s,a) + \gamma \sum_{s'} P(s'|s,a) V(s')` (Bellman 1957; Puterman 1994,
    section 6.3). From ``d = T V_k - V_k`` the MacQueen (1966) bracket (Puterman 1994, section 6.6)
    gives, componentwise,
    ``T V_k + gamma min(d)/(1-gamma) <= V* <= T V_k + gamma max(d)/(1-gamma)``; iteration stops when its
    half-width ``gamma span(d) / (2 (1-gamma))`` is ``<= tol`` and the midpoint is returned. This never
    stops later than the sup-norm rule at equal certified accuracy, and on fast-mixing MDPs it stops
    after a handful of sweeps (measured 6 instead of 1,367 on a random S=500 MDP,
    software_anchors.md section 4.1).

    Parameters
    ----------
    mdp : mdptheory.FiniteMDP
        Discounted MDP, ``P[s, a, s']`` dense ``(S, A, S)`` or CSR ``(S*A, S)``, ``R (S, A)``,
        ``gamma in [0, 1)``. ``gamma = 1`` / ``None`` raise ``ValueError`` (see
        :func:`solvers.backward_induction`, :func:`solvers.relative_value_iteration`).
    tol : float
        Certified sup-norm error on the returned ``V`` (and ``Q``): ``||V - V*||_inf <= tol`` when
        ``converged``. Not a bound on successive differences.
    max_iter : int, optional
        Maximum number of iterations, respected exactly. Default: the number after which the sup-norm
        certificate is guaranteed below ``tol`` in exact arithmetic,
        ``log(tol (1-gamma) / scale) / log(gamma)`` with ``scale = r_max + (1+gamma)||V0||``, plus 10.
    method : {"jacobi", "gauss-seidel"}
        ``"jacobi"``: one synchronous sweep per iteration. ``"gauss-seidel"``: one in-place sweep in
        state order followed by the Jacobi sweep that yields the bracket (a Gauss-Seidel sweep does not
        compute ``T V``), so each iteration costs two sweeps; ``extra["sweeps"]`` counts them.
    backend : {"numba", "numpy"}
    V0 : ndarray (S,), optional
        Starting point (default zeros).
    trace : bool or "V"
        Record per-iteration ``residual``, ``error_bound`` (bracket half-width), ``supnorm_bound``;
        ``"V"`` also records the midpoints ``(iterations, S)``.
    callback : callable ``(iteration, residual, error_bound) -> bool``, optional
        Called after every unsuccessful check; returning ``True`` stops with status ``"callback"``.
    timeout : float, optional
        Wall-clock seconds after which iteration stops with status ``"timeout"``.
    strict : bool
        Raise :class:`solvers.result.NotConvergedError` instead of warning when not converged.
    reorder : {None, "rcm"}
        ``"rcm"``: relabel the states by reverse Cuthill-McKee once, plan on the relabelled model and return
        the result in the original labels (:mod:`solvers.reorder`; helps a large sparse model whose states
        are numbered without locality, not a random one).

    Returns
    -------
    PlanningResult
        ``V (S,)`` bracket midpoint, ``Q (S, A)`` shifted alike, ``policy (S,)`` greedy for the last
        iterate, ``error_bound`` = half-width, ``residual = ||T V_k - V_k||``. ``extra``:
        ``V_lower``/``V_upper`` ``(S,)`` (the bracket), ``supnorm_bound`` (``gamma/(1-gamma)||T V_k - V_k||``,
        the classical certificate of the plain iterate ``T V_k``), ``policy_gap_bound``
        (``||V* - V^policy|| <= gamma span(d)/(1-gamma)``), ``sweeps``.

    Examples
    --------
    >>> import numpy as np, mdptheory, solvers
    >>> P = np.array([[[0.9, 0.1], [0.1, 0.9]], [[0.5, 0.5], [0.0, 1.0]]])
    >>> mdp = mdptheory.FiniteMDP(P, np.array([[0.0, 0.1], [1.0, 0.5]]), gamma=0.9)
    >>> res = solvers.value_iteration(mdp, tol=1e-10)
    >>> res.converged, res.error_bound <= 1e-10, res.policy.tolist()
    (True, True, [1, 0])
    """
    if reorder is not None:  # relabel the states once, plan, relabel back (solvers.reorder)
        return with_reordering(value_iteration, mdp, reorder, tol=tol, max_iter=max_iter, method=method,
                               backend=backend, V0=V0, trace=trace, callback=callback, timeout=timeout, strict=strict)
    t0 = time.perf_counter()
    gamma = discount_of(mdp, "value_iteration")
    backend = check_backend(backend)
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    V = initial_V(V0, mdp.S)
    opts = IterationOptions.discounted(gamma, iteration_scale(mdp.R, V, gamma), tol, max_iter, trace=trace,
                                       callback=callback, timeout=timeout, strict=strict)
    sweep = BellmanSweep(mdp.P_flat, mdp.R, gamma, backend)
    if method == "gauss-seidel":
        jacobi = sweep

        def sweep(V_: Any) -> Sweep:  # a Gauss-Seidel pass in place, then the Jacobi sweep that certifies
            K.gauss_seidel_sweep(mdp.P_flat, mdp.R, V_, gamma, backend)
            return jacobi(V_)._replace(sweeps=2)

    name = f"value_iteration[{method}]"
    out = certified_iteration(sweep, V, MacQueen.of_bellman(mdp.P, gamma, backend), opts, name=name,
                              t_start=t0)
    return midpoint_result(out, method=name, backend=backend,
                           params=dict(tol=opts.tol, max_iter=opts.max_iter, method=method))
