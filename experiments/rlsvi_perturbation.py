r"""RLSVI's randomized values are exactly the Gaussian perturbation of the empirical model it claims to plan with.

RLSVI (Osband, Van Roy, Wen 2016; Russo 2019), as :class:`solvers.learners.RLSVI` implements it (the OPSRL
paper's baseline, rlberry v0.3.0): each episode, for every stage ``h`` (0-based) and pair ``(s, a)``,

``Q̃_h(s,a) = c r̂(s,a) + p̂(·|s,a) · Ṽ_{h+1} + ξ_h(s,a)``,  ``ξ_h(s,a) ~ N(0, σ_h(s,a)^2)`` independent,
``Ṽ_h(s) = min(max_a Q̃_h(s,a), H)``,

with ``N = n(s,a) + 1``, ``p̂ = (n(·|s,a) + 1/S) / N``, ``r̂`` the known reward or ``(sum of rewards) / N``,
``σ_h = 1/sqrt(N) + (H - h)/N``, and ``c = 1`` (``perturbation="centred"``) or ``c = 2`` (``"official-code"``,
the code's draw centred at ``r̂`` added to ``r̂``).

How it is tested exactly. Each run plays RLSVI on a random binary-reward MDP
(:func:`experiments._learner_common.binary_reward_mdp`, ``S = 6, A = 2, H = 3``) for ``T`` episodes, keeping
the trajectories the *environment* produced and what the agent planned with. Independent code rebuilds
``n``, ``p̂`` and ``r̂`` before every episode from those trajectories (plain loops) and, given the agent's own
``Ṽ_{h+1}`` (which depends only on the noise of later stages), the transform
``u = Φ((Q̃_h(s,a) - c r̂ - p̂ · Ṽ_{h+1}) / σ_h(s,a))`` is ``U(0, 1)`` for every ``(t, h, s, a)``, independent of
the transforms of the later stages. Also checked: ``Ṽ_h = min(max_a Q̃_h, H)`` for every entry (the value cap).

Claim ``rlsvi-perturbation``: the pooled transforms pass the exact mean, dispersion and chi-square tests of
:func:`experiments._learner_common.uniformity_verdict` (each at ``alpha/4``), consecutive stages are
uncorrelated (``E[(u_h - 1/2)(u_{h+1} - 1/2)] = 0`` with the exact variance ``1/(144 N)``, z-test at
``alpha/4``), and no value breaks the cap. Grid: known and learnt rewards, shared and stage-dependent
estimates, both perturbation modes. Exact at any sample size (quick: 16 runs of ``T = 100``, 57,600 transforms).
Rejects the noise scale off by a square root (the variance passed as the standard deviation), the prior
pseudo-count dropped from ``σ``, one noise draw per ``(s, a)`` reused at every stage (caught by the
correlation test alone: each stage's marginal is right) and the mean counted twice in the centred mode.
"""
from __future__ import annotations

import json
import math
import zlib

import numpy as np
from scipy import stats

from bounds.checks import Verdict
from solvers.learners import RLSVI, run as run_learner

from ._learner_common import Recorder, RecordingOracle, binary_reward_mdp, reward_sums, seed_streams, \
    transition_counts, uniformity_verdict
from .claims import Claim

NAME = "rlsvi-perturbation"
ALPHA = 0.01

_ENV = {"S": 6, "A": 2, "H": 3, "branching": 3}
QUICK_GRID = [dict(_ENV, rewards=rw, stage_dependent=sd, perturbation=pt, T=100)
              for rw in ("known", "learned") for sd in (False, True) for pt in ("centred", "official-code")]
GRID = QUICK_GRID + [dict(c, T=400) for c in QUICK_GRID]
SEEDS = 6
QUICK_SEEDS = 2


