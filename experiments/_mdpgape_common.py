"""Shared pieces of the MDP-GapE experiments: instances, the per-run seeds, group-wise checks.

Each job of these experiments runs ``config["runs"]`` independent instances (seeded by
``SeedSequence([seed, run])``), so that a few jobs cover the >= 200 runs a binomial test needs while the
harness's quick grids stay small.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
from scipy.optimize import brentq

from bounds.checks import Verdict
from mdptheory import FiniteMDP
from mdptheory.generative import LazyGarnet, TabularModel

__all__ = ["run_seeds", "garnet", "trap", "bandit", "per_group", "kl_interval"]


def run_seeds(seed: int, runs: int) -> list[tuple[int, np.random.Generator]]:
    """``(instance seed, planner Generator)`` of each run of a job: independent streams per ``(seed, run)``."""
    out = []
    for i in range(int(runs)):
        inst, plan = np.random.SeedSequence([int(seed), i, 16]).spawn(2)
        out.append((int(inst.generate_state(1)[0]), np.random.default_rng(plan)))
    return out


def garnet(config: dict, instance_seed: int) -> LazyGarnet:
    """The paper's Garnet family (``S``, ``K``, ``B``, sparsity, ``gamma`` overridable by the config)."""
    return LazyGarnet(S=int(config.get("S", 100_000)), K=int(config.get("K", 5)), B=int(config.get("B", 2)),
                      reward_sparsity=float(config.get("sparsity", 0.5)), gamma=float(config.get("gamma", 0.7)),
                      seed=instance_seed)


def trap(p: float, r_safe: float, gamma: float = 0.7) -> TabularModel:
    r"""A root with a *safe* action (reward ``r_safe``, then nothing) and a *risky* one (reward 0, then with
    probability ``p`` a state paying 1 at every stage, else nothing): ``Q*_H(risky) = gamma p sum_{i<H-1} gamma^i``.

    Why it traps an over-confident planner: until the rare transition has been observed, the empirical model
    values the risky action at 0 < ``r_safe``; only the mass that the KL ball keeps on the unobserved support
    point (about ``1 - exp(-beta/n)`` after ``n`` samples) and the kl-UCB of its zero rewards keep its upper bound
    above the safe action's lower bound. Thresholds shrunk by 100 make both vanish after a few samples, and the
    planner stops on the safe action with probability about ``(1 - p)^n``.
    """
    P = np.zeros((3, 2, 3))
    R = np.zeros((3, 2))
    P[0, 0, 2], R[0, 0] = 1.0, r_safe          # safe: r_safe, then the empty state
    P[0, 1, 1], P[0, 1, 2] = p, 1.0 - p        # risky
    P[1, :, 1], R[1, :] = 1.0, 1.0             # the good state pays 1 forever
    P[2, :, 2] = 1.0                           # the empty state pays nothing
    return TabularModel(FiniteMDP(P, R, gamma))


def bandit(means, gamma: float = 0.7) -> TabularModel:
    """``K`` Bernoulli arms of the given means as a one-state model (``H = 1`` planning is a bandit)."""
    means = np.asarray(means, dtype=float)
    K = means.size
    P = np.ones((1, K, 1))
    return TabularModel(FiniteMDP(P, means[None, :], gamma), reward_noise="bernoulli")


def per_group(df, keys: list[str], check: Callable) -> Verdict:
    """Apply ``check(rows) -> Verdict`` to every group of ``df`` by ``keys``; passes iff every group passes.

    The combined verdict reports the worst group (its statistic and explanation) and every group's summary.
    """
    verdicts = []
    for key, rows in df.groupby(keys, sort=True):
        v = check(rows)
        verdicts.append((key if isinstance(key, tuple) else (key,), v))
    if not verdicts:
        raise ValueError("no rows to check")
    failed = [(k, v) for k, v in verdicts if not v.passed]
    worst_key, worst = failed[0] if failed else max(verdicts, key=lambda kv: kv[1].statistic)
    label = lambda k: ", ".join(f"{n}={v}" for n, v in zip(keys, k))  # noqa: E731
    details = {"summary": "; ".join(f"{label(k)}: {v.details.get('summary', f'{v.statistic:.3g}')}"
                                    for k, v in verdicts),
               "groups": {label(k): v.details for k, v in verdicts}}
    tight = [v.tightness for _, v in verdicts if v.tightness is not None and np.isfinite(v.tightness)]
    if tight:
        details["tightness"] = max(tight)
    info = [v.details["informative_fraction"] for _, v in verdicts if "informative_fraction" in v.details]
    if info:
        details["informative_fraction"] = float(np.mean(info))
    return Verdict(not failed, worst.statistic, worst.threshold,
                   f"{len(verdicts) - len(failed)}/{len(verdicts)} groups pass; worst ({label(worst_key)}): "
                   f"{worst.explanation}", details)


def _kl_log(p: float, log_q: float, log_1mq: float) -> float:
    """Bernoulli ``kl(p, q)`` from ``log q`` and ``log(1 - q)`` (no cancellation near 0 or 1; ``0 log 0 = 0``)."""
    out = 0.0
    if p > 0:
        out += p * (math.log(p) - log_q)
    if p < 1:
        out += (1 - p) * (math.log1p(-p) - log_1mq)
    return out


def kl_interval(mean: float, radius: float) -> tuple[float, float]:
    """``[min, max]{q : kl(mean, q) <= radius}`` by :func:`scipy.optimize.brentq` on the Bernoulli kl in log scale
    (``t = log q`` for the lower root, ``t = log(1 - q)`` for the upper one, so that roots as close to 0 or 1 as
    1e-300 converge): the experiments' own implementation, independent of :mod:`solvers.kl`."""
    radius = max(radius, 0.0)
    floor = math.log(1e-300)
    if mean <= 0.0 or radius == 0.0:
        lo = max(mean, 0.0)
    elif mean >= 1.0:
        lo = math.exp(-radius)                  # kl(1, q) = -log q
    else:
        g = lambda t: _kl_log(mean, t, math.log(-math.expm1(t))) - radius  # noqa: E731
        lo = 0.0 if g(floor) <= 0 else math.exp(brentq(g, floor, math.log(mean), xtol=1e-15, rtol=8.9e-16,
                                                       maxiter=500))
    if mean >= 1.0 or radius == 0.0:
        hi = min(mean, 1.0)
    elif mean <= 0.0:
        hi = -math.expm1(-radius)               # kl(0, q) = -log(1 - q)
    else:
        g = lambda t: _kl_log(mean, math.log(-math.expm1(t)), t) - radius  # noqa: E731
        hi = 1.0 if g(floor) <= 0 else -math.expm1(brentq(g, floor, math.log1p(-mean), xtol=1e-15,
                                                          rtol=8.9e-16, maxiter=500))
    return lo, hi
