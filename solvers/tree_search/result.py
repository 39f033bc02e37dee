"""The result of a generative-model planner (MDP-GapE and the baselines)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: ``status`` values: the stopping rule certified the answer; the budget ran out first; a fixed-budget or
#: fixed-size planner finished its allocation.
TREE_STATUSES = ("stopped", "budget", "done")


@dataclass(frozen=True, eq=False)
class TreeSearchResult:
    """Outcome of a planner that calls a generative model from a root state.

    Shares ``policy``, ``method``, ``params``, ``wall_time`` and :attr:`message` with every result of the suite
    (:class:`solvers.PlanningResult`, :class:`solvers.learners.Trace`, :class:`solvers.offline.OfflineResult`).

    Attributes
    ----------
    action : int
        The recommended root action (also :attr:`policy`).
    calls : int
        Oracle calls made (the sample complexity).
    trajectories : int
        Trajectories sampled (``calls = trajectories * depth`` for trajectory-based planners).
    status : str
        ``"stopped"`` (fixed confidence: ``U(challenger) - L(best) <= eps`` held, the answer is certified on the
        event that the confidence bounds hold), ``"budget"`` (the oracle's budget ran out before that; the
        answer is the current best guess) or ``"done"`` (a fixed-budget or fixed-size planner finished).
    root_upper, root_lower : ndarray (K,)
        Final bounds on ``Q*_H(s0, a)`` (MDP-GapE; ``NaN`` for planners without bounds).
    root_counts : ndarray (K,)
        Samples of each root action.
    root_values : ndarray (K,)
        The planner's point estimate of ``Q(s0, a)`` when it has one (``NaN`` otherwise).
    depth : int
        Planning depth (stages per trajectory).
    wall_time : float
    method : str
    params : dict
    extra : dict
        Planner-specific numbers (tree sizes, the (M, L) split, the stopping statistic, ...).
    """

    action: int
    calls: int
    trajectories: int
    status: str
    root_upper: np.ndarray
    root_lower: np.ndarray
    root_counts: np.ndarray
    root_values: np.ndarray
    depth: int
    wall_time: float
    method: str
    params: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for arr in (self.root_upper, self.root_lower, self.root_counts, self.root_values):
            arr.flags.writeable = False

    @property
    def policy(self) -> int:
        """The recommended root action (the suite's shared field name)."""
        return self.action

    @property
    def message(self) -> str:
        what = {"stopped": "stopping rule met (answer certified on the confidence event)",
                "budget": "budget exhausted before the stopping rule", "done": "allocation finished"}[self.status]
        return (f"{self.method}: {what}; recommends action {self.action} after {self.calls} oracle calls "
                f"({self.trajectories} trajectories of depth {self.depth}) in {self.wall_time:.3g} s")

    def __repr__(self) -> str:
        return (f"TreeSearchResult(method={self.method!r}, action={self.action}, status={self.status!r}, "
                f"calls={self.calls}, trajectories={self.trajectories}, wall_time={self.wall_time:.3g}s)")
