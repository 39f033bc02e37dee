r"""PSRL: posterior sampling for RL (Osband, Russo, Van Roy, NeurIPS 2013), as OPSRL with one sample.

One model is drawn from the Dirichlet posterior of the transitions each episode and its optimal
policy is played. Following the OPSRL experiments' ``psrl.yaml`` (``prior_transition='uniform'``,
``thompson_samples=1``, spec §2.5), PSRL is :class:`~solvers.learners.OPSRL` with ``J = 1``,
``kappa = 1``, no pseudo-state (``n0 = 0``) and a ``Dir(1/S, ..., 1/S)`` prior on the next state,
one posterior shared by all stages, value clip ``H``. Rewards are known (see :mod:`.base`).
"""
from __future__ import annotations

from typing import Any

from mdptheory.validation import check_positive_int

from .opsrl import OPSRL

__all__ = ["PSRL"]


class PSRL(OPSRL):
    """PSRL = ``OPSRL(J=1, kappa=1, n0=0, prior_alpha=1/S)``; keyword arguments override these."""

    name = "PSRL"

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, *, prior_alpha: float | None = None,
                 **kwargs) -> None:
        kwargs.setdefault("J", 1)
        kwargs.setdefault("kappa", 1.0)
        kwargs.setdefault("n0", 0.0)
        S = check_positive_int(S, "S")  # before 1 / S
        super().__init__(S, A, H, rewards, prior_alpha=1.0 / S if prior_alpha is None else prior_alpha, **kwargs)
