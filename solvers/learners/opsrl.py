r"""OPSRL: Optimistic Posterior Sampling for RL (Tiapkin, Belomestny, Calandriello, Moulines, Munos,
Naumov, Rowland, Valko, Ménard, NeurIPS 2022, arXiv:2209.14414).

Algorithm (paper's Algorithm 1, restated; stages 0-based here, ``h = 0..H-1``):

1. Extend the state space with an absorbing optimistic pseudo-state ``s_0`` worth ``r0`` per remaining
   step: ``V̄_h(s_0) = r0 (H - h)``.
2. Prior: ``n0`` pseudo-transitions from every ``(h, s, a)`` to ``s_0``. Posterior parameters after the
   observed counts ``n_h(s'|s,a)``: ``ᾱ = (n_h(·|s,a) + prior_alpha, n0)``.
3. Each episode, for every ``(h, s, a)`` draw ``J`` independent samples from the *inflated* posterior
   ``Dir(ᾱ / kappa)`` and plan with the **max over samples inside backward induction**:
   ``Q̄_h(s,a) = r_h(s,a) + max_j p̃^j_h(·|s,a) · V̄_{h+1}``, ``V̄_h = max_a Q̄_h`` (optionally clipped).
   With learnt rewards (``reward_model="beta-bernoulli"``, the official code) ``J`` reward samples
   ``r̃^j ~ Beta(reward_prior + successes, reward_prior + failures)`` are drawn with them and the max is
   taken *jointly*: ``Q̄_h(s,a) = max_j (r̃^j_h(s,a) + p̃^j_h(·|s,a) · V̄_{h+1})``.
4. Play the greedy policy, add the episode's transitions to the counts.

Parameter sets (spec §2.4/§2.6; constants of the theory are **[R]**: the paper's text could not be
read here, the formulas are the recalled ones of the spec and are exposed as named arguments):

===============  =====================================  ============================
item             theory (:meth:`OPSRL.theory`) [R]       experiments (defaults) [C]
===============  =====================================  ============================
kappa            ``2(log(12SAH/δ) + 3 log(eπ(2T+1)))``   1
n0               ``⌈kappa (c0 + log_{17/16} T)⌉``         1
r0               2                                      1
J                ``⌈cJ log(2SAHT/δ)⌉``                    8
posterior        stage-dependent                        shared by all stages
value clip       none                                   ``H`` at every stage (code)
rewards          known (``reward_model="known"``)        ``reward_model="beta-bernoulli"`` [C]
===============  =====================================  ============================

Rewards: the default is the analysis' setting (known mean rewards). ``reward_model="beta-bernoulli"`` is
what the official code computes (``d-tiapkin/optimistic-psrl-experiments``, ``algorithms/opsrl/opsrl.py``):
each observed reward is Bernoullised with the agent's RNG and counted in a ``Beta(1, 1)`` prior
(``reward_prior``, the code's ``scale_prior_reward``); each episode ``J`` reward samples per row are drawn
along with the ``J`` transition samples, the ``j``-th reward paired with the ``j``-th transition sample
(the code's ``max_b (R[s,a,b] + P[s,a,:,b] . V)``), from the same stage grouping as the transitions. The
reward posterior is not inflated by ``kappa`` (the code has no ``kappa``). With a shared posterior the
same ``J`` samples serve every stage, as in the code.

PSRL (Osband et al. 2013) is ``J = 1, kappa = 1, n0 = 0`` with a ``Dir(1/S)`` prior, see
:class:`solvers.learners.PSRL`; the posterior-mean greedy agent is :class:`solvers.learners.GreedyPosteriorMean`.
"""
from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from mdptheory import backends, mutants
from mdptheory.validation import check_real

from . import _kernels  # noqa: F401  (registers the learners' kernels)
from .base import EpisodicLearner

__all__ = ["OPSRL", "opsrl_theory_parameters", "C0_DEFAULT", "CJ_DEFAULT"]

#: [R] Universal constant ``c0`` of the anti-concentration condition ``alpha_0 >= c0 + log_{17/16}(alpha_bar)``.
#: Not read from the paper; 0 is the smallest admissible value (a *weaker* prior than the theorem asks for).
C0_DEFAULT = 0.0
#: [R] ``cJ = 1 / log(1 / (1 - p_anti))`` with ``p_anti = (1 - Phi(1)) / 2`` (recalled form, spec §2.4):
#: ``1 / log(2 / (1 + Phi(1))) ~= 12.10``. The alternative recalled value is ~24.71.
CJ_DEFAULT = 1.0 / math.log(2.0 / (1.0 + 0.5 * (1.0 + math.erf(1.0 / math.sqrt(2.0)))))

