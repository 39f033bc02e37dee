r"""UCBVI (Azar, Osband, Munos, ICML 2017, "Minimax Regret Bounds for Reinforcement Learning").

Optimistic value iteration on the empirical model plus a bonus (Azar et al. 2017, Algorithm 1
"UCBVI" calling Algorithm 2 "UCB-Q-values"), stages 0-based here:

``Q_h(s,a) = min(v_clip[h], r_h(s,a) + p̂_h(·|s,a) V_{h+1} + b_h(s,a))`` for visited ``(s,a)``,
``Q_h(s,a) = v_clip[h]`` otherwise, ``V_h = max_a Q_h``, ``V_H = 0``.

Bonuses, with ``n = n_h(s,a)`` and ``L = log(5 S A T_steps / δ)``, ``T_steps = H * n_episodes``
(constants [R]: recalled from the paper, not re-read; they are named arguments):

- ``bonus="hoeffding"`` (UCBVI-CH, Algorithm 3 ``bonus_1``): ``b = 7 H L / sqrt(n)``;
- ``bonus="bernstein"`` (UCBVI-BF, Algorithm 4 ``bonus_2``):
  ``b = sqrt(8 L Var_{p̂}(V_{h+1}) / n) + 14 H L / (3 n)
  + sqrt(8 sum_y p̂(y) min(100^2 H^3 S^2 A L^2 / n'_{h+1}(y), H^2) / n)``,
  ``n'_{h+1}(y)`` the number of visits of ``y`` at stage ``h+1``.

``constants="experiments"`` reproduces the OPSRL code's baselines (``ucbvi.yaml``/``ucbviB.yaml``,
spec §2.5-2.6: no log factors, no constants): Hoeffding ``b = (H - h) / (2 sqrt(n))``, Bernstein
``b = sqrt(Var_{p̂}(V_{h+1}) / n) + (H - h) / n``, values clipped at ``H - h``. The theory version
clips at ``H`` (Azar's ``min(Q, H)``) and drops the monotone ``min(Q_{k-1}, ·)`` of Algorithm 2.
Transitions are estimated per stage or shared (``stage_dependent``; Azar's MDP is stationary).

``implementation="official-code"`` (with ``constants="experiments"``) reproduces the bookkeeping of the
OPSRL code's ``UCBVIAgent`` (``d-tiapkin/optimistic-psrl-experiments``, ``algorithms/ucbviB/ucbviB.py``, planning
with rlberry's ``backward_induction_reward_sd``) instead of Algorithm 2, a deviation from the paper:

- *per-stage bonus update*: the bonus is a table ``B[h, s, a]``, initialised at ``v_max[h] = H - h`` and
  overwritten only when ``(s, a)`` is visited *at stage* ``h``, with the (shared, when ``stage_dependent`` is
  False) count ``n`` right after that step and, for the Bernstein bonus, ``Var_{p̂}(V_{h+1})`` computed at that
  moment from the value the episode was planned with; each bonus is capped at ``v_max[h]``
  (``min(bonus, v_max[h])``) and the variance clipped to ``[0, v_max[h]^2]``;
- *untried pairs*: ``p̂ = uniform(1/S)``, ``r̂ = 0``, so ``Q_h(s,a) = v_max[h] + mean(V_{h+1})`` (plus the
  known reward when rewards are known);
- *value cap*: ``Q_h = r̂ + B_h + p̂ V_{h+1}`` is not clipped; ``V_h = min(max_a Q_h, H)`` at every stage
  (the code's ``vmax = v_max[0]``).

``p̂ = n(s'|s,a) / n`` equals the code's running average ``(1 - 1/n) p̂ + e_{s'}/n`` up to rounding; the
variance is computed in two passes (the code's ``E[V^2] - (E V)^2`` is the same number up to rounding).
Rewards: known by default; ``reward_model="empirical"`` plans with the empirical mean reward (``0`` for
untried pairs), as the code's ``R_hat`` running average.
"""
from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from mdptheory import backends, mutants
from mdptheory.validation import check_positive_int, check_real

