r"""What a pure-exploration run leaves behind: :class:`ExplorationResult` (the stopping time is the quantity)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from mdptheory.validation import as_real_array

from .._kernels import backward_induction_arrays

__all__ = ["ExplorationResult"]


@dataclass(frozen=True, eq=False)
class ExplorationResult:
    r"""One exploration run of RF-Express, RF-UCRL or BPI-UCRL (:func:`solvers.exploration.explore`).

    Attributes
    ----------
    tau : int
        Stopping time: the number of episodes played before the stopping rule held (or the budget when it did not).
    stopped : bool
        Whether the stopping rule held (``False``: the episode budget ran out, or ``stop=False``).
    certificates : ndarray (tau + 1,)
        ``certificates[t]``: the certified bound after ``t`` episodes (RF-Express ``3 e sqrt(W) + W``, RF-UCRL
        ``E``, BPI-UCRL ``Vup_1 - Vlo_1``, at the start distribution); stop at the first ``t`` with
        ``certificates[t] <= threshold``.
    threshold : float
        ``eps / 2`` (RF-Express, RF-UCRL) or ``eps`` (BPI-UCRL).
    counts : ndarray (G, S, A, S)
        Transition counts at ``tau`` (``G = H`` stage-dependent, else 1).
    horizon : int
        ``H``.
    P_hat : ndarray (H, S, A, S)
        (Property, computed on first use from ``counts``) empirical transitions at ``tau``, the uniform law on
        unvisited pairs: what reward-free planning uses.
    policy : ndarray (H, S) int64
        BPI-UCRL: the recommended (certified) policy. Reward-free learners: the exploration policy greedy in the
        final bound (what the next episode would play); use :meth:`plan` for a reward.
    method, params, wall_time
        The learner's name and parameters; seconds for the run.
    extra : dict
        ``upper`` / ``lower`` (BPI-UCRL: ``mu0 . Vup_1``, ``mu0 . Vlo_1`` at ``tau``), ``states`` ((tau, H+1)
        trajectories when kept), ``fused`` (whether the fused loop ran).
    """

    tau: int
    stopped: bool
    certificates: np.ndarray
    threshold: float
    counts: np.ndarray
    horizon: int
    policy: np.ndarray | None
    method: str
    params: dict
    wall_time: float
    extra: dict = field(default_factory=dict)

    @cached_property
    def P_hat(self) -> np.ndarray:
        """Empirical transitions ``(H, S, A, S)`` (uniform on unvisited pairs; shared estimates at every stage)."""
        S = self.counts.shape[-1]
        n = self.counts.sum(axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            P = np.where(n > 0, self.counts / np.where(n > 0, n, 1.0), 1.0 / S)
        return np.ascontiguousarray(np.broadcast_to(P, (self.horizon,) + P.shape[1:]))

    @property
    def certificate(self) -> float:
        """The bound at the stopping time (``certificates[-1]``)."""
        return float(self.certificates[-1])

    def plan(self, rewards, backend: str = "numba") -> tuple[np.ndarray, np.ndarray]:
        """Reward-free planning: the optimal policy ``(H, S)`` and values ``(H+1, S)`` of ``(P_hat, rewards)``.

        ``rewards`` is ``(H, S, A)`` or ``(S, A)`` (any real values; the guarantees assume ``[0, 1]``)."""
        H, S, A = self.P_hat.shape[:3]
        R = as_real_array(rewards, "rewards")
        if R.shape == (S, A):
            R = np.broadcast_to(R, (H, S, A))
        if R.shape != (H, S, A):
            raise ValueError(f"rewards has shape {R.shape}, expected (H, S, A) = ({H}, {S}, {A}) or (S, A)")
        V, _, pi = backward_induction_arrays(self.P_hat, np.ascontiguousarray(R), backend=backend)
        return pi, V

    @property
    def message(self) -> str:
        """One line: the method, whether and when it stopped, the final certificate and the wall time."""
        how = f"stopped after tau = {self.tau} episodes" if self.stopped else f"did not stop within {self.tau} episodes"
        return (f"{self.method}: {how}, certificate {self.certificate:.4g} (threshold {self.threshold:.4g}) "
                f"in {self.wall_time:.3g} s")
