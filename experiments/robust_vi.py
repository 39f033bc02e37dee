"""Discounted robust value iteration against an independent robust Bellman operator (cvxpy primal).

:func:`solvers.robust.robust_value_iteration` (Iyengar 2005, Thm 3.2; Nilim & El Ghaoui 2005) iterates
``(T V)(s) = max_a R(s,a) + gamma min_{p in U(s,a)} p . V`` (``T^pi`` with a policy: robust evaluation) and
certifies ``||V - V*_rob||_inf <= error_bound`` with the MacQueen bracket. The loop and the inner solvers are
checked elsewhere (``planner-certificates``, ``robust-inner-matches-primal``); this claim checks what only the
robust sweep does, end to end, against code that shares none of it.

Per run: a Garnet (``S = 5``, ``A = 3``, branching 3, ``gamma = 0.9``), one set (TV, KL, chi-square; radius
``rho = 0.1`` or regularizer ``lam = 0.5``), the optimal robust value (``mode="optimal"``) or the robust value
of a random stochastic policy (``mode="policy"``), at ``tol = 1e-7``. The robust Bellman operator is then
applied once to the returned ``V`` by :func:`solvers.robust.oracle.primal_worst_case` (the inner primal solved by
Clarabel, no duality, ``S A`` solves), giving the residual ``r = ||T V - V||_inf``. Since ``T`` is a
``gamma``-contraction, ``||V - V*|| >= r / (1 + gamma)``, so a certificate is refuted as soon as
``r / (1 + gamma) > error_bound + gamma eps_primal / (1 + gamma)``, with ``eps_primal = 1e-6 max(1, ||V||)`` the
primal's accuracy (``robust_inner_primal.PRIMAL_RTOL``). Claim ``robust-vi-residual``: no run refutes its
certificate and every run converged. It rejects a sweep that discounts by ``gamma^2``, one that continues
with the nominal expectation (nominal values reported as robust), for every set and both modes, and an evaluation
that sweeps with ``max_a`` instead of the policy (found by planting it: no unit test saw it).
"""
from __future__ import annotations

import warnings

import numpy as np

from bounds import checks
from experiments import Claim
from mdptheory.envs import garnet
from mdptheory.uncertainty import DIVERGENCES, make
from solvers.robust import robust_value_iteration
from solvers.robust.oracle import primal_worst_case

from .robust_inner_primal import PRIMAL_RTOL

NAME = "robust-vi"
GAMMA, TOL = 0.9, 1e-7
GRID = [{"divergence": dv, "form": form, "mode": mode} for dv in sorted(DIVERGENCES) for form in ("cons", "reg")
        for mode in ("optimal", "policy")]
QUICK_GRID = GRID
SEEDS = 6
QUICK_SEEDS = 2


def robust_residual(mdp, V: np.ndarray, u, policy: np.ndarray | None) -> float:
    """``||T V - V||_inf`` with the inner problems solved by the cvxpy primal (``T^pi`` for a policy ``(S, A)``)."""
    S, A = mdp.S, mdp.A
    nature = np.empty((S, A))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Solution may be inaccurate")
        for s in range(S):
            for a in range(A):
                nature[s, a] = primal_worst_case(np.asarray(mdp.P[s, a]), V, u)[0]
    Q = np.asarray(mdp.R) + mdp.gamma * nature
    TV = Q.max(axis=1) if policy is None else (policy * Q).sum(axis=1)
    return float(np.abs(TV - V).max())


def run(config: dict, seed: int) -> dict:
    div, form = config["divergence"], config["form"]
    rng = np.random.default_rng([seed, sorted(DIVERGENCES).index(div), form == "reg"])
    mdp = garnet(5, 3, 3, rng=rng, gamma=GAMMA)
    u = make(div, **({"lam": 0.5} if form == "reg" else {"rho": 0.1}))
    policy = rng.dirichlet(np.ones(mdp.A), size=mdp.S) if config["mode"] == "policy" else None
    res = robust_value_iteration(mdp, u, tol=TOL, policy=policy)
    V = np.asarray(res.V)
    r = robust_residual(mdp, V, u, policy)
    slack = GAMMA * PRIMAL_RTOL * max(1.0, float(np.abs(V).max())) / (1 + GAMMA)
    return {"error_lower": r / (1 + GAMMA), "allowed": float(res.error_bound) + slack,
            "converged": float(res.converged)}


def _check(df) -> checks.Verdict:
    # a run that did not converge has no certificate to honour: counted as a violation
    lower = np.where(df["converged"].to_numpy() > 0, df["error_lower"].to_numpy(), np.inf)
    return checks.identity(lower, 0.0, atol=df["allowed"].to_numpy())


CLAIMS = [
    Claim(
        name="robust-vi-residual",
        experiment=NAME,
        bound=None,
        check=_check,
        mutants=("robust-vi.discount-squared", "robust-vi.nominal-sweep", "robust-vi.evaluation-ignores-policy"),
        description="Discounted robust value iteration (optimal and policy evaluation; TV, KL, chi-square, "
                    "constrained and regularized): the true error implied by an independent robust Bellman "
                    "residual (cvxpy primal inner problems), r / (1 + gamma), never exceeds the certified "
                    "error_bound (plus the primal's accuracy).",
        source="Iyengar (2005), Thm 3.2 (robust Bellman equation, contraction); Nilim & El Ghaoui (2005)",
    ),
]
