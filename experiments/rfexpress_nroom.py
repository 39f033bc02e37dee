r"""RF-Express vs RF-UCRL exploring rlberry's NRoom (Ménard et al. 2021, Section 6; the data of the NRoom figure).

The official experiment (``rl_fast_active_learning: config/experiment.yaml``, spec section 4.6): 15 rooms of 5 x 5
(``S = 389``, :func:`mdptheory.envs.nroom`), ``H = 30``, ``delta = 0.1``, stage-dependent counts, no clipping
(``clip="none"``, the official ``clip_v=False``), a fixed number of episodes (20,000; the stopping rule is never
reached with the theory constants), 4 runs. Each run records at log-spaced checkpoints

- ``visited``: the number of distinct states visited so far (states where an action was taken, stages
  ``1..H``: rlberry's ``DiscreteCounter.get_n_visited_states`` as the official code uses it),
- ``entropy``: the entropy (base 2) of the empirical state-visit distribution (same counts),
- ``bound``: the algorithm's error bound at the start (RF-Express ``3e sqrt(W) + W``, RF-UCRL ``E``).

No claim: the paper compares exploration quality, not a theorem (the figure module reads these rows).
``--quick``: 2,000 episodes, 2 runs.
"""
from __future__ import annotations

import numpy as np

from mdptheory.envs import nroom
from solvers.exploration import RFUCRL, RFExpress, explore

NAME = "rfexpress-nroom"
GRID = [{"algorithm": a, "episodes": 20_000, "nrooms": 15} for a in ("rf-express", "rf-ucrl")]
QUICK_GRID = [{"algorithm": a, "episodes": 2_000, "nrooms": 15} for a in ("rf-express", "rf-ucrl")]
SEEDS = 4
QUICK_SEEDS = 2
DELTA = 0.1


def checkpoints(n: int) -> np.ndarray:
    """About 15 log-spaced episode counts in ``[1, n]`` (each pause rebuilds the dense (H, S, A, S) arrays of the
    result, ~1 s on NRoom)."""
    return np.unique(np.round(np.logspace(0, np.log10(n), 15)).astype(int))


def run(config: dict, seed: int) -> dict:
    env = nroom(int(config["nrooms"]), H=30)
    cls = RFExpress if config["algorithm"] == "rf-express" else RFUCRL
    agent = cls(env.S, env.A, env.H, eps=0.1, delta=DELTA, clip="none")
    rng = np.random.default_rng([int(seed), 21])
    cps = checkpoints(int(config["episodes"]))
    visited, entropy, bound = [], [], []
    played = 0
    for cp in cps:
        res = explore(agent, env, int(cp - played), rng=rng, stop=False)
        played = int(cp)
        # the states where an action was taken (stages 0..H-1), as rlberry's DiscreteCounter counts them
        v = res.counts.sum(axis=(0, 2, 3))
        p = v / v.sum()
        nz = p[p > 0]
        visited.append(int((v > 0).sum()))
        entropy.append(float(-(nz * np.log2(nz)).sum()))
        bound.append(float(res.certificates[-1]))
    return {"episode": cps.astype(float), "visited": np.asarray(visited, dtype=float),
            "entropy": np.asarray(entropy), "bound": np.asarray(bound)}


CLAIMS: list = []
