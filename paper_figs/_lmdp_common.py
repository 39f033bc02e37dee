"""Shared drawing helper of the latent-MDP figures: mean curve with a +-1 std band over seeds."""
from __future__ import annotations

import numpy as np


def mean_band(ax, x: np.ndarray, curves: np.ndarray, color: str, label: str) -> np.ndarray:
    """Plot the mean of ``curves (n_runs, len(x))`` with a +-1 standard-deviation band; return the mean."""
    curves = np.atleast_2d(np.asarray(curves, dtype=float))
    m, s = curves.mean(axis=0), curves.std(axis=0)
    ax.fill_between(x, np.maximum(m - s, 1e-3), m + s, color=color, alpha=0.2, lw=0)
    ax.plot(x, m, "o-", color=color, ms=3, lw=1.5, label=f"{label} ({curves.shape[0]} seeds)")
    return m
