r"""Shared pieces of the online-learner experiments (OPSRL, PSRL, UCBVI): recorders and exact tests.

- :class:`RecordingOracle` (the run loop's oracle seam, :mod:`solvers.learners.oracle`) keeps every
  trajectory the *environment* produced, so that a check can rebuild the counts with its own code,
  independently of the agent's count update;
- :class:`Recorder` wraps an agent for :func:`solvers.learners.run` and keeps a copy of what the agent
  planned with (``Q``, ``V``) after every ``policy()`` call;
- :func:`transition_counts` rebuilds ``n_h(s'|s,a)`` before every episode from those trajectories, and
  :func:`reward_sums` the sums of the rewards the environment returned (for agents that learn them);
- :func:`binary_reward_mdp`: a random stage-dependent MDP whose last-stage reward is ``s mod 2``, so that
  the optimal value-to-go before the last stage takes the two values ``{0, 1}`` (exact Beta laws);
- :func:`uniformity_verdict`: exact tests that probability-integral transforms are ``U(0, 1)``;
- :func:`paired_greater`: one-sided exact sign test on paired per-seed differences.

None of this module imports the algorithms' internals: it only sees what the run loop and the agent's
documented attributes expose.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import stats

from bounds.checks import Verdict
from mdptheory import EpisodicMDP
from mdptheory.envs import garnet
from solvers.learners import EpisodicOracle, Trajectory

__all__ = ["RecordingOracle", "Recorder", "transition_counts", "reward_sums", "binary_reward_mdp",
           "uniformity_verdict", "paired_greater", "seed_streams"]


def seed_streams(seed: int, salt: int, n: int) -> list[np.random.Generator]:
    """``n`` independent generators from ``(seed, salt)`` (every random thing of a job from its seed)."""
    return [np.random.default_rng(s) for s in np.random.SeedSequence([seed, salt]).spawn(n)]


class RecordingOracle(EpisodicOracle):
    """The default episodic oracle, keeping every trajectory it played (``self.trajectories``)."""

    def __init__(self, env: EpisodicMDP, backend: str = "numba") -> None:
        super().__init__(env, backend=backend)
        self.trajectories: list[Trajectory] = []

    def play(self, policy: np.ndarray, rng: np.random.Generator) -> Trajectory:
        traj = super().play(policy, rng)
        self.trajectories.append(Trajectory(traj.states.copy(), traj.actions.copy(), traj.rewards.copy()))
        return traj


class Recorder:
    """An agent as the run loop sees it, keeping ``Q`` and ``V`` after each ``policy()`` (``self.Qs``, ``self.Vs``)."""

    def __init__(self, agent: Any) -> None:
        self._agent = agent
        self.Qs: list[np.ndarray] = []
        self.Vs: list[np.ndarray] = []

    def policy(self) -> np.ndarray:
        pi = self._agent.policy()
        self.Qs.append(np.array(self._agent.Q, copy=True))
        self.Vs.append(np.array(self._agent.V, copy=True))
        return pi

    def __getattr__(self, name: str) -> Any:          # S, A, H, V, update, params, ...: the agent's own
        return getattr(self._agent, name)


def transition_counts(trajectories: list[Trajectory], S: int, A: int, H: int, stage_dependent: bool) -> np.ndarray:
    """``(T, G, S, A, S)``: the counts ``n(s'|s,a)`` *before* each episode ``t`` (``G = H`` or 1), by plain loops.

    Independent of the agents' count update (kernel or NumPy twin): it is the ground truth a posterior or an
    empirical model must be built from.
    """
    T = len(trajectories)
    G = H if stage_dependent else 1
    out = np.zeros((T, G, S, A, S))
    n = np.zeros((G, S, A, S))
    for t, traj in enumerate(trajectories):
        out[t] = n
        for h in range(H):
            n[h if stage_dependent else 0, traj.states[h], traj.actions[h], traj.states[h + 1]] += 1.0
    return out


def reward_sums(trajectories: list, S: int, A: int, H: int, stage_dependent: bool) -> np.ndarray:
    """``(T, G, S, A)``: the sums of the rewards the environment returned before each episode, by plain loops."""
    G = H if stage_dependent else 1
    out, tot = np.zeros((len(trajectories), G, S, A)), np.zeros((G, S, A))
    for t, traj in enumerate(trajectories):
        out[t] = tot
        for h in range(H):
            tot[h if stage_dependent else 0, traj.states[h], traj.actions[h]] += traj.rewards[h]
    return out


def binary_reward_mdp(S: int, A: int, H: int, branching: int, rng: np.random.Generator) -> EpisodicMDP:
    """Random stage-dependent Garnet dynamics; rewards in ``{0, 1}``, the last stage paying ``s mod 2``.

    Then ``V*_{H-1}(s) = max_a r_{H-1}(s, a) = s mod 2``, and every agent that knows the rewards plans with
    the two-valued ``V̄_{H-1}(s') = s' mod 2`` at stage ``H-2``: its value there is ``r + p̃(B)``, ``B`` the odd
    states (plus an optimistic pseudo-state worth ``r0 = 1`` one step before the end), a Beta variable under
    any Dirichlet posterior (aggregation property).
    """
    if H < 2 or S < 2:
        raise ValueError(f"need H >= 2 and S >= 2, got H = {H}, S = {S}")
    base = garnet(S, A, branching, rng=rng, H=H)
    R = (rng.random((H, S, A)) < 0.5).astype(float)
    R[H - 1] = (np.arange(S) % 2)[:, None]
    return EpisodicMDP(base.P, R, np.full(S, 1.0 / S))


def uniformity_verdict(u: np.ndarray, mismatches: int, n_degenerate: int, *, alpha: float = 0.01,
                       bins: int = 20, what: str = "PIT") -> Verdict:
    """Exact tests that ``u`` are i.i.d. ``U(0, 1)``, and that no degenerate value was off (``mismatches == 0``).

    Three tests, Bonferroni at ``alpha / 3`` each: the mean (``E u = 1/2``, z-test with the exact variance
    ``1/(12 N)``), the dispersion (``E (u - 1/2)^2 = 1/12``, z-test with the exact variance ``1/(180 N)``) and
    the shape (chi-square goodness of fit on ``bins`` equiprobable bins, expected count >= 5 required).
    """
    u = np.asarray(u, dtype=float).ravel()
    N = u.size
    if N < 5 * bins:
        raise ValueError(f"{N} values are too few for a {bins}-bin chi-square test (need >= {5 * bins})")
    if np.any((u < 0) | (u > 1)) or np.isnan(u).any():
        raise ValueError("probability-integral transforms must lie in [0, 1]")
    z_mean = (u.mean() - 0.5) / math.sqrt(1.0 / (12.0 * N))
    z_disp = (np.mean((u - 0.5) ** 2) - 1.0 / 12.0) / math.sqrt(1.0 / (180.0 * N))
    counts = np.histogram(u, bins=bins, range=(0.0, 1.0))[0]
    p_chi = float(stats.chisquare(counts).pvalue)
    p_mean, p_disp = (float(2 * stats.norm.sf(abs(z))) for z in (z_mean, z_disp))
    p_min = min(p_mean, p_disp, p_chi)
    passed = mismatches == 0 and p_min >= alpha / 3
    expl = (f"{what}: {N} values; mean {u.mean():.4f} (z = {z_mean:.2f}, p = {p_mean:.2g}), dispersion "
            f"{np.mean((u - 0.5) ** 2):.4f} vs 1/12 = 0.0833 (z = {z_disp:.2f}, p = {p_disp:.2g}), chi-square "
            f"p = {p_chi:.2g} ({bins} bins); {mismatches}/{n_degenerate} degenerate rows off their exact value; "
            f"{'all' if passed else 'not all'} tests pass at alpha/3 = {alpha / 3:.2g}")
    details = {"n": N, "z_mean": float(z_mean), "z_dispersion": float(z_disp), "p_mean": p_mean,
               "p_dispersion": p_disp, "p_chisquare": p_chi, "pvalue": p_min, "mismatches": int(mismatches),
               "n_degenerate": int(n_degenerate),
               "summary": f"N={N}, z_mean {z_mean:.2f}, z_disp {z_disp:.2f}, chi2 p {p_chi:.2g}, {mismatches} off"}
    return Verdict(bool(passed), p_min, alpha / 3, expl, details)


def paired_greater(a: np.ndarray, b: np.ndarray, *, alpha: float = 0.05, what: str = "a > b") -> Verdict:
    """One-sided exact sign test that paired ``a`` exceeds ``b`` (ties dropped): ``P(a > b) > 1/2``."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.size < 2:
        raise ValueError(f"need >= 2 paired values, got shapes {a.shape} and {b.shape}")
    d = a - b
    k, n = int((d > 0).sum()), int((d != 0).sum())
    p = float(stats.binomtest(k, n, 0.5, alternative="greater").pvalue) if n > 0 else 1.0
    passed = p < alpha
    expl = (f"{what}: {k}/{n} untied pairs with a > b (mean a {a.mean():.3f}, mean b {b.mean():.3f}); exact "
            f"one-sided sign test p = {p:.3g} {'<' if passed else '>='} {alpha:g}")
    return Verdict(bool(passed), float(d.mean()), 0.0, expl,
                   {"pvalue": p, "k": k, "n": n, "mean_a": float(a.mean()), "mean_b": float(b.mean()),
                    "summary": f"{k}/{n} pairs, mean {a.mean():.3f} vs {b.mean():.3f}, p {p:.2g}"})
