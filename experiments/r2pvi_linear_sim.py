"""Figures 1(a)-(c) of R2PVI (Tang, Liu & Xu, ICML 2025): offline learners on the 5-state simulated linear
MDP, evaluated exactly in perturbed target environments (spec r2pvi_drrpo.md sections 2.5(a), 2.6, 2.7).

Per run: K = 100 trajectories of the uniform behaviour policy in the nominal model (delta = 0.3,
||xi||_1 = 0.2 or 0.3, p = 0.001), its own random stream per seed; one learner; then the learned policy's
*exact* expected return in every target environment q = 0, 0.1, ..., 1 (the official code averages 100
test episodes; exact evaluation removes that noise). Hyperparameters as the code: beta = 1, ridge 0.1.

``version`` selects the options:

- ``"paper"``: l1 bonus, Q clipped to [0, H-h], TV threshold min over all states, chi2 dual maximised,
  DRPVI with the exact min over states;
- ``"official"``: the official code's choices (spec 2.7): l2 bonus (item 1), upper clip only (item 2),
  chi2 *minimised* (item 4), TV threshold = min over sampled next states (item 5), DRPVI's min dropped
  (fail state), V forced to 0 at the fail state x4 (``fail_states=[3]``).

Figure groups: ``fig="1a"`` (PEVI and R2PVI-TV/KL/chi2 at lam = 0.1), ``"1b"`` (R2PVI-TV, lam in
{0.1, 0.2, 0.3, 0.6}, ||xi||_1 = 0.3), ``"1c"`` (DRPVI over rho and R2PVI-TV over lam in linspace(0, 1, 10),
read at q = 0.9).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from mdptheory.envs.linear_sim import simulated_linear_mdp
from solvers import policy_evaluation
from solvers.offline import OFFICIAL_CODE

from .offline_truth import dataset_for, learn

NAME = "r2pvi-linear-sim"
QS = np.round(np.linspace(0.0, 1.0, 11), 10)
VERSIONS = ("paper", "official")


def _configs(version: str) -> list[dict]:
    out = [{"fig": "1a", "method": m, "lam": 0.1, "xi_norm": 0.2, "version": version}
           for m in ("pevi", "r2pvi-tv", "r2pvi-kl", "r2pvi-chi2")]
    out += [{"fig": "1b", "method": "r2pvi-tv", "lam": lam, "xi_norm": 0.3, "version": version}
            for lam in (0.1, 0.2, 0.3, 0.6)]
    grid = [float(x) for x in np.round(np.linspace(0.0, 1.0, 10), 6)]
    out += [{"fig": "1c", "method": "drpvi", "rho": r, "xi_norm": 0.2, "version": version} for r in grid]
    out += [{"fig": "1c", "method": "r2pvi-tv", "lam": lam, "xi_norm": 0.2, "version": version} for lam in grid]
    return out


GRID = _configs("paper") + _configs("official")
_QUICK_1C = (0.0, 0.333333, 0.666667, 1.0)
QUICK_GRID = [c for c in GRID if c["fig"] in ("1a", "1b") or c.get("rho", c.get("lam")) in _QUICK_1C]
SEEDS = 20
QUICK_SEEDS = 4
CLAIMS: list = []


def _options(method: str, version: str) -> dict:
    """The learner's options for ``version``: none (paper) or the official preset plus this script's clip
    (upper only) and its fail state x4 (value forced to 0)."""
    if version == "paper":
        return {}
    return {**OFFICIAL_CODE[method], "clip": "upper", "fail_states": [3]}


@lru_cache(maxsize=64)
def _target(xi_norm: float, q: float):
    """Tabular target environment (cached: the same 11 models serve every run)."""
    return simulated_linear_mdp(xi_norm=xi_norm, q=q).to_tabular()


def run(config: dict, seed: int) -> dict:
    version = config.get("version", "paper")
    if version not in VERSIONS:
        raise ValueError(f"version={version!r} is not known; use one of {VERSIONS}")
    model = simulated_linear_mdp(xi_norm=float(config["xi_norm"]))
    data = dataset_for(model, int(config.get("K", 100)), "uniform", 1, seed)
    method = config["method"]
    kw = dict(beta=1.0, ridge=0.1, **_options(method, version))
    if method.startswith("r2pvi"):
        kw["lam"] = float(config["lam"])
    elif method == "drpvi":
        kw["rho"] = float(config["rho"])
    fit = learn(method, data, model, **kw)
    values = np.array([policy_evaluation(_target(float(config["xi_norm"]), float(q)), fit.policy).V[0, 0]
                       for q in QS])
    return {"values": values, "value_q0": float(values[0]), "value_q09": float(values[9]),
            "wall_time": fit.wall_time}
