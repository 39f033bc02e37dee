r"""Sanity of exact robust dynamic programming: robust <= nominal, equality at rho = 0, and the lam-limits.

On random d-rectangular linear MDPs (factors supported on 2 of S states, so KL / chi-square balls are
support-restricted) and on their tabular expansion (``rect="sa"``), for TV / KL / chi-square sets:

- ``ratio_max = max over rho, lam, s of V_robust[0, s] / V_nominal[0, s]`` — at most 1, because nature
  may always play the nominal kernel at zero cost (rewards lie in [0, 1], values are positive);
- ``rho0_err = ||V_{rho=0} - V_nominal||_inf`` — exactly 0 up to round-off (``H * 1e-12``);
- ``laminf_err = ||V_{lam} - V_nominal||_inf`` at ``lam = 1e6`` — certified tolerance ``H^3 / (8 lam)``:
  per step the regularized value is within ``span(V)^2/(8 lam)`` of the nominal one (KL: Hoeffding's
  lemma; chi-square: ``Var/(4 lam) <= span^2/(16 lam)``; TV: exactly 0 once ``lam >= span``) and
  ``span(V) <= H``;
- ``lam0_err = ||V_{lam} - V_limit||_inf`` at ``lam = 1e-9``, where ``V_limit`` is the DP with nature's
  value replaced by ``min_{s in S} V`` (TV) or ``min_{s in supp p0} V`` (KL, chi-square) (spec
  ``r2pvi_drrpo.md`` section 1.3); certified tolerance ``H * lam * max(1, 1/p_min)`` where ``p_min`` is
  the smallest positive nominal probability (TV: ``Reg <= min V + lam``; KL: ``<= m + lam log(1/p_min)``;
  chi-square: ``<= m + lam (1/p_min - 1)``).

Realistic mutants each claim rejects (``mdptheory verify --power`` runs all of ``robust-inner`` and
``robust-dp``): robust <= nominal rejects nature solving for ``-V`` (``robust-inner.nature-maximises``);
rho = 0 rejects a radius clamped to ``rho >= 0.01`` "for stability" (``robust-inner.radius-floor``) and a DP
answering ``V_h`` instead of ``V_{h+1}`` (``robust-dp.continuation-stage-h``, which no radius can hide);
lam -> infinity rejects lam handed to the constrained kernel as a radius (``robust-inner.lam-as-rho``; the
official code calls lam ``Rho``) and the KL regularizer inverted (``robust-inner.kl-reg-inverse-lam``);
lam -> 0 rejects TV's mass kept inside the support (``robust-inner.tv-reg-support-min``) and the inverted KL
regularizer. Interior radii are the business of ``robust-inner-matches-primal``, policies and penalties of
``robust-dp-matches-brute-force``. (The strawman variants of the first version, nature maximising, the radius
floor, lam as a radius and a swapped reference, are now the registered mutants above or were bugs of the
reference rather than of the algorithm.)
"""
from __future__ import annotations

import numpy as np

from bounds import checks
from mdptheory import LinearMDP, random_d_rectangular
from mdptheory.uncertainty import DIVERGENCES
from solvers import backward_induction
from solvers.robust import robust_backward_induction

from .claims import Claim

NAME = "robust-sanity"
RHOS = (0.0, 0.05, 0.2, 1.0, np.inf)
LAMS = (1e-9, 0.1, 1.0, 10.0, 1e6)
LAM_BIG, LAM_SMALL = 1e6, 1e-9

_BASE = {"S": 5, "A": 3, "d": 3, "H": 4, "support": 2}
GRID = [dict(_BASE, divergence=div, rect=rect, S=S, H=H)
        for div in DIVERGENCES for rect in ("d", "sa") for S in (5, 12) for H in (3, 6)]
QUICK_GRID = [dict(_BASE, divergence=div, rect=rect) for div in DIVERGENCES for rect in ("d", "sa")]
SEEDS = 20
QUICK_SEEDS = 4


def _robust_V(model: LinearMDP, u, rect: str) -> np.ndarray:
    return robust_backward_induction(model, u, rect=rect).V


