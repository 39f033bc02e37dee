"""A claim of your own, verified like the built-in ones: `mdptheory verify --module my_claims.py --quick`.

Claim: value iteration's certified error bound holds on random Garnet MDPs (the true error, from a dense
linear solve of the returned policy's Bellman equation, is below `error_bound`). It must reject the
registered mutant that drops the certificate's 1/(1-gamma) amplification.
"""
import numpy as np

import solvers
from bounds.checks import below
from experiments import Claim
from mdptheory.envs import garnet

NAME = "my-vi-certificate"
GRID = [{"S": S, "gamma": g} for S in (10, 30) for g in (0.9, 0.99)]
QUICK_GRID = [{"S": 10, "gamma": 0.99}]
SEEDS, QUICK_SEEDS = 10, 4


def run(config, seed):
    mdp = garnet(config["S"], 3, 3, rng=seed, gamma=config["gamma"])
    res = solvers.value_iteration(mdp, tol=1e-6)
    P, R = mdp.dense_P(), mdp.R                        # ground truth by a dense solve, no solver code
    v_star = np.linalg.solve(np.eye(mdp.S) - mdp.gamma * P[np.arange(mdp.S), res.policy], R[np.arange(mdp.S), res.policy])
    return {"error": float(np.abs(res.V - v_star).max()), "bound": res.error_bound + res.policy_gap_bound}


def check(df):
    return below(df["error"].to_numpy(), df["bound"].to_numpy(), delta=0.0, atol=1e-12)


CLAIMS = [Claim("my-vi-certificate", NAME, None, check, mutants=("certificates.no-amplification",),
                description="VI's certified error bound holds against a dense solve.", source="my notes")]
