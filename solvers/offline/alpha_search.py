"""The 1-D dual searches over ``alpha``: exact (breakpoints) or the official code's Nelder-Mead.

R2PVI-chi2 and DRPVI estimate each coordinate ``w_{h,i}`` as an extremum over ``alpha in [0, H]`` of a
function of the truncated ridge regressions ``u(alpha) = Lambda^{-1} Phi^T min(y, alpha)`` (and, for
chi-square, ``v(alpha) = Lambda^{-1} Phi^T min(y, alpha)^2``). Two solvers, chosen by ``alpha_solver``:

- ``"exact"`` (default, paper-faithful): the objectives are piecewise linear (DRPVI) or piecewise quadratic
  (chi-square) in ``alpha`` with breakpoints at the targets (:mod:`solvers.offline.truncation`), so the
  global extremum is found over the breakpoints and interior stationary points.
- ``"nelder-mead"`` (the official code): ``scipy.optimize.minimize(f, H / 2, method="Nelder-Mead",
  bounds=[(0, H)])`` per coordinate with SciPy's default options (``xatol = fatol = 1e-4``, at most 200
  iterations), and ``result.fun`` used as the value. It stops at a *local* extremum: on the non-concave
  chi-square objective and on DRPVI's piecewise-linear one it can end far from the global one
  (``docs/offline.md`` gives the numbers). Read in ``panxulab/Robust-Regularized-Pessimistic-Value-Iteration``,
  ``Simulated_Linear_MDP/algorithm.py`` (``DRPVI.get_nu_h``: minimises ``-z_i(alpha) + rho_i alpha``, value
  ``-result.fun``; ``R2PVI_xi2.get_nu_h``: minimises the chi-square dual itself, value ``result.fun``) and in
  ``panxulab/Offline-Linear-DRMDP``, ``Simulated_Linear_MDP.ipynb`` (the same DRPVI call).

The Nelder-Mead path evaluates the objective from the raw targets (the official code does not clip ``y``
to ``[0, H]``; with ``clip="upper"`` next values can be negative): ``O(m)`` per evaluation with ``m``
distinct targets (``Gram.grouped``) after one ``O(m d^2)`` solve per stage.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.optimize import minimize

from .ridge import Gram

__all__ = ["ALPHA_SOLVERS", "check_alpha_solver", "TruncatedTargets", "nelder_mead_extremum",
           "nelder_mead_coordinates"]

#: Names of the 1-D dual solvers.
ALPHA_SOLVERS = ("exact", "nelder-mead")


def check_alpha_solver(alpha_solver: str) -> str:
    if alpha_solver not in ALPHA_SOLVERS:
        raise ValueError(f"alpha_solver={alpha_solver!r} is not known; use 'exact' (paper, the global extremum) "
                         f"or 'nelder-mead' (the official code's local search started at H/2)")
    return alpha_solver


class TruncatedTargets:
    """``u_i(alpha) = [Lambda^{-1} Phi^T min(y, alpha)]_i`` and ``v_i(alpha) = [Lambda^{-1} Phi^T min(y, alpha)^2]_i``
    at one ``alpha`` at a time (what a black-box optimiser evaluates).

    ``M = Lambda^{-1} G^T`` (d, m) over the ``m`` distinct targets is formed once (one Cholesky solve), so an
    evaluation is one length-``m`` dot product; the official code multiplies in the same order
    (``(Lambda^{-1} Phi^T) min(y, alpha)``).

    Parameters
    ----------
    gram : Gram
    y : ndarray (n,)
        Raw regression targets (not clipped).
    """

    def __init__(self, gram: Gram, y: np.ndarray) -> None:
        self.values, G = gram.grouped(np.asarray(y, dtype=np.float64))   # (m,), (m, d)
        self.M = gram.solve(G.T)                                           # (d, m)

    def u(self, alpha: float, i: int) -> float:
        """``[Lambda^{-1} Phi^T min(y, alpha)]_i``."""
        return float(self.M[i] @ np.minimum(self.values, alpha))

    def uv(self, alpha: float, i: int) -> tuple[float, float]:
        """``(u_i(alpha), v_i(alpha))``."""
        t = np.minimum(self.values, alpha)
        return float(self.M[i] @ t), float(self.M[i] @ (t * t))


def nelder_mead_extremum(objective: Callable[[float], float], alpha_max: float, direction: str,
                         start: float | None = None) -> float:
    """The official code's search: ``scipy.optimize.minimize`` with ``method="Nelder-Mead"`` from
    ``start`` (default ``alpha_max / 2``, as the official code) within ``bounds=[(0, alpha_max)]``, default
    options; returns the objective value it stops at (a local ``"max"`` or ``"min"``).

    For ``"max"`` it minimises ``-objective`` and returns ``-result.fun`` (the official DRPVI), for ``"min"``
    it minimises ``objective`` and returns ``result.fun`` (the official linear-MDP chi-square).
    """
    if direction not in ("max", "min"):
        raise ValueError(f"direction={direction!r} is not known; use 'max' or 'min'")
    sign = -1.0 if direction == "max" else 1.0
    x0 = alpha_max / 2 if start is None else start
    res = minimize(lambda a: sign * objective(a[0]), x0, method="Nelder-Mead", bounds=[(0.0, alpha_max)])
    return sign * float(res.fun)


def nelder_mead_coordinates(gram: Gram, y: np.ndarray, objective: Callable[[TruncatedTargets, float, int], float],
                            alpha_max: float, direction: str, start: float | None = None) -> np.ndarray:
    """One official Nelder-Mead search per coordinate ``i`` of ``objective(targets, alpha, i)`` (d,), as the
    official code loops over the coordinates; ``targets`` is the :class:`TruncatedTargets` of ``(gram, y)``."""
    tt = TruncatedTargets(gram, y)
    return np.array([nelder_mead_extremum(lambda a, i=i: objective(tt, a, i), alpha_max, direction, start)
                     for i in range(gram.d)])
