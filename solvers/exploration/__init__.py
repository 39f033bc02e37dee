"""Pure exploration: RF-Express and RF-UCRL (reward-free), BPI-UCRL (best-policy identification).

Ménard et al. (ICML 2021, arXiv:2007.13442) and Kaufmann et al. (ALT 2021, arXiv:2006.06294); see
``docs/exploration.md``. Every learner has the episode interface of :mod:`solvers.learners` plus a stopping rule
(:class:`PureExplorer`); :func:`explore` runs it to its stopping time and returns an :class:`ExplorationResult`.

Modules: :mod:`.base` (the stopping-rule interface), :mod:`.rf_express` (RF-Express, RF-UCRL), :mod:`.bpi_ucrl`,
:mod:`.loop` (``explore``), :mod:`.result`, :mod:`._kernels` (Numba kernels and NumPy twins).
"""
from .base import PureExplorer, check_eps_delta
from .bpi_ucrl import BPIUCRL
from .loop import explore
from .result import ExplorationResult
from .rf_express import RFUCRL, RFExpress, rf_express_beta

__all__ = ["PureExplorer", "RFExpress", "RFUCRL", "BPIUCRL", "explore", "ExplorationResult", "rf_express_beta",
           "check_eps_delta"]
