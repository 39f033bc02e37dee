"""Exact robust ground truth for the offline (R2PVI) experiments: a coverage-poor instance, exact robust
SubOpt, the bound's uncertainty term, the pessimism events of the proof, and the dataset/learner wiring.

Everything exact is delegated to :mod:`solvers.robust` (the d-rectangular robust planners); this module
only wires models, datasets and learners together. It is a helper module (no ``NAME``), not an experiment.
"""
from __future__ import annotations

import numpy as np

from mdptheory.linear import LinearMDP
from mdptheory.offline import OfflineDataset, collect, replication_rng
from mdptheory.uncertainty import UncertaintySet, make
from solvers.offline import OfflineResult, fit
from solvers.robust import robust_backward_induction, robust_policy_evaluation, worst_case_rows

__all__ = ["trap_instance", "regularized_set", "admissible_set", "uncertainty_term", "exact_suboptimality",
           "pessimism_events", "learn"]


def trap_instance(H: int = 3, S: int = 4, A: int = 3, d: int = 3, seed: int = 0) -> LinearMDP:
    """A d-rectangular linear MDP whose last feature is reached only by a *trap*, for coverage-poor data.

    - state ``S-1`` is an absorbing zero-reward fail state with ``phi(S-1, .) = e_{d-1}``;
    - the trap action ``A-1`` has ``phi(s, A-1) = e_{d-1}`` everywhere (zero reward, moves to the fail state);
    - other actions have Dirichlet features on the first ``d-1`` factors, whose distributions avoid the
      fail state, so a behaviour policy that never plays the trap never observes feature ``d-1``;
    - all episodes start in state 0.

    Pessimism never takes the trap (its bonus ``1/sqrt(ridge)`` never shrinks); optimism always does.
    """
    rng = np.random.default_rng(seed)
    phi = np.zeros((S, A, d))
    phi[:, :, : d - 1] = rng.dirichlet(np.ones(d - 1), size=(S, A))
    phi[:, A - 1] = 0.0
    phi[:, A - 1, d - 1] = 1.0
    phi[S - 1] = 0.0
    phi[S - 1, :, d - 1] = 1.0
    mu = np.zeros((H, d, S))
    mu[:, : d - 1, : S - 1] = rng.dirichlet(np.ones(S - 1), size=(H, d - 1))
    mu[:, d - 1, S - 1] = 1.0
    theta = np.zeros((H, d))
    theta[:, : d - 1] = rng.uniform(0.2, 1.0, size=(H, d - 1))
    mu0 = np.zeros(S)
    mu0[0] = 1.0
    return LinearMDP(phi, mu, theta, mu0).check_d_rectangular()


def no_trap_behaviour(model: LinearMDP) -> np.ndarray:
    """Uniform over every action except the trap (``A-1``), shape (H, S, A)."""
    pol = np.zeros((model.H, model.S, model.A))
    pol[:, :, : model.A - 1] = 1.0 / (model.A - 1)
    return pol


def regularized_set(divergence: str, lam: float) -> UncertaintySet:
    """The d-RRMDP regulariser: ``TV(lam=...)``, ``KL(lam=...)`` or ``ChiSquare(lam=...)``."""
    return make(divergence, lam=lam)


def admissible_set(divergence: str, lam: float, H: int) -> UncertaintySet:
    """Constrained ball standing in for the paper's "robustly admissible" set ``U^lam(P0)`` [D].

    Every worst-case factor of the regularized problem satisfies ``lam D(mu~ || mu0) <= span V <= H``,
    so a ball of radius ``H / lam`` (TV: capped at 1) contains them all; the paper's exact set is [U].
    """
    rho = H / lam
    return make(divergence, rho=min(1.0, rho) if divergence == "tv" else rho)


def uncertainty_term(model: LinearMDP, policy: np.ndarray, inv_diag: np.ndarray, uset: UncertaintySet,
                     s: int = 0) -> float:
    """``sup_{P in uset} sum_h E^{policy, P}[ sum_i phi_i(s_h, a_h) sqrt([Lambda_h^{-1}]_ii) | s_1 = s ]``, exactly.

    The per-step cost ``c_h(s, a) = phi(s, a) . sqrt(diag Lambda_h^{-1})`` is linear in ``phi``, so it is the
    reward of a linear MDP with ``theta_h = -sqrt(diag Lambda_h^{-1})``; the sup of the cost is minus the
    robust (worst-case) value of ``policy`` under ``uset`` (d-rectangular robust policy evaluation).
    ``rho = 0`` (e.g. ``TV(rho=0)``) gives the nominal-kernel value (no sup): the negative control.
    """
    cost = LinearMDP(model.phi, model.mu, -np.sqrt(inv_diag), model.mu0)
    res = robust_policy_evaluation(cost, policy, uset)
    return float(-res.V[0, s])


def exact_suboptimality(model: LinearMDP, policy: np.ndarray, uset: UncertaintySet, s: int = 0):
    """``(V*_1(s), V^{policy}_1(s), res_opt, res_pol)`` under the robust (regularized) model, exactly."""
    opt = robust_backward_induction(model, uset)
    pol = robust_policy_evaluation(model, policy, uset)
    return float(opt.V[0, s]), float(pol.V[0, s]), opt, pol


def pessimism_events(model: LinearMDP, fit: OfflineResult, uset: UncertaintySet, pol_res=None,
                     atol: float = 1e-9) -> dict:
    """Events behind Theorem 5.1's proof, computed exactly.

    ``bellman``: ``|phi . (w_hat_h - w_h)| <= Gamma_h`` on every ``(h, s, a)``, with ``w_h`` the exact robust
    operator applied to the learner's own ``V_hat_{h+1}``; ``pessimism``: ``Q_hat_h <= Q^{pi_hat}_h``
    everywhere (the learned policy's exact robust Q). Also the largest violation ratio of the first.
    """
    H = model.H
    worst = 0.0
    for h in range(H):
        w_true, _ = worst_case_rows(np.ascontiguousarray(model.mu[h]), fit.V[h + 1], uset, want_p=False)
        err = np.abs(model.phi @ (fit.w[h] - w_true))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(err > atol, err / np.maximum(fit.bonus[h], 0.0), 0.0)
        worst = max(worst, float(np.nan_to_num(ratio, posinf=np.inf).max()))
    if pol_res is None:
        pol_res = robust_policy_evaluation(model, fit.policy, uset)
    pess = bool(np.all(fit.Q <= pol_res.Q + atol))
    return {"bellman": worst <= 1.0, "bellman_ratio": worst, "pessimism": pess}


def learn(method: str, data: OfflineDataset, model: LinearMDP, **kw) -> OfflineResult:
    """Train ``method`` (a key of :data:`solvers.offline.LEARNERS`) with the model's known reward
    ``theta`` (every learner but PEVI, which regresses the reward jointly)."""
    if method != "pevi":
        kw.setdefault("theta", model.theta)
    return fit(method, data, **kw)


def dataset_for(model: LinearMDP, K: int, behaviour, seed: int, replication: int = 0) -> OfflineDataset:
    """Replication ``replication`` of the seeded dataset (its own stream)."""
    return collect(model, K, behaviour, replication_rng(seed, replication))
