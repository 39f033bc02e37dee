"""Backward induction for episodic (finite-horizon, stage-dependent) MDPs."""
from __future__ import annotations

import time
from typing import Any

from ._kernels.episodic import backward_induction_arrays
from .result import PlanningResult, check_backend


def backward_induction(mdp: Any, backend: str = "numba") -> PlanningResult:
    r"""Optimal values and a deterministic optimal policy of an ``EpisodicMDP`` (undiscounted).

    Dynamic programming over stages (Bellman 1957; Puterman 1994, section 4.5):
    ``V_H = 0``, ``Q_h(s,a) = R_h(s,a) + sum_s' P_h(s'|s,a) V_{h+1}(s')``, ``V_h = max_a Q_h``,
    ``h = H-1, ..., 0`` (the papers' ``h = H, ..., 1``). Exact in exact arithmetic; ``O(H S^2 A)``.
    The raw-array kernel :func:`solvers._kernels.episodic.backward_induction_arrays` is the same
    computation without a model object (for learners on estimated models).

    Parameters
    ----------
    mdp : mdptheory.EpisodicMDP
        ``P (H, S, A, S)``, ``R (H, S, A)``. For a discounted ``FiniteMDP`` with a horizon build
        ``EpisodicMDP.stationary(P, R, H)`` (discount folded into ``R`` if wanted).
    backend : {"numba", "numpy"}

    Returns
    -------
    PlanningResult
        ``V (H+1, S)`` with ``V[H] = 0``, ``Q (H, S, A)``, ``policy (H, S)`` int64 (lowest index on
        ties), ``iterations = H``, ``residual = error_bound = 0``, ``status = "exact"``.
        ``extra["value_mu0"]`` is ``mu0 . V[0]``.
    """
    t0 = time.perf_counter()
    backend = check_backend(backend)
    if not all(hasattr(mdp, f) for f in ("P", "R", "H")) or hasattr(mdp, "gamma"):
        raise TypeError(
            f"backward_induction needs an mdptheory.EpisodicMDP, got {type(mdp).__name__}; for a FiniteMDP "
            "use EpisodicMDP.stationary(mdp.dense_P(), mdp.R, H) or a discounted planner"
        )
    V, Q, pi = backward_induction_arrays(mdp.P, mdp.R, backend=backend)
    return PlanningResult(
        V=V, Q=Q, policy=pi, iterations=mdp.H, residual=0.0, error_bound=0.0, converged=True,
        status="exact", wall_time=time.perf_counter() - t0, method="backward_induction", backend=backend,
        extra={"value_mu0": float(mdp.mu0 @ V[0])},
    )


def finite_horizon(mdp: Any, H: int, gamma: float | None = None, V_terminal: Any = None,
                   backend: str = "numba") -> PlanningResult:
    r"""Optimal values and policy of a stationary ``FiniteMDP`` over ``H`` stages, discounted or not.

    ``V_H = V_terminal`` (default 0), ``Q_h = R + gamma P V_{h+1}``, ``V_h = max_a Q_h``, ``h = H-1, ..., 0``
    (Puterman 1994, section 4.5; QuantEcon's ``backward_induction(ddp, T, v_term)``). ``gamma`` defaults to
    the model's discount and may be 1 (a model built with ``gamma=None`` then needs ``gamma=1`` given).
    Infeasible actions (``R = -inf``) are never chosen. A sparse ``P`` is densified (``S^2 A`` floats).

    Returns
    -------
    PlanningResult
        ``V (H+1, S)``, ``Q (H, S, A)``, ``policy (H, S)`` int64 (the suite's tie rule), ``status="exact"``.
    """
    import numpy as np

    from mdptheory.validation import check_positive_int

    t0 = time.perf_counter()
    backend = check_backend(backend)
    if not all(hasattr(mdp, f) for f in ("P", "R", "gamma")):
        raise TypeError(f"finite_horizon needs a mdptheory.FiniteMDP, got {type(mdp).__name__} (an EpisodicMDP: "
                        "use solvers.backward_induction)")
    H = check_positive_int(H, "H")
    g = mdp.gamma if gamma is None else gamma
    if g is None:
        raise ValueError("the model has no discount (gamma=None): pass gamma=1.0 for the total reward over H stages")
    if isinstance(g, bool) or not isinstance(g, (int, float, np.integer, np.floating)) or not 0.0 <= float(g) <= 1.0:
        raise ValueError(f"gamma must be a number in [0, 1] (1: undiscounted), got {g!r}")
    V_term = None
    if V_terminal is not None:
        V_term = np.asarray(V_terminal, dtype=np.float64)
        if V_term.shape != (mdp.S,) or not np.all(np.isfinite(V_term)):
            raise ValueError(f"V_terminal must be a finite array of shape (S,) = ({mdp.S},), got {V_term.shape}")
    P = mdp.dense_P() if hasattr(mdp, "dense_P") else mdp.P
    V, Q, pi = backward_induction_arrays(float(g) * P, mdp.R, V_terminal=V_term, H=H, backend=backend)
    return PlanningResult(
        V=V, Q=Q, policy=pi, iterations=H, residual=0.0, error_bound=0.0, converged=True, status="exact",
        wall_time=time.perf_counter() - t0, method="finite_horizon", backend=backend,
        extra={"value_mu0": float(mdp.mu0 @ V[0])}, params={"H": H, "gamma": float(g)},
    )
