r"""BPI-UCRL: best-policy identification with KL upper and lower values (Kaufmann et al., ALT 2021; Ménard et
al., ICML 2021, Section 4). Stages are 0-based here.

The rewards ``r_h(s, a)`` in ``[0, 1]`` are known; transitions are learnt. After ``t`` episodes, with the KL
balls ``C_h(s, a) = {q in simplex : KL(p_hat_h(.|s, a) || q) <= beta(n, delta) / n}`` (the whole simplex when
``n = 0``), backward from zero values at stage ``H``::

    upper:  Qup_h(s, a) = min(H - h, r_h(s, a) + max_{q in C} q Vup_{h+1}),   Vup_h(s) = max_a Qup_h(s, a)
    lower:  Qlo_h(s, a) = max(0,     r_h(s, a) + min_{q in C} q Vlo_{h+1}),
            Vlo_h(s) = Qlo_h(s, pi_h(s))            (lower="policy": the certified value of pi)
                    or max_a Qlo_h(s, a)            (lower="max": the ALT'21 code)
    sampling: pi_h(s) = argmax_a Qup_h(s, a) (optimistic; Fiechter 1994)
    stopping: the first t with Vup_1(s_1) - Vlo_1(s_1) <= eps
    recommendation: pi (lower="policy") or the greedy policy of Qlo (lower="max").

On the event that every true law lies in its ball, ``Vlo <= V^{recommended} <= V* <= Vup`` (by induction), so the
recommendation is eps-optimal at the stop. The ball maxima are :func:`solvers.kl._ball_max_row` (the KL-ball
operator shared with MDP-GapE), called from :mod:`._kernels`.

``beta="icml"``: ``beta(n, delta) = log(3 S A H / delta) + S log(8 e (n + 1))`` (the ICML analysis, the same as
RF-Express's [R]); ``beta="alt21"``: ``log(2 S A H / delta) + (S - 1) log(e (1 + n / (S - 1)))`` (the ALT'21 code
at HEAD [C]). ``radius_scale`` multiplies the radius (1 = the theory). The ALT'21 code's other deviations
(stationary counts, the discount 0.99 inside the horizon, no ``min(H - h, .)``, radius ``beta / max(1, n)`` at
``n = 0``) are not reproduced except ``stage_dependent=False`` and ``clip=False``.
"""
from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from mdptheory import backends, mutants
from mdptheory.validation import check_real

from . import _kernels  # noqa: F401  (registers the exploration kernels)
from .base import PureExplorer
from .rf_express import _fused_run

__all__ = ["BPIUCRL"]

LOWER_UPPER = mutants.register("bpi-ucrl", "lower-upper-operator",
                               "the lower value computed with the upper operator (max over the KL ball)")
STAGE_SHIFT = mutants.register("bpi-ucrl", "stage-shift",
                               "the counts (visits and p_hat) of stage h+1 used at stage h (capped at H-1)")
BETA_LOG_DELTA = mutants.register("bpi-ucrl", "beta-log-delta",
                                  "the radius log(1/delta) / n (an early ALT'21 commit's threshold: no S A H, no S log n)")
LOWER_ANY = mutants.register("bpi-ucrl", "lower-max-with-policy",
                             "lower='policy' bounds max_a Qlo but the optimistic policy is recommended")

LOWERS = ("policy", "max")
BETAS = ("icml", "alt21")


