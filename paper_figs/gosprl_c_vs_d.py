"""Collection time ``C`` against the diameter ``D`` on reset chains of growing length ``L = D`` at a fixed
requirement ``b`` on ``(L, reset)`` (log-log, seed bands), with the exact lower bound ``b (L + 1)`` and the main
theorem's expression ``B D + D^{3/2} S^2 A`` (``S = L + 1``, ``A = 2``; constants hidden).

**Not the paper's figure** (its experiments were not available, spec section 2.5): our figure of the claims
``gosprl-bound-ratio`` and ``gosprl-reset-chain``. GOSPRL's excess over ``b (L + 1)`` is its exploration of the resets
(optimism about never- or rarely-tried pairs), which grows polynomially in ``L``; the goal-blind random walk (grey,
the claims' control, when run) needs about ``2^(L+1)`` steps per sample and leaves the bound's shape.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ._gosprl_common import by_agent, mean_band, x_ticks

FIGURE = "gosprl-c-vs-d"
EXPERIMENT = "gosprl-rate"
CLAIMS = ["gosprl-bound-ratio", "gosprl-reset-chain"]


def draw(results):
    fig = Figure(figsize=(6.0, 4.2))
    ax = fig.add_subplot()
    real, rw = by_agent(results), by_agent(results, "random-walk")
    chains = real[real["env"] == "reset"]
    if len(chains):
        n = chains.groupby("n")["size"].nunique().idxmax()
        d = chains[chains["n"] == n]
        mean_band(ax, d["D"], d["C"], "C0", f"GOSPRL, b = {n}")
        c = rw[(rw["env"] == "reset") & (rw["n"] == n)]
        if len(c):
            mean_band(ax, c["D"], c["C"], "0.55", "random walk (control)", marker="s--")
        L = np.unique(d["D"].to_numpy(float))
        ax.loglog(L, n * (L + 1), ":", color="C3", label="lower bound b (L + 1)")
        ax.loglog(L, n * L + L ** 1.5 * (L + 1) ** 2 * 2, "--", color="C2", label="B D + D^1.5 S² A")
        x_ticks(ax, L)
    ax.set_xlabel("diameter D = L")
    ax.set_ylabel("collection time C")
    ax.set_title("No paper figure (Tarbouriech et al. 2021's experiments were not available): reset chains, C "
                 "against D at a fixed requirement", fontsize=8)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
