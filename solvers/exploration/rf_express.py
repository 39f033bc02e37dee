r"""RF-Express (Ménard et al., ICML 2021, Algorithm 1) and its baseline RF-UCRL (Kaufmann et al., ALT 2021).

Reward-free exploration: explore without rewards until a bound on the error of *every* value computed in the
empirical model is certified, then plan in ``P_hat`` for any reward given afterwards
(:meth:`solvers.exploration.ExplorationResult.plan`). Stages are 0-based here (the papers' ``h = 1..H``).

**RF-Express** (constants of the official code ``omardrwch/rl_fast_active_learning: algorithms/adaptive_rf.py``,
matching the paper as recalled [R]): after ``t`` episodes, backward from ``W_H = 0``,

.. math::

    W^t_h(s,a) = \min\Big(H,\ \frac{15 H^2 \beta(n^t_h(s,a), \delta)}{n^t_h(s,a)}
                 + \big(1 + \tfrac1H\big) \sum_{s'} \hat p^t_h(s'|s,a) \max_{a'} W^t_{h+1}(s', a')\Big),
    \qquad \beta(n, \delta) = \log(3SAH/\delta) + S \log(8e(n+1)),

``W = H`` when ``n = 0``; play ``pi_h(s) = argmax_a W_h(s, a)``; stop at the first ``t`` with
``3e sqrt(max_a W^t_1(s_1, a)) + max_a W^t_1(s_1, a) <= eps / 2`` (the paper's key lemma bounds
``|V_hat^pi - V^pi|`` for every policy and reward by the left-hand side). A spread start distribution ``mu0``
uses ``sum_s mu0(s) (3e sqrt(max_a W_1(s, a)) + max_a W_1(s, a))`` (the same lemma per start state).

**RF-UCRL** (as compared in the ICML paper, ``rf_type='rf_ucrl'`` of the same code): the bonus
``H sqrt(beta(n, delta) / n)``, no ``(1 + 1/H)`` factor, and the stop ``max_a E_1(s_1, a) <= eps / 2``.

Official-code deviations, as named options (defaults = the paper):

- ``clip="w"`` clips ``W(s, a)`` at ``H`` (paper); ``"v"`` clips ``V = max_a W`` only (``clip_v=True``; the stop
  then reads the unclipped ``max_a W_1``); ``"none"`` clips nothing (``clip_v=False``, the NRoom experiment);
- a fixed number of episodes instead of the stopping rule: ``explore(..., stop=False)``;
- unvisited pairs: the official bonus at ``n = 0`` is ``15 H^2 beta(0)`` with ``P_hat`` uniform, which the paper's
  clip turns into ``W = H``; both are what the kernel computes (``bonus_scale`` does not scale this value, so a
  scaled-down bonus never makes an unvisited pair look explored).

``bonus_scale`` multiplies the bonus (1 = the formulas above); the claims use a stated smaller scale on tiny
instances, where the theory's constants would need ~10^6 episodes (see ``docs/exploration.md``).
"""
from __future__ import annotations

import math
import time
import weakref
from typing import Any

import numpy as np

from mdptheory import backends, mutants
from mdptheory.sampling import transition_cdf
from mdptheory.validation import check_real

from . import _kernels  # (registers the exploration kernels)
from .base import PureExplorer

__all__ = ["RFExpress", "RFUCRL", "rf_express_beta"]

# Realistic single bugs of RF-Express (switched in the arguments passed to the kernels).
NO_MULTIPLIER = mutants.register("rf-express", "no-multiplier", "W without the (1 + 1/H) multiplier")
N_PLUS_ONE = mutants.register("rf-express", "bonus-n-plus-one", "the bonus 15 H^2 beta / (n + 1) instead of / n")
NO_H2 = mutants.register("rf-express", "bonus-no-h2", "the bonus 15 beta / n (the H^2 dropped)")
SQRT_N = mutants.register("rf-express", "bonus-sqrt-n", "the bonus 15 H^2 beta / sqrt(n) (a UCRL-style 1/sqrt(n) decay)")
STOP_NO_HALF = mutants.register("rf-express", "stop-no-half", "the stopping rule 3 e sqrt(W) + W <= eps (the /2 dropped)")
BETA_NO_S = mutants.register("rf-express", "beta-no-s", "beta's log term without its S: log(3SAH/delta) + log(8e(n+1))")
BETA_NO_H = mutants.register("rf-express", "beta-no-h", "beta's first log without H: log(3SA/delta) + S log(8e(n+1))")
NO_CLIP = mutants.register("rf-express", "no-clip", "W not clipped at H")
STAGE_SHIFT = mutants.register("rf-express", "stage-shift",
                               "the counts (visits and p_hat) of stage h+1 used at stage h (capped at H-1)")

