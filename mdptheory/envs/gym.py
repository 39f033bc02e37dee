"""Import Gymnasium toy-text environments (FrozenLake, Taxi, CliffWalking) through their ``P`` tables."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..finite import FiniteMDP


def from_gymnasium(env: Any, gamma: float | None = 0.99, terminal: str = "sink") -> FiniteMDP:
    """Build a ``FiniteMDP`` from a Gymnasium toy-text environment.

    Reads ``env.unwrapped.P[s][a] = [(prob, next_state, reward, terminated), ...]`` (not an official
    Gymnasium API, but what the toy-text environments expose). Duplicate ``(s, a, s')`` entries are
    accumulated and ``R[s, a]`` is the expected reward. A transition flagged ``terminated`` goes, with
    ``terminal="sink"`` (default), to an extra zero-reward absorbing state appended as the last index
    (MushroomRL's convention: the episode's end is an absorbing state), so ``S = n_states + 1``;
    ``terminal="ignore"`` keeps the table's own next state. ``mu0`` is ``env.unwrapped.initial_state_distrib``
    when present, else uniform over the table's states.
    """
    if terminal not in ("sink", "ignore"):
        raise ValueError(f"terminal must be 'sink' or 'ignore', got {terminal!r}")
    base = getattr(env, "unwrapped", env)
    table = getattr(base, "P", None)
    if not isinstance(table, dict):
        raise TypeError(
            f"{type(base).__name__} has no transition table env.unwrapped.P (dict); from_gymnasium supports "
            "the toy-text environments such as FrozenLake-v1, Taxi-v3 and CliffWalking-v0"
        )
    n = len(table)
    n_actions = len(table[0])
    S = n + int(terminal == "sink")
    P = np.zeros((S, n_actions, S))
    R = np.zeros((S, n_actions))
    for s, row in table.items():
        if len(row) != n_actions:
            raise ValueError(f"env.P[{s}] has {len(row)} actions, expected {n_actions} like env.P[0]")
        for a, outcomes in row.items():
            for prob, s_next, reward, done in outcomes:
                target = n if (done and terminal == "sink") else int(s_next)
                P[s, a, target] += prob
                R[s, a] += prob * reward
    if terminal == "sink":
        P[n, :, n] = 1.0
    isd = getattr(base, "initial_state_distrib", None)
    mu0 = np.zeros(S)
    mu0[:n] = np.asarray(isd, dtype=float) if isd is not None else 1.0 / n
    return FiniteMDP(P, R, gamma, mu0)
