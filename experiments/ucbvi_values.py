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
tuned. Grid: both bonuses, both constant sets, shared and stage-dependent estimates, known and empirical
rewards. It rejects every error in the bonus (sign, scale, power of ``n``, log factor, correction term), in the
clip, in the counts and in the empirical rewards. It is exact, so informative at any ``T`` where the bonus
matters: the theory constants saturate the clip for small counts (a wrong bonus shows once it falls below the
clip: ~300 visits per pair at ``T = 600``).

The same claim checks ``implementation="official-code"`` (the OPSRL code's ``UCBVIAgent``, ``algorithms/ucbviB/
ucbviB.py``) against :func:`reference_official_q`, an independent replay of that code's bookkeeping from the
environment's trajectories: a bonus table ``B[h, s, a]`` started at ``H - h`` and overwritten only at the stage
of a visit, with the count and (Bernstein) the variance of the planned ``V_{h+1}`` at that step, capped at
``H - h``; untried pairs with a uniform ``p̂`` and ``r̂ = 0``; ``V = min(max_a Q, H)`` with ``Q`` unclipped. It
rejects a bonus written at every stage, untried pairs without the uniform ``p̂``, and empirical rewards
averaged over ``n + 1``.

The optimism claim on the same kind of runs is in :mod:`experiments.ucbvi_optimism`.
"""
from __future__ import annotations

import math

import numpy as np

from bounds.checks import identity
from mdptheory.envs import garnet
from solvers.learners import UCBVI, run as run_learner

from ._learner_common import Recorder, RecordingOracle, reward_sums, seed_streams, transition_counts
from .claims import Claim

NAME = "ucbvi-values"
DELTA = 0.1
N_CHECKPOINTS = 8

_ENV = {"S": 3, "A": 2, "H": 3, "delta": DELTA}
_OFFICIAL = {"constants": "experiments", "implementation": "official-code"}
QUICK_GRID = ([dict(_ENV, bonus=b, constants=c, stage_dependent=sd, T=600)
               for b, c, sd in (("hoeffding", "theory", False), ("bernstein", "theory", False),
                                ("hoeffding", "experiments", True), ("bernstein", "experiments", False))]
              + [dict(_ENV, bonus="hoeffding", constants="experiments", stage_dependent=False, rewards="learned",
                      T=600)]
              + [dict(_ENV, **_OFFICIAL, bonus=b, stage_dependent=sd, rewards=rw, T=600)
                 for b, sd, rw in (("hoeffding", False, "learned"), ("bernstein", True, "learned"),
                                   ("bernstein", False, "known"))])
GRID = QUICK_GRID + [dict(_ENV, S=5, bonus=b, constants=c, stage_dependent=sd, T=3000)
                     for b in ("hoeffding", "bernstein") for c in ("theory", "experiments") for sd in (False, True)] \
    + [dict(_ENV, **_OFFICIAL, S=5, bonus=b, stage_dependent=sd, rewards="learned", T=3000)
       for b in ("hoeffding", "bernstein") for sd in (False, True)]
SEEDS = 4
QUICK_SEEDS = 1     # an exact identity: one run per config rejects every mutant (the quick jobs stay within 200)


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


def reference_official_q(trajectories: list, R: np.ndarray | None, S: int, A: int, H: int, bonus: str,
                         stage_dependent: bool) -> np.ndarray:
    """``(T, H, S, A)``: the ``Q`` the OPSRL code's ``UCBVIAgent`` plans each episode with, replayed from the trajectories.

    Written from the official code's description (see the module docstring), independently of
    :mod:`solvers.learners`: plain loops over the steps of every episode, in order. ``R`` known rewards
    ``(H, S, A)``, or ``None`` for the code's empirical means (``0`` for untried pairs).
    """
    G = H if stage_dependent else 1
    N, counts, rsum = np.zeros((G, S, A)), np.zeros((G, S, A, S)), np.zeros((G, S, A))
    B = np.array([[[float(H - h)] * A for _ in range(S)] for h in range(H)])      # v_max[h] = H - h
    out = np.zeros((len(trajectories), H, S, A))
    for t, traj in enumerate(trajectories):
        V = np.zeros((H + 1, S))                                   # plan with everything seen before episode t
        for h in range(H - 1, -1, -1):
            g = h if stage_dependent else 0
            for s in range(S):
                for a in range(A):
                    n = N[g, s, a]
                    p = counts[g, s, a] / n if n > 0 else np.full(S, 1.0 / S)
                    r = R[h, s, a] if R is not None else (rsum[g, s, a] / n if n > 0 else 0.0)
                    out[t, h, s, a] = r + B[h, s, a] + sum(p[y] * V[h + 1, y] for y in range(S))
                V[h, s] = min(max(out[t, h, s]), float(H))
        for h in range(H):                                         # the code's _update, step by step
            g, s, a, y = (h if stage_dependent else 0), traj.states[h], traj.actions[h], traj.states[h + 1]
            N[g, s, a] += 1
            counts[g, s, a, y] += 1
            rsum[g, s, a] += traj.rewards[h]
            n, vmax = N[g, s, a], float(H - h)
            if bonus == "bernstein":
                var = 0.0
                if h + 1 < H:
                    p = counts[g, s, a] / n
                    mean = sum(p[x] * V[h + 1, x] for x in range(S))
                    var = min(max(sum(p[x] * (V[h + 1, x] - mean) ** 2 for x in range(S)), 0.0), vmax ** 2)
                b = math.sqrt(var / n) + vmax / n
            else:
                b = math.sqrt(1.0 / n) * vmax / 2
            B[h, s, a] = min(b, vmax)
    return out


def run(config: dict, seed: int) -> dict:
    """UCBVI for ``T`` episodes; its ``Q`` at checkpoints with the reference, and its optimism gaps."""
    env_rng, agent_rng, noise_rng = seed_streams(seed, 31, 3)
    S, A, H, T = (int(config[k]) for k in ("S", "A", "H", "T"))
    sd = bool(config["stage_dependent"])
    official = config.get("implementation", "algorithm") == "official-code"
    learned = config.get("rewards", "known") == "learned"
    env = garnet(S, A, 2, rng=env_rng, H=H)
    agent = UCBVI(S, A, H, rewards=None if learned else env.R, reward_model="empirical" if learned else "known",
                  bonus=config["bonus"], constants=config["constants"], n_episodes=T, delta=float(config["delta"]),
                  implementation="official-code" if official else "algorithm", stage_dependent=sd, rng=agent_rng)
    oracle, rec = RecordingOracle(env), Recorder(agent)
    run_learner(rec, None, T, rng=noise_rng, oracle=oracle)
    ts = np.unique(np.linspace(0, T - 1, N_CHECKPOINTS).astype(int))
    if official:
        ref = reference_official_q(oracle.trajectories, None if learned else env.R, S, A, H, config["bonus"], sd)[ts]
    else:
        counts = transition_counts(oracle.trajectories, S, A, H, sd)
        sums = reward_sums(oracle.trajectories, S, A, H, sd)
        n = counts.sum(-1)

        def rewards_at(t: int) -> np.ndarray:            # known, or the empirical means (0 where never observed)
            if not learned:
                return env.R
            mean = np.divide(sums[t], n[t], out=np.zeros_like(sums[t]), where=n[t] > 0)
            return np.broadcast_to(mean, (H, S, A))

        ref = np.array([reference_q(counts[t], rewards_at(t), config["bonus"], config["constants"], T,
                                    float(config["delta"])) for t in ts])
    got = np.array([rec.Qs[t] for t in ts])
    V_bar = np.array(rec.Vs)[:, :H]                                   # (T, H, S) upper values
    gap = optimal_values(env.P, env.R)[:H][None] - V_bar              # V* - V̄ > 0: not optimistic
    clip = float(H) if config["constants"] == "theory" or official else (H - np.arange(H, dtype=float))[None, :, None]
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
                   "ucbvi.no-correction", "ucbvi.bonus-all-stages", "ucbvi.untried-no-transition",
                   "ucbvi.reward-pseudo-count", "learners.last-transition-dropped", "learners.stage-shift",
                   "learners.reversed-transition", "learners.stale-support"),
          description="UCBVI's Q-values at 8 checkpoints per run equal Azar et al.'s Algorithm 2 recomputed by "
                      "independent code from the environment's trajectories (Hoeffding and Bernstein bonuses, theory "
                      "and OPSRL-code constants, shared and stage-dependent estimates, known and empirical rewards), "
                      "and, with implementation='official-code', the OPSRL code's UCBVIAgent replayed step by step "
                      "(per-stage bonus table, uniform p̂ for untried pairs, V <= H), within a rounding tolerance.",
          source="Azar, Osband, Munos (2017), Algorithms 1-4 (UCB-Q-values, bonus_1, bonus_2) [R]; OPSRL code's "
                 "ucbvi.yaml/ucbviB.yaml constants and algorithms/ucbviB/ucbviB.py bookkeeping [C]"),
]
