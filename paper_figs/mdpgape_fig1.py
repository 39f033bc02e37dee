r"""Oracle calls of MDP-GapE against ``1 / (Delta v eps)`` (Jonsson et al. 2020, Figure 1; project page
``assets/images/budget.png``).

What the paper shows (spec section 3.5, read off the published image [D]): one translucent dot per run (200
Garnets per ``eps``, ``S = 100,000``, ``K = 5``, ``B = 2``, ``gamma = 0.7``, thresholds ``log(1/delta) + log n``,
``delta = 0.1``), budget ``n`` (log) against ``1/(Delta v eps)`` (log) with ``Delta`` the root gap of the 9-step
truncated ``Q``; clusters at ``1/(Delta v eps) in {1, 1.5, 2, 3, 5}``; budgets about ``2e3 - 3.5e4`` at ``x = 1``,
``1.5e4 - 2e5`` at ``x = 2`` and ``4e5 - 2.2e6`` at ``x = 5``; a dashed line from about ``2e4`` (``x = 1``) to
``2.6e6`` (``x = 4.9``): log-log slope about 3, far below the worst-case exponent
``2 + log(BK)/log(1/gamma) = 8.46``. The text reports no run with a simple regret above ``eps``.

Ours (``experiments/mdpgape_confidence.py``): the same protocol; dots = runs; dashed = least-squares line through
the per-``eps`` maximal budgets (the official script's regression); dotted = the worst-case slope 8.46 from the same
anchor; grey crosses = the gap-dependent bound's leading term ``H^3 log(3 (BK)^H / delta) sum_a 1/max(Delta_a, eps)^2``
per run, scaled by the smallest constant that puts it above every run (the constant is hidden).

How ours compares (measured: the full protocol, ``S = 100,000``, five ``eps``, 40 of the paper's 200 Garnets per
``eps``, ``mdptheory run mdpgape-confidence --seeds 2``): budgets (5%-95%, median) ``1.4e3 - 7.4e3`` (4.2e3) at
``eps = 1`` (paper ``2e3 - 3.5e4``), ``5.1e3 - 3.1e4`` (1.6e4) at 2/3, ``1.2e4 - 8.2e4`` (3.8e4) at 1/2 (paper
``1.5e4 - 2e5``), ``2.3e4 - 2.7e5`` (9.9e4) at 1/3 and ``4.1e4 - 9.0e5`` (2.5e5) at 1/5 (paper ``4e5 - 2.2e6``: our
largest cluster sits about 2x lower); the per-``eps`` maxima fit a log-log slope of **3.01** (paper about 3; the
least-squares slope over all 200 runs is 2.95), far below the worst-case 8.46. No run's simple regret exceeded
``eps``: the largest was 0.03 (against the 9-step ``Q``; 0.026 against ``Q*_H``), as the paper reports. As in the
paper, most runs sit on the vertical lines ``x = 1/eps`` (the root gap is below ``eps``: 98% of runs at ``eps = 1``,
52% at 1/5). The overlaid bound (constant 0.69) stays within a factor ~10 of the runs and grows with the same slope.
``--quick`` (``S = 5000``, four ``eps``, 10 runs each): slope 2.92, the same budgets within the noise.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from bounds.mdpgape import MDPGAPE_COMPLEXITY, gap_complexity, worst_case_exponent

from . import runs

FIGURE = "mdpgape-fig1"
EXPERIMENT = "mdpgape-confidence"


def table(results):
    """Per ``eps``: runs, maximal simple regret (both ground truths), maximal and median budget (the paper's
    Table 4 columns)."""
    rows = []
    for eps, grp in runs(results).groupby("eps"):
        cat = lambda c: np.concatenate(list(grp[c]))  # noqa: E731
        rows.append({"eps": float(eps), "runs": len(cat("calls")), "H": int(cat("H")[0]),
                     "max_regret": float(cat("regret").max()), "max_regret_official": float(cat("regret_official").max()),
                     "max_budget": float(cat("calls").max()), "median_budget": float(np.median(cat("calls")))})
    return rows


def slope_of_maxima(results) -> float:
    """Log-log least-squares slope of the per-eps maximal budget against 1/eps (the official script's regression)."""
    t = table(results)
    x = np.log([1 / r["eps"] for r in t])
    y = np.log([r["max_budget"] for r in t])
    return float(np.polyfit(x, y, 1)[0]) if len(t) > 1 else float("nan")


def draw(results):
    res = runs(results)
    fig = Figure(figsize=(7, 4.8))
    ax = fig.add_subplot()
    cat = lambda c: np.concatenate(list(res[c]))  # noqa: E731
    eps = np.concatenate([np.full(len(r), e) for e, r in zip(res["eps"], res["calls"])])
    x = 1.0 / np.maximum(cat("gap_official"), eps)
    calls = cat("calls")
    ax.scatter(x, calls, s=10, alpha=0.25, color="C0", lw=0, label=f"MDP-GapE runs ({len(calls)})")
    t = table(results)
    xm = np.array([1 / r["eps"] for r in t])
    ym = np.array([r["max_budget"] for r in t])
    s = slope_of_maxima(results)
    if len(t) > 1:
        b = np.polyfit(np.log(xm), np.log(ym), 1)[1]
        grid = np.geomspace(xm.min(), xm.max(), 50)
        ax.plot(grid, np.exp(b) * grid ** s, "k--", lw=1.2, label=f"fit of per-eps maxima: slope {s:.2f}")
        w = worst_case_exponent(2, 5, 0.7)
        ax.plot(grid, ym[np.argmin(xm)] * (grid / xm.min()) ** w, "k:", lw=1, label=f"worst-case slope {w:.2f}")
    q_all = np.concatenate(list(res["q"]), axis=0)
    lead = np.array([MDPGAPE_COMPLEXITY.evaluate(H=h, B=2, K=q.size, delta=0.1, Lambda=gap_complexity(q, e))
                     for h, q, e in zip(cat("H"), q_all, eps)])
    c = float(np.max(calls / lead))
    ax.scatter(x, c * lead, s=8, marker="x", color="0.55", lw=0.6,
               label=f"bound's leading term x {c:.2g} (hidden constant)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"$1/(\Delta \vee \varepsilon)$  ($\Delta$: root gap of the 9-step $Q$)")
    ax.set_ylabel("oracle calls n")
    ax.set_title("Regenerates Jonsson et al. (2020) Figure 1: MDP-GapE, fixed confidence (delta = 0.1), paper "
                 "Garnets", fontsize=9)
    ax.legend(fontsize=7, loc="upper left")
    return fig