def run(config: dict, seed: int) -> dict:
    """RLSVI for ``T`` episodes; the transforms ``u`` of all its planned values, stage by stage."""
    # every config draws its own noise: the transforms are functions of the agent's normal draws alone, so configs
    # sharing a seed stream would repeat the same transforms and the pooled sample would not be i.i.d.
    salt = zlib.crc32(json.dumps({k: v for k, v in config.items() if k != "mutant"}, sort_keys=True).encode())
    env_rng, agent_rng, noise_rng = seed_streams(seed, salt, 3)
    S, A, H, T = (int(config[k]) for k in ("S", "A", "H", "T"))
    sd, learned = bool(config["stage_dependent"]), config["rewards"] == "learned"
    env = binary_reward_mdp(S, A, H, int(config["branching"]), env_rng)
    agent = RLSVI(S, A, H, rewards=None if learned else env.R, reward_model="empirical" if learned else "known",
                  perturbation=config["perturbation"], stage_dependent=sd, rng=agent_rng)
    oracle, rec = RecordingOracle(env), Recorder(agent)
    run_learner(rec, None, T, rng=noise_rng, oracle=oracle)
    counts = transition_counts(oracle.trajectories, S, A, H, sd)                 # (T, G, S, A, S)
    sums = reward_sums(oracle.trajectories, S, A, H, sd)                          # (T, G, S, A)
    c = 2.0 if config["perturbation"] == "official-code" else 1.0
    u = np.empty((T, H, S, A))
    cap_off = 0
    for t in range(T):
        Q, V = rec.Qs[t], rec.Vs[t]
        for h in range(H):
            g = h if sd else 0
            N = counts[t, g].sum(-1) + 1.0                                        # (S, A)
            p_hat = (counts[t, g] + 1.0 / S) / N[..., None]
            r_hat = sums[t, g] / N if learned else env.R[h]
            sigma = 1.0 / np.sqrt(N) + (H - h) / N
            u[t, h] = stats.norm.cdf((Q[h] - c * r_hat - p_hat @ V[h + 1]) / sigma)
            cap_off += int(np.sum(np.abs(V[h] - np.minimum(Q[h].max(axis=1), H)) > 1e-12))
    pairs = ((u[:, :-1] - 0.5) * (u[:, 1:] - 0.5)).ravel()                       # consecutive stages, same (s, a)
    return {"u": u.ravel(), "pair_products": pairs, "cap_mismatches": cap_off, "cap_checked": T * H * S}


def check_perturbation(df, alpha: float = ALPHA) -> Verdict:
    """Uniform transforms (3 exact tests at ``alpha/4``), no correlation between consecutive stages (``alpha/4``),
    and the value cap ``Ṽ = min(max_a Q̃, H)`` everywhere."""
    uni = uniformity_verdict(np.concatenate(list(df["u"])), int(df["cap_mismatches"].sum()),
                             int(df["cap_checked"].sum()), alpha=0.75 * alpha, what="RLSVI PIT (values V vs the cap)")
    prod = np.concatenate(list(df["pair_products"]))
    z = prod.mean() / math.sqrt(1.0 / (144.0 * prod.size))                      # Var[(U-1/2)(U'-1/2)] = 1/144
    p_corr = float(2 * stats.norm.sf(abs(z)))
    passed = uni.passed and p_corr >= alpha / 4
    p = min(uni.details["pvalue"], p_corr)
    expl = (f"{uni.explanation}; consecutive stages: mean (u_h - 1/2)(u_h+1 - 1/2) = {prod.mean():.5f} over "
            f"{prod.size} pairs (z = {z:.2f}, p = {p_corr:.2g} vs alpha/4 = {alpha / 4:.2g}); "
            f"{'passes' if passed else 'fails'}")
    details = dict(uni.details, pvalue=p, z_stage_correlation=float(z), p_stage_correlation=p_corr,
                   summary=f"{uni.details['summary']}, stage corr z {z:.2f}")
    return Verdict(bool(passed), p, alpha / 4, expl, details)


CLAIMS = [
    Claim(name="rlsvi-perturbation", experiment=NAME, bound=None, check=check_perturbation,
          mutants=("rlsvi.noise-variance-as-std", "rlsvi.prior-dropped", "rlsvi.noise-shared-stages",
                   "rlsvi.mean-doubled", "learners.last-transition-dropped", "learners.reversed-transition",
                   "learners.stage-shift"),
          description="RLSVI's planned Q-values are c r̂ + p̂ Ṽ_{h+1} + N(0, sigma^2) with sigma = 1/sqrt(n+1) + "
                      "(H-h)/(n+1), independently across (h, s, a): the Gaussian transforms, with the model rebuilt "
                      "from the environment's trajectories, pass exact uniformity tests, consecutive stages are "
                      "uncorrelated and V = min(max_a Q, H). Known and learnt rewards, shared and stage-dependent "
                      "estimates, centred (c = 1) and official-code (c = 2) perturbations.",
          source="Osband, Van Roy & Wen (2016), RLSVI; Russo (2019), tabular RLSVI; the OPSRL experiments' RLSVI "
                 "(rlberry v0.3.0 rlberry/agents/rlsvi/rlsvi.py) [C]"),
]
