"""Figure 1(d) of R2PVI (Tang, Liu & Xu, ICML 2025): the American put option (spec sections 2.5(b), 2.6).

Per run (seed = the official replication ``rep``, the paper's 3): the official data of that replication
(:func:`experiments.r2pvi_streams.option_problem`: ``s0 ~ U[95, 105]`` from seed ``rep``, then N = 100
never-exercise trajectories whose price moves come from seed 1 in *every* replication, spec 2.7 item 8),
on the nominal price lattice (p0 = 0.5, H = 20, d = 30 hat features; ``mdptheory.envs.american_put``);
the exercise payoff is known, the continuation value regressed (features of "exercise" are 0). The
learners see the training lattice and the official test lattice (``s0 = 99.17``, seed 1) as one state
space, so the learned policy is defined on both. Each policy is scored at up-probability p in
{0.2, 0.4, 0.6, 0.8, 1.0} on the test lattice twice: ``values`` its exact expected return, ``values_mc``
the official test score (100 episodes from seed 1: the same paths for every replication, item 8;
:func:`~experiments.r2pvi_streams.option_test_return`). Hyperparameters as the code: beta = 0.1, ridge 1.

``version="paper"``: l1 bonus, no clip (rewards are not in [0, 1]), TV threshold min over all states,
DRPVI with the exact min. ``version="official"``: l2 bonus (item 1), continuation capped at H - h (item 7),
TV threshold over sampled next states (item 5), DRPVI's min dropped. The strike/sample-size alias (item 6)
is harmless at N = 100 and is not reproduced.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from mdptheory.envs.american_put import american_put
from mdptheory.offline import collect_tabular, constant_policy, replication_rng
from solvers import policy_evaluation
from solvers.offline import OFFICIAL_CODE, fit

from . import r2pvi_streams

NAME = "r2pvi-american-put"
PS = (0.2, 0.4, 0.6, 0.8, 1.0)
#: The figure's curves, in drawing order: ``(method, lam or rho)``.
METHODS = [("pevi", None)] + [("r2pvi-tv", lam) for lam in (1.0, 3.0, 5.0)] + \
    [("drpvi", rho) for rho in (0.2, 0.1, 0.025)]
GRID = [{"method": m, "param": p, "version": v} for v in ("paper", "official") for m, p in METHODS]
QUICK_GRID = GRID
SEEDS = 3
QUICK_SEEDS = 2
CLAIMS: list = []


def option_problem(N: int, d: int, seed: int, H: int = 20):
    """(AmericanPut, OfflineDataset, reward table (H, S, 2)) for replication ``seed`` from the suite's own
    stream (the timing experiment; the figure uses the official streams)."""
    rng = replication_rng(3, seed)
    env = american_put(0.5, d=d, H=H, rng=rng)
    S = env.mdp.S
    feats = np.zeros((S, 2, d))
    feats[:, 0] = env.features                     # hold: hat features of the price; exercise: 0
    data = collect_tabular(env.mdp, feats, constant_policy(H, S, 2, 0), N, rng)
    return env, data, env.mdp.R


def fit_option(method: str, param, data, reward, version: str = "paper", beta: float = 0.1, ridge: float = 1.0):
    """Train ``method`` with radius/regulariser ``param`` and the known exercise payoff ``reward``.

    ``"pevi"`` is run as pessimistic LSVI with the known reward (the data are never-exercise, so a joint
    regression of ``r + V`` would never see the payoff; the official code adds it the same way); its bonus
    is the Mahalanobis one in both versions. ``version="official"`` adds the official preset and this
    script's clip (continuation capped at ``H - h``); the paper version uses the l1 bonus and no clip
    (payoffs exceed 1).
    """
    official = version == "official"
    opts: dict = dict(beta=beta, ridge=ridge, reward=reward, clip="continuation_upper" if official else "none")
    if method == "pevi":
        return fit("lsvi", data, bonus="mahalanobis", **opts)
    opts.update(OFFICIAL_CODE[method] if official else {"bonus": "l1"})
    if method.startswith("r2pvi"):
        opts["lam"] = param
    elif method in ("drpvi", "drvi-l"):
        opts["rho"] = param
    return fit(method, data, **opts)


@lru_cache(maxsize=8)
def _problem(seed: int) -> r2pvi_streams.OptionProblem:
    return r2pvi_streams.option_problem(seed)


@lru_cache(maxsize=16)
def _test_mdp(p: float, s0: float, H: int):
    """The test lattice at up-probability ``p`` (cached: every replication is tested from the same s0)."""
    return american_put(p, s0=s0, d=1, H=H).mdp


def run(config: dict, seed: int) -> dict:
    prob = _problem(int(seed))
    res = fit_option(config["method"], config["param"], prob.data, prob.reward, config.get("version", "paper"))
    policy = prob.test_policy(res.policy)
    values = [policy_evaluation(_test_mdp(p, prob.test.s0, prob.test.mdp.H), policy).V[0, 0] for p in PS]
    values_mc = [r2pvi_streams.option_test_return(prob, res.policy, p) for p in PS]
    return {"values": np.array(values), "values_mc": np.array(values_mc), "s0": prob.train.s0,
            "wall_time": res.wall_time}
