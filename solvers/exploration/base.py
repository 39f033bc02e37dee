r"""The base class of the pure-exploration learners: a stopping rule on top of the episode interface.

A pure-exploration learner is an :class:`~solvers.learners.EpisodicLearner` (``policy()``, ``update(trajectory)``,
counts, ``V``, ``backend``, ``name``, ``params``, ``phase_times``) with three more members:

- ``certificate(mu0)`` -- the bound the algorithm certifies with the counts seen so far (RF-Express:
  ``3 e sqrt(max_a W_1) + max_a W_1`` at the start; BPI-UCRL: ``V_up_1 - V_low_1``), from the last ``policy()``;
- ``threshold`` -- the algorithm stops as soon as ``certificate <= threshold``;
- ``model()`` -- the empirical transitions ``P_hat (H, S, A, S)`` (the uniform law on unvisited pairs).

:func:`solvers.exploration.explore` runs the loop *recompute, stop or play one episode* and returns an
:class:`~solvers.exploration.ExplorationResult` whose quantity is the stopping time ``tau``. The learners also
satisfy the regret loop :func:`solvers.learners.run` (and :func:`~solvers.learners.check_learner`), whose
regret is then the exploration policies' regret for the environment's reward -- not what these algorithms
minimise; the claims read ``tau`` and, for reward-free exploration, the suboptimality of the policies planned
in ``P_hat`` for a family of rewards, computed exactly on the true model.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from mdptheory.validation import check_real

from ..learners.base import EpisodicLearner

__all__ = ["PureExplorer", "check_eps_delta"]


def check_eps_delta(eps: Any, delta: Any) -> tuple[float, float]:
    """``eps > 0`` and ``delta`` in ``(0, 1)`` as floats, else an error naming the argument and the fix."""
    eps = check_real(eps, "eps (the target accuracy)", low=0.0, low_open=True,
                     hint="pass the accuracy eps > 0 of the (eps, delta)-PAC guarantee, e.g. eps=0.1")
    delta = check_real(delta, "delta (the confidence level)", low=0.0, high=1.0, low_open=True, high_open=True,
                       hint="pass a failure probability strictly between 0 and 1, e.g. delta=0.1")
    return eps, delta


class PureExplorer(EpisodicLearner):
    """Sizes, counts, ``eps``/``delta`` and the empirical model shared by RF-Express, RF-UCRL and BPI-UCRL.

    Parameters
    ----------
    S, A, H : int
        Numbers of states, actions and stages (``H >= 1``).
    rewards : array (H, S, A) or (S, A), optional
        Known mean rewards in ``[0, 1]``; reward-free learners ignore them (``None``: zeros).
    eps : float > 0
        Target accuracy.
    delta : float in (0, 1)
        Confidence level.
    rng, stage_dependent, backend
        As in :class:`~solvers.learners.EpisodicLearner` (the algorithms themselves are deterministic).
    """

    name = "pure-explorer"
    #: Name of the algorithm's mutants in :mod:`mdptheory.mutants` (passed to the kernels by the agent).
    algorithm = ""

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, *, eps: float = 0.1, delta: float = 0.1,
                 rng=None, stage_dependent: bool = True, backend: str = "numba") -> None:
        self.eps, self.delta = check_eps_delta(eps, delta)
        if rewards is None:
            from mdptheory.validation import check_positive_int
            rewards = np.zeros((check_positive_int(H, "H"), check_positive_int(S, "S"), check_positive_int(A, "A")))
        super().__init__(S, A, H, rewards, rng=rng, stage_dependent=stage_dependent, backend=backend)
        self._cert_state: Any = None

    # -- what a subclass provides -------------------------------------------------------------------
    @property
    def threshold(self) -> float:
        """Stop as soon as ``certificate(mu0) <= threshold``."""
        raise NotImplementedError

    def certificate(self, mu0: np.ndarray) -> float:
        """The certified bound at the start distribution ``mu0`` for the bounds of the last :meth:`policy`."""
        raise NotImplementedError

    def _fused(self, oracle, rng, budget: int, use_stop: bool):  # pragma: no cover - documented hook
        """Run the fused loop (see :func:`solvers.exploration.explore`); ``None`` if not available."""
        return None

    # -- shared -----------------------------------------------------------------------------------------
    def rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(start, stop, idx, cnt)``: the observed next states of every row ``(g S + s) A + a``, sorted."""
        ptr, idx, cnt = self._support(self.counts)
        return ptr[:-1], ptr[1:], idx, cnt

    def model(self) -> np.ndarray:
        """Empirical transitions ``P_hat (H, S, A, S)``; unvisited pairs get the uniform law (the official code's
        initial ``P_hat``). Shared estimates (``stage_dependent=False``) are repeated at every stage."""
        n = self.counts.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            P = np.where(n > 0, self.counts / np.where(n > 0, n, 1.0), 1.0 / self.S)
        return np.ascontiguousarray(np.broadcast_to(P, (self.H, self.S, self.A, self.S)))

    def _dense_from_rows(self, start, stop, idx, cnt) -> None:
        """Write fixed-capacity rows back into :attr:`counts` (after a fused run) and drop the support cache."""
        counts = np.zeros(self.counts.shape)
        flat = counts.reshape(-1, self.S)
        lens = stop - start
        rows = np.repeat(np.arange(lens.size), lens)
        pos = np.repeat(start - np.concatenate(([0], np.cumsum(lens)[:-1])), lens) + np.arange(int(lens.sum()))
        flat[rows, idx[pos]] = cnt[pos]
        self.counts = counts
        self._support_nz, self._support_new = None, []

    def _fixed_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The counts as fixed-capacity rows (row ``r`` at ``[r S, r S + S)``), for the fused loops."""
        flat = self.counts.reshape(-1, self.S)
        n_rows = flat.shape[0]
        start = np.arange(n_rows, dtype=np.int64) * self.S
        idx = np.zeros(n_rows * self.S, np.int64)
        cnt = np.zeros(n_rows * self.S)
        rows, cols = np.nonzero(flat)                       # row-major: each row's next states in order
        per_row = np.bincount(rows, minlength=n_rows)
        first = np.concatenate(([0], np.cumsum(per_row)[:-1]))
        pos = start[rows] + np.arange(rows.size) - first[rows]
        idx[pos], cnt[pos] = cols, flat[rows, cols]
        stop = start + per_row
        return start, stop, idx, cnt
