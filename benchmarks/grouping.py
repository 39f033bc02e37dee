"""Grouping selection against brute-force evaluation of every cut, at |A| = 64 and 1024 (issue 20, item 7).

Run:  python benchmarks/grouping.py [--quick]

Instances: :func:`mdptheory.envs.hierarchical_actions` with ``S = 10``, ``A = 8 x 8`` or ``8 x 128``, ``rho = 0.2``,
``gamma = 0.9``; budgets ``B_s = 1e5``, ``B_c = 2e4``; ``G_max = 32``. Every method gets the same dendrogram
(complete linkage of the model's actions, :func:`mdptheory.grouping.nested_groupings`), whose construction is timed
separately (``O(S^2 A^2)``: it is shared by every method that searches the cuts).

- ``selection``: :func:`solvers.grouping.select_grouping` given the dendrogram: ``G_max + 1`` closed-form bound
  evaluations (merge heights), one cut, one exact evaluation at the selected cut;
- ``brute force, incremental``: the exact bound at **every** cut, replaying the merges and recomputing only the
  merged cluster's dissimilarity (:func:`experiments.grouping_truth.pointwise_of_cuts`, the claim's reference);
- ``brute force, per cut``: the exact bound at every cut through the library's general path
  (``family.cut(G)`` then :func:`mdptheory.grouping.dissimilarities`), ``O(S^2 A G)`` per cut (``--quick``: only at
  ``|A| = 64``).

Times are medians of repeats (5, 3, and 1 for the per-cut brute force at ``|A| = 1024``), measured in the same run and
printed as ratios to the selection; the 1-minute load average is printed before and after (the machine is shared:
treat the numbers as noisy). Evaluations are counted, not timed: the selection's do not grow with ``|A|``.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from _timing import load_line, median  # noqa: E402  (benchmarks/ is the script's folder)
from bounds.grouping import ESTIMATION, OPTIMIZATION  # noqa: E402
from experiments.grouping_truth import pointwise_of_cuts  # noqa: E402
from mdptheory.envs import hierarchical_actions  # noqa: E402
from mdptheory.grouping import dissimilarities, nested_groupings, pointwise_weight  # noqa: E402
from solvers.grouping import select_grouping  # noqa: E402

S, GAMMA, RHO, DELTA, G_MAX, B_S, B_C = 10, 0.9, 0.2, 0.05, 32, 1e5, 2e4


def bound_at(eps: np.ndarray, G: np.ndarray) -> np.ndarray:
    N, K = np.floor(B_S / (S * G)), np.floor(B_C / (S * S * G))
    ok = (N >= 1) & (K >= 1)
    out = np.full(G.shape, np.inf)
    out[ok] = (eps[ok] / (1 - GAMMA) + ESTIMATION.evaluate(S=S, G=G[ok], N=N[ok], gamma=GAMMA, delta=DELTA)
               + OPTIMIZATION.evaluate(K=K[ok], gamma=GAMMA))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    print(load_line("before"))
    warm = hierarchical_actions(S=S, n_coarse=4, n_fine=2, rho=RHO, rng=1)
    select_grouping(warm, B_s=B_S, B_c=B_C, G_max=4)
    print(f"\n{'|A|':>5} {'method':<28} {'time [s]':>9} {'evaluations':>11} {'vs selection':>12}  best G / bound")
    for A in (64, 1024):
        mdp = hierarchical_actions(S=S, n_coarse=8, n_fine=A // 8, rho=RHO, gamma=GAMMA, rng=0)
        w = pointwise_weight(GAMMA)
        t_d, fam = median(lambda: nested_groupings(mdp.P, mdp.R, w), 3)
        print(f"{A:>5} {'dendrogram (shared)':<28} {t_d:>9.4f} {'-':>11} {'-':>12}")
        t_s, sel = median(lambda: select_grouping(mdp, B_s=B_S, B_c=B_C, G_max=G_MAX, delta=DELTA, family=fam), 5)
        print(f"{A:>5} {'selection (G <= 32)':<28} {t_s:>9.4f} {sel.n_evaluations:>11} {1.0:>12.1f}  "
              f"G = {sel.G}, exact bound {sel.exact_objective:.4g} (gap {sel.gap:.3g})")
        Gs = np.arange(1, A + 1)

        def incremental():
            J = bound_at(pointwise_of_cuts(mdp.P, mdp.R, fam.Z, w), Gs)
            return int(Gs[np.argmin(J)]), float(J.min())

        t_i, (G_i, J_i) = median(incremental, 3)
        print(f"{A:>5} {'brute force, incremental':<28} {t_i:>9.4f} {A:>11} {t_i / t_s:>12.1f}  G = {G_i}, bound {J_i:.4g}")
        if args.quick and A > 64:
            continue

        def per_cut():
            eps = np.array([dissimilarities(mdp, fam.cut(int(G))).pointwise for G in Gs])
            J = bound_at(eps, Gs)
            return int(Gs[np.argmin(J)]), float(J.min())

        t_p, (G_p, J_p) = median(per_cut, 3 if A <= 64 else 1)
        print(f"{A:>5} {'brute force, per cut':<28} {t_p:>9.4f} {A:>11} {t_p / t_s:>12.1f}  G = {G_p}, bound {J_p:.4g}")
    print("\n" + load_line("after"))


if __name__ == "__main__":
    main()
