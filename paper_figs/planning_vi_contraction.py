"""Value-iteration error ||V_k - V*|| against the contraction bound gamma^k ||V_0 - V*||.

Textbook result (no paper figure to reproduce): Puterman (1994), section 6.3. Each thin line is one
run (a random Garnet MDP) of plain value iteration from V_0 = 0, normalised by its initial error; the
dashed line of the same colour is the bound gamma^k for that configuration. On Garnet MDPs the
observed rate is close to gamma (the bound is nearly tight, ratio ~0.99), as expected for random
dense-ish transitions; the registered mutant ``bellman.discount-squared`` (when its runs are stored, e.g.
after ``verify --power``) is drawn dotted grey: it stalls at the wrong fixed point and crosses the bound.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from . import runs
from ._planning_common import label

FIGURE = "planning-vi-contraction"
EXPERIMENT = "planning-vi"
CLAIMS = ["vi-contraction"]


def draw(results):
    fig = Figure(figsize=(7, 4.2))
    ax = fig.add_subplot()
    colors = iter(["C0", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8", "C9"] * 10)
    for (S, A, g), grp in results.groupby(["S", "A", "gamma"]):
        c = next(colors)
        real = runs(grp)
        ctl = runs(grp, mutant="bellman.discount-squared")
        kmax = 0
        for _, row in real.iterrows():
            ax.semilogy(row["err"] / row["e0"], color=c, lw=0.7, alpha=0.6)
            kmax = max(kmax, row["err"].size)
        for _, row in ctl.iterrows():
            ax.semilogy(row["err"] / row["e0"], color="0.6", lw=0.7, ls=":")
        k = np.arange(kmax)
        ax.semilogy(k, float(g) ** k, color=c, lw=2, ls="--", label=f"bound γ^k, {label(grp.iloc[0])}")
    ax.set_xlabel("iteration k")
    ax.set_ylabel("||V_k − V*||∞ / ||V_0 − V*||∞")
    ax.set_title("No paper figure (Puterman 1994, §6.3): value iteration contracts at rate γ (dashed: the bound "
                 "γ^k; dotted grey: the γ² mutant)", fontsize=8.5)
    ax.legend(fontsize=8, loc="lower left")
    return fig
