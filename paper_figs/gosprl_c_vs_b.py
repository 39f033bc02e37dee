"""Collection time ``C`` against the total requirement ``B`` (log-log, seed bands) with the main theorem's terms
overlaid: ``B D`` (the per-sample cost; ``B (D + 1)`` counting the sampling step) and ``B D + D^{3/2} S^2 A``
(Tarbouriech et al. 2021, constants and log factors hidden).

**Not the paper's figure**: the paper's experiments section was not available (spec section 2.5), so this is our
own figure of the claims ``gosprl-slope-in-B`` and ``gosprl-bound-ratio``. Panels: RiverSwim (uniform ``b = n``;
samples are mostly collected on the way, so ``C`` grows far more slowly than ``B D``) and the reset chain (``b`` on
``(L, reset)`` only: every sample costs ``D + 1`` steps, and ``C`` runs parallel to ``B (D + 1)`` above it by the
exploration overhead). Grey: the goal-blind random walk (the claims' control) where it has been run.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ._gosprl_common import by_agent, mean_band, x_ticks

FIGURE = "gosprl-c-vs-b"
EXPERIMENT = "gosprl-rate"
CLAIMS = ["gosprl-slope-in-B", "gosprl-bound-ratio"]


def draw(results):
    real, rw = by_agent(results), by_agent(results, "random-walk")
    keys = sorted({(e, int(k)) for e, k in zip(real["env"], real["size"])
                   if (real[(real["env"] == e) & (real["size"] == k)]["n"].nunique() >= 2)})
    fig = Figure(figsize=(4.0 * max(1, len(keys)), 3.8))
    for i, (env, size) in enumerate(keys):
        ax = fig.add_subplot(1, max(1, len(keys)), i + 1)
        d = real[(real["env"] == env) & (real["size"] == size)]
        mean_band(ax, d["B"], d["C"], "C0", "GOSPRL")
        c = rw[(rw["env"] == env) & (rw["size"] == size)]
        if len(c):
            mean_band(ax, c["B"], c["C"], "0.55", "random walk (control)", marker="s--")
        B = np.unique(d["B"].to_numpy(float))
        D, S, A = float(d["D"].iloc[0]), float(d["S"].iloc[0]), float(d["A"].iloc[0])
        ax.loglog(B, B * (D + 1), ":", color="C3", label="B (D + 1)")
        ax.loglog(B, B * D + D ** 1.5 * S * S * A, "--", color="C2", label="B D + D^1.5 S² A")
        x_ticks(ax, B)
        ax.set_xlabel("total requirement B")
        ax.set_ylabel("collection time C")
        ax.set_title(f"{env} {'L' if env == 'reset' else 'S' if env != 'grid' else 'k'} = {size} (D = {D:.3g})",
                     fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle("No paper figure (Tarbouriech et al. 2021's experiments were not available): collection time C "
                 "vs total requirement B", fontsize=9)
    fig.tight_layout()
    return fig
