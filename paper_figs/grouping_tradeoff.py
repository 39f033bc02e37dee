"""Action grouping: Algorithm 1's loss against the number of groups for several budgets, and the bound's three terms.

The paper (Li, Ju & Shroff, ICLR 2024, arXiv:2306.12981) reports "toy" experiments showing that a finer grouping
lowers the approximation error but raises the estimation error under limited samples or computation, so the loss is
smallest at an intermediate number of groups; their figures, environments and budgets could not be read (only the
abstract and first page were available; the reviewers describe the experiments as toy tasks). There is no paper
figure to compare numbers with.

Ours (:mod:`experiments.grouping_tradeoff`): the hierarchical 64-action MDP (``S = 20``, ``gamma = 0.9``, Garnet
branching 4), groupings = dendrogram cuts ``G = 1 .. 64``, Bernoulli reward samples. Panels:

- (a) ``rho = 0.2``: ``||V* - V^{pi_hat}||_inf`` against ``G`` for sample budgets ``B_s = 1280 .. 128000`` (mean line,
  band = 10-90% of seeds), and the unlimited budget (the exact approximation error, black): U-shapes whose argmin
  (marked) moves right as the budget grows, reaching ``G = 64`` at large budgets;
- (b) ``rho = 0.05`` (full grid only): the same; the true 8-group structure keeps the argmin at ``G = 8`` longer;
- (c) the bound's three terms at ``B_s = 3840`` beside the measured loss and the exact approximation error (log
  scale): the derived bound (``bounds/grouping.py``) is 1-3 orders of magnitude above the loss -- the Weissman radius
  (``S ln 2`` inside the root) and the ``1 / (1 - gamma)^2`` factors -- but its terms move in the directions the
  paper describes: approximation down, estimation up with ``G``;
- (d) compute budgets ``B_c = S^2 64 m`` with exact lifted models (full grid only): the greedy policy of value
  iteration is optimal after 2-3 sweeps here, so the compute budget binds only at ``K = 1`` (``G = 64``, ``m = 1``),
  far earlier than ``Opt(K) = 2 gamma^K / (1 - gamma)^2`` suggests.
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from experiments.grouping_tradeoff import GS

from . import runs

FIGURE = "grouping-tradeoff"
EXPERIMENT = "grouping-tradeoff"
CLAIMS = ["grouping-tradeoff-u-shape"]
BOUND_BUDGET = 3840


def _stack(rows, key: str) -> np.ndarray:
    return np.stack([np.asarray(v, dtype=float) for v in rows[key]])


def _budget(df):
    return df["B_s"].astype(float).fillna(math.inf)


def _curves(ax, d, by: str, label, title: str) -> None:
    if not len(d):
        ax.text(0.5, 0.5, "not in this run set\n(full grid only)", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
        return
    keys = sorted(d[by].astype(float).fillna(math.inf).unique())
    cmap = [f"C{k}" for k in range(10)]
    for k, B in enumerate(keys):
        rows = d[d[by].astype(float).fillna(math.inf) == B]
        L = _stack(rows, "loss")
        m = np.nanmean(L, axis=0)
        color = "k" if not math.isfinite(B) else cmap[k % 10]
        ax.plot(GS, m, "-o", ms=3, color=color, label=label(B))
        if L.shape[0] > 1 and math.isfinite(B):
            lo, hi = np.nanpercentile(L, [10, 90], axis=0)
            ax.fill_between(GS, lo, hi, color=color, alpha=0.15, lw=0)
        if np.isfinite(m).any():
            j = int(np.nanargmin(m))
            ax.plot([GS[j]], [m[j]], marker="v", ms=8, color=color, mfc="none")
    ax.set_xscale("log", base=2)
    ax.set_xticks(GS, [str(g) for g in GS])
    ax.set_xlabel("number of groups G (dendrogram cut)")
    ax.set_ylabel("||V* − V^π̂||∞ (exact)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)


def draw(results):
    real = runs(results)
    samples = real[real["B_c"].isna()] if "B_c" in real.columns else real
    fig = Figure(figsize=(11, 8))
    axes = [fig.add_subplot(2, 2, k + 1) for k in range(4)]
    lab = lambda B: "unlimited (approximation error)" if not math.isfinite(B) else f"B_s = {B:,.0f}"  # noqa: E731
    _curves(axes[0], samples[samples["rho"] == 0.2], "B_s", lab, "(a) ρ = 0.2: loss vs G at fixed sample budgets")
    _curves(axes[1], samples[samples["rho"] == 0.05], "B_s", lab, "(b) ρ = 0.05")
    ax = axes[2]
    d = samples[(samples["rho"] == 0.2) & (_budget(samples) == BOUND_BUDGET)]
    if len(d):
        terms = {"approximation bound": "approx_bound", "estimation bound": "est_bound",
                 "optimisation bound": "opt_bound"}
        total = sum(_stack(d, k).mean(axis=0) for k in terms.values())
        for (name, key), color in zip(terms.items(), ("C0", "C2", "C4")):
            ax.plot(GS, np.maximum(_stack(d, key).mean(axis=0), 1e-8), "--", color=color, label=name)
        ax.plot(GS, total, "-", color="grey", label="bound (sum)")
        ax.plot(GS, _stack(d, "approx_exact").mean(axis=0), "k:", label="exact approximation error")
        ax.plot(GS, np.nanmean(_stack(d, "loss"), axis=0), "-o", ms=3, color="C3", label="measured loss")
        ax.axhline(1.0 / (1.0 - 0.9), color="r", lw=0.8, label="1/(1−γ): trivial range")
        ax.set_yscale("log")
        ax.set_ylim(1e-3, None)
        ax.set_xscale("log", base=2)
        ax.set_xticks(GS, [str(g) for g in GS])
        ax.set_xlabel("number of groups G (optimisation bound ~1e-6: below the axis)")
        ax.legend(fontsize=7)
    ax.set_title(f"(c) the bound's terms at B_s = {BOUND_BUDGET} (ρ = 0.2, δ = 0.05)", fontsize=9)
    compute = real[real["B_c"].notna()] if "B_c" in real.columns else real.iloc[:0]
    _curves(axes[3], compute, "B_c", lambda B: f"B_c = S²·64·{B / (20 * 20 * 64):g} (exact models)",
            "(d) ρ = 0.2: loss vs G at fixed compute budgets")
    fig.suptitle("No paper figure to regenerate (Li, Ju & Shroff 2024: figures not available): action grouping on a "
                 "hierarchical MDP, S = 20, A = 64, γ = 0.9", fontsize=10)
    fig.tight_layout()
    return fig
