r"""Shared pieces of the pure-exploration experiments (Ménard et al. 2021; Kaufmann et al. 2021).

- :func:`reference_error` -- RF-Express's ``W`` and RF-UCRL's ``E`` recomputed from the paper's formulas with
  plain loops over ``(h, s, a)`` on the dense counts (nothing shared with :mod:`solvers.exploration`);
- :func:`reference_kl_bounds` -- BPI-UCRL's upper and lower values with the KL-ball maximum written from its
  convex dual ``max{q f : KL(p || q) <= c} = min_{lam >= max f} lam - exp(sum_i p_i log(lam - f_i) - c)``
  (Filippi, Cappé & Garivier 2010; the geometric mean is concave in ``lam``, so the dual is a 1-D convex
  minimisation, solved by :func:`scipy.optimize.minimize_scalar`) -- an implementation independent of
  :func:`solvers.kl.kl_ball_max`'s Newton iteration on the primal's stationarity condition;
- :func:`trap` -- the tiny stage-dependent instance of the PAC claims, and :func:`reward_family`;
- :func:`suboptimality` -- ``max_r V*(r) - V^{pi_r}(r)`` over a reward family, by dense backward induction.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize_scalar

from mdptheory import EpisodicMDP

from .independent import backward_values

__all__ = ["reference_error", "reference_kl_bounds", "ball_max_dual", "trap", "reward_family", "suboptimality",
           "run_seeds"]


def run_seeds(seed: int, runs: int) -> list[np.random.Generator]:
    """Independent environment streams per ``(seed, run)``."""
    return [np.random.default_rng(np.random.SeedSequence([int(seed), i, 21])) for i in range(int(runs))]


def _beta_icml(n: float, S: int, A: int, H: int, delta: float) -> float:
    return math.log(3 * S * A * H / delta) + S * math.log(8 * math.e * (n + 1))


def reference_error(counts: np.ndarray, H: int, delta: float, kind: str, scale: float = 1.0) -> np.ndarray:
    """``W (H, S, A)`` of RF-Express (``kind="rf-express"``, clip ``W`` at ``H``) or ``E`` of RF-UCRL
    (``"rf-ucrl"``) from stage-dependent ``counts (H, S, A, S)``: ``W = H`` on unvisited pairs."""
    _, S, A, _ = counts.shape
    W = np.zeros((H + 1, S, A))
    for h in range(H - 1, -1, -1):
        nxt = W[h + 1].max(axis=1)
        for s in range(S):
            for a in range(A):
                n = counts[h, s, a].sum()
                if n == 0:
                    W[h, s, a] = H
                    continue
                p = counts[h, s, a] / n
                beta = _beta_icml(n, S, A, H, delta)
                if kind == "rf-express":
                    val = scale * 15 * H * H * beta / n + (1 + 1 / H) * float(p @ nxt)
                else:
                    val = scale * H * math.sqrt(beta / n) + float(p @ nxt)
                W[h, s, a] = min(H, val)
    return W[:H]


def reference_certificate(W0: np.ndarray, s0: int, kind: str) -> float:
    w = float(W0[s0].max())
    return 3 * math.e * math.sqrt(w) + w if kind == "rf-express" else w


def ball_max_dual(p: np.ndarray, f: np.ndarray, c: float) -> float:
    """``max{q f : q in simplex, KL(p || q) <= c}`` by its 1-D convex dual (see the module docstring)."""
    if not np.isfinite(c):
        return float(f.max())
    on = p > 0
    fmax = float(f.max())
    span = max(fmax - float(f.min()), 1e-300)

    def dual(x: float) -> float:          # lam = fmax + x, x > 0
        lam = fmax + x
        return lam - math.exp(float(np.sum(p[on] * np.log(lam - f[on]))) - c)

    hi = span * (1.0 + 1.0 / max(c, 1e-12)) * 10.0
    res = minimize_scalar(dual, bounds=(0.0, hi), method="bounded", options={"xatol": 1e-13 * span})
    return float(min(res.fun, dual(1e-300) if np.all(f[on] < fmax) else np.inf, dual(hi)))


def reference_kl_bounds(counts: np.ndarray, R: np.ndarray, delta: float, scale: float,
                        lower: str) -> tuple[np.ndarray, np.ndarray]:
    """BPI-UCRL's ``Vup (H+1, S)`` and ``Vlo (H+1, S)`` (ICML beta, clip ``H - h``) from the dense counts."""
    H, S, A, _ = counts.shape
    Vu, Vl = np.zeros((H + 1, S)), np.zeros((H + 1, S))
    for h in range(H - 1, -1, -1):
        Qu, Ql = np.zeros((S, A)), np.zeros((S, A))
        for s in range(S):
            for a in range(A):
                n = counts[h, s, a].sum()
                c = scale * _beta_icml(n, S, A, H, delta) / n if n > 0 else np.inf
                p = counts[h, s, a] / n if n > 0 else np.full(S, 1.0 / S)
                Qu[s, a] = min(H - h, R[h, s, a] + ball_max_dual(p, Vu[h + 1], c))
                Ql[s, a] = max(0.0, R[h, s, a] - ball_max_dual(p, -Vl[h + 1], c))
        Vu[h] = Qu.max(axis=1)
        pi = np.argmax(Qu, axis=1)
        Vl[h] = Ql[np.arange(S), pi] if lower == "policy" else Ql.max(axis=1)
    return Vu, Vl


