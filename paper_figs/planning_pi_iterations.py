"""Howard's policy iteration: iterations to the optimal policy against Scherrer's bound.

Scherrer (2013/2016, Thm 3) bounds Howard's PI by S (A-1) ceil(log(1/(1-gamma))/(1-gamma)) iterations;
the paper has no empirical figure. Points are runs from random initial policies on Garnet MDPs, the
red bar is the bound per configuration (log scale): PI needs a handful of iterations while the bound
grows like S A / (1-gamma), so the worst-case bound is loose by orders of magnitude on random
instances (it is attained only on specially constructed MDPs).
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from . import runs
from ._planning_common import label

FIGURE = "planning-pi-iterations"
EXPERIMENT = "planning-pi"
CLAIMS = ["pi-iteration-bound", "pi-monotone-improvement"]


def draw(results):
    fig = Figure(figsize=(7, 4.2))
    ax = fig.add_subplot()
    real = runs(results)
    groups = list(real.groupby(["S", "A", "gamma"]))
    rng = np.random.default_rng(0)
    for i, (_, grp) in enumerate(groups):
        y = grp["iters_to_optimal"].to_numpy(float)
        ax.scatter(i + rng.uniform(-0.15, 0.15, y.size), y, s=14, color="C0", label="Howard PI runs" if i == 0 else None)
        ax.hlines(float(grp["bound"].iloc[0]), i - 0.35, i + 0.35, color="C3", lw=2,
                  label="Scherrer bound" if i == 0 else None)
    ax.set_xticks(range(len(groups)), [label(g.iloc[0]) for _, g in groups], fontsize=8, rotation=15)
    ax.set_yscale("log")
    ax.set_ylabel("iterations to the optimal policy")
    ax.set_title("No paper figure (Scherrer 2016, Thm 3, states no experiment): Howard PI iterations vs the bound",
                 fontsize=9)
    ax.legend(fontsize=8, loc="center right")
    return fig
