"""Shared replication loop of the average-reward sample-complexity experiments (Figures 1a and 1b).

A helper module of the experiments (no ``NAME``). One job runs ``reps`` independent replications of one
estimator on :func:`mdptheory.envs.two_state_escape` from one ``Generator`` (the job's seed), and returns the mean
errors and everything the parameter claim checks. Ground truth: ``alpha_bar`` by brute force over the four
policies and ``t = t_minorize`` by scanning every lag (:mod:`experiments.avgreward_truth`), given to the
estimator as its a-priori bound (the paper's algorithm assumes ``t >= t_minorize`` known).
"""
from __future__ import annotations

import functools

import numpy as np

from mdptheory.envs import two_state_escape
from mdptheory.validation import as_generator
from solvers.average_reward.estimator import (GenerativeSampler, amdp_estimator, epsilon_for_samples,
                                              jin_sidford_epsilon, jin_sidford_reduction)

from .avgreward_truth import optimal_gain, policies, tminorize_scan

#: Replications per job (the paper: 300 per point, reviewers' report; here SEEDS x REPS).
REPS = 50
METHODS = {"wbg": (amdp_estimator, epsilon_for_samples), "js": (jin_sidford_reduction, jin_sidford_epsilon)}


@functools.lru_cache(maxsize=64)
def truth(p: float, gap: float) -> tuple[float, float, dict]:
    """``(alpha_bar, t_minorize, every policy's gain)`` of the two-state family, by brute force."""
    mdp = two_state_escape(p, gap)
    P3 = mdp.dense_P()
    g, _, gains = optimal_gain(P3, mdp.R)
    t = max(tminorize_scan(P3[np.arange(2), pi], 10_000) for pi in policies(2, 2))
    return g, t, gains


def replicate(method: str, n: int, p: float, K: float, seed: int, gap: float = 0.5, reps: int = REPS) -> dict:
    """``reps`` replications of ``method`` ("wbg": Algorithm 4.1; "js": the reduction baseline) with ``n`` samples per
    pair and the accuracy the method's sample-size form assigns to ``n`` (constant ``K``)."""
    estimator, eps_of = METHODS[method]
    mdp = two_state_escape(p, gap)
    alpha_bar, t, gains = truth(p, gap)
    eps = eps_of(n, t, K)
    rng = as_generator(seed)
    err, perr, pert = [], [], []
    samples = 0
    gamma = zeta = np.nan
    for _ in range(reps):
        sampler = GenerativeSampler(mdp, rng)
        est = estimator(sampler, eps, t, int(n))
        samples += sampler.samples
        err.append(abs(est.alpha_hat - alpha_bar))
        perr.append(alpha_bar - gains[tuple(int(a) for a in est.policy)])
        pert.append(est.solution.perturbation.ravel())
        gamma, zeta = est.params.gamma, est.params.zeta
    pert = np.concatenate(pert)
    return dict(err=float(np.mean(err)), policy_err=float(np.mean(perr)), eps=float(eps), t=float(t),
                gamma=float(gamma), zeta=float(zeta), alpha_bar=float(alpha_bar),
                samples_per_pair=samples / (reps * mdp.S * mdp.A), pert_min=float(pert.min()),
                pert_max=float(pert.max()), pert_mean=float(pert.mean()), pert_count=int(pert.size))
