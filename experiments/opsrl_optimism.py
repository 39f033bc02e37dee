r"""OPSRL's optimism with the experiments' parameters (``J = 8``), paired against PSRL's.

The mechanism of Tiapkin et al. (2022) (optimism step of the proof of Theorem 1): the max over ``J``
independent posterior samples inside backward induction makes the planned value optimistic,
``V̄^t_1(s_1) >= V*_1(s_1)``, far more often than one sample does. Backward induction with the row-wise
max dominates the optimal value of each of the ``J`` sampled models (``V̄ >= max_j V^{M_j}``), so OPSRL is
non-optimistic only when all ``J`` models are: with one sample optimistic about half of the time (PSRL), the
amplification is ~``2^J``.

Each run (one seed) plays OPSRL (``J = 8, kappa = 1, n0 = 1, r0 = 1``, one posterior shared by the stages,
as in the paper's experiments) and PSRL on the same RiverSwim (``S = 4, H = 6`` quick) with the same environment
noise, ``T`` episodes each, and stores for each agent the fraction of *late* episodes (``t > T/2``) whose
start value is not optimistic, ``mu0 . V̄^t_1 < V*_1``. Late, because early on OPSRL's pseudo-state makes
every agent with it optimistic through the prior alone (the Theorem-1 parameters, ~5,000 pseudo-counts,
do so for any affordable ``T``: the claim that used them could not fail).

Claim ``opsrl-optimism``: on significantly more than half of the seeds, OPSRL's late non-optimism frequency
is at most a quarter of PSRL's (exact one-sided sign test over seeds, ties dropped, ``alpha = 0.05``). The
factor 4 is the amplification of *two* independent samples each failing half of the time, far below the
``2^8`` of ``J = 8``: a conservative margin, not a fitted one. Measured on the quick grid (10 seeds,
``T = 600``): OPSRL never non-optimistic late, PSRL 55% on average (10/10 seeds won, p = 0.001). Rejects the
max replaced by the first sample (0/10 seeds won) or by the average of the samples (4/10), and the
pessimistic pseudo-state ``r0 = 0`` (never optimistic).
"""
from __future__ import annotations

import numpy as np

from mdptheory.envs import riverswim
from solvers.learners import OPSRL, PSRL, run as run_learner

from ._learner_common import paired_greater, seed_streams
from .claims import Claim

NAME = "opsrl-optimism"
MARGIN = 4.0
ALPHA = 0.05

GRID = [{"S": 4, "H": 6, "T": 600}, {"S": 4, "H": 8, "T": 1000}, {"S": 6, "H": 12, "T": 2000}]
QUICK_GRID = [{"S": 4, "H": 6, "T": 600}]
SEEDS = 30
QUICK_SEEDS = 10


def run(config: dict, seed: int) -> dict:
    """OPSRL (experiments' parameters) and PSRL on the same RiverSwim and noise; late non-optimism of each."""
    S, H, T = (int(config[k]) for k in ("S", "H", "T"))
    env = riverswim(S, H=H)
    opsrl_rng, psrl_rng = seed_streams(seed, 11, 2)
    noise = np.random.SeedSequence([seed, 12])
    out = {}
    for name, agent in (("opsrl", OPSRL(S, 2, H, rewards=env.R, J=8, kappa=1.0, n0=1.0, r0=1.0, rng=opsrl_rng)),
                        ("psrl", PSRL(S, 2, H, rewards=env.R, rng=psrl_rng))):
        tr = run_learner(agent, env, T, rng=np.random.default_rng(noise))      # same environment noise stream
        late = tr.value_estimates[T // 2:]
        out[f"nonopt_{name}"] = float(np.mean(late < tr.v_star - 1e-9))
        out[f"regret_{name}"] = float(tr.regret.sum())
    return out


def check_optimism(df):
    """Sign test over seeds: OPSRL's late non-optimism frequency <= PSRL's / MARGIN on most seeds."""
    v = paired_greater(df["nonopt_psrl"].to_numpy() / MARGIN, df["nonopt_opsrl"].to_numpy(), alpha=ALPHA,
                       what=f"PSRL's late non-optimism / {MARGIN:g} > OPSRL's")
    v.details["mean_nonopt_opsrl"] = float(df["nonopt_opsrl"].mean())
    v.details["mean_nonopt_psrl"] = float(df["nonopt_psrl"].mean())
    v.details["summary"] = (f"non-optimistic late: OPSRL {df['nonopt_opsrl'].mean():.3f}, PSRL "
                            f"{df['nonopt_psrl'].mean():.3f}; {v.details['k']}/{v.details['n']} seeds, "
                            f"p {v.details['pvalue']:.2g}")
    return v


CLAIMS = [
    Claim(name="opsrl-optimism", experiment=NAME, bound=None, check=check_optimism,
          mutants=("opsrl.first-sample", "opsrl.mean-of-samples", "opsrl.r0-zero"),
          description="With the experiments' parameters (J = 8, kappa = 1, n0 = 1) OPSRL's start value is "
                      "non-optimistic in the late episodes at most a quarter as often as PSRL's, on significantly "
                      "more than half of the seeds (paired: same RiverSwim, same noise; exact sign test); one "
                      "sample instead of the max over J, or their average, is rejected.",
          source="Tiapkin et al. (2022), OPSRL, optimism step of the proof of Theorem 1 (max over J samples) [R]"),
]
