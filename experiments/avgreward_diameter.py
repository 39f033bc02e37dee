r"""Shortest paths and the diameter against brute force and against closed forms.

Each run builds one model:

- ``"garnet"``: a random communicating Garnet (``S`` states, ``A = 2``, ``branching = 2``; redrawn until every
  state reaches every other), ground truth by enumerating every deterministic policy's hitting times
  (:mod:`experiments.avgreward_truth`);
- ``"lazy-line"``: ``S`` states on a line, actions left/right that move with probability ``q`` and stay otherwise:
  ``D = (S - 1) / q`` exactly (each step takes a geometric number of tries with mean ``1/q``);
- ``"ring"``: a deterministic cycle ``s -> s + 1 mod S`` (one action): ``D = S - 1``, while the return time to a
  state is ``S`` (a diameter that wrongly includes ``s = s'`` is caught here);
- ``"grid"``: a deterministic ``k x k`` grid with four moves (a wall keeps the agent in place):
  ``D = 2 (k - 1)`` (the Manhattan distance between opposite corners).

and computes the diameter with :func:`solvers.diameter` by policy iteration, certified value iteration and
the LP, plus the full ``min_pi E[tau]`` matrix by value iteration with its certificate.

Claim ``avgreward-diameter-exact``: the three methods agree with the truth within their certificates plus
rounding, and value iteration's certified error bounds its distance to the truth at every target.
"""
from __future__ import annotations

import warnings

import numpy as np

import solvers
from bounds.checks import Verdict, below
from mdptheory import FiniteMDP
from mdptheory.envs import garnet
from mdptheory.validation import as_generator

from .avgreward_truth import diameter_enumerated, min_hitting
from .claims import Claim

NAME = "avgreward-diameter"
GRID = ([{"kind": "garnet", "S": S} for S in (3, 4, 5)] + [{"kind": "lazy-line", "S": S, "q": q}
        for S in (3, 6) for q in (0.3, 0.8)] + [{"kind": "grid", "S": k * k} for k in (2, 3, 4)]
        + [{"kind": "ring", "S": S} for S in (3, 7)])
QUICK_GRID = [{"kind": "garnet", "S": 4}, {"kind": "lazy-line", "S": 5, "q": 0.3}, {"kind": "grid", "S": 9},
              {"kind": "ring", "S": 5}]
SEEDS = 8
QUICK_SEEDS = 3
_U = np.finfo(float).eps
VI_TOL = 1e-6
#: VI sweeps allowed: these models converge in a few hundred; a diverging variant stops early
VI_MAX_ITER = 20_000


def lazy_line(S: int, q: float) -> FiniteMDP:
    P = np.zeros((S, 2, S))
    for s in range(S):
        for a, step in ((0, -1), (1, 1)):
            nxt = min(max(s + step, 0), S - 1)
            P[s, a, nxt] += q
            P[s, a, s] += 1.0 - q
    return FiniteMDP(P, np.zeros((S, 2)), None)


def grid(k: int) -> FiniteMDP:
    S = k * k
    P = np.zeros((S, 4, S))
    for i in range(k):
        for j in range(k):
            for a, (di, dj) in enumerate(((-1, 0), (1, 0), (0, -1), (0, 1))):
                ii, jj = min(max(i + di, 0), k - 1), min(max(j + dj, 0), k - 1)
                P[i * k + j, a, ii * k + jj] = 1.0
    return FiniteMDP(P, np.zeros((S, 4)), None)


def run(config: dict, seed: int) -> dict:
    rng = as_generator(seed)
    kind, S = config["kind"], int(config["S"])
    if kind == "garnet":
        for _ in range(1000):
            mdp = garnet(S, 2, 2, rng=rng, gamma=None)
            T_true = np.stack([min_hitting(mdp.dense_P(), t) for t in range(S)], axis=1)
            if np.isfinite(T_true).all():
                break
        D_true = diameter_enumerated(mdp.dense_P())
    elif kind == "lazy-line":
        mdp = lazy_line(S, float(config["q"]))
        D_true = (S - 1) / float(config["q"])
        T_true = np.array([[abs(s - t) / float(config["q"]) for t in range(S)] for s in range(S)])
    elif kind == "ring":
        P = np.zeros((S, 1, S))
        P[np.arange(S), 0, (np.arange(S) + 1) % S] = 1.0
        mdp = FiniteMDP(P, np.zeros((S, 1)), None)
        D_true = S - 1.0
        T_true = np.array([[(t - s) % S for t in range(S)] for s in range(S)], float)
    else:
        k = int(round(S ** 0.5))
        mdp = grid(k)
        D_true = 2.0 * (k - 1)
        T_true = np.array([[abs(s // k - t // k) + abs(s % k - t % k) for t in range(S)] for s in range(S)], float)
    with warnings.catch_warnings():   # a variant that does not converge is recorded, not warned
        warnings.simplefilter("ignore")
        return _run(mdp, S, T_true, D_true)


def _run(mdp, S, T_true, D_true) -> dict:
    D = {m: solvers.diameter(mdp, method=m, **({"max_iter": VI_MAX_ITER} if m == "vi" else {}))
         for m in ("pi", "vi", "lp")}
    vi = [solvers.ssp_value_iteration(mdp, [t], tol=VI_TOL, max_iter=VI_MAX_ITER) for t in range(S)]
    vi_err = max(float(np.abs(r.V - T_true[:, t]).max()) - r.error_bound for t, r in enumerate(vi))
    return dict(D_pi=D["pi"], D_vi=D["vi"], D_lp=D["lp"], D_true=float(D_true), vi_excess=vi_err,
                vi_converged=float(all(r.converged for r in vi)))


def check_diameter(df) -> Verdict:
    true = df["D_true"].to_numpy(float)
    slack = 64 * (df["S"].to_numpy(float) + 2) * _U * (1.0 + true)
    errs = np.stack([np.abs(df[c].to_numpy(float) - true) for c in ("D_pi", "D_lp")]).max(axis=0)
    vi_gap = np.abs(df["D_vi"].to_numpy(float) - true) - VI_TOL
    excess = np.maximum.reduce([errs - slack, vi_gap - slack, df["vi_excess"].to_numpy(float) - slack])
    excess = np.where(df["vi_converged"].to_numpy(float) > 0, excess, np.inf)
    v = below(excess, 0.0, 0.0)
    v.details["summary"] = (f"{int((excess > 0).sum())}/{len(excess)} runs off; D in [{true.min():.3g}, "
                            f"{true.max():.3g}]")
    return v


CLAIMS = [
    Claim(name="avgreward-diameter-exact", experiment=NAME, bound=None, check=check_diameter,
          mutants=("ssp.goal-not-fixed", "ssp.bracket-no-amplification", "diameter.return-times"),
          description="The diameter by SSP policy iteration, certified value iteration and the LP equals brute "
                      "force over all policies on random communicating Garnets and the closed forms (S-1)/q on lazy "
                      "lines, 2(k-1) on k x k grids and S-1 on rings; value iteration's certificate bounds its error at every target.",
          source="Jaksch, Ortner & Auer (2010), Def. 1; Bertsekas & Tsitsiklis (1991) (SSP)"),
]
