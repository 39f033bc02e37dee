"""Shared drawing helpers for the R2PVI figures (mean +- std over replications)."""
from __future__ import annotations

import numpy as np

#: Numbers reported for the official code (spec r2pvi_drrpo.md section 2.6; re-runs of the committed code).
OFFICIAL_1A = {
    "pevi": [1.542, 1.478, 1.389, 1.294, 1.214, 1.143, 1.063, 0.982, 0.913, 0.813, 0.734],
    "r2pvi-tv": [1.400, 1.363, 1.324, 1.279, 1.228, 1.197, 1.163, 1.127, 1.072, 1.030, 0.994],
    "r2pvi-kl": [1.480, 1.428, 1.358, 1.283, 1.224, 1.174, 1.117, 1.045, 0.975, 0.905, 0.845],
    "r2pvi-chi2": [1.326, 1.308, 1.288, 1.270, 1.249, 1.220, 1.198, 1.174, 1.154, 1.132, 1.120],
}
OFFICIAL_1D = {
    ("pevi", None): [6.279, 5.020, 2.199, 0.295, 0.0],
    ("r2pvi-tv", 1.0): [1.407, 1.318, 1.140, 0.877, 0.553], ("r2pvi-tv", 3.0): [3.798, 3.304, 2.121, 0.870, 0.0],
    ("r2pvi-tv", 5.0): [4.769, 4.319, 2.211, 0.572, 0.0], ("drpvi", 0.2): [1.493, 1.419, 1.203, 0.883, 0.553],
    ("drpvi", 0.1): [3.852, 3.278, 2.105, 0.841, 0.0], ("drpvi", 0.025): [4.960, 4.328, 2.164, 0.397, 0.0],
}
LABELS = {"pevi": "PEVI", "r2pvi-tv": "R2PVI-TV", "r2pvi-kl": "R2PVI-KL", "r2pvi-chi2": "R2PVI-χ²",
          "drpvi": "DRPVI", "drvi-l": "DRVI-L"}


def stack(df, column: str = "values") -> np.ndarray:
    """Rows of array-valued results as a 2-D array (runs x points)."""
    return np.vstack([np.asarray(v, dtype=float) for v in df[column]])


def band(ax, x, Y, label, **kw):
    """Mean line with a +-1 std band over the rows of ``Y``."""
    m, s = Y.mean(axis=0), Y.std(axis=0)
    line, = ax.plot(x, m, label=label, **kw)
    ax.fill_between(x, m - s, m + s, color=line.get_color(), alpha=0.15, lw=0)
    return line


def versions(results):
    """("paper", df), ("official", df) for whichever versions are stored."""
    out = []
    for v in ("paper", "official"):
        sub = results[results["version"] == v] if "version" in results else results
        if len(sub):
            out.append((v, sub))
    return out
