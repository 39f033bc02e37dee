"""Sample collection: GOSPRL (Tarbouriech, Pirotta, Valko & Lazaric, NeurIPS 2021), its baselines, and the
applications as requirement generators with their downstream answers. Guide: ``docs/gosprl.md``."""
from .applications import (AdaptiveModelEstimation, ModelEstimate, PACPlan, TreasureHunt, discover_treasures,
                           estimate_model, estimated_model, found_treasures, model_error, pac_planning, pac_policy,
                           pac_requirement, treasure_requirement, weissman_requirement)
from .gosprl import (AGENTS, CollectionData, CollectionResult, UnreachableRequirementError, check_requirement, collect,
                     empirical_collection, gosprl, random_walk_collection)

__all__ = ["gosprl", "collect", "empirical_collection", "random_walk_collection", "CollectionResult",
           "CollectionData", "UnreachableRequirementError", "check_requirement", "AGENTS",
           "AdaptiveModelEstimation", "weissman_requirement", "treasure_requirement", "pac_requirement",
           "estimated_model", "model_error", "found_treasures", "pac_policy", "estimate_model", "discover_treasures",
           "pac_planning", "ModelEstimate", "TreasureHunt", "PACPlan"]
