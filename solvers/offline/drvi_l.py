"""DRVI-L (Ma, Liang, Blanchet, Liu, Xia, Zhang, Zhao & Zhou 2022, arXiv:2209.06620): KL-*constrained*
d-rectangular offline RL, the KL baseline of the R2PVI experiments.

Per factor ``i`` the KL-constrained inner value has the dual
``max_{beta > 0} -beta log E_{mu0} e^{-V/beta} - beta rho``; DRVI-L plugs in a ridge estimate of
``E_{mu0} e^{-V/beta}`` and solves the 1-D problem per coordinate ``(h, i)``:

    nu_{h,i} = max_{beta in (0, H]} min(H, -beta log u_i(beta)) - beta rho_{h,i}.

Estimator (spec 4.3 / 2.7 item 12, the official code's choice): the ridge regression is centred so that
it shrinks towards the *minimum* of the targets (pessimistic): with ``m = min y``,
``u_i(beta) = e^{-m/beta} (1 + [Lambda^{-1} Phi^T (e^{-(y-m)/beta} - 1)]_i)``; the ``min(H, .)`` is the
floor ``u >= e^{-H/beta}`` (as R2PVI-KL's), also used where the estimate is <= 0.
The search is a 48-point log grid on ``[1e-4 H, H]`` followed by golden-section refinement in the
bracket of the best grid point (30 iterations, all coordinates at once, ``O(m d)`` each with ``m`` the
number of distinct next-state values, see :meth:`~solvers.offline.ridge.Gram.grouped`).
"""
from __future__ import annotations

from functools import partial

import numpy as np

from mdptheory import mutants
from mdptheory.offline import OfflineDataset

from .core import OfflineResult, backward_pessimistic
from .drpvi import rho_table
from .ridge import Gram

__all__ = ["drvi_l", "kl_constrained_estimate"]

_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0

# Realistic single bugs of DRVI-L (mdptheory.mutants; off unless activated; see docs/offline.md).
RHO_DOUBLED = mutants.register("drvi-l", "rho-doubled", "KL radius 2 rho in the dual (a factor-2 slip in the radius)")
PENALTY_SIGN = mutants.register("drvi-l", "penalty-sign",
                                "dual -beta log u(beta) + beta rho: the radius term's sign flipped")
RHO_UNSCALED = mutants.register("drvi-l", "rho-unscaled",
                                "dual -beta log u(beta) - rho: the radius term's factor beta dropped")


def kl_constrained_estimate(gram: Gram, y: np.ndarray, rho: np.ndarray, cap: float, n_grid: int = 48,
                            n_golden: int = 30) -> np.ndarray:
    """``max_{beta in [1e-4 cap, cap]} min(cap, -beta log u_i(beta)) - beta rho_i`` per coordinate (d,)."""
    if RHO_DOUBLED.active:
        rho = 2.0 * rho
    if PENALTY_SIGN.active:
        rho = -rho
    vals, G = gram.grouped(y)                        # distinct targets: u_i(beta) - 1 = M[:, i] . (e^{-(v-m)/beta} - 1)
    M = gram.solve(G.T).T                            # (distinct, d)
    m = float(vals[0])
    dy = vals - m
    d = M.shape[1]

    def finish(beta: np.ndarray, u: np.ndarray) -> np.ndarray:
        val = np.full(u.shape, float(cap))
        pos = u > 0
        b = np.broadcast_to(beta, u.shape)
        val[pos] = np.minimum(cap, m - b[pos] * np.log(u[pos]))
        return val - (rho if RHO_UNSCALED.active else b * rho)

    def objective_grid(betas: np.ndarray) -> np.ndarray:
        """Shared betas (g,) -> (g, d): one (g, n) exponential, one (g, n) @ (n, d) product."""
        u = 1.0 + (np.exp(-dy[None, :] / betas[:, None]) - 1.0) @ M
        return finish(betas[:, None], u)

    def objective(beta: np.ndarray) -> np.ndarray:
        """One beta per coordinate (d,) -> (d,): column i of M against its own exponential."""
        e = np.exp(-dy[:, None] / beta[None, :]) - 1.0                    # (n, d)
        return finish(beta, 1.0 + np.einsum("nd,nd->d", e, M))

    grid = np.geomspace(1e-4 * cap, cap, n_grid)
    vals = objective_grid(grid)
    best = vals.argmax(axis=0)
    lo = grid[np.maximum(best - 1, 0)]
    hi = grid[np.minimum(best + 1, n_grid - 1)]
    best_val = vals[best, np.arange(d)]
    x1 = hi - _GOLDEN * (hi - lo)
    x2 = lo + _GOLDEN * (hi - lo)
    f1 = objective(x1)
    f2 = objective(x2)
    for _ in range(n_golden):
        left = f1 >= f2                               # maximum lies in [lo, x2], else in [x1, hi]
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        new_x1 = np.where(left, hi - _GOLDEN * (hi - lo), x2)
        new_x2 = np.where(left, x1, lo + _GOLDEN * (hi - lo))
        fe = objective(np.where(left, new_x1, new_x2))
        f1, f2 = np.where(left, fe, f2), np.where(left, f1, fe)
        x1, x2 = new_x1, new_x2
    return np.maximum(best_val, np.maximum(f1, f2))


def _estimator(h, gram, y, V_next, dataset, *, rho, cap):
    return kl_constrained_estimate(gram, y, rho[h], cap)


def drvi_l(dataset: OfflineDataset, *, rho, theta=None, reward=None, beta: float = 1.0, ridge: float = 1.0,
           bonus: str = "l1", clip: str = "both", pessimism: bool = True, fail_states=()) -> OfflineResult:
    """DRVI-L: KL-constrained pessimistic value iteration on a d-rectangular linear MDP (Ma et al. 2022).

    Parameters
    ----------
    rho : float or ndarray (H, d)
        KL radii ``rho_{h,i} >= 0``.
    theta, reward, beta, ridge, bonus, clip, pessimism, fail_states
        As in :func:`solvers.offline.r2pvi.r2pvi` (the R2PVI experiments run DRVI-L with the same bonus).
    """
    rho_arr = rho_table(rho, dataset.H, dataset.d)
    est = partial(_estimator, rho=rho_arr, cap=float(dataset.H))
    params = dict(rho=rho, beta=beta, ridge=ridge, bonus=bonus, clip=clip, pessimism=pessimism)
    return backward_pessimistic(dataset, est, method="DRVI-L", beta=beta, ridge=ridge, bonus=bonus,
                                theta=theta, reward=reward, clip=clip, pessimism=pessimism,
                                fail_states=fail_states, params=params)
