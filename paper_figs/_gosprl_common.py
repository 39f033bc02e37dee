"""Shared helpers of the GOSPRL figures: which stored rows are GOSPRL's and which a baseline's, and a seed band."""
from __future__ import annotations

import numpy as np

from . import runs
from ._avgreward_common import bootstrap_band


def by_agent(results, agent: str = "gosprl"):
    """The real runs of one strategy: rows without a mutant whose ``agent`` is ``agent`` (rows without an ``agent``
    column or value are GOSPRL's: the experiments' default)."""
    real = runs(results)
    col = real["agent"].fillna("gosprl") if "agent" in real.columns else None
    return real if col is None and agent == "gosprl" else (real[col == agent] if col is not None else real.iloc[:0])


def mean_band(ax, x, y, color: str, label: str, n_boot: int = 1000, seed: int = 0, marker: str = "o-") -> None:
    """Per-``x`` mean of ``y`` on log-log axes with a 95% percentile-bootstrap band over the seeds."""
    xs, mean, lo, hi = bootstrap_band(x, y, n_boot, seed)
    ax.fill_between(xs, lo, hi, color=color, alpha=0.25, lw=0)
    ax.loglog(xs, mean, marker, color=color, ms=4, label=label)


def x_ticks(ax, values) -> None:
    """Major x ticks at the grid values (no crowded minor labels on a short log axis)."""
    vals = np.unique(np.asarray(values, float))
    ax.set_xticks(vals, [f"{v:g}" for v in vals])
    ax.set_xticks([], minor=True)
