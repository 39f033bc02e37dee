"""PEVI (Jin, Yang & Wang, ICML 2021, Algorithm 2 instantiated for linear MDPs) and pessimistic LSVI.

PEVI regresses ``r + V_{h+1}`` jointly and subtracts the Mahalanobis bonus
``Gamma_h = beta * sqrt(phi^T Lambda_h^{-1} phi)`` (Theorem 4.4: ``beta = c d H sqrt(zeta)``; the R2PVI
experiments use ``beta = 1``, ridge 0.1 on the linear MDP and ``beta = 0.1``, ridge 1 on the option).

:func:`pessimistic_lsvi` is the *nominal* counterpart of R2PVI: known reward, the d-rectangular bonus,
nominal regression of ``V_{h+1}``. R2PVI-TV with ``lam >= H`` equals it exactly (spec 2.1, [D]).
"""
from __future__ import annotations

import numpy as np

from mdptheory import mutants
from mdptheory.offline import OfflineDataset

from .core import OfflineResult, backward_pessimistic, nominal_estimator
from .ridge import Gram

__all__ = ["pevi", "pessimistic_lsvi"]

# Realistic single bugs of PEVI (mdptheory.mutants; off unless activated; see docs/offline.md).
REWARD_DROPPED = mutants.register("pevi", "reward-dropped",
                                  "regresses V_{h+1}(s') without the observed reward (as the known-reward learners do)")
CURRENT_STATE_VALUE = mutants.register("pevi", "current-state-value",
                                       "target r + V_{h+1}(s) with the current state s instead of the next state s'")
REWARD_NEXT_STAGE = mutants.register("pevi", "reward-next-stage",
                                     "target r_{h+1} + V_{h+1}(s'): the rewards of stage h+1's samples used at stage h")


def pevi_estimator(h: int, gram: Gram, y: np.ndarray, V_next: np.ndarray, dataset: OfflineDataset) -> np.ndarray:
    """PEVI's regression ``w = Lambda^{-1} Phi^T (r + V_{h+1}(s'))`` (reward and next value jointly)."""
    rows = dataset.step(h)
    if CURRENT_STATE_VALUE.active:
        y = V_next[dataset.s[rows]]
    if REWARD_DROPPED.active:
        return gram.regress(y)
    r = dataset.r[dataset.step(min(h + 1, dataset.H - 1))] if REWARD_NEXT_STAGE.active else dataset.r[rows]
    return gram.regress(r + y)


def pevi(dataset: OfflineDataset, *, beta: float = 1.0, ridge: float = 1.0, bonus: str = "mahalanobis",
         clip: str = "both", pessimism: bool = True, fail_states=()) -> OfflineResult:
    """Pessimistic value iteration with linear function approximation (Jin et al. 2021).

    Parameters
    ----------
    dataset : OfflineDataset
        Offline data; rewards are read from ``dataset.r`` (not assumed known).
    beta : float
        Bonus multiplier; ``beta = 0`` is plain least-squares value iteration (negative control).
    ridge : float
        Ridge ``lambda`` of ``Lambda_h = Phi^T Phi + lambda I`` (theorem: 1).
    bonus : {"mahalanobis", "l1", "l2"}
        Paper: Mahalanobis.
    clip, pessimism, fail_states
        See :func:`solvers.offline.core.backward_pessimistic`.
    """
    return backward_pessimistic(dataset, pevi_estimator, method="PEVI", beta=beta, ridge=ridge,
                                bonus=bonus, reward_known=False, clip=clip, pessimism=pessimism,
                                fail_states=fail_states,
                                params=dict(beta=beta, ridge=ridge, bonus=bonus, clip=clip,
                                            pessimism=pessimism))


def pessimistic_lsvi(dataset: OfflineDataset, *, theta=None, reward=None, beta: float = 1.0,
                     ridge: float = 1.0, bonus: str = "l1", clip: str = "both", pessimism: bool = True,
                     fail_states=()) -> OfflineResult:
    """Nominal pessimistic LSVI with a known reward: ``Q = r + phi . Lambda^{-1} Phi^T V_{h+1} - Gamma``.

    The ``lam -> infinity`` limit of R2PVI (all three divergences); with the default ``"l1"`` bonus it is
    exactly R2PVI-TV for any ``lam >= H``.
    """
    return backward_pessimistic(dataset, nominal_estimator, method="pessimistic-LSVI", beta=beta,
                                ridge=ridge, bonus=bonus, theta=theta, reward=reward, clip=clip,
                                pessimism=pessimism, fail_states=fail_states,
                                params=dict(beta=beta, ridge=ridge, bonus=bonus, clip=clip,
                                            pessimism=pessimism))
