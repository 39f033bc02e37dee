"""R2PVI Figure 1(d) (Tang, Liu & Xu, ICML 2025): American put option, average return vs price-up probability p.

The paper's figure (``figures/figure1(d).pdf``; the official option code's output, spec 2.6): PEVI vs R2PVI-TV
(lam in {1, 3, 5}) vs DRPVI (rho in {0.2, 0.1, 0.025}, dashed); each R2PVI curve lies almost on a DRPVI curve
(matched pairs lam = 1 <-> rho = 0.2, 3 <-> 0.1, 5 <-> 0.025) and smaller lam / larger rho give flatter curves:
PEVI 6.279 -> 0, R2PVI-TV lam=1 1.407 -> 0.553, lam=3 3.798 -> 0, lam=5 4.769 -> 0, DRPVI rho=0.2
1.493 -> 0.553, rho=0.1 3.852 -> 0, rho=0.025 4.960 -> 0 (p = 0.2 -> 1).

Ours (full grid, the paper's 3 replications; p = 0.2 -> 1), right panel (official options, the official
streams and test protocol, :mod:`experiments.r2pvi_streams`): **the paper's figure exactly** (to the ~1e-6 its
PDF stores; ``tests/test_r2pvi_official.py``): PEVI 6.279 -> 0, R2PVI-TV lam=1 1.407 -> 0.553, lam=3
3.798 -> 0, lam=5 4.769 -> 0, DRPVI rho=0.2 1.493 -> 0.553, rho=0.1 3.852 -> 0, rho=0.025 4.960 -> 0 (DRPVI
through the official Nelder-Mead, ``alpha_solver="nelder-mead"``). Exact expected returns of the same
policies differ from the test score by up to 0.38 (at p = 0.6; the test score reuses one set of 100 paths
for every replication): PEVI 6.211 -> 0, TV lam=1 1.362 -> 0.553, DRPVI rho=0.2 1.477 -> 0.553.

Left panel (paper-faithful: l1 bonus, no clip since payoffs exceed 1, TV threshold min over *all* states,
DRPVI exact; exact expected returns): PEVI 6.211 -> 0 (PEVI has no official option here), R2PVI-TV lam=1
0.830 flat (immediate exercise: with the exercised state's value 0 the threshold is lam itself, every
continuation is truncated at 1 and the payoff wins), lam=3 2.823 -> 0, lam=5 4.245 -> 0, DRPVI rho=0.2
1.482 -> 0.553, rho=0.1 3.782 -> 0, rho=0.025 5.085 -> 0. The matched R2PVI/DRPVI pairs of the paper hold only
with the official dataset-min threshold; with the paper's definition small lam is far more pessimistic.
"""
from __future__ import annotations

from matplotlib.figure import Figure

from experiments.r2pvi_option import METHODS, PS

from . import runs
from ._r2pvi_common import (LABELS, MEASURES, PAPER_1D, TITLES, band, caption, coincidence_note, finish_panel,
                            published, seeds, stack, versions)

FIGURE = "r2pvi-fig1d"
EXPERIMENT = "r2pvi-american-put"
#: One colour per matched pair (R2PVI-TV lam <-> DRPVI rho), so that a pair that coincides reads as one curve.
PAIR_COLOR = {("pevi", None): "0.35", ("r2pvi-tv", 1.0): "C0", ("drpvi", 0.2): "C0", ("r2pvi-tv", 3.0): "C1",
              ("drpvi", 0.1): "C1", ("r2pvi-tv", 5.0): "C2", ("drpvi", 0.025): "C2"}


def _label(method, param):
    return LABELS[method] + ("" if param is None else f" {'ρ' if method == 'drpvi' else 'λ'}={param:g}")


def draw(results):
    vs = versions(runs(results))
    fig = Figure(figsize=(5.8 * len(vs), 4.6))
    n, notes = 0, {}
    for k, (version, sub) in enumerate(vs):
        ax = fig.add_subplot(1, len(vs), k + 1)
        column, measure = MEASURES[version]
        means = {}
        for j, (method, param) in enumerate(METHODS):
            rows = sub[(sub["method"] == method) & ((sub["param"] == param) if param is not None
                                                    else sub["param"].isna())]
            if not len(rows):
                continue
            ls = "--" if method == "drpvi" else "-"
            marker = {"pevi": "D", "r2pvi-tv": "o", "drpvi": "s"}[method]
            color = PAIR_COLOR.get((method, param), f"C{j + 3}")
            means[_label(method, param)] = band(ax, PS, stack(rows, column), _label(method, param), ls=ls,
                                                marker=marker, color=color)
            n = max(n, seeds(rows))
            if version == "official":
                published(ax, PS, PAPER_1D[(method, param)], color, "paper's Fig. 1(d)" if j == 0 else None,
                          marker="+")
        refs = {_label(m, p): PAPER_1D[(m, p)] for m, p in METHODS} if version == "official" else None
        notes[TITLES[version]] = coincidence_note(means, refs, reference="the paper's Figure 1(d)")
        finish_panel(ax, f"{TITLES[version]}: {measure}", "price-up probability p")
        ax.legend(fontsize=6.5, ncol=2)
    fig.suptitle("Regenerates Tang, Liu & Xu (ICML 2025) Figure 1(d): American put option, N = 100, d = 30, "
                 "H = 20", fontsize=10)
    caption(fig, f"Lines: mean over {n} replications (the paper's: training s0 from seeds 0..{max(n - 1, 0)}, the "
                 "price paths and the test stream from seed 1 in every replication, spec 2.7 item 8); one colour per "
                 "matched pair R2PVI-TV λ (solid) / DRPVI ρ (dashed); bands: ±1 standard deviation over those "
                 "replications (the paper draws none). Right: + = the paper's Figure 1(d) (figures/figure1(d).pdf).",
            notes)
    fig.tight_layout()
    return fig
