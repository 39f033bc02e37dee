"""DRPVI (Liu & Xu, NeurIPS 2024, arXiv:2403.09621, Algorithm 1): TV-*constrained* d-rectangular offline RL.

Per factor ``i`` the TV-constrained inner value ``inf_{TV(mu, mu0_{h,i}) <= rho} E_mu V`` has the dual
``max_{alpha in [0, H]} E_{mu0}[V]_alpha - rho (alpha - min_s [V(s)]_alpha)``; DRPVI plugs in the ridge
estimate ``z(alpha) = Lambda^{-1} Phi^T [y]_alpha``:

    nu_{h,i} = max_{alpha in [0, H]} z_i(alpha) - rho_{h,i} (alpha - min(min_s V_{h+1}(s), alpha)).

The objective is piecewise linear in alpha with breakpoints at the targets and at ``min_s V``, so it is
maximised *exactly* over those points by default; ``alpha_solver="nelder-mead"`` is the official code's
local search (started at ``H/2``). Bonus: ``Gamma_h = beta sum_i ||phi_i 1_i||_{Lambda_h^{-1}}``; Theorem 4.4's valid choice is ``beta = 4 sqrt(d) H sqrt(iota)``,
``iota = log(2 d H^2 K / delta)`` (see ``bounds.r2pvi``).
"""
from __future__ import annotations

from functools import partial

import numpy as np

from mdptheory import mutants
from mdptheory.offline import OfflineDataset
from mdptheory.validation import as_real_array, check_real

from .alpha_search import check_alpha_solver, nelder_mead_coordinates
from .core import OfflineResult, backward_pessimistic
from .ridge import Gram
from .truncation import TV_MIN_MODES, TruncatedRegression, min_value

__all__ = ["drpvi", "tv_constrained_estimate", "rho_table"]

# Realistic single bugs of DRPVI (mdptheory.mutants; off unless activated; see docs/offline.md).
RHO_DOUBLED = mutants.register("drpvi", "rho-doubled",
                               "TV radius 2 rho (the half-l1 convention slip: ||mu - mu0||_1 <= rho read as TV <= rho)")
MIN_TERM_DROPPED = mutants.register("drpvi", "min-term-dropped",
                                    "dual z(alpha) - rho alpha: the min(min_s V, alpha) term dropped (exact only "
                                    "with a zero-value fail state)")
DUAL_MINIMISED = mutants.register("drpvi", "dual-minimised", "the dual minimised over alpha instead of maximised")
PENALTY_SIGN = mutants.register("drpvi", "penalty-sign",
                                "dual z(alpha) + rho (alpha - min(min V, alpha)): the radius term's sign flipped")
NM_START_ZERO = mutants.register("drpvi", "nelder-mead-start-0",
                                 "Nelder-Mead started at alpha = 0 instead of the official H/2 (another local optimum "
                                 "of the piecewise-linear dual)")


def rho_table(rho, H: int, d: int, name: str = "rho") -> np.ndarray:
    """Broadcast a scalar or an (H, d) table of radii, validated to lie in [0, 1] (TV) or >= 0."""
    # check_real / as_real_array: a string, a bool or a complex radius is an error, not a silent cast
    arr = np.full((H, d), check_real(rho, name, low=0.0)) if np.ndim(rho) == 0 else as_real_array(rho, name)
    if arr.shape != (H, d):
        raise ValueError(f"{name} must be a scalar or have shape (H, d) = {(H, d)}, got {arr.shape}")
    if not np.all(np.isfinite(arr)) or (arr < 0).any():
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(arr) | (arr < 0))[0])
        raise ValueError(f"{name}{list(idx)} = {arr[idx]} must be a finite number >= 0")
    return arr


