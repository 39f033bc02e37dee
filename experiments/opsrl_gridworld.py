r"""The OPSRL paper's grid-world comparison as the official code runs it (Tiapkin et al. 2022, experiment
``opsrl_vs_baselines`` of ``d-tiapkin/optimistic-psrl-experiments``).

Environment (``config/envs/env_gridworld.yaml``, rlberry ``GridWorld``): 10 x 10 grid without walls (``S = 100``,
``A = 4``), start ``(0, 0)``, reward 1 for every step spent in ``(9, 9)``, moves succeed with probability 0.8
and otherwise go to another valid neighbour; ``H = 50``, ``T = 10^4`` episodes (``fit_budget``);
``V*_1(s_1) ~= 26.135`` (``mdptheory.envs.gridworld(10, H=50)``). Runs: the official experiment fits every
agent ``n_fit = 4`` times (rlberry's ``experiment_generator`` default, not overridden by the README's
commands), so the full grid has 4 seeds per agent, the paper's number of runs.

Agents (``agent``), all with one estimate shared by the stages (``stage_dependent: False``), as in the
official configs:

- ``"OPSRL"`` (``opsrl08.yaml``): ``J = 8``, optimistic pseudo-state with ``n0 = 1``, ``kappa = 1``, ``r0 = 1``,
  value clip ``H``;
- ``"PSRL"`` (``psrl.yaml``): ``J = 1``, ``Dir(1/S)`` prior, value clip ``H``;
- ``"UCBVI"`` / ``"UCBVI-B"`` (``ucbvi.yaml`` / ``ucbviB.yaml``): Hoeffding ``(H - h) / (2 sqrt(n))`` / Bernstein
  ``sqrt(Var/n) + (H - h)/n`` bonuses; with ``ucbvi_implementation="official-code"`` (the full grid) the
  code's bookkeeping (per-stage bonus table, uniform ``p̂`` for untried pairs, ``V <= H``), with
  ``"algorithm"`` Azar et al.'s Algorithm 2 with the same constants (clip ``H - h``);
- ``"RLSVI"`` (``rlsvi.yaml`` -> rlberry v0.3.0 ``RLSVIAgent``): the code's perturbation ``2 r̂ + N(0, σ^2)``
  (``perturbation="official-code"``, the curve the paper shows), and ``"RLSVI-centred"``: RLSVI itself,
  ``r̂ + N(0, σ^2)``.

Rewards (``rewards``): ``"learned"`` as the official code (Beta posterior on Bernoullised rewards for OPSRL
and PSRL, sampled jointly with the transitions; empirical means for UCBVI and RLSVI), or ``"known"`` (the
analysis' setting: every agent plans with the true mean rewards). Either way the regret is measured against
the known model: ``V*`` and every ``V^{pi_t}`` are computed exactly with the true mean rewards.

Stored per run, every ``EVERY`` episodes: the cumulative **expected** regret ``sum_t (V*_1(s_1) -
V^{pi_t}_1(s_1))`` (exact policy evaluation) and the cumulative **realised** regret ``sum_t (V*_1(s_1) -
return_t)`` that the paper plots. The figure is ``paper_figs/opsrl_regret.py``. The ordering claim (OPSRL below
UCBVI) is in :mod:`experiments.opsrl_gridworld_order`, which reuses :func:`run` with its own (known-reward,
Algorithm 2) configurations; ``opsrl_variant="greedy"`` (its negative control) puts the greedy agent in
OPSRL's place.
"""
from __future__ import annotations

import numpy as np

from mdptheory.envs import gridworld
from solvers.learners import OPSRL, PSRL, RLSVI, UCBVI, GreedyPosteriorMean, run as run_learner

NAME = "opsrl-gridworld"
AGENTS = ("OPSRL", "PSRL", "UCBVI", "UCBVI-B", "RLSVI", "RLSVI-centred")
EVERY = 10
#: Independent runs per agent in the official experiment (rlberry ``experiment_generator``'s ``--n_fit``).
PAPER_RUNS = 4

_OFFICIAL = {"H": 50, "size": 10, "opsrl_variant": "opsrl", "ucbvi_implementation": "official-code"}
# ordered so that a partial run has the most informative pairs first: OPSRL and PSRL with both reward
# models, then the baselines as the official code runs them, then the baselines with known rewards
GRID = ([dict(_OFFICIAL, agent=a, rewards=rw, T=10_000) for a in ("OPSRL", "PSRL") for rw in ("learned", "known")]
        + [dict(_OFFICIAL, agent=a, rewards=rw, T=10_000) for rw in ("learned", "known") for a in AGENTS[2:]])
QUICK_GRID = ([dict(_OFFICIAL, agent=a, rewards="learned", T=500) for a in AGENTS]
              + [dict(_OFFICIAL, agent=a, rewards="known", T=500) for a in ("OPSRL", "PSRL")])
SEEDS = PAPER_RUNS
QUICK_SEEDS = 2


def make_agent(name: str, env, rng, variant: str = "opsrl", rewards: str = "known",
               ucbvi_implementation: str = "algorithm"):
    """The agent ``name`` of the official experiment on ``env`` (see the module docstring)."""
    if rewards not in ("known", "learned"):
        raise ValueError(f"rewards={rewards!r}, expected 'known' or 'learned'")
    learned = rewards == "learned"
    kw = dict(rewards=None if learned else env.R, rng=rng, stage_dependent=False)
    posterior = {"reward_model": "beta-bernoulli"} if learned else {}
    empirical = {"reward_model": "empirical"} if learned else {}
    if name == "OPSRL" and variant == "greedy":      # negative control of the ordering claim
        return GreedyPosteriorMean(env.S, env.A, env.H, **kw, **posterior)
    if name == "OPSRL":
        return OPSRL(env.S, env.A, env.H, J=8, kappa=1.0, n0=1.0, r0=1.0, clip="horizon", **kw, **posterior)
    if name == "PSRL":
        return PSRL(env.S, env.A, env.H, **kw, **posterior)
    if name in ("UCBVI", "UCBVI-B"):
        return UCBVI(env.S, env.A, env.H, bonus="hoeffding" if name == "UCBVI" else "bernstein",
                     constants="experiments", implementation=ucbvi_implementation, **kw, **empirical)
    if name in ("RLSVI", "RLSVI-centred"):
        return RLSVI(env.S, env.A, env.H, perturbation="official-code" if name == "RLSVI" else "centred",
                     **kw, **empirical)
    raise ValueError(f"agent={name!r}, expected one of {AGENTS}")


def run(config: dict, seed: int) -> dict:
    agent_seed, noise_seed = np.random.SeedSequence([seed, 17]).spawn(2)
    env = gridworld(int(config["size"]), H=int(config["H"]))
    agent = make_agent(config["agent"], env, np.random.default_rng(agent_seed), config.get("opsrl_variant", "opsrl"),
                       config.get("rewards", "known"), config.get("ucbvi_implementation", "algorithm"))
    tr = run_learner(agent, env, int(config["T"]), rng=np.random.default_rng(noise_seed))
    idx = np.arange(EVERY - 1, tr.n_episodes, EVERY)
    out = {"episode": (idx + 1).astype(float), "regret": tr.cumulative_regret[idx],
           "realised_regret": np.cumsum(tr.v_star - tr.returns)[idx],
           "final_regret": float(tr.cumulative_regret[-1]), "v_star": tr.v_star, "wall": tr.wall_time}
    out.update({f"time_{k}": float(v) for k, v in tr.phase_times.items()})
    return out


CLAIMS: list = []   # the ordering claim lives in experiments/opsrl_gridworld_order.py (no PSRL runs)