def trap(H: int = 2, p: float = 0.15) -> EpisodicMDP:
    r"""Two actions at a fixed start; ``S = 3``, stage-dependent: at stage 0, action 0 reaches the *rare*
    state 1 with probability ``p`` (else state 2) and action 1 with probability ``2p``; at later stages the
    actions of states 1 and 2 mix between them with probabilities ``(0.5, 0.5)`` and ``(0.8, 0.2)``. The
    indicator reward of state 1 separates the stage-0 actions by ``p`` per remaining stage, which an explorer
    stopping early mis-ranks."""
    S, A = 3, 2
    P = np.zeros((H, S, A, S))
    for h in range(H):
        if h == 0:
            P[h, :, 0] = [0.0, p, 1 - p]
            P[h, :, 1] = [0.0, 2 * p, 1 - 2 * p]
        else:
            P[h, :, 0] = [0.0, 0.5, 0.5]
            P[h, :, 1] = [0.0, 0.8, 0.2]
    mu0 = np.array([1.0, 0.0, 0.0])
    return EpisodicMDP(P, np.zeros((H, S, A)), mu0)


def reward_family(rng: np.random.Generator, H: int, S: int, A: int, n_random: int = 20) -> list[np.ndarray]:
    """Random uniform rewards and, for every state, its indicator reward (1 in that state, any action, any
    stage) and its indicator per action: the rewards the reward-free guarantee must serve."""
    out = [rng.random((H, S, A)) for _ in range(n_random)]
    for s in range(S):
        r = np.zeros((H, S, A))
        r[:, s, :] = 1.0
        out.append(r)
        for a in range(A):
            r = np.zeros((H, S, A))
            r[:, s, a] = 1.0
            out.append(r)
    return out


def suboptimality(P: np.ndarray, P_hat: np.ndarray, mu0: np.ndarray, rewards: list[np.ndarray]) -> float:
    """``max_r mu0 (V*(r) - V^{pi_r}(r))`` with ``pi_r`` optimal in ``(P_hat, r)`` (dense backward induction)."""
    worst = 0.0
    for r in rewards:
        v_star = backward_values(P, r)[0]
        pi = _greedy_backward(P_hat, r)
        worst = max(worst, float(mu0 @ (v_star - backward_values(P, r, pi)[0])))
    return worst


def _greedy_backward(P: np.ndarray, R: np.ndarray) -> np.ndarray:
    H, S, A, _ = P.shape
    V = np.zeros(S)
    pi = np.zeros((H, S), np.int64)
    for h in range(H - 1, -1, -1):
        Q = R[h] + P[h] @ V
        pi[h] = np.argmax(Q, axis=1)
        V = Q.max(axis=1)
    return pi
