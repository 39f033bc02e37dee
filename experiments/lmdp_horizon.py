r"""Horizon-free regret (Zhou, Wang & Du, ICML 2023): at a fixed number of episodes, the regret of the learner
grows at most polylogarithmically in the horizon ``H`` when the total reward of an episode is at most 1.

Instances (ours, [I]): for each seed one random LMDP (:func:`mdptheory.envs.latent.random_lmdp`, ``M = 2,
S = 2, A = 2``, full support) whose per-step rewards ``U(0, 1)`` are divided by ``H``, played with
``H = 2, ..., 6`` (``--quick``: 2, 4, 6; the same kernels, initial laws and weights for every ``H``: only the horizon and the
``1/H`` scaling change). Agents: ``lmdp`` (the Bernstein learner, value-optimistic) and ``hoeffding`` (the same
learner with the pre-horizon-free bonus ``c_h H sqrt(iota / n)``). Each run stores the cumulative expected
regret after ``K`` episodes.

Claim ``lmdp-horizon-free``: the log-log slope of the mean regret in ``H`` is at most 0.3 (upper end of a 95%
bootstrap interval that resamples seeds, each seed's instance paired across ``H``). A polylogarithmic growth
``a + b log H`` with ``a`` the dominant horizon-free part has a small slope; the bound's ``sqrt(Var* M Gamma S A K)``
does not involve ``H`` at all, while Kwon et al.'s rescaled ``sqrt(M S^2 A H K)`` grows like ``H^{1/2}``. On
``H in [2, 6]`` even ``log H`` alone has slope ``1/ln H ~ 0.6-1.4``: the check cannot tell polylog from
polynomial growth, it checks that the regret is dominated by a part that does not grow. Control: the
``hoeffding`` agent (its regret grows polynomially in ``H``).
"""
from __future__ import annotations

import numpy as np

from bounds.checks import Verdict
from bounds.lmdp import REGRET_UPPER
from mdptheory.envs.latent import random_lmdp
from mdptheory.latent import LatentMDP

from solvers.latent import var_star

from .claims import Claim
from .lmdp_common import curve_slope, learn

NAME = "lmdp-horizon"
HORIZONS = (2, 3, 4, 5, 6)
GRID = [{"H": H, "agent": a, "K": 2000} for a in ("lmdp", "hoeffding") for H in HORIZONS]
QUICK_GRID = [{"H": H, "agent": a, "K": 1000} for a in ("lmdp", "hoeffding") for H in (2, 4, 6)]
SEEDS = 8
QUICK_SEEDS = 3

MAX_SLOPE = 0.3


def instance(H: int, seed: int) -> LatentMDP:
    """The seed's base LMDP (per-step rewards ``U(0, 1)``) with horizon ``H`` and rewards divided by ``H``."""
    base = random_lmdp(2, 2, 2, 1, rng=np.random.default_rng([seed, 31]))
    return LatentMDP(base.weights, base.nu, base.P, base.R / H, H)


def run(config: dict, seed: int) -> dict:
    H = int(config["H"])
    lmdp = instance(H, seed)
    out = learn(lmdp, config["agent"], "value", int(config["K"]), np.random.SeedSequence([seed, 37, H]))
    out["var_star"] = var_star(lmdp).value
    return out


def check_horizon(df) -> Verdict:
    """Mean final regret vs ``H``: log-log slope at most ``MAX_SLOPE`` (bootstrap over seeds, paired in ``H``)."""
    rows = df[df["agent"] == df["agent"].iloc[0]] if df["agent"].nunique() == 1 else df[df["agent"] == "lmdp"]
    table = rows.pivot_table(index="seed", columns="H", values="final_regret")
    if table.isna().any().any() or table.shape[1] < 2:
        raise ValueError("lmdp-horizon-free needs every seed at every H")
    H = table.columns.to_numpy(float)
    ok, slope, (lo, hi) = curve_slope(H, table.to_numpy(float), MAX_SLOPE)
    means = ", ".join(f"H={int(h)}: {m:.3g}" for h, m in zip(H, table.mean().to_numpy()))
    return Verdict(ok, slope, MAX_SLOPE, f"log-log slope of the mean regret in H: {slope:.3g}, 95% CI [{lo:.3g}, "
                   f"{hi:.3g}] (upper end must be <= {MAX_SLOPE:g}); mean regret {means}",
                   {"summary": f"slope {slope:.2f} [{lo:.2f}, {hi:.2f}]", "ci": (lo, hi)})


CLAIMS = [
    Claim(name="lmdp-horizon-free", experiment=NAME, bound=REGRET_UPPER, check=check_horizon,
          mutants=("lmdp-learner.scaling-twice", "lmdp-learner.bonus-second-moment"), control={"agent": "hoeffding"},
          algorithms=("lmdp-learner",),
          description="With the total reward of an episode at most 1, the regret after K episodes barely grows with "
                      "H in 2..6 (log-log slope <= 0.3); the H-scaled Hoeffding bonus grows polynomially and is "
                      "rejected.",
          source="Zhou, Wang & Du (2023), arXiv:2210.11604, abstract (regret only logarithmic in H)"),
]
