r"""What an episode and a run leave behind: :class:`Trajectory` (one episode) and :class:`Trace` (a run)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

__all__ = ["Trajectory", "Trace"]


class Trajectory(NamedTuple):
    """One episode: ``states (H+1,)`` int64 (``states[H]`` terminal), ``actions (H,)`` int64, ``rewards (H,)``."""

    states: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray


@dataclass(frozen=True, eq=False)
class Trace:
    r"""Record of ``n_episodes`` episodes of a learner, with the exact expected regret of every episode.

    Attributes
    ----------
    regret : ndarray (T,)
        Expected regret of episode ``t``: ``oracle.v_star - oracle.value(pi_t)``; for the default episodic
        oracle :math:`\mu_0^\top (V^*_1 - V^{\pi_t}_1)`, exact (policy evaluation of the played policy on
        the true model); ``>= 0`` up to rounding.
    returns : ndarray (T,)
        Realised sum of rewards of episode ``t`` (what the OPSRL code plots).
    value_estimates : ndarray (T,)
        The agent's own value of its policy at the start, :math:`\mu_0^\top \bar V^t_1` (for OPSRL the
        sampled optimistic value; ``nan`` for agents without one).
    v_star : float
        The optimal value the regret is measured against (:math:`\mu_0^\top V^*_1`).
    samples : ndarray (T,) int64
        Cumulative number of transitions observed after episode ``t`` (``H (t+1)``).
    wall_time : float
        Seconds for the whole run (planning, environment, evaluation).
    phase_times : dict
        Seconds per phase: ``sampling`` and ``planning`` (inside the agent), ``rollout``, ``update``,
        ``evaluation`` (exact regret bookkeeping, not part of the algorithm).
    agent : str
        ``repr`` of the agent (its name and parameters).
    policy : ndarray
        The policy played in the last episode.
    method : str
        The agent's name (``"OPSRL"``, ...).
    params : dict
        The agent's parameters.
    """

    regret: np.ndarray
    returns: np.ndarray
    value_estimates: np.ndarray
    v_star: float
    samples: np.ndarray
    wall_time: float
    phase_times: dict = field(default_factory=dict)
    agent: str = ""
    policy: np.ndarray | None = None
    method: str = ""
    params: dict = field(default_factory=dict)

    @property
    def cumulative_regret(self) -> np.ndarray:
        """``(T,)`` running sum of :attr:`regret`: :math:`R^t = \\sum_{k \\le t} (V^*_1 - V^{\\pi_k}_1)`."""
        return np.cumsum(self.regret)

    @property
    def n_episodes(self) -> int:
        return len(self.regret)

    @property
    def message(self) -> str:
        """One line: the agent, the number of episodes, the final cumulative regret and the wall time."""
        total = float(self.regret.sum()) if len(self.regret) else 0.0
        return (f"{self.method or self.agent}: {self.n_episodes} episodes, cumulative expected regret "
                f"{total:.4g} (V* = {self.v_star:.4g}) in {self.wall_time:.3g} s")
