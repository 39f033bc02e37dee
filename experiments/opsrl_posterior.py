r"""Posterior correctness of OPSRL and PSRL: the planned values are draws from the exact Dirichlet posterior.

What is claimed (Tiapkin et al. 2022, Algorithm 1; Osband et al. 2013 for PSRL): before episode ``t``,
each ``(h, s, a)`` plans with ``max_{j <= J} p̃_j · V̄_{h+1}``, the ``p̃_j`` i.i.d. from the *inflated*
posterior ``Dir(ᾱ / kappa)``, ``ᾱ = (n_h(·|s,a) + prior_alpha, n0)``, the last coordinate the pseudo-state
worth ``r0 (H - h - 1)`` at stage ``h + 1`` (0-based). PSRL is ``J = 1, kappa = 1, n0 = 0`` and the
``Dir(1/S)`` prior.

How it is tested exactly. The MDP (:func:`experiments._learner_common.binary_reward_mdp`) pays
``s mod 2`` at the last stage, so every agent plans at stage ``H - 2`` with the two-valued
``V̄_{H-1}(s') = s' mod 2`` and a pseudo-state worth ``r0 = 1``: ``Q̄_{H-2}(s,a) - r(s,a) = max_j p̃_j(B)``,
``B`` = odd states plus the pseudo-state. By the aggregation property ``p̃_j(B) ~ Beta(a1/kappa, a0/kappa)``
with ``a1 = ᾱ(B)``, ``a0 = ᾱ(B^c)``, so ``u = I_x(a1/kappa, a0/kappa)^J`` (``x`` the planned value,
``I`` the regularised incomplete Beta function) is ``U(0, 1)``, given the past, for every row of every
episode: the ``u`` of a run are i.i.d. uniform. ``a1, a0`` are computed from the trajectories the
*environment* produced (the oracle seam), by independent code, with the configured ``kappa, n0,
prior_alpha, r0, J``. Rows whose exact posterior is a point mass (``a0 = 0``: only the pseudo-state and
odd states seen; ``a1 = 0``) must plan exactly ``x = 1`` or ``0``.

Claims ``opsrl-posterior`` and ``psrl-posterior``: the pooled ``u`` of the agent pass the exact mean,
dispersion and chi-square tests of :func:`experiments._learner_common.uniformity_verdict` (family-wise
``alpha = 0.01``), and no degenerate row is off. OPSRL runs with ``kappa = 3, n0 = 2, J = 8`` (with
``kappa = 1`` an inflation bug would be invisible), one posterior shared by all stages and stage-dependent
posteriors; PSRL in both modes. Informative in every regime: the test is exact at any sample size; the
quick grid (``S = 6, A = 2, H = 3``, ``T = 200``, 1 seed per mode) gives 3,241 OPSRL and 4,800 PSRL
transforms (measured: z_mean -0.62 and 0.01, z_disp 0.08 and 1.40, chi-square p 0.93 and 0.68); all 20 mutants
of OPSRL, PSRL and the shared counts are rejected (``verify opsrl-posterior psrl-posterior --quick --power``:
168 jobs, 27 s wall at load 3). With ``T = 100`` and 2 seeds the weakest rejection, PSRL's prior ``1/A``
instead of ``1/S``, had z_disp = -8.4.

Learnt rewards (``rewards="learned"`` configs, the official code's ``reward_model="beta-bernoulli"``). The
rewards of the binary-reward MDP are 0 or 1, so Bernoullising them changes nothing and the reward posterior
of every row is ``Beta(1 + successes, 1 + failures)`` with the counts rebuilt from the rewards the
*environment* returned (pooled over the stages for a shared posterior). At the last stage ``V̄_H = 0`` and the
pseudo-state is worth 0, so the planned value is the max of the ``J`` reward samples alone,
``Q̄_{H-1}(s,a) = max_j r̃^j``, and ``u = I_x(1 + successes, 1 + failures)^J`` is ``U(0, 1)`` for every row of
every episode (the reward posterior is not inflated: the code has no ``kappa``). Transforms of the two kinds
(transitions at ``H - 2`` with known rewards, rewards at ``H - 1`` with learnt ones) are tested separately,
each at ``alpha / 2``. Quick grid, learnt rewards: 4,800 reward transforms per agent (measured: OPSRL z_mean
-0.76, z_disp 0.50, chi-square p 0.62; PSRL 0.08, 1.61, 0.33); the weakest rejection of a reward bug, the
stage-pooled reward sample, has z_mean = -16.9.

Rejects (see ``docs/learners.md``): a wrong sample law (inflation ignored or inverted, prior not inflated,
``n0`` scaled, PSRL's prior ``1/A``, a kept pseudo-state, the posterior mean, a cached sample), a wrong
planning step at ``H - 2`` (first sample or the average instead of the max, the pseudo-state's value
``r0 = 0`` or ``r0 H``) and wrong counts (last transition dropped, stage shifted, ``s``/``s'`` swapped, a
stale support), since the counts are rebuilt from the environment's trajectories; with learnt rewards, a
wrong reward posterior (Beta counts swapped; PSRL's posterior-mean reward), one reward draw shared by the
``J`` samples, and a reward sample pooled over the stages of a stage-dependent posterior.
"""
from __future__ import annotations

