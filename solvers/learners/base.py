r"""Episode interface of the tabular learners, the :class:`Trace` of a run, and the contract checker.

Every learner plays episodes of an :class:`mdptheory.EpisodicMDP` (stages ``h = 0..H-1``, the papers'
``h = 1..H``) through two calls::

    agent = OPSRL(S, A, H, rewards=env.R, rng=0)
    pi = agent.policy()            # (H, S) int64, plans for the next episode (samples the posterior)
    agent.update(trajectory)       # Trajectory(states (H+1,), actions (H,), rewards (H,))

:func:`run` drives that loop against the true model and records, per episode ``t``, the **expected**
regret ``V*_1(s_1) - V^{pi_t}_1(s_1)`` computed exactly by policy evaluation on the true model (what
the regret theorems bound; ``s_1 ~ mu0``, so both values are averaged over ``mu0``), the realised
return, the agent's own value estimate, the number of transitions observed, and the wall time per
phase.  Rewards are known to the agents (the setting of the OPSRL analysis, Tiapkin et al. 2022,
Section 2); only transitions are learnt.
"""
from __future__ import annotations

import pickle
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from mdptheory import EpisodicMDP
from mdptheory._sampling_kernels import rollout_kernel, rollout_numpy
from mdptheory.sampling import deterministic_policy_cdf, draw_states, transition_cdf
from mdptheory.validation import as_generator, check_positive_int

from .._kernels import csr_parts
from .._kernels.episodic import backward_induction_arrays, policy_evaluation_arrays
from . import _kernels as K

__all__ = ["Trajectory", "Trace", "EpisodicLearner", "run", "check_learner", "LearnerContractError"]

BACKENDS = ("numba", "numpy")


class Trajectory(NamedTuple):
    """One episode: ``states (H+1,)`` int64 (``states[H]`` terminal), ``actions (H,)`` int64, ``rewards (H,)``."""

    states: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray


@dataclass(frozen=True, eq=False)
class Trace:
    r"""Record of ``n_episodes`` episodes of a learner on a known model.

    Attributes
    ----------
    regret : ndarray (T,)
        Expected regret of episode ``t``: :math:`\mu_0^\top (V^*_1 - V^{\pi_t}_1)`, exact (policy
        evaluation of the played policy on the true model); ``>= 0`` up to rounding.
    returns : ndarray (T,)
        Realised sum of rewards of episode ``t`` (what the OPSRL code plots).
    value_estimates : ndarray (T,)
        The agent's own value of its policy at the start, :math:`\mu_0^\top \bar V^t_1` (for OPSRL the
        sampled optimistic value; ``nan`` for agents without one).
    v_star : float
        :math:`\mu_0^\top V^*_1`.
    samples : ndarray (T,) int64
        Cumulative number of transitions observed after episode ``t`` (``H (t+1)``).
    wall_time : float
        Seconds for the whole run (planning, environment, evaluation).
    phase_times : dict
        Seconds per phase: ``sampling`` and ``planning`` (inside the agent), ``rollout``, ``update``,
        ``evaluation`` (exact regret bookkeeping, not part of the algorithm).
    agent : str
        ``repr`` of the agent's name and parameters.
    """

    regret: np.ndarray
    returns: np.ndarray
    value_estimates: np.ndarray
    v_star: float
    samples: np.ndarray
    wall_time: float
    phase_times: dict = field(default_factory=dict)
    agent: str = ""

    @property
    def cumulative_regret(self) -> np.ndarray:
        """``(T,)`` running sum of :attr:`regret`: :math:`R^t = \\sum_{k \\le t} (V^*_1 - V^{\\pi_k}_1)`."""
        return np.cumsum(self.regret)

    @property
    def n_episodes(self) -> int:
        return len(self.regret)