def _limit_V(model: LinearMDP, divergence: str, rect: str) -> np.ndarray:
    """DP with nature's value replaced by its lam -> 0 limit (min over S or over the support)."""
    over_S = divergence == "tv"
    tab = model.to_tabular()
    V = np.zeros((model.H + 1, model.S))
    for h in range(model.H - 1, -1, -1):
        rows = model.mu[h] if rect == "d" else tab.P[h].reshape(-1, model.S)
        nxt = V[h + 1]
        w = np.array([nxt.min() if over_S else nxt[r > 0].min() for r in rows])
        Q = model.phi @ (model.theta[h] + w) if rect == "d" else tab.R[h] + w.reshape(model.S, model.A)
        V[h] = Q.max(axis=1)
    return V


def run(config: dict, seed: int) -> dict:
    cls = DIVERGENCES[config["divergence"]]
    rect = config["rect"]
    H = int(config["H"])
    model = random_d_rectangular(int(config["S"]), int(config["A"]), int(config["d"]), H, rng=seed,
                                 factor_support=int(config["support"]))
    nominal = backward_induction(model.to_tabular()).V
    robust = {("rho", r): _robust_V(model, cls(rho=r), rect) for r in RHOS}
    robust.update({("lam", x): _robust_V(model, cls(lam=x), rect) for x in LAMS})
    ratio_max = max(float((V[0] / nominal[0]).max()) for V in robust.values())
    P = model.mu if rect == "d" else model.to_tabular().P
    p_min = float(P[P > 0].min())
    limit = _limit_V(model, config["divergence"], rect)
    return {
        "ratio_max": ratio_max,
        "rho0_err": float(np.abs(robust[("rho", 0.0)] - nominal).max()),
        "rho0_tol": H * 1e-12,
        "laminf_err": float(np.abs(robust[("lam", LAM_BIG)] - nominal).max()),
        "laminf_tol": H**3 / (8 * LAM_BIG) + H * 1e-12,
        "lam0_err": float(np.abs(robust[("lam", LAM_SMALL)] - limit).max()),
        "lam0_tol": H * LAM_SMALL * max(1.0, 1.0 / p_min) + H * 1e-12,
        "nominal_V0": float(nominal[0].max()),
    }


def _below_nominal(df):
    return checks.ratio_bounded(df["ratio_max"].to_numpy(float), 1.0, max_ratio=1.0 + 1e-12)


def _identity(err: str, tol: str):
    def check(df):
        return checks.identity(df[err].to_numpy(float), 0.0, atol=df[tol].to_numpy(float))
    check.__name__ = f"identity_{err}"
    return check


_ALGOS = ("robust-inner", "robust-dp")
_SRC = "Iyengar (2005), robust DP; Tang, Liu & Xu (ICML 2025), Sec. 3 (d-RRMDP)"

CLAIMS = [
    Claim(
        name="robust-below-nominal",
        experiment=NAME,
        bound=None,
        mutants=("robust-inner.nature-maximises",),
        algorithms=_ALGOS,
        check=_below_nominal,
        description="Exact robust values (TV/KL/chi-square, constrained and regularized, d- and sa-rectangular) "
                    "never exceed the nominal optimal value.",
        source=_SRC,
    ),
    Claim(
        name="robust-equals-nominal-at-rho-0",
        experiment=NAME,
        bound=None,
        mutants=("robust-inner.radius-floor", "robust-dp.continuation-stage-h"),
        algorithms=_ALGOS,
        check=_identity("rho0_err", "rho0_tol"),
        description="A ball of radius 0 is the nominal model: robust DP reproduces nominal backward induction "
                    "to round-off.",
        source=_SRC,
    ),
    Claim(
        name="robust-lam-to-infinity-is-nominal",
        experiment=NAME,
        bound=None,
        mutants=("robust-inner.lam-as-rho", "robust-inner.kl-reg-inverse-lam"),
        algorithms=_ALGOS,
        check=_identity("laminf_err", "laminf_tol"),
        description="As lam -> infinity the regularized robust value tends to the nominal one, within the "
                    "certified H^3/(8 lam).",
        source=_SRC,
    ),
    Claim(
        name="robust-lam-to-zero-limit",
        experiment=NAME,
        bound=None,
        mutants=("robust-inner.tv-reg-support-min", "robust-inner.kl-reg-inverse-lam"),
        algorithms=_ALGOS,
        check=_identity("lam0_err", "lam0_tol"),
        description="As lam -> 0 nature's value tends to min over S (TV) or over the support (KL, chi-square), "
                    "within the certified H lam max(1, 1/p_min).",
        source=_SRC,
    ),
]
