"""Latent MDPs (Zhou, Wang & Du, ICML 2023): exact planning on the history tree, ``Var*``, and the
horizon-free, variance-dependent learner with its baselines. Guide: ``docs/latent.md``.
"""
from .planner import (LatentEvaluation, LatentPlanningResult, VarStarResult, latent_planning,
                      latent_policy_evaluation, var_star)

__all__ = ["LatentPlanningResult", "LatentEvaluation", "VarStarResult", "latent_planning",
           "latent_policy_evaluation", "var_star"]
