"""The reset chain: the worst case of sample collection (spec section 2.3, derived [D])."""
from __future__ import annotations

import numpy as np

from ..finite import FiniteMDP
from ..validation import check_positive_int

#: Action indices of :func:`reset_chain`: "reset" first, so that the suite's tie rule (lowest action among
#: equals) does not hand an optimistic learner the answer when both actions of a state are still unknown.
RESET, RIGHT = 0, 1


def reset_chain(L: int) -> FiniteMDP:
    """States ``0..L`` on a line, start in 0; action 1 ("right") moves ``i -> min(i + 1, L)``, action 0 ("reset")
    moves to 0 from every state. Deterministic, communicating, diameter ``D = L`` exactly (``0 -> L`` takes ``L``
    steps; ``i -> j < i`` takes a reset and ``j`` steps, at most ``L``).

    With the whole requirement ``b`` on ``(L, reset)``, every collection strategy needs at least ``b (L + 1)``
    steps: each sample is one step and leaves the agent in 0, from which ``L`` steps are needed to come back
    (the first sample also needs ``L``). This is the ``Omega(B D)`` family of the sample-collection bound
    (Tarbouriech et al. 2021; the lower bound ``b L`` of the spec is implied). Rewards are zero.
    """
    L = check_positive_int(L, "L")
    S = L + 1
    P = np.zeros((S, 2, S))
    P[np.arange(S), RIGHT, np.minimum(np.arange(S) + 1, L)] = 1.0
    P[:, RESET, 0] = 1.0
    return FiniteMDP(P, np.zeros((S, 2)), None, np.eye(S)[0])
