"""Exact planners with certificates, robust planners, and the papers' learners.

Every planner returns a frozen :class:`PlanningResult`; ``tol`` is a certified sup-norm error on ``V``.
Guides: ``docs/planners.md`` (exact), ``docs/robust.md`` (robust), ``docs/learners.md`` (OPSRL, PSRL, RLSVI,
UCBVI), ``docs/offline.md`` (R2PVI and its baselines), ``docs/average_reward.md`` (average reward,
shortest paths, the diameter), ``docs/grouping.md`` (action grouping), ``docs/gosprl.md`` (sample
collection: GOSPRL, optimistic SSP planning), ``docs/tree_search.md`` (MDP-GapE, the
planning baselines), ``docs/latent.md`` (latent MDPs: history-tree planning, Var*, the horizon-free learner),
``docs/drrpo.md`` (DR-RPO, DR-LSVI-UCB, the policy-regularised robust objective).
"""
from ._kernels import set_parallel
from .average_reward import (average_reward_evaluation, average_reward_linear_programming,
                             average_reward_policy_iteration, relative_value_iteration)
from .backward_induction import backward_induction, finite_horizon
from .grouping import grouped_planning, select_grouping
from .latent import (GreedyLMDP, HoeffdingLMDP, HorizonFreeLMDP, LatentOracle, latent_planning,
                     latent_policy_evaluation, var_star)
from .learners import GreedyPosteriorMean, OPSRL, PSRL, RLSVI, UCBVI, Trace, check_learner, run as run_learner
from .linear_programming import linear_programming
from .modified_policy_iteration import modified_policy_iteration
from .offline import drpvi, drvi_l, pessimistic_lsvi, pevi, r2pvi
from .policy_evaluation import policy_evaluation
from .policy_iteration import policy_iteration
from .result import ConvergenceWarning, NotConvergedError, PlanningResult
from .robust import robust_backward_induction, robust_policy_evaluation, robust_value_iteration, worst_case
from .robust import policy_regularized_dp, policy_regularized_evaluation
from .robust_online import DRLSVIUCB, DRRPO, RobustRegretOracle
from .solve import solve
from .ssp import diameter, min_hitting_times, ssp_linear_programming, ssp_policy_iteration, ssp_value_iteration
from .ssp_evi import ssp_extended_value_iteration
from .collection import CollectionResult, gosprl
from .tree_search import TreeSearchResult, mdp_gape, mdp_gape_budget, ugape_mcts
from .value_iteration import value_iteration

__all__ = [
    "PlanningResult", "ConvergenceWarning", "NotConvergedError", "value_iteration", "policy_iteration",
    "modified_policy_iteration", "linear_programming", "backward_induction", "finite_horizon", "policy_evaluation", "solve",
    "worst_case", "robust_value_iteration", "robust_backward_induction", "robust_policy_evaluation",
    "OPSRL", "PSRL", "UCBVI", "RLSVI", "GreedyPosteriorMean", "Trace", "run_learner", "check_learner",
    "r2pvi", "pevi", "drpvi", "drvi_l", "pessimistic_lsvi", "set_parallel",
    "relative_value_iteration", "average_reward_policy_iteration", "average_reward_linear_programming",
    "average_reward_evaluation", "ssp_value_iteration", "ssp_policy_iteration", "ssp_linear_programming",
    "min_hitting_times", "diameter", "grouped_planning", "select_grouping",
    "ssp_extended_value_iteration", "gosprl", "CollectionResult",
    "mdp_gape", "mdp_gape_budget", "ugape_mcts", "TreeSearchResult",
    "latent_planning", "latent_policy_evaluation", "var_star", "HorizonFreeLMDP", "HoeffdingLMDP", "GreedyLMDP",
    "LatentOracle",
    "policy_regularized_dp", "policy_regularized_evaluation", "DRRPO", "DRLSVIUCB", "RobustRegretOracle",
]
