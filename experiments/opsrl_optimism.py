r"""OPSRL optimism: the sampled value at the start state dominates ``V*`` with probability ``1 - delta``.

The key step of Tiapkin et al. (2022)'s analysis: with the Theorem-1 parameters (inflation ``kappa``,
``n0`` prior pseudo-counts on a pseudo-state worth ``r0 = 2`` per step, ``J`` samples with the max inside
backward induction), the OPSRL value is optimistic, ``V̄^t_1(s_1) >= V*_1(s_1)`` for every episode ``t``,
on an event of probability ``>= 1 - delta`` (the anti-concentration inequality makes one inflated sample
optimistic with a constant probability; the max of ``J ~ log(SAHT/delta)`` samples then fails with
probability ``<= delta / (SAHT)``). Parameters from :func:`solvers.learners.opsrl_theory_parameters`
([R] recalled formulas, ``c0 = 0``, ``cJ ~= 12.1``).

Each run: one random stage-dependent Garnet (``branching = 2``, drawn from the seed), ``T`` episodes of
the agent; stored per seed: ``worst_gap = max_t (V*_1 - V̄^t_1)`` (optimism failed at some episode iff
``> 0``) and the fraction of optimistic episodes.

Claim ``opsrl-optimism``: the number of seeds whose run was *ever* non-optimistic is consistent with
``Binomial(n, delta)`` (exact one-sided binomial test, ``bounds.checks.below``; the union over episodes
makes this stricter than a per-episode statement). Control ``agent="psrl"``: a single non-inflated
posterior sample without pseudo-state is optimistic only about half of the time, so almost every seed
has a failure, rejected.
"""
from __future__ import annotations

import numpy as np

from bounds.checks import below
from bounds.opsrl import OPSRL_REGRET
from mdptheory.envs import garnet
from solvers.learners import OPSRL, PSRL, run as run_learner

from .claims import Claim

NAME = "opsrl-optimism"
DELTA = 0.1

GRID = [{"S": S, "A": A, "H": H, "T": 1000, "agent": "opsrl-theory", "delta": DELTA}
        for S, A, H in ((3, 2, 3), (5, 2, 5), (8, 3, 5))]
QUICK_GRID = [{"S": 3, "A": 2, "H": 3, "T": 150, "agent": "opsrl-theory", "delta": DELTA}]
SEEDS = 100
QUICK_SEEDS = 30


def run(config: dict, seed: int) -> dict:
    """One Garnet, ``T`` episodes; optimism of the agent's value at the start state."""
    env_seed, agent_seed, noise_seed = np.random.SeedSequence([seed, 11]).spawn(3)
    S, A, H, T = (int(config[k]) for k in ("S", "A", "H", "T"))
    env = garnet(S, A, 2, rng=np.random.default_rng(env_seed), H=H)
    rng = np.random.default_rng(agent_seed)
    if config["agent"] == "opsrl-theory":
        agent = OPSRL.theory(S, A, H, rewards=env.R, T=T, delta=float(config["delta"]), rng=rng)
    elif config["agent"] == "psrl":
        agent = PSRL(S, A, H, rewards=env.R, rng=rng, stage_dependent=True)
    else:
        raise ValueError(f"agent={config['agent']!r}, expected 'opsrl-theory' or 'psrl'")
    tr = run_learner(agent, env, T, rng=np.random.default_rng(noise_seed))
    gap = tr.v_star - tr.value_estimates
    return {"worst_gap": float(gap.max()), "frac_optimistic": float(np.mean(gap <= 1e-9)),
            "J": int(agent.J), "kappa": float(agent.kappa), "n0": float(agent.n0)}


def check_optimism(df):
    """Seeds with some non-optimistic episode: at most a ``delta`` fraction (binomial test)."""
    return below(df["worst_gap"].to_numpy(), 0.0, float(df["delta"].iloc[0]), atol=1e-9)


CLAIMS = [
    Claim(name="opsrl-optimism", experiment=NAME, bound=None, check=check_optimism, control={"agent": "psrl"},
          description="With the Theorem-1 parameters the OPSRL value at the start state is >= V* in every episode "
                      "for all but a delta fraction of seeds; one plain posterior sample (PSRL) is rejected.",
          source=f"Tiapkin et al. (2022), OPSRL, optimism step of the proof of Theorem 1 [R]; bound "
                 f"{OPSRL_REGRET.name} relies on it"),
]
