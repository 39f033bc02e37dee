r"""Figure 1b of Wang, Blanchet & Glynn (2024): error against ``t_minorize`` at ``n = C t_minorize`` samples per
pair, ``C in {4500, 18000}``, on :func:`mdptheory.envs.two_state_escape` with ``p`` from 0.2 to 0.0125
(``t_minorize = 1/(2p)`` from 2.5 to 40).

As in Figure 1a (:mod:`experiments.avgreward_rate`), **n is set directly** and Algorithm 4.1 gets the accuracy
``eps = sqrt(K t / n)`` of Theorem 4.2's form, here with ``K = 500`` (so that the control below keeps
``eps <= 1``); with ``n = C t`` that is ``eps = sqrt(K / C)``, the same at every ``t``. Linear dependence of the
sample complexity on ``t_minorize`` then means a flat error.

Claim ``amdp-t-linear``: for each ``C`` the log-log slope of the error in ``t_minorize`` is within ``0.1`` of 0
(bootstrap CI). Control (``schedule = "sqrt"``): ``n = C sqrt(t_minorize)`` samples, too few for large ``t``,
whose error grows like ``t^(1/4)``: the check must fail.
"""
from __future__ import annotations

import math

import numpy as np

from bounds.avgreward import SAMPLE_COMPLEXITY
from bounds.checks import Verdict, rate

from .avgreward_common import replicate, truth
from .claims import Claim

NAME = "avgreward-t-scaling"
K = 500.0
GAP = 0.5
GRID = [{"C": C, "p": p, "K": K, "schedule": "linear"} for C in (4500, 18000)
        for p in (0.2, 0.1, 0.05, 0.025, 0.0125)]
QUICK_GRID = [{"C": C, "p": p, "K": K, "schedule": "linear"} for C in (4500, 18000) for p in (0.2, 0.05, 0.0125)]
SEEDS = 6
QUICK_SEEDS = 4
TOL = 0.1


def samples(C: float, t: float, schedule: str) -> int:
    if schedule not in ("linear", "sqrt"):
        raise ValueError(f"schedule must be 'linear' (n = C t) or 'sqrt' (n = C sqrt(t), the control), got {schedule!r}")
    return int(math.ceil(C * (t if schedule == "linear" else math.sqrt(t))))


def run(config: dict, seed: int) -> dict:
    p = float(config["p"])
    t = truth(p, GAP)[1]
    n = samples(float(config["C"]), t, config["schedule"])
    return dict(replicate("wbg", n, p, float(config["K"]), seed, gap=GAP), n=n)


def check_flat(df) -> Verdict:
    verdicts = {C: rate(d["t"].to_numpy(float), d["err"].to_numpy(float), 0.0, tol=TOL)
                for C, d in df.groupby("C")}
    ok = all(v.passed for v in verdicts.values())
    summary = "; ".join(f"C={C:g}: slope {v.statistic:.3f} CI {tuple(round(c, 3) for c in v.details['ci'])}"
                        for C, v in verdicts.items())
    worst = max(verdicts.values(), key=lambda v: abs(v.statistic))
    return Verdict(ok, worst.statistic, TOL, summary, {"summary": summary,
                                                        "slopes": {float(C): v.statistic for C, v in verdicts.items()}})


CLAIMS = [
    Claim(name="amdp-t-linear", experiment=NAME, bound=SAMPLE_COMPLEXITY, check=check_flat,
          mutants=("amdp.gamma-no-t",), control={"schedule": "sqrt"},
          description="With n = C t_minorize samples per pair (C = 4500, 18000) Algorithm 4.1's error is flat in "
                      "t_minorize from 2.5 to 40 (log-log slope within 0.1 of 0): linear dependence on t. "
                      "Control: n = C sqrt(t_minorize), whose error grows.",
          source="Wang, Blanchet & Glynn (2024), arXiv:2310.08833, Figure 1b, Theorem 4.2"),
]
