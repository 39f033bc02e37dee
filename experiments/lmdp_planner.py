r"""Exact latent-MDP planning on the history tree against independent ground truth (spec section 6 "LMDP" 5).

On random micro-LMDPs (:func:`mdptheory.envs.latent.random_lmdp`; rewards shared by the contexts or not, so
that rewards do or do not split the histories), each run compares the planner of :mod:`solvers.latent` with
:mod:`experiments.lmdp_bruteforce` (histories as tuples, trajectories enumerated, nothing shared):

- ``V*`` of :func:`solvers.latent.latent_planning` against the maximum over every deterministic history policy;
  the planner's own policy's value (enumerated) against the same maximum;
- at every history the planner's policy reaches, ``<b(tau), alpha(tau)>`` (the reported belief and alpha
  vectors) against ``E[future return | tau]`` summed over trajectories (Bayes' rule);
- per context, the planner's ``nu_m . alpha_m(s_1)`` against the mean of ``N`` Monte Carlo returns of its policy
  in that context (z-score with the exact return variance of :func:`solvers.latent.latent_policy_evaluation`);
- ``Var*`` of :func:`solvers.latent.var_star` against its definition evaluated by enumeration;
- with ``M = 1``, ``V*`` against :func:`solvers.backward_induction` on the context's MDP.

Tolerance of the exact identities: the values are sums of at most ``n`` products of probabilities and rewards
in ``[0, 1]`` (``n`` = the number of full-tree nodes times ``S``, or of enumerated trajectories), so their
rounding error is at most ``n u`` (Higham 2002, eq. 3.5; ``u`` = unit roundoff); the check allows ``4 n u``.

Claims
------
``lmdp-planner-exact`` -- the identities above hold to that tolerance. Mutants: the prior ``w`` used instead
of the posterior ``b(tau)``, the children's alpha vector of the wrong context, the recursion one level short,
the reported belief not renormalised.

``lmdp-alpha-monte-carlo`` -- the per-context z-scores exceed ``3.29`` (two-sided 0.1%) in at most a fraction
``0.001`` of (run, context) pairs (exact binomial test). Mutants: wrong-context alpha vectors, the recursion one
level short.

``lmdp-var-star-exact`` -- ``Var*`` equals its enumerated definition to the tolerance. Mutant: ``Var*`` taken
from the optimal policy alone.
"""
from __future__ import annotations

import numpy as np

from bounds.checks import Verdict, below, identity
from mdptheory.envs.latent import random_lmdp
from solvers import backward_induction
from solvers.latent import latent_planning, latent_policy_evaluation, var_star

from . import lmdp_bruteforce as bf
from .claims import Claim

NAME = "lmdp-planner"
GRID = [{"M": M, "S": S, "A": A, "H": H, "shared": sh}
        for M, S, A, H, sh in ((1, 2, 2, 3, True), (1, 3, 2, 2, True), (2, 2, 2, 2, False), (2, 2, 2, 3, True),
                               (3, 2, 2, 2, True), (2, 3, 2, 2, True), (2, 2, 3, 2, False), (3, 2, 2, 2, False))]
QUICK_GRID = [GRID[0], GRID[2], GRID[3], GRID[4]]
SEEDS = 8
QUICK_SEEDS = 3

N_MC = 4000
Z_CRIT = 3.2905          # two-sided 0.1% normal quantile
MC_DELTA = 0.001
_U = np.finfo(float).eps / 2


