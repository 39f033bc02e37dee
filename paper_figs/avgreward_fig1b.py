"""Figure 1b of Wang, Blanchet & Glynn (2024, arXiv:2310.08833): error against ``t_minorize`` with
``n = C t_minorize`` samples per pair, ``C in {4500, 18000}``, log-log with fitted slopes and bootstrap bands.

The paper (as its reviewers describe it) reports a flat error, i.e. sample complexity linear in ``t_minorize``.
Ours: the two-state escape family with ``p`` from 0.2 to 0.0125 (``t_minorize`` 2.5 to 40), Algorithm 4.1 with
``eps = sqrt(K t / n)``, ``K = 500``, and the error ``|alpha_hat - alpha_bar|``. When the claim's control has been
run (``n = C sqrt(t_minorize)``, too few samples), its runs are drawn dashed in grey: their error grows. Dashed
in colour: the paper's statement (error flat in ``t_minorize`` at ``n ∝ t_minorize``), its level fitted.
"""
from __future__ import annotations

from matplotlib.figure import Figure

from . import runs
from ._avgreward_common import band, theory

FIGURE = "avgreward-fig1b"
EXPERIMENT = "avgreward-t-scaling"
CLAIMS = ["amdp-t-linear"]


def draw(results):
    fig = Figure(figsize=(6.5, 4.2))
    ax = fig.add_subplot()
    for C, color in ((4500, "C0"), (18000, "C2")):
        d = runs(results, schedule="linear", C=C)
        if len(d):
            band(ax, d["t"], d["err"], color, f"n = {C} t_minorize")
            theory(ax, d["t"], d["err"], 0.0, color, "theory: flat (n ∝ t_minorize; constant fitted)")
        ctl = runs(results, schedule="sqrt", C=C)
        if len(ctl):
            band(ax, ctl["t"], ctl["err"], "0.55", f"control n = {C} √t_minorize")
    ticks = sorted(set(runs(results)["t"].round(6))) if len(results) else []
    ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
    ax.set_xticks([], minor=True)
    ax.set_xlabel("t_minorize")
    ax.set_ylabel("|α̂ − ᾱ|")
    ax.set_title("Regenerates Wang, Blanchet & Glynn (2024) Figure 1b: error at n = C·t_minorize stays flat",
                 fontsize=9)
    ax.legend(fontsize=8)
    return fig
