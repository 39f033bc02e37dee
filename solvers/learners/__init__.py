"""Tabular episodic learners (OPSRL, PSRL, UCBVI, a greedy control), their run loop and contract checker.

See ``docs/learners.md``. Every learner: ``agent.policy() -> (H, S) int64``, ``agent.update(trajectory)``;
:func:`run` records the exact expected regret per episode in a :class:`Trace`.
"""
from .base import EpisodicLearner, LearnerContractError, Trace, Trajectory, check_learner, run
from .greedy import GreedyPosteriorMean
from .opsrl import OPSRL, opsrl_theory_parameters
from .psrl import PSRL
from .ucbvi import UCBVI, ucbvi_log_factor

__all__ = ["EpisodicLearner", "Trace", "Trajectory", "run", "check_learner", "LearnerContractError",
           "OPSRL", "PSRL", "UCBVI", "GreedyPosteriorMean", "opsrl_theory_parameters", "ucbvi_log_factor"]
