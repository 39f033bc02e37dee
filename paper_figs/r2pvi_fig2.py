"""R2PVI Figure 2: training time (seconds) vs d (N = 1000) and vs N (d = 30) on the American put option.

Paper (official Python, i5-11300H): PEVI 0.80 s, R2PVI-TV 1.08, R2PVI-KL 1.04, DRPVI 1.70, DRVI-L 1.64 at
N = 1000, d = 30, up to 16.7 s (DRPVI, d = 120): the regularized learners cost about as much as PEVI, the
constrained ones pay a 1-D search per coordinate and scale worse in d.

Ours: the same grid with one Cholesky factorisation per stage, closed forms for TV/KL, exact breakpoint
maximisation for DRPVI and a grouped (distinct next-value) golden-section search for DRVI-L; times are
one to two orders of magnitude smaller, so the *ratios* are the comparable quantity (see
``benchmarks/r2pvi.py``, which prints them with one BLAS thread). Times depend on machine load.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ._r2pvi_common import LABELS

FIGURE = "r2pvi-fig2"
EXPERIMENT = "r2pvi-timing"
METHODS = ("pevi", "r2pvi-tv", "r2pvi-kl", "drpvi", "drvi-l")


def draw(results):
    fig = Figure(figsize=(10, 4))
    panels = (("d", results[results["N"] == 1000], "(a) N = 1000"), ("N", results[results["d"] == 30], "(b) d = 30"))
    for k, (key, sub, title) in enumerate(panels):
        ax = fig.add_subplot(1, 2, k + 1)
        xs = sorted(sub[key].unique())
        width = 0.8 / len(METHODS)
        for j, m in enumerate(METHODS):
            rows = sub[sub["method"] == m]
            means = [rows[rows[key] == x]["train_seconds"].mean() for x in xs]
            ax.bar(np.arange(len(xs)) + (j - 2) * width, means, width, label=LABELS[m], color=f"C{j}")
        ax.set_xticks(range(len(xs)), [str(x) for x in xs])
        ax.set_xlabel(key)
        ax.set_ylabel("training time (s)")
        ax.set_title(title, fontsize=9)
        ax.legend(fontsize=8)
    fig.suptitle("R2PVI Fig. 2: training time on the American put option (H = 20)", fontsize=10)
    fig.tight_layout()
    return fig
