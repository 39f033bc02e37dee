"""MDPs with structured action spaces for the action-grouping experiments (Li, Ju & Shroff 2024, arXiv:2306.12981).

- :func:`hierarchical_actions`: actions ``(i, j)`` whose dynamics are a coarse part shared by group ``i`` plus a
  fine part of weight ``rho`` (spec ``gosprl_grouping_avgreward_lmdp.md`` section 3.3 [I]: the paper's toy tasks
  were not available); ``rho = 0`` makes the coarse grouping exact.
- :func:`transition_fork` and :func:`reward_twins`: two small instances on which the approximation bound of
  ``bounds/grouping.py`` is tight (``reward_twins``, ratio 1) or within a factor ``1 - gamma`` (``transition_fork``,
  whose transition residual is spread over ``2k`` states, so its L2 norm is ``sqrt(2k)`` times below its L1 norm).
"""
from __future__ import annotations

import numpy as np

from ..finite import FiniteMDP
from ..grouping import Grouping
from ..validation import as_generator, check_positive_int, check_real
from .garnet import garnet

__all__ = ["hierarchical_actions", "hierarchical_grouping", "transition_fork", "reward_twins"]


def hierarchical_actions(S: int = 20, n_coarse: int = 8, n_fine: int = 8, rho: float = 0.05, branching: int = 4,
                         gamma: float = 0.9, rng: int | np.random.Generator | None = None) -> FiniteMDP:
    r"""``A = n_coarse * n_fine`` actions ``a = i * n_fine + j`` with
    ``P(.|s,a) = (1 - rho) P_c(.|s,i) + rho P_f(.|s,a)`` and ``R(s,a) = (1 - rho) R_c(s,i) + rho R_f(s,a)``, where
    ``P_c``, ``P_f`` are Garnet kernels of the given branching and ``R_c``, ``R_f ~ U(0, 1)`` (rewards stay in
    [0, 1]). The coarse grouping (:func:`hierarchical_grouping`) has intra-group residuals of size ``O(rho)``."""
    S, n_coarse, n_fine = (check_positive_int(v, n) for v, n in ((S, "S"), (n_coarse, "n_coarse"), (n_fine, "n_fine")))
    rho = check_real(rho, "rho", low=0.0, high=1.0)
    rng = as_generator(rng)
    coarse = garnet(S, n_coarse, branching, rng=rng, gamma=None)
    fine = garnet(S, n_coarse * n_fine, branching, rng=rng, gamma=None)
    i_of = np.arange(n_coarse * n_fine) // n_fine
    P = (1.0 - rho) * coarse.P[:, i_of] + rho * fine.P
    R = (1.0 - rho) * coarse.R[:, i_of] + rho * fine.R
    return FiniteMDP(P, R, gamma)


def hierarchical_grouping(n_coarse: int = 8, n_fine: int = 8) -> Grouping:
    """The coarse grouping of :func:`hierarchical_actions`: group ``i`` holds actions ``i * n_fine .. (i+1) n_fine - 1``."""
    n_coarse, n_fine = check_positive_int(n_coarse, "n_coarse"), check_positive_int(n_fine, "n_fine")
    return Grouping(np.arange(n_coarse * n_fine) // n_fine)


def transition_fork(k: int = 8, gamma: float = 0.5) -> FiniteMDP:
    """A fork state 0 with two actions: action 0 moves uniformly to ``k`` absorbing states of reward 1, action 1 to
    ``k`` absorbing states of reward 0 (both actions alike elsewhere; reward 0 at the fork).

    Grouping the two actions: ``eps_R = 0``, ``eps_P = 1`` (L1; ``1 / sqrt(2k)`` in L2) and
    ``V*(0) - V*_g(0) = gamma / (2 (1 - gamma))``, a factor ``1 - gamma`` below the bound."""
    k = check_positive_int(k, "k")
    S = 2 * k + 1
    P = np.zeros((S, 2, S))
    P[0, 0, 1:k + 1] = 1.0 / k
    P[0, 1, k + 1:] = 1.0 / k
    P[np.arange(1, S), :, np.arange(1, S)] = 1.0
    R = np.zeros((S, 2))
    R[1:k + 1] = 1.0
    return FiniteMDP(P, R, gamma)


def reward_twins(gamma: float = 0.9) -> FiniteMDP:
    """One absorbing state with two actions of reward 1 and 0: grouping them loses exactly
    ``eps_R / (1 - gamma) = 0.5 / (1 - gamma)``, the approximation bound with equality."""
    return FiniteMDP(np.ones((1, 2, 1)), np.array([[1.0, 0.0]]), gamma)
