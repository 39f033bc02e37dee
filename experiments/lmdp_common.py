"""Shared pieces of the latent-MDP experiments (Zhou, Wang & Du, ICML 2023): agents, instances, one learning run.

The paper has no experiments and no code: every instance is ours ([I], :mod:`mdptheory.envs.latent`). The
learners run with the constants :data:`C1`, :data:`C2` (named, provenance [I]: the paper's values were not
retrieved) and confidence :data:`DELTA`; ``iota = 2 ln(2 M S A H K / delta)`` is the paper's log term.

It is a helper module of the experiments (no ``NAME``), not an experiment.
"""
from __future__ import annotations

import numpy as np

from mdptheory.envs.latent import hidden_arm_lmdp, misleading_lmdp, noisy_lmdp, random_lmdp
from mdptheory.latent import LatentMDP
from solvers.latent.learner import GreedyLMDP, HoeffdingLMDP, HorizonFreeLMDP, LatentOracle
from solvers.learners import run as run_learner

__all__ = ["C1", "C2", "C_H", "DELTA", "AGENTS", "make_agent", "make_instance", "learn", "checkpoints",
           "late_curves", "curve_slope"]

#: Bernstein constants of the experiments ([I]): c1 on the variance term, c2 on the 1/n term.
C1, C2 = 1.0, 0.1
#: Hoeffding constant of the pre-horizon-free baseline ``c_h H sqrt(iota / n)``.
C_H = 0.3
#: Confidence level of the learners (enters iota; the optimism claim tests P(violation) <= DELTA).
DELTA = 0.01
AGENTS = ("lmdp", "greedy", "hoeffding")


def make_agent(agent: str, solver: str, lmdp: LatentMDP, K: int):
    """The learner ``agent`` ("lmdp": Bernstein, "greedy": no bonus, "hoeffding": ``c_h H sqrt(iota/n)``)."""
    kw = dict(rewards=lmdp.R, n_episodes=K, delta=DELTA, c1=C1, c2=C2, c_h=C_H)
    if agent == "lmdp":
        return HorizonFreeLMDP(lmdp.S, lmdp.A, lmdp.H, solver=solver, **kw)
    if agent == "greedy":
        return GreedyLMDP(lmdp.S, lmdp.A, lmdp.H, **kw)
    if agent == "hoeffding":
        return HoeffdingLMDP(lmdp.S, lmdp.A, lmdp.H, **kw)
    raise ValueError(f"agent={agent!r}, expected one of {AGENTS}")


def make_instance(name: str, rng: np.random.Generator) -> LatentMDP:
    """The named instance of the regret experiments (drawn from ``rng`` where random)."""
    if name == "misleading":
        return misleading_lmdp(2, w_first=0.7, safe=0.1)
    if name == "random":
        return random_lmdp(2, 2, 2, 3, rng=rng)
    if name == "hidden":
        return hidden_arm_lmdp(2, 2, p=0.1, eps=0.6, rng=rng)
    if name == "coin":
        return hidden_arm_lmdp(1, 1, p=0.5, eps=0.0, rng=rng)
    if name == "deterministic":
        return noisy_lmdp(2, 3, 2, 3, noise=0.0, rng=rng)
    if name == "noisy":
        return noisy_lmdp(2, 3, 2, 3, noise=0.3, rng=rng)
    raise ValueError(f"instance={name!r} is not one of misleading, random, hidden, coin, deterministic, noisy")


def checkpoints(K: int, n: int = 12) -> np.ndarray:
    """``n`` log-spaced episode counts from ``min(20, K)`` to ``K`` (distinct ints)."""
    return np.unique(np.geomspace(min(20, K), K, n).astype(np.int64))


def learn(lmdp: LatentMDP, agent: str, solver: str, K: int, seed_seq) -> dict:
    """Run one learner for ``K`` episodes; cumulative expected regret at :func:`checkpoints`, the optimism
    record (``V* <= V~_k <= 1`` for every episode) and timings."""
    oracle = LatentOracle(lmdp)
    ag = make_agent(agent, solver, lmdp, K)
    trace = run_learner(ag, None, K, rng=np.random.default_rng(seed_seq), oracle=oracle)
    t = checkpoints(K)
    vals = np.asarray(ag.value_history)
    return {"t": t.astype(float), "regret": trace.cumulative_regret[t - 1], "final_regret": float(trace.regret.sum()),
            "v_star": oracle.v_star, "min_optimism_gap": float((vals - oracle.v_star).min()),
            "max_value": float(vals.max()), "n_plans": ag.n_plans, "wall": trace.wall_time,
            "M": lmdp.M, "S": lmdp.S, "A": lmdp.A, "H": lmdp.H, "Gamma": lmdp.Gamma}


def late_curves(rows, late: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """``(t, curves (n_runs, n_t))``: the regret curves of ``rows`` at the checkpoints ``t >= late K`` (every row
    must share ``K`` and its checkpoints)."""
    t = rows["t"].iloc[0]
    if any(not np.array_equal(r, t) for r in rows["t"]):
        raise ValueError("the rows have different checkpoints; group them by K first")
    keep = t >= late * rows["K"].iloc[0]
    return t[keep], np.stack([r[keep] for r in rows["regret"]])


def curve_slope(t: np.ndarray, curves: np.ndarray, bound: float, n_boot: int = 1000, rng: int = 0):
    """Log-log slope of the mean regret curve in ``t``, with a 95% bootstrap interval that resamples whole runs
    (curves stay paired across ``t``, so runs of different scales can be pooled); passes when the upper end
    is at most ``bound``. Returns ``(passed, slope, (lo, hi))``."""
    lt = np.log(t)

    def slope(c):
        return float(np.polyfit(lt, np.log(np.maximum(c.mean(axis=0), 1e-12)), 1)[0])

    gen = np.random.default_rng(rng)
    n = curves.shape[0]
    boot = np.array([slope(curves[gen.integers(0, n, n)]) for _ in range(n_boot)])
    lo, hi = np.quantile(boot, [0.025, 0.975])
    return bool(hi <= bound), slope(curves), (float(lo), float(hi))
