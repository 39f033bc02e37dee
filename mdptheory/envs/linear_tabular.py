r"""Tabular episodic MDPs as d-rectangular linear MDPs (one-hot features), e.g. RiverSwim for online robust learners.

Any tabular ``EpisodicMDP`` is a d-rectangular linear MDP with ``d = S A``: ``phi(s, a) = e_{(s, a)}`` (a
simplex feature), factors ``mu_{h,(s,a)} = P_h(.|s, a)`` and ``theta_h[(s, a)] = R_h(s, a)``; its
d-rectangular uncertainty sets are then exactly the ``(s, a)``-rectangular ones. This gives the online
d-rectangular learners (DR-RPO, DR-LSVI-UCB) instances where *exploration matters*: on RiverSwim the
reward worth having is at the far end of a current, and an agent without optimism that settles for the
small reward at the start never learns the far states (spec ``r2pvi_drrpo.md`` section 5 item 14: "no bonus
(linear regret on a hard exploration instance)").
"""
from __future__ import annotations

import numpy as np

from ..episodic import EpisodicMDP
from ..linear import LinearMDP
from .classic import riverswim

__all__ = ["one_hot_linear", "linear_riverswim"]


def one_hot_linear(mdp: EpisodicMDP) -> LinearMDP:
    """The same model as a d-rectangular :class:`~mdptheory.LinearMDP` with ``d = S A`` one-hot features.

    ``phi[s, a] = e_{s A + a}``, ``mu[h, s A + a] = P[h, s, a]``, ``theta[h, s A + a] = R[h, s, a]``, same ``mu0``.

    >>> m = one_hot_linear(riverswim(4, H=5))
    >>> m.d, bool(np.allclose(m.to_tabular().P, riverswim(4, H=5).P))
    (8, True)
    """
    if not isinstance(mdp, EpisodicMDP):
        raise TypeError(f"mdp must be an mdptheory.EpisodicMDP, got {type(mdp).__name__}")
    H, S, A = mdp.H, mdp.S, mdp.A
    phi = np.eye(S * A).reshape(S, A, S * A)
    mu = np.ascontiguousarray(np.broadcast_to(mdp.P, (H, S, A, S)).reshape(H, S * A, S))
    theta = np.ascontiguousarray(np.broadcast_to(mdp.R, (H, S, A)).reshape(H, S * A))
    return LinearMDP(phi, mu, theta, mdp.mu0)


def linear_riverswim(S: int = 4, H: int = 10, **params) -> LinearMDP:
    """RiverSwim (:func:`mdptheory.envs.riverswim`, Osband et al. 2013 parameters) as a one-hot linear MDP.

    ``d = 2 S``; start in state 0; ``params`` are passed to :func:`~mdptheory.envs.riverswim`.
    """
    return one_hot_linear(riverswim(S, H=H, **params))
