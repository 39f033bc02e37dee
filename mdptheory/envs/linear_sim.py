r"""The 5-state simulated linear MDP of Liu & Xu (AISTATS 2024, DR-LSVI-UCB), used by DRPVI and R2PVI.

Spec ``r2pvi_drrpo.md`` section 2.5(a) [P: DRPVI App. C; C: ``Simulated_Linear_MDP/env.py`` of
``panxulab/Robust-Regularized-Pessimistic-Value-Iteration``].

States ``x1..x5`` are indices ``0..4``: ``x1`` initial, ``x4`` (index 3) the absorbing zero-reward fail
state, ``x5`` (index 4) the absorbing goal with reward 1. ``H = 3``; actions ``A = {-1, 1}^4`` (16
actions, index ``k`` <-> row ``k`` of :func:`simulated_linear_mdp_actions`, ``itertools.product``
order); ``d = 4``. With ``xi = ||xi||_1 (1,1,1,1)/4`` and ``g(a) = delta + <xi, a>``:

- features ``phi(x1,a) = (1-g, 0, 0, g)``, ``phi(x2,a) = (0, 1-g, 0, g)``, ``phi(x3,a) = (0, 0, 1-g, g)``,
  ``phi(x4,.) = e3``, ``phi(x5,.) = e4``;
- rewards ``theta_1 = 0``, ``theta_2 = theta_3 = e4`` (so ``r = g(a)`` at x2/x3, 1 at x5, 0 at x4 in
  stages 2-3; episode return in ``[0, 2]``);
- factors (the same at every stage): ``mu_1 = (1-p) delta_{x2} + p delta_{x4}``,
  ``mu_2 = (1-p) delta_{x3} + p delta_{x4}``, ``mu_3 = delta_{x4}``, ``mu_4 = delta_{x5}``; so
  ``x1 -> {x2: (1-p)(1-g), x4: p(1-g), x5: g}``, ``x2 -> {x3, x4, x5}`` likewise,
  ``x3 -> {x4: 1-g, x5: g}``. (The spec lists only the factors reachable at each stage; the stationary
  choice agrees with every listed one and the others are never used from the initial state.)

Target (test) environment, ``q`` given: stage 1's factor 4 becomes ``(1-q) delta_{x5} + q delta_{x4}``
(TV distance ``q`` from the nominal) and stage 1 drops the leakage (factor 1 becomes ``delta_{x2}``).
"""
from __future__ import annotations

import itertools

import numpy as np

from ..linear import LinearMDP

__all__ = ["simulated_linear_mdp", "simulated_linear_mdp_actions"]

N_STATES, HORIZON, DIM = 5, 3, 4
X1, X2, X3, X4, X5 = range(5)


def simulated_linear_mdp_actions() -> np.ndarray:
    """The 16 actions ``{-1, 1}^4`` as an int ``(16, 4)`` array (row ``k`` = action index ``k``)."""
    return np.array(list(itertools.product((-1, 1), repeat=4)), dtype=np.int64)


def _check_unit(value: float, name: str, closed_low: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a float, got {value!r}")
    v = float(value)
    if not (np.isfinite(v) and 0.0 <= v <= 1.0):
        raise ValueError(f"{name} must lie in [0, 1], got {value}")
    return v


def simulated_linear_mdp(delta: float = 0.3, xi_norm: float = 0.2, p: float = 0.001,
                         q: float | None = None) -> LinearMDP:
    r"""The 5-state, 16-action, ``d = 4``, ``H = 3`` d-rectangular linear MDP (nominal or target).

    Parameters
    ----------
    delta : float
        Base probability ``delta`` of jumping to the goal (code default 0.3).
    xi_norm : float
        ``||xi||_1``; ``g(a) = delta + (xi_norm/4) sum_j a_j`` ranges over ``delta +- xi_norm``.
    p : float
        Leakage to the fail state x4 (default 0.001).
    q : float, optional
        Perturbation of the *target* environment (``q in [0, 1]``); ``None`` = nominal (source) model.

    Returns
    -------
    LinearMDP
        ``phi (5, 16, 4)``, ``mu (3, 4, 5)``, ``theta (3, 4)``, all mass initially on x1.

    Notes
    -----
    Nominal optimum: ``a = (1, 1, 1, 1)`` everywhere; ``V*_1(x1) = 1.6243`` at the defaults (spec
    section 2.5(a); reproduced in ``tests/test_linear.py``; the robust table in ``tests/test_robust_planners.py``).
    """
    delta = _check_unit(delta, "delta")
    xi_norm = _check_unit(xi_norm, "xi_norm")
    p = _check_unit(p, "p")
    if not (0.0 <= delta - xi_norm and delta + xi_norm <= 1.0):
        raise ValueError(
            f"g(a) = delta + <xi, a> must stay in [0, 1] for every action: need xi_norm <= delta <= 1 - xi_norm, "
            f"got delta={delta}, xi_norm={xi_norm}"
        )
    acts = simulated_linear_mdp_actions()
    g = delta + (xi_norm / 4.0) * acts.sum(axis=1)  # (16,)
    phi = np.zeros((N_STATES, len(acts), DIM))
    for s in (X1, X2, X3):
        phi[s, :, s] = 1.0 - g
        phi[s, :, 3] = g
    phi[X4, :, 2] = 1.0
    phi[X5, :, 3] = 1.0
    factor = np.zeros((DIM, N_STATES))
    factor[0, X2], factor[0, X4] = 1.0 - p, p
    factor[1, X3], factor[1, X4] = 1.0 - p, p
    factor[2, X4] = 1.0
    factor[3, X5] = 1.0
    mu = np.repeat(factor[None], HORIZON, axis=0)
    if q is not None:
        q = _check_unit(q, "q")
        mu[0, 0] = 0.0
        mu[0, 0, X2] = 1.0
        mu[0, 3] = 0.0
        mu[0, 3, X5], mu[0, 3, X4] = 1.0 - q, q
    theta = np.zeros((HORIZON, DIM))
    theta[1:, 3] = 1.0
    mu0 = np.zeros(N_STATES)
    mu0[X1] = 1.0
    return LinearMDP(phi, mu, theta, mu0)
