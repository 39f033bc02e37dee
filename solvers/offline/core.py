"""Pessimistic backward induction shared by PEVI, R2PVI, DRPVI and DRVI-L (linear / d-rectangular MDPs).

Every learner in this package is the loop below with one *estimator* swapped in (what is regressed on
the next-state values) and one *bonus* shape:

.. code-block:: text

    V_H = 0
    for h = H-1, ..., 0:                                   # papers' h = H, ..., 1
        Lambda_h = Phi_h^T Phi_h + ridge * I                # Gram, Cholesky-factored once
        y = V_{h+1}(s^tau_{h+1})                            # next-state values of the K samples
        w_h = estimator(Lambda_h, y, V_{h+1})               # e.g. R2PVI-TV: ridge of min(y, min V + lam)
        Gamma_h(s, a) = beta * bonus(phi(s, a), Lambda_h)   # l1 "diagonal", l2 (official code), Mahalanobis
        Q_h = clip(r_h(s, a) + phi(s, a) . w_h - Gamma_h, 0, H - h)
        pi_h = argmax_a Q_h;  V_h = max_a Q_h

Stages are 0-based (paper's ``h`` = ours + 1), so the clip ``[0, H - h + 1]`` of the papers is
``[0, H - h]`` here. With the reward known (R2PVI, DRPVI, DRVI-L and all official code: ``theta`` passed
in) the estimator returns only the next-value part; PEVI regresses ``r + V`` jointly.
At the last stage ``V_{h+1} = 0`` exactly, so robust estimators return ``w = 0`` there (every robust
operator maps 0 to 0); the bonus is still applied, as in the papers and the official code.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from mdptheory import mutants
from mdptheory.offline import OfflineDataset
from mdptheory.policies import greedy
from mdptheory.validation import as_float_array, check_real

from .ridge import Gram

__all__ = ["OfflineResult", "backward_pessimistic", "bonus_values", "BONUSES", "CLIPS"]

BONUSES = ("l1", "l2", "mahalanobis")
CLIPS = ("both", "upper", "continuation_upper", "none")

# Realistic single bugs of the shared backward induction (mdptheory.mutants; off unless activated). They
# break every learner of this package at once, so they are registered as the algorithm "pessimistic-vi".
BONUS_SIGN = mutants.register("pessimistic-vi", "bonus-sign",
                              "the bonus added to Q instead of subtracted (optimism instead of pessimism)")
BONUS_NO_SQRT = mutants.register("pessimistic-vi", "bonus-no-sqrt",
                                 "the l1 bonus sums phi_i [Lambda^-1]_ii without the square root (~1/K, not 1/sqrt(K))")
CLIP_OFF_BY_ONE = mutants.register("pessimistic-vi", "clip-off-by-one",
                                   "Q_h clipped at H - h - 1 instead of H - h (the papers' H - h + 1 mis-translated "
                                   "to 0-based stages): the last stage is forced to 0")
NEXT_VALUES_STAGE_H = mutants.register("pessimistic-vi", "next-values-stage-h",
                                       "regression targets read V_h (not computed yet: 0) instead of V_{h+1}")

#: estimator(h, gram, y, V_next, dataset) -> w (d,)
Estimator = Callable[[int, Gram, np.ndarray, np.ndarray, OfflineDataset], np.ndarray]


@dataclass(frozen=True)
class OfflineResult:
    """What an offline learner returns.

    Attributes
    ----------
    policy : ndarray int64 (H, S)
        Greedy policy ``pi_h(s) = argmax_a Q_h(s, a)`` (ties: lowest action).
    Q : ndarray (H, S, A)
        Pessimistic estimates ``Q_h(s, a)`` after the bonus and the clip.
    V : ndarray (H+1, S)
        ``V_h(s) = max_a Q_h(s, a)``, ``V[H] = 0``.
    w : ndarray (H, d)
        Next-value weights ``w_h`` (``Q = r + phi . w - Gamma`` before the clip; PEVI: includes the reward).
    bonus : ndarray (H, S, A)
        ``Gamma_h(s, a)`` (signed: negative for the optimistic negative control).
    inv_diag : ndarray (H, d)
        ``diag(Lambda_h^{-1})``, what the instance-dependent bounds need.
    method : str
    params : dict
        The parameters the learner ran with (for provenance).
    wall_time : float
        Seconds spent in training (the backward induction).
    """

    policy: np.ndarray
    Q: np.ndarray
    V: np.ndarray
    w: np.ndarray
    bonus: np.ndarray
    inv_diag: np.ndarray
    method: str
    params: dict = field(default_factory=dict)
    wall_time: float = 0.0

    @property
    def message(self) -> str:
        """One line: the learner, its own (pessimistic) value at the first state, its parameters and the time."""
        return (f"{self.method}: V_hat_1(s_0) = {self.V[0, 0]:.4g} over H = {self.Q.shape[0]} stages, "
                f"params {self.params} in {self.wall_time:.3g} s")


def bonus_values(features: np.ndarray, gram: Gram, kind: str) -> np.ndarray:
    """Un-scaled bonus ``Gamma / beta`` on every row of ``features`` (..., d).

    ``"l1"``: ``sum_i phi_i sqrt([Lambda^-1]_ii)`` (R2PVI / DRPVI papers, d-rectangular);
    ``"l2"``: ``sqrt(sum_i phi_i^2 [Lambda^-1]_ii)`` (official code, spec 2.7 item 1; smaller by up to sqrt(d));
    ``"mahalanobis"``: ``sqrt(phi^T Lambda^-1 phi)`` (PEVI).
    """
    if kind == "l1":
        if BONUS_NO_SQRT.active:
            return (np.abs(features) * gram.inv_diag()).sum(axis=-1)
        return gram.diagonal_norms(features).sum(axis=-1)
    if kind == "l2":
        return np.sqrt((features ** 2 * gram.inv_diag()).sum(axis=-1))
    if kind == "mahalanobis":
        return gram.mahalanobis(features)
    raise ValueError(f"bonus={kind!r} is not known; use one of {BONUSES}")


def _reward_table(dataset: OfflineDataset, theta, reward) -> np.ndarray:
    S, A, d, H = dataset.S, dataset.A, dataset.d, dataset.H
    if (theta is None) == (reward is None):
        raise ValueError("pass exactly one of theta (H, d) or reward (H, S, A) for the known reward")
    if reward is not None:
        R = as_float_array(reward, "reward")  # NaN, inf, strings, complex: clear errors, not a NaN policy
        if R.shape != (H, S, A):
            raise ValueError(f"reward has shape {R.shape}, expected (H, S, A) = {(H, S, A)}")
        return R
    th = as_float_array(theta, "theta")
    if th.shape != (H, d):
        raise ValueError(f"theta has shape {th.shape}, expected (H, d) = {(H, d)}")
    return np.einsum("sad,hd->hsa", dataset.features, th)


def check_common(beta: float, ridge: float, bonus: str, clip: str) -> None:
    check_real(beta, "beta", low=0.0, hint="use pessimism=False for the optimistic (wrong-sign) negative control")
    check_real(ridge, "ridge", low=0.0, low_open=True, hint="use e.g. ridge=1.0")
    if bonus not in BONUSES:
        raise ValueError(f"bonus={bonus!r} is not known; use one of {BONUSES}")
    if clip not in CLIPS:
        raise ValueError(f"clip={clip!r} is not known; use one of {CLIPS}")


def backward_pessimistic(dataset: OfflineDataset, estimator: Estimator, *, method: str, beta: float,
                         ridge: float, bonus: str, theta=None, reward=None, reward_known: bool = True,
                         clip: str = "both", pessimism: bool = True, fail_states=(),
                         params: dict | None = None) -> OfflineResult:
    """Run the pessimistic backward induction of the module docstring.

    Parameters
    ----------
    dataset : OfflineDataset
    estimator : callable ``(h, gram, y, V_next, dataset) -> w (d,)``
        ``y`` (K,) are next-state values of stage ``h``'s samples; ``V_next`` (S,) is ``V_{h+1}`` on every
        state. (PEVI's estimator adds the observed rewards of the stage itself.)
    beta : float >= 0
        Bonus multiplier.
    ridge : float > 0
    bonus : {"l1", "l2", "mahalanobis"}
    theta : ndarray (H, d), optional / reward : ndarray (H, S, A), optional
        Known reward (exactly one unless ``reward_known=False``).
    reward_known : bool
        False: the reward is not known (PEVI: its estimator regresses ``r + V``); theta/reward are ignored.
    clip : {"both", "upper", "continuation_upper", "none"}
        ``both`` = ``[0, H - h]`` (papers, rewards in [0, 1]); ``upper`` = ``min(., H - h)`` only (official
        linear-MDP code, spec 2.7 item 2); ``continuation_upper`` = ``r + min(phi.w - Gamma, H - h)`` (official
        American-put code, item 7: only the estimated continuation is capped); ``none`` (rewards not in [0, 1]).
    pessimism : bool
        False flips the sign of the bonus (optimism; a negative control, never a method).
    fail_states : sequence of int
        States whose ``V`` is forced to 0 (official code's known fail state); default none.
    """
    check_common(beta, ridge, bonus, clip)
    t0 = time.perf_counter()
    H, S, A, d, K = dataset.H, dataset.S, dataset.A, dataset.d, dataset.K
    R = np.zeros((H, S, A)) if not reward_known else _reward_table(dataset, theta, reward)
    feats = dataset.features
    sign = (1.0 if pessimism else -1.0) * (-1.0 if BONUS_SIGN.active else 1.0)
    fail = np.asarray(list(fail_states), dtype=np.int64)
    Q = np.empty((H, S, A))
    V = np.zeros((H + 1, S))
    W = np.empty((H, d))
    G = np.empty((H, S, A))
    inv_diag = np.empty((H, d))
    for h in range(H - 1, -1, -1):
        rows = dataset.step(h)
        gram = Gram(dataset.phi[rows], ridge, weights=dataset.row_weights(rows))
        V_next = V[h] if NEXT_VALUES_STAGE_H.active else V[h + 1]
        y = V_next[dataset.s_next[rows]]
        if reward_known and h == H - 1:
            w = np.zeros(d)  # V_H = 0 exactly: every (robust) operator maps it to 0
        else:
            w = np.asarray(estimator(h, gram, y, V_next, dataset), dtype=np.float64)
        G[h] = sign * beta * bonus_values(feats, gram, bonus)
        cont = feats @ w - G[h]
        top = H - h - 1 if CLIP_OFF_BY_ONE.active else H - h   # papers' H - h + 1 with 1-based stages
        if clip == "continuation_upper":
            q = R[h] + np.minimum(cont, top)
        else:
            q = R[h] + cont
            if clip == "both":
                q = np.clip(q, 0.0, top)
            elif clip == "upper":
                q = np.minimum(q, top)
        Q[h] = q
        V[h] = q.max(axis=1)
        if fail.size:
            V[h, fail] = 0.0
        W[h] = w
        inv_diag[h] = gram.inv_diag()
    policy = greedy(Q)
    return OfflineResult(policy, Q, V, W, G, inv_diag, method, dict(params or {}),
                         time.perf_counter() - t0)


def nominal_estimator(h: int, gram: Gram, y: np.ndarray, V_next: np.ndarray,
                      dataset: OfflineDataset) -> np.ndarray:
    """Nominal least squares: ``w = Lambda^{-1} Phi^T y`` (PEVI, pessimistic LSVI)."""
    return gram.regress(y)