import dataclasses

import numpy as np
from scipy.special import betainc

from solvers.learners import OPSRL, PSRL, run as run_learner

from ._learner_common import Recorder, RecordingOracle, binary_reward_mdp, seed_streams, transition_counts, \
    uniformity_verdict
from .claims import Claim

NAME = "opsrl-posterior"
ALPHA = 0.01

_OPSRL = {"agent": "opsrl", "J": 8, "kappa": 3.0, "n0": 2.0, "r0": 1.0}
_PSRL = {"agent": "psrl", "J": 1, "kappa": 1.0, "n0": 0.0, "r0": 1.0}
_ENV = {"S": 6, "A": 2, "H": 3, "branching": 3}
QUICK_GRID = [dict(_ENV, **agent, stage_dependent=sd, rewards=rw, T=200) for agent in (_OPSRL, _PSRL)
              for sd in (False, True) for rw in ("known", "learned")]
GRID = (QUICK_GRID
        + [dict(_ENV, **agent, stage_dependent=sd, rewards=rw, T=400) for agent in (_OPSRL, _PSRL)
           for sd in (False, True) for rw in ("known", "learned")]
        + [dict(_ENV, **dict(_OPSRL, J=J, kappa=kappa, n0=n0), stage_dependent=False, rewards="known", T=200)
           for J, kappa, n0 in ((1, 1.0, 1.0), (8, 1.0, 1.0), (37, 5.0, 10.0))])
SEEDS = 6
QUICK_SEEDS = 1     # one longer run per config: the quick jobs with the mutant controls stay within 200
LAST = "stage H-2"


def make_agent(config: dict, S: int, A: int, H: int, R: np.ndarray, rng: np.random.Generator):
    """OPSRL with the configured ``J, kappa, n0, r0``, or PSRL with its own defaults (``Dir(1/S)``, ``J = 1``);
    known rewards ``R`` or the official code's Beta-Bernoulli reward posterior (``config["rewards"]``)."""
    sd = bool(config["stage_dependent"])
    rw = {"rewards": R} if config.get("rewards", "known") == "known" else {"reward_model": "beta-bernoulli"}
    if config["agent"] == "opsrl":
        return OPSRL(S, A, H, J=int(config["J"]), kappa=float(config["kappa"]), n0=float(config["n0"]),
                     r0=float(config["r0"]), stage_dependent=sd, rng=rng, **rw)
    if config["agent"] == "psrl":
        return PSRL(S, A, H, stage_dependent=sd, rng=rng, **rw)
    raise ValueError(f"agent={config['agent']!r}, expected 'opsrl' or 'psrl'")


def beta_parameters(counts: np.ndarray, odd: np.ndarray, prior_alpha: float, n0: float, kappa: float) -> tuple:
    """``(a1, a0)`` of ``p̃(B) ~ Beta(a1, a0)`` under ``Dir((counts + prior_alpha, n0) / kappa)``, ``B`` = the
    next states where ``odd`` is true plus the pseudo-state; ``counts (..., S)``."""
    alpha = counts + prior_alpha
    a1 = (alpha * odd).sum(-1) + n0
    a0 = (alpha * ~odd).sum(-1)
    return a1 / kappa, a0 / kappa


