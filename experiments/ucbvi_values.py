r"""UCBVI's upper values: Azar et al.'s Algorithm 2 recomputed independently, and their optimism.

UCBVI (Azar, Osband, Munos 2017, Algorithm 1 calling Algorithm 2 "UCB-Q-values", bonuses of Algorithms 3
and 4 [R]) plans with ``Q_h(s,a) = min(clip_h, r_h(s,a) + p̂_h(·|s,a) V_{h+1} + b_h(s,a))`` (``clip_h`` for
unvisited pairs), ``V_h = max_a Q_h``. Each run plays UCBVI on a small random stage-dependent Garnet
(``S = 3, A = 2, H = 3``) for ``T`` episodes through :func:`solvers.learners.run`, keeping the trajectories
the *environment* produced (:class:`experiments._learner_common.RecordingOracle`) and what the agent
planned with each episode (:class:`experiments._learner_common.Recorder`).

Claim ``ucbvi-upper-values`` (an identity against independent code): at 8 checkpoints per run the agent's
``Q`` equals Algorithm 2 recomputed by :func:`reference_q` -- plain loops over ``(h, s, a)``, counts rebuilt
from the trajectories, the bonus written from the paper's formulas (``constants="theory"``: Hoeffding
``7 H L / sqrt(n)``, Bernstein ``sqrt(8 L Var/n) + 14 H L/(3n) + sqrt(8 sum_y p̂(y) min(10^4 H^3 S^2 A L^2 /
n'_{h+1}(y), H^2)/n)``, ``L = log(5 S A H T / delta)``, clip ``H``; ``constants="experiments"``: the OPSRL
code's ``(H-h)/(2 sqrt(n))`` and ``sqrt(Var/n) + (H-h)/n``, clip ``H - h``) -- with a rounding tolerance
``64 (S + 8) u (1 + |Q|)`` (a few dozen floating-point operations per entry, ``u`` the unit roundoff), never
tuned. Grid: both bonuses, both constant sets, shared and stage-dependent estimates. It rejects every error in
the bonus (sign, scale, power of ``n``, log factor, correction term), in the clip and in the counts. It is
exact, so informative at any ``T`` where the bonus matters: the theory constants saturate the clip for small
counts (a wrong bonus shows once it falls below the clip: ~300 visits per pair at ``T = 600``).

The optimism claim on the same kind of runs is in :mod:`experiments.ucbvi_optimism`.
"""
from __future__ import annotations

import math

import numpy as np

from bounds.checks import identity
from mdptheory.envs import garnet
from solvers.learners import UCBVI, run as run_learner

from ._learner_common import Recorder, RecordingOracle, seed_streams, transition_counts
from .claims import Claim

NAME = "ucbvi-values"
DELTA = 0.1
N_CHECKPOINTS = 8

_ENV = {"S": 3, "A": 2, "H": 3, "delta": DELTA}
QUICK_GRID = [dict(_ENV, bonus=b, constants=c, stage_dependent=sd, T=600)
              for b, c, sd in (("hoeffding", "theory", False), ("bernstein", "theory", False),
                               ("hoeffding", "experiments", True), ("bernstein", "experiments", False))]
GRID = QUICK_GRID + [dict(_ENV, S=5, bonus=b, constants=c, stage_dependent=sd, T=3000)
                     for b in ("hoeffding", "bernstein") for c in ("theory", "experiments") for sd in (False, True)]
SEEDS = 4
QUICK_SEEDS = 2


def optimal_values(P: np.ndarray, R: np.ndarray) -> np.ndarray:
    """``V*_h (H+1, S)`` by backward induction (``P (H, S, A, S)``)."""
    H, S, _ = R.shape
    V = np.zeros((H + 1, S))
    for h in range(H - 1, -1, -1):
        V[h] = (R[h] + P[h] @ V[h + 1]).max(axis=1)
    return V


