r"""Algorithm 1 of Li, Ju & Shroff (2024, arXiv:2306.12981) does what it says: ``N`` samples per (state, group) drawn
through the lower-level policy, ``K`` value-iteration sweeps on the estimated lifted MDP, the greedy group played
through the lower-level policy, and the played policy's exact value (spec ``gosprl_grouping_avgreward_lmdp.md``
section 3.2 [I]).

Instance: :func:`mdptheory.envs.hierarchical_actions` (``S = 8``, ``A = 3 x 4``, ``rho = 0.3``, ``gamma = 0.8``, drawn
from the seed); groupings: the dendrogram's cut at ``G = 3``, a random partition into 4 groups, a random
state-dependent partition into 4 groups. Each run of :func:`solvers.grouping.grouped_planning` (exact rewards) is
checked against code that shares nothing with it (:mod:`experiments.grouping_truth`):

- samples: ``N S G`` in all and exactly ``N`` per (state, group) among the group's actions;
- the draws within each group are uniform (pooled chi-square over every pair and run, ``p >= 1e-3``);
- the estimated rewards are the count-weighted means of ``R``;
- ``K`` sweeps of a plain value-iteration loop on the returned estimated model give the returned greedy groups and
  the returned value (the MacQueen midpoint of the ``K``-th sweep, to ``1e-12 / (1 - gamma)``);
- the played policy is uniform over the chosen group, and its value by a dense solve equals the returned one within
  the evaluation certificate.

Claim ``grouping-algorithm1``: all of the above on every run.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from bounds.checks import Verdict
from mdptheory.envs import hierarchical_actions
from mdptheory.grouping import Grouping, nested_groupings, pointwise_weight
from mdptheory.policies import greedy
from mdptheory.validation import as_generator
from solvers.grouping import grouped_planning

from .claims import Claim
from .grouping_truth import plain_vi, policy_value

NAME = "grouping-algorithm1"
S, N_COARSE, N_FINE, RHO, GAMMA = 8, 3, 4, 0.3, 0.8
GRID = [{"grouping": g, "N": N, "K": K} for g in ("cut", "random", "state-dependent") for N in (10, 100)
        for K in (2, 5, 20)]
QUICK_GRID = [{"grouping": g, "N": 40, "K": 3} for g in ("cut", "random", "state-dependent")]
SEEDS = 4
QUICK_SEEDS = 2


def _grouping(kind: str, mdp, rng: np.random.Generator) -> Grouping:
    A = mdp.A
    if kind == "cut":
        return nested_groupings(mdp.P, mdp.R, pointwise_weight(GAMMA)).cut(N_COARSE)
    if kind == "random":
        return Grouping(np.argsort(rng.permutation(A)) % 4)
    return Grouping(np.stack([np.argsort(rng.permutation(A)) % 4 for _ in range(mdp.S)]))


def run(config: dict, seed: int) -> dict:
    mdp = hierarchical_actions(S=S, n_coarse=N_COARSE, n_fine=N_FINE, rho=RHO, gamma=GAMMA, rng=seed)
    rng = as_generator(seed + 10_000)
    grouping = _grouping(config["grouping"], mdp, rng)
    N, K = int(config["N"]), int(config["K"])
    res = grouped_planning(mdp, grouping, N, K, rng=rng)
    labels = np.asarray(grouping.labels_at(S))
    G = grouping.G
    counts = np.asarray(res.action_counts)
    per_pair = np.zeros((S, G))
    np.add.at(per_pair, (np.repeat(np.arange(S), mdp.A), labels.ravel()), counts.ravel())
    chi2, dof = 0.0, 0
    for s in range(S):
        for i in range(G):
            c = counts[s, labels[s] == i]
            if c.size > 1:
                chi2 += float(((c - N / c.size) ** 2).sum() / (N / c.size))
                dof += c.size - 1
    M = res.lifted_estimate
    P_hat, R_hat = M.dense_P(), np.asarray(M.R)
    R_ind = np.zeros((S, G))
    np.add.at(R_ind, (np.repeat(np.arange(S), mdp.A), labels.ravel()), (counts * mdp.R).ravel() / N)
    prev, V_K, Q = plain_vi(P_hat, R_hat, GAMMA, K)
    d = V_K - prev
    mid = V_K + GAMMA * (d.max() + d.min()) / (2.0 * (1.0 - GAMMA))
    hi_ind = greedy(Q)
    played_ind = (labels == hi_ind[:, None]).astype(float)
    played_ind /= played_ind.sum(axis=1, keepdims=True)
    value_ind = policy_value(mdp.P, mdp.R, GAMMA, played_ind)
    return dict(samples=res.samples, expected_samples=N * S * G, pair_count_err=float(np.abs(per_pair - N).max()),
                chi2=chi2, dof=dof, reward_err=float(np.abs(R_hat - R_ind).max()), iterations=res.iterations,
                greedy_mismatch=int((np.asarray(res.high_policy) != hi_ind).sum()),
                vhat_err=float(np.abs(np.asarray(res.V_hat) - mid).max()), vhat_tol=1e-12 / (1.0 - GAMMA),
                played_err=float(np.abs(np.asarray(res.policy) - played_ind).max()),
                value_err=float(np.abs(np.asarray(res.value) - value_ind).max()),
                value_tol=float(res.value_error_bound) + 1e-10)


def check_algorithm1(df) -> Verdict:
    parts = {
        "N S G samples, N per (state, group) in the group": bool(((df["samples"] == df["expected_samples"])
                                                                   & (df["pair_count_err"] == 0)).all()),
        "uniform draws within groups": bool(stats.chi2.sf(df["chi2"].sum(), df["dof"].sum()) >= 1e-3),
        "estimated rewards": bool((df["reward_err"] <= 1e-12).all()),
        "K sweeps: greedy groups": bool(((df["iterations"] == df["K"]) & (df["greedy_mismatch"] == 0)).all()),
        "K sweeps: returned value": bool((df["vhat_err"] <= df["vhat_tol"]).all()),
        "played policy uniform in the chosen group": bool((df["played_err"] <= 1e-12).all()),
        "played policy's value": bool((df["value_err"] <= df["value_tol"]).all()),
    }
    bad = [k for k, ok in parts.items() if not ok]
    p = float(stats.chi2.sf(df["chi2"].sum(), df["dof"].sum()))
    return Verdict(not bad, float(len(bad)), 0.0, "every step matches the independent computation" if not bad
                   else "violated: " + "; ".join(bad),
                   {"summary": f"{len(parts) - len(bad)}/{len(parts)} checks on {len(df)} runs; chi-square p = {p:.2g}; "
                               f"max value err {df['value_err'].max():.2g}"})


CLAIMS = [
    Claim(name="grouping-algorithm1", experiment=NAME, bound=None, check=check_algorithm1,
          mutants=("grouping-alg1.k-off-by-one", "grouping-alg1.one-action-samples",
                   "grouping.lower-level-all-actions"),
          description="Algorithm 1 draws exactly N samples per (state, group), uniformly within the group, runs K "
                      "value-iteration sweeps (the greedy groups and value of a plain K-sweep loop on its estimated "
                      "model), plays the chosen group uniformly and reports that policy's exact value (dense solve).",
          source="Li, Ju & Shroff (2024), arXiv:2306.12981, Algorithm 1 (our reconstruction: generative sampling, K sweeps of value iteration)"),
]
