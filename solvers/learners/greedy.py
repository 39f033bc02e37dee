r"""Posterior-mean greedy agent: a negative control for the exploration claims.

Plans on the posterior-mean model (no sampling, no bonus) and plays greedily. By default the prior
puts ``n0 = 1`` pseudo-count on a **pessimistic** pseudo-state worth nothing (``r0 = 0``): an action
never tried looks worthless, so the agent never tries it. On RiverSwim-like chains it keeps the small
nearby reward forever and suffers regret linear in ``T`` — the behaviour that the regret-rate claims
must detect. It is :class:`~solvers.learners.OPSRL` with ``sampling="mean"`` (same code path).
"""
from __future__ import annotations

from typing import Any

from .opsrl import OPSRL

__all__ = ["GreedyPosteriorMean"]


class GreedyPosteriorMean(OPSRL):
    """Greedy on the posterior mean: ``OPSRL(sampling="mean", J=1, n0=1, r0=0)`` (pessimistic prior)."""

    name = "Greedy"

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, **kwargs) -> None:
        kwargs.setdefault("n0", 1.0)
        kwargs.setdefault("r0", 0.0)
        kwargs.setdefault("J", 1)
        kwargs["sampling"] = "mean"
        super().__init__(S, A, H, rewards, **kwargs)

    @property
    def params(self) -> dict:
        return dict(n0=self.n0, r0=self.r0, prior_alpha=self.prior_alpha, stage_dependent=self.stage_dependent,
                    reward_model=self.reward_model)
