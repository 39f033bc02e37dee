"""Action grouping (Li, Ju & Shroff 2024, arXiv:2306.12981): Algorithm 1 on the lifted MDP and the grouping
selection under sample and compute budgets. The model side (groupings, lifted MDP, decomposition,
dissimilarities, the dendrogram family) is :mod:`mdptheory.grouping`; the guide is ``docs/grouping.md``."""
from .algorithm1 import GroupedResult, grouped_planning, k_sweeps, sample_lifted
from .selection import (GroupingSelection, approximation_term, estimation_term, optimization_term, samples_per_pair,
                        select_grouping, selection_weight, sweeps_for_budget)

__all__ = ["GroupedResult", "grouped_planning", "k_sweeps", "sample_lifted", "GroupingSelection", "select_grouping",
           "samples_per_pair", "sweeps_for_budget", "approximation_term", "estimation_term", "optimization_term",
           "selection_weight"]
