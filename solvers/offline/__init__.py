"""Offline learners for (d-rectangular) linear MDPs: R2PVI (TV/KL/chi2), PEVI, DRPVI, DRVI-L.

All share :mod:`solvers.offline.core` (pessimistic backward induction) and :mod:`solvers.offline.ridge`
(one Cholesky-factored Gram per stage). Each takes an :class:`mdptheory.offline.OfflineDataset` and
returns an :class:`OfflineResult` (policy, pessimistic Q/V, weights, bonus, diag of Lambda^-1).
"""
from .core import OfflineResult, backward_pessimistic, bonus_values
from .drpvi import drpvi
from .drvi_l import drvi_l
from .pevi import pessimistic_lsvi, pevi
from .r2pvi import r2pvi
from .ridge import Gram

__all__ = ["OfflineResult", "backward_pessimistic", "bonus_values", "Gram", "r2pvi", "pevi",
           "pessimistic_lsvi", "drpvi", "drvi_l"]
