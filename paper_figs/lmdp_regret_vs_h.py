r"""The horizon-free picture: regret after ``K`` episodes against the horizon ``H`` (Zhou, Wang & Du, ICML 2023).

**The paper has no figure and no experiments**; this one is ours (experiment ``lmdp-horizon``): one random LMDP
per seed with per-step rewards divided by ``H`` (total reward at most 1), ``H = 2..6``, the Bernstein learner
against the same learner with the pre-horizon-free Hoeffding bonus ``c_h H sqrt(iota / n)``; mean with +-1 std
over seeds. Overlaid (dashed): the horizon-free bound's shape ``c sqrt(Var* M Gamma S A K)`` (no ``H``, ``Var*``
of each horizon's instance) anchored at ``H = 2`` of the Bernstein learner, and the rescaled
``sqrt(M S^2 A H K)`` of Kwon et al. (2021) anchored at ``H = 2`` of the Hoeffding learner. Expected picture:
the Bernstein curve stays flat like the first, the Hoeffding curve climbs (faster than ``sqrt(H)``).
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from bounds.lmdp import REGRET_KWON, REGRET_UPPER

from . import runs
from ._lmdp_common import mean_band

FIGURE = "lmdp-regret-vs-h"
EXPERIMENT = "lmdp-horizon"
CLAIMS = ["lmdp-horizon-free"]


def draw(results):
    fig = Figure(figsize=(6.8, 4.4))
    ax = fig.add_subplot()
    real = runs(results)
    for agent, color, label in (("lmdp", "C0", "Bernstein (horizon-free)"), ("hoeffding", "C1", "Hoeffding c_h H sqrt(ι/n)")):
        d = real[real["agent"] == agent]
        if not len(d):
            continue
        table = d.pivot_table(index="seed", columns="H", values="final_regret")
        H = table.columns.to_numpy(float)
        m = mean_band(ax, H, table.to_numpy(float), color, label)
        r = d.iloc[0]
        if agent == "lmdp":
            var = d.groupby("H")["var_star"].mean().reindex(H).to_numpy(float)
            shape = REGRET_UPPER.evaluate(Var_star=var, M=r["M"], Gamma=r["Gamma"], S=r["S"], A=r["A"], K=r["K"])
            ax.plot(H, m[0] * shape / shape[0], "--", color=color, lw=1, label="sqrt(Var* M Γ S A K) shape (no H)")
        else:
            shape = REGRET_KWON.evaluate(M=r["M"], S=r["S"], A=r["A"], H=H, K=r["K"])
            ax.plot(H, m[0] * shape / shape[0], "--", color=color, lw=1, label="Kwon et al. sqrt(M S² A H K) shape")
    ax.set_xlabel("horizon H (total reward of an episode ≤ 1)")
    ax.set_ylabel(f"regret after K = {int(real['K'].max()) if len(real) else 0} episodes")
    ax.set_title("No paper figure (Zhou, Wang & Du 2023 has none; instances ours): horizon-free regret", fontsize=10)
    ax.legend(fontsize=7)
    return fig
