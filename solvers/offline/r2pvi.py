"""R2PVI: Robust Regularized Pessimistic Value Iteration (Tang, Liu & Xu, ICML 2025, arXiv:2411.18612).

Offline learning in a d-rectangular linear *regularized* robust MDP (d-RRMDP): the adversary pays
``lam * sum_i phi_i(s,a) D_f(mu_{h,i} || mu0_{h,i})``, so the robust regularized Bellman operator is
``Q_h = r_h + phi . w_h`` with one scalar inner problem per factor ``i``
(``w_{h,i} = inf_mu E_mu V_{h+1} + lam D_f(mu || mu0_{h,i})``). R2PVI estimates ``w_h`` from data with the
closed-form duals (spec section 1.4, verified against a primal solve there and in our tests):

- TV (``D = 1/2 l1``): ``w = Lambda^{-1} Phi^T min(y, min_s V_{h+1}(s) + lam)`` — one ridge regression.
- KL: ``w_i = -lam log max(u_i, e^{-H/lam})`` with ``u = Lambda^{-1} Phi^T e^{-y/lam}``.
- chi2 (``f(t) = (t-1)^2``): ``w_i = max_{alpha in [0, H]} u_i(alpha) + (u_i(alpha)^2 - v_i(alpha)) / (4 lam)``
  with ``u = Lambda^{-1} Phi^T [y]_alpha`` and ``v = Lambda^{-1} Phi^T [y]_alpha^2``.

then the pessimistic step of :mod:`solvers.offline.core` with the d-rectangular bonus
``Gamma_h = beta sum_i phi_i sqrt([Lambda_h^{-1}]_ii)``.

Paper-faithful defaults; the official code's choices (spec 2.7) are named options:
``bonus="l2"`` (item 1), ``clip="upper"`` (item 2), ``chi2_direction="min"`` (item 4, linear-MDP code),
``tv_min_mode="dataset"`` (item 5), ``kl_stable=False`` (item 10, the unshifted formula that overflows),
``alpha_solver="nelder-mead"`` (chi-square: the official local search from ``H/2`` instead of the exact
maximisation).
"""
from __future__ import annotations

from functools import partial

import numpy as np

from mdptheory import mutants
from mdptheory.offline import OfflineDataset
from mdptheory.uncertainty import DIVERGENCES as UNCERTAINTY_SETS
from mdptheory.validation import check_real

from .core import OfflineResult, _reward_table, backward_pessimistic
from .alpha_search import check_alpha_solver, nelder_mead_coordinates
from .ridge import Gram
from .truncation import TV_MIN_MODES, TruncatedRegression, min_value

__all__ = ["r2pvi", "tv_estimate", "kl_estimate", "chi2_estimate", "DIVERGENCES"]

# Realistic single bugs of R2PVI (mdptheory.mutants; off unless activated; see docs/offline.md).
TV_THRESHOLD_MAX = mutants.register("r2pvi", "tv-threshold-max",
                                    "TV threshold max_s V + lam instead of min_s V + lam (truncation never binds)")
TV_THRESHOLD_HALF_LAM = mutants.register("r2pvi", "tv-threshold-half-lam",
                                         "TV threshold min_s V + lam/2 (the half-l1 factor applied twice)")
TV_MIN_OVER_DATASET = mutants.register("r2pvi", "tv-min-over-dataset",
                                      "TV threshold's min V taken over the sampled next states instead of all "
                                      "states (the official code, spec 2.7 item 5)")
KL_LOG_SIGN = mutants.register("r2pvi", "kl-log-sign", "KL closed form +lam log(u) instead of -lam log(u)")
KL_LAM_OUTSIDE = mutants.register("r2pvi", "kl-lam-outside",
                                  "KL closed form -log(u) with u = ridge of e^{-y/lam}: the factor lam dropped")
CHI2_MINIMISED = mutants.register("r2pvi", "chi2-minimised",
                                  "chi-square dual minimised over alpha instead of maximised (official linear-MDP code)")
