"""Iterations until value iteration's greedy policy is eps-optimal, against the textbook bound.

Textbook result (no paper figure): from V_0 = 0 the greedy policy is eps-optimal for every
k >= log(2 gamma r_max / (eps (1-gamma)^2)) / log(1/gamma) (Singh & Yee 1994 + contraction). Points are
runs (jittered), the horizontal bar per configuration is the bound. The bound is loose by one to two
orders of magnitude on Garnet MDPs: greedy policies become optimal long before V_k is accurate.
Controls (discount halved in the update) that never become eps-optimal are drawn at the top as x;
runs already eps-optimal at k = 0 are drawn at 0.5 (log axis).
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from . import runs
from ._planning_common import label

FIGURE = "planning-vi-iterations"
EXPERIMENT = "planning-vi"
CLAIMS = ["vi-iteration-count"]


def draw(results):
    fig = Figure(figsize=(7, 4.2))
    ax = fig.add_subplot()
    groups = list(results.groupby(["S", "A", "gamma", "eps"]))
    rng = np.random.default_rng(0)
    top = max(float(results["k_max"].max()), 1.0) * 1.5
    for i, (_, grp) in enumerate(groups):
        real = runs(grp)
        ctl = runs(grp, mutant="bellman.discount-squared")
        y = np.maximum(real["k_eps"].to_numpy(float), 0.5)
        ax.scatter(i + rng.uniform(-0.15, 0.15, y.size), y, s=14, color="C0", label="runs" if i == 0 else None)
        yc = ctl["k_eps"].to_numpy(float)
        yc = np.where(np.isfinite(yc), np.maximum(yc, 0.5), top)
        ax.scatter(i + 0.3 + rng.uniform(-0.05, 0.05, yc.size), yc, s=14, marker="x", color="0.5",
                   label="γ² mutant" if i == 0 else None)
        b = float(grp["n_bound"].iloc[0])
        ax.hlines(b, i - 0.35, i + 0.35, color="C3", lw=2, label="bound ceil(N(ε))" if i == 0 else None)
    ax.set_xticks(range(len(groups)), [label(g.iloc[0]) for _, g in groups], fontsize=8, rotation=15)
    ax.set_yscale("log")
    ax.set_ylabel("iterations until greedy policy ε-optimal")
    ax.set_title("No paper figure (Singh & Yee 1994 + contraction): iterations to an ε-optimal policy vs the bound",
                 fontsize=9)
    ax.legend(fontsize=8)
    return fig
