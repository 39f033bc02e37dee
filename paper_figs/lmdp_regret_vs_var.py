r"""Variance dependence: regret after ``K`` episodes against ``Var*`` (Zhou, Wang & Du, ICML 2023).

**The paper has no figure and no experiments**; this one is ours (experiment ``lmdp-variance``): deterministic
LMDPs (``Var* = 0``) mixed with a growing fraction of Garnet noise, one instance per seed, the Bernstein
learner. Left: every run's final regret against its exact ``Var*`` (:func:`solvers.latent.var_star`), the
per-noise-level means with +-1 std bars, and the bound's shape ``c sqrt(Var* M Gamma S A K)`` (dashed, ``c`` the
smallest constant above every run). Right: the regret curves per noise level against ``K`` (log-log, mean
+-1 std): flat for ``Var* = 0``, growing for ``Var* > 0``.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from bounds.lmdp import REGRET_UPPER

from . import runs
from ._lmdp_common import mean_band

FIGURE = "lmdp-regret-vs-var"
EXPERIMENT = "lmdp-variance"
CLAIMS = ["lmdp-variance"]


def draw(results):
    real = runs(results, agent="lmdp")
    fig = Figure(figsize=(12, 4.4))
    left, right = fig.subplots(1, 2)
    colors = {z: f"C{i}" for i, z in enumerate(sorted(real["noise"].unique()))}
    for z, grp in real.groupby("noise"):
        v, reg = grp["var_star"].to_numpy(float), grp["final_regret"].to_numpy(float)
        left.plot(v, reg, "o", color=colors[z], ms=4, alpha=0.6)
        left.errorbar([v.mean()], [reg.mean()], xerr=[v.std()], yerr=[reg.std()], fmt="s", color=colors[z], ms=7,
                      capsize=3, label=f"noise {z:g} ({len(grp)} seeds)")
        grp = grp[grp["K"] == grp["K"].max()]
        mean_band(right, grp["t"].iloc[0], np.vstack(list(grp["regret"])), colors[z], f"noise {z:g}")
    if len(real):
        r = real.iloc[0]
        bound = REGRET_UPPER.evaluate(Var_star=real["var_star"].to_numpy(float), M=r["M"], Gamma=real["Gamma"].to_numpy(float),
                                      S=r["S"], A=r["A"], K=real["K"].to_numpy(float))
        pos = real["var_star"].to_numpy(float) > 1e-12       # Var* = 0 up to rounding: no leading term
        if pos.any():
            c = float(np.max(real["final_regret"].to_numpy(float)[pos] / bound[pos]))
            grid = np.linspace(0.0, float(real["var_star"].max()) * 1.05, 100)
            shape = REGRET_UPPER.evaluate(Var_star=grid, M=r["M"], Gamma=int(real["Gamma"].max()), S=r["S"], A=r["A"],
                                          K=float(real["K"].max()))
            left.plot(grid, c * shape, "k--", lw=1, label=f"c·sqrt(Var* M Γ S A K), c = {c:.3g}")
    left.set_xlabel("Var* (exact)")
    left.set_ylabel("regret after K episodes")
    left.legend(fontsize=7)
    right.set_xscale("log")
    right.set_yscale("log")
    right.set_xlabel("episode K")
    right.set_ylabel("cumulative expected regret")
    right.legend(fontsize=7)
    fig.suptitle("No paper figure (Zhou, Wang & Du 2023 has none; instances ours): regret vs Var*", fontsize=10)
    return fig
