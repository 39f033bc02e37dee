"""R2PVI Figure 1(c): DRPVI over rho vs R2PVI-TV over lam (linspace(0, 1, 10)) at a large shift (q = 0.9).

Paper: DRPVI rises with rho (~0.77 -> 1.03) while R2PVI-TV falls with lam (~1.07 -> 0.76): rho and lam act
inversely (the TV constrained value is the Legendre-type transform of the regularized one,
``Cons(rho) = sup_lam Reg(lam) - lam rho``, spec 1.4).

Ours: value of the learned policy at q = 0.9 (exact), mean +- std over 20 datasets; left paper-faithful,
right official options. The paper's notebook shares one random stream between agents and is not exactly
reproducible (spec 2.6); ours gives every dataset its own stream, the same for both learners.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ._r2pvi_common import versions

FIGURE = "r2pvi-fig1c"
EXPERIMENT = "r2pvi-linear-sim"


def draw(results):
    res = results[results["fig"] == "1c"]
    vs = versions(res)
    fig = Figure(figsize=(5.2 * len(vs), 4))
    for k, (version, sub) in enumerate(vs):
        ax = fig.add_subplot(1, len(vs), k + 1)
        for j, (method, key, label) in enumerate((("drpvi", "rho", "DRPVI (x = ρ)"),
                                                  ("r2pvi-tv", "lam", "R2PVI-TV (x = λ)"))):
            rows = sub[sub["method"] == method]
            if not len(rows):
                continue
            g = rows.groupby(key)["value_q09"]
            x = np.array(sorted(g.groups))
            m, s = g.mean().loc[x].to_numpy(), g.std(ddof=0).loc[x].to_numpy()
            ax.plot(x, m, marker="o", ms=3, color=f"C{j}", label=label)
            ax.fill_between(x, m - s, m + s, color=f"C{j}", alpha=0.15, lw=0)
        ax.set_title(f"{version} options", fontsize=9)
        ax.set_xlabel("ρ (DRPVI) or λ (R2PVI-TV)")
        ax.set_ylabel("average return at q = 0.9 (exact)")
        ax.legend(fontsize=8)
    fig.suptitle("R2PVI Fig. 1(c): robustness parameter at a large shift", fontsize=10)
    fig.tight_layout()
    return fig
