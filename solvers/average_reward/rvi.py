"""Relative value iteration with the aperiodicity transform, run through the one certified loop."""
from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp

from mdptheory import mutants
from mdptheory.structure import average_reward_model

from .. import _kernels as K
from ..iteration import BellmanSweep, IterationOptions, Sweep, certified_iteration, initial_V
from ..result import check_backend, check_max_iter, check_tol
from .result import AverageRewardResult, GainBracket

__all__ = ["relative_value_iteration", "DEFAULT_MAX_ITER"]

#: Default cap on sweeps; the span contraction rate of RVI depends on the model (no a-priori count).
DEFAULT_MAX_ITER = 100_000

NO_APERIODICITY = mutants.register("rvi", "no-aperiodicity",
                                   "RVI without the aperiodicity transform (tau = 1): oscillates on periodic chains")
BIAS_SCALE = mutants.register("rvi", "bias-scale",
                              "the relative values scaled back by 1/tau instead of tau: h off by a factor 1/tau^2")


def _row_terms(P_flat: Any) -> int:
    """Longest sum in one ``(P V)(s, a)``: the most nonzeros of a row (``S`` when dense)."""
    if sp.issparse(P_flat):
        return int(np.diff(P_flat.indptr).max(initial=1))
    return int(P_flat.shape[1])


def relative_value_iteration(
    mdp: Any,
    tol: float = 1e-8,
    max_iter: int | None = None,
    tau: float = 0.5,
    ref_state: int = 0,
    backend: str = "numba",
    V0: Any = None,
    trace: bool = False,
    callback: Callable[[int, float, float], Any] | None = None,
    timeout: float | None = None,
    strict: bool = False,
) -> AverageRewardResult:
    r"""Relative value iteration (White 1963; Puterman 1994, section 8.5.5) with a certified gain interval.

    Each sweep applies the optimality operator of the **aperiodicity transform** (Schweitzer 1971; Puterman
    1994, section 8.5.4) ``P_tau = tau P + (1 - tau) I`` with the rewards unchanged,
    ``(T V)(s) = max_a [R(s, a) + tau P(s, a) V] + (1 - tau) V(s)``: every policy keeps its stationary laws,
    hence its gain, and every chain becomes aperiodic, so the iteration converges on periodic models too. After
    each failed check the iterate is normalised, ``V <- T V - (T V)[ref_state]``.

    Certificate (the span bracket, Puterman 1994, Thm 8.5.5; Odoni 1969): with ``d = T V - V``,
    ``min d <= g*(s) <= max d`` for every state, widened by the rounding of ``d``
    (:class:`~solvers.average_reward.result.GainBracket`). Iteration stops when the half-width
    ``span(d) / 2 <= tol``; the greedy policy then has ``g* - g^policy <= span(d)`` (since
    ``g^pi >= min(T^pi V - V)`` and ``T^pi V = T V``).

    Parameters
    ----------
    mdp : mdptheory.FiniteMDP
        Average-reward model (``gamma=None``), dense or CSR. The bracket always holds; convergence needs a
        weakly communicating model (constant optimal gain).
    tol : float
        Certified ``|gain - g*|`` at convergence.
    max_iter : int, optional
        Sweeps, respected exactly (default :data:`DEFAULT_MAX_ITER`).
    tau : float in (0, 1]
        Aperiodicity transform weight; ``tau = 1`` is plain RVI (may oscillate on periodic models).
    ref_state : int
        State whose relative value is pinned at 0.
    backend, V0, trace, callback, timeout, strict
        As in :func:`solvers.value_iteration`. ``trace=True`` also records ``gain_lower``/``gain_upper``.

    Returns
    -------
    AverageRewardResult
        ``gain``, ``gain_lower``, ``gain_upper``; ``V`` = relative values ``h`` of the original model (the
        transform scales them by ``1/tau``; they are scaled back), ``h[ref_state] = 0``; ``Q = R + P h``;
        ``policy`` greedy for the last iterate; ``policy_gap_bound = gain_upper - gain_lower``.

    Examples
    --------
    >>> import numpy as np, mdptheory, solvers
    >>> P = np.array([[[0.0, 1.0]], [[1.0, 0.0]]])            # a periodic two-state cycle
    >>> res = solvers.relative_value_iteration(mdptheory.FiniteMDP(P, np.array([[1.0], [0.0]])), tol=1e-10)
    >>> res.converged, round(float(res.gain), 8)
    (True, 0.5)
    """
    t0 = time.perf_counter()
    mdp = average_reward_model(mdp, "relative_value_iteration")
    backend = check_backend(backend)
    tol = check_tol(tol)
    max_iter = check_max_iter(max_iter)
    max_iter = DEFAULT_MAX_ITER if max_iter is None else max_iter
    if isinstance(tau, bool) or not isinstance(tau, (int, float, np.floating)) or not 0.0 < float(tau) <= 1.0:
        raise ValueError(f"tau must lie in (0, 1] (the aperiodicity transform weight; 0.5 is standard), got {tau!r}")
    tau = 1.0 if NO_APERIODICITY.active else float(tau)
    if isinstance(ref_state, bool) or not isinstance(ref_state, (int, np.integer)) or not 0 <= ref_state < mdp.S:
        raise ValueError(f"ref_state must be a state index in 0..{mdp.S - 1}, got {ref_state!r}")
    V = initial_V(V0, mdp.S)
    opts = IterationOptions(tol=tol, max_iter=max_iter, trace=trace, callback=callback, timeout=timeout,
                            strict=strict)
    bellman = BellmanSweep(mdp.P_flat, mdp.R, tau, backend)

    def sweep(V_: np.ndarray) -> Sweep:
        sw = bellman(V_)                 # max_a R + tau P V, written into a buffer that is not V_
        TV = sw.TV
        TV += (1.0 - tau) * V_           # the transform's self-loop; the greedy action is unchanged
        return sw

    def normalise(TV: np.ndarray, greedy: Any) -> int:
        TV -= TV[ref_state]
        return 0

    bracket = GainBracket(terms=_row_terms(mdp.P_flat), r_max=mdp.r_max, record=bool(trace))
    out = certified_iteration(sweep, V, bracket, opts, advance=normalise, name="relative_value_iteration",
                              t_start=t0)
    br = out.bracket
    # relative values of the original model: the transformed iterate is h / tau
    h = (out.V - out.V[ref_state]) / tau if BIAS_SCALE.active else tau * (out.V - out.V[ref_state])
    policy = np.array(out.sweep.greedy, dtype=np.int64)
    Q = K.bellman_q(mdp.P_flat, mdp.R, h, 1.0, backend)[0].copy()
    tr = out.trace
    if tr is not None:
        tr = dict(tr, gain_lower=np.array(bracket.lower), gain_upper=np.array(bracket.upper))
    return AverageRewardResult(
        V=h, Q=Q, policy=policy, iterations=out.iterations, residual=br.hi - br.lo, error_bound=br.half_width,
        converged=out.converged, status=out.status, wall_time=time.perf_counter() - t0,
        method="relative_value_iteration", backend=backend, trace=tr,
        extra=dict(policy_gap_bound=br.hi - br.lo, sweeps=out.sweeps, certificate="span-bracket"),
        params=dict(tol=tol, max_iter=max_iter, tau=tau, ref_state=int(ref_state)),
        gain=0.5 * (br.lo + br.hi), gain_lower=br.lo, gain_upper=br.hi,
    )