def reference_q(counts: np.ndarray, R: np.ndarray, bonus: str, constants: str, n_episodes: int,
                delta: float) -> np.ndarray:
    """Azar et al. (2017) Algorithm 2 with the bonus of Algorithm 3 (Hoeffding) or 4 (Bernstein), from counts.

    ``counts (G, S, A, S)`` with ``G = H`` (stage-dependent estimates) or ``1`` (shared); see the module
    docstring for the constants. Written independently of :mod:`solvers.learners` (plain loops).
    """
    H, S, A = R.shape
    G = counts.shape[0]
    theory = constants == "theory"
    L = math.log(5.0 * S * A * H * n_episodes / delta) if theory else 1.0
    arrivals = counts.sum(axis=(1, 2))                    # (G, S): n'_{h+1}(y), visits of y after a stage-g step
    V = np.zeros((H + 1, S))
    Q = np.zeros((H, S, A))
    for h in range(H - 1, -1, -1):
        g = h if G == H else 0
        clip = float(H) if theory else float(H - h)
        for s in range(S):
            for a in range(A):
                n = counts[g, s, a].sum()
                if n == 0:
                    Q[h, s, a] = clip
                    continue
                p = counts[g, s, a] / n
                mean = float(p @ V[h + 1])
                if bonus == "hoeffding":
                    b = (7.0 * H * L if theory else 0.5 * (H - h)) / math.sqrt(n)
                else:
                    var = float(p @ (V[h + 1] - mean) ** 2)
                    if theory:
                        corr = sum(p[y] * (H * H if arrivals[g, y] == 0 else
                                           min(1e4 * H**3 * S**2 * A * L**2 / arrivals[g, y], H * H))
                                   for y in range(S))
                        b = math.sqrt(8 * L * var / n) + 14 * H * L / (3 * n) + math.sqrt(8 * corr / n)
                    else:
                        b = math.sqrt(var / n) + (H - h) / n
                Q[h, s, a] = min(clip, R[h, s, a] + mean + b)
        V[h] = Q[h].max(axis=1)
    return Q


def run(config: dict, seed: int) -> dict:
    """UCBVI for ``T`` episodes; its ``Q`` at checkpoints with the reference, and its optimism gaps."""
    env_rng, agent_rng, noise_rng = seed_streams(seed, 31, 3)
    S, A, H, T = (int(config[k]) for k in ("S", "A", "H", "T"))
    sd = bool(config["stage_dependent"])
    env = garnet(S, A, 2, rng=env_rng, H=H)
    agent = UCBVI(S, A, H, rewards=env.R, bonus=config["bonus"], constants=config["constants"], n_episodes=T,
                  delta=float(config["delta"]), stage_dependent=sd, rng=agent_rng)
    oracle, rec = RecordingOracle(env), Recorder(agent)
    run_learner(rec, None, T, rng=noise_rng, oracle=oracle)
    counts = transition_counts(oracle.trajectories, S, A, H, sd)
    ts = np.unique(np.linspace(0, T - 1, N_CHECKPOINTS).astype(int))
    ref = np.array([reference_q(counts[t], env.R, config["bonus"], config["constants"], T, float(config["delta"]))
                    for t in ts])
    got = np.array([rec.Qs[t] for t in ts])
    V_bar = np.array(rec.Vs)[:, :H]                                   # (T, H, S) upper values
    gap = optimal_values(env.P, env.R)[:H][None] - V_bar              # V* - V̄ > 0: not optimistic
    clip = float(H) if config["constants"] == "theory" else (H - np.arange(H, dtype=float))[None, :, None]
    below_clip = (V_bar < clip - 1e-12)[:, : H - 1]                   # h <= H-2: optimism not forced there
    return {"q_agent": got.ravel(), "q_reference": ref.ravel(),
            "q_tol": (64 * (S + 8) * np.finfo(float).eps * (1 + np.abs(ref))).ravel(),
            "worst_gap": float(gap.max()), "frac_below_clip": float(below_clip.mean()),
            "frac_optimistic": float(np.mean(gap.max(axis=(1, 2)) <= 1e-9))}


def check_identity(df):
    """Every checkpointed ``Q`` equals the independent Algorithm 2 within the rounding tolerance."""
    return identity(np.concatenate(list(df["q_agent"])), np.concatenate(list(df["q_reference"])),
                    atol=np.concatenate(list(df["q_tol"])))


CLAIMS = [
    Claim(name="ucbvi-upper-values", experiment=NAME, bound=None, check=check_identity,
          mutants=("ucbvi.bonus-sign", "ucbvi.bonus-tenth", "ucbvi.inv-n", "ucbvi.no-log", "ucbvi.clip-plus-one",
                   "ucbvi.no-correction", "learners.last-transition-dropped", "learners.stage-shift",
                   "learners.reversed-transition", "learners.stale-support"),
          description="UCBVI's Q-values at 8 checkpoints per run equal Azar et al.'s Algorithm 2 recomputed by "
                      "independent code from the environment's trajectories (Hoeffding and Bernstein bonuses, theory "
                      "and OPSRL-code constants, shared and stage-dependent estimates), within a rounding tolerance.",
          source="Azar, Osband, Munos (2017), Algorithms 1-4 (UCB-Q-values, bonus_1, bonus_2) [R]; OPSRL code's "
                 "ucbvi.yaml/ucbviB.yaml constants [C]"),
]
