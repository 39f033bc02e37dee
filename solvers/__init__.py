"""Exact planners with certificates (NumPy reference + Numba kernels).

Every planner returns a frozen :class:`PlanningResult`; ``tol`` is a certified sup-norm error on ``V``.
See ``docs/planners.md``.
"""
from .backward_induction import backward_induction
from .learners import GreedyPosteriorMean, OPSRL, PSRL, UCBVI, Trace, check_learner, run as run_learner
from .linear_programming import linear_programming
from .modified_policy_iteration import modified_policy_iteration
from .offline import drpvi, drvi_l, pessimistic_lsvi, pevi, r2pvi
from .policy_evaluation import policy_evaluation
from .policy_iteration import policy_iteration
from .result import ConvergenceWarning, NotConvergedError, PlanningResult
from .robust import robust_backward_induction, robust_policy_evaluation, robust_value_iteration, worst_case
from .solve import solve
from .value_iteration import value_iteration

__all__ = [
    "PlanningResult", "ConvergenceWarning", "NotConvergedError", "value_iteration", "policy_iteration",
    "modified_policy_iteration", "linear_programming", "backward_induction", "policy_evaluation", "solve",
]
