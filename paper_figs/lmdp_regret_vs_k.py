r"""Regret against the number of episodes ``K`` for the latent-MDP learner (Zhou, Wang & Du, ICML 2023).

**The paper has no figure and no experiments** (it is theoretical); this figure and its instances are ours.
One panel per instance of the ``lmdp-regret`` experiment (a misleading, a random and a hidden-arm LMDP):
the exact expected cumulative regret of the value-optimistic and the model-optimistic solvers, mean with a
+-1 std band over seeds, log-log axes, with the bound's shape ``c sqrt(Var* M Gamma S A K)`` overlaid (dashed;
``c`` is the smallest constant that puts the shape above the mean curve of the value-optimistic solver;
where ``Var* = 0``, the deterministic misleading instance, the leading term vanishes and the dashed line is
the ``sqrt(K)`` reference). Expected picture: both solvers' curves bend below the ``sqrt(K)`` shape (the
``lmdp-regret-rate`` claim checks the late slope <= 0.6).
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from bounds.lmdp import REGRET_UPPER

from . import runs
from ._lmdp_common import mean_band

FIGURE = "lmdp-regret-vs-k"
EXPERIMENT = "lmdp-regret"
CLAIMS = ["lmdp-regret-rate", "lmdp-optimism"]
COLORS = {"value": "C0", "model": "C3"}
INSTANCES = ("misleading", "random", "hidden")


def draw(results):
    real = runs(results, agent="lmdp")
    fig = Figure(figsize=(13, 4.2))
    axes = fig.subplots(1, len(INSTANCES))
    for ax, inst in zip(axes, INSTANCES):
        d = real[real["instance"] == inst]
        ref = None
        for solver, grp in d.groupby("solver"):
            grp = grp[grp["K"] == grp["K"].max()]
            t = grp["t"].iloc[0]
            m = mean_band(ax, t, np.vstack(list(grp["regret"])), COLORS[solver], f"{solver}-optimistic")
            if solver == "value" or ref is None:
                ref = (t, m, grp.iloc[0])
        if ref is not None:
            t, m, r = ref
            shape = REGRET_UPPER.evaluate(Var_star=r["var_star"], M=r["M"], Gamma=r["Gamma"], S=r["S"], A=r["A"], K=t)
            label = "c·sqrt(Var* M Γ S A K)"
            if not np.all(shape > 0):
                shape, label = np.sqrt(t), "c·sqrt(K) (Var* = 0)"
            c = float(np.max(m / shape))
            ax.plot(t, c * shape, "k--", lw=1, label=f"{label}, c = {c:.3g}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("episode K")
        ax.set_title(inst, fontsize=10)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("cumulative expected regret")
    fig.suptitle("No paper figure (Zhou, Wang & Du 2023 has none; instances ours): latent MDPs, regret vs K "
                 "(mean ± 1 std over seeds)",
                 fontsize=10)
    return fig