def max_beta_pit(x: np.ndarray, a1: np.ndarray, a0: np.ndarray, J: int) -> np.ndarray:
    """``P[max of J i.i.d. Beta(a1, a0) <= x] = I_x(a1, a0)^J`` (``a1, a0 > 0``)."""
    return betainc(a1, a0, np.clip(x, 0.0, 1.0)) ** J


def reward_counts(trajectories: list, S: int, A: int, H: int, stage_dependent: bool) -> tuple[np.ndarray, np.ndarray]:
    """``(successes, failures)``, each ``(T, S, A)``: the 0/1 rewards of the last stage's rows before each episode,
    from the rewards the environment returned (pooled over the stages for a shared posterior), by plain loops."""
    succ, fail = np.zeros((len(trajectories), S, A)), np.zeros((len(trajectories), S, A))
    n1, n0 = np.zeros((S, A)), np.zeros((S, A))
    for t, traj in enumerate(trajectories):
        succ[t], fail[t] = n1, n0
        for h in range(H):
            if stage_dependent and h != H - 1:
                continue
            r = float(traj.rewards[h])
            if r not in (0.0, 1.0):
                raise ValueError(f"reward {r} is not binary: the exact Beta posterior needs 0/1 rewards")
            (n1 if r == 1.0 else n0)[traj.states[h], traj.actions[h]] += 1.0
    return succ, fail


def run(config: dict, seed: int) -> dict:
    """One agent on one binary-reward MDP for ``T`` episodes; the transforms ``u`` of its stage-``H-2`` values
    (known rewards) or of its last-stage values (learnt rewards)."""
    env_rng, agent_rng, noise_rng = seed_streams(seed, 29, 3)
    S, A, H, T = (int(config[k]) for k in ("S", "A", "H", "T"))
    env = binary_reward_mdp(S, A, H, int(config["branching"]), env_rng)
    agent = make_agent(config, S, A, H, env.R, agent_rng)
    oracle, rec = RecordingOracle(env), Recorder(agent)
    run_learner(rec, None, T, rng=noise_rng, oracle=oracle)
    sd = bool(config["stage_dependent"])
    if config.get("rewards", "known") == "learned":
        succ, fail = reward_counts(oracle.trajectories, S, A, H, sd)
        x = np.array([q[H - 1] for q in rec.Qs])                                      # (T, S, A): max_j r̃^j
        u = max_beta_pit(x, 1.0 + succ, 1.0 + fail, int(config["J"])).ravel()
        return {"u": u, "mismatches": 0, "n_degenerate": 0, "mean_x": float(x.mean()),
                "mean_posterior_mass": float((succ + fail).mean() + 2.0)}
    h = H - 2
    counts = transition_counts(oracle.trajectories, S, A, H, sd)[:, h if sd else 0]     # (T, S, A, S)
    # PSRL's configuration is its documented default, checked here against the paper's prior Dir(1/S)
    prior = 1.0 / S if config["agent"] == "psrl" else 0.0
    odd = (np.arange(S) % 2).astype(bool)
    a1, a0 = beta_parameters(counts, odd, prior, float(config["n0"]), float(config["kappa"]))
    x = np.array([q[h] for q in rec.Qs]) - env.R[h]                                    # (T, S, A)
    if float(config["r0"]) != 1.0:
        raise ValueError("the exact Beta law needs the pseudo-state worth r0 = 1 one step before the end")
    ok = (a1 > 0) & (a0 > 0)
    exact = np.where(a0 == 0, 1.0, 0.0)                   # point masses: all on B (x = 1) or all off it (x = 0)
    off = ~ok & (np.abs(x - exact) > 1e-12)
    u = max_beta_pit(x[ok], a1[ok], a0[ok], int(config["J"]))
    return {"u": u, "mismatches": int(off.sum()), "n_degenerate": int((~ok).sum()),
            "mean_x": float(x.mean()), "mean_posterior_mass": float((a1 + a0).mean() * float(config["kappa"]))}


