r"""DR-RPO: online robust policy optimisation on d-rectangular linear MDPs (Gu, He, Liu & Xu 2025, arXiv:2510.14246).

**What is the paper's and what is reconstructed.** Only the abstract could be read [A]: DR-RPO is a
model-free online *policy optimisation* method for d-rectangular linear robust MDPs, with *softmax* policies,
*reference-policy regularisation* ("RMDP variants doubly constrained in both transitions and policies"),
linear function approximation and an *upper-confidence bonus*; it has sublinear regret. Everything below is
a **reconstruction** (spec ``r2pvi_drrpo.md`` section 3.2, assembled from OPPO, Cai et al. 2020, and
DR-LSVI-UCB, Liu & Xu 2024), and every choice the abstract does not fix is a named parameter:

- objective: the policy-regularised robust value ``V^{pi,rho,tau}`` of
  :mod:`solvers.robust.policy_regularized` (a KL *penalty* ``tau KL(pi || pi_ref)``, not a hard constraint;
  parameters ``tau``, ``reference``);
- uncertainty: d-rectangular TV balls by default (DR-LSVI-UCB's setting); ``divergence``, ``rho``/``lam``
  select any set with an offline estimator;
- policy evaluation (every episode ``k``, from all data): the optimistic robust pass of
  :mod:`solvers.robust_online.core` with the *soft* value of the current policy,
  ``V^k_h(s) = clip(sum_a pi^k_h(a|s) Q^k_h(s,a) - tau KL(pi^k_h(.|s) || ref_h(.|s)), 0, H - h)``
  (the clip keeps the targets in the duals' range ``[0, H]``; it only raises a negative regularised value,
  so the estimate stays optimistic);
- policy update (KL mirror descent with step ``eta`` and the regulariser's pull towards ``pi_ref``):
  ``pi^{k+1}_h ∝ (pi^k_h)^{1/(1+eta tau)} (ref_h)^{eta tau/(1+eta tau)} exp(eta Q^k_h / (1 + eta tau))``, i.e.
  ``pi^k_h(a|s) ∝ ref_h(a|s) exp(phi(s,a) . W^k_h)`` with the **accumulated log-linear weights**
  ``W^{k+1}_h = (W^k_h + eta w^k_h) / (1 + eta tau)``, ``w^k_h = theta_h + nu^k_h + beta sqrt(diag Lambda^-1)``
  the *untruncated* optimistic weights (``Q^k_h = min(phi . w^k_h, H - h)``): using the linear part keeps the
  policy log-linear in ``phi`` (OPPO truncates and stores every past ``Q``); ``tau = 0`` is OPPO's
  ``pi^{k+1} ∝ pi^k exp(eta Q^k)``; the fixed point is the Gibbs policy ``ref exp(Q/tau)`` of the objective;
- initial policy ``pi^1 = pi_ref`` (``W = 0``); episode ``k`` plays ``pi^k`` in the *nominal* environment;
- ``beta``, ``eta``, ``ridge``: constants of the paper's theorem unknown [U]; named parameters.

Interface: :meth:`policy` returns the **stochastic** ``(H, S, A)`` softmax policy (the tabular learners
return deterministic ``(H, S)`` actions; the run loop passes either to its oracle, and
:class:`~solvers.robust_online.oracle.RobustRegretOracle` plays and values both).
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np
from numba import njit

from mdptheory import backends, mutants
from mdptheory.validation import check_real

from ..robust.policy_regularized import check_reference, check_tau, log_reference
from .core import LinearRobustLearner, robust_estimator, timed

__all__ = ["DRRPO", "softmax_policy", "softmax_policy_numpy"]

# Realistic single bugs of DR-RPO (mdptheory.mutants), switched at the Python level. Two components: the policy
# update ("drrpo") and the optimistic robust evaluation ("drrpo-evaluation"), so that each claim is run against
# the mutants of the step it checks.
_M = "drrpo"
_E = "drrpo-evaluation"
ETA_SQUARED = mutants.register(_M, "eta-squared", "mirror-descent step eta^2 Q instead of eta Q")
MD_SIGN = mutants.register(_M, "md-sign", "mirror-descent step W - eta w: the policy moves against its Q")
KL_TO_UNIFORM = mutants.register(_M, "kl-to-uniform",
                                 "the update's KL pull goes to the uniform policy: pi^{k+1} ∝ (pi^k)^{1/(1+eta tau)} "
                                 "exp(eta Q/(1+eta tau)) (the reference factor forgotten)")
SOFTMAX_NO_LOG_REF = mutants.register(_M, "softmax-no-log-ref",
                                      "the softmax over phi . W without the log pi_ref term")
WEIGHTS_RESET = mutants.register(_M, "weights-reset",
                                 "log-linear weights reset every episode: W^{k+1} = eta w^k / (1 + eta tau)")
BONUS_NO_SQRT = mutants.register(_E, "bonus-no-sqrt", "bonus beta sum_i phi_i [Lambda^-1]_ii without the square root")
NOMINAL_DUAL = mutants.register(_E, "nominal-dual",
                                "the robust dual per factor replaced by the nominal factor's regression of V_{h+1}")
TARGETS_STAGE_SHIFT = mutants.register(_E, "targets-stage-shift",
                                       "regression targets read V_{h+2} instead of V_{h+1} (stage off by one)")
EVAL_Q_CAP_H = mutants.register(_E, "q-cap-H", "Q_h capped at H instead of the remaining horizon H - h")
EVAL_KL_DROPPED = mutants.register(_E, "evaluation-kl-dropped",
                                   "the evaluation's soft value sum_a pi Q without the -tau KL(pi || ref) term")


@njit(cache=True)
def softmax_policy(phi, W, log_ref, ref_power):
    r"""``pi[h, s, a] ∝ exp(ref_power * log_ref[h, s, a] + phi[s, a] . W[h])`` for every stage and state.

    ``phi (S, A, d)``, ``W (H, d)``, ``log_ref (H, S, A)`` (``-inf`` where the reference is 0: probability 0),
    ``ref_power`` (1 for DR-RPO). Shift by the max for stability. Returns ``pi (H, S, A)``. Twin:
    :func:`softmax_policy_numpy`.
    """
    S, A, d = phi.shape
    H = W.shape[0]
    pi = np.empty((H, S, A))
    z = np.empty(A)
    for h in range(H):
        for s in range(S):
            m = -np.inf
            for a in range(A):
                acc = 0.0
                for i in range(d):
                    acc += phi[s, a, i] * W[h, i]
                lr = log_ref[h, s, a]
                z[a] = (ref_power * lr if lr > -np.inf else -np.inf) + acc
                if z[a] > m:
                    m = z[a]
            tot = 0.0
            for a in range(A):
                e = np.exp(z[a] - m)
                pi[h, s, a] = e
                tot += e
            for a in range(A):
                pi[h, s, a] /= tot
    return pi


def softmax_policy_numpy(phi, W, log_ref, ref_power):
    """NumPy twin of :func:`softmax_policy`."""
    with np.errstate(invalid="ignore"):
        base = np.where(np.isneginf(log_ref), -np.inf, ref_power * log_ref)
    z = base + np.einsum("sai,hi->hsa", phi, W)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


backends.register("drrpo.softmax_policy", numba=softmax_policy, numpy=softmax_policy_numpy)


class DRRPO(LinearRobustLearner):
    r"""Distributionally Robust Regularised Policy Optimisation (reconstruction; see the module docstring).

    Parameters
    ----------
    features, theta, divergence, rho, lam, beta, ridge, rng, backend
        See :class:`~solvers.robust_online.core.LinearRobustLearner` (``rho`` in ``[0, 1]`` for TV).
    tau : float >= 0
        KL regularisation towards ``reference`` (the objective's ``tau``; ``0`` = unregularised, OPPO-type).
    eta : float > 0
        Mirror-descent step.
    reference : array (H, S, A) or (S, A), optional
        The reference policy ``pi_ref`` (default uniform); a distribution over actions per state.

    Attributes
    ----------
    W : ndarray (H, d)
        Accumulated log-linear weights: ``pi_h(a|s) ∝ ref_h(a|s) exp(phi(s, a) . W_h)``.
    w : ndarray (H, d)
        Optimistic weights of the last evaluation (``Q = min(phi . w, H - h)``).
    Q : ndarray (H, S, A), V : ndarray (H+1, S)
        The optimistic evaluation of the policy played in the previous episode (``V`` = its soft value).
    pi : ndarray (H, S, A)
        The policy of the next episode.

    Examples
    --------
    >>> from mdptheory.envs import simulated_linear_mdp
    >>> from mdptheory.uncertainty import make
    >>> from solvers.robust_online import DRRPO, RobustRegretOracle
    >>> from solvers.learners import run
    >>> env = simulated_linear_mdp()
    >>> agent = DRRPO.for_model(env, rho=0.1, tau=0.1, eta=1.0, rng=0)
    >>> trace = run(agent, None, 30, rng=1, oracle=RobustRegretOracle(env, make("tv", rho=0.1), tau=0.1))
    >>> trace.regret.shape, bool((trace.regret >= -1e-12).all())
    ((30,), True)
    """

    name = "DR-RPO"

    def __init__(self, features: Any, theta: Any, *, divergence: str = "tv", rho: Any = None, lam: Any = None,
                 tau: float = 0.1, eta: float = 1.0, reference: Any = None, beta: float = 1.0, ridge: float = 1.0,
                 rng=None, backend: str = "numba") -> None:
        super().__init__(features, theta, divergence=divergence, rho=rho, lam=lam, beta=beta, ridge=ridge, rng=rng,
                         backend=backend)
        self.tau = check_tau(tau)
        self.eta = check_real(eta, "eta (mirror-descent step)", low=0.0, low_open=True,
                              hint="eta > 0; e.g. eta = 1 (theory-style eta ~ sqrt(log A / (H^2 K)))")
        self.reference = check_reference(reference, self.S, self.A, self.H)
        self._log_ref = log_reference(self.reference)
        self.W = np.zeros((self.H, self.d))
        self._ref_power = 1.0          # stays 1; only the kl-to-uniform mutant lets it decay
        self._estimator = robust_estimator(self.uncertainty, self.H, self.d, nominal=NOMINAL_DUAL.active)
        self.pi = self._softmax()
        self._played: np.ndarray | None = None     # the policy of the last episode (evaluated by the next policy())
        self._n_seen = 0

    def _softmax(self) -> np.ndarray:
        log_ref = np.zeros_like(self._log_ref) if SOFTMAX_NO_LOG_REF.active else self._log_ref
        return backends.pick("drrpo.softmax_policy", self.backend)(self.features, self.W, log_ref, self._ref_power)

    def evaluate(self, policy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Optimistic robust evaluation of ``policy (H, S, A)`` from all data so far (the algorithm's step 1).

        Returns ``Q (H, S, A)``, the soft optimistic value ``V (H+1, S)`` and the linear weights ``w (H, d)``.
        """
        evaluate = backends.pick("policy_reg.evaluate_stage", self.backend)
        pol = np.ascontiguousarray(policy, dtype=np.float64)
        if pol.shape != (self.H, self.S, self.A):
            raise ValueError(f"policy has shape {pol.shape}, expected (H, S, A) = {(self.H, self.S, self.A)}")
        log_ref = self._log_ref
        kl_tau = 0.0 if EVAL_KL_DROPPED.active else self.tau

        def soft_value(h: int, Qh: np.ndarray) -> np.ndarray:
            return evaluate(Qh, pol[h], log_ref[h], kl_tau)

        return self.optimistic_pass(soft_value, self._estimator,
                                    bonus_power=1.0 if BONUS_NO_SQRT.active else 0.5,
                                    target_shift=2 if TARGETS_STAGE_SHIFT.active else 1,
                                    stage_cap=not EVAL_Q_CAP_H.active)

    def policy(self) -> np.ndarray:
        """Evaluate the last played policy on all data, take the mirror-descent step, return ``pi (H, S, A)``."""
        if self._played is not None and self.n_transitions > self._n_seen:
            t0 = time.perf_counter()
            tau = self.tau
            self.Q, self.V, self.w = self.evaluate(self._played)
            step = self.eta ** 2 if ETA_SQUARED.active else self.eta
            if MD_SIGN.active:
                step = -step
            shrink = 1.0 + self.eta * tau
            base = np.zeros_like(self.W) if WEIGHTS_RESET.active else self.W
            self.W = (base + step * self.w) / shrink
            if KL_TO_UNIFORM.active:
                self._ref_power /= shrink
            self.pi = self._softmax()
            self._n_seen = self.n_transitions
            timed(self, "planning", t0)
        elif self.V is None:                       # first episode: the values pi_ref is played with (no step)
            self.Q, self.V, self.w = self.evaluate(self.pi)
        self._played = self.pi
        return self.pi

    @property
    def params(self) -> dict:
        return dict(super().params, tau=self.tau, eta=self.eta,
                    reference="uniform" if np.allclose(self.reference, 1.0 / self.A) else "given")
