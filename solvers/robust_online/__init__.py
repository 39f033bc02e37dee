"""Online robust learners on d-rectangular linear MDPs: DR-RPO (reconstruction) and DR-LSVI-UCB, with the
exact robust-regret oracle (see ``docs/drrpo.md``).

- :class:`DRRPO` (Gu, He, Liu & Xu 2025, arXiv:2510.14246; only the abstract read, the algorithm is a
  labelled reconstruction): softmax policies with accumulated log-linear weights, KL mirror descent towards a
  reference policy, optimistic robust evaluation;
- :class:`DRLSVIUCB` (Liu & Xu, AISTATS 2024): optimistic robust LSVI, greedy;
- :class:`RobustRegretOracle`: plays in the nominal model, values policies by exact policy-regularised robust
  DP, so ``solvers.learners.run(agent, None, K, rng, oracle=...)`` records the exact robust regret.
"""
from .core import LinearRobustLearner, check_uncertainty_params, robust_estimator
from .dr_lsvi_ucb import DRLSVIUCB
from .drrpo import DRRPO
from .oracle import RobustRegretOracle

__all__ = ["DRRPO", "DRLSVIUCB", "RobustRegretOracle", "LinearRobustLearner", "robust_estimator",
           "check_uncertainty_params"]
