"""``solve(mdp)``: a sensible default planner."""
from __future__ import annotations

from typing import Any

from .backward_induction import backward_induction
from .modified_policy_iteration import modified_policy_iteration
from .policy_iteration import policy_iteration
from .result import PlanningResult

#: Dense MDPs with at most this many states are solved by policy iteration (a dense LU costs
#: ~S^3/3 flops, a few ms here, and PI is exact in a handful of iterations, whatever the mixing).
PI_MAX_STATES = 300


def solve(mdp: Any, tol: float = 1e-8, backend: str = "numba", **kwargs: Any) -> PlanningResult:
    """Solve an MDP with a default method chosen from its type and size.

    - ``EpisodicMDP`` -> :func:`solvers.backward_induction` (exact).
    - discounted ``FiniteMDP`` with ``S <= PI_MAX_STATES`` -> :func:`solvers.policy_iteration`
      (exact evaluation; robust to slow mixing, where the bracket shrinks only at rate ``gamma``).
    - otherwise -> :func:`solvers.modified_policy_iteration` with the MacQueen bracket (``m = 20``),
      dense or CSR. ``benchmarks/planners.py`` measures the choice against plain value iteration.

    ``tol`` is the certified sup-norm error on ``V`` (ignored for episodic MDPs, solved exactly);
    ``kwargs`` go to the chosen planner. The result's ``method`` names what ran, and
    ``result.policy_gap_bound`` certifies the returned policy.
    """
    if hasattr(mdp, "H") and not hasattr(mdp, "gamma"):
        return backward_induction(mdp, backend=backend, **kwargs)
    if mdp.S <= PI_MAX_STATES and not getattr(mdp, "is_sparse", False):
        return policy_iteration(mdp, tol=tol, backend=backend, **kwargs)
    kwargs.setdefault("m", 10)
    return modified_policy_iteration(mdp, tol=tol, backend=backend, **kwargs)