def _check(agent: str):
    def check(df):
        rows = df[df["agent"] == agent]
        if len(rows) == 0:
            raise ValueError(f"no {agent} rows in the results")
        kinds = rows["rewards"] if "rewards" in rows.columns else np.full(len(rows), "known")
        verdicts = []
        for kind, what in (("known", f"{agent} transition PIT at {LAST}"),
                           ("learned", f"{agent} learnt-reward PIT at stage H-1")):
            part = rows[np.asarray(kinds) == kind]
            if len(part):
                verdicts.append(uniformity_verdict(np.concatenate(list(part["u"])), int(part["mismatches"].sum()),
                                                   int(part["n_degenerate"].sum()), alpha=ALPHA / 2, what=what))
        return _worst(verdicts)
    check.__name__ = f"check_{agent}_posterior"
    check.__doc__ = f"{agent}: the transforms of the planned stage-(H-2) values are U(0, 1) (exact tests)."
    return check


def _worst(verdicts: list):
    """The failing verdict if any (else the one with the smallest p-value), its summary naming every part."""
    worst = min(verdicts, key=lambda v: (v.passed, v.details["pvalue"]))
    if len(verdicts) == 1:
        return worst
    details = dict(worst.details, summary="; ".join(v.details["summary"] for v in verdicts))
    expl = " | ".join([worst.explanation] + [v.explanation for v in verdicts if v is not worst])
    return dataclasses.replace(worst, explanation=expl, details=details)


check_opsrl_posterior = _check("opsrl")
check_psrl_posterior = _check("psrl")

_COUNT_BUGS = ("learners.last-transition-dropped", "learners.stage-shift", "learners.reversed-transition",
               "learners.stale-support")
CLAIMS = [
    Claim(name="opsrl-posterior", experiment=NAME, bound=None, check=check_opsrl_posterior,
          mutants=("opsrl.first-sample", "opsrl.mean-of-samples", "opsrl.n0-scaled", "opsrl.kappa-ignored",
                   "opsrl.kappa-inverted", "opsrl.prior-not-inflated", "opsrl.r0-zero", "opsrl.pseudo-value-constant",
                   "opsrl.reward-beta-swapped", "opsrl.reward-one-draw", "opsrl.reward-stage-pooled", *_COUNT_BUGS),
          description="OPSRL (J = 8, kappa = 3, n0 = 2) plans at stage H-2 with the max of J draws from the exact "
                      "inflated Dirichlet posterior with its pseudo-state: the transforms I_x(a1/kappa, a0/kappa)^J "
                      "pass exact mean, dispersion and chi-square tests of uniformity, counts rebuilt from the "
                      "environment's trajectories; with learnt rewards (the official code's Beta posterior on "
                      "Bernoullised rewards) the last-stage values are the max of J exact Beta draws. Exact at any "
                      "sample size.",
          source="Tiapkin et al. (2022), OPSRL, Algorithm 1 (inflated posterior with pseudo-state) [R]; official code "
                 "algorithms/opsrl/opsrl.py (Beta-Bernoulli rewards sampled jointly) [C]"),
    Claim(name="psrl-posterior", experiment=NAME, bound=None, check=check_psrl_posterior,
          # not learners.stale-support: PSRL's prior puts mass on every next state, its support never changes
          mutants=("psrl.posterior-mean", "psrl.prior-over-actions", "psrl.pseudo-state-kept", "psrl.sample-cached",
                   "psrl.reward-mean", *_COUNT_BUGS[:3]),
          description="PSRL plans at stage H-2 with one draw from the exact Dir(counts + 1/S) posterior: the "
                      "transforms I_x(a1, a0) pass exact mean, dispersion and chi-square tests of uniformity, "
                      "counts rebuilt from the environment's trajectories; with learnt rewards its last-stage values "
                      "are one exact Beta draw. Exact at any sample size.",
          source="Osband et al. (2013), PSRL; the OPSRL experiments' psrl.yaml (Dir(1/S) prior) [C]"),
]
