r"""Exact identities: the performance-difference lemma and the simulation lemma.

On a random Garnet MDP ``M`` with two random stochastic policies ``pi, pi'`` (rows ~ Dirichlet(1)) and
a random initial distribution ``mu``:

- performance difference (Kakade & Langford 2002, Lemma 6.1):
  ``pdl_lhs = V^{pi'}(mu) - V^{pi}(mu)`` and
  ``pdl_rhs = 1/(1-gamma) sum_s d^{pi'}_mu(s) sum_a pi'(a|s) A^{pi}(s, a)`` with
  ``d^{pi'}_mu = (1-gamma) mu^T (I - gamma P_{pi'})^{-1}``;
- simulation lemma: a second MDP ``M'`` with the same rewards and ``P' = (1-w) P + w P_other``;
  ``sim_lhs = V^pi_M - V^pi_{M'}`` and ``sim_rhs = gamma (I - gamma P'_pi)^{-1} (P_pi - P'_pi) V^pi_M``.

Each side carries a tolerance propagated from certificates (never tuned): the evaluation certificate
``b = ||T^pi V - V|| / (1-gamma)`` of every solved value, the residual of every linear solve (an error
in the solution of ``(I - gamma X) x = y`` is at most ``||residual|| / (1-gamma)`` in the matching norm),
and the rounding allowance ``n u sum|x_i|`` of each final dot product (Higham 2002, eq. 3.5).

The values come from ``solvers.policy_evaluation`` (the code under test): a check is only as sharp as
its tolerance, so it also requires every evaluation certificate to be at most ``CERT_MAX`` times the value
scale. A broken evaluation (the registered mutants: a transposed solve, a squared discount in the
sweeps that certify it) reports a large certificate or wrong values, and fails either way.

Controls
--------
Mutants ``policy-evaluation.transposed`` and ``bellman.discount-squared``; and a slip in the identity
itself: ``variant="wrong_occupancy"`` (``pdl_rhs`` weights the advantages with ``d^{pi}`` instead of
``d^{pi'}``, the classic slip) and ``variant="wrong_resolvent"`` (``sim_rhs`` uses ``(I - gamma P_pi)^{-1}``,
the wrong model's resolvent for ``V^pi_M``).
"""
from __future__ import annotations

import numpy as np

import solvers
from bounds.checks import Verdict, identity
from bounds.planning import PERFORMANCE_DIFFERENCE, SIMULATION_LEMMA
from mdptheory.envs import garnet
from mdptheory.validation import as_generator
from solvers import _kernels as K

from .claims import Claim

NAME = "planning-identities"
VARIANTS = ("exact", "wrong_occupancy", "wrong_resolvent")

_BASE = {"branching": 4, "mix": 0.2, "variant": "exact"}
GRID = [dict(_BASE, S=S, A=A, gamma=g) for S in (5, 20, 100) for A in (2, 4) for g in (0.5, 0.9, 0.99)]
QUICK_GRID = [dict(_BASE, S=8, A=3, gamma=0.9), dict(_BASE, S=25, A=2, gamma=0.99)]
SEEDS = 10
QUICK_SEEDS = 5

_U = np.finfo(float).eps
#: Largest evaluation certificate, relative to the value scale 1/(1-gamma), under which an identity is judged:
#: planners certify 1e-10 by default; above this the tolerance would swamp any error.
CERT_MAX = 1e-8


def _solve_certified(M: np.ndarray, y: np.ndarray, g: float, norm: float) -> tuple[np.ndarray, float]:
    """Solve ``M x = y`` for ``M = I - gamma X`` (X stochastic, or its transpose); return ``x`` and the
    certified error ``||residual||_norm / (1 - gamma)`` in that norm (``norm=inf`` rows, ``1`` columns)."""
    x = np.linalg.solve(M, y)
    res = y - M @ x
    res_norm = float(np.abs(res).max() if norm == np.inf else np.abs(res).sum())
    # rounding in computing the residual itself: |fl(Mx) - Mx| <= n u |M||x| (Higham 2002, eq. 3.11)
    res_norm += M.shape[0] * _U * float((np.abs(M) @ np.abs(x)).max() if norm == np.inf else (np.abs(M) @ np.abs(x)).sum())
    return x, res_norm / (1.0 - g)


