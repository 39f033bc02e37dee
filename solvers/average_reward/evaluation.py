"""Exact average-reward evaluation of a stationary policy: gain, bias, its span, stationary law."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mdptheory.markov import gain_bias, stationary_distribution
from mdptheory.structure import average_reward_model, policy_chain

__all__ = ["AverageRewardEvaluation", "average_reward_evaluation"]


@dataclass(frozen=True, eq=False)
class AverageRewardEvaluation:
    """Gain, normalised bias (``stationary . bias = 0``), bias span and stationary law of one policy."""

    gain: float
    bias: np.ndarray
    stationary: np.ndarray
    policy: np.ndarray

    @property
    def span(self) -> float:
        """``max h - min h``, the span of the bias (``H`` in the papers when the policy is optimal)."""
        return float(self.bias.max() - self.bias.min())


def average_reward_evaluation(mdp: Any, policy: Any) -> AverageRewardEvaluation:
    r"""Exact gain ``g = eta . r_pi``, bias ``h = (I - P_pi + 1 eta^T)^{-1}(r_pi - g)`` (so ``eta . h = 0``;
    Puterman 1994, section 8.2.1) and stationary law ``eta`` of a deterministic ``(S,)`` or stochastic
    ``(S, A)`` policy of an average-reward model, by dense linear solves. A policy whose chain has several
    recurrent classes raises :class:`~mdptheory.markov.MultichainError`.

    >>> import numpy as np, mdptheory
    >>> P = np.array([[[0.9, 0.1]], [[0.1, 0.9]]])
    >>> ev = average_reward_evaluation(mdptheory.FiniteMDP(P, np.array([[1.0], [0.0]])), np.array([0, 0]))
    >>> round(ev.gain, 12), np.round(ev.bias, 12).tolist(), round(ev.span, 12)
    (0.5, [2.5, -2.5], 5.0)
    """
    mdp = average_reward_model(mdp, "average_reward_evaluation")
    P_pi, r_pi = policy_chain(mdp, policy)
    g, h = gain_bias(P_pi, r_pi)
    pol = np.asarray(policy)
    return AverageRewardEvaluation(gain=g, bias=h, stationary=stationary_distribution(P_pi), policy=pol)
