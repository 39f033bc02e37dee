"""Latent MDPs (Zhou, Wang & Du, ICML 2023): exact planning on the history tree, ``Var*``, and the
horizon-free, variance-dependent learner with its baselines. Guide: ``docs/latent.md``.
"""
import mdptheory._latent_kernels  # noqa: F401  (registers latent.play_episode with the other kernels)

from .learner import (GreedyLMDP, HoeffdingLMDP, HorizonFreeLMDP, LatentOracle, LatentTrajectory,
                      check_latent_learner, lmdp_iota)
from .planner import (MAX_TREE_ENTRIES, LatentEvaluation, LatentPlanningResult, VarStarResult, latent_planning,
                      latent_policy_evaluation, var_star)

__all__ = ["LatentPlanningResult", "LatentEvaluation", "VarStarResult", "latent_planning",
           "latent_policy_evaluation", "var_star", "MAX_TREE_ENTRIES", "HorizonFreeLMDP", "HoeffdingLMDP",
           "GreedyLMDP", "LatentOracle", "LatentTrajectory", "check_latent_learner", "lmdp_iota"]