def tv_constrained_estimate(gram: Gram, y: np.ndarray, rho: np.ndarray, v_min: float,
                            alpha_max: float, alpha_solver: str = "exact") -> np.ndarray:
    """``max_alpha z_i(alpha) - rho_i (alpha - min(v_min, alpha))`` for each coordinate (d,).

    ``alpha_solver="exact"``: over every breakpoint (targets clipped to ``[0, alpha_max]``, and ``v_min``),
    the global maximum. ``"nelder-mead"``: the official code's local search from ``alpha_max / 2`` on the raw
    targets (:func:`~solvers.offline.alpha_search.nelder_mead_extremum`).
    """
    if RHO_DOUBLED.active:
        rho = 2.0 * rho
    penalty = -1.0 if PENALTY_SIGN.active else 1.0
    direction = "min" if DUAL_MINIMISED.active else "max"
    if check_alpha_solver(alpha_solver) == "nelder-mead":
        def objective(tt, alpha, i):
            floor = 0.0 if MIN_TERM_DROPPED.active else min(v_min, alpha)
            return tt.u(alpha, i) - penalty * rho[i] * (alpha - floor)
        return nelder_mead_coordinates(gram, y, objective, alpha_max, direction,
                                       start=0.0 if NM_START_ZERO.active else None)
    tr = TruncatedRegression(gram, y, alpha_max)
    cand = np.unique(np.concatenate([tr.lo, [alpha_max, min(max(v_min, 0.0), alpha_max)]]))
    z = tr.u(cand)                                                # (m, d)
    floor = 0.0 if MIN_TERM_DROPPED.active else np.minimum(v_min, cand)
    obj = z - penalty * rho[None, :] * (cand - floor)[:, None]
    return obj.min(axis=0) if direction == "min" else obj.max(axis=0)


def _estimator(h, gram, y, V_next, dataset, *, rho, tv_min_mode, alpha_max, alpha_solver):
    return tv_constrained_estimate(gram, y, rho[h], min_value(tv_min_mode, y, V_next), alpha_max, alpha_solver)


def drpvi(dataset: OfflineDataset, *, rho, theta=None, reward=None, beta: float = 1.0, ridge: float = 1.0,
          bonus: str = "l1", tv_min_mode: str = "all_states", alpha_solver: str = "exact", clip: str = "both",
          pessimism: bool = True, fail_states=()) -> OfflineResult:
    """Distributionally Robust Pessimistic Value Iteration (TV-constrained, Liu & Xu 2024, Algorithm 1).

    Parameters
    ----------
    rho : float or ndarray (H, d)
        TV radii ``rho_{h,i}`` (the official code uses a table; Fig 1(c) uses one value for all).
    tv_min_mode : {"all_states", "fail_state_zero", "dataset"}
        ``min_s V`` in the dual; the paper avoids it with a fail state (= ``"fail_state_zero"``, which is
        also what the official DRPVI code does); ``"all_states"`` is exact without that assumption.
    alpha_solver : {"exact", "nelder-mead"}
        ``"exact"``: the global maximum over the breakpoints (default); ``"nelder-mead"``: the official code's
        ``scipy.optimize.minimize(..., H/2, method="Nelder-Mead", bounds=[(0, H)])``, a local maximum
        (:mod:`solvers.offline.alpha_search`).
    theta, reward, beta, ridge, bonus, clip, pessimism, fail_states
        As in :func:`solvers.offline.r2pvi.r2pvi`.
    """
    rho_arr = rho_table(rho, dataset.H, dataset.d)
    if tv_min_mode not in TV_MIN_MODES:
        raise ValueError(f"tv_min_mode={tv_min_mode!r} is not known; use one of {TV_MIN_MODES}")
    check_alpha_solver(alpha_solver)
    est = partial(_estimator, rho=rho_arr, tv_min_mode=tv_min_mode, alpha_max=float(dataset.H),
                  alpha_solver=alpha_solver)
    params = dict(rho=rho, beta=beta, ridge=ridge, bonus=bonus, tv_min_mode=tv_min_mode,
                  alpha_solver=alpha_solver, clip=clip, pessimism=pessimism)
    return backward_pessimistic(dataset, est, method="DRPVI", beta=beta, ridge=ridge, bonus=bonus,
                                theta=theta, reward=reward, clip=clip, pessimism=pessimism,
                                fail_states=fail_states, params=params)
