r"""Latent-MDP instances for the verification of Zhou, Wang & Du (ICML 2023).

The paper is theoretical: it has no experiments, so every instance here is **ours** (spec section 5.4 [I]).
All of them keep the total reward of an episode at most 1 (the horizon-free scaling).

- :func:`random_lmdp` -- random micro-LMDPs: Garnet kernels with support ``Gamma``, mixing weights
  ``w = (1/M + Dirichlet(1)) / 2`` (no vanishing context), ``nu_m ~ Dirichlet(1)``, rewards ``U(0, 1) / H``
  (shared by the contexts by default, so that rewards do not reveal the context at once).
- :func:`noisy_lmdp` -- a deterministic LMDP (one-hot kernels and initial states: ``Var* = 0``) mixed with
  Garnet noise of weight ``noise``, reward only in state 0; ``Var*`` grows with the noise.
- :func:`misleading_lmdp` -- the negative-control instance: the first context (the likelier one) punishes
  the risky action that the second rewards, and the risky action is optimal; a learner without bonus that
  first tries it in the first context never tries it again.
- :func:`hidden_arm_lmdp` -- the lower-bound family (``Gamma = 2``): context ``m`` starts in its own state,
  moves to one of ``A`` leaves and, at the leaf, one hidden arm ``(leaf, action)`` reaches the rewarding
  state with probability ``p + eps``, every other arm with ``p``. Per context an ``A^2``-armed Bernoulli
  bandit; ``Var* = p (1 - p)`` exactly when ``p >= 1/2`` (avoiding the hidden arm keeps the return variance
  at its largest), while the optimal policy's variance is ``(p + eps)(1 - p - eps)``.
"""
from __future__ import annotations

import numpy as np

from ..latent import LatentMDP
from ..validation import as_generator, check_positive_int, check_real

__all__ = ["random_lmdp", "noisy_lmdp", "misleading_lmdp", "hidden_arm_lmdp", "garnet_kernels"]


def garnet_kernels(rng: np.random.Generator, M: int, S: int, A: int, Gamma: int) -> np.ndarray:
    """``(M, S, A, S)``: every row supported on ``Gamma`` distinct next states with uniform-simplex weights."""
    P = np.zeros((M, S, A, S))
    for idx in np.ndindex(M, S, A):
        cols = rng.choice(S, size=Gamma, replace=False)
        P[idx + (cols,)] = rng.dirichlet(np.ones(Gamma))
    return P


def _weights(rng: np.random.Generator, M: int) -> np.ndarray:
    return 0.5 / M + 0.5 * rng.dirichlet(np.ones(M))


def random_lmdp(M: int, S: int, A: int, H: int, rng=None, Gamma: int | None = None,
                shared_rewards: bool = True) -> LatentMDP:
    """A random micro-LMDP (module docstring); ``Gamma`` defaults to ``S``."""
    M, S, A, H = (check_positive_int(v, n) for v, n in ((M, "M"), (S, "S"), (A, "A"), (H, "H")))
    Gamma = S if Gamma is None else check_positive_int(Gamma, "Gamma")
    if Gamma > S:
        raise ValueError(f"Gamma = {Gamma} exceeds the number of states S = {S}")
    rng = as_generator(rng)
    w = _weights(rng, M)
    nu = rng.dirichlet(np.ones(S), size=M)
    P = garnet_kernels(rng, M, S, A, Gamma)
    R = rng.random((1 if shared_rewards else M, S, A)) / H
    return LatentMDP(w, nu, P, np.broadcast_to(R, (M, S, A)), H)


