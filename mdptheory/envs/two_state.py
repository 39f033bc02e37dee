"""The two-state escape family used for the average-reward sample-complexity figures."""
from __future__ import annotations

import numpy as np

from ..finite import FiniteMDP


def two_state_escape(p: float, gap: float = 0.5, gamma: float | None = None) -> FiniteMDP:
    r"""Two states, two actions: reward 1 in state 0 and 0 in state 1; from state 0 action ``a`` escapes to state 1
    with probability ``p + a * gap * p``, from state 1 both actions return with probability ``p``; start in state 0.

    Action 0 is optimal (``alpha* = 1/2``, action 1 gives ``p / (2p + gap p)``); ``t_minorize = 1 / (2p)`` and
    ``t_mix ~ ln 2 / (2p)`` grow as ``p`` shrinks, and the bias ``h*(0) = 1/(4p)`` is of order ``t_minorize``,
    so the discounting bias ``(1 - gamma) h*(0)`` of the reduction is of order ``(1 - gamma) t``.

    This is **our** family (spec section 4.5, tag [I]): the paper's Figure 1 uses "the hard instance of Wang et
    al. (2023)" (arXiv:2302.07477), whose transition table was not available; ours has the same shape as that
    description (two states, an escape probability that sets ``t_minorize ~ 1/p``, rewards 1/0, two actions
    differing slightly in the escape probability). ``gap`` is relative to ``p`` so that the action gap scales with
    the mixing time along a sweep of ``p``.
    """
    if not 0.0 < p <= 0.5 or p * (1.0 + gap) > 1.0 or gap < 0:
        raise ValueError(f"need 0 < p <= 1/2, gap >= 0 and p (1 + gap) <= 1, got p={p}, gap={gap}")
    P = np.zeros((2, 2, 2))
    for a in range(2):
        esc = p * (1.0 + a * gap)
        P[0, a] = [1.0 - esc, esc]
        P[1, a] = [p, 1.0 - p]
    return FiniteMDP(P, np.array([[1.0, 1.0], [0.0, 0.0]]), gamma, np.array([1.0, 0.0]))