# RF-UCRL (the baseline): two slips of the same kind.
UCRL_NO_H = mutants.register("rf-ucrl", "bonus-no-h", "the bonus sqrt(beta / n) (the factor H dropped)")
UCRL_STOP_NO_HALF = mutants.register("rf-ucrl", "stop-no-half", "the stopping rule E <= eps (the /2 dropped)")

CLIPS = ("w", "v", "none")


def rf_express_beta(n: Any, S: int, A: int, H: int, delta: float) -> np.ndarray:
    """``beta(n, delta) = log(3 S A H / delta) + S log(8 e (n + 1))`` (Ménard et al. 2021; official code) [R]."""
    return math.log(3.0 * S * A * H / delta) + S * np.log(8.0 * math.e * (np.asarray(n, dtype=float) + 1.0))


class _ErrorBoundExplorer(PureExplorer):
    """RF-Express and RF-UCRL: an error bound ``W`` recomputed from the counts, greedy exploration in ``W``."""

    #: (multiplier kind, bonus constant as a function of H, bonus powers (pb, pn), certificate kind)
    _MULTIPLIER = True
    _CERT_KIND = 1

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, *, eps: float = 0.1, delta: float = 0.1,
                 clip: str = "w", bonus_scale: float = 1.0, stage_dependent: bool = True, rng=None,
                 backend: str = "numba") -> None:
        super().__init__(S, A, H, rewards, eps=eps, delta=delta, rng=rng, stage_dependent=stage_dependent,
                         backend=backend)
        if clip not in CLIPS:
            raise ValueError(f"clip must be one of {CLIPS} ('w': W clipped at H as in the paper; 'v': the official "
                             f"clip_v=True; 'none': clip_v=False), got {clip!r}")
        self.clip = clip
        self.bonus_scale = check_real(bonus_scale, "bonus_scale", low=0.0, low_open=True,
                                      hint="1 is the paper's bonus; the claims state their smaller scale")
        self.W: np.ndarray | None = None

    # -- the constants, with the mutants' slips -------------------------------------------------------
    def _bonus_params(self) -> np.ndarray:
        raise NotImplementedError

    def _multiplier(self) -> float:
        return 1.0

    def _clips(self) -> tuple[float, float]:
        H = float(self.H)
        return (H if self.clip == "w" else np.inf), (H if self.clip == "v" else np.inf)

    def _shift(self) -> int:
        return 0

    def _kernel_args(self) -> tuple:
        w_clip, v_clip = self._clips()
        return (bool(self.stage_dependent), self._shift(), self._bonus_params(), self._multiplier(), w_clip, v_clip)

    # -- episode interface ------------------------------------------------------------------------------
    def policy(self) -> np.ndarray:
        """Recompute ``W`` from the counts (one backward induction) and return the greedy policy in ``W``."""
        t0 = time.perf_counter()
        start, stop, idx, cnt = self.rows()
        t1 = time.perf_counter()
        stage, shift, bp, mult, w_clip, v_clip = self._kernel_args()
        W, V, pi = backends.pick("exploration.error_backward", self.backend)(
            start, stop, idx, cnt, self.S, self.A, self.H, stage, shift, bp, mult, w_clip, v_clip)
        self.W, self.Q, self.V = W, W, V
        self.phase_times["sampling"] += t1 - t0
        self.phase_times["planning"] += time.perf_counter() - t1
        return pi

    def certificate(self, mu0: np.ndarray) -> float:
        if self.W is None:
            self.policy()
        return _kernels._rf_certificate_numpy(self.W[0], np.asarray(mu0, dtype=float), self._CERT_KIND)

    @property
    def error_bound(self) -> float | None:
        """The certificate at the start state when :attr:`W` is known and the start is unique (else ``None``)."""
        return None if self.W is None else float(self.W[0].max())

    def _fused(self, oracle, rng, budget: int, use_stop: bool):
        return _fused_run(self, oracle, rng, budget, use_stop, "exploration.rf_explore",
                          lambda: (self._CERT_KIND,), lambda: self._kernel_args())

    @property
    def params(self) -> dict:
        return dict(eps=self.eps, delta=self.delta, clip=self.clip, bonus_scale=self.bonus_scale,
                    stage_dependent=self.stage_dependent)


