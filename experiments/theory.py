"""Textbook identities and bounds, evaluated on any model: both sides, with a certified tolerance.

For a model of your own::

    from experiments.theory import performance_difference, simulation_lemma, policy_loss_bound
    sides = simulation_lemma(mdp, other_mdp, pi)
    sides.holds, sides.gap, sides.tol             # |lhs - rhs| <= tol, elementwise
    sides.verified                                # holds, and the certificates were sharp enough to judge

Every function returns :class:`Sides` (``lhs``, ``rhs`` and ``tol``): for an identity ``|lhs - rhs| <= tol``
must hold, for a bound ``lhs <= rhs + tol``. Tolerances are propagated from the solvers' certificates and
the rounding of the final sums (Higham 2002, eq. 3.5), never chosen to make a check pass; a tolerance that
comes out large says the values were not computed precisely enough to judge (``Sides.sharp``). The
built-in claims ``performance-difference``, ``simulation-lemma`` and the policy-loss claim use these
functions; :func:`check_regret` runs a learner against a regret bound.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import solvers
from mdptheory import mutants
from solvers import _kernels as K

__all__ = ["Sides", "performance_difference", "simulation_lemma", "bellman_residual_bound", "policy_loss_bound",
           "check_regret"]

_U = np.finfo(float).eps

#: Slips in the identities themselves (their own registered mutants, rejected by the identity claims).
WRONG_OCCUPANCY = mutants.register("identities", "pdl-wrong-occupancy",
                                   "performance difference weighted by d^pi instead of d^pi' (the classic slip)")
WRONG_RESOLVENT = mutants.register("identities", "sim-wrong-resolvent",
                                   "simulation lemma with the resolvent of P_pi instead of P'_pi")


@dataclass(frozen=True)
class Sides:
    """Both sides of an identity or a bound and the certified tolerance of their comparison."""

    lhs: Any
    rhs: Any
    tol: Any
    kind: str = "identity"        # "identity": |lhs - rhs| <= tol; "upper": lhs <= rhs + tol
    cert: float = 0.0             # the largest certificate of the values used, relative to the value scale

    @property
    def gap(self) -> np.ndarray:
        """``|lhs - rhs|`` (identity) or ``lhs - rhs`` (bound), elementwise."""
        d = np.asarray(self.lhs, float) - np.asarray(self.rhs, float)
        return np.abs(d) if self.kind == "identity" else d

    @property
    def holds(self) -> bool:
        return bool(np.all(self.gap <= np.asarray(self.tol, float)))

    def sharp(self, max_cert: float = 1e-8) -> bool:
        """Whether the values were certified precisely enough (relative to the value scale) for a verdict."""
        return self.cert <= max_cert

    @property
    def verified(self) -> bool:
        """The statement holds *and* the tolerance is small enough to mean something (:meth:`sharp`)."""
        return self.holds and self.sharp()


def _solve_certified(M: np.ndarray, y: np.ndarray, g: float, norm: float) -> tuple[np.ndarray, float]:
    """Solve ``M x = y`` for ``M = I - gamma X`` (X stochastic, or its transpose); return ``x`` and the
    certified error ``||residual||_norm / (1 - gamma)`` in that norm (``norm=inf`` rows, ``1`` columns)."""
    x = np.linalg.solve(M, y)
    res = y - M @ x
    res_norm = float(np.abs(res).max() if norm == np.inf else np.abs(res).sum())
    # rounding in computing the residual itself: |fl(Mx) - Mx| <= n u |M||x| (Higham 2002, eq. 3.11)
    res_norm += M.shape[0] * _U * float((np.abs(M) @ np.abs(x)).max() if norm == np.inf else (np.abs(M) @ np.abs(x)).sum())
    return x, res_norm / (1.0 - g)


def performance_difference(mdp: Any, pi: np.ndarray, pi2: np.ndarray, mu: np.ndarray | None = None) -> Sides:
    r"""Kakade & Langford (2002), Lemma 6.1: ``V^{pi'}(mu) - V^pi(mu) = 1/(1-gamma) E_{s ~ d^{pi'}_mu, a ~ pi'} A^pi(s, a)``.

    ``pi``, ``pi2`` (= ``pi'``) deterministic ``(S,)`` or stochastic ``(S, A)``; ``d^{pi'}_mu = (1-gamma)
    mu^T (I - gamma P_{pi'})^{-1}``; ``mu`` defaults to ``mdp.mu0``. Values from ``solvers.policy_evaluation``.
    """
    g, S, A = float(mdp.gamma), mdp.S, mdp.A
    mu = mdp.mu0 if mu is None else np.asarray(mu, float)
    pi, pi2 = (np.eye(A)[p] if np.ndim(p) == 1 else np.asarray(p, float) for p in (pi, pi2))
    P, R = mdp.P_flat, mdp.R
    ev1, ev2 = solvers.policy_evaluation(mdp, pi), solvers.policy_evaluation(mdp, pi2)
    V1, V2, b1, b2 = ev1.V, ev2.V, float(ev1.error_bound), float(ev2.error_bound)
    lhs = float(mu @ V2 - mu @ V1)
    lhs_tol = b1 + b2 + 2 * S * _U * float(mu @ (np.abs(V1) + np.abs(V2)))
    adv = R + g * np.asarray(P @ V1).reshape(S, A) - V1[:, None]  # A^pi(s, a); error <= (1 + gamma) b1
    P_occ, _ = K.policy_model(P, R, pi if WRONG_OCCUPANCY.active else pi2)
    d, d_err = _solve_certified(np.eye(S) - g * np.asarray(P_occ.todense() if hasattr(P_occ, "todense") else P_occ).T,
                                (1 - g) * mu, g, norm=1)
    f = (pi2 * adv).sum(axis=1)
    rhs = float(d @ f) / (1 - g)
    adv_round = 4 * S * _U * (np.abs(R).max() + 2 * np.abs(V1).max())  # rounding of R + g P V - V
    rhs_tol = (float(np.abs(d).sum()) * ((1 + g) * b1 + adv_round) + d_err * float(np.abs(f).max())
               + 2 * S * A * _U * float(np.abs(d) @ np.abs(f))) / (1 - g)
    return Sides(lhs, rhs, lhs_tol + rhs_tol, cert=max(b1, b2) * (1 - g))


def simulation_lemma(mdp: Any, mdp2: Any, pi: np.ndarray) -> Sides:
    r"""The simulation lemma as an identity: ``V^pi_M - V^pi_{M'} = gamma (I - gamma P'_pi)^{-1} (P_pi - P'_pi) V^pi_M``
    for two MDPs with the same rewards and discount (elementwise, ``(S,)``)."""
    g, S, A = float(mdp.gamma), mdp.S, mdp.A
    pi = np.eye(A)[pi] if np.ndim(pi) == 1 else np.asarray(pi, float)
    ev1, ev3 = solvers.policy_evaluation(mdp, pi), solvers.policy_evaluation(mdp2, pi)
    V1, V3, b1, b3 = ev1.V, ev3.V, float(ev1.error_bound), float(ev3.error_bound)
    dense = (lambda X: np.asarray(X.todense()) if hasattr(X, "todense") else np.asarray(X))  # noqa: E731
    P_pi = dense(K.policy_model(mdp.P_flat, mdp.R, pi)[0])
    P2_pi = dense(K.policy_model(mdp2.P_flat, mdp2.R, pi)[0])
    lhs = V1 - V3
    lhs_tol = b1 + b3 + 2 * _U * (np.abs(V1) + np.abs(V3))
    y = g * (P_pi - P2_pi) @ V1
    x, x_err = _solve_certified(np.eye(S) - g * (P_pi if WRONG_RESOLVENT.active else P2_pi), y, g, norm=np.inf)
    diff_norm = float(np.abs(P_pi - P2_pi).sum(axis=1).max())  # <= 2
    y_err = g * (diff_norm * b1 + 4 * S * _U * np.abs(V1).max())  # V1 error + rounding of the product
    return Sides(lhs, x, lhs_tol + np.full(S, x_err + y_err / (1 - g)), cert=max(b1, b3) * (1 - g))


def _reference_optimum(mdp: Any) -> tuple[np.ndarray, float]:
    """``V*`` and its certificate from policy iteration (exact evaluation, a-posteriori certificate)."""
    res = solvers.policy_iteration(mdp, tol=1e-10)
    return np.asarray(res.V), float(res.error_bound)


def bellman_residual_bound(mdp: Any, V: np.ndarray) -> Sides:
    r"""Williams & Baird (1993) / Puterman (1994), Prop. 6.2.4 form: ``||V - V*||_inf <= ||T V - V||_inf / (1 - gamma)``.

    ``lhs`` = the true error of ``V`` (``V*`` certified by policy iteration), ``rhs`` = the residual bound."""
    g = float(mdp.gamma)
    V = np.asarray(V, float)
    _, TV, _ = K.bellman_q(mdp.P_flat, mdp.R, V, g)
    v_star, cert = _reference_optimum(mdp)
    lhs = float(np.abs(V - v_star).max())
    rhs = float(np.abs(TV - V).max()) / (1 - g)
    return Sides(lhs, rhs, cert + 4 * mdp.S * _U * float(np.abs(V).max() + np.abs(mdp.R).max()) / (1 - g),
                 kind="upper", cert=cert * (1 - g))


def policy_loss_bound(mdp: Any, V: np.ndarray) -> Sides:
    r"""Singh & Yee (1994), Cor. 2: the greedy policy ``pi`` of ``V`` satisfies
    ``||V* - V^pi||_inf <= 2 gamma ||V - V*||_inf / (1 - gamma)``; ``lhs`` the true loss, ``rhs`` the bound."""
    g = float(mdp.gamma)
    V = np.asarray(V, float)
    _, _, greedy = K.bellman_q(mdp.P_flat, mdp.R, V, g)
    v_star, cert = _reference_optimum(mdp)
    ev = solvers.policy_evaluation(mdp, greedy)
    lhs = float(np.abs(v_star - ev.V).max())
    rhs = 2 * g * float(np.abs(V - v_star).max()) / (1 - g)
    tol = cert + float(ev.error_bound) + 2 * g * cert / (1 - g)
    return Sides(lhs, rhs, tol, kind="upper", cert=max(cert, float(ev.error_bound)) * (1 - g))


def check_regret(make_agent: Any, env: Any, bound: Any, n_episodes: int, seeds: int = 4,
                 max_ratio: float = 1.0, **bound_values: Any):
    """Run a learner on ``env`` for ``seeds`` seeds and check its cumulative expected regret against ``bound``.

    ``make_agent(env, rng) -> agent`` builds a learner (``solvers.learners``); ``bound`` is a
    :class:`bounds.Bound` evaluated at ``T`` (the episode counts) and ``bound_values`` (e.g. ``S=..., A=...,
    H=..., delta=...``). Returns a :class:`bounds.checks.Verdict` of ``ratio_bounded`` on the regret at
    log-spaced episodes, with the a-priori range ``H max(R) T`` (an episode's regret never exceeds ``H max R``
    for non-negative rewards) so that a bound above it everywhere is reported as uninformative.
    """
    from bounds.checks import ratio_bounded
    from solvers.learners import run

    T = np.unique(np.geomspace(min(10, n_episodes), n_episodes, 8).astype(int))
    emp, bnd, triv = [], [], []
    for seed in range(seeds):
        rng_agent, rng_env = np.random.SeedSequence([seed, 29]).spawn(2)
        agent = make_agent(env, np.random.default_rng(rng_agent))
        tr = run(agent, env, n_episodes, rng=np.random.default_rng(rng_env))
        emp.append(np.maximum(tr.cumulative_regret[T - 1], 1e-12))
        bnd.append(np.asarray(bound.evaluate(T=T.astype(float), **bound_values), float) * np.ones(T.size))
        triv.append(env.H * float(np.max(env.R)) * T)
    return ratio_bounded(np.concatenate(emp), np.concatenate(bnd), max_ratio=max_ratio,
                         trivial=np.concatenate(triv))
