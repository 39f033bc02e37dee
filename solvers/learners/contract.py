"""The learner contract checker: what every learner of the suite must satisfy (tested on each of them)."""
from __future__ import annotations

import pickle

import numpy as np

from mdptheory import EpisodicMDP

from .loop import run
from .trace import Trajectory

__all__ = ["check_learner", "LearnerContractError"]


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
    2. ``update`` adds exactly ``H`` transitions (and ``H`` rewards with a learnt ``reward_model``);
    3. the same seeds give the same :class:`Trace` (bit for bit);
    4. every :class:`Trace` array has the documented shape; expected regret ``>= -1e-9``;
    5. the agent pickles mid-run, and the copy continues exactly like the original.

    Raises
    ------
    LearnerContractError
        Naming the broken item.
    """
    env = _contract_env() if env is None else env

    learnt = params.get("reward_model", "known") != "known"     # learnt rewards: the agent is not told env.R

    def make():
        return cls(env.S, env.A, env.H, rewards=None if learnt else env.R, rng=seed, **params)

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
    if learnt and agent.reward_stats[..., 1].sum() != env.H:
        fail(f"update() recorded {agent.reward_stats[..., 1].sum():g} rewards, expected H = {env.H}")

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
