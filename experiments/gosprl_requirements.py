r"""Every requirement is met when GOSPRL stops: random MDPs, random requirements (zero rows included), online
requirements (Tarbouriech et al. 2021: the algorithm stops by itself once ``N(s, a) >= b(s, a)`` everywhere).

Each seed draws a fresh instance:

- ``garnet-fixed``: a communicating Garnet (``S`` in 3..6, ``A`` in 2..3, branching 2, redrawn until
  communicating) and a fixed random ``b``: entries in ``0..4``, each state's whole row zero with probability 0.3;
- ``garnet-online``: the same MDPs with an *online* requirement that grows with the data,
  ``b_t(s, a) = 1 + (number of distinct next states seen from (s, a))`` (it adds goal states during the run);
- ``grid-fixed``: ``gridworld(3, success_prob=0.8)`` (a move into a wall stays put: self-loops) and a random ``b``.

The check recounts ``N(s, a)`` from the returned trajectory (independently of the algorithm's counters) and
recomputes the online requirement from it. Claim ``gosprl-requirements-met``: every run stops by itself (not at
the step cap) with ``N >= b`` everywhere. The spec's control (a stopping rule that stops after ``B`` total
samples) is the registered mutant ``gosprl.stop-after-B``.
"""
from __future__ import annotations

import numpy as np

import solvers
from bounds.checks import Verdict, below
from mdptheory import FiniteMDP
from mdptheory.envs import gridworld
from solvers.collection import collect
from solvers.collection.gosprl import CollectionData

from .claims import Claim
from .gosprl_common import GOSPRL_MUTANTS, communicating_garnet, step_cap, trajectory_counts

NAME = "gosprl-requirements"
GRID = [{"kind": k} for k in ("garnet-fixed", "garnet-online", "grid-fixed")]
QUICK_GRID = GRID
SEEDS = 30
QUICK_SEEDS = 3


class DistinctSuccessors:
    """Online requirement ``b_t(s, a) = 1 + |{s' : N(s, a, s') > 0}|`` (resets itself at ``t = 0``)."""

    def __call__(self, data: CollectionData) -> np.ndarray:
        return 1 + (np.asarray(data.transitions) > 0).sum(axis=2)


def _draw(kind: str, rng: np.random.Generator) -> tuple[FiniteMDP, np.ndarray]:
    if kind == "grid-fixed":
        mdp = gridworld(3, success_prob=0.8)
    else:
        mdp, _ = communicating_garnet(int(rng.integers(3, 7)), int(rng.integers(2, 4)), 2, rng)
    b = rng.integers(0, 5, size=(mdp.S, mdp.A))
    b[rng.random(mdp.S) < 0.3] = 0
    return mdp, b.astype(np.int64)


def run(config: dict, seed: int) -> dict:
    rng = np.random.default_rng([seed, 17])
    kind = config["kind"]
    mdp, b = _draw(kind, rng)
    D = solvers.diameter(mdp)
    online = kind == "garnet-online"
    req = DistinctSuccessors() if online else b
    B_max = mdp.S * mdp.A * (mdp.S + 1) if online else int(b.sum())
    cap = step_cap(B_max, D, mdp.S, mdp.A)
    res = collect(mdp, req, rng, agent=config.get("agent", "gosprl"), max_steps=cap)
    N = trajectory_counts(res, mdp.S, mdp.A)
    if online:   # the requirement recomputed from the trajectory, independently of the loop's copy
        seen = np.zeros((mdp.S, mdp.A, mdp.S), dtype=bool)
        seen[res.states[:-1], res.actions, res.states[1:]] = True
        b_final = 1 + seen.sum(axis=2)
    else:
        b_final = b
    deficit = int(np.maximum(b_final - N, 0).sum())
    return dict(S=mdp.S, A=mdp.A, D=float(D), B=int(b_final.sum()), C=int(res.C), deficit=deficit,
                stopped=float(res.status == "satisfied"), zero_rows=int((b_final == 0).all(axis=1).sum()))


def check_met(df) -> Verdict:
    bad = (df["deficit"].to_numpy(float) > 0) | (df["stopped"].to_numpy(float) < 1)
    v = below(bad.astype(float), 0.0, 0.0)
    v.details["summary"] = (f"{int(bad.sum())}/{len(bad)} runs short of their requirement or capped "
                            f"(missing samples: {int(df['deficit'].sum())})")
    return v


CLAIMS = [
    Claim(name="gosprl-requirements-met", experiment=NAME, bound=None, check=check_met,
          mutants=GOSPRL_MUTANTS,
          description="On random communicating Garnets and a 3 x 3 slippery grid, with random fixed requirements "
                      "(zero rows included) and an online requirement that grows with the data, GOSPRL stops by "
                      "itself, before the step cap, with N(s, a) >= b(s, a) everywhere (recounted from the trajectory).",
          source="Tarbouriech et al. (2021), the stopping rule of the collection strategy"),
]
