"""Offline learners for (d-rectangular) linear MDPs: R2PVI (TV/KL/chi2), PEVI, DRPVI, DRVI-L.

All share :mod:`solvers.offline.core` (pessimistic backward induction) and :mod:`solvers.offline.ridge`
(one Cholesky-factored Gram per stage). Each takes an :class:`mdptheory.offline.OfflineDataset` and
returns an :class:`OfflineResult` (policy, pessimistic Q/V, weights, bonus, diag of Lambda^-1).
:data:`LEARNERS` names them (``fit("r2pvi-kl", data, lam=0.1, theta=...)``) and
:data:`~solvers.offline.official.OFFICIAL_CODE` holds the official code's option presets per name.
"""
from functools import partial
from typing import Any, Callable

from mdptheory.offline import OfflineDataset

from .core import OfflineResult, backward_pessimistic, bonus_values
from .drpvi import drpvi
from .drvi_l import drvi_l
from .official import OFFICIAL_CODE
from .pevi import pessimistic_lsvi, pevi
from .r2pvi import r2pvi
from .ridge import Gram

__all__ = ["OfflineResult", "backward_pessimistic", "bonus_values", "Gram", "r2pvi", "pevi",
           "pessimistic_lsvi", "drpvi", "drvi_l", "LEARNERS", "OFFICIAL_CODE", "fit"]

#: Learner name -> function ``(dataset, **options) -> OfflineResult``.
LEARNERS: dict[str, Callable[..., OfflineResult]] = {
    "pevi": pevi, "lsvi": pessimistic_lsvi, "drpvi": drpvi, "drvi-l": drvi_l,
    **{f"r2pvi-{div}": partial(r2pvi, divergence=div) for div in ("tv", "kl", "chi2")},
}


def fit(method: str, dataset: OfflineDataset, **options: Any) -> OfflineResult:
    """Train the learner called ``method`` (a key of :data:`LEARNERS`) on ``dataset``."""
    try:
        learner = LEARNERS[method]
    except KeyError:
        raise ValueError(f"method={method!r} is not known; use one of {sorted(LEARNERS)}") from None
    return learner(dataset, **options)