CLIPS = ("none", "horizon", "stage")

# Realistic single bugs of OPSRL (mdptheory.mutants; each switches one line below, off unless a run activates it).
FIRST_SAMPLE = mutants.register("opsrl", "first-sample",
                                "the max over the J posterior samples replaced by the first sample")
MEAN_OF_SAMPLES = mutants.register("opsrl", "mean-of-samples",
                                   "the max over the J posterior samples replaced by their average")
N0_SCALED = mutants.register("opsrl", "n0-scaled", "the prior mass n0 on the pseudo-state scaled by 0.01")
KAPPA_IGNORED = mutants.register("opsrl", "kappa-ignored",
                                 "samples drawn from Dir(alpha) instead of the inflated Dir(alpha / kappa)")
KAPPA_INVERTED = mutants.register("opsrl", "kappa-inverted",
                                  "samples drawn from Dir(alpha * kappa) instead of Dir(alpha / kappa)")
PRIOR_NOT_INFLATED = mutants.register("opsrl", "prior-not-inflated",
                                      "the inflation divides the counts but not the pseudo-state prior n0")
R0_ZERO = mutants.register("opsrl", "r0-zero", "the pseudo-state pays r0 = 0 per step (a pessimistic prior)")
PSEUDO_VALUE_CONSTANT = mutants.register("opsrl", "pseudo-value-constant",
                                         "the pseudo-state value r0 H at every stage instead of r0 (H - h)")
# ... of the learnt rewards (reward_model="beta-bernoulli")
REWARD_BETA_SWAPPED = mutants.register("opsrl", "reward-beta-swapped",
                                       "the reward posterior's Beta counts swapped: Beta(prior + failures, "
                                       "prior + successes)")
REWARD_ONE_DRAW = mutants.register("opsrl", "reward-one-draw",
                                   "one reward draw per (h, s, a) shared by the J transition samples (the max is "
                                   "no longer joint over rewards and transitions)")
REWARD_STAGE_POOLED = mutants.register("opsrl", "reward-stage-pooled",
                                       "stage-dependent posteriors, but the reward sampled once per (s, a) from the "
                                       "statistics pooled over stages and reused at every stage h")


def opsrl_theory_parameters(S: int, A: int, H: int, T: int, delta: float, c0: float = C0_DEFAULT,
                            cJ: float = CJ_DEFAULT) -> dict[str, float]:
    r"""Theorem-1 parameters of OPSRL [R: recalled formulas, spec §2.4; constants are arguments].

    Returns
    -------
    dict with ``kappa = 2 (log(12 S A H / δ) + 3 log(e π (2T + 1)))``,
    ``n0 = ⌈kappa (c0 + log_{17/16} T)⌉``, ``r0 = 2``, ``J = ⌈cJ log(2 S A H T / δ)⌉``.
    """
    if not 0.0 < delta < 1.0:
        raise ValueError(f"delta must lie in (0, 1), got {delta}")
    if T < 1:
        raise ValueError(f"T (number of episodes) must be >= 1, got {T}")
    kappa = 2.0 * (math.log(12 * S * A * H / delta) + 3.0 * math.log(math.e * math.pi * (2 * T + 1)))
    n0 = math.ceil(kappa * (c0 + math.log(T) / math.log(17.0 / 16.0)))
    J = math.ceil(cJ * math.log(2 * S * A * H * T / delta))
    return {"kappa": kappa, "n0": float(max(n0, 1)), "r0": 2.0, "J": int(max(J, 1))}