class BPIUCRL(PureExplorer):
    """BPI-UCRL (see the module docstring).

    Parameters
    ----------
    S, A, H : int
    rewards : array (H, S, A) or (S, A)
        Known mean rewards in ``[0, 1]``.
    eps : float > 0
        Stop when ``Vup_1 - Vlo_1 <= eps`` at the start.
    delta : float in (0, 1)
    lower : {"policy", "max"}
        Lower value of the optimistic policy (ICML) or ``max_a Qlo`` (ALT'21 code); both certify their
        recommendation.
    beta : {"icml", "alt21"}
    radius_scale : float > 0
        Multiplies the KL radius ``beta / n``.
    clip : bool
        ``min(H - h, .)`` on the upper value (theory); the ALT'21 code does not clip.
    stage_dependent, rng, backend
        As in :class:`~solvers.learners.EpisodicLearner`.
    """

    name = "BPI-UCRL"
    algorithm = "bpi-ucrl"

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, *, eps: float = 0.1, delta: float = 0.1,
                 lower: str = "policy", beta: str = "icml", radius_scale: float = 1.0, clip: bool = True,
                 stage_dependent: bool = True, rng=None, backend: str = "numba") -> None:
        if rewards is None:
            raise TypeError("rewards is required: BPI-UCRL identifies the best policy for known rewards "
                            "(pass rewards=env.R, shape (H, S, A) or (S, A))")
        super().__init__(S, A, H, rewards, eps=eps, delta=delta, rng=rng, stage_dependent=stage_dependent,
                         backend=backend)
        if lower not in LOWERS:
            raise ValueError(f"lower must be one of {LOWERS} ('policy': the value of the optimistic policy, ICML; "
                             f"'max': max_a Qlo, the ALT'21 code), got {lower!r}")
        if beta not in BETAS:
            raise ValueError(f"beta must be one of {BETAS}, got {beta!r}")
        self.lower, self.beta = lower, beta
        self.radius_scale = check_real(radius_scale, "radius_scale", low=0.0, low_open=True)
        self.clip = bool(clip)
        self.Q_low: np.ndarray | None = None
        self.V_low: np.ndarray | None = None
        self.pi_low: np.ndarray | None = None
        self.pi_up: np.ndarray | None = None

    def _kernel_args(self) -> tuple:
        S, A, H, d = self.S, self.A, self.H, self.delta
        if BETA_LOG_DELTA.active:
            beta_p = np.array([0.0, math.log(1.0 / d), 0.0, self.radius_scale])
        elif self.beta == "icml":
            beta_p = np.array([0.0, math.log(3.0 * S * A * H / d), float(S), self.radius_scale])
        else:
            beta_p = np.array([1.0, math.log(2.0 * S * A * H / d), float(S - 1), self.radius_scale])
        v_clip = (H - np.arange(H, dtype=float)) if self.clip else np.full(H, np.inf)
        lower_mode = 0 if (self.lower == "policy" and not LOWER_ANY.active) else 1
        return (bool(self.stage_dependent), 1 if STAGE_SHIFT.active else 0, beta_p, v_clip, lower_mode,
                1 if LOWER_UPPER.active else 0)

    def policy(self) -> np.ndarray:
        """Recompute the upper and lower values; return the optimistic policy."""
        t0 = time.perf_counter()
        start, stop, idx, cnt = self.rows()
        t1 = time.perf_counter()
        Qu, Vu, piu, Ql, Vl, pil = backends.pick("exploration.kl_backward", self.backend)(
            start, stop, idx, cnt, np.ascontiguousarray(self.R), self.H, *self._kernel_args())
        self.Q, self.V, self.pi_up = Qu, Vu, piu
        self.Q_low, self.V_low, self.pi_low = Ql, Vl, pil
        self.phase_times["sampling"] += t1 - t0
        self.phase_times["planning"] += time.perf_counter() - t1
        return piu

    def certificate(self, mu0: np.ndarray) -> float:
        if self.V is None:
            self.policy()
        mu0 = np.asarray(mu0, dtype=float)
        acc = 0.0
        for s in np.flatnonzero(mu0):                 # the fused kernel's order
            acc += float(mu0[s]) * (float(self.V[0, s]) - float(self.V_low[0, s]))
        return acc

    @property
    def threshold(self) -> float:
        return self.eps

    def recommendation(self) -> np.ndarray:
        """The policy certified by the last bounds: the optimistic one (``lower="policy"``) or Qlo's greedy one.
        (The mutant ``lower-max-with-policy`` recommends the optimistic policy with the ``max`` lower bound.)"""
        if self.V is None:
            self.policy()
        return self.pi_up if (self.lower == "policy" or LOWER_ANY.active) else self.pi_low

    def _fused(self, oracle, rng, budget: int, use_stop: bool):
        return _fused_run(self, oracle, rng, budget, use_stop, "exploration.bpi_explore",
                          lambda: (np.ascontiguousarray(self.R),), lambda: self._kernel_args())

    @property
    def params(self) -> dict:
        return dict(eps=self.eps, delta=self.delta, lower=self.lower, beta=self.beta,
                    radius_scale=self.radius_scale, clip=self.clip, stage_dependent=self.stage_dependent)
