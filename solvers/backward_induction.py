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