class OPSRL(EpisodicLearner):
    r"""Optimistic posterior sampling (Tiapkin et al. 2022, Algorithm 1); see the module docstring.

    Parameters
    ----------
    S, A, H : int
    rewards : array (H, S, A) or (S, A), or None
        Known mean rewards in ``[0, 1]``; ``None`` with a learnt ``reward_model``.
    reward_model : {"known", "beta-bernoulli"}
        Known rewards (the analysis, default) or the official code's Beta posterior on Bernoullised rewards,
        sampled jointly with the transitions (module docstring).
    reward_prior : float
        ``Beta(reward_prior, reward_prior)`` prior of the learnt rewards (the code's ``scale_prior_reward = 1``).
    J : int
        Posterior samples per ``(h, s, a)`` and episode; the max over them enters backward induction.
    kappa : float
        Inflation ``>= 1``: samples come from ``Dir(ᾱ / kappa)`` (same mean, ~kappa times the variance).
    n0 : float
        Prior pseudo-counts on the optimistic pseudo-state (``0`` = no pseudo-state).
    r0 : float
        Per-step reward of the pseudo-state: ``V̄_h(s_0) = r0 (H - h)``.
    prior_alpha : float
        Extra Dirichlet prior mass on every real next state (``1/S`` gives PSRL's ``Dir(1/S)``).
    stage_dependent : bool
        Stage-dependent posteriors (theory) or one shared by all stages (the experiments, default).
    clip : {"horizon", "stage", "none"}
        ``V̄_h <= H`` (the code), ``<= H - h`` (the largest real value-to-go), or no clip.
    sampling : {"posterior", "mean"}
        ``"mean"`` replaces the ``J`` samples by the posterior mean (a greedy, non-exploring agent).
    rng, backend
        See :class:`~solvers.learners.base.EpisodicLearner`.
    """

    name = "OPSRL"
    reward_models = ("known", "beta-bernoulli")

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, *, J: int = 8, kappa: float = 1.0,
                 n0: float = 1.0, r0: float = 1.0, prior_alpha: float = 0.0, stage_dependent: bool = False,
                 clip: str = "horizon", sampling: str = "posterior", reward_model: str = "known",
                 reward_prior: float = 1.0, rng=None, backend: str = "numba") -> None:
        super().__init__(S, A, H, rewards, reward_model=reward_model, rng=rng, stage_dependent=stage_dependent,
                         backend=backend)
        self.reward_prior = check_real(reward_prior, "reward_prior", low=0.0, low_open=True,
                                       hint="the official code uses Beta(1, 1)")
        if isinstance(J, bool) or not isinstance(J, (int, np.integer)) or J < 1:
            raise ValueError(f"J (posterior samples) must be an integer >= 1, got {J!r}")
        kappa = check_real(kappa, "kappa (inflation)", low=0.0, low_open=True, hint="the theory uses kappa >= 1")
        n0, r0, prior_alpha = (check_real(v, nm, low=0.0) for nm, v in
                               (("n0", n0), ("r0", r0), ("prior_alpha", prior_alpha)))
        if n0 == 0 and prior_alpha == 0:
            raise ValueError("n0 = 0 and prior_alpha = 0 leave unvisited (s, a) without a posterior; set n0 > 0 "
                             "(optimistic pseudo-state) or prior_alpha > 0 (e.g. 1/S for PSRL)")
        if clip not in CLIPS:
            raise ValueError(f"clip must be one of {CLIPS}, got {clip!r}")
        if sampling not in ("posterior", "mean"):
            raise ValueError(f"sampling must be 'posterior' or 'mean', got {sampling!r}")
        self.J, self.kappa, self.n0, self.r0 = int(J), float(kappa), float(n0), float(r0)
        self.prior_alpha, self.clip, self.sampling = float(prior_alpha), clip, sampling
        h = np.arange(H + 1, dtype=np.float64)
        self.v_pseudo = (0.0 if R0_ZERO.active else self.r0) * (H - h)   # (H+1,), 0 at the terminal stage
        if PSEUDO_VALUE_CONSTANT.active:
            self.v_pseudo = np.full(H + 1, self.r0 * H)
        self.v_clip = {"none": np.full(H, np.inf), "horizon": np.full(H, float(H)),
                       "stage": (H - h[:-1])}[clip]

    @classmethod
    def theory(cls, S: int, A: int, H: int, rewards: Any = None, *, T: int, delta: float = 0.1,
               c0: float = C0_DEFAULT, cJ: float = CJ_DEFAULT, **kwargs) -> "OPSRL":
        """OPSRL with the Theorem-1 parameters of :func:`opsrl_theory_parameters` [R], stage-dependent, no clip."""
        p = opsrl_theory_parameters(S, A, H, T, delta, c0, cJ)
        kwargs.setdefault("stage_dependent", True)
        kwargs.setdefault("clip", "none")
        return cls(S, A, H, rewards, J=p["J"], kappa=p["kappa"], n0=p["n0"], r0=p["r0"], **kwargs)

    # -- posterior ---------------------------------------------------------------------------------
    def posterior_parameters(self):
        """Dirichlet parameters of the (non-inflated) posterior.

        Returns
        -------
        alpha : ndarray (G, S, A, S)
            ``counts + prior_alpha`` on the real next states.
        alpha_pseudo : float
            ``n0`` on the pseudo-state (the same for every row).
        """
        return self.counts + self.prior_alpha, (0.01 * self.n0 if N0_SCALED.active else self.n0)

    def sample_weights(self):
        """Draw the ``J`` posterior samples of every row as unnormalised Gamma weights (CSR form).

        ``p̃^j = Gamma(α/kappa) / sum`` is a ``Dir(α/kappa)`` draw; zero parameters give zero weights and
        are left out of the support. With ``sampling="mean"`` the weights are the parameters themselves.

        Returns
        -------
        ptr (n_rows+1,), idx (nnz,), W (nnz, J), Wp (n_rows, J)
        """
        alpha, a0 = self.posterior_parameters()
        ptr, idx, a_nz = self._support(alpha)
        n_rows = len(ptr) - 1
        if self.sampling == "mean":
            return ptr, idx, a_nz[:, None].copy(), np.full((n_rows, 1), a0)
        kappa = 1.0 if KAPPA_IGNORED.active else (1.0 / self.kappa if KAPPA_INVERTED.active else self.kappa)
        # one flat shape array (np.repeat) is ~40% faster in NumPy than a broadcast (nnz, J) view
        W = self.rng.standard_gamma(np.repeat(a_nz / kappa, self.J)).reshape(len(a_nz), self.J)
        if a0 > 0:
            Wp = self.rng.standard_gamma(a0 / (1.0 if PRIOR_NOT_INFLATED.active else kappa), size=(n_rows, self.J))
        else:
            Wp = np.zeros((n_rows, self.J))
        return ptr, idx, W, Wp

    def sample_rewards(self) -> np.ndarray:
        """Rewards to plan with, ``(GR, S, A, JR)``: the known ``R[..., None]``, or ``J`` joint samples per row.

        Learnt: ``r̃^j ~ Beta(a, b)`` i.i.d. per ``(g, s, a, j)`` (:meth:`beta_parameters`), ``GR = G`` (the
        transitions' stage grouping), ``JR = J``; with ``sampling="mean"`` the posterior mean, ``JR = 1``.
        """
        if self.R is not None:
            return self.R[..., None]
        a, b = self.beta_parameters(self.reward_prior)
        if REWARD_BETA_SWAPPED.active:
            a, b = b, a
        if self.sampling == "mean":
            return (a / (a + b))[..., None]
        if REWARD_STAGE_POOLED.active and self.stage_dependent:
            a, b = a.sum(0, keepdims=True) - (self.H - 1) * self.reward_prior, b.sum(0, keepdims=True) - (
                self.H - 1) * self.reward_prior
        JR = 1 if REWARD_ONE_DRAW.active else self.J
        return self.rng.beta(a[..., None], b[..., None], size=a.shape + (JR,))

    def policy(self) -> np.ndarray:
        t0 = time.perf_counter()
        R = self.sample_rewards()
        ptr, idx, W, Wp = self.sample_weights()
        if FIRST_SAMPLE.active:
            W, Wp, R = W[:, :1].copy(), Wp[:, :1].copy(), np.ascontiguousarray(R[..., :1])
        if MEAN_OF_SAMPLES.active:
            W, Wp = _average_sample(ptr, W, Wp)
            R = R.mean(axis=-1, keepdims=True)
        t1 = time.perf_counter()
        backward = backends.pick("learners.max_sample_backward", self.backend)
        self.Q, self.V, pi = backward(ptr, idx, W, Wp, R, self.v_pseudo, self.v_clip, self.stage_dependent)
        self.phase_times["sampling"] += t1 - t0
        self.phase_times["planning"] += time.perf_counter() - t1
        return pi

    @property
    def params(self) -> dict:
        out = dict(J=self.J, kappa=self.kappa, n0=self.n0, r0=self.r0, prior_alpha=self.prior_alpha,
                   stage_dependent=self.stage_dependent, clip=self.clip, sampling=self.sampling,
                   reward_model=self.reward_model)
        if self.reward_model != "known":
            out["reward_prior"] = self.reward_prior
        return out


def _average_sample(ptr: np.ndarray, W: np.ndarray, Wp: np.ndarray):
    """Weights of the average of the ``J`` normalised samples of every row (mutant ``opsrl.mean-of-samples``)."""
    rows = np.repeat(np.arange(len(ptr) - 1), np.diff(ptr))
    tot = Wp.copy()
    np.add.at(tot, rows, W)
    inv = np.divide(1.0, tot, out=np.zeros_like(tot), where=tot > 0)
    return (W * inv[rows]).mean(axis=1, keepdims=True), (Wp * inv).mean(axis=1, keepdims=True)
