"""Policy iteration: Scherrer's iteration bound and monotone improvement.

On random Garnet MDPs we run Howard's policy iteration — the library's own
``solvers.policy_iteration`` with ``trace="V"`` — from a random initial policy, and record

- ``iterations``: the number of iterations it runs (evaluations, including the final one that finds
  the policy stable — at least the count the theorem bounds);
- ``iters_to_optimal``: the first iteration whose policy is optimal (``||V^{pi_k} - V*|| <=``
  certified slack), ``inf`` if it never gets there;
- ``max_decrease = max_{k,s} (V^{pi_k} - V^{pi_{k+1}})(s)`` and its certified slack ``decrease_tol``
  (sum of the two evaluation certificates ``||T^pi V - V|| / (1-gamma)``).

Claims
------
``pi-iteration-bound`` (bound ``pi-howard-iterations``): ``iters_to_optimal <= S (A-1) ceil(log(1/(1-gamma))/(1-gamma))``.
    Control ``variant="no_improvement"``: a PI whose improvement step is skipped (it keeps the
    initial policy, which is then "stable" at once) never reaches the optimum.
``pi-monotone-improvement`` (bound ``pi-monotone-improvement``): ``max_decrease <= decrease_tol`` on every run.
    Control ``variant="anti_greedy"``: the improvement step takes ``argmin`` instead of ``argmax``
    (a sign bug); values then decrease.

The broken variants are deliberately local to this module and reuse the solvers' kernels.
"""
from __future__ import annotations

import math

import numpy as np

import solvers
from bounds.checks import below
from bounds.planning import PI_ITERATIONS, PI_MONOTONE
from mdptheory.envs import garnet
from mdptheory.validation import as_generator
from solvers import _kernels as K
from solvers.policy_evaluation import solve_policy_value

from .claims import Claim

NAME = "planning-pi"
VARIANTS = ("howard", "no_improvement", "anti_greedy")

_BASE = {"branching": 3, "variant": "howard"}
GRID = [dict(_BASE, S=S, A=A, gamma=g) for S in (10, 50, 200) for A in (2, 5) for g in (0.5, 0.9, 0.99)]
QUICK_GRID = [dict(_BASE, S=10, A=3, gamma=0.9), dict(_BASE, S=30, A=4, gamma=0.99)]
SEEDS = 20
QUICK_SEEDS = 5


def _eval_cert(P, R, pi, V, g) -> float:
    """Certified ``||V - V^pi||_inf <= ||T^pi V - V||_inf / (1 - gamma)`` for a solved ``V``."""
    return float(np.abs(K.policy_sweep(P, R, pi, V, g) - V).max()) / (1.0 - g)


def _broken_pi(mdp, pi0: np.ndarray, variant: str, max_iter: int) -> list[np.ndarray]:
    """The deliberately broken PI loops; returns the evaluated policies' values per iteration."""
    P, R, g = mdp.P_flat, mdp.R, mdp.gamma
    pi, values = pi0.copy(), []
    for _ in range(max_iter):
        V = solve_policy_value(P, R, pi, g)
        values.append(V)
        if variant == "no_improvement":
            new_pi = pi  # bug: the improvement step is skipped, so the policy is "stable" at once
        else:  # "anti_greedy": bug, argmin instead of argmax (incumbent kept on ties)
            Q, _, _ = K.bellman_q(P, R, V, g)
            worst = Q.argmin(axis=1)
            new_pi = np.where(Q[np.arange(mdp.S), pi] <= Q[np.arange(mdp.S), worst], pi, worst)
        if np.array_equal(new_pi, pi):
            break
        pi = new_pi
    return values


def run(config: dict, seed: int) -> dict:
    """One Garnet MDP, one PI run from a random initial policy (see the module docstring)."""
    S, A, g = int(config["S"]), int(config["A"]), float(config["gamma"])
    variant = config.get("variant", "howard")
    if variant not in VARIANTS:
        raise ValueError(f"variant={variant!r}, expected one of {VARIANTS}")
    rng = as_generator(seed)
    mdp = garnet(S, A, int(config["branching"]), rng=rng, gamma=g)
    pi0 = rng.integers(0, A, size=S)
    bound = float(PI_ITERATIONS.evaluate(S=S, A=A, gamma=g))
    ref = solvers.policy_iteration(mdp, tol=1e-9, policy0=pi0, trace="V")
    v_star, v_cert = ref.V, float(ref.error_bound)
    if variant == "howard":
        values = list(ref.trace["V"])
        iterations = int(ref.iterations)
    else:
        values = _broken_pi(mdp, pi0, variant, max_iter=int(bound) + 1)
        iterations = len(values)
    P, R = mdp.P_flat, mdp.R
    # policies are recovered as the greedy-consistent ones: re-evaluate certificates on the values
    certs = []
    for V in values:
        Q = R + g * np.asarray(P @ V).reshape(S, A)
        pol = np.abs(Q - V[:, None]).argmin(axis=1)  # the action whose Q equals V (the evaluated policy)
        certs.append(_eval_cert(P, R, pol, V, g))
    certs = np.array(certs)
    gaps = np.array([np.abs(V - v_star).max() for V in values])
    optimal = gaps <= certs + v_cert + 1e-12 * max(1.0, float(np.abs(v_star).max()))
    iters_to_optimal = int(np.argmax(optimal) + 1) if optimal.any() else math.inf
    if len(values) > 1:
        dec = np.array([float((values[i] - values[i + 1]).max()) for i in range(len(values) - 1)])
        tols = certs[:-1] + certs[1:]
        worst = int(np.argmax(dec - tols))
        max_decrease, decrease_tol = float(dec[worst]), float(tols[worst])
    else:
        max_decrease, decrease_tol = -math.inf, 0.0
    return {
        "iterations": iterations, "iters_to_optimal": iters_to_optimal, "bound": bound,
        "max_decrease": max_decrease, "decrease_tol": decrease_tol, "vstar_cert": v_cert,
        "gap": gaps, "solver_iterations": int(ref.iterations),
    }


def _iteration_check(df):
    """Every run reaches the optimal policy within Scherrer's bound."""
    return below(df["iters_to_optimal"].to_numpy(float), df["bound"].to_numpy(float), delta=0.0)


def _monotone_check(df):
    """No run's value decreases between consecutive PI iterations (beyond certified slack)."""
    dec = df["max_decrease"].to_numpy(float)
    return below(dec, np.zeros_like(dec), delta=0.0, atol=df["decrease_tol"].to_numpy(float))


CLAIMS = [
    Claim(
        name="pi-iteration-bound",
        experiment=NAME,
        bound=PI_ITERATIONS,
        check=_iteration_check,
        control={"variant": "no_improvement"},
        description="Howard's policy iteration reaches an optimal policy within "
                    "S (A-1) ceil(log(1/(1-gamma)) / (1-gamma)) iterations (constant recalled, see bound).",
    ),
    Claim(
        name="pi-monotone-improvement",
        experiment=NAME,
        bound=PI_MONOTONE,
        check=_monotone_check,
        control={"variant": "anti_greedy"},
        description="Each policy-iteration step improves the value in every state: V^{pi_{k+1}} >= V^{pi_k}.",
    ),
]