from . import _kernels  # noqa: F401  (registers the learners' kernels)
from .base import EpisodicLearner, check_trajectory

__all__ = ["UCBVI", "ucbvi_log_factor"]

# Realistic single bugs of UCBVI (mdptheory.mutants), switched in the arguments passed to the kernel.
BONUS_SIGN = mutants.register("ucbvi", "bonus-sign",
                              "the bonus subtracted instead of added (Hoeffding; Bernstein: its 1/n term)")
BONUS_TENTH = mutants.register("ucbvi", "bonus-tenth", "the whole bonus 10x too small")
INV_N = mutants.register("ucbvi", "inv-n", "the Hoeffding bonus decays like 1/n instead of 1/sqrt(n)")
NO_LOG = mutants.register("ucbvi", "no-log", "the log factor L = log(5 S A T / delta) dropped (L = 1)")
CLIP_PLUS_ONE = mutants.register("ucbvi", "clip-plus-one",
                                 "the value clip one step too large (H - h + 1 with 0-based h; theory: H + 1)")
NO_CORRECTION = mutants.register("ucbvi", "no-correction",
                                 "the Bernstein bonus' third (next-state visit) correction term dropped")
BONUS_ALL_STAGES = mutants.register("ucbvi", "bonus-all-stages",
                                    "official-code bookkeeping: a visit overwrites the stored bonus of (s, a) at every "
                                    "stage instead of only at the stage of the visit")
UNTRIED_NO_TRANSITION = mutants.register("ucbvi", "untried-no-transition",
                                         "official-code bookkeeping: untried pairs planned with p̂ = 0 (Q = r̂ + "
                                         "v_max[h]) instead of the uniform p̂")
REWARD_PSEUDO_COUNT = mutants.register("ucbvi", "reward-pseudo-count",
                                       "empirical rewards averaged over n + 1 observations instead of n")

IMPLEMENTATIONS = ("algorithm", "official-code")


def ucbvi_log_factor(S: int, A: int, H: int, n_episodes: int, delta: float) -> float:
    """``L = log(5 S A T / δ)`` with ``T = H * n_episodes`` steps (Azar et al. 2017, Algorithm 1) [R]."""
    if not 0.0 < delta < 1.0:
        raise ValueError(f"delta must lie in (0, 1), got {delta}")
    return math.log(5.0 * S * A * H * n_episodes / delta)


