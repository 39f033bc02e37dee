r"""American put option (Tamar et al. 2014 via Ma et al. 2022; R2PVI's variant), exactly, on its price lattice.

Spec ``r2pvi_drrpo.md`` section 2.5(b) [C: ``American_put_opt/env.py``]. The price starts at ``s0``
(the code draws ``s0 ~ U[strike - 5, strike + 5]`` once per environment object) and, while the option is
held, moves ``s -> up * s`` with probability ``p0`` and ``s -> down * s`` otherwise (``up = 1.02``,
``down = 0.98``). Action ``1`` exercises: reward ``max(0, strike - s)`` and a move to an absorbing
"exercised" state; action ``0`` holds (reward 0). Horizon ``H = 20``; nominal ``p0 = 0.5``.

Because the moves are multiplicative and recombine, the prices reachable from ``s0`` form a binomial
lattice: stage ``h`` has ``h + 1`` nodes ``s0 up^u down^(h-u)``. The environment is therefore an exact
:class:`mdptheory.EpisodicMDP` with ``S = (H+1)(H+2)/2 + 1`` states (lattice nodes of stages
``0..H`` plus the exercised state), so exact (robust) DP applies; the ``p0`` of a test environment is
just another argument. Lattice node ``(h, u)`` has index ``h (h + 1) / 2 + u``; the exercised state is
the last index. Transitions from a node at a stage other than its own are unreachable and sent to the
exercised state (any valid row would do).

The hat-function features of the paper's linear approximation are :func:`hat_features`: ``d`` anchors
``s_i = 80 + i * Delta`` with ``Delta = 100 / d`` and ``phi_i(s) = max(0, 1 - |s - s_i| / Delta)`` (they
sum to 1 only on ``[80, 80 + (d-1) Delta]``; the option is **not** an exact linear MDP in them).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..episodic import EpisodicMDP
from ..validation import as_generator, check_positive_int, check_real

__all__ = ["AmericanPut", "american_put", "hat_features"]


def hat_features(prices: np.ndarray, d: int = 30, low: float = 80.0, width: float = 100.0) -> np.ndarray:
    """Hat-function features ``(n, d)`` of prices ``(n,)``: anchors ``low + i * width/d``, ``i = 0..d-1``."""
    d = check_positive_int(d, "d")
    prices = np.asarray(prices, dtype=np.float64)
    delta = width / d
    anchors = low + delta * np.arange(d)
    return np.maximum(0.0, 1.0 - np.abs(prices[..., None] - anchors) / delta)


@dataclass(frozen=True, eq=False)
class AmericanPut:
    """An American put on its exact price lattice.

    Attributes
    ----------
    mdp : EpisodicMDP
        ``P (H, S, A, S)``, ``R (H, S, A)``; actions ``0 = hold``, ``1 = exercise``; ``mu0`` on node (0, 0).
    prices : ndarray (S,)
        Price at each lattice node (``nan`` for the exercised state).
    stage : ndarray (S,)
        Stage ``h`` of each node (``-1`` for the exercised state).
    features : ndarray (S, d)
        Hat features of each node's price (zeros for the exercised state, as in the code).
    exercised : int
        Index of the absorbing exercised state.
    s0, strike, p0, up, down : float
    """

    mdp: EpisodicMDP
    prices: np.ndarray
    stage: np.ndarray
    features: np.ndarray
    exercised: int
    s0: float
    strike: float
    p0: float
    up: float
    down: float


def american_put(p0: float = 0.5, s0: float | None = None, *, strike: float = 100.0, H: int = 20, d: int = 30,
                 up: float = 1.02, down: float = 0.98, rng=None) -> AmericanPut:
    """Build the American put option as an exact episodic MDP on its price lattice.

    Parameters
    ----------
    p0 : float
        Probability of an up-move while holding (nominal 0.5; test environments 0.2 ... 1.0).
    s0 : float, optional
        Initial price; ``None`` draws ``U[strike - 5, strike + 5]`` from ``rng`` (as the official code).
    strike : float
        Strike price ``K_s`` (100).
    H : int
        Horizon (20).
    d : int
        Number of hat features (30).
    up, down : float
        Multiplicative price moves (1.02, 0.98).
    rng : int or numpy.random.Generator, optional
        Used only when ``s0`` is ``None``.
    """
    H = check_positive_int(H, "H")
    # check_real: float("0.5") would otherwise accept a string, and NaN would slip past a comparison
    p0 = check_real(p0, "p0 (probability of an up-move)", low=0.0, high=1.0)
    up = check_real(up, "up (price multiplier)", low=0.0, low_open=True)
    down = check_real(down, "down (price multiplier)", low=0.0, low_open=True)
    strike = check_real(strike, "strike", low=0.0, low_open=True)
    rng = as_generator(rng)  # checked even when s0 is given and it goes unused
    if s0 is None:
        s0 = float(rng.uniform(strike - 5.0, strike + 5.0))
    s0 = check_real(s0, "s0 (initial price)", low=0.0, low_open=True)
    n_nodes = (H + 1) * (H + 2) // 2
    S, E = n_nodes + 1, n_nodes
    prices = np.full(S, np.nan)
    stage = np.full(S, -1, dtype=np.int64)
    for h in range(H + 1):
        u = np.arange(h + 1)
        idx = h * (h + 1) // 2 + u
        prices[idx] = s0 * up ** u * down ** (h - u)
        stage[idx] = h
    P = np.zeros((H, S, 2, S))
    P[:, :, :, E] = 1.0  # exercise, the exercised state, and unreachable (off-stage) holds
    R = np.zeros((H, S, 2))
    payoff = np.maximum(0.0, strike - prices[:n_nodes])
    for h in range(H):
        u = np.arange(h + 1)
        idx = h * (h + 1) // 2 + u
        nxt = (h + 1) * (h + 2) // 2 + u
        P[h, idx, 0, E] = 0.0
        P[h, idx, 0, nxt + 1] = p0
        P[h, idx, 0, nxt] += 1.0 - p0
        R[h, :n_nodes, 1] = payoff
    mu0 = np.zeros(S)
    mu0[0] = 1.0
    feats = np.zeros((S, check_positive_int(d, "d")))
    feats[:n_nodes] = hat_features(prices[:n_nodes], d)
    return AmericanPut(EpisodicMDP(P, R, mu0), prices, stage, feats, E, float(s0), float(strike), float(p0),
                       float(up), float(down))
