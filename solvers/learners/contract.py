"""The learner contract checker: what every learner of the suite must satisfy (tested on each of them)."""
from __future__ import annotations

import pickle
from typing import Any, Callable

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


def check_learner(cls, env: EpisodicMDP | None = None, n_episodes: int = 15, seed: int = 0, *,
                  factory: Callable[[int], Any] | None = None, oracle: Any = None, **params) -> None:
    """Check the learner contract of ``cls`` (rlberry's ``check_rl_agent`` idea, anchors §5.5).

    Checks, on ``env`` (default: a small stage-dependent random MDP):

    1. ``policy()`` returns an int64 ``(H, S)`` array of valid actions (or, for learners with stochastic
       policies such as DR-RPO's softmax, a float64 ``(H, S, A)`` array of distributions) and sets
       ``V (H+1, S)``;
    2. ``update`` adds exactly ``H`` transitions (and ``H`` rewards with a learnt ``reward_model``);
    3. the same seeds give the same :class:`Trace` (bit for bit);
    4. every :class:`Trace` array has the documented shape; expected regret ``>= -1e-9``;
    5. the agent pickles mid-run, and the copy continues exactly like the original.

    ``factory(seed)`` builds the agent when its constructor is not ``cls(S, A, H, rewards=..., rng=...)``
    (e.g. a linear learner built from a model's features); ``oracle`` is the ground truth to run against
    (default: the episodic oracle of ``env``; ``env`` still supplies the sizes and the rewards' range).

    Raises
    ------
    LearnerContractError
        Naming the broken item.
    """
    env = _contract_env() if env is None else env

    learnt = params.get("reward_model", "known") != "known"     # learnt rewards: the agent is not told env.R

    def make():
        if factory is not None:
            return factory(seed)
        return cls(env.S, env.A, env.H, rewards=None if learnt else env.R, rng=seed, **params)

    def fail(msg):
        raise LearnerContractError(f"{cls.__name__}({params}): {msg}")

    agent = make()
    pi = agent.policy()
    stochastic = isinstance(pi, np.ndarray) and pi.dtype == np.float64 and pi.shape == (env.H, env.S, env.A)
    if not (stochastic or (isinstance(pi, np.ndarray) and pi.dtype == np.int64 and pi.shape == (env.H, env.S))):
        fail(f"policy() must return int64 (H, S) = ({env.H}, {env.S}) or float64 (H, S, A) probabilities, got "
             f"{getattr(pi, 'dtype', type(pi))} {getattr(pi, 'shape', '')}")
    if stochastic and ((pi < 0).any() or np.abs(pi.sum(axis=-1) - 1.0).max() > 1e-9):
        fail("policy() returned a stochastic policy whose rows are not distributions over actions")
    if not stochastic and (pi.min() < 0 or pi.max() >= env.A):
        fail("policy() returned an action outside 0..A-1")
    if agent.V is None or agent.V.shape != (env.H + 1, env.S):
        fail("policy() must set agent.V of shape (H+1, S)")
    before = agent.n_transitions
    states = np.zeros(env.H + 1, np.int64)
    actions = pi[:, 0].argmax(axis=-1) if stochastic else pi[:, 0].copy()
    agent.update(Trajectory(states, actions, np.zeros(env.H)))
    if agent.n_transitions != before + env.H:
        fail(f"update() added {agent.n_transitions - before} transitions, expected H = {env.H}")
    if learnt and agent.reward_stats[..., 1].sum() != env.H:
        fail(f"update() recorded {agent.reward_stats[..., 1].sum():g} rewards, expected H = {env.H}")

    a, b = make(), make()
    env_or_none = None if oracle is not None else env
    ta = run(a, env_or_none, n_episodes, rng=seed + 1, oracle=oracle)
    tb = run(b, env_or_none, n_episodes, rng=seed + 1, oracle=oracle)
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
    tc, ta2 = run(c, env_or_none, 5, rng=seed + 2, oracle=oracle), run(a, env_or_none, 5, rng=seed + 2, oracle=oracle)
    if not np.array_equal(tc.regret, ta2.regret) or not np.array_equal(tc.value_estimates, ta2.value_estimates,
                                                                        equal_nan=True):
        fail("a pickled copy does not continue like the original")
