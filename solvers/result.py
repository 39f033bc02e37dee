"""The frozen result object returned by every exact planner, and the shared argument checks."""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from mdptheory.backends import BACKENDS, check_backend  # noqa: F401  (re-exported: planners import them here)

#: Status strings a planner may report in :attr:`PlanningResult.status`.
STATUSES = ("converged", "max_iter", "timeout", "callback", "inaccurate", "exact")


class ConvergenceWarning(UserWarning):
    """Issued when a planner stops before its certificate reaches ``tol``."""


class NotConvergedError(RuntimeError):
    """Raised instead of :class:`ConvergenceWarning` when a planner is called with ``strict=True``."""


@dataclass(frozen=True, eq=False)
class PlanningResult:
    r"""Outcome of an exact planner, with its certificate.

    Attributes
    ----------
    V : ndarray
        Discounted: ``(S,)``, ``V[s]`` estimate of :math:`V^*(s)` (or :math:`V^\pi(s)` for
        :func:`solvers.policy_evaluation`). Episodic: ``(H+1, S)``, ``V[h, s]`` value-to-go from stage
        ``h`` (0-based) with ``V[H] = 0``.
    Q : ndarray
        Discounted ``(S, A)``; episodic ``(H, S, A)``. Consistent with ``V``: ``V = max_a Q`` for
        optimal planners, ``V = sum_a pi(a|s) Q`` for policy evaluation.
    policy : ndarray
        Optimal planners: deterministic greedy policy, int64 ``(S,)`` or ``(H, S)``. Policy evaluation:
        the evaluated policy as given (int ``(S,)``/``(H, S)`` or stochastic ``(S, A)``/``(H, S, A)``).
    iterations : int
        Outer iterations (VI: sweeps; PI/MPI: improvement steps; LP: HiGHS iterations; episodic: ``H``).
    residual : float
        Sup-norm Bellman residual ``||T V_k - V_k||_inf`` of the last iterate ``V_k`` the certificate
        was computed from (``T`` = optimality operator, or ``T^pi`` for policy evaluation). ``0.0`` for
        the episodic recursions, which are exact by construction.
    error_bound : float
        Certified bound on ``||V - V*||_inf`` (or ``||V - V^pi||_inf``) for the returned ``V``, valid in
        floating point: it includes a bound on the rounding of the sweep or evaluation it was computed
        from (``extra["rounding_bound"]``, about ``(n + 2) eps ||V|| / (1 - gamma)`` for rows of ``n``
        entries; see :mod:`solvers.brackets`). ``extra["Q_error_bound"]`` bounds ``||Q - Q*||_max``
        (larger only when ``Q`` has entries much larger in magnitude than ``V``, e.g. a penalty reward
        for an infeasible action). ``converged`` means ``error_bound <= tol``.
    converged : bool
    status : str
        One of ``"converged"``, ``"max_iter"``, ``"timeout"``, ``"callback"`` (the callback asked to
        stop), ``"inaccurate"`` (the planner finished but its certificate exceeds ``tol``: ``tol`` is below
        what float64 can certify at the scale of ``V``, or PI/LP's a-posteriori bound exceeds it; the
        :attr:`message` states the attainable bound), ``"exact"`` (episodic recursions).
    wall_time : float
        Seconds spent in the planner (``time.perf_counter``), including Numba dispatch, not compilation
        caches loaded at import.
    method : str
    backend : str
        ``"numba"`` or ``"numpy"``.
    trace : dict of ndarray or None
        When requested: per-iteration ``"residual"``, ``"error_bound"`` (bracket half-width),
        ``"supnorm_bound"`` and, with ``trace="V"``, ``"V"`` ``(iterations, S)``.
    extra : dict
        Method-specific diagnostics, documented per planner, e.g. ``"V_lower"``/``"V_upper"`` (the
        MacQueen bracket, ``(S,)``), ``"policy_gap_bound"`` (certified ``||V* - V^policy||_inf``),
        ``"supnorm_bound"`` and ``"occupancy"`` (LP).
    params : dict
        The parameters the planner ran with (``tol``, the resolved ``max_iter``, ...), for provenance.

    Notes
    -----
    Every result of the suite (this one, :class:`solvers.learners.Trace` and
    :class:`solvers.offline.OfflineResult`) shares the fields ``policy``, ``method``, ``params``,
    ``wall_time`` and a human-readable :attr:`message` (like SciPy's ``OptimizeResult.message``).
    """

    V: np.ndarray
    Q: np.ndarray
    policy: np.ndarray
    iterations: int
    residual: float
    error_bound: float
    converged: bool
    status: str
    wall_time: float
    method: str
    backend: str
    trace: dict | None = None
    extra: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The certificate is about these numbers: every array of the result (the brackets in ``extra`` and
        # the ``trace`` included) is read-only, so no later code edits what was certified.
        arrays = [self.V, self.Q, self.policy, *self.extra.values(), *(self.trace or {}).values()]
        for arr in arrays:
            if isinstance(arr, np.ndarray):
                arr.flags.writeable = False

    @property
    def message(self) -> str:
        """One line saying how the planner stopped and what is certified."""
        what = {"converged": "converged", "exact": "exact recursion", "max_iter": "stopped at max_iter",
                "timeout": "stopped at the timeout", "callback": "stopped by the callback",
                "inaccurate": "finished, but the certificate exceeds tol"}.get(self.status, self.status)
        tol, rnd = self.params.get("tol"), self.extra.get("rounding_bound")
        if self.status == "inaccurate" and tol is not None and rnd is not None and (
                rnd > tol or self.extra.get("certificate") == "macqueen-bracket-midpoint"):
            # iterative planners stop "inaccurate" only at the rounding floor (solvers.iteration)
            what = (f"tol {tol:.3g} is below what float64 can certify here (attainable bound "
                    f"{self.error_bound:.3g}, of which rounding {rnd:.3g}); stopped")
        return (f"{self.method}: {what} after {self.iterations} iterations; ||V - V*||_inf <= "
                f"{self.error_bound:.3g} (residual {self.residual:.3g}) in {self.wall_time:.3g} s")

    @property
    def policy_gap_bound(self) -> float:
        """Certified bound on ``||V* - V^policy||_inf`` for the returned policy (``inf`` if unknown)."""
        return float(self.extra.get("policy_gap_bound", math.inf))

    def __repr__(self) -> str:  # arrays are long; show the certificate instead
        return (
            f"PlanningResult(method={self.method!r}, backend={self.backend!r}, status={self.status!r}, "
            f"iterations={self.iterations}, residual={self.residual:.3g}, "
            f"error_bound={self.error_bound:.3g}, wall_time={self.wall_time:.3g}s, V.shape={self.V.shape})"
        )


# ----------------------------------------------------------------------------------------------
# argument checks shared by the planners
# ----------------------------------------------------------------------------------------------

def check_tol(tol: float) -> float:
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.integer, np.floating)):
        raise TypeError(f"tol must be a positive float, got {tol!r}")
    tol = float(tol)
    if not (tol > 0 and math.isfinite(tol)):
        raise ValueError(f"tol must be a positive finite float (a certified sup-norm error on V), got {tol}")
    return tol


