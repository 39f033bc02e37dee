r"""Fixed confidence as in the paper's experiments (Jonsson et al. 2020, Table 4 and Figure 1;
``planners_evaluation_confidence.py`` of ``eleurent/planning-gap-complexity`` [C]).

Each run draws a Garnet of the paper's family and runs MDP-GapE with the *experiments'* thresholds
``log(1/delta) + log n`` (rewards and transitions), ``delta = 0.1``, ``B = 2`` and the depth from the accuracy,
``H = ceil(log(eps (1 - gamma) / 2) / log gamma)`` (``horizon_from_accuracy``), and records the oracle calls, and
for two ground truths the simple regret and the gap ``Delta`` between the two best root actions: the exact
``Q*_H`` at the planning depth (:func:`mdptheory.generative.q_star`) and the official scripts' 9-step truncated
``Q`` (:func:`mdptheory.generative.truncated_q`); both root value vectors are stored (``q``, ``q_official``).

No claim: this experiment feeds the paper's Figure 1 (``paper_figs/mdpgape_fig1.py``) and its table (maximal
regret and budgets per ``eps``). The gap dependence is checked at a fixed depth by ``mdpgape-gap-dependence``
and the correctness with the theory thresholds by ``mdpgape-delta-correct``. The paper's ``eps`` values: the
README's ``[1, 0.5, 0.2]``; its Figure 1 shows five clusters, ``1/(Delta v eps) in {1, 1.5, 2, 3, 5}``, which the
full grid runs. Quick runs use ``S = 5000`` states so that both ground truths cost milliseconds.
"""
from __future__ import annotations

import numpy as np

from mdptheory.generative import GenerativeOracle, horizon_from_accuracy, q_star, truncated_q
from solvers.tree_search import mdp_gape

from ._mdpgape_common import garnet, run_seeds

NAME = "mdpgape-confidence"

_BASE = {"S": 100_000, "K": 5, "B": 2, "gamma": 0.7, "delta": 0.1, "thresholds": "experiments", "runs": 20,
         "cap": 10**8}
QUICK_GRID = [dict(_BASE, S=5000, eps=e, runs=5) for e in (1.0, 2 / 3, 0.5, 1 / 3)]
GRID = [dict(_BASE, eps=e) for e in (1.0, 2 / 3, 0.5, 1 / 3, 0.2)]
QUICK_SEEDS = 2
SEEDS = 10               # x 20 runs = 200 per eps (the paper's 200 seeds)
CLAIMS: list = []


def run(config: dict, seed: int) -> dict:
    eps, delta = float(config["eps"]), float(config["delta"])
    out = {k: [] for k in ("calls", "H", "regret", "gap", "regret_official", "gap_official", "q", "q_official")}
    for inst, rng in run_seeds(seed, config["runs"]):
        model = garnet(config, inst)
        H = horizon_from_accuracy(eps, model.gamma)
        res = mdp_gape(GenerativeOracle(model, budget=int(config["cap"])), eps, delta, H=H,
                       thresholds=config["thresholds"], rng=rng)
        out["calls"].append(res.calls)
        out["H"].append(H)
        for suffix, q in (("", q_star(model, H)), ("_official", truncated_q(model, 9))):
            top = np.sort(q)[-2:]
            out["regret" + suffix].append(q.max() - q[res.action])
            out["gap" + suffix].append(top[1] - top[0])
            out["q" + suffix].append(q)
    return {k: np.asarray(v, dtype=float) for k, v in out.items()}