def run(config: dict, seed: int) -> dict:
    """One random instance; both identities with certified tolerances (see the module docstring)."""
    S, A, g, w = int(config["S"]), int(config["A"]), float(config["gamma"]), float(config["mix"])
    variant = config.get("variant", "exact")
    if variant not in VARIANTS:
        raise ValueError(f"variant={variant!r}, expected one of {VARIANTS}")
    rng = as_generator(seed)
    mdp = garnet(S, A, int(config["branching"]), rng=rng, gamma=g)
    other = garnet(S, A, int(config["branching"]), rng=rng, gamma=g)
    pi, pi2 = rng.dirichlet(np.ones(A), size=S), rng.dirichlet(np.ones(A), size=S)
    mu = rng.dirichlet(np.ones(S))
    P, R = mdp.P_flat, mdp.R

    # ---------------- performance difference
    ev1, ev2 = solvers.policy_evaluation(mdp, pi), solvers.policy_evaluation(mdp, pi2)
    V1, V2, b1, b2 = ev1.V, ev2.V, float(ev1.error_bound), float(ev2.error_bound)
    lhs = float(mu @ V2 - mu @ V1)
    lhs_tol = b1 + b2 + 2 * S * _U * float(mu @ (np.abs(V1) + np.abs(V2)))
    adv = R + g * (P @ V1).reshape(S, A) - V1[:, None]  # A^pi(s, a); error <= (1 + gamma) b1
    occ_policy = pi if variant == "wrong_occupancy" else pi2  # the control's slip: d^pi for d^pi'
    P_occ, _ = K.policy_model(P, R, occ_policy)
    d, d_err = _solve_certified(np.eye(S) - g * P_occ.T, (1 - g) * mu, g, norm=1)
    f = (pi2 * adv).sum(axis=1)
    rhs = float(d @ f) / (1 - g)
    adv_round = 4 * S * _U * (np.abs(R).max() + 2 * np.abs(V1).max())  # rounding of R + g P V - V
    rhs_tol = (float(np.abs(d).sum()) * ((1 + g) * b1 + adv_round) + d_err * float(np.abs(f).max())
               + 2 * S * A * _U * float(np.abs(d) @ np.abs(f))) / (1 - g)

    # ---------------- simulation lemma (same rewards, perturbed transitions)
    mdp2 = type(mdp)((1 - w) * mdp.P + w * other.P, R, g)
    ev3 = solvers.policy_evaluation(mdp2, pi)
    V3, b3 = ev3.V, float(ev3.error_bound)
    P_pi, _ = K.policy_model(P, R, pi)
    P2_pi, _ = K.policy_model(mdp2.P_flat, R, pi)
    sim_lhs = V1 - V3
    sim_lhs_tol = b1 + b3 + 2 * _U * (np.abs(V1) + np.abs(V3))
    resolvent_of = P_pi if variant == "wrong_resolvent" else P2_pi  # the control's slip
    y = g * (P_pi - P2_pi) @ V1
    x, x_err = _solve_certified(np.eye(S) - g * resolvent_of, y, g, norm=np.inf)
    diff_norm = float(np.abs(P_pi - P2_pi).sum(axis=1).max())  # <= 2
    y_err = g * (diff_norm * b1 + 4 * S * _U * np.abs(V1).max())  # V1 error + rounding of the product
    sim_rhs_tol = np.full(S, x_err + y_err / (1 - g))
    return {
        "pdl_lhs": lhs, "pdl_rhs": rhs, "pdl_tol": lhs_tol + rhs_tol,
        "sim_lhs": sim_lhs, "sim_rhs": x, "sim_tol": sim_lhs_tol + sim_rhs_tol,
        "eval_cert_max": max(b1, b2, b3),
    }


def _sharp(df, v):
    """The identity's verdict, failed when some evaluation certificate is too large for it to mean anything."""
    worst = float((df["eval_cert_max"] * (1 - df["gamma"])).max())
    if worst <= CERT_MAX:
        return v
    return Verdict(False, v.statistic, v.threshold, v.explanation + f"; but an evaluation certificate is "
                   f"{worst:.3g} of the value scale (> {CERT_MAX:g}): the tolerance swamps the identity", v.details)


def _pdl_check(df):
    return _sharp(df, identity(df["pdl_lhs"].to_numpy(float), df["pdl_rhs"].to_numpy(float),
                               atol=df["pdl_tol"].to_numpy(float)))


def _sim_check(df):
    return _sharp(df, identity(np.concatenate(list(df["sim_lhs"])), np.concatenate(list(df["sim_rhs"])),
                               atol=np.concatenate(list(df["sim_tol"]))))


CLAIMS = [
    Claim(
        name="performance-difference",
        experiment=NAME,
        bound=PERFORMANCE_DIFFERENCE,
        check=_pdl_check,
        mutants=("policy-evaluation.transposed", "bellman.discount-squared"),
        control={"variant": "wrong_occupancy"},
        description="V^{pi'}(mu) - V^pi(mu) = 1/(1-gamma) E_{s~d^{pi'}_mu, a~pi'}[A^pi(s,a)] exactly "
                    "(up to certified numerical tolerance) on random MDPs and random stochastic policies.",
    ),
    Claim(
        name="simulation-lemma",
        experiment=NAME,
        bound=SIMULATION_LEMMA,
        check=_sim_check,
        mutants=("policy-evaluation.transposed", "bellman.discount-squared"),
        control={"variant": "wrong_resolvent"},
        description="V^pi_M - V^pi_M' = gamma (I - gamma P'_pi)^{-1} (P_pi - P'_pi) V^pi_M exactly "
                    "(up to certified numerical tolerance) for two MDPs sharing rewards.",
    ),
]
