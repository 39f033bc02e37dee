"""Classic exploration benchmarks: RiverSwim and Dearden's chain."""
from __future__ import annotations

import numpy as np

from ..episodic import EpisodicMDP
from ..finite import FiniteMDP
from ..validation import check_positive_int, check_real


def _finish(P, R, mu0, gamma, H):
    return EpisodicMDP.stationary(P, R, H, mu0) if H is not None else FiniteMDP(P, R, gamma, mu0)


def riverswim(
    S: int = 6,
    p_right: float = 0.35,
    p_stay: float = 0.6,
    r_left: float = 0.005,
    r_right: float = 1.0,
    gamma: float | None = None,
    H: int | None = None,
) -> FiniteMDP | EpisodicMDP:
    """RiverSwim (Strehl & Littman 2008), in the parametrisation of Osband et al. (2013).

    ``S`` states in a line, start in state 0. Action 0 ("left", with the current) always moves one
    state left (staying at 0). Action 1 ("right", against the current) moves right with probability
    ``p_right``, stays with ``p_stay`` and drifts left otherwise; at state 0 the left drift becomes a
    stay, and at state ``S-1`` the right move becomes a stay. Rewards: ``r_left`` for action 0 in
    state 0, ``r_right`` for action 1 in state ``S-1``; zero elsewhere. ``FiniteMDP`` when
    ``H is None``, else a stationary ``EpisodicMDP``.
    """
    S = check_positive_int(S, "S")
    if S < 2:
        raise ValueError(f"riverswim needs S >= 2 states, got {S}")
    p_right = check_real(p_right, "p_right", low=0.0, high=1.0)
    p_stay = check_real(p_stay, "p_stay", low=0.0, high=1.0)
    r_left, r_right = check_real(r_left, "r_left"), check_real(r_right, "r_right")
    if p_right + p_stay > 1:
        raise ValueError(f"need p_right + p_stay <= 1, got p_right = {p_right}, p_stay = {p_stay}")
    p_left = 1.0 - p_right - p_stay
    P = np.zeros((S, 2, S))
    for s in range(S):
        P[s, 0, max(s - 1, 0)] = 1.0
        P[s, 1, min(s + 1, S - 1)] += p_right
        P[s, 1, s] += p_stay
        P[s, 1, max(s - 1, 0)] += p_left
    R = np.zeros((S, 2))
    R[0, 0] = r_left
    R[S - 1, 1] = r_right
    mu0 = np.eye(S)[0]
    return _finish(P, R, mu0, gamma, H)


def chain(
    S: int = 5,
    slip: float = 0.2,
    r_return: float = 2.0,
    r_end: float = 10.0,
    gamma: float | None = None,
    H: int | None = None,
) -> FiniteMDP | EpisodicMDP:
    """Dearden, Friedman & Russell (1998) chain, generalised to ``S`` states.

    Action 0 ("forward") moves one state right with reward 0, except in the last state where it
    stays and pays ``r_end``; action 1 ("return") goes back to state 0 and pays ``r_return``. With
    probability ``slip`` the other action is executed instead. Start in state 0.
    """
    S = check_positive_int(S, "S")
    slip = check_real(slip, "slip", low=0.0, high=1.0)
    r_return, r_end = check_real(r_return, "r_return"), check_real(r_end, "r_end")
    P_intended = np.zeros((S, 2, S))
    R_intended = np.zeros((S, 2))
    for s in range(S):
        P_intended[s, 0, min(s + 1, S - 1)] = 1.0
        R_intended[s, 0] = r_end if s == S - 1 else 0.0
        P_intended[s, 1, 0] = 1.0
        R_intended[s, 1] = r_return
    swap = P_intended[:, ::-1, :]
    P = (1 - slip) * P_intended + slip * swap
    R = (1 - slip) * R_intended + slip * R_intended[:, ::-1]
    return _finish(P, R, np.eye(S)[0], gamma, H)