CHI2_VARIANCE_HALF_LAM = mutants.register("r2pvi", "chi2-variance-2lam",
                                          "chi-square dual u + (u^2 - v)/(2 lam) instead of /(4 lam)")
RIDGE_TWICE = mutants.register("r2pvi", "ridge-twice",
                               "the estimator solves (Lambda_h + gamma I) w = Phi^T y: the ridge added again to the "
                               "already regularised Gram")
BONUS_L2 = mutants.register("r2pvi", "bonus-l2",
                            "bonus beta ||(phi_i sqrt([Lambda^-1]_ii))_i||_2 instead of the l1 sum (the official "
                            "code's slip; up to sqrt(d) smaller)")
REWARD_NEXT_STAGE = mutants.register("r2pvi", "reward-next-stage",
                                     "the known reward theta_{h+1} used at stage h (1-based/0-based index slip)")
CHI2_LINEAR_COEF_HALF = mutants.register("r2pvi", "chi2-linear-coef-half",
                                         "exact chi-square dual: the piece's coefficient of alpha b + a b / (4 lam) "
                                         "instead of b + 2 a b / (4 lam) (the cross term of (a + b alpha)^2 halved; "
                                         "wrong only past the first breakpoint, where a != 0)")
NM_START_ZERO = mutants.register("r2pvi", "nelder-mead-start-0",
                                 "chi-square Nelder-Mead started at alpha = 0 instead of the official H/2 (another "
                                 "local optimum of the non-concave dual)")

#: The f-divergences R2PVI supports (the names of :data:`mdptheory.uncertainty.DIVERGENCES`).
DIVERGENCES = tuple(UNCERTAINTY_SETS)


def tv_estimate(gram: Gram, y: np.ndarray, lam: float, v_min: float) -> np.ndarray:
    """R2PVI-TV: ``Lambda^{-1} Phi^T min(y, v_min + lam)`` (d,)."""
    return gram.regress(np.minimum(y, v_min + lam))


def kl_estimate(gram: Gram, y: np.ndarray, lam: float, cap: float, stable: bool = True) -> np.ndarray:
    """R2PVI-KL: ``-lam log max(Lambda^{-1} Phi^T e^{-y/lam}, e^{-cap/lam})`` (d,).

    ``stable=True`` evaluates the same number without under/overflow: with ``m = min y``,
    ``u = e^{-m/lam} u'`` where ``u' = Lambda^{-1} Phi^T e^{-(y-m)/lam}`` has entries of order 1, so
    ``w = min(cap, m - lam log u')`` (``cap`` where ``u' <= 0``). ``stable=False`` is the official
    formula, which returns ``inf``/NaN once ``cap/lam`` exceeds ~745 (spec 2.7 item 10).
    """
    if not stable:
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            u = gram.regress(np.exp(-y / lam))
            return -lam * np.log(np.maximum(u, np.exp(-cap / lam)))
    m = float(y.min())
    u = gram.regress(np.exp(-(y - m) / lam))
    w = np.full(u.shape, float(cap))
    pos = u > 0
    if KL_LOG_SIGN.active:      # -lam log(e^{-m/lam} u') written as +lam log(...)
        w[pos] = np.minimum(cap, -m + lam * np.log(u[pos]))
    elif KL_LAM_OUTSIDE.active:  # -log(e^{-m/lam} u')
        w[pos] = np.minimum(cap, m / lam - np.log(u[pos]))
    else:
        w[pos] = np.minimum(cap, m - lam * np.log(u[pos]))
    return w


