"""Robust dynamic programming: nature's worst-case response and robust planners (see docs/robust.md).

- :func:`worst_case` / :func:`worst_case_rows`: the inner problem for TV / KL / chi-square sets,
  constrained (``TV(rho)``) or regularized (``TV(lam=...)``), with the minimizing distribution.
- :func:`robust_backward_induction` (episodic; ``"sa"`` tabular or ``"d"``-rectangular linear),
  :func:`robust_value_iteration` (discounted, ``"sa"``), :func:`robust_policy_evaluation`
  (also ``"s"``-rectangular, via :func:`s_rectangular_rows`).
"""
from .inner import s_rectangular_rows, worst_case, worst_case_rows
from .planners import robust_backward_induction, robust_policy_evaluation, robust_value_iteration

__all__ = [
    "worst_case", "worst_case_rows", "robust_backward_induction", "robust_value_iteration",
    "robust_policy_evaluation", "s_rectangular_rows",
]
from .policy_regularized import policy_regularized_dp, policy_regularized_evaluation  # noqa: E402

__all__ += ["policy_regularized_dp", "policy_regularized_evaluation"]
