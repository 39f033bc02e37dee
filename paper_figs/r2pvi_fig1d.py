"""R2PVI Figure 1(d): American put option, average return vs price-up probability p.

Paper: PEVI vs R2PVI-TV (lam in {1, 3, 5}) vs DRPVI (rho in {0.2, 0.1, 0.025}, dashed); each R2PVI curve lies
almost on a DRPVI curve (matched pairs lam = 1 <-> rho = 0.2, 3 <-> 0.1, 5 <-> 0.025) and smaller lam /
larger rho give flatter curves. Official code re-run (spec 2.6): PEVI 6.28 -> 0, R2PVI-TV lam=1
1.41 -> 0.55, DRPVI rho=0.2 1.49 -> 0.55, ...

Ours: exact expected return on the price lattice (mdptheory.envs.american_put), mean over 3 replications,
each with its own s0 and data stream (the official code reuses seed 1, item 8); left paper-faithful (l1
bonus, no clip since payoffs exceed 1, TV threshold min over *all* states), right official options (l2
bonus, continuation capped at H - h, threshold over sampled next states; dotted: official re-run).
The official re-run uses s0 = 99.17 in every replication (payoff of immediate exercise 0.83); ours draws
s0 per replication, so flat curves at the mean immediate payoff (immediate exercise) are expected for
the most pessimistic settings.
Why they differ: with the min over all states the TV threshold is lam itself (the exercised state has
value 0), so every continuation value is truncated at lam and small-lam R2PVI exercises at once; the
official dataset-min keeps the threshold near the observed payoffs. The matched R2PVI/DRPVI pairs are a
property of the shared threshold and appear in both versions.
"""
from __future__ import annotations

from matplotlib.figure import Figure

from experiments.r2pvi_option import METHODS, PS

from ._r2pvi_common import LABELS, OFFICIAL_1D, stack, versions

FIGURE = "r2pvi-fig1d"
EXPERIMENT = "r2pvi-american-put"


def draw(results):
    vs = versions(results)
    fig = Figure(figsize=(5.2 * len(vs), 4))
    for k, (version, sub) in enumerate(vs):
        ax = fig.add_subplot(1, len(vs), k + 1)
        for j, (method, param) in enumerate(METHODS):       # fixed order: same colour in both panels
            rows = sub[(sub["method"] == method) & ((sub["param"] == param) if param is not None
                                                    else sub["param"].isna())]
            if not len(rows):
                continue
            ls = "--" if method == "drpvi" else "-"
            label = LABELS[method] + ("" if param is None else f" {'ρ' if method == 'drpvi' else 'λ'}={param:g}")
            line, = ax.plot(PS, stack(rows).mean(axis=0), ls=ls, marker="o", ms=3, label=label, color=f"C{j}")
            ref = OFFICIAL_1D.get((method, param))
            if version == "official" and ref is not None:
                ax.plot(PS, ref, ls=":", lw=1, color=line.get_color())
        ax.set_title(f"{version} options" + (" (dotted: official code re-run)" if version == "official" else ""),
                     fontsize=9)
        ax.set_xlabel("price-up probability p")
        ax.set_ylabel("average return (exact)")
        ax.legend(fontsize=7, ncol=2)
    fig.suptitle("R2PVI Fig. 1(d): American put option, N = 100, d = 30, H = 20", fontsize=10)
    fig.tight_layout()
    return fig
