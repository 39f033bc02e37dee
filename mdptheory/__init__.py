"""mdptheory: models, environments, sampling and the results store.

The exact planners live in :mod:`solvers`, the theorems in :mod:`bounds`, the experiments in
:mod:`experiments` and the figures in :mod:`paper_figs`.
"""
from .episodic import EpisodicMDP
from .finite import FiniteMDP
from .grouping import Grouping
from .linear import LinearMDP, random_d_rectangular; from .uncertainty import TV, KL, ChiSquare  # noqa: E702
from .policies import as_stochastic, validate_policy
from .validation import as_generator

__all__ = ["FiniteMDP", "EpisodicMDP", "Grouping", "as_stochastic", "validate_policy", "as_generator"]
__version__ = "0.1.0"
