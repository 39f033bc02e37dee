r"""MDP-GapE is (eps, delta)-correct, and its confidence bounds hold (Jonsson et al. 2020; spec checks 8, 9).

Each run plans once from the root of a fresh instance with the **theory** thresholds
(:func:`solvers.tree_search.theory_thresholds`) at the given depth ``H`` and accuracy ``eps``, ``delta = 0.1``,
under a budget ``cap`` (a few times the largest real run; a run that reaches it keeps its current
recommendation and bounds, which both claims still judge: the bounds hold at every time and the
recommendation's regret is what it is), and records against the exact ``Q*_H`` of
:func:`mdptheory.generative.q_star` (independent dense backward induction):

- ``regret`` = ``max_a Q*_H(s0, a) - Q*_H(s0, a_hat)``;
- ``violation`` = ``max_a max(L(a) - Q*_H(a), Q*_H(a) - U(a))`` of the final root bounds (``<= 0`` when they
  hold), and ``stopped``, ``calls``.

Instances (``instance`` key): ``"trap"`` (:func:`experiments._mdpgape_common.trap`: the optimal risky action
pays only through a rare transition; see there why it traps an over-confident planner) and ``"garnet"``
(the paper's lazy Garnet family, ``S = 100,000``, ``K = 5``, ``B = 2``, ``gamma = 0.7``, a new one per run).

Claims
------
``mdpgape-delta-correct``: in every (instance, eps, H) group of >= 200 runs, the fraction with
``regret > eps`` is at most ``delta`` (exact one-sided binomial test). Informative: ``eps`` is below the
a-priori range of the simple regret (``sum_{i<H} gamma^i``). Rejects the stopping rule on ``L(challenger)``
(it stops at once) and, on the trap, the thresholds shrunk by 100 (extra control ``threshold_scale = 0.01``).

``mdpgape-bounds-valid``: in every group the fraction of runs whose final root bounds miss ``Q*_H`` is at most
``delta`` (the confidence event of the proof, exact binomial test; slack = a few ulps of rounding, see
``_SLACK``). Rejects the slips that bias the bounds: the discount applied one step late, an unvisited pair
worth one reward fewer.
"""
from __future__ import annotations

import numpy as np

from bounds.checks import below
from bounds.mdpgape import MDPGAPE_CORRECTNESS, MDPGAPE_EVENT
from mdptheory.generative import GenerativeOracle, q_star
from solvers.tree_search import mdp_gape

from ._mdpgape_common import garnet, per_group, run_seeds, trap
from .claims import Claim

NAME = "mdpgape-correctness"

_TRAP = {"instance": "trap", "p": 0.3, "r_safe": 0.05, "gamma": 0.7, "H": 2, "eps": 0.1, "delta": 0.1,
         "thresholds": "theory", "runs": 50, "cap": 5_000}
_GARNET = {"instance": "garnet", "S": 100_000, "H": 2, "eps": 0.5, "delta": 0.1, "thresholds": "theory",
           "runs": 50, "cap": 5_000}
QUICK_GRID = [_TRAP, _GARNET]
GRID = [_TRAP, _GARNET, dict(_TRAP, p=0.25, r_safe=0.15, H=3, cap=50_000), dict(_GARNET, eps=0.25, cap=50_000),
        dict(_GARNET, H=3, eps=0.5, cap=50_000)]
QUICK_SEEDS = 4          # x 50 runs = 200 runs per group
SEEDS = 10               # x 50 runs = 500 runs per group

#: Rounding slack of a bound check: the bounds and Q* are sums of ``O(H)`` terms each exact to a few ulps of
#: values at most ``sum gamma^i <= H``; 1e-12 is ~4000 ulps of the largest value and 1e9 times below the
#: smallest violation that matters (the widths at stopping are >= 1e-3).
_SLACK = 1e-12
_GROUPS = ["instance", "eps", "H"]


def _model(config: dict, instance_seed: int):
    if config["instance"] == "trap":
        return trap(float(config["p"]), float(config["r_safe"]), float(config.get("gamma", 0.7)))
    if config["instance"] == "garnet":
        return garnet(config, instance_seed)
    raise ValueError(f"instance={config['instance']!r}, expected 'trap' or 'garnet'")


def run(config: dict, seed: int) -> dict:
    H, eps, delta = int(config["H"]), float(config["eps"]), float(config["delta"])
    out = {k: [] for k in ("regret", "violation", "calls", "stopped", "vmax")}
    for inst, rng in run_seeds(seed, config["runs"]):
        model = _model(config, inst)
        q = q_star(model, H)
        res = mdp_gape(GenerativeOracle(model, budget=int(config["cap"])), eps, delta, H=H,
                       thresholds=config["thresholds"], threshold_scale=float(config.get("threshold_scale", 1.0)),
                       rng=rng)
        out["regret"].append(q.max() - q[res.action])
        out["violation"].append(max(np.max(res.root_lower - q), np.max(q - res.root_upper)))
        out["calls"].append(res.calls)
        out["stopped"].append(res.status == "stopped")
        out["vmax"].append((1 - model.gamma ** H) / (1 - model.gamma))
    return {k: np.asarray(v, dtype=float) for k, v in out.items()}


def _flat(rows, col: str) -> np.ndarray:
    return np.concatenate(list(rows[col]))


def _correct(rows):
    eps = float(rows["eps"].iloc[0])
    return below(_flat(rows, "regret"), eps, float(rows["delta"].iloc[0]), trivial=_flat(rows, "vmax"))


def _valid(rows):
    return below(_flat(rows, "violation"), 0.0, float(rows["delta"].iloc[0]), atol=_SLACK,
                 trivial=_flat(rows, "vmax"))


def check_correct(df):
    """Every (instance, eps, H) group: P(regret > eps) <= delta, exact binomial test."""
    return per_group(df, _GROUPS, _correct)


def check_valid(df):
    """Every group: P(the final root bounds miss Q*_H) <= delta, exact binomial test."""
    return per_group(df, _GROUPS, _valid)


CLAIMS = [
    Claim(name="mdpgape-delta-correct", experiment=NAME, bound=MDPGAPE_CORRECTNESS, check=check_correct,
          mutants=("mdp-gape-stopping.stop-lower-challenger",),
          algorithms=("mdp-gape", "mdp-gape-stopping"),
          control={"threshold_scale": 0.01},
          description="With the theory thresholds MDP-GapE's recommendation is eps-optimal for Q*_H with "
                      "probability >= 1 - delta: over >= 200 runs per (instance, eps, H), on a trap instance and on "
                      "the paper's Garnets, an exact binomial test of P(regret > eps) <= 0.1. eps is below the "
                      "simple regret's range, so the bound binds; the thresholds shrunk by 100 fail on the trap."),
    Claim(name="mdpgape-bounds-valid", experiment=NAME, bound=MDPGAPE_EVENT, check=check_valid,
          mutants=("mdp-gape.discount-late", "mdp-gape.depth-off-by-one"),
          algorithms=("mdp-gape", "mdp-gape-stopping"),
          description="At the stopping time the KL upper and lower bounds of every root action contain the exact "
                      "Q*_H (the event of the correctness proof) in all but a delta fraction of runs (exact binomial "
                      "test, slack 1e-12 for rounding)."),
]
