r"""The two environments of the Adaptive Reward-Free Exploration experiments (Kaufmann et al., ALT 2021).

Re-implemented from the description of the official code (``omardrwch/reward-free-ucrl``: ``envs/doublechain.py``,
``envs/gridworld.py``, ``configs/double_chain.json``, ``configs/gridworld.json``); both are stationary episodic
models here (the code discounts with ``gamma = 0.99`` inside the horizon; the explorers of
:mod:`solvers.exploration` are undiscounted, as in the ICML 2021 analysis).

:func:`double_chain` -- ``L`` states in a line, actions 0 (left) and 1 (right): the intended move succeeds with
probability ``1 - fail_prob``, else the agent moves the other way; at an end, a move off the chain stays put
(so at state 0 action 0 stays with ``1 - fail_prob`` and moves right with ``fail_prob``). The start is the
middle state (``L // 2``, or ``L // 2 - 1`` for even ``L``). Reward 1 for a step from ``L - 1`` that stays at
``L - 1`` (mean ``R[L-1, a] = P[L-1, a, L-1]``), 0 elsewhere. Paper config: ``L = 31``, ``fail_prob = 0.05``,
``H = 20``.

:func:`alt21_gridworld` -- a ``nrows x ncols`` grid with the transitions of :func:`mdptheory.envs.gridworld`
(the same rule in both codes) and the ALT'21 reward on *arrival*: ``r(s, a, s') = reward_at[cell(s')]``, so
``R[s, a] = sum_s' P[s, a, s'] reward_at[s']``. Actions: left, right, up, down (the ALT'21 code's order). Paper
config: 21 x 21, start ``(10, 10)``, reward 1 at ``(16, 16)``, success probability 0.95, ``H = 20``.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..episodic import EpisodicMDP
from ..validation import check_positive_int, check_real
from .gridworld import gridworld, gridworld_cells

__all__ = ["double_chain", "alt21_gridworld"]


def double_chain(L: int = 31, fail_prob: float = 0.05, H: int = 20) -> EpisodicMDP:
    """The ALT'21 double chain (see the module docstring) as a stationary ``EpisodicMDP``."""
    L = check_positive_int(L, "L")
    if L < 2:
        raise ValueError(f"L must be >= 2 (a chain with two ends), got {L}")
    fail_prob = check_real(fail_prob, "fail_prob", low=0.0, high=1.0)
    P = np.zeros((L, 2, L))
    for s in range(L):
        left, right = max(s - 1, 0), min(s + 1, L - 1)
        P[s, 0, left] += 1.0 - fail_prob
        P[s, 0, right] += fail_prob
        P[s, 1, right] += 1.0 - fail_prob
        P[s, 1, left] += fail_prob
    R = np.zeros((L, 2))
    R[L - 1, :] = P[L - 1, :, L - 1]
    mu0 = np.zeros(L)
    mu0[L // 2 - 1 if L % 2 == 0 else L // 2] = 1.0
    return EpisodicMDP.stationary(P, R, check_positive_int(H, "H"), mu0)


#: Permutation from the ALT'21 action order (left, right, up, down) to :func:`gridworld`'s (left, right, down, up).
_ALT21_ACTIONS = np.array([0, 1, 3, 2])


def alt21_gridworld(nrows: int = 21, ncols: int | None = None, start: tuple[int, int] = (10, 10),
                    reward_at: Mapping[tuple[int, int], float] | None = None, success_prob: float = 0.95,
                    H: int = 20) -> EpisodicMDP:
    """The ALT'21 grid-world (see the module docstring) as a stationary ``EpisodicMDP``."""
    ncols = nrows if ncols is None else ncols
    reward_at = {(16, 16): 1.0} if reward_at is None else dict(reward_at)
    base = gridworld(nrows, ncols, success_prob=success_prob, rewards={}, start=start, H=None, gamma=None)
    cells = gridworld_cells(nrows, ncols)
    r_cell = np.array([float(reward_at.get(c, 0.0)) for c in cells])
    if r_cell.min() < 0 or r_cell.max() > 1:
        raise ValueError("reward_at values must lie in [0, 1] (episodic rewards of the explorers' analyses)")
    P = base.P[:, _ALT21_ACTIONS, :]
    return EpisodicMDP.stationary(P, P @ r_cell, check_positive_int(H, "H"), base.mu0)
