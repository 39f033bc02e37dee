r"""PSRL: posterior sampling for RL (Osband, Russo, Van Roy, NeurIPS 2013), as OPSRL with one sample.

One model is drawn from the Dirichlet posterior of the transitions each episode and its optimal
policy is played. Following the OPSRL experiments' ``psrl.yaml`` (``prior_transition='uniform'``,
``thompson_samples=1``, spec §2.5), PSRL is :class:`~solvers.learners.OPSRL` with ``J = 1``,
``kappa = 1``, no pseudo-state (``n0 = 0``) and a ``Dir(1/S, ..., 1/S)`` prior on the next state,
one posterior shared by all stages, value clip ``H``. Rewards are known by default;
``reward_model="beta-bernoulli"`` samples them from the official code's Beta posterior on Bernoullised
rewards, one reward sample with the transition sample (see :class:`~solvers.learners.OPSRL`).
"""
from __future__ import annotations

from typing import Any

from mdptheory import mutants
from mdptheory.validation import check_positive_int

from .opsrl import OPSRL

__all__ = ["PSRL"]

# Realistic single bugs of PSRL (mdptheory.mutants; off unless a run activates one).
POSTERIOR_MEAN = mutants.register("psrl", "posterior-mean", "PSRL plans with the posterior mean instead of a sample")
PRIOR_OVER_ACTIONS = mutants.register("psrl", "prior-over-actions",
                                      "the Dirichlet prior 1/A on every next state instead of 1/S")
PSEUDO_KEPT = mutants.register("psrl", "pseudo-state-kept",
                               "PSRL keeps OPSRL's default optimistic pseudo-state (n0 = 1) instead of n0 = 0")
SAMPLE_CACHED = mutants.register("psrl", "sample-cached",
                                 "the posterior sample is cached with the support and redrawn only when it grows")
REWARD_MEAN = mutants.register("psrl", "reward-mean",
                               "learnt rewards: PSRL plans with the posterior-mean reward instead of a Beta sample")


class PSRL(OPSRL):
    """PSRL = ``OPSRL(J=1, kappa=1, n0=0, prior_alpha=1/S)``; keyword arguments override these."""

    name = "PSRL"

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, *, prior_alpha: float | None = None,
                 **kwargs) -> None:
        kwargs.setdefault("J", 1)
        kwargs.setdefault("kappa", 1.0)
        if not PSEUDO_KEPT.active:
            kwargs.setdefault("n0", 0.0)
        if POSTERIOR_MEAN.active:
            kwargs["sampling"] = "mean"
        S = check_positive_int(S, "S")  # before 1 / S
        default_prior = 1.0 / (A if PRIOR_OVER_ACTIONS.active else S)
        super().__init__(S, A, H, rewards, prior_alpha=default_prior if prior_alpha is None else prior_alpha, **kwargs)
        self._cached_sample = None

    def sample_rewards(self):
        """One reward sample per row (see :meth:`OPSRL.sample_rewards`)."""
        if REWARD_MEAN.active and self.R is None:
            a, b = self.beta_parameters(self.reward_prior)
            return (a / (a + b))[..., None]
        return super().sample_rewards()

    def sample_weights(self):
        """One posterior sample per row (see :meth:`OPSRL.sample_weights`)."""
        if SAMPLE_CACHED.active:
            if self._cached_sample is None or self._support_nz is None or self._support_new:
                self._cached_sample = super().sample_weights()
            return self._cached_sample
        return super().sample_weights()