def _monte_carlo(lmdp, policy: np.ndarray, m: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` returns of ``policy`` in context ``m`` (vectorised inverse-CDF draws on the observation tree)."""
    tree, S = lmdp.tree, lmdp.S
    s = np.minimum((rng.random(n)[:, None] > np.cumsum(lmdp.nu[m])).sum(axis=1), S - 1)
    j, ret = s.copy(), np.zeros(n)
    for h in range(lmdp.H):
        a = policy[tree.offsets[h] + j]
        ret += lmdp.R[m, s, a]
        cdf = np.cumsum(lmdp.P[m, s, a], axis=1)
        s2 = np.minimum((rng.random(n)[:, None] > cdf).sum(axis=1), S - 1)
        j = (j * tree.G + tree.cls[m, s, a]) * S + s2
        s = s2
    return ret


def run(config: dict, seed: int) -> dict:
    gen = np.random.default_rng([seed, 53])
    lmdp = random_lmdp(int(config["M"]), int(config["S"]), int(config["A"]), int(config["H"]), rng=gen,
                       shared_rewards=bool(config["shared"]))
    plan = latent_planning(lmdp)
    v_bf, _ = bf.brute_force_optimum(lmdp)
    table = bf.policy_from_table(lmdp, plan.policy)
    v_pol = bf.policy_value(lmdp, table)
    cond = bf.conditional_values(lmdp, table)
    tree = lmdp.tree
    idx, expected = [], []
    for hist, val in cond.items():
        states, rewards = list(hist[0::2]), list(hist[1::2])
        actions = [table[hist[:2 * i + 1]] for i in range(len(rewards))]
        idx.append(tree.node_index(states, actions, rewards))
        expected.append(val)
    node_actual = plan.node_value[np.array(idx)]
    ev = latent_policy_evaluation(lmdp, plan.policy)
    z = np.empty(lmdp.M)
    for m in range(lmdp.M):
        ret = _monte_carlo(lmdp, plan.policy, m, N_MC, gen)
        sd = np.sqrt(ev.context_variances[m] / N_MC)
        diff = ret.mean() - plan.context_values[m]
        z[m] = diff / sd if sd > 0 else (0.0 if abs(diff) <= 1e-12 else np.inf)
    n_terms = max(tree.n_full_nodes * lmdp.S, len(cond) * lmdp.M * lmdp.S ** lmdp.H)
    out = {"v_planner": plan.value, "v_bruteforce": v_bf, "v_policy": v_pol, "node_actual": node_actual,
           "node_expected": np.array(expected), "z": z, "atol": 4.0 * n_terms * _U,
           "var_star": var_star(lmdp).value, "var_star_bruteforce": bf.brute_force_var_star(lmdp),
           "v_backward": float("nan")}
    if lmdp.M == 1:
        out["v_backward"] = float(backward_induction(lmdp.context(0)).extra["value_mu0"])
    return out


def check_exact(df) -> Verdict:
    """V* = brute force; the planner's policy attains it; node values = Bayes conditional expectations; M = 1:
    V* = backward induction."""
    actual, expected, tol = [], [], []
    for _, r in df.iterrows():
        pairs = [(r["v_planner"], r["v_bruteforce"]), (r["v_policy"], r["v_bruteforce"])]
        if np.isfinite(r["v_backward"]):
            pairs.append((r["v_planner"], r["v_backward"]))
        a = np.concatenate([[p for p, _ in pairs], r["node_actual"]])
        e = np.concatenate([[q for _, q in pairs], r["node_expected"]])
        actual.append(a)
        expected.append(e)
        tol.append(np.full(a.size, r["atol"]))
    a, e = np.concatenate(actual), np.concatenate(expected)
    if np.isnan(a).any():      # a reported belief missing at a reachable history
        return Verdict(False, np.inf, 1.0, "the planner reports no belief (nan) at a history of positive probability",
                       {"summary": "nan node value"})
    return identity(a, e, atol=np.concatenate(tol))


def check_monte_carlo(df) -> Verdict:
    """|z| > Z_CRIT in at most a fraction MC_DELTA of (run, context) pairs."""
    z = np.abs(np.concatenate(list(df["z"])))
    v = below(np.minimum(z, 1e300), Z_CRIT, delta=MC_DELTA)
    v.details["summary"] = f"{int((z > Z_CRIT).sum())}/{z.size} |z| > {Z_CRIT:g}, max |z| {z.max():.3g}"
    return v


def check_var_star(df) -> Verdict:
    """Var* of the planner = Var* by enumeration."""
    return identity(df["var_star"].to_numpy(float), df["var_star_bruteforce"].to_numpy(float),
                    atol=df["atol"].to_numpy(float))


_SOURCE = "Zhou, Wang & Du (2023), arXiv:2210.11604, Section 3 (LMDP, alpha vectors); planner derived [D]"
CLAIMS = [
    Claim(name="lmdp-planner-exact", experiment=NAME, bound=None, check=check_exact,
          mutants=("lmdp-planner.prior-not-posterior", "lmdp-planner.alpha-wrong-context",
                   "lmdp-planner.depth-off-by-one", "lmdp-planner.belief-not-renormalised"),
          description="The history-tree planner's V* equals the maximum over every deterministic history policy "
                      "(enumerated), its policy attains it, <belief, alpha> equals the Bayes conditional expected "
                      "return at every reachable history, and M = 1 gives backward induction's value.",
          source=_SOURCE),
    Claim(name="lmdp-alpha-monte-carlo", experiment=NAME, bound=None, check=check_monte_carlo,
          mutants=("lmdp-planner.alpha-wrong-context", "lmdp-planner.depth-off-by-one"),
          description="Per context, the planner's alpha-vector value nu_m . alpha_m(s_1) matches the mean of 4000 "
                      "Monte Carlo returns of its policy (|z| > 3.29 in at most 0.1% of runs x contexts).",
          source=_SOURCE),
    Claim(name="lmdp-var-star-exact", experiment=NAME, bound=None, check=check_var_star,
          mutants=("lmdp-var-star.optimal-policy-only",),
          description="Var* (max over policies of the total variance of the optimal alpha vectors) computed by two "
                      "plans on the history tree equals its definition evaluated by enumerating every policy.",
          source="Zhou, Wang & Du (2023), arXiv:2210.11604, abstract (Var*); definition ours, see "
                 "solvers.latent.var_star"),
]
