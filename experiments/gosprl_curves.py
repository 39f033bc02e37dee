r"""Model-estimation error against time for GOSPRL and its baselines (the data of the figure
``gosprl-estimation-error``; no claims).

Each run collects the online empirical-Bernstein model-estimation requirement
(:class:`solvers.collection.AdaptiveModelEstimation`, ``eta``, ``delta = 0.1``) on RiverSwim (``S = 6``) with one
strategy (``agent``: GOSPRL, GOSPRL without optimism, the uniform random walk) for at most ``T_MAX`` steps, and
records ``max_{s,a} ||p_hat_t - p||_1`` (never-visited pairs: the uniform law) at log-spaced times ``t``, computed from
the trajectory, and the collection time ``C`` (``-1`` if the requirement was not met within ``T_MAX``).
"""
from __future__ import annotations

import numpy as np

from mdptheory.envs import riverswim
from solvers.collection import AdaptiveModelEstimation, collect

NAME = "gosprl-curves"
AGENTS = ("gosprl", "empirical", "random-walk")
GRID = [{"agent": a, "eta": 0.6} for a in AGENTS]
QUICK_GRID = [{"agent": a, "eta": 1.0} for a in AGENTS]
SEEDS = 10
QUICK_SEEDS = 2
T_MAX = 40_000
CLAIMS: list = []


def error_curve(states: np.ndarray, actions: np.ndarray, P: np.ndarray, times: np.ndarray) -> np.ndarray:
    """``max_{s,a} ||p_hat_t - p||_1`` at each ``t`` of ``times`` from the trajectory's first ``t`` transitions."""
    S, A, _ = P.shape
    flat = (states[:-1] * A + actions) * S + states[1:]
    counts = np.zeros(S * A * S)
    out, done = np.empty(times.size), 0
    for i, t in enumerate(times):
        t = min(int(t), flat.size)
        counts += np.bincount(flat[done:t], minlength=S * A * S)
        done = t
        T = counts.reshape(S, A, S)
        n = T.sum(axis=2, keepdims=True)
        P_hat = np.where(n > 0, T / np.maximum(n, 1.0), 1.0 / S)
        out[i] = np.abs(P_hat - P).sum(axis=2).max()
    return out


def run(config: dict, seed: int) -> dict:
    mdp = riverswim(6)
    res = collect(mdp, AdaptiveModelEstimation(float(config["eta"]), 0.1), np.random.default_rng(seed),
                  agent=config["agent"], max_steps=T_MAX)
    times = np.unique(np.geomspace(10, T_MAX, 40).astype(np.int64))
    err = error_curve(res.states, res.actions, mdp.dense_P(), times)
    return dict(times=times, err=err, C=int(res.C) if res.status == "satisfied" else -1, steps=int(res.C))
