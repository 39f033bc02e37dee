r"""Regenerates the OPSRL paper's regret figure of the experiment ``opsrl_vs_baselines`` (Tiapkin et al. 2022:
OPSRL against PSRL, UCBVI, UCBVI-B and RLSVI on the 10x10 grid-world).

What the paper's figure shows (official plotting code ``plot_opsrl_vs_baselines.py``; the PDF could not be
re-read here, so the figure number is not given and the stated outcome is [R]): cumulative regret against
episodes (``T = 10^4``, ``H = 50``) for UCBVI, UCBVI-B, OPSRL (``J = 8``), PSRL and RLSVI, mean over the 4 runs
of each agent with a ±1 standard-deviation band, regret computed from *realised* returns, rewards learnt by
the agents. The stated outcome [R]: OPSRL close to PSRL, both clearly below the UCBVI variants.

Ours (``mdptheory figs opsrl-regret``, from the experiment ``opsrl-gridworld``): panel (a) the agents as the
official code runs them (learnt rewards, UCBVI with the code's bookkeeping, RLSVI with the code's
``2 r̂ + ξ`` perturbation and, dashed, RLSVI itself ``r̂ + ξ``); panel (b) the same agents told the true mean
rewards. Solid lines: cumulative **expected** regret ``sum_t (V*_1 - V^{pi_t}_1)`` with the true mean rewards
(exact evaluation, what Theorem 1 bounds), mean over runs with a ±1 sample-standard-deviation band; dotted:
the mean realised-return regret the paper plots. Grey dashes: the rate of Theorem 1,
``sqrt(H^3 S A t log(SAHt/delta))`` with ``delta = 0.1``, **scaled** to OPSRL's mean regret at ``t = T`` (the
constant is hidden, only the shape is the paper's). Full grid: 6 agents x 2 reward settings x 4 runs (the
paper's ``n_fit = 4``) x 10^4 episodes; ``--quick``: 500 episodes, 2 runs, every agent with learnt rewards and
OPSRL, PSRL with known ones.

How ours compares: NUMBERS_PENDING
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from bounds.opsrl import OPSRL_REGRET

from . import runs

FIGURE = "opsrl-regret"
EXPERIMENT = "opsrl-gridworld"
STYLE = {"OPSRL": ("C3", "-", "OPSRL (J = 8)"), "PSRL": ("C0", "-", "PSRL"),
         "UCBVI": ("C2", "-", "UCBVI (Hoeffding)"), "UCBVI-B": ("C1", "-", "UCBVI-B (Bernstein)"),
         "RLSVI": ("C4", "-", "RLSVI (official code: 2r̂ + ξ)"), "RLSVI-centred": ("C4", "--", "RLSVI (r̂ + ξ)")}
PANELS = (("learned", "(a) rewards learnt by the agents (as the official code)"),
          ("known", "(b) mean rewards known to the agents"))
DELTA = 0.1


def final_regrets(results) -> dict:
    """``{(rewards, agent): (mean, std, runs)}`` of the final expected regret of the longest real runs."""
    real = runs(results)
    real = real[real["T"] == real["T"].max()]
    return {k: (float(g["final_regret"].mean()), float(g["final_regret"].std(ddof=1)) if len(g) > 1 else 0.0, len(g))
            for k, g in real.groupby(["rewards", "agent"])}


def draw(results):
    real = runs(results)
    real = real[real["T"] == real["T"].max()]          # one grid (quick or full) per figure
    T, H, size = int(real["T"].max()), int(real["H"].iloc[0]), int(real["size"].iloc[0])
    n_runs = sorted(set(real.groupby(["rewards", "agent"]).size()))
    fig = Figure(figsize=(13, 5.2))
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (rewards, title) in zip(axes, PANELS):
        panel = real[real["rewards"] == rewards]
        opsrl_at_T = None
        for agent in STYLE:
            grp = panel[panel["agent"] == agent]
            if len(grp) == 0:
                continue
            color, ls, label = STYLE[agent]
            x = grp["episode"].iloc[0]
            curves, realised = np.vstack(list(grp["regret"])), np.vstack(list(grp["realised_regret"]))
            m = curves.mean(0)
            s = curves.std(0, ddof=1) if len(grp) > 1 else np.zeros_like(m)
            ax.plot(x, m, color=color, ls=ls, lw=1.6, label=f"{label}: {m[-1]:,.0f}")
            ax.fill_between(x, m - s, m + s, color=color, alpha=0.15, lw=0)
            ax.plot(x, realised.mean(0), color=color, ls=":", lw=0.9)
            if agent == "OPSRL":
                opsrl_at_T = (x, m[-1])
        if opsrl_at_T is not None:
            x, end = opsrl_at_T
            S, A = size * size, 4
            rate = OPSRL_REGRET.evaluate(H=H, S=S, A=A, T=x, delta=DELTA)
            ax.plot(x, rate * end / rate[-1], color="0.45", ls=(0, (4, 3)), lw=1.1,
                    label="Theorem 1 rate √(H³SAt log(SAHt/δ)), scaled to OPSRL at t = T")
        ax.set_xlabel("episode t")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7.5, loc="upper left", title="mean final expected regret", title_fontsize=7.5)
    axes[0].set_ylabel("cumulative regret")
    runs_text = "/".join(str(n) for n in n_runs)
    fig.suptitle(f"Regenerates Tiapkin et al. (2022), OPSRL, regret figure of experiment opsrl_vs_baselines: "
                 f"{size}x{size} grid-world, H = {H}, T = {T} episodes\nsolid: expected regret (true mean rewards), "
                 f"mean ± 1 sd over {runs_text} runs; dotted: realised-return regret (what the paper plots)",
                 fontsize=10, y=0.995)
    fig.subplots_adjust(top=0.85, wspace=0.05)
    return fig