class UCBVI(EpisodicLearner):
    """UCBVI with Hoeffding (CH) or Bernstein (BF) bonus; see the module docstring.

    Parameters
    ----------
    S, A, H, rewards, rng, stage_dependent, backend
        See :class:`~solvers.learners.base.EpisodicLearner`.
    reward_model : {"known", "empirical"}
        Known mean rewards (default) or the empirical means of the observed rewards (the official code).
    bonus : {"hoeffding", "bernstein"}
    constants : {"theory", "experiments"}
    implementation : {"algorithm", "official-code"}
        Azar et al.'s Algorithm 2 (default) or the OPSRL code's bookkeeping (module docstring; needs
        ``constants="experiments"``).
    n_episodes : int
        Planned number of episodes (enters ``L``; theory only).
    delta : float
        Confidence level (theory only).
    bonus_scale : float
        Multiplies the whole bonus (1 = the formulas above); ``0`` gives the greedy empirical agent.
    """

    name = "UCBVI"
    reward_models = ("known", "empirical")

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, *, bonus: str = "hoeffding",
                 constants: str = "experiments", implementation: str = "algorithm", reward_model: str = "known",
                 n_episodes: int = 10_000, delta: float = 0.1, bonus_scale: float = 1.0,
                 stage_dependent: bool = False, rng=None, backend: str = "numba") -> None:
        super().__init__(S, A, H, rewards, reward_model=reward_model, rng=rng, stage_dependent=stage_dependent,
                         backend=backend)
        if bonus not in ("hoeffding", "bernstein"):
            raise ValueError(f"bonus must be 'hoeffding' or 'bernstein', got {bonus!r}")
        if constants not in ("theory", "experiments"):
            raise ValueError(f"constants must be 'theory' or 'experiments', got {constants!r}")
        if implementation not in IMPLEMENTATIONS:
            raise ValueError(f"implementation must be one of {IMPLEMENTATIONS}, got {implementation!r}")
        if implementation == "official-code" and constants != "experiments":
            raise ValueError("implementation='official-code' needs constants='experiments': the official code has no "
                             "theory constants")
        self.implementation = implementation
        bonus_scale = check_real(bonus_scale, "bonus_scale", low=0.0)
        # checked even where the constants do not use them: they are recorded, and a run must not carry a
        # meaningless delta = 0 into its provenance
        delta = check_real(delta, "delta (confidence level)", low=0.0, high=1.0, low_open=True, high_open=True)
        n_episodes = check_positive_int(n_episodes, "n_episodes")
        self.bonus, self.constants, self.bonus_scale = bonus, constants, bonus_scale
        self.n_episodes, self.delta = n_episodes, delta
        stage_left = H - np.arange(H, dtype=np.float64)
        c = self.bonus_scale
        if constants == "theory":
            self.L = ucbvi_log_factor(S, A, H, n_episodes, delta)
            self.vmax = np.full(H, float(H))
            self.v_clip = np.full(H, float(H))
            # Azar et al. 2017: bonus_1 = 7HL/sqrt(n); bonus_2 constants 8, 14/3, 8, 100^2 [R]
            self.c_hoef, self.c_var, self.c_lin, self.c_corr, self.c_corr_num = 7 * c, 8 * c * c, 14 / 3 * c, 8 * c * c, 1e4
        else:
            self.L = 1.0
            self.vmax = stage_left
            self.v_clip = stage_left.copy()
            self.c_hoef, self.c_var, self.c_lin, self.c_corr, self.c_corr_num = 0.5 * c, c * c, c, 0.0, 0.0
        if implementation == "official-code":
            self.v_clip = np.full(H, float(H))                      # V <= v_max[0] = H at every stage, Q unclipped
            self.bonus_table = np.repeat(self.vmax[:, None, None], S * A).reshape(H, S, A)
        if NO_LOG.active:
            self.L = 1.0
        if CLIP_PLUS_ONE.active:
            self.v_clip = self.v_clip + 1.0
        self.bonus_values: np.ndarray | None = None

    def _inv_next_visits(self) -> np.ndarray:
        """``(H, S)``: ``1 / n'_{h+1}(y)``, visits of ``y`` at stage ``h+1`` (``inf`` if none)."""
        arrivals = self.counts.sum(axis=(1, 2))                    # (G, S): arrivals at stage g+1
        arrivals = np.broadcast_to(arrivals, (self.H, self.S))
        with np.errstate(divide="ignore"):
            return np.ascontiguousarray(1.0 / arrivals)

    def _constants(self):
        """``(bernstein, c_hoef, c_var, c_lin, c_corr)`` as used, with the active bonus mutant applied."""
        bernstein, c_hoef, c_var, c_lin, c_corr = (self.bonus == "bernstein", self.c_hoef, self.c_var, self.c_lin,
                                                   self.c_corr)
        if BONUS_SIGN.active:
            c_hoef, c_lin = -c_hoef, -c_lin
        if BONUS_TENTH.active:                      # the square-root terms carry their constant squared
            c_hoef, c_var, c_lin, c_corr = 0.1 * c_hoef, 0.01 * c_var, 0.1 * c_lin, 0.01 * c_corr
        if NO_CORRECTION.active:
            c_corr = 0.0
        if INV_N.active and not bernstein:          # c L vmax / n: the kernel's Bernstein 1/n term alone
            bernstein, c_var, c_lin, c_corr = True, 0.0, c_hoef, 0.0
        return bernstein, c_hoef, c_var, c_lin, c_corr

    def planning_rewards(self) -> np.ndarray:
        """``(H, S, A)``: the known mean rewards, or the empirical means (``0`` where nothing was observed)."""
        if self.R is not None:
            return self.R
        R_hat = self.empirical_rewards(1.0 if REWARD_PSEUDO_COUNT.active else 0.0)
        return np.ascontiguousarray(np.broadcast_to(R_hat, (self.H, self.S, self.A)))

    def update(self, trajectory) -> None:
        if self.implementation == "official-code":
            states, actions = check_trajectory(trajectory, self.S, self.A, self.H)
            rows = {}                                   # (g, s, a) -> counts row before the episode
            for h in range(self.H):
                key = (h if self.stage_dependent else 0, int(states[h]), int(actions[h]))
                rows.setdefault(key, self.counts[key].copy())
            super().update(trajectory)
            self._update_bonus_table(states, actions, rows)
        else:
            super().update(trajectory)

    def _update_bonus_table(self, states: np.ndarray, actions: np.ndarray, rows: dict) -> None:
        """The official code's per-step bonus update along one episode (module docstring)."""
        bernstein, c_hoef, c_var, c_lin, _ = self._constants()
        for h in range(self.H):
            key = (h if self.stage_dependent else 0, int(states[h]), int(actions[h]))
            row = rows[key]
            row[states[h + 1]] += 1.0                   # the count row right after step h
            n = row.sum()
            if bernstein:
                var = 0.0
                if self.V is not None and h + 1 < self.H:
                    p = row / n
                    v = self.V[h + 1]
                    m = p @ v
                    var = min(max(float(p @ (v - m) ** 2), 0.0), self.vmax[h] ** 2)
                b = math.sqrt(c_var * var / n) + c_lin * self.vmax[h] / n
            else:
                b = c_hoef * self.vmax[h] / math.sqrt(n)
            stages = slice(None) if BONUS_ALL_STAGES.active else h
            self.bonus_table[stages, key[1], key[2]] = min(b, self.vmax[h])

    def policy(self) -> np.ndarray:
        t0 = time.perf_counter()
        R = self.planning_rewards()
        if self.implementation == "official-code":
            return self._policy_official(R, t0)
        ptr, idx, cnt = self._support(self.counts)
        inv_next = self._inv_next_visits() if (self.bonus == "bernstein" and self.c_corr > 0) else np.zeros((self.H, self.S))
        t1 = time.perf_counter()
        backward = backends.pick("learners.ucbvi_backward", self.backend)
        bernstein, c_hoef, c_var, c_lin, c_corr = self._constants()
        self.Q, self.V, self.bonus_values, pi = backward(
            ptr, idx, cnt, R, self.v_clip, self.stage_dependent, bernstein, c_hoef, c_var, c_lin, c_corr,
            self.c_corr_num, self.L, self.vmax, float(self.H), float(self.S), float(self.A), inv_next)
        self.phase_times["sampling"] += t1 - t0
        self.phase_times["planning"] += time.perf_counter() - t1
        return pi

    def _policy_official(self, R: np.ndarray, t0: float) -> np.ndarray:
        """``Q = r̂ + B + p̂ V_{h+1}`` (untried: uniform ``p̂``), ``V = min(max_a Q, H)``: rlberry's
        ``backward_induction_reward_sd``, computed by the one-sample kernel with known weights."""
        weights = self.counts.copy()
        untried = weights.sum(-1) == 0.0
        weights[untried] = 0.0 if UNTRIED_NO_TRANSITION.active else 1.0
        ptr, idx, w = self._support(weights)
        R4 = (R + self.bonus_table)[..., None]
        t1 = time.perf_counter()
        backward = backends.pick("learners.max_sample_backward", self.backend)
        self.Q, self.V, pi = backward(ptr, idx, w[:, None].copy(), np.zeros((len(ptr) - 1, 1)), R4,
                                      np.zeros(self.H + 1), self.v_clip, self.stage_dependent)
        self.bonus_values = self.bonus_table.copy()
        self.phase_times["sampling"] += t1 - t0
        self.phase_times["planning"] += time.perf_counter() - t1
        return pi

    @property
    def params(self) -> dict:
        return dict(bonus=self.bonus, constants=self.constants, implementation=self.implementation, L=self.L,
                    bonus_scale=self.bonus_scale, stage_dependent=self.stage_dependent, reward_model=self.reward_model)