def check_rewards(rewards: Any, S: int, A: int, H: int) -> np.ndarray:
    """Return known mean rewards as a read-only ``(H, S, A)`` float64 array in ``[0, 1]``."""
    if rewards is None:
        raise TypeError("rewards is required: pass the known mean rewards, e.g. rewards=env.R "
                        "(shape (H, S, A) or (S, A))")
    R = np.asarray(rewards, dtype=np.float64)
    if R.shape == (S, A):
        R = np.broadcast_to(R, (H, S, A))
    if R.shape != (H, S, A):
        raise ValueError(f"rewards has shape {R.shape}, expected (H, S, A) = ({H}, {S}, {A}) or (S, A)")
    bad = ~np.isfinite(R) | (R < 0) | (R > 1)
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        raise ValueError(f"rewards{list(i)} = {R[i]} is outside [0, 1]; the regret analyses assume rewards in "
                         "[0, 1] -- rescale with R / R.max()")
    R = np.ascontiguousarray(R)
    R.flags.writeable = False
    return R


class EpisodicLearner:
    """Base class: sizes, known rewards, transition counts, the RNG and the backend.

    Parameters
    ----------
    S, A, H : int
        Numbers of states, actions and stages.
    rewards : array (H, S, A) or (S, A)
        Known mean rewards in ``[0, 1]``.
    rng : int, Generator or None
        Source of all the agent's randomness (posterior samples).
    stage_dependent : bool
        One posterior per stage (``counts[h]``, the theory's stage-dependent MDP) or one shared by all
        stages (``counts[0]``, the OPSRL experiments' ``stage_dependent: False``).
    backend : {"numba", "numpy"}
        JIT kernels or their NumPy twins (same numbers up to ~1e-15).

    Attributes
    ----------
    counts : ndarray (G, S, A, S)
        ``counts[g, s, a, s']`` observed transitions, ``G = H`` or ``1``.
    Q : ndarray (H, S, A), V : ndarray (H+1, S)
        The values the last :meth:`policy` call planned with (``None`` before the first call).
    phase_times : dict
        Seconds spent in ``sampling`` and ``planning``.
    """

    name = "learner"

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, *, rng=None,
                 stage_dependent: bool = True, backend: str = "numba") -> None:
        self.S = check_positive_int(S, "S")
        self.A = check_positive_int(A, "A")
        self.H = check_positive_int(H, "H")
        self.R = check_rewards(rewards, self.S, self.A, self.H)
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
        self.backend = backend
        self.stage_dependent = bool(stage_dependent)
        self.rng = as_generator(rng)
        G = self.H if self.stage_dependent else 1
        self.counts = np.zeros((G, self.S, self.A, self.S))
        self.Q: np.ndarray | None = None
        self.V: np.ndarray | None = None
        self.phase_times = {"sampling": 0.0, "planning": 0.0}
        self._support_nz: np.ndarray | None = None      # cached flat indices of the support (see _support)

    # -- interface ---------------------------------------------------------------------------------
    def policy(self) -> np.ndarray:
        """Plan for the next episode; return the deterministic policy ``(H, S)`` int64."""
        raise NotImplementedError

    def update(self, trajectory: Trajectory) -> None:
        """Add the transitions of one episode to :attr:`counts`."""
        states = np.asarray(trajectory.states, dtype=np.int64)
        actions = np.asarray(trajectory.actions, dtype=np.int64)
        if states.shape != (self.H + 1,) or actions.shape != (self.H,):
            raise ValueError(f"trajectory has states {states.shape} and actions {actions.shape}, expected "
                             f"({self.H + 1},) and ({self.H},)")
        if states.min() < 0 or states.max() >= self.S or actions.min() < 0 or actions.max() >= self.A:
            raise ValueError(f"trajectory has a state outside 0..{self.S - 1} or an action outside 0..{self.A - 1}")
        g = np.arange(self.H) if self.stage_dependent else np.zeros(self.H, np.int64)
        if np.any(self.counts[g, states[:-1], actions, states[1:]] == 0.0):
            self._support_nz = None                       # a new (s, a, s') pair: the support grows
        update = K.count_update if self.backend == "numba" else K.count_update_numpy
        update(self.counts, states, actions, self.stage_dependent)

    @property
    def n_transitions(self) -> int:
        """Number of transitions observed so far (``counts.sum()``)."""
        return int(round(self.counts.sum()))

    def _support(self, alpha: np.ndarray):
        """CSR form ``(ptr, idx, values)`` of the positive entries of ``alpha (G, S, A, S)``.

        ``alpha`` must be ``counts`` plus a constant prior: its zero pattern then changes only when
        :meth:`update` sees a new ``(s, a, s')``, so the pattern is cached until then.
        """
        flat = alpha.reshape(-1)
        if self._support_nz is None:
            nz = np.flatnonzero(flat)
            n_rows = alpha.shape[0] * self.S * self.A
            ptr = np.zeros(n_rows + 1, np.int64)
            np.cumsum(np.bincount(nz // self.S, minlength=n_rows), out=ptr[1:])
            self._support_nz = (nz, ptr, (nz % self.S).astype(np.int64))
        nz, ptr, idx = self._support_nz
        return ptr, idx, flat[nz]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(S={self.S}, A={self.A}, H={self.H}, {self._param_repr()})"

    def _param_repr(self) -> str:
        return f"stage_dependent={self.stage_dependent}"


# --------------------------------------------------------------------------------------------------
def run(agent: EpisodicLearner, env: EpisodicMDP, n_episodes: int, rng=None) -> Trace:
    """Play ``n_episodes`` episodes of ``agent`` on ``env`` and record the exact expected regret.

    Parameters
    ----------
    agent : EpisodicLearner
        Built with ``S, A, H`` and ``rewards`` of ``env``; it keeps its own RNG for posterior samples.
    env : EpisodicMDP
        The true model (``P (H, S, A, S)``, ``R (H, S, A)``, ``mu0 (S,)``).
    n_episodes : int
        ``T``.
    rng : int, Generator or None
        Randomness of the environment (initial states and transitions), separate from the agent's.

    Returns
    -------
    Trace
        Per-episode expected regret, returns, agent values, samples, timings.

    Notes
    -----
    ``V*`` comes from :func:`solvers._kernels.episodic.backward_induction_arrays`; ``V^{pi_t}`` from
    the sparse kernel :func:`._kernels.evaluate_policy_csr` (``backend="numba"``) or the planners'
    ``policy_evaluation_arrays`` (``"numpy"``), re-used when the policy did not change. Transitions are drawn by
    inverse-CDF sampling from pre-drawn uniforms, so the Numba and NumPy backends play identical
    episodes.
    """
    if not isinstance(env, EpisodicMDP):
        raise TypeError(f"env must be an mdptheory.EpisodicMDP, got {type(env).__name__}")
    if (agent.S, agent.A, agent.H) != (env.S, env.A, env.H):
        raise ValueError(f"agent has (S, A, H) = {(agent.S, agent.A, agent.H)} but env has "
                         f"{(env.S, env.A, env.H)}; build the agent from the same model")
    T = check_positive_int(n_episodes, "n_episodes")
    rng = as_generator(rng)
    t_start = time.perf_counter()
    H = env.H
    P, R, mu0 = env.P, env.R, env.mu0
    V_star, _, _ = backward_induction_arrays(P, R)
    v_star = float(mu0 @ V_star[0])
    cdf = transition_cdf(env)  # built once; each episode runs mdptheory's rollout kernel on it
    play = rollout_kernel if agent.backend == "numba" else rollout_numpy
    if agent.backend == "numba":
        stationary = bool(np.all(P == P[:1]))
        P_ptr, P_idx, P_prob = csr_parts((P[:1] if stationary else P).reshape(-1, env.S))

        def evaluate(pi):
            return K.evaluate_policy_csr(P_ptr, P_idx, P_prob, R, pi, stationary)
    else:
        def evaluate(pi):
            return policy_evaluation_arrays(P, R, pi, backend="numpy")[0]

    regret = np.empty(T)
    returns = np.empty(T)
    values = np.full(T, np.nan)
    phases = {"rollout": 0.0, "update": 0.0, "evaluation": 0.0}
    last_pi, last_v = None, 0.0
    for t in range(T):
        pi = agent.policy()
        if agent.V is not None:
            values[t] = mu0 @ agent.V[0]
        t0 = time.perf_counter()
        s0 = draw_states(mu0, rng.random(1))
        s, actions, rewards, s_next = play(*cdf, R, deterministic_policy_cdf(pi, env.A), s0,
                                           rng.random((1, H, 2)), True)
        states, actions, rewards = np.append(s[0], s_next[0, -1]), actions[0], rewards[0]
        t1 = time.perf_counter()
        agent.update(Trajectory(states, actions, rewards))
        t2 = time.perf_counter()
        if last_pi is None or not np.array_equal(pi, last_pi):
            last_pi, last_v = pi.copy(), float(mu0 @ evaluate(pi)[0])
        t3 = time.perf_counter()
        regret[t] = v_star - last_v
        returns[t] = rewards.sum()
        phases["rollout"] += t1 - t0
        phases["update"] += t2 - t1
        phases["evaluation"] += t3 - t2
    phases.update(agent.phase_times)
    return Trace(regret=regret, returns=returns, value_estimates=values, v_star=v_star,
                 samples=H * np.arange(1, T + 1, dtype=np.int64),
                 wall_time=time.perf_counter() - t_start, phase_times=phases, agent=repr(agent))


# --------------------------------------------------------------------------------------------------
class LearnerContractError(AssertionError):
    """A learner broke the episode contract checked by :func:`check_learner`."""


def _contract_env() -> EpisodicMDP:
    """Small stage-dependent random model (S=4, A=2, H=3) used by :func:`check_learner`."""
    from mdptheory.envs import garnet
    return garnet(4, 2, 2, rng=12345, H=3)


def check_learner(cls, env: EpisodicMDP | None = None, n_episodes: int = 15, seed: int = 0,
                  **params) -> None:
    """Check the learner contract of ``cls`` (rlberry's ``check_rl_agent`` idea, anchors §5.5).

    Checks, on ``env`` (default: a small stage-dependent random MDP):

    1. ``policy()`` returns an int64 ``(H, S)`` array of valid actions and sets ``V (H+1, S)``;
    2. ``update`` adds exactly ``H`` transitions;
    3. the same seeds give the same :class:`Trace` (bit for bit);
    4. every :class:`Trace` array has the documented shape; expected regret ``>= -1e-9``;
    5. the agent pickles mid-run, and the copy continues exactly like the original.

    Raises
    ------
    LearnerContractError
        Naming the broken item.
    """
    env = _contract_env() if env is None else env

    def make():
        return cls(env.S, env.A, env.H, rewards=env.R, rng=seed, **params)

    def fail(msg):
        raise LearnerContractError(f"{cls.__name__}({params}): {msg}")

    agent = make()
    pi = agent.policy()
    if not (isinstance(pi, np.ndarray) and pi.dtype == np.int64 and pi.shape == (env.H, env.S)):
        fail(f"policy() must return int64 (H, S) = ({env.H}, {env.S}), got {getattr(pi, 'dtype', type(pi))} "
             f"{getattr(pi, 'shape', '')}")
    if pi.min() < 0 or pi.max() >= env.A:
        fail("policy() returned an action outside 0..A-1")
    if agent.V is None or agent.V.shape != (env.H + 1, env.S):
        fail("policy() must set agent.V of shape (H+1, S)")
    before = agent.n_transitions
    states = np.zeros(env.H + 1, np.int64)
    agent.update(Trajectory(states, pi[:, 0].copy(), np.zeros(env.H)))
    if agent.n_transitions != before + env.H:
        fail(f"update() added {agent.n_transitions - before} transitions, expected H = {env.H}")

    a, b = make(), make()
    ta, tb = run(a, env, n_episodes, rng=seed + 1), run(b, env, n_episodes, rng=seed + 1)
    for name in ("regret", "returns", "value_estimates", "samples"):
        x, y = getattr(ta, name), getattr(tb, name)
        if x.shape != (n_episodes,):
            fail(f"Trace.{name} has shape {x.shape}, expected ({n_episodes},)")
        if not np.array_equal(x, y, equal_nan=True):
            fail(f"same seed, different Trace.{name}: the agent uses randomness outside its rng")
    if (ta.regret < -1e-9).any():
        fail(f"negative expected regret {ta.regret.min()}: V^pi > V* is impossible")
    if (ta.returns > env.H * env.R.max() + 1e-9).any():
        fail("a realised return exceeds H * max R")

    c = pickle.loads(pickle.dumps(a))
    tc, ta2 = run(c, env, 5, rng=seed + 2), run(a, env, 5, rng=seed + 2)
    if not np.array_equal(tc.regret, ta2.regret) or not np.array_equal(tc.value_estimates, ta2.value_estimates,
                                                                        equal_nan=True):
        fail("a pickled copy does not continue like the original")
