r"""What DR-RPO and DR-LSVI-UCB share: optimistic robust evaluation on a d-rectangular linear MDP from all past
episodes, with the offline code's ridge regression and d-rectangular duals.

Both learners know the feature map ``phi (S, A, d)`` (simplex features) and the reward parameters
``theta (H, d)`` (DR-LSVI-UCB's setting, Liu & Xu, AISTATS 2024; DRPVI's and the official code's [P/C]) and
learn the factors ``mu_{h,i}`` only through regressions on the next-state values of the data they collected
in the *nominal* environment. Per episode, stages ``h = H-1, ..., 0`` (the papers' ``H, ..., 1``):

.. code-block:: text

    Lambda_h = sum_tau phi^tau_h phi^tau_h^T + ridge * I                    (solvers.offline.ridge.Gram)
    nu_h     = robust dual per factor from the targets y = V_{h+1}(s^tau_{h+1}), e.g. TV(rho):
               max_alpha  Lambda_h^{-1} sum_tau phi^tau_h [y_tau]_alpha - rho (alpha - min_s [V_{h+1}(s)]_alpha)
                                                                        (solvers.offline.drpvi / r2pvi / drvi_l)
    w_h      = theta_h + nu_h + beta * sqrt(diag Lambda_h^{-1})         optimistic linear weights
    Q_h      = min(phi . w_h, H - h)                                    ``phi . beta sqrt(diag)`` is the d-rectangular
                                                                        (l1) bonus beta sum_i phi_i ||1_i||_{Lambda^-1}
    V_h      = clip(stage_value(Q_h), 0, H - h)                         max_a (DR-LSVI-UCB) or the soft value of
                                                                        the current policy (DR-RPO)

The data enter only through the per-stage counts ``n_h(s, a, s')`` (:attr:`EpisodicLearner.counts`): for a
known tabular feature map, ``sum_tau phi^tau_h f(V(s^tau_{h+1})) = sum_{(s,a,s')} n_h(s,a,s') phi(s,a) f(V(s'))``
exactly, so the Gram is built from one weighted row per observed ``(s, a, s')`` (the offline code's
compressed datasets, :func:`mdptheory.offline.collect_counts`). A learner's cost per episode is then
``O(H (n_obs d^2 + d^3 + S A d))`` with ``n_obs <= S^2 A`` the distinct observed transitions, whatever the
number of episodes; the regression is the same number as over the raw samples (summation order aside).

At the last stage ``V_H = 0`` exactly, so every robust estimator returns ``nu = 0`` there (as in
:func:`solvers.offline.core.backward_pessimistic`); the bonus is still added.
"""
from __future__ import annotations

import time
from functools import partial
from typing import Any, Callable

import numpy as np

from mdptheory.uncertainty import UncertaintySet, make
from mdptheory.validation import as_float_array, as_real_array, check_real

from ..learners.base import EpisodicLearner
from ..offline.drpvi import tv_constrained_estimate
from ..offline.drvi_l import kl_constrained_estimate
from ..offline.r2pvi import chi2_estimate, kl_estimate, tv_estimate
from ..offline.ridge import Gram

__all__ = ["LinearRobustLearner", "robust_estimator", "check_uncertainty_params"]

#: estimator(h, gram, y, V_next) -> nu_h (d,)
Estimator = Callable[[int, Gram, np.ndarray, np.ndarray], np.ndarray]


