r"""Regret of the latent-MDP learner (Zhou, Wang & Du, ICML 2023): the sqrt(K) rate of both solvers, and optimism.

The paper is theoretical (no experiments, no code): the instances are ours (:mod:`mdptheory.envs.latent`,
spec section 5.4 [I]). Each run plays ``K`` episodes of one learner on one instance and stores the exact
expected cumulative regret ``sum_k (V* - V^{pi_k})`` (history-tree evaluation, :class:`LatentOracle`) at
log-spaced checkpoints, the optimism record of the learner's own values and ``Var*``
(:func:`solvers.latent.var_star`, for the figure's bound shape). Learners: :mod:`experiments.lmdp_common`
(constants ``c1 = 1``, ``c2 = 0.1``, ``delta = 0.01``, [I]).

Instances (``instance``): ``misleading`` (the first, likelier context punishes the optimal risky action),
``random`` (M = 2, S = 2, A = 2, H = 3, full support), ``hidden`` (two contexts, each with a hidden arm
among four, gap 0.6). The model-optimistic solver runs on ``misleading``, ``hidden`` (and
``random`` in the full grid) with more episodes: its confidence sets make the actions look alike at
first, so it explores later.

Claims
------
``lmdp-regret-rate``: for each solver, the late-phase (``t >= K/4``) log-log slope of the mean regret over
its runs on ``misleading``, ``random`` and ``hidden`` is at most ``1/2 + 0.1`` (upper end of a 95%
bootstrap interval that resamples whole runs). Control: the greedy learner (no bonus), linear on
``misleading``.

``lmdp-optimism``: every run keeps ``V* <= V~_k <= 1`` at every episode (optimism, and the truncation of the
alpha vectors at 1), except with probability at most ``delta = 0.01`` (exact binomial test over runs).
Control: the greedy learner, whose value is an estimate, below ``V*`` half of the time.

"""
from __future__ import annotations

import numpy as np

from bounds.checks import Verdict, below
from bounds.lmdp import REGRET_UPPER
from solvers.latent import var_star

from .claims import Claim
from .lmdp_common import DELTA, curve_slope, late_curves, learn, make_instance

NAME = "lmdp-regret"

_RATE = ("misleading", "random", "hidden")
GRID = ([{"instance": i, "solver": "value", "agent": "lmdp", "K": 4000} for i in _RATE]
        + [{"instance": i, "solver": "model", "agent": "lmdp", "K": 6000} for i in _RATE])
# the model-optimistic solver explores later (its confidence sets make every action look alike at first):
# it gets more episodes for its late phase to be late
QUICK_GRID = ([{"instance": i, "solver": "value", "agent": "lmdp", "K": 2000} for i in _RATE]
              + [{"instance": i, "solver": "model", "agent": "lmdp", "K": 3000} for i in ("misleading", "hidden")])
SEEDS = 8
QUICK_SEEDS = 3

RATE_TOL = 0.1


def run(config: dict, seed: int) -> dict:
    inst_seed, env_seed = np.random.SeedSequence([seed, 17]).spawn(2)
    lmdp = make_instance(config["instance"], np.random.default_rng(inst_seed))
    out = learn(lmdp, config["agent"], config["solver"], int(config["K"]), env_seed)
    out["var_star"] = var_star(lmdp).value
    return out


def _rows(df, instances, solver=None):
    keep = df["instance"].isin(instances)
    if solver is not None:
        keep &= df["solver"] == solver
    rows = df[keep]
    if len(rows) == 0:
        raise ValueError(f"no rows for instances {instances} (solver {solver})")
    return rows


def check_rate(df) -> Verdict:
    """Per solver, the late-phase slope of the mean regret over the rate instances is at most 1/2 + tol
    (upper end of a bootstrap interval over runs)."""
    worst, parts, ok = -np.inf, [], True
    for solver in ("value", "model"):
        t, curves = late_curves(_rows(df, _RATE, solver))
        passed, slope, (lo, hi) = curve_slope(t, curves, 0.5 + RATE_TOL)
        worst, ok = max(worst, hi), ok and passed
        parts.append(f"{solver}-optimistic {slope:.2f} [{lo:.2f}, {hi:.2f}] ({curves.shape[0]} runs)")
    return Verdict(ok, worst, 0.5 + RATE_TOL, "late-phase (t >= K/4) log-log slope of the mean regret, 95% bootstrap "
                   f"CI over runs, upper end must be <= {0.5 + RATE_TOL:g}: " + "; ".join(parts),
                   {"summary": "; ".join(p.split(" (")[0] for p in parts)})


def check_optimism(df) -> Verdict:
    """``V* <= V~_k <= 1`` in every episode of a run, violated in at most a fraction ``DELTA`` of runs."""
    viol = ((df["min_optimism_gap"].to_numpy(float) < -1e-12) | (df["max_value"].to_numpy(float) > 1 + 1e-12))
    v = below(viol.astype(float), 0.5, delta=DELTA)
    v.details["summary"] = f"{int(viol.sum())}/{viol.size} runs leave [V*, 1]"
    return v


_SOURCE = "Zhou, Wang & Du (2023), arXiv:2210.11604, abstract (regret O~(sqrt(Var* M Gamma S A K)))"
CLAIMS = [
    Claim(name="lmdp-regret-rate", experiment=NAME, bound=REGRET_UPPER, check=check_rate,
          mutants=("lmdp-learner.counts-wrong-context", "lmdp-learner.initial-from-last-state"),
          control={"agent": "greedy"}, algorithms=("lmdp-learner",),
          description="Both solvers' expected regret grows at most like sqrt(K) (late-phase log-log slope <= 0.6) on "
                      "a misleading, a random and a hidden-arm LMDP; the greedy learner's linear regret on the "
                      "misleading instance is rejected.",
          source=_SOURCE),
    Claim(name="lmdp-optimism", experiment=NAME, bound=None, check=check_optimism,
          mutants=("lmdp-learner.bonus-no-variance", "lmdp-learner.no-truncation", "lmdp-learner.scaling-twice",
                   "lmdp-learner.root-value-order"),
          control={"agent": "greedy"}, algorithms=("lmdp-learner",),
          description="The learner's optimistic value stays in [V*, 1] in every episode (optimism and the "
                      "truncation at 1 that the horizon-free analysis relies on) in all but a fraction delta = 0.01 "
                      "of runs.",
          source="Zhou, Wang & Du (2023), arXiv:2210.11604, abstract (truncation method); optimism as the "
                 "analysis's key step [D]"),
]
