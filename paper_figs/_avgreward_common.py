"""Shared drawing helper of the average-reward figures: per-x mean with a bootstrap band and a fitted slope."""
from __future__ import annotations

import numpy as np

from bounds.checks import rate


def band(ax, x, y, color: str, label: str, n_boot: int = 1000, seed: int = 0) -> float:
    """Plot the per-``x`` mean of ``y`` with a 95% bootstrap band over the seeds and the fitted log-log line;
    return the fitted slope (the one :func:`bounds.checks.rate` reports)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    xs, mean, lo, hi = bootstrap_band(x, y, n_boot, seed)
    ax.fill_between(xs, lo, hi, color=color, alpha=0.25, lw=0)
    v = rate(x, y, 0.0, tol=np.inf)
    slope = v.statistic
    b = np.mean(np.log(mean) - slope * np.log(xs))
    ci = v.details.get("ci", (np.nan, np.nan))
    ax.loglog(xs, mean, "o", color=color, ms=4)
    ax.loglog(xs, np.exp(b) * xs ** slope, "-", color=color, lw=1.5,
              label=f"{label}: slope {slope:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]")
    return slope


def theory(ax, x, y, slope: float, color: str, label: str) -> None:
    """The paper's rate ``x^slope`` as a dashed line, its constant fitted to the per-``x`` means (least squares
    in log scale with the slope fixed): the theorem fixes the exponent, not the constant."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    xs = np.unique(x)
    mean = np.array([y[x == v].mean() for v in xs])
    c = np.exp(np.mean(np.log(mean) - slope * np.log(xs)))
    ax.loglog(xs, c * xs ** slope, ls=(0, (4, 2)), lw=1.2, color=color, alpha=0.8, label=label)


def bootstrap_band(x, y, n_boot: int = 1000, seed: int = 0):
    """``(xs, mean, lo, hi)``: the distinct ``x``, the mean of ``y`` at each, and a 95% percentile-bootstrap band of
    that mean over the seeds."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    xs = np.unique(x)
    rng = np.random.default_rng(seed)
    mean, lo, hi = [], [], []
    for v in xs:
        ys = y[x == v]
        boots = rng.choice(ys, size=(n_boot, ys.size)).mean(axis=1)
        mean.append(ys.mean())
        lo.append(np.percentile(boots, 2.5))
        hi.append(np.percentile(boots, 97.5))
    return xs, np.array(mean), np.array(lo), np.array(hi)