def check_uncertainty_params(divergence: str, rho: Any, lam: Any, H: int, d: int) -> UncertaintySet:
    """The d-rectangular set of ``divergence`` with a radius ``rho`` (scalar or ``(H, d)``) or a regulariser ``lam``.

    ``rho`` must lie in ``[0, 1]`` for TV (a TV ball of radius 1 is already the whole simplex; DR-LSVI-UCB's
    ``rho in (0, 1]``) and be finite ``>= 0`` for KL; ``lam`` a finite scalar ``> 0``. Errors name the argument
    and the fix.
    """
    if divergence not in ("tv", "kl", "chi2"):
        raise ValueError(f"divergence={divergence!r} is not known; use 'tv', 'kl' or 'chi2'")
    if (rho is None) == (lam is None):
        raise ValueError(f"give exactly one of rho (a {divergence.upper()} ball per factor, e.g. rho=0.1) or lam "
                         f"(a {divergence.upper()} penalty, e.g. lam=1.0); got rho={rho!r}, lam={lam!r}")
    if lam is not None:
        return make(divergence, lam=check_real(lam, "lam (divergence regulariser)", low=0.0, low_open=True,
                                               hint="lam > 0; small lam = more robust"))
    if divergence == "chi2":
        raise NotImplementedError("a chi-square *ball* (rho) has no estimator in solvers.offline; use the "
                                  "regularised chi-square set (lam=...) or TV/KL balls")
    arr = np.full((H, d), check_real(rho, "rho (uncertainty radius)", low=0.0)) if np.ndim(rho) == 0 \
        else as_real_array(rho, "rho")
    if arr.shape != (H, d):
        raise ValueError(f"rho must be a scalar or have shape (H, d) = {(H, d)}, got {arr.shape}")
    high = 1.0 if divergence == "tv" else np.inf
    bad = ~np.isfinite(arr) | (arr < 0) | (arr > high)
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        rng = "[0, 1] (a TV distance is at most 1; rho = 1 is the whole simplex)" if divergence == "tv" \
            else "a finite number >= 0"
        raise ValueError(f"rho{list(i) if np.ndim(rho) else ''} = {arr[i]} is out of range: rho must lie in {rng}")
    return make(divergence, rho=float(arr[0, 0]) if np.ndim(rho) == 0 else arr)


def _nominal(h, gram, y, V_next):
    return gram.regress(y)


def _tv_reg(h, gram, y, V_next, *, lam):
    return tv_estimate(gram, y, lam, float(V_next.min()))


def _kl_reg(h, gram, y, V_next, *, lam, cap):
    return kl_estimate(gram, y, lam, cap)


def _chi2_reg(h, gram, y, V_next, *, lam, cap):
    return chi2_estimate(gram, y, lam, cap)


def _tv_cons(h, gram, y, V_next, *, rho, cap):
    return tv_constrained_estimate(gram, y, rho[h], float(V_next.min()), cap)


def _kl_cons(h, gram, y, V_next, *, rho, cap):
    return kl_constrained_estimate(gram, y, rho[h], cap)


def robust_estimator(uncertainty: UncertaintySet, H: int, d: int, *, nominal: bool = False) -> Estimator:
    """The offline code's d-rectangular dual per factor for ``uncertainty``, as ``(h, gram, y, V_next) -> nu``.

    TV ball: DRPVI's exact piecewise-linear dual (:func:`solvers.offline.drpvi.tv_constrained_estimate`, with
    ``min_s V_{h+1}`` over all states); KL ball: DRVI-L's (:func:`~solvers.offline.drvi_l.kl_constrained_estimate`);
    TV / KL / chi-square penalties: R2PVI's closed forms (:mod:`solvers.offline.r2pvi`). ``alpha`` ranges over
    ``[0, H]`` as offline. ``nominal=True`` regresses ``y`` itself (no adversary: the non-robust LSVI target).
    The estimators are module-level functions bound with :func:`functools.partial`, so learners pickle.
    """
    cap = float(H)
    if nominal:
        return _nominal
    name, param = uncertainty.divergence_name, uncertainty.param
    if uncertainty.is_regularized:
        lam = float(param)
        if name == "tv":
            return partial(_tv_reg, lam=lam)
        return partial(_kl_reg if name == "kl" else _chi2_reg, lam=lam, cap=cap)
    rho = np.ascontiguousarray(np.broadcast_to(np.asarray(param, dtype=float), (H, d)))
    return partial(_tv_cons if name == "tv" else _kl_cons, rho=rho, cap=cap)


