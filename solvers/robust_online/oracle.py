r"""The robust-regret oracle: episodes in the *nominal* model, values by exact policy-regularised robust DP.

:func:`solvers.learners.run` measures regret through an evaluation oracle (:mod:`solvers.learners.oracle`);
this one is DR-RPO's ground truth (spec ``r2pvi_drrpo.md`` section 3.2, reconstruction):

- ``v_star = mu0 . V*_{tau,1}``: the optimal policy-regularised robust value
  (:func:`solvers.robust.policy_regularized_dp`);
- ``value(policy) = mu0 . V^{pi,tau}_1``: the exact regularised robust value of the played policy, by
  backward induction against nature's exact response (:func:`solvers.robust.policy_regularized_evaluation`);
- ``play(policy, rng)``: one episode of the policy in the nominal model ``P_h = phi . mu_h`` (the learner
  collects data where it is deployed for training; the regret is that of the robust objective).

So the per-episode regret ``v_star - value(pi_k) >= 0`` is exact (no Monte Carlo).

**Why the oracle accepts stochastic policies.** The tabular learners return deterministic ``(H, S)`` int
policies and :class:`~solvers.learners.EpisodicOracle` plays and values only those. DR-RPO's policies are
softmax (stochastic) by construction, and the regularised objective is not even defined through a
deterministic policy's actions alone (its KL term). The least invasive extension is on the oracle side: the
run loop already passes the learner's policy object through untouched, so this oracle takes either an int
``(H, S)`` policy (DR-LSVI-UCB) or a float ``(H, S, A)`` one (DR-RPO); nothing in the loop or the other
learners changes.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from mdptheory import backends
from mdptheory.linear import LinearMDP
from mdptheory.sampling import deterministic_policy_cdf, draw_states, transition_cdf
from mdptheory.uncertainty import UncertaintySet

from ..learners.trace import Trajectory
from ..robust.policy_regularized import RegularizedRobustProblem

__all__ = ["RobustRegretOracle"]


class RobustRegretOracle:
    """Exact policy-regularised robust regret on a d-rectangular linear MDP (see the module docstring).

    Parameters
    ----------
    model : mdptheory.LinearMDP
        The nominal d-rectangular model (its ``mu0`` is the start distribution).
    uncertainty : UncertaintySet
        The d-rectangular set of the objective, e.g. ``make("tv", rho=0.1)``.
    tau : float >= 0
        KL weight of the objective (``0``: plain robust regret).
    reference : array (H, S, A) or (S, A), optional
        Reference policy of the objective (default uniform).
    backend : {"numba", "numpy"}
        Kernels for the exact values and the rollouts (same numbers and episodes on both).

    Attributes
    ----------
    S, A, H, mu0, v_star
        As the run loop needs them; ``optimum`` is the :class:`~solvers.PlanningResult`-like tuple
        ``(V, Q, pi)`` of the regularised optimum.
    """

    def __init__(self, model: LinearMDP, uncertainty: UncertaintySet, tau: float = 0.0, reference: Any = None,
                 backend: str = "numba") -> None:
        if not isinstance(model, LinearMDP):
            raise TypeError(f"model must be a d-rectangular mdptheory.LinearMDP, got {type(model).__name__}")
        self.problem = RegularizedRobustProblem(model, uncertainty, tau, reference, backend)
        self.model, self.uncertainty, self.tau = model, uncertainty, self.problem.tau
        self.S, self.A, self.H, self.mu0 = model.S, model.A, model.H, model.mu0
        self.backend = backends.check_backend(backend)
        V, Q, pi, _ = self.problem.solve()
        self.optimum = (V, Q, pi)
        self.v_star = float(self.mu0 @ V[0])
        tab = model.to_tabular()
        self._R = np.ascontiguousarray(tab.R)
        self._cdf = transition_cdf(tab)
        self._rollout = backends.pick("sampling.rollout", backend)
        self._last: tuple[np.ndarray, float] | None = None

    def _probabilities(self, policy: np.ndarray) -> np.ndarray:
        pol = np.asarray(policy)
        if pol.dtype.kind == "f" and pol.shape == (self.H, self.S, self.A):
            return pol                                  # the learners' own arrays: skip re-validation
        return self.problem.as_probabilities(policy)

    def values(self, policy: np.ndarray) -> np.ndarray:
        """``V^{pi,tau} (H+1, S)`` of a deterministic ``(H, S)`` or stochastic ``(H, S, A)`` policy, exactly."""
        return self.problem.solve(self._probabilities(policy))[0]

    def value(self, policy: np.ndarray) -> float:
        """``mu0 . V^{pi,tau}_1`` (re-used while the policy is unchanged)."""
        if self._last is None or not np.array_equal(policy, self._last[0]):
            self._last = (np.array(policy, copy=True), float(self.mu0 @ self.values(policy)[0]))
        return self._last[1]

    def play(self, policy: np.ndarray, rng: np.random.Generator) -> Trajectory:
        """One episode of ``policy`` in the nominal model from ``s_1 ~ mu0``, drawn from ``rng``."""
        pol = np.asarray(policy)
        if pol.dtype.kind in "iu":
            pol_cdf = deterministic_policy_cdf(pol, self.A)
        else:
            pol_cdf = np.cumsum(pol, axis=-1)
        s0 = draw_states(self.mu0, rng.random(1))
        s, a, r, s_next = self._rollout(*self._cdf, self._R, pol_cdf, s0, rng.random((1, self.H, 2)), True)
        return Trajectory(np.append(s[0], s_next[0, -1]), a[0], r[0])

    def __repr__(self) -> str:
        return (f"RobustRegretOracle(S={self.S}, A={self.A}, H={self.H}, {self.uncertainty!r}, tau={self.tau:g}, "
                f"v_star={self.v_star:.6g})")
