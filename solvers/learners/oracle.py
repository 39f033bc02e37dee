r"""Evaluation oracles: the seam between a learner's run loop and the ground truth it is measured against.

:func:`solvers.learners.run` asks an oracle three things and nothing else:

- ``oracle.v_star`` -- the optimal value the regret is measured against;
- ``oracle.value(policy)`` -- the exact expected value of the policy the agent played;
- ``oracle.play(policy, rng)`` -- one episode of that policy in the environment, as a
  :class:`~solvers.learners.Trajectory`;

and, optionally, ``oracle.mu0`` -- the start distribution at which the agent's own value table is read
into ``Trace.value_estimates`` (absent or ``None``: not recorded).

:class:`EpisodicOracle` is the default: a known :class:`mdptheory.EpisodicMDP`, values by exact backward
induction / policy evaluation at the start distribution ``mu0``. Other settings plug in their own oracle
without touching the loop (a latent MDP whose episodes draw a context; a robust-regret oracle that plays in
the nominal model and values policies by robust evaluation); any object with ``S, A, H, v_star, value`` and
``play`` is an oracle (:class:`EvaluationOracle`).
"""
from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from mdptheory import EpisodicMDP, backends
from mdptheory.sampling import deterministic_policy_cdf, draw_states, transition_cdf

from .._kernels import backward_induction_arrays, csr_parts
from . import _kernels  # noqa: F401  (registers learners.evaluate_policy_csr)
from .trace import Trajectory

__all__ = ["EvaluationOracle", "EpisodicOracle"]


@runtime_checkable
class EvaluationOracle(Protocol):
    """What :func:`solvers.learners.run` needs from the ground truth (see the module docstring)."""

    S: int
    A: int
    H: int
    v_star: float

    def value(self, policy: np.ndarray) -> float: ...

    def play(self, policy: np.ndarray, rng: np.random.Generator) -> Trajectory: ...


class EpisodicOracle:
    """A known episodic MDP: exact ``V*``, exact values of deterministic policies, and episodes.

    Parameters
    ----------
    env : mdptheory.EpisodicMDP
        The true model (``P (H, S, A, S)``, ``R (H, S, A)``, ``mu0 (S,)``).
    backend : {"numba", "numpy"}
        Kernels for playing and evaluating (same episodes and values on both: the rollouts consume the
        same uniforms, the evaluations agree to ~1e-15).
    """

    def __init__(self, env: EpisodicMDP, backend: str = "numba") -> None:
        if not isinstance(env, EpisodicMDP):
            raise TypeError(f"env must be an mdptheory.EpisodicMDP (or pass oracle=... for another setting), "
                            f"got {type(env).__name__}")
        self.env = env
        self.S, self.A, self.H, self.mu0 = env.S, env.A, env.H, env.mu0
        self.backend = backends.check_backend(backend)
        V_star, _, _ = backward_induction_arrays(env.P, env.R)
        self.v_star = float(env.mu0 @ V_star[0])
        self._cdf = transition_cdf(env)  # built once; each episode runs mdptheory's rollout kernel on it
        self._rollout = backends.pick("sampling.rollout", backend)
        stationary = bool(np.all(env.P == env.P[:1]))
        self._P = (*csr_parts((env.P[:1] if stationary else env.P).reshape(-1, env.S)), env.R, stationary)
        self._evaluate = backends.pick("learners.evaluate_policy_csr", backend)
        self._last: tuple[np.ndarray, float] | None = None

    def value(self, policy: np.ndarray) -> float:
        """``mu0 . V^pi_1`` of a deterministic ``(H, S)`` policy, exactly (re-used while the policy is unchanged)."""
        if self._last is None or not np.array_equal(policy, self._last[0]):
            ptr, idx, prob, R, stationary = self._P
            v = float(self.env.mu0 @ self._evaluate(ptr, idx, prob, R, policy, stationary)[0])
            self._last = (np.array(policy, copy=True), v)
        return self._last[1]

    def play(self, policy: np.ndarray, rng: np.random.Generator) -> Trajectory:
        """One episode of the deterministic ``(H, S)`` policy from ``s_1 ~ mu0``, drawn from ``rng``."""
        env = self.env
        s0 = draw_states(env.mu0, rng.random(1))
        s, actions, rewards, s_next = self._rollout(*self._cdf, env.R, deterministic_policy_cdf(policy, env.A), s0,
                                                    rng.random((1, env.H, 2)), True)
        return Trajectory(np.append(s[0], s_next[0, -1]), actions[0], rewards[0])

    def __repr__(self) -> str:
        return f"EpisodicOracle(S={self.S}, A={self.A}, H={self.H}, v_star={self.v_star:.6g})"


def as_oracle(env: Any, oracle: Any, backend: str) -> Any:
    """``oracle`` if given (it must satisfy :class:`EvaluationOracle`), else the episodic oracle of ``env``."""
    if oracle is None:
        return EpisodicOracle(env, backend=backend)
    if not isinstance(oracle, EvaluationOracle):
        raise TypeError(f"oracle must provide S, A, H, v_star, value(policy) and play(policy, rng) "
                        f"(see solvers.learners.oracle), got {type(oracle).__name__}")
    return oracle
