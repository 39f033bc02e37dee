"""Figures 1(a)-(c) of R2PVI (Tang, Liu & Xu, ICML 2025): offline learners on the 5-state simulated linear
MDP, evaluated in perturbed target environments (spec r2pvi_drrpo.md sections 2.5(a), 2.6, 2.7).

Per run (seed = the official replication ``rep``): the official dataset of that replication (K = 100
trajectories of the uniform behaviour in the nominal model, delta = 0.3, ||xi||_1 = 0.2 or 0.3, p = 0.001),
drawn from the official code's own random stream (:func:`experiments.r2pvi_streams.linear_dataset`, the
paper's seeds 0..19); one learner; then the learned policy's value in every target environment
q = 0, 0.1, ..., 1 twice: ``values`` its *exact* expected return (policy evaluation), ``values_mc`` the
official test score (100 episodes from the official test stream of the replication,
:func:`~experiments.r2pvi_streams.linear_test_return`), which is what the paper plots. Hyperparameters as
the code: beta = 1, ridge 0.1.

``version`` selects the options:

- ``"paper"``: l1 bonus, Q clipped to [0, H-h], TV threshold min over all states, chi2 dual maximised
  exactly, DRPVI maximised exactly with the min over states;
- ``"official"``: the official code's choices (spec 2.7, :data:`solvers.offline.OFFICIAL_CODE`): l2 bonus
  (item 1), upper clip only (item 2), chi2 *minimised* (item 4) and chi2/DRPVI searched by Nelder-Mead
  from H/2 (``alpha_solver="nelder-mead"``), TV threshold = min over sampled next states (item 5), DRPVI's
  min dropped (fail state), V forced to 0 at the fail state x4 (``fail_states=[3]``). With these options
  the runs reproduce the official ``main.py`` curves (its ``result__0.1.pdf``) to the ~1e-6 the PDF stores.

Figure groups: ``fig="1a"`` (PEVI, R2PVI-TV/KL/chi2 at lam = 0.1 and DRPVI with the official ``main.py``
radius table: rho = 0.1 on factor 4 at step 1, 0 elsewhere), ``"1b"`` (R2PVI-TV, lam in
{0.1, 0.2, 0.3, 0.6}, ||xi||_1 = 0.3), ``"1c"`` (DRPVI over rho and R2PVI-TV over lam in linspace(0, 1, 10),
read at q = 0.9).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from mdptheory.envs.linear_sim import simulated_linear_mdp
from solvers import policy_evaluation
from solvers.offline import OFFICIAL_CODE, fit

from .r2pvi_streams import linear_dataset, linear_test_return

NAME = "r2pvi-linear-sim"
#: Perturbations q = x / 10 as the official script computes them.
QS = np.array([x / 10 for x in range(11)])
VERSIONS = ("paper", "official")
#: Fig. 1(a)'s DRPVI radius table of the official ``main.py``: ``Rho = [[0, 0, 0, rho], [0, 0, 0, 0]]``
#: (rows = steps 1, 2; the last step has no dual), i.e. only the goal factor at step 1 is perturbed.
RHO_TABLE_1A = "step1-goal"


def _configs(version: str) -> list[dict]:
    out = [{"fig": "1a", "method": m, "lam": 0.1, "xi_norm": 0.2, "version": version}
           for m in ("pevi", "r2pvi-tv", "r2pvi-kl", "r2pvi-chi2")]
    out.append({"fig": "1a", "method": "drpvi", "rho": 0.1, "rho_table": RHO_TABLE_1A, "xi_norm": 0.2,
                "version": version})
    out += [{"fig": "1b", "method": "r2pvi-tv", "lam": lam, "xi_norm": 0.3, "version": version}
            for lam in (0.1, 0.2, 0.3, 0.6)]
    grid = [float(x) for x in np.round(np.linspace(0.0, 1.0, 10), 6)]
    out += [{"fig": "1c", "method": "drpvi", "rho": r, "xi_norm": 0.2, "version": version} for r in grid]
    out += [{"fig": "1c", "method": "r2pvi-tv", "lam": lam, "xi_norm": 0.2, "version": version} for lam in grid]
    return out


GRID = _configs("paper") + _configs("official")
_QUICK_1C = (0.0, 0.333333, 0.666667, 1.0)
QUICK_GRID = [c for c in GRID if c["fig"] in ("1a", "1b") or c.get("rho", c.get("lam")) in _QUICK_1C]
#: The paper's 20 replications (official seeds 0..19); quick: the first 4.
SEEDS = 20
QUICK_SEEDS = 4
CLAIMS: list = []


def learner_options(method: str, version: str) -> dict:
    """The learner's options for ``version``: none (paper) or the official preset plus this script's clip
    (upper only) and its fail state x4 (value forced to 0)."""
    if version == "paper":
        return {}
    return {**OFFICIAL_CODE[method], "clip": "upper", "fail_states": [3]}


def rho_of(config: dict, H: int = 3, d: int = 4):
    """DRPVI's radius: the scalar ``rho`` for every (step, factor), or the official ``main.py`` table."""
    if config.get("rho_table") == RHO_TABLE_1A:
        table = np.zeros((H, d))
        table[0, 3] = float(config["rho"])
        return table
    return float(config["rho"])


@lru_cache(maxsize=64)
def _target(xi_norm: float, q: float):
    """Tabular target environment (cached: the same 11 models serve every run)."""
    return simulated_linear_mdp(xi_norm=xi_norm, q=q).to_tabular()


@lru_cache(maxsize=64)
def _dataset(seed: int, xi_norm: float):
    """The official dataset of replication ``seed`` (cached: every learner of a replication shares it)."""
    return linear_dataset(seed, K=100, xi_norm=xi_norm)


def run(config: dict, seed: int) -> dict:
    version = config.get("version", "paper")
    if version not in VERSIONS:
        raise ValueError(f"version={version!r} is not known; use one of {VERSIONS}")
    xi_norm = float(config["xi_norm"])
    model = simulated_linear_mdp(xi_norm=xi_norm)
    data = _dataset(int(seed), xi_norm)
    method = config["method"]
    kw = dict(beta=1.0, ridge=0.1, **learner_options(method, version))
    if method != "pevi":
        kw["theta"] = model.theta
    if method.startswith("r2pvi"):
        kw["lam"] = float(config["lam"])
    elif method == "drpvi":
        kw["rho"] = rho_of(config)
    res = fit(method, data, **kw)
    values = np.array([policy_evaluation(_target(xi_norm, float(q)), res.policy).V[0, 0] for q in QS])
    values_mc = np.array([linear_test_return(res.policy, float(q), int(seed), xi_norm=xi_norm) for q in QS])
    return {"values": values, "values_mc": values_mc, "value_q0": float(values[0]),
            "value_q09": float(values[9]), "value_q09_mc": float(values_mc[9]), "wall_time": res.wall_time}
