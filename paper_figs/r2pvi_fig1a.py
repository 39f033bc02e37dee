"""R2PVI Figure 1(a) (Tang, Liu & Xu, ICML 2025): average return vs perturbation q on the simulated linear MDP
(lam = 0.1, ||xi||_1 = 0.2, K = 100, the paper's 20 replications), with DRPVI added.

The paper's figure (read off ``figures/figure1(a).pdf`` of the official repository): PEVI 1.546 -> 0.748,
R2PVI-TV 1.391 -> 1.005, R2PVI-KL 1.397 -> 1.000, R2PVI-chi2 1.350 -> 1.084 (q = 0 -> 1): PEVI best without shift
and worst under a large one, the R2PVI variants lose a little at q = 0 and degrade slowly, crossing near
q ~ 0.3. That figure has no DRPVI curve; the issue asks for it here, with the official ``main.py`` radius table
(rho = 0.1 on the goal factor at step 1). The official ``main.py`` (its committed ``result__0.1.pdf``) gives
slightly different KL/chi2 curves than the paper's figure (an earlier notebook): KL 1.480 -> 0.845,
chi2 1.3255 -> 1.1195.

Ours (full grid, 20 replications; q = 0 -> 1), right panel (official-code options,
:data:`solvers.offline.OFFICIAL_CODE`, the official streams and test protocol): **the official main.py curves
exactly** (to the 1e-6 the PDF stores; ``tests/test_r2pvi_official.py``): PEVI 1.54225 -> 0.73425, TV
1.40025 -> 0.99425, KL 1.48025 -> 0.84525, chi2 1.3255 -> 1.1195; DRPVI 1.536 -> 0.747. Against the paper's
figure (max over q): PEVI 0.026, TV 0.018, chi2 0.035, KL 0.155 (at q = 1; the figure's earlier notebook).
The flat chi-square curve needs both official slips: the dual *minimised* (spec 2.7 item 4) and the
Nelder-Mead search from H/2 (``alpha_solver="nelder-mead"``); with the exact minimum the weights move by up to
1.01 (``docs/offline.md``). Exact expected returns of the same policies: PEVI 1.554 -> 0.744, TV
1.400 -> 1.000, KL 1.486 -> 0.856, chi2 1.325 -> 1.125, DRPVI 1.542 -> 0.762.

Left panel (paper-faithful options: l1 bonus, min over all states, chi-square dual maximised exactly, Q
clipped to [0, H-h]; exact expected returns): PEVI 1.554 -> 0.744, R2PVI-TV 1.325 -> 1.125, R2PVI-KL
1.445 -> 0.925, R2PVI-chi2 1.505 -> 0.825, DRPVI 1.520 -> 0.800 (the paper's test score: TV 1.3255 -> 1.1195,
KL 1.444 -> 0.907, chi2 1.501 -> 0.807, DRPVI 1.517 -> 0.780). The ordering changes: with the paper's
definitions R2PVI-TV is the robust one (the same policies, hence the same numbers, as the official chi-square),
and the correctly *maximised* chi-square dual is much less robust at lam = 0.1 (it can only re-weight inside
each factor's support and factor 4 at x1 is a Dirac; spec 2.5(a)): the paper's most robust-looking chi-square
curve is an artefact of the minimisation. DRPVI with a radius only on step 1's goal factor stays close to PEVI
in both versions.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from experiments.r2pvi_linear_sim import QS

from . import runs
from ._r2pvi_common import (LABELS, MEASURES, OFFICIAL_1A, PAPER_1A, STYLES, TITLES, band, coincidence_note,
                            finish_panel, linear_caption, published, seeds, stack, versions)

FIGURE = "r2pvi-fig1a"
EXPERIMENT = "r2pvi-linear-sim"
CLAIMS = ["r2pvi-official-reference"]
METHODS = ("pevi", "r2pvi-tv", "r2pvi-kl", "r2pvi-chi2", "drpvi")


def draw(results):
    res = runs(results, fig="1a")
    vs = versions(res)
    fig = Figure(figsize=(5.6 * len(vs), 4.4))
    n, notes = 0, {}
    for k, (version, sub) in enumerate(vs):
        ax = fig.add_subplot(1, len(vs), k + 1)
        column, measure = MEASURES[version]
        means = {}
        for method in METHODS:
            rows = sub[sub["method"] == method]
            if len(rows):
                means[LABELS[method]] = band(ax, QS, stack(rows, column), LABELS[method], **STYLES[method])
                n = max(n, seeds(rows))
            if version == "official" and method in PAPER_1A:
                published(ax, QS, PAPER_1A[method], STYLES[method]["color"],
                          "paper's Fig. 1(a)" if method == "pevi" else None)
                published(ax, QS, OFFICIAL_1A[method], STYLES[method]["color"],
                          "official main.py output" if method == "pevi" else None, marker="+")
        refs = {LABELS[m]: OFFICIAL_1A[m] for m in OFFICIAL_1A} if version == "official" else None
        notes[TITLES[version]] = coincidence_note(means, refs, reference="the official main.py output (+)")
        finish_panel(ax, f"{TITLES[version]}: {measure}", "perturbation q")
    fig.suptitle("Regenerates Tang, Liu & Xu (ICML 2025) Figure 1(a): simulated linear MDP, λ = 0.1, K = 100",
                 fontsize=10)
    linear_caption(fig, n, "dotted = the paper's Figure 1(a) (figures/figure1(a).pdf; no DRPVI curve there), + = "
                           "the official main.py output (result__0.1.pdf). DRPVI: ρ = 0.1 on step 1's goal factor "
                           "(main.py's table).", notes)
    fig.tight_layout()
    return fig
