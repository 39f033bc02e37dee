"""Performance-difference and simulation identities: both sides, and the residual vs its tolerance.

Kakade & Langford (2002, Lemma 6.1) and the simulation lemma are exact identities; there is no
paper figure. Left: the two sides of each identity on random instances lie on the diagonal. Right:
|lhs - rhs| for the real computation (blue) against the tolerance propagated from the solvers'
certificates (red line, y = x), and for the identities' registered mutants (wrong occupancy, wrong
resolvent; grey, when their runs are stored, e.g. after ``verify --power``), which sit many orders of
magnitude above it.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from . import runs

FIGURE = "planning-identities"
EXPERIMENT = "planning-identities"
CLAIMS = ["performance-difference", "simulation-lemma"]


def draw(results):
    fig = Figure(figsize=(9, 4))
    ax1, ax2 = fig.subplots(1, 2)
    real = runs(results)
    pdl_ctl = runs(results, mutant="identities.pdl-wrong-occupancy")
    sim_ctl = runs(results, mutant="identities.sim-wrong-resolvent")
    ax1.scatter(real["pdl_rhs"], real["pdl_lhs"], s=14, label="performance difference")
    sl = np.concatenate(list(real["sim_lhs"])) if len(real) else np.array([])
    sr = np.concatenate(list(real["sim_rhs"])) if len(real) else np.array([])
    ax1.scatter(sr, sl, s=6, alpha=0.5, label="simulation lemma (per state)")
    lim = [min(ax1.get_xlim()[0], ax1.get_ylim()[0]), max(ax1.get_xlim()[1], ax1.get_ylim()[1])]
    ax1.plot(lim, lim, color="k", lw=0.8)
    ax1.set_xlabel("right-hand side")
    ax1.set_ylabel("left-hand side")
    ax1.legend(fontsize=8)
    ax1.set_title("lhs = rhs")

    def pts(df, l, r, t):
        if len(df) == 0:
            return np.array([]), np.array([])
        if isinstance(df[l].iloc[0], np.ndarray):
            err = np.concatenate([np.abs(a - b) for a, b in zip(df[l], df[r])])
            tol = np.concatenate(list(df[t]))
        else:
            err, tol = np.abs(df[l] - df[r]).to_numpy(float), df[t].to_numpy(float)
        return tol, np.maximum(err, 1e-18)

    for df, l, r, t, lab, c in ((real, "pdl_lhs", "pdl_rhs", "pdl_tol", "PDL", "C0"),
                                (real, "sim_lhs", "sim_rhs", "sim_tol", "simulation", "C1"),
                                (pdl_ctl, "pdl_lhs", "pdl_rhs", "pdl_tol", "PDL control", "0.5"),
                                (sim_ctl, "sim_lhs", "sim_rhs", "sim_tol", "simulation control", "0.7")):
        x, y = pts(df, l, r, t)
        ax2.scatter(x, y, s=8, color=c, label=lab, marker="o" if "control" not in lab else "x")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    lo, hi = ax2.get_xlim()
    ax2.plot([lo, hi], [lo, hi], color="C3", lw=1.5, label="tolerance (bound)")
    ax2.set_xlabel("certified tolerance")
    ax2.set_ylabel("|lhs − rhs|")
    ax2.legend(fontsize=7)
    ax2.set_title("residual vs certified tolerance")
    fig.suptitle("No paper figure: the performance-difference lemma (Kakade & Langford 2002, Lemma 6.1) and the "
                 "simulation lemma, checked exactly", fontsize=9)
    fig.tight_layout()
    return fig
