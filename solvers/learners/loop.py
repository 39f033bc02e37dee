"""The run loop of online learners: ``policy() -> play -> update``, with the exact expected regret per episode."""
from __future__ import annotations

import time
from typing import Any

import numpy as np

from mdptheory.validation import as_generator, check_positive_int

from .oracle import as_oracle
from .trace import Trace

__all__ = ["run"]


def run(agent: Any, env: Any, n_episodes: int, rng: Any = None, *, oracle: Any = None) -> Trace:
    """Play ``n_episodes`` episodes of ``agent`` and record the exact expected regret of each.

    Parameters
    ----------
    agent : learner
        Anything with ``S, A, H``, ``policy() -> policy``, ``update(trajectory)``, ``V`` (its value table
        or ``None``), ``backend``, ``name``, ``params`` and ``phase_times`` (e.g. an
        :class:`~solvers.learners.EpisodicLearner`); it keeps its own RNG for posterior samples.
    env : mdptheory.EpisodicMDP or None
        The true model, wrapped in the default :class:`~solvers.learners.oracle.EpisodicOracle`. May be
        ``None`` when ``oracle`` is given.
    n_episodes : int
        ``T``.
    rng : int, Generator or None
        Randomness of the environment (initial states and transitions), separate from the agent's.
    oracle : EvaluationOracle, optional
        The ground truth to play in and measure against (:mod:`solvers.learners.oracle`), for settings
        other than a known episodic MDP.

    Returns
    -------
    Trace
        Per-episode expected regret ``oracle.v_star - oracle.value(pi_t)``, returns, agent values, samples,
        timings.

    Notes
    -----
    With the default oracle, ``V*`` comes from backward induction and ``V^{pi_t}`` from the sparse
    evaluation kernel (re-used while the policy is unchanged); transitions are drawn by inverse-CDF sampling
    from pre-drawn uniforms, so the Numba and NumPy backends play identical episodes.
    """
    oracle = as_oracle(env, oracle, agent.backend)
    if (agent.S, agent.A, agent.H) != (oracle.S, oracle.A, oracle.H):
        raise ValueError(f"agent has (S, A, H) = {(agent.S, agent.A, agent.H)} but the environment has "
                         f"{(oracle.S, oracle.A, oracle.H)}; build the agent from the same model")
    T = check_positive_int(n_episodes, "n_episodes")
    rng = as_generator(rng)
    t_start = time.perf_counter()
    mu0 = getattr(oracle, "mu0", None)  # reads the agent's own value estimate at the start, when there is one
    regret, returns, values = np.empty(T), np.empty(T), np.full(T, np.nan)
    phases = {"rollout": 0.0, "update": 0.0, "evaluation": 0.0}
    pi = None
    for t in range(T):
        pi = agent.policy()
        if agent.V is not None and mu0 is not None:
            values[t] = mu0 @ agent.V[0]
        t0 = time.perf_counter()
        traj = oracle.play(pi, rng)
        t1 = time.perf_counter()
        agent.update(traj)
        t2 = time.perf_counter()
        regret[t] = oracle.v_star - oracle.value(pi)
        phases["evaluation"] += time.perf_counter() - t2
        returns[t] = float(np.sum(traj.rewards))
        phases["rollout"] += t1 - t0
        phases["update"] += t2 - t1
    phases.update(agent.phase_times)
    return Trace(regret=regret, returns=returns, value_estimates=values, v_star=oracle.v_star,
                 samples=agent.H * np.arange(1, T + 1, dtype=np.int64), wall_time=time.perf_counter() - t_start,
                 phase_times=phases, agent=repr(agent), policy=pi, method=agent.name, params=dict(agent.params))
