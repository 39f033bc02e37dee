"""Tabular episodic learners (OPSRL, PSRL, UCBVI, RLSVI, a greedy control), their run loop and contract checker.

See ``docs/learners.md`` and ``docs/architecture.md``. Every learner: ``agent.policy() -> (H, S) int64``,
``agent.update(trajectory)``; :func:`run` plays it against an evaluation oracle (default: the known
episodic MDP, :class:`EpisodicOracle`) and records the exact expected regret per episode in a :class:`Trace`.

Modules: :mod:`.base` (the learner base class), :mod:`.trace` (``Trajectory``, ``Trace``), :mod:`.oracle`
(the ground-truth seam), :mod:`.loop` (``run``), :mod:`.contract` (``check_learner``), :mod:`._kernels`
(the JIT kernels and their NumPy twins).
"""
from .base import EpisodicLearner
from .contract import LearnerContractError, check_learner
from .greedy import GreedyPosteriorMean
from .loop import run
from .opsrl import OPSRL, opsrl_theory_parameters
from .oracle import EpisodicOracle, EvaluationOracle
from .psrl import PSRL
from .rlsvi import RLSVI
from .trace import Trace, Trajectory
from .ucbvi import UCBVI, ucbvi_log_factor

__all__ = ["EpisodicLearner", "Trace", "Trajectory", "run", "check_learner", "LearnerContractError",
           "EvaluationOracle", "EpisodicOracle",
           "OPSRL", "PSRL", "UCBVI", "RLSVI", "GreedyPosteriorMean", "opsrl_theory_parameters", "ucbvi_log_factor"]