class RFExpress(_ErrorBoundExplorer):
    """RF-Express (Ménard et al. 2021, Algorithm 1): see the module docstring.

    Parameters
    ----------
    S, A, H : int
    rewards : ignored (reward-free exploration; accepted for the episode interface)
    eps : float > 0
        Accuracy of the reward-free guarantee: stop when ``3 e sqrt(W) + W <= eps / 2``.
    delta : float in (0, 1)
    clip : {"w", "v", "none"}
        Where ``W`` is clipped at ``H`` (see the module docstring; ``"none"`` is the NRoom experiment's).
    bonus_scale : float > 0
        Multiplies ``15 H^2 beta / n`` (1 = the paper).
    stage_dependent : bool
        Counts per stage (the paper's stage-dependent MDP; the official default) or shared.
    rng, backend
        The algorithm is deterministic; ``backend`` picks the Numba kernels or their NumPy twins.
    """

    name = "RF-Express"
    algorithm = "rf-express"
    _CERT_KIND = 1

    def _bonus_params(self) -> np.ndarray:
        S, A, H = self.S, self.A, self.H
        c0 = 15.0 * (1.0 if NO_H2.active else H * H)
        pn = 0.5 if SQRT_N.active else 1.0
        noff = 1.0 if N_PLUS_ONE.active else 0.0
        b0 = math.log(3.0 * S * A * (1.0 if BETA_NO_H.active else H) / self.delta)
        b1 = 1.0 if BETA_NO_S.active else float(S)
        return np.array([c0 * self.bonus_scale, 1.0, pn, noff, 0.0, b0, b1, c0])

    def _multiplier(self) -> float:
        return 1.0 if NO_MULTIPLIER.active else 1.0 + 1.0 / self.H

    def _clips(self) -> tuple[float, float]:
        w_clip, v_clip = super()._clips()
        return (np.inf if NO_CLIP.active else w_clip), v_clip

    def _shift(self) -> int:
        return 1 if STAGE_SHIFT.active else 0

    @property
    def threshold(self) -> float:
        return self.eps if STOP_NO_HALF.active else self.eps / 2.0


class RFUCRL(_ErrorBoundExplorer):
    """RF-UCRL as compared in Ménard et al. (2021) (``rf_type='rf_ucrl'``): bonus ``H sqrt(beta / n)``, no
    multiplier, stop when ``max_a E_1(s_1, a) <= eps / 2``. Parameters as :class:`RFExpress`."""

    name = "RF-UCRL"
    algorithm = "rf-ucrl"
    _CERT_KIND = 0

    def _bonus_params(self) -> np.ndarray:
        S, A, H = self.S, self.A, self.H
        c0 = 1.0 if UCRL_NO_H.active else float(H)
        return np.array([c0 * self.bonus_scale, 0.5, 0.5, 0.0, 0.0, math.log(3.0 * S * A * H / self.delta), float(S), c0])

    @property
    def threshold(self) -> float:
        return self.eps if UCRL_STOP_NO_HALF.active else self.eps / 2.0


# --------------------------------------------------------------------------------------- the fused run
#: The CSR rows of cumulative probabilities of each known model (weakly keyed: freed with the model).
_TRUTH: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
#: Uniforms drawn per call of a fused loop: the first chunk is small (runs that stop early draw little), then doubles.
_CHUNK0, _CHUNK_MAX = 256, 1 << 15


def _fused_run(agent: PureExplorer, oracle, rng, budget: int, use_stop: bool, kernel: str, head, tail):
    """Drive a fused exploration kernel (``exploration.rf_explore`` or ``exploration.bpi_explore``) on the known
    model of ``oracle``: chunks of uniforms drawn from ``rng`` (the same stream as one ``oracle.play`` per
    episode), the counts written back to ``agent`` at the end. Returns ``(certificates, episodes, stopped)``."""
    env = oracle.env
    cached = _TRUTH.get(env)
    if cached is None:                     # the dense -> CSR conversion costs ~0.2 s on NRoom: once per model
        cached = _TRUTH[env] = transition_cdf(env)
    true_ptr, true_idx, true_cdf = cached
    mu0 = np.ascontiguousarray(env.mu0, dtype=float)
    mu0_cdf = np.cumsum(mu0)
    start, stop, idx, cnt = agent._fixed_rows()
    fn = backends.pick(kernel, agent.backend)
    certs_all: list[np.ndarray] = []
    played, stopped, chunk = 0, False, _CHUNK0
    H = agent.H
    while True:
        u = rng.random((chunk, 1 + 2 * H))
        certs = np.empty(chunk + 1)
        e, stopped = fn(true_ptr, true_idx, true_cdf, mu0, mu0_cdf, u, budget - played, use_stop,
                        float(agent.threshold), *head(), idx, cnt, start, stop, H, *tail(), certs)
        e = int(e)
        played += e
        done = stopped or played >= budget
        certs_all.append(certs[:e + 1] if done else certs[:e])   # a chunk that ran out recomputes its last bound
        if done:
            break
        chunk = min(2 * chunk, _CHUNK_MAX)
    agent._dense_from_rows(start, stop, idx, cnt)
    return np.concatenate(certs_all), played, bool(stopped)
