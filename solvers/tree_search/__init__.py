"""Planning with a generative model: MDP-GapE and the baselines, on trees in flat preallocated arrays.

- :func:`mdp_gape` (fixed confidence), :func:`mdp_gape_budget` (fixed budget), :func:`ugape_mcts`
  (deterministic transitions) -- Jonsson et al., NeurIPS 2020;
- baselines: :func:`sparse_sampling` (Kearns, Mansour & Ng 2002), :func:`brue` (Feldman & Domshlak 2014),
  :func:`kl_olop` (Leurent & Maillard 2019), :func:`uct` (Kocsis & Szepesvari 2006);
- :class:`TreeSearchResult`, the thresholds (:class:`Threshold`), OLOP's budget split
  (:func:`olop_allocation`).

Every planner takes a :class:`mdptheory.generative.GenerativeOracle` (it counts the calls and enforces the
budget) and an ``rng``; ``backend="numpy"`` runs the object-tree reference of :mod:`.reference` (the official
code's design), with the same answers. Guide: ``docs/tree_search.md``.
"""
from ._common import olop_allocation
from .baselines import brue, kl_olop, sparse_sampling, sparse_sampling_budget, sparse_sampling_calls, uct
from .mdp_gape import (Threshold, budget_thresholds, experiment_thresholds, mdp_gape, mdp_gape_budget,
                       theory_thresholds, ugape_mcts)
from .result import TreeSearchResult

__all__ = ["mdp_gape", "mdp_gape_budget", "ugape_mcts", "TreeSearchResult", "Threshold", "theory_thresholds",
           "experiment_thresholds", "budget_thresholds", "olop_allocation", "uct", "kl_olop", "brue",
           "sparse_sampling", "sparse_sampling_budget", "sparse_sampling_calls"]