def check_seconds(value: Any, name: str = "timeout") -> float | None:
    """``None`` or a number of seconds ``>= 0`` (``inf`` allowed; 0 stops after the first check), with an error
    naming ``name`` otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number of seconds or None, got {value!r}")
    value = float(value)
    if not value >= 0:  # also NaN
        raise ValueError(f"{name} must be a number of seconds >= 0 (or None for no limit), got {value}")
    return value


def check_nonnegative(value: Any, name: str) -> float | None:
    """``None`` or a finite number ``>= 0``, with an error naming ``name`` otherwise."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number or None, got {value!r}")
    value = float(value)
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(f"{name} must be a finite number >= 0 (or None for the default), got {value}")
    return value


def check_max_iter(max_iter: Any, name: str = "max_iter") -> int | None:
    if max_iter is None:
        return None
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)):
        raise TypeError(f"{name} must be an int >= 1 or None (derived default), got {max_iter!r}")
    if max_iter < 1:
        raise ValueError(f"{name} must be >= 1, got {max_iter}")
    return int(max_iter)


def discount_of(mdp: Any, solver: str) -> float:
    """Return ``mdp.gamma`` as a float in ``[0, 1)`` or raise, pointing to the right solver."""
    if not all(hasattr(mdp, f) for f in ("P", "R", "gamma")):
        hint = (" (an EpisodicMDP: use solvers.backward_induction or solvers.policy_evaluation)"
                if hasattr(mdp, "H") else "")
        raise TypeError(f"{solver} needs a discounted mdptheory.FiniteMDP, got {type(mdp).__name__}{hint}")
    gamma = mdp.gamma
    if gamma is None or not (0.0 <= float(gamma) < 1.0):
        raise ValueError(
            f"{solver} solves discounted MDPs and needs gamma in [0, 1), got gamma={gamma}. "
            "For gamma = 1 with a finite horizon use solvers.backward_induction on an EpisodicMDP "
            "(EpisodicMDP.stationary(P, R, H)); for the average-reward criterion (gamma=None) use "
            "solvers.relative_value_iteration."
        )
    return float(gamma)


def default_max_iter(gamma: float, tol: float, scale: float) -> int:
    r"""Sweeps after which the sup-norm certificate is guaranteed ``<= tol`` in exact arithmetic.

    With ``V_0`` given, ``||T V_k - V_k|| <= gamma^k ||T V_0 - V_0|| <= gamma^k * scale`` and the
    bracket half-width is at most ``gamma/(1-gamma) ||T V_k - V_k||``; solving
    ``gamma^(k+1) scale / (1 - gamma) <= tol`` for ``k`` gives the cap. ``scale`` is
    ``r_max + (1 + gamma) ||V_0||_inf``. The result is clamped to ``[10, 10**7]`` plus a margin of 10
    sweeps for rounding; the cap is a safety net, never silently changed once the user gives one.
    """
    if scale <= 0 or gamma == 0.0:
        return 10
    k = math.log(tol * (1.0 - gamma) / scale) / math.log(gamma) - 1.0
    return int(min(max(math.ceil(k), 0) + 10, 10**7))


def finish(status: str, converged: bool, strict: bool, solver: str, detail: str, stacklevel: int = 3) -> None:
    """Warn (or raise under ``strict``) when a planner did not reach its tolerance.

    A stop requested by the user's callback is not a failure: no warning, ``converged`` stays False.
    """
    if converged or status == "callback":
        return
    msg = f"{solver} stopped with status {status!r} before reaching tol: {detail}"
    if strict:
        raise NotConvergedError(msg)
    warnings.warn(msg, ConvergenceWarning, stacklevel=stacklevel)


def make_trace(trace: Any) -> dict | None:
    if trace is False or trace is None:
        return None
    if trace is True or trace == "V":
        t = {"residual": [], "error_bound": [], "supnorm_bound": []}
        if trace == "V" and trace is not True:
            t["V"] = []
        return t
    raise ValueError(f"trace must be False, True or 'V' (also store V per iteration), got {trace!r}")


def freeze_trace(t: dict | None) -> dict | None:
    if t is None:
        return None
    return {k: np.asarray(v, dtype=np.int64 if k == "policy" else np.float64) for k, v in t.items()}


CallbackT = Callable[[int, float, float], Any]
