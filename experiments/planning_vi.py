"""Value iteration: sup-norm contraction and the iteration count to an eps-optimal greedy policy.

On random Garnet MDPs (``mdptheory.envs.garnet``, rewards in [0, 1]) we run plain Jacobi value
iteration ``V_{k+1} = T V_k`` from ``V_0 = 0`` with the solvers' Bellman kernel
(``solvers._kernels.bellman_q``, the code under test), for ``K = ceil(N(eps)) + 20`` iterations, and record

- ``err[k] = ||V_k - V*||_inf`` with ``V*`` from :mod:`experiments.independent` (dense NumPy, no solver
  code: a bug in the kernels cannot move the reference with it), certified to ``vstar_cert``;
- ``loss[k] = ||V* - V^{pi_k}||_inf`` for the greedy policy ``pi_k`` of ``V_k`` (exact independent evaluation);
- ``k_eps``: the first ``k`` after which every ``loss[j] <= eps`` (``j <= K``).

Claims
------
``vi-contraction`` (bound ``vi-contraction``): ``err[k] <= gamma^k err[0]`` for every ``k`` and run.
``vi-iteration-count`` (bound ``vi-iterations-eps-optimal``): ``k_eps <= ceil(N(eps))`` for every run.

Both reject the Bellman sweep's registered mutants: the iterates converge to another fixed point, so the
error stalls above the vanishing bound (the contraction claim rejects the squared discount and the
action-major row layout) and the greedy policies stay suboptimal (the iteration-count claim rejects the
layout slip; under the squared discount the greedy policy of ``V*_{gamma^2}`` is often optimal for
``gamma`` too, so that bug is harmless for this statement).
"""
from __future__ import annotations

import math

import numpy as np

from bounds.checks import below
from bounds.planning import VI_CONTRACTION, VI_ITERATIONS
from mdptheory.envs import garnet
from mdptheory.validation import as_generator
from solvers import _kernels as K

from .claims import Claim
from .independent import optimal_values, policy_values

NAME = "planning-vi"

_BASE = {"branching": 3, "eps": 0.01}
GRID = [dict(_BASE, S=S, A=A, gamma=g) for S in (10, 50) for A in (2, 5) for g in (0.5, 0.9, 0.99)]
QUICK_GRID = [dict(_BASE, S=10, A=3, gamma=0.9), dict(_BASE, S=20, A=4, gamma=0.95)]
SEEDS = 20
QUICK_SEEDS = 5

_EPS64 = np.finfo(float).eps


def run(config: dict, seed: int) -> dict:
    """One Garnet MDP, one value-iteration run (see the module docstring)."""
    S, A, g, eps = int(config["S"]), int(config["A"]), float(config["gamma"]), float(config["eps"])
    mdp = garnet(S, A, int(config["branching"]), rng=as_generator(seed), gamma=g)
    P3, R = mdp.dense_P(), mdp.R
    r_max = float(R.max())
    v_star, v_cert = optimal_values(P3, R, g)
    n_bound = VI_ITERATIONS.evaluate(gamma=g, r_max=r_max, epsilon=eps)
    K_iter = int(n_bound) + 20
    V = np.zeros(S)
    err = np.empty(K_iter + 1)
    loss = np.empty(K_iter + 1)
    for it in range(K_iter + 1):
        _, TV, greedy = K.bellman_q(mdp.P_flat, R, V, g)
        err[it] = np.abs(V - v_star).max()
        loss[it] = np.abs(v_star - policy_values(P3, R, greedy, g)[0]).max()
        V = TV
    # numerical slack: V* certificate (both sides of err) + rounding of k Bellman sweeps and of the
    # policy evaluations (a few ulps per sweep, scaled by the value range); not a tuning knob
    scale = max(1.0, float(np.abs(v_star).max()))
    ks = np.arange(K_iter + 1)
    err_tol = 2 * v_cert + 4 * (ks + 1) * (S + 2) * _EPS64 * scale
    loss_tol = 2 * v_cert + 16 * S * _EPS64 * scale / (1 - g)
    bad = np.nonzero(loss > eps + loss_tol)[0]
    k_eps = int(bad[-1] + 1) if bad.size else 0
    return {
        "err": err, "err_tol": err_tol, "loss": loss, "k_eps": k_eps if k_eps <= K_iter else math.inf,
        "k_max": K_iter, "n_bound": float(n_bound), "r_max": r_max, "vstar_cert": float(v_cert),
        "e0": float(err[0]),
    }


def _contraction_check(df):
    """Every run, every k >= 1: err[k] <= gamma^k err[0] (+ certified numerical slack)."""
    emp, bnd, tol = [], [], []
    for _, row in df.iterrows():
        k = np.arange(1, row["err"].size)
        emp.append(row["err"][1:])
        bnd.append(VI_CONTRACTION.evaluate(gamma=row["gamma"], k=k, e_0=row["e0"]))
        tol.append(row["err_tol"][1:])
    return below(np.concatenate(emp), np.concatenate(bnd), delta=0.0, atol=np.concatenate(tol))


def _iteration_check(df):
    """Every run: the greedy policies are eps-optimal from iteration ceil(N(eps)) on."""
    return below(df["k_eps"].to_numpy(float), df["n_bound"].to_numpy(float), delta=0.0)


CLAIMS = [
    Claim(
        name="vi-contraction",
        experiment=NAME,
        bound=VI_CONTRACTION,
        check=_contraction_check,
        mutants=("bellman.discount-squared", "bellman.action-major-rows"),
        description="Value iteration's error to V* shrinks at least by gamma per sweep: "
                    "||V_k - V*|| <= gamma^k ||V_0 - V*|| on every run and iteration.",
    ),
    Claim(
        name="vi-iteration-count",
        experiment=NAME,
        bound=VI_ITERATIONS,
        check=_iteration_check,
        # not the squared discount: VI then converges to V*_{gamma^2}, whose greedy policy is often optimal
        # for gamma too on random Garnets (a harmless bug for *this* statement; vi-contraction rejects it)
        mutants=("bellman.action-major-rows",),
        algorithms=("bellman",),
        description="From V_0 = 0, the greedy policy of V_k is eps-optimal for every "
                    "k >= ceil(log(2 gamma r_max / (eps (1-gamma)^2)) / log(1/gamma)).",
    ),
]
