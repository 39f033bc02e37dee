"""Policy iteration: Scherrer's iteration bound and monotone improvement.

On random Garnet MDPs we run Howard's policy iteration -- the library's own ``solvers.policy_iteration``
with ``trace="V"`` (it records the policy of every iteration) -- from a random initial policy, and value
every iterate's policy with :mod:`experiments.independent` (dense NumPy, no solver code):

- ``iterations``: the number of iterations PI runs (including the last one that finds the policy stable);
- ``iters_to_optimal``: the first iteration whose policy is optimal (``||V^{pi_k} - V*|| <=`` the
  references' certificates), ``inf`` if it never gets there;
- ``max_decrease = max_{k,s} (V^{pi_k} - V^{pi_{k+1}})(s)`` and its certified slack ``decrease_tol``.

Claims
------
``pi-iteration-bound`` (bound ``pi-howard-iterations``): ``iters_to_optimal <= S (A-1) ceil(log(1/(1-gamma))/(1-gamma))``
(Scherrer's worst-case bound with a recalled constant [R]: on random instances it is loose by ~100x;
what gives the claim power is that it requires the optimum to be *reached*).
``pi-monotone-improvement`` (bound ``pi-monotone-improvement``): ``max_decrease <= decrease_tol`` on every run.

Both reject the registered mutants of the Bellman sweep (PI improves on a wrong ``Q``) and of policy
evaluation (a transposed solve: PI improves on wrong values).
"""
from __future__ import annotations

import math

import numpy as np

import solvers
from bounds.checks import below
from bounds.planning import PI_ITERATIONS, PI_MONOTONE
from mdptheory.envs import garnet
from mdptheory.validation import as_generator

from .claims import Claim
from .independent import optimal_values, policy_values

NAME = "planning-pi"

_BASE = {"branching": 3}
GRID = [dict(_BASE, S=S, A=A, gamma=g) for S in (10, 50, 200) for A in (2, 5) for g in (0.5, 0.9, 0.99)]
QUICK_GRID = [dict(_BASE, S=10, A=3, gamma=0.9), dict(_BASE, S=30, A=4, gamma=0.99)]
SEEDS = 20
QUICK_SEEDS = 5


def run(config: dict, seed: int) -> dict:
    """One Garnet MDP, one PI run from a random initial policy (see the module docstring)."""
    import warnings

    S, A, g = int(config["S"]), int(config["A"]), float(config["gamma"])
    rng = as_generator(seed)
    mdp = garnet(S, A, int(config["branching"]), rng=rng, gamma=g)
    pi0 = rng.integers(0, A, size=S)
    bound = float(PI_ITERATIONS.evaluate(S=S, A=A, gamma=g))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # a PI that does not converge is recorded, not warned
        res = solvers.policy_iteration(mdp, tol=1e-9, policy0=pi0, trace="V")
    P3, R = mdp.dense_P(), mdp.R
    v_star, v_cert = optimal_values(P3, R, g)
    values, certs = zip(*(policy_values(P3, R, pi, g) for pi in res.trace["policy"]))
    certs = np.array(certs)
    gaps = np.array([np.abs(V - v_star).max() for V in values])
    optimal = gaps <= certs + v_cert + 1e-12 * max(1.0, float(np.abs(v_star).max()))
    iters_to_optimal = int(np.argmax(optimal) + 1) if optimal.any() and res.converged else math.inf
    if len(values) > 1:
        dec = np.array([float((values[i] - values[i + 1]).max()) for i in range(len(values) - 1)])
        tols = certs[:-1] + certs[1:]
        worst = int(np.argmax(dec - tols))
        max_decrease, decrease_tol = float(dec[worst]), float(tols[worst])
    else:
        max_decrease, decrease_tol = -math.inf, 0.0
    return {
        "iterations": int(res.iterations), "iters_to_optimal": iters_to_optimal, "bound": bound,
        "max_decrease": max_decrease, "decrease_tol": decrease_tol, "vstar_cert": float(v_cert), "gap": gaps,
        "converged": bool(res.converged),
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
        mutants=("bellman.discount-squared", "bellman.action-major-rows", "policy-evaluation.transposed"),
        description="Howard's policy iteration reaches an optimal policy within "
                    "S (A-1) ceil(log(1/(1-gamma)) / (1-gamma)) iterations (constant recalled, see bound).",
    ),
    Claim(
        name="pi-monotone-improvement",
        experiment=NAME,
        bound=PI_MONOTONE,
        check=_monotone_check,
        mutants=("bellman.discount-squared", "policy-evaluation.transposed"),
        description="Each policy-iteration step improves the value in every state: V^{pi_{k+1}} >= V^{pi_k}.",
    ),
]
