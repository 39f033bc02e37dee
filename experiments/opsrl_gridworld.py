r"""The OPSRL paper's grid-world comparison (Tiapkin et al. 2022, experiment ``opsrl_vs_baselines``).

Environment (spec §2.5, rlberry ``GridWorld``): 10 x 10 grid without walls (``S = 100``, ``A = 4``),
start ``(0, 0)``, reward 1 for every step spent in ``(9, 9)``, moves succeed with probability 0.8 and
otherwise go to another valid neighbour; ``H = 50``, ``T = 10^4`` episodes; ``V*_1(s_1) ~= 26.135``
(``mdptheory.envs.gridworld(10, H=50)``).

Agents, as in the paper's configs: OPSRL (``J = 8, kappa = 1, n0 = 1, r0 = 1``, one posterior shared by all
stages, value clip ``H``), PSRL (``J = 1``, ``Dir(1/S)`` prior), UCBVI with the code's Hoeffding bonus
``(H - h) / (2 sqrt(n))`` and UCBVI-B with its Bernstein bonus. Deviation: rewards are known to every
agent (the theory's setting), whereas the official code learns them with a Beta posterior (OPSRL, PSRL)
or empirical means (UCBVI). RLSVI is not included.

Stored per run, every ``EVERY`` episodes: the cumulative **expected** regret (exact policy evaluation)
and the cumulative **realised** regret ``sum_t (V*_1(s_1) - return_t)`` that the paper plots.
The figure is ``paper_figs/opsrl_regret.py``. The ordering claim (OPSRL below UCBVI) is in
:mod:`experiments.opsrl_gridworld_order`, which reuses :func:`run` without the costly PSRL runs;
``opsrl_variant="greedy"`` (its negative control) puts the greedy agent in OPSRL's place.
"""
from __future__ import annotations

import numpy as np

from mdptheory.envs import gridworld
from solvers.learners import OPSRL, PSRL, UCBVI, GreedyPosteriorMean, run as run_learner

NAME = "opsrl-gridworld"
AGENTS = ("OPSRL", "PSRL", "UCBVI", "UCBVI-B")
EVERY = 10

GRID = [{"agent": a, "T": 10_000, "H": 50, "size": 10, "opsrl_variant": "opsrl"} for a in AGENTS]
QUICK_GRID = [{"agent": a, "T": 1000, "H": 50, "size": 10, "opsrl_variant": "opsrl"}
              for a in ("OPSRL", "PSRL", "UCBVI")]
SEEDS = 20
QUICK_SEEDS = 2


def make_agent(name: str, env, rng, variant: str = "opsrl"):
    kw = dict(rewards=env.R, rng=rng, stage_dependent=False)
    if name == "OPSRL" and variant == "greedy":      # negative control of the claim
        return GreedyPosteriorMean(env.S, env.A, env.H, **kw)
    if name == "OPSRL":
        return OPSRL(env.S, env.A, env.H, J=8, kappa=1.0, n0=1.0, r0=1.0, clip="horizon", **kw)
    if name == "PSRL":
        return PSRL(env.S, env.A, env.H, **kw)
    if name == "UCBVI":
        return UCBVI(env.S, env.A, env.H, bonus="hoeffding", constants="experiments", **kw)
    if name == "UCBVI-B":
        return UCBVI(env.S, env.A, env.H, bonus="bernstein", constants="experiments", **kw)
    raise ValueError(f"agent={name!r}, expected one of {AGENTS}")


def run(config: dict, seed: int) -> dict:
    agent_seed, noise_seed = np.random.SeedSequence([seed, 17]).spawn(2)
    env = gridworld(int(config["size"]), H=int(config["H"]))
    agent = make_agent(config["agent"], env, np.random.default_rng(agent_seed), config.get("opsrl_variant", "opsrl"))
    tr = run_learner(agent, env, int(config["T"]), rng=np.random.default_rng(noise_seed))
    idx = np.arange(EVERY - 1, tr.n_episodes, EVERY)
    out = {"episode": (idx + 1).astype(float), "regret": tr.cumulative_regret[idx],
           "realised_regret": np.cumsum(tr.v_star - tr.returns)[idx],
           "final_regret": float(tr.cumulative_regret[-1]), "v_star": tr.v_star, "wall": tr.wall_time}
    out.update({f"time_{k}": float(v) for k, v in tr.phase_times.items()})
    return out


CLAIMS: list = []   # the ordering claim lives in experiments/opsrl_gridworld_order.py (no PSRL runs)
