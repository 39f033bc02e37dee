r"""Fixed budget: simple regret of MDP-GapE and the baselines against the budget (Jonsson et al. 2020,
Figure 2; ``planners_evaluation_budget.py`` of ``eleurent/planning-gap-complexity`` [C]; spec check 13).

Each run draws one Garnet of the paper's family and gives every planner the same budgets ``n`` (a fresh oracle
each): MDP-GapE with ``eps = 0`` and thresholds ``log M``, ``0.1 log M`` (:func:`solvers.tree_search.mdp_gape_budget`),
KL-OLOP (threshold ``log M``), UCT (temperature 10, the official code's effective value), BRUE, and Sparse
Sampling under the budget (our adaptation). All but Sparse Sampling split ``n`` into ``M`` trajectories of depth
``L`` by OLOP's rule. The simple regret ``max_a Q(s0, a) - Q(s0, a_hat)`` is measured, as in the official
scripts, against the 9-step truncated ``Q`` of value iteration (``truth_depth = 9``, exact:
:func:`mdptheory.generative.truncated_q`). Quick runs use ``S = 1000`` states (the ground truth at depth 9 then
costs milliseconds; the look-ahead is no longer a tree below depth ~4, which the planners ignore anyway: they do
not merge states); the full grid uses the paper's ``S = 100,000``.

Claim ``mdpgape-fixed-budget``: at the largest budget of the grid, MDP-GapE's mean simple regret is below UCT's and
below KL-OLOP's: two one-sided paired t-tests over the same instances, each at level 0.05 (the paper's Figure 2
ordering at large budgets). Extra control ``recommend = "random"``: MDP-GapE's recommendation replaced by a
uniformly random action. Rejects the slips that break the recommendation or the exploration: the root backup
skipped, UGapE sampling its best candidate only, the challenger recommended instead of the best candidate.
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from bounds.checks import Verdict
from mdptheory.generative import GenerativeOracle, truncated_q
from solvers.tree_search import brue, kl_olop, mdp_gape_budget, sparse_sampling_budget, uct

from ._mdpgape_common import garnet, run_seeds
from .claims import Claim

NAME = "mdpgape-budget"
PLANNERS = ("mdp-gape", "kl-olop", "uct", "brue", "sparse-sampling")
#: The official code's effective UCT temperature: ``2 / (1 - gamma)`` evaluated with its class default gamma 0.8.
UCT_TEMPERATURE = 10.0

_BASE = {"S": 1000, "K": 5, "B": 2, "gamma": 0.7, "truth_depth": 9, "budgets": [100, 1000, 10_000], "runs": 50,
         "planners": ["mdp-gape", "kl-olop", "uct"]}
#: The claim compares MDP-GapE with KL-OLOP and UCT on 200 instances; BRUE and Sparse Sampling (figure only) run
#: on the first 40 of them (``runs = 20``: the same instance seeds for seeds 0 and 1).
QUICK_GRID = [_BASE, dict(_BASE, planners=["brue", "sparse-sampling"], runs=20, seeds=2)]
GRID = [dict(_BASE, S=100_000, budgets=[10, 31, 100, 316, 1000, 3162, 10_000, 31_622, 100_000], runs=20,
             planners=list(PLANNERS))]
QUICK_SEEDS = 4          # x 50 runs = 200 instances
SEEDS = 10               # x 20 runs = 200 instances (the paper's 200 seeds)


def _plan(name: str, oracle: GenerativeOracle, rng):
    if name == "mdp-gape":
        return mdp_gape_budget(oracle, rng=rng)
    if name == "kl-olop":
        return kl_olop(oracle, rng=rng)
    if name == "uct":
        return uct(oracle, temperature=UCT_TEMPERATURE, rng=rng)
    if name == "brue":
        return brue(oracle, rng=rng)
    if name == "sparse-sampling":
        return sparse_sampling_budget(oracle, rng=rng)
    raise ValueError(f"planner {name!r} unknown; expected one of {PLANNERS}")


def run(config: dict, seed: int) -> dict:
    if seed >= int(config.get("seeds", seed + 1)):
        return {"budget": np.asarray(config["budgets"], dtype=float)}    # a config that needs fewer seeds
    budgets = [int(b) for b in config["budgets"]]
    planners = list(config["planners"])
    regret = {p: np.zeros((int(config["runs"]), len(budgets))) for p in planners}
    for i, (inst, rng) in enumerate(run_seeds(seed, config["runs"])):
        model = garnet(config, inst)
        q = truncated_q(model, int(config["truth_depth"]))
        # one stream per planner (and one for the control's random recommendation): a planner's runs do not
        # depend on which other planners ran or on how many uniforms they drew
        streams = dict(zip(PLANNERS + ("control",), rng.spawn(len(PLANNERS) + 1)))
        for j, n in enumerate(budgets):
            for p in planners:
                res = _plan(p, GenerativeOracle(model, budget=n), streams[p])
                action = res.action
                if p == "mdp-gape" and config.get("recommend") == "random":
                    action = int(streams["control"].integers(model.K))
                regret[p][i, j] = q.max() - q[action]
    out = {f"regret_{p.replace('-', '_')}": regret[p] for p in planners}
    out["budget"] = np.asarray(budgets, dtype=float)
    return out


def regrets(df, planner: str) -> np.ndarray:
    """``(instances, budgets)`` simple regrets of one planner over the stored rows that ran it."""
    col = f"regret_{planner.replace('-', '_')}"
    if col not in df.columns:
        raise ValueError(f"no stored runs of {planner}")
    return np.concatenate([v for v in df[col] if isinstance(v, np.ndarray)], axis=0)


def check_budget(df):
    """At the largest budget: paired one-sided t-tests, MDP-GapE's mean regret below UCT's and KL-OLOP's."""
    gape = regrets(df, "mdp-gape")[:, -1]
    pvals, parts = {}, []
    for base in ("uct", "kl-olop"):
        other = regrets(df, base)[:, -1]
        d = other - gape
        p = 1.0 if not np.any(d) else float(stats.ttest_rel(other, gape, alternative="greater").pvalue)
        pvals[base] = p
        parts.append(f"{base} {other.mean():.4f} (p = {p:.3g})")
    worst = max(pvals.values())
    n = int(df["budget"].iloc[0][-1])
    summary = f"n = {n}: MDP-GapE {gape.mean():.4f} vs " + ", ".join(parts)
    return Verdict(worst < 0.05, worst, 0.05,
                   f"at budget {n} over {gape.size} paired instances, one-sided paired t-tests of mean regret "
                   f"(baseline - MDP-GapE > 0): largest p = {worst:.3g} {'<' if worst < 0.05 else '>='} 0.05",
                   {"summary": summary, "pvalues": pvals, "n": int(gape.size)})


CLAIMS = [
    Claim(name="mdpgape-fixed-budget", experiment=NAME, bound=None, check=check_budget,
          mutants=("mdp-gape.no-root-backup", "mdp-gape.ugape-best-twice", "mdp-gape.recommend-challenger"),
          control={"recommend": "random"}, algorithms=("mdp-gape",),
          source="Jonsson et al. (2020), MDP-GapE, Figure 2 (fixed budget)",
          description="With a fixed budget (eps = 0, thresholds log M and 0.1 log M) MDP-GapE's mean simple regret "
                      "on the paper's Garnets is below UCT's and KL-OLOP's at the largest budget of the grid "
                      "(paired one-sided t-tests, level 0.05 each), the ordering of the paper's Figure 2."),
]