class LinearRobustLearner(EpisodicLearner):
    """Base of the online d-rectangular learners: features, known rewards, the set, the shared optimistic pass.

    Parameters
    ----------
    features : ndarray (S, A, d)
        Known simplex feature map (``phi >= 0``, rows summing to 1).
    theta : ndarray (H, d)
        Known reward parameters, ``r_h(s, a) = phi(s, a) . theta_h`` in ``[0, 1]``.
    divergence : {"tv", "kl", "chi2"}
        The factor divergence (TV = half l1).
    rho, lam : float (or ``(H, d)`` radii), exactly one
        Radius of the d-rectangular ball, or the regulariser of the penalised set.
    beta : float >= 0
        Bonus multiplier (``0``: no optimism, a negative control).
    ridge : float > 0
        Ridge of the Gram matrices.
    rng, backend
        As :class:`~solvers.learners.EpisodicLearner`.
    """

    name = "linear-robust"

    def __init__(self, features: Any, theta: Any, *, divergence: str = "tv", rho: Any = None, lam: Any = None,
                 beta: float = 1.0, ridge: float = 1.0, rng=None, backend: str = "numba") -> None:
        phi = as_float_array(features, "features", ndim=3)
        S, A, d = phi.shape
        th = as_float_array(theta, "theta", ndim=2)
        if th.shape[1] != d:
            raise ValueError(f"theta has shape {th.shape}, expected (H, d) with d = {d} (features are (S, A, d))")
        if (phi < -1e-12).any() or np.abs(phi.sum(axis=-1) - 1.0).max() > 1e-9:
            raise ValueError("features must be simplex features (phi >= 0, sum_i phi_i(s, a) = 1): the d-rectangular "
                             "setting; check the model with LinearMDP.check_d_rectangular()")
        H = th.shape[0]
        super().__init__(S, A, H, np.einsum("sai,hi->hsa", phi, th), rng=rng, stage_dependent=True, backend=backend)
        self.features, self.theta, self.d = phi, th, d
        self.divergence = divergence
        self.uncertainty = check_uncertainty_params(divergence, rho, lam, H, d)
        self.rho, self.lam = rho, lam
        self.beta = check_real(beta, "beta (bonus multiplier)", low=0.0, hint="beta = 0 turns optimism off")
        self.ridge = check_real(ridge, "ridge", low=0.0, low_open=True, hint="use e.g. ridge=1.0")
        self.w: np.ndarray | None = None          # (H, d) optimistic weights of the last evaluation
        self._observed = [np.zeros(0, np.int64) for _ in range(H)]   # see _triples
        self._stage_total = np.zeros(H)                               # transitions recorded per stage
        self.phase_times = {"sampling": 0.0, "planning": 0.0}

    @classmethod
    def for_model(cls, model: Any, **params: Any) -> "LinearRobustLearner":
        """The learner for a d-rectangular :class:`mdptheory.LinearMDP` (its ``phi`` and ``theta``; ``mu`` unknown)."""
        model.check_d_rectangular()
        return cls(model.phi, model.theta, **params)

    def observe_counts(self, counts: Any) -> None:
        """Add a batch of transitions given as per-stage counts ``n_h(s, a, s')`` ``(H, S, A, S)`` (e.g. the
        exact counts of many episodes, :func:`mdptheory.offline.collect_counts`); equivalent to :meth:`update`
        with those episodes, since the learners read the data only through the counts."""
        n = as_float_array(counts, "counts", ndim=4)
        if n.shape != self.counts.shape:
            raise ValueError(f"counts has shape {n.shape}, expected (H, S, A, S) = {self.counts.shape}")
        if (n < 0).any() or not np.all(n == np.round(n)):
            raise ValueError("counts must be non-negative integers (numbers of observed transitions)")
        self.counts += n
        self._stage_total += n.sum(axis=(1, 2, 3))
        self._support_nz = None

    def update(self, trajectory: Any) -> None:
        """Record the episode's transitions (:meth:`EpisodicLearner.update`) and the newly observed ``(s, a, s')``."""
        super().update(trajectory)
        self._stage_total += 1.0
        states, actions = np.asarray(trajectory.states), np.asarray(trajectory.actions)
        flat = (states[:-1] * self.A + actions) * self.S + states[1:]
        for h in range(self.H):
            if self.counts[h].flat[flat[h]] == 1.0:       # first visit of this (s, a, s') at stage h
                self._observed[h] = np.append(self._observed[h], flat[h])

    def _triples(self, h: int) -> np.ndarray:
        """Flat indices ``(s A + a) S + s'`` of the observed transitions of stage ``h`` (cached; rebuilt from the
        counts whenever they do not add up, e.g. after :meth:`observe_counts`)."""
        flat = self._observed[h]
        if self.counts[h].flat[flat].sum() != self._stage_total[h]:
            flat = self._observed[h] = np.flatnonzero(self.counts[h])
            self._stage_total[h] = self.counts[h].flat[flat].sum()
        return flat

    def _gram(self, h: int) -> tuple[Gram, np.ndarray]:
        """The stage-``h`` Gram from the observed ``(s, a, s')`` (count-weighted rows) and their next states."""
        flat = self._triples(h)
        if flat.size == 0:                    # no data yet: one zero-weight row (Lambda = ridge I, targets 0)
            flat = np.zeros(1, np.int64)
        sa, s_next = np.divmod(flat, self.S)
        w = self.counts[h].flat[flat]
        return Gram(self.features.reshape(-1, self.d)[sa], self.ridge, weights=w), s_next

    def optimistic_pass(self, stage_value: Callable[[int, np.ndarray], np.ndarray], estimator: Estimator, *,
                        bonus_sign: float = 1.0, bonus_power: float = 0.5, target_shift: int = 1,
                        stage_cap: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """One optimistic robust backward pass (module docstring); returns ``Q (H,S,A)``, ``V (H+1,S)``, ``w (H,d)``.

        ``stage_value(h, Q_h) -> (S,)`` turns the stage's ``Q`` into a value (before the clip to ``[0, H-h]``).
        ``bonus_sign``, ``bonus_power``, ``target_shift`` and ``stage_cap`` are the learners' mutant switches
        (``1``, ``0.5``, ``1`` and ``True`` are the algorithm: ``+ beta [Lambda^-1]_ii^{1/2}``, targets ``V_{h+1}``,
        ``Q_h`` capped at the remaining horizon ``H - h``; ``stage_cap=False`` caps at ``H``).
        """
        H, S, A, d = self.H, self.S, self.A, self.d
        Q = np.empty((H, S, A))
        V = np.zeros((H + 2, S))                 # V[H] = V[H+1] = 0 (the extra row only serves target_shift = 2)
        W = np.empty((H, d))
        for h in range(H - 1, -1, -1):
            gram, s_next = self._gram(h)
            V_next = V[h + target_shift]
            if h + target_shift >= H:
                nu = np.zeros(d)                  # V_H = 0 exactly: every robust operator maps it to 0
            else:
                nu = np.asarray(estimator(h, gram, V_next[s_next], V_next), dtype=np.float64)
            W[h] = self.theta[h] + nu + bonus_sign * self.beta * gram.inv_diag() ** bonus_power
            Q[h] = np.minimum(self.features @ W[h], H - h if stage_cap else H)
            V[h] = np.clip(stage_value(h, Q[h]), 0.0, H - h)
        return Q, V[:H + 1], W

    @property
    def params(self) -> dict:
        return dict(divergence=self.divergence, rho=self.rho, lam=self.lam, beta=self.beta, ridge=self.ridge)


def timed(learner: LinearRobustLearner, phase: str, t0: float) -> None:
    """Add the seconds since ``t0`` to ``learner.phase_times[phase]``."""
    learner.phase_times[phase] += time.perf_counter() - t0