def noisy_lmdp(M: int, S: int, A: int, H: int, noise: float, rng=None) -> LatentMDP:
    """``(1 - noise)`` one-hot kernels and initial states plus ``noise`` Garnet (full support); rewards
    ``U(1/2, 1) / H`` in state 0 only (0 elsewhere), shared by the contexts, so that where the noise leads
    matters (``Var*`` up to about 0.1). ``noise = 0``: every context is deterministic (``Var* = 0``)."""
    M, S, A, H = (check_positive_int(v, n) for v, n in ((M, "M"), (S, "S"), (A, "A"), (H, "H")))
    noise = check_real(noise, "noise", low=0.0, high=1.0)
    rng = as_generator(rng)
    w = _weights(rng, M)
    det = np.eye(S)[rng.integers(S, size=(M, S, A))]
    nu0 = np.eye(S)[rng.integers(S, size=M)]
    P = (1.0 - noise) * det + noise * garnet_kernels(rng, M, S, A, S)
    nu = (1.0 - noise) * nu0 + noise * rng.dirichlet(np.ones(S), size=M)
    R = np.zeros((S, A))
    R[0] = rng.uniform(0.5, 1.0, A) / H
    return LatentMDP(w, nu, P, np.broadcast_to(R, (M, S, A)), H)


def misleading_lmdp(H: int = 2, w_first: float = 0.7, safe: float = 0.25) -> LatentMDP:
    """States: 0 start, 1 safe, 2 jackpot, 3 dud; ``A = 2``. At the start, action 0 (risky) leads to the dud in
    context 0 (weight ``w_first``) and to the jackpot in context 1; action 1 leads to the safe state. The
    reward (at the last step) is 1 in the jackpot, ``safe`` in the safe state. Risky is optimal when
    ``1 - w_first > safe`` (gap ``1 - w_first - safe``). Deterministic transitions."""
    H = check_positive_int(H, "H")
    if H < 2:
        raise ValueError("the misleading instance needs H >= 2 (a decision, then the outcome)")
    w_first = check_real(w_first, "w_first", low=0.0, high=1.0, low_open=True, high_open=True)
    safe = check_real(safe, "safe", low=0.0, high=1.0)
    S, A = 4, 2
    P = np.zeros((2, S, A, S))
    P[:, 1:, :, :] = np.eye(S)[1:, None, :]                  # safe, jackpot and dud are absorbing
    P[0, 0, 0, 3] = 1.0                                       # context 0: risky -> dud
    P[1, 0, 0, 2] = 1.0                                       # context 1: risky -> jackpot
    P[:, 0, 1, 1] = 1.0                                       # safe action -> safe state
    R = np.zeros((2, S, A))
    R[:, 2, :] = 1.0 / (H - 1)                                # collected over the H - 1 steps after the start
    R[:, 1, :] = safe / (H - 1)
    nu = np.zeros((2, S))
    nu[:, 0] = 1.0
    return LatentMDP(np.array([w_first, 1.0 - w_first]), nu, P, R, H)


def hidden_arm_lmdp(M: int, A: int, p: float, eps: float, rng=None) -> LatentMDP:
    """The lower-bound family (module docstring): ``S = M + A + 2`` states (starts ``0..M-1``, leaves
    ``M..M+A-1``, rewarding ``M+A``, null ``M+A+1``), ``H = 3``, uniform weights; the hidden arm of each
    context is drawn from ``rng``. Reward 1 at the rewarding state (its only reward)."""
    M, A = check_positive_int(M, "M"), check_positive_int(A, "A")
    p = check_real(p, "p", low=0.0, high=1.0)
    eps = check_real(eps, "eps", low=0.0, high=1.0 - p)
    rng = as_generator(rng)
    L, S, H = A, M + A + 2, 3
    good, bad = M + A, M + A + 1
    arms = rng.integers(L * A, size=M)                        # arm = leaf * A + action
    P = np.zeros((M, S, A, S))
    for m in range(M):
        for s in range(M):
            P[m, s, np.arange(A), M + np.arange(A)] = 1.0       # start: action a -> leaf a
        for leaf in range(L):
            for a in range(A):
                q = p + (eps if leaf * A + a == arms[m] else 0.0)
                P[m, M + leaf, a, good], P[m, M + leaf, a, bad] = q, 1.0 - q
        P[m, good, :, good] = 1.0
        P[m, bad, :, bad] = 1.0
    R = np.zeros((M, S, A))
    R[:, good, :] = 1.0
    nu = np.eye(S)[:M]
    return LatentMDP(np.full(M, 1.0 / M), nu, P, R, H)
