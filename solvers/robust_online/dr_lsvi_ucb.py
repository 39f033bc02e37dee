r"""DR-LSVI-UCB (Liu & Xu, AISTATS 2024, arXiv:2402.15399): optimistic robust least-squares value iteration on
d-rectangular linear MDPs, the value-based online baseline of DR-RPO.

Per episode, from all past data collected in the nominal environment (stages ``h = H-1..0``): the ridge
Gram ``Lambda_h``, the d-rectangular TV dual per factor ``nu_{h,i} = max_alpha z_i(alpha) - rho (alpha - min_s
[V_{h+1}(s)]_alpha)`` (DRPVI's exact estimator, shared with DR-RPO: :mod:`solvers.robust_online.core`), the
optimistic ``Q_h = min(phi . (theta_h + nu_h) + beta sum_i phi_i sqrt([Lambda_h^-1]_ii), H - h)`` and the
greedy ``V_h = max_a Q_h``; the episode plays the greedy policy (suite tie rule). The structure is the
algorithm box as summarised in spec ``r2pvi_drrpo.md`` (sections 1.2 and 3.2, [R]: the AISTATS paper was
not re-read here); its ``beta = O~(d H)`` theory constant is [U] and a named parameter.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from mdptheory import mutants
from mdptheory.policies import greedy

from .core import LinearRobustLearner, robust_estimator, timed

__all__ = ["DRLSVIUCB"]

_M = "dr-lsvi-ucb"
BONUS_SIGN = mutants.register(_M, "bonus-sign", "the bonus subtracted (pessimism) instead of added")
NOMINAL_DUAL = mutants.register(_M, "nominal-dual",
                                "the robust dual per factor replaced by the nominal factor's regression of V_{h+1}")
TARGETS_STAGE_SHIFT = mutants.register(_M, "targets-stage-shift",
                                       "regression targets read V_{h+2} instead of V_{h+1} (stage off by one)")
Q_CAP_H = mutants.register(_M, "q-cap-H", "Q_h capped at H instead of the remaining horizon H - h")


class DRLSVIUCB(LinearRobustLearner):
    """DR-LSVI-UCB (see the module docstring); parameters as
    :class:`~solvers.robust_online.core.LinearRobustLearner`. :meth:`policy` returns the deterministic greedy
    ``(H, S)`` int64 policy of the optimistic ``Q``."""

    name = "DR-LSVI-UCB"

    def __init__(self, features: Any, theta: Any, **params: Any) -> None:
        super().__init__(features, theta, **params)
        self._estimator = robust_estimator(self.uncertainty, self.H, self.d, nominal=NOMINAL_DUAL.active)

    def evaluate(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The optimistic robust LSVI pass from all data so far: ``Q (H, S, A)``, ``V (H+1, S)``, ``w (H, d)``."""
        return self.optimistic_pass(lambda h, Qh: Qh.max(axis=1), self._estimator,
                                    bonus_sign=-1.0 if BONUS_SIGN.active else 1.0,
                                    target_shift=2 if TARGETS_STAGE_SHIFT.active else 1,
                                    stage_cap=not Q_CAP_H.active)

    def policy(self) -> np.ndarray:
        t0 = time.perf_counter()
        self.Q, self.V, self.w = self.evaluate()
        timed(self, "planning", t0)
        return greedy(self.Q)
