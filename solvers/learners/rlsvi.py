r"""RLSVI: randomized least-squares value iteration, tabular (Osband, Van Roy, Wen, ICML 2016; Russo, NeurIPS
2019), as the OPSRL paper's fourth baseline (Tiapkin et al. 2022, experiment ``opsrl_vs_baselines``).

Tabular RLSVI plans, each episode, by backward induction on the empirical model with randomly perturbed
rewards (stages 0-based here, ``h = 0..H-1``):

``Q̃_h(s,a) = r̂(s,a) + ξ_h(s,a) + p̂(·|s,a) · Ṽ_{h+1}``, ``Ṽ_h(s) = min(max_a Q̃_h(s,a), H)``, ``Ṽ_H = 0``,

with independent ``ξ_h(s,a) ~ N(0, σ_h(s,a)^2)`` for every ``(h, s, a)`` (also when the estimates are
shared by the stages), and plays the greedy policy. The empirical model carries ``prior_count`` pseudo-
observations (a uniform next state and a zero reward), and the noise shrinks with the count ``n = n(s,a)``:

- ``p̂(·|s,a) = (n(·|s,a) + prior_count / S) / (n + prior_count)``;
- ``r̂(s,a) = (sum of observed rewards) / (n + prior_count)`` (``reward_model="empirical"``), or the known mean
  reward (``"known"``, the default);
- ``σ_h(s,a) = noise_scale / sqrt(n + prior_count) + (H - h) / (n + prior_count)``.

These are the choices of the code the OPSRL paper ran (rlberry v0.3.0 ``rlberry/agents/rlsvi/rlsvi.py``,
called by ``config/agents/rlsvi.yaml`` of ``d-tiapkin/optimistic-psrl-experiments`` with
``scale_std_noise = 1``, ``stage_dependent: False``) [C]: counts start at one pseudo-observation, the noise
standard deviation is ``1/sqrt(N) + v_max[h]/N`` with ``N = n + 1`` and ``v_max[h] = H - h``, the value is capped
at ``v_max[0] = H`` at every stage and ``Q`` is not clipped. The worst-case analysis of Russo (2019) needs a
larger noise, growing with ``H`` and ``S`` [R: its constants were not re-read here]; no experiment of the OPSRL
paper uses it, and ``noise_scale`` exposes the scale.

``perturbation`` (a deviation of the official code from RLSVI):

- ``"centred"`` (default): ``r̂ + ξ``, the algorithm;
- ``"official-code"``: the code draws ``ξ' = rng.normal(r̂, σ)`` (a draw *centred at* ``r̂``) and then plans
  with ``r̂ + ξ'``, i.e. ``2 r̂ + N(0, σ^2)``: the mean reward counted twice. This reproduces the paper's RLSVI
  curve (the bug is still in ``rlberry-research``); it is not RLSVI.

The planning step is the suite's one-sample backward-induction kernel (``learners.max_sample_backward``)
with the model's weights ``n(·|s,a) + prior_count / S`` and the perturbed rewards per stage.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from mdptheory import backends, mutants
from mdptheory.validation import check_real

from . import _kernels  # noqa: F401  (registers the learners' kernels)
from .base import EpisodicLearner

__all__ = ["RLSVI", "PERTURBATIONS"]

PERTURBATIONS = ("centred", "official-code")

# Realistic single bugs of RLSVI (mdptheory.mutants; off unless a run activates one).
NOISE_VARIANCE_AS_STD = mutants.register("rlsvi", "noise-variance-as-std",
                                         "the noise drawn with the variance sigma^2 passed as its standard "
                                         "deviation (scale off by a square root)")
PRIOR_DROPPED = mutants.register("rlsvi", "prior-dropped",
                                 "the prior pseudo-count dropped from the noise: sigma uses n instead of n + "
                                 "prior_count (n = 1 for untried pairs)")
NOISE_SHARED_STAGES = mutants.register("rlsvi", "noise-shared-stages",
                                       "one standard-normal draw per (s, a) reused at every stage instead of one "
                                       "per (h, s, a)")
MEAN_DOUBLED = mutants.register("rlsvi", "mean-doubled",
                                "the noise drawn centred at r̂ and added to r̂ (2 r̂ + noise) in the centred mode")


class RLSVI(EpisodicLearner):
    """Tabular RLSVI with Gaussian reward perturbations; see the module docstring.

    Parameters
    ----------
    S, A, H, rewards, rng, stage_dependent, backend
        See :class:`~solvers.learners.base.EpisodicLearner`; estimates are shared by the stages by default
        (the OPSRL experiments' ``stage_dependent: False``).
    reward_model : {"known", "empirical"}
        Known mean rewards (default) or their empirical means with ``prior_count`` zero pseudo-rewards.
    noise_scale : float
        Scale of the ``1/sqrt(n + prior_count)`` term of ``σ`` (the code's ``scale_std_noise = 1``).
    prior_count : float
        Pseudo-observations of every ``(s, a)`` (``> 0``; the code's counts start at 1).
    perturbation : {"centred", "official-code"}
        ``r̂ + ξ`` (RLSVI) or the code's ``2 r̂ + ξ`` (module docstring).
    """

    name = "RLSVI"
    reward_models = ("known", "empirical")

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, *, reward_model: str = "known",
                 noise_scale: float = 1.0, prior_count: float = 1.0, perturbation: str = "centred",
                 stage_dependent: bool = False, rng=None, backend: str = "numba") -> None:
        super().__init__(S, A, H, rewards, reward_model=reward_model, rng=rng, stage_dependent=stage_dependent,
                         backend=backend)
        self.noise_scale = check_real(noise_scale, "noise_scale", low=0.0)
        self.prior_count = check_real(prior_count, "prior_count", low=0.0, low_open=True,
                                      hint="the pseudo-observation keeps p̂ and the noise defined for untried pairs")
        if perturbation not in PERTURBATIONS:
            raise ValueError(f"perturbation must be one of {PERTURBATIONS}, got {perturbation!r}")
        self.perturbation = perturbation
        self.v_clip = np.full(self.H, float(self.H))                   # the code's vmax = v_max[0] = H
        self.stage_left = self.H - np.arange(self.H, dtype=np.float64)  # v_max[h] = H - h
        self.sigma: np.ndarray | None = None

    def noise_std(self) -> np.ndarray:
        """``σ (H, S, A)``: ``noise_scale / sqrt(N) + (H - h) / N``, ``N = n(s,a) + prior_count`` (stage grouping of
        the counts)."""
        n = self.counts.sum(-1)                                         # (G, S, A)
        N = np.maximum(n, 1.0) if PRIOR_DROPPED.active else n + self.prior_count
        N = np.broadcast_to(N, (self.H, self.S, self.A))
        return self.noise_scale / np.sqrt(N) + self.stage_left[:, None, None] / N

    def mean_rewards(self) -> np.ndarray:
        """``r̂ (H, S, A)``: the known rewards or ``sum / (n + prior_count)``."""
        if self.R is not None:
            return self.R
        return np.broadcast_to(self.empirical_rewards(self.prior_count), (self.H, self.S, self.A))

    def policy(self) -> np.ndarray:
        t0 = time.perf_counter()
        sigma = self.noise_std()
        r_hat = self.mean_rewards()
        if NOISE_SHARED_STAGES.active:
            z = np.broadcast_to(self.rng.standard_normal((1, self.S, self.A)), sigma.shape)
        else:
            z = self.rng.standard_normal(sigma.shape)
        xi = z * (sigma ** 2 if NOISE_VARIANCE_AS_STD.active else sigma)
        doubled = self.perturbation == "official-code" or MEAN_DOUBLED.active
        R4 = ((2.0 if doubled else 1.0) * r_hat + xi)[..., None]
        ptr, idx, w = self._support(self.counts + self.prior_count / self.S)
        n_rows = len(ptr) - 1
        t1 = time.perf_counter()
        backward = backends.pick("learners.max_sample_backward", self.backend)
        self.Q, self.V, pi = backward(ptr, idx, w[:, None].copy(), np.zeros((n_rows, 1)), R4, np.zeros(self.H + 1),
                                      self.v_clip, self.stage_dependent)
        self.sigma = sigma
        self.phase_times["sampling"] += t1 - t0
        self.phase_times["planning"] += time.perf_counter() - t1
        return pi

    @property
    def params(self) -> dict:
        return dict(noise_scale=self.noise_scale, prior_count=self.prior_count, perturbation=self.perturbation,
                    stage_dependent=self.stage_dependent, reward_model=self.reward_model)
