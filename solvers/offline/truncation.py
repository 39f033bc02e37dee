"""Truncated targets: ridge regressions of ``min(y, alpha)`` for *every* alpha at once (exact 1-D duals),
and where the TV duals take the ``min V`` of their threshold (:func:`min_value`).

For sorted targets ``y_(0) <= ... <= y_(n-1)`` and ``alpha`` in the k-th interval
``[y_(k-1), y_(k)]`` (``k`` samples below alpha):

    Lambda^{-1} Phi^T min(y, alpha)   = a_k + b_k * alpha,      a_k = Lambda^{-1} sum_{j<k} phi_j y_j
    Lambda^{-1} Phi^T min(y, alpha)^2 = c_k + b_k * alpha^2,    b_k = Lambda^{-1} sum_{j>=k} phi_j
                                                                c_k = Lambda^{-1} sum_{j<k} phi_j y_j^2

so DRPVI's objective is piecewise *linear* and R2PVI-chi2's piecewise *quadratic* in alpha: both are
maximised exactly over the breakpoints (and interior stationary points) instead of by Nelder-Mead
(official code). Cost ``O(n log n + n d^2)`` for all ``n + 1`` pieces.
"""
from __future__ import annotations

import numpy as np

from .ridge import Gram

#: Where the TV threshold ``min V + lam`` (R2PVI) / ``min(min V, alpha)`` (DRPVI) takes its min.
TV_MIN_MODES = ("all_states", "fail_state_zero", "dataset")


def min_value(mode: str, y: np.ndarray, V_next: np.ndarray) -> float:
    """``min_s V_{h+1}(s)`` as used by the TV duals.

    ``"all_states"``: over every state (paper); ``"fail_state_zero"``: 0 (a zero-reward absorbing
    state exists, DRPVI's assumption); ``"dataset"``: over the sampled next states (official R2PVI code).
    """
    if mode == "all_states":
        return float(V_next.min())
    if mode == "fail_state_zero":
        return 0.0
    if mode == "dataset":
        return float(y.min())
    raise ValueError(f"tv_min_mode={mode!r} is not known; use one of {TV_MIN_MODES}")


class TruncatedRegression:
    """Piece coefficients ``a, b, c`` (each (m+1, d)) and interval ends ``lo, hi`` (m+1,) on ``[0, alpha_max]``.

    ``m`` is the number of *distinct* targets (:meth:`Gram.grouped`); ties add no piece.

    Parameters
    ----------
    gram : Gram
    y : ndarray (n,)
        Regression targets (next-state values), assumed in ``[0, alpha_max]``.
    alpha_max : float
        Upper end of the alpha range (``H`` in the papers).
    squares : bool
        Also compute ``c`` (needed by chi-square only).
    """

    def __init__(self, gram: Gram, y: np.ndarray, alpha_max: float, squares: bool = False) -> None:
        vals, P = gram.grouped(np.clip(y, 0.0, alpha_max))     # distinct targets, summed features
        ys = vals
        n, d = P.shape
        zero = np.zeros((1, d))
        py = np.vstack([zero, np.cumsum(P * ys[:, None], axis=0)])          # sum_{j<k} phi_j y_j
        pc = np.vstack([zero, np.cumsum(P, axis=0)])
        tail = pc[-1][None, :] - pc                                          # sum_{j>=k} phi_j
        if squares:
            py2 = np.vstack([zero, np.cumsum(P * (ys ** 2)[:, None], axis=0)])
            sol = gram.solve(np.hstack([py.T, tail.T, py2.T])).T              # one batched solve
            self.a, self.b, self.c = sol[:n + 1], sol[n + 1:2 * n + 2], sol[2 * n + 2:]
        else:
            sol = gram.solve(np.hstack([py.T, tail.T])).T
            self.a, self.b = sol[:n + 1], sol[n + 1:]
            self.c = None
        self.ys = ys
        self.lo = np.concatenate([[0.0], ys])
        self.hi = np.concatenate([ys, [alpha_max]])
        self.alpha_max = float(alpha_max)

    def piece(self, alpha: np.ndarray) -> np.ndarray:
        """Index of the piece containing each ``alpha`` (number of targets strictly below it)."""
        return np.searchsorted(self.ys, alpha, side="left")

    def u(self, alpha: np.ndarray) -> np.ndarray:
        """``Lambda^{-1} Phi^T min(y, alpha)`` for each alpha: (m,) -> (m, d)."""
        k = self.piece(alpha)
        return self.a[k] + self.b[k] * np.asarray(alpha)[:, None]
