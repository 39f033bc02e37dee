r"""The pure-exploration loop: recompute the bounds, stop or play one episode; the stopping time as the result."""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from mdptheory import mutants
from mdptheory.validation import as_generator

from ..learners.oracle import EpisodicOracle, as_oracle
from .base import PureExplorer
from .result import ExplorationResult

__all__ = ["explore"]


def _fused_allowed(agent: PureExplorer, oracle: Any, keep_states: bool) -> bool:
    """The fused loop reproduces the interface loop on a known tabular model unless a count mutant of the shared
    learner base (``learners.*``) is active: it acts in :meth:`~solvers.learners.EpisodicLearner.update`, which
    the fused loop does not call. The agent's own mutants are passed to the kernels; other algorithms' mutants
    do not touch it."""
    active = mutants.active_name()
    own = active is None or active.split(".", 1)[0] != "learners"
    return type(oracle) is EpisodicOracle and own and not keep_states


def explore(agent: PureExplorer, env: Any = None, max_episodes: int = 1_000_000, rng: Any = None, *,
            oracle: Any = None, stop: bool = True, fast: bool | None = None,
            keep_states: bool = False) -> ExplorationResult:
    r"""Explore with ``agent`` until its stopping rule holds (or ``max_episodes`` episodes were played).

    Before every episode ``t = 0, 1, ...`` the agent recomputes its bounds from the first ``t`` episodes
    (``agent.policy()``) and its certificate ``c_t`` at the start distribution; the run stops at
    ``tau = min{t : c_t <= agent.threshold}``, else plays one episode of the agent's policy in the environment
    and adds it to the counts.

    Parameters
    ----------
    agent : PureExplorer
        :class:`RFExpress`, :class:`RFUCRL` or :class:`BPIUCRL` (it keeps its counts: a second call continues).
    env : mdptheory.EpisodicMDP, optional
        The environment (wrapped in :class:`~solvers.learners.EpisodicOracle`); or pass ``oracle``.
    max_episodes : int >= 0
        Episode budget.
    rng : int, Generator or None
        Randomness of the environment (start states, transitions).
    oracle : object with ``S, A, H, mu0, play(policy, rng)``
        Another environment (:mod:`solvers.learners.oracle`); ``mu0`` is required (the certificate's start).
    stop : bool
        ``False`` plays exactly ``max_episodes`` episodes and records the certificates (the official RF-Express
        experiment's fixed episode count).
    fast : bool, optional
        Run the fused Numba loop (``exploration.rf_explore`` / ``bpi_explore``), which gives the same run as the
        episode-by-episode loop (same uniforms, same bounds; the generator then has consumed a few more
        uniforms). Default: when the environment is a known ``EpisodicMDP`` and no count mutant of the learner
        base (``learners.*``) is active.
    keep_states : bool
        Keep the visited states ``(tau, H+1)`` in ``extra["states"]`` (episode-by-episode loop).

    Returns
    -------
    ExplorationResult
    """
    if not isinstance(agent, PureExplorer):
        raise TypeError(f"agent must be a pure-exploration learner (RFExpress, RFUCRL, BPIUCRL), got "
                        f"{type(agent).__name__}; regret learners run with solvers.learners.run")
    oracle = as_oracle(env, oracle, agent.backend)
    if (agent.S, agent.A, agent.H) != (oracle.S, oracle.A, oracle.H):
        raise ValueError(f"agent has (S, A, H) = {(agent.S, agent.A, agent.H)} but the environment has "
                         f"{(oracle.S, oracle.A, oracle.H)}; build the agent from the same model")
    mu0 = getattr(oracle, "mu0", None)
    if mu0 is None:
        raise ValueError("the oracle has no start distribution mu0: the stopping rule reads the bounds at the start")
    if isinstance(max_episodes, bool) or not isinstance(max_episodes, (int, np.integer)) or max_episodes < 0:
        raise ValueError(f"max_episodes must be an integer >= 0, got {max_episodes!r}")
    mu0 = np.asarray(mu0, dtype=float)
    rng = as_generator(rng)
    t_start = time.perf_counter()
    use_fast = _fused_allowed(agent, oracle, keep_states) if fast is None else bool(fast)
    if use_fast and not _fused_allowed(agent, oracle, keep_states):
        raise ValueError("fast=True needs a known EpisodicMDP environment, keep_states=False and no active count "
                         "mutant of the learner base; leave fast=None to choose automatically")
    states: list[np.ndarray] = []
    if use_fast:
        certs, tau, stopped = agent._fused(oracle, rng, int(max_episodes), bool(stop))
        pi = agent.policy()                             # the bounds at tau, as the loop below leaves them
    else:
        certs_l: list[float] = []
        tau, stopped = 0, False
        while True:
            pi = agent.policy()
            c = agent.certificate(mu0)
            certs_l.append(c)
            if stop and c <= agent.threshold:
                stopped = True
                break
            if tau == max_episodes:
                break
            traj = oracle.play(pi, rng)
            if keep_states:
                states.append(np.asarray(traj.states, dtype=np.int64))
            agent.update(traj)
            tau += 1
        certs = np.asarray(certs_l)
    extra: dict[str, Any] = {"fused": use_fast}
    if keep_states:
        extra["states"] = np.vstack(states) if states else np.zeros((0, agent.H + 1), np.int64)
    if hasattr(agent, "recommendation"):
        policy = agent.recommendation()
        extra["upper"] = float(mu0 @ agent.V[0])
        extra["lower"] = float(mu0 @ agent.V_low[0])
    else:
        policy = pi
    return ExplorationResult(tau=int(tau), stopped=bool(stopped), certificates=certs, threshold=float(agent.threshold),
                             counts=agent.counts.copy(), horizon=agent.H, policy=policy, method=agent.name,
                             params=dict(agent.params), wall_time=time.perf_counter() - t_start, extra=extra)