def chi2_estimate(gram: Gram, y: np.ndarray, lam: float, alpha_max: float,
                  direction: str = "max", alpha_solver: str = "exact") -> np.ndarray:
    """R2PVI-chi2: ``max_{alpha in [0, alpha_max]} u_i + (u_i^2 - v_i) / (4 lam)`` per coordinate (d,).

    ``alpha_solver="exact"``: on each piece of :class:`~solvers.offline.truncation.TruncatedRegression` the
    objective is the quadratic ``a + b t + ((a + b t)^2 - c - b t^2) / (4 lam)`` in ``t = alpha``; its
    extremum over the piece is at an end or at the stationary point, all of which are evaluated (targets
    clipped to ``[0, alpha_max]``). ``alpha_solver="nelder-mead"``: the official code's local search from
    ``alpha_max / 2`` (:func:`~solvers.offline.alpha_search.nelder_mead_extremum`) on the raw targets.
    ``direction="min"`` reproduces the official linear-MDP code's minimisation (spec 2.7 item 4).
    """
    if direction not in ("max", "min"):
        raise ValueError(f"chi2_direction={direction!r} is not known; use 'max' (paper) or 'min' (official bug)")
    den = 2 * lam if CHI2_VARIANCE_HALF_LAM.active else 4 * lam
    if check_alpha_solver(alpha_solver) == "nelder-mead":
        def objective(tt, alpha, i):
            u, v = tt.uv(alpha, i)
            # the official evaluation order u + u^2/(4 lam) - v/(4 lam): Nelder-Mead compares values, so the
            # same rounding keeps it on the same path
            return u + u ** 2 / den - v / den
        return nelder_mead_coordinates(gram, y, objective, alpha_max, direction,
                                       start=0.0 if NM_START_ZERO.active else None)
    tr = TruncatedRegression(gram, y, alpha_max, squares=True)
    a, b, c = tr.a, tr.b, tr.c                                  # (n+1, d)
    q2 = (b * b - b) / den                                      # coefficient of t^2
    if CHI2_LINEAR_COEF_HALF.active:                            # (a + b t)^2's cross term halved
        q1 = b + a * b / den
    else:
        q1 = b + 2 * a * b / den                                # coefficient of t
    q0 = a + (a * a - c) / den
    lo, hi = tr.lo[:, None], tr.hi[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        t_star = np.where(q2 != 0, -q1 / (2 * q2), lo)
    t_star = np.clip(np.nan_to_num(t_star, nan=0.0), lo, hi)
    vals = np.stack([q0 + q1 * t + q2 * t * t for t in (np.broadcast_to(lo, a.shape),
                                                        np.broadcast_to(hi, a.shape), t_star)])
    return vals.max(axis=(0, 1)) if direction == "max" else vals.min(axis=(0, 1))


def _estimator(h, gram, y, V_next, dataset, *, divergence, lam, tv_min_mode, kl_stable, chi2_direction,
               alpha_max, alpha_solver):
    if RIDGE_TWICE.active:
        gram = Gram(gram.Phi, 2.0 * gram.ridge, weights=gram.weights)
    if divergence == "tv":
        v = V_next.max() if TV_THRESHOLD_MAX.active else min_value(tv_min_mode, y, V_next)
        if TV_MIN_OVER_DATASET.active:
            v = min_value("dataset", y, V_next)
        return tv_estimate(gram, y, lam / 2 if TV_THRESHOLD_HALF_LAM.active else lam, v)
    if divergence == "kl":
        return kl_estimate(gram, y, lam, alpha_max, stable=kl_stable)
    if CHI2_MINIMISED.active:
        chi2_direction = "min" if chi2_direction == "max" else "max"
    return chi2_estimate(gram, y, lam, alpha_max, direction=chi2_direction, alpha_solver=alpha_solver)


def r2pvi(dataset: OfflineDataset, *, divergence: str = "tv", lam: float, theta=None, reward=None,
          beta: float = 1.0, ridge: float = 1.0, bonus: str = "l1", tv_min_mode: str = "all_states",
          chi2_direction: str = "max", alpha_solver: str = "exact", kl_stable: bool = True,
          clip: str = "both", pessimism: bool = True, fail_states=()) -> OfflineResult:
    """Robust Regularized Pessimistic Value Iteration (Tang, Liu & Xu 2025, Algorithm 1; spec 2.1).

    Parameters
    ----------
    dataset : OfflineDataset
        K trajectories from the nominal model with the feature table ``dataset.features`` (S, A, d).
    divergence : {"tv", "kl", "chi2"}
        f-divergence of the regulariser (TV = half l1; chi2 with f(t) = (t-1)^2).
    lam : float > 0
        Regulariser ``lambda`` (large = close to the nominal MDP; small = more robust). TV accepts
        ``lam = 0``, its limit (every target truncated at ``min_s V``; used by Figure 1(c)).
    theta : ndarray (H, d) / reward : ndarray (H, S, A)
        Known reward (exactly one), as in the paper's algorithm and all official code.
    beta : float >= 0
        Bonus multiplier. Theorem 5.1 uses ``bounds.r2pvi.beta(...)``; the paper's experiments use 1
        (linear MDP) and 0.1 (American put).
    ridge : float > 0
        Ridge ``gamma`` (experiments: 0.1 linear MDP, 1 option).
    bonus : {"l1", "l2", "mahalanobis"}
        ``"l1"`` = paper's ``sum_i phi_i sqrt([Lambda^-1]_ii)``; ``"l2"`` = official code.
    tv_min_mode : {"all_states", "fail_state_zero", "dataset"}
        Where the TV threshold ``min V + lam`` takes its min (see :func:`min_value`).
    chi2_direction : {"max", "min"}
        ``"max"`` is the dual; ``"min"`` is the official linear-MDP code's bug.
    alpha_solver : {"exact", "nelder-mead"}
        How chi-square's 1-D search over ``alpha`` is solved: ``"exact"`` (global, over the breakpoints) or
        the official code's Nelder-Mead from ``H / 2`` (a local extremum; :mod:`solvers.offline.alpha_search`).
        Ignored by TV and KL (closed forms).
    kl_stable : bool
        Overflow-free evaluation of the KL closed form (identical value where the naive one is finite).
    clip, pessimism, fail_states
        See :func:`solvers.offline.core.backward_pessimistic`.

    Returns
    -------
    OfflineResult
        ``policy (H, S)``, pessimistic ``Q (H, S, A)``, ``V (H+1, S)``, weights, bonus, ``diag(Lambda^-1)``.

    Notes
    -----
    ``lam >= H`` makes TV's threshold inactive (``y <= H - h - 1 < min V + lam``), so R2PVI-TV equals
    :func:`~solvers.offline.pevi.pessimistic_lsvi` exactly. Cost ``O(H (K d^2 + d^3 + S A d))``;
    chi2 adds ``O(H K (log K + d^2))``.
    """
    if divergence not in DIVERGENCES:
        raise ValueError(f"divergence={divergence!r} is not known; use one of {DIVERGENCES}")
    lam = check_real(lam, "lam", low=0.0, low_open=divergence != "tv",
                     hint="lam > 0 (TV also accepts lam = 0, its limit that truncates at min_s V)")
    if tv_min_mode not in TV_MIN_MODES:
        raise ValueError(f"tv_min_mode={tv_min_mode!r} is not known; use one of {TV_MIN_MODES}")
    if chi2_direction not in ("max", "min"):
        raise ValueError(f"chi2_direction={chi2_direction!r} is not known; use 'max' (paper) or 'min'")
    if BONUS_L2.active and bonus == "l1":
        bonus = "l2"
    if REWARD_NEXT_STAGE.active:
        R = _reward_table(dataset, theta, reward)
        theta, reward = None, R[np.minimum(np.arange(dataset.H) + 1, dataset.H - 1)]
    check_alpha_solver(alpha_solver)
    est = partial(_estimator, divergence=divergence, lam=float(lam), tv_min_mode=tv_min_mode,
                  kl_stable=kl_stable, chi2_direction=chi2_direction, alpha_max=float(dataset.H),
                  alpha_solver=alpha_solver)
    params = dict(divergence=divergence, lam=lam, beta=beta, ridge=ridge, bonus=bonus,
                  tv_min_mode=tv_min_mode, chi2_direction=chi2_direction, kl_stable=kl_stable, clip=clip,
                  alpha_solver=alpha_solver, pessimism=pessimism)
    return backward_pessimistic(dataset, est, method=f"R2PVI-{divergence.upper()}", beta=beta, ridge=ridge,
                                bonus=bonus, theta=theta, reward=reward, clip=clip, pessimism=pessimism,
                                fail_states=fail_states, params=params)
