"""R2PVI Figure 2 (Tang, Liu & Xu, ICML 2025): training time (seconds) vs d (N = 1000) and vs N (d = 30) on the
American put option (H = 20).

The paper's figure (``figures/figure2(a).pdf``, ``figure2(b).pdf``; official Python on an i5-11300H, mean of 3
replications, no error bars): at N = 1000, d = 30 PEVI 0.80 s, R2PVI-TV 1.08, R2PVI-KL 1.04, DRPVI 1.70,
DRVI-L 1.64; at d = 120 DRPVI 16.7 s; at N = 10000 PEVI 8.2 s, R2PVI-TV 9.0, DRPVI 13.4, DRVI-L 15.0. Message:
the regularized learners cost about as much as PEVI, the constrained ones pay a 1-D search per coordinate and
scale worse in d.

Ours: the same grid (all three N and all three d), one Cholesky factorisation per stage, closed forms for
TV/KL, exact breakpoint maximisation for DRPVI and a grouped golden-section search for DRVI-L, timed in a
fresh process with one BLAS thread (``experiments/r2pvi_timing.py``); bars are means over the replications
with +-1 std error bars, log scale, the paper's bars as black ticks. Times are one to two orders of magnitude
smaller than the paper's, so the *ratios* are the comparable quantity (``benchmarks/r2pvi.py`` prints them).
The paper states no rate for these times, so no theory curve is drawn. Times depend on machine load.

Ours (full grid, 3 replications, measured on 2 cores at a load average of ~12, i.e. noisy; seconds): at
N = 1000, d = 30 PEVI 0.13, R2PVI-TV 0.057, R2PVI-KL 0.065, DRPVI 0.11, DRVI-L 0.27; at d = 120 PEVI 1.25,
TV 0.21, KL 0.25, DRPVI 0.26, DRVI-L 0.51; at N = 10000 PEVI 0.25, TV 0.21, KL 0.18, DRPVI 0.55, DRVI-L 0.59.
Ratios: DRPVI / R2PVI-TV 1.3-2.7 (paper 1.3-3.4), R2PVI-TV / PEVI 0.17-0.82 (paper 0.9-1.3): the constrained
learners still pay for their search, and here the regularized ones are cheaper than PEVI, whose Mahalanobis
bonus needs the full ``Lambda^-1`` at every (state, action) (the paper's PEVI shares the others' Python loops).
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from . import runs
from ._r2pvi_common import LABELS, PAPER_2, STYLES, caption, seeds

FIGURE = "r2pvi-fig2"
EXPERIMENT = "r2pvi-timing"
METHODS = ("pevi", "r2pvi-tv", "r2pvi-kl", "drpvi", "drvi-l")


def draw(results):
    real = runs(results)
    fig = Figure(figsize=(10.5, 4.4))
    panels = (("d", real[real["N"] == 1000], "(a) training time vs d, N = 1000", 1000),
              ("N", real[real["d"] == 30], "(b) training time vs N, d = 30", 30))
    n = 0
    for k, (key, sub, title, fixed) in enumerate(panels):
        ax = fig.add_subplot(1, 2, k + 1)
        xs = sorted(sub[key].unique())
        width = 0.8 / len(METHODS)
        for j, m in enumerate(METHODS):
            rows = sub[sub["method"] == m]
            g = rows.groupby(key)["train_seconds"]
            means = [g.mean().get(x, np.nan) for x in xs]
            stds = [g.std(ddof=0).get(x, np.nan) for x in xs]
            n = max(n, seeds(rows))
            pos = np.arange(len(xs)) + (j - 2) * width
            ax.bar(pos, means, width, yerr=stds, capsize=2, label=LABELS[m], color=STYLES[m]["color"],
                   error_kw={"lw": 0.8})
            paper = [PAPER_2.get((x, fixed) if key == "N" else (fixed, x), {}).get(m, np.nan) for x in xs]
            ax.plot(pos, paper, ls="none", marker="_", ms=9, mew=2, color="k",
                    label="paper's Fig. 2" if j == 0 else None)
        ax.set_xticks(range(len(xs)), [str(x) for x in xs])
        ax.set_yscale("log")
        ax.set_xlabel(key)
        ax.set_ylabel("training time (s)")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=7, ncol=2)
    fig.suptitle("Regenerates Tang, Liu & Xu (ICML 2025) Figure 2: training time on the American put option (H = 20)",
                 fontsize=10)
    caption(fig, f"Bars: mean training time (backward induction only, best of 3 in a fresh one-BLAS-thread process) "
                 f"over {n} replications; error bars: ±1 standard deviation over those replications. Black ticks: "
                 "the paper's Figure 2 (figures/figure2(a).pdf, figure2(b).pdf).")
    fig.tight_layout()
    return fig
