"""Average-reward MDPs: exact planners with certified gain intervals, exact policy evaluation, and the
optimal-sample-complexity estimator of Wang, Blanchet & Glynn (2024) with its Jin-Sidford baseline.

Planners (all take a :class:`mdptheory.FiniteMDP` with ``gamma=None``):

- :func:`relative_value_iteration`: RVI with the aperiodicity transform, the span stopping rule and the
  certified gain interval, through :func:`solvers.iteration.certified_iteration`;
- :func:`average_reward_policy_iteration`: unichain Howard PI (a multichain model gets
  :class:`~mdptheory.markov.MultichainError`);
- :func:`average_reward_linear_programming`: the occupancy-measure LP (HiGHS).

Chain quantities (``t_mix``, ``t_minorize``, hitting times, classification) are model helpers in
:mod:`mdptheory.markov` and :mod:`mdptheory.structure`; shortest paths and the diameter in :mod:`solvers.ssp`.
Guide: ``docs/average_reward.md``.
"""
from .evaluation import AverageRewardEvaluation, average_reward_evaluation
from .linear_programming import average_reward_linear_programming
from .policy_iteration import average_reward_policy_iteration, evaluate_unichain
from .result import AverageRewardResult, GainBracket
from .rvi import relative_value_iteration

__all__ = ["relative_value_iteration", "average_reward_policy_iteration", "average_reward_linear_programming",
           "average_reward_evaluation", "AverageRewardEvaluation", "AverageRewardResult", "GainBracket",
           "evaluate_unichain"]
