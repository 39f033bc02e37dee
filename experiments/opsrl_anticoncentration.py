r"""Dirichlet anti-concentration (Tiapkin et al. 2022) by Monte Carlo with Clopper-Pearson bounds.

Statement checked (bound ``dirichlet-anticoncentration``, recalled [R]): for ``w ~ Dir(alpha)``,
``alpha = (alpha_0, ..., alpha_m)``, ``alpha_bar = sum alpha``, ``p_bar = alpha / alpha_bar``, ``f(0) = b_0 = 1``,
``f(j) <= b = 0.45 < b_0 / 2`` (``j >= 1``) and ``alpha_0 >= c_0 + log_{17/16}(alpha_bar)``:

``P[w f >= mu] >= c (1 - Phi(sqrt(2 alpha_bar K_inf(p_bar, mu, f))))``,  ``c = 1/2``,  ``p_bar f < mu < b_0``.

``c_0`` is unknown [R]; runs use ``c_0 = 0`` — the *smallest* admissible prior mass, so a pass is evidence
for the statement with any ``c_0 >= 0``. Each run draws a random ``alpha`` (``alpha_0`` at the condition's
threshold, the rest split by a flat Dirichlet), a random ``f``, and six thresholds ``mu`` placed where the
bound equals ``c (1 - Phi(x))`` for ``x in {0.25, 0.5, 1, 1.5, 2, 2.5}`` (``K_inf`` by
:func:`bounds.opsrl.k_inf`, inverted by ``brentq``); ``n_draws`` Dirichlet draws estimate
``P[w f >= mu]`` with one-sided Clopper-Pearson bounds at level ``1 - 1e-4`` each (family-wise error
``<= 1e-4 x (#points)``, about 0.01 in quick mode). ``m = 1`` is the Beta case (Alfers & Dinges 1984).

The Dirichlet draws come from **OPSRL's own sampler** (:meth:`solvers.learners.OPSRL.sample_weights`): an
agent with ``m`` real states whose every row has counts ``kappa alpha_1..m`` and pseudo-state prior
``n0 = kappa alpha_0``, inflation ``kappa = 4`` (:func:`sampler_agent`), so that its inflated posterior
``Dir((counts, n0) / kappa)`` is exactly ``Dir(alpha)`` with the pseudo-state as coordinate 0 — the
situation of the analysis, where the theorem is applied to the inflated posterior with ``alpha_0 = n0 /
kappa``. The claim is thus about the sampler the algorithm plans with, not about ``numpy``'s Dirichlet.

Claim ``opsrl-anticoncentration``: the Clopper-Pearson *lower* bound of the probability is above the
bound at every point (``bounds.checks.below`` with ``kind="lower"``, ``delta = 0``, ``trivial = 0``: a
probability bound is informative wherever it is positive). Rejects a sampler whose posterior is too
concentrated or puts too little mass on the pseudo-state: inflation ignored (``Dir(kappa alpha)``) or
inverted (``Dir(kappa^2 alpha)``), the prior ``n0`` scaled by 0.01. Extra control (a wrong constant): the
same check against the inequality with ``alpha_bar`` replaced by ``alpha_bar / 4`` (a too optimistic
exponent) must fail. Exploratory (reported in the verdict's details, not a control): the runs with
``conditions=False`` drop the prior-mass condition (``alpha_0 = 1``) and the dominance ``f(0) > 2 max f(j)``;
the smallest ratio ``CP-upper / bound`` there shows where the inequality breaks. Measured on the quick grid:
0/72 points below the bound (tightness 0.62); inflation ignored 53/72, inverted 72/72, ``n0/100`` 72/72,
``alpha_bar/4`` 42/72.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import brentq
from scipy.stats import beta as beta_dist

from bounds.checks import below
from bounds.opsrl import DIRICHLET_ANTICONCENTRATION, anticoncentration_rhs, k_inf
from solvers.learners import OPSRL

from .claims import Claim

NAME = "opsrl-anticoncentration"
CP_LEVEL = 1e-4
X_TARGETS = (0.25, 0.5, 1.0, 1.5, 2.0, 2.5)
B_OTHERS = 0.45
KAPPA = 4.0

GRID = ([{"m": m, "alpha_bar": ab, "n_draws": 1_000_000, "c0": 0.0, "kappa": KAPPA, "conditions": True}
         for m in (1, 2, 5, 10, 30) for ab in (100.0, 300.0, 1000.0, 3000.0)]
        + [{"m": m, "alpha_bar": ab, "n_draws": 1_000_000, "c0": 0.0, "kappa": KAPPA, "conditions": False}
           for m in (1, 5) for ab in (10.0, 100.0)])
QUICK_GRID = ([{"m": m, "alpha_bar": ab, "n_draws": 200_000, "c0": 0.0, "kappa": KAPPA, "conditions": True}
               for m in (1, 4, 10) for ab in (100.0, 1000.0)]
              + [{"m": 4, "alpha_bar": 100.0, "n_draws": 200_000, "c0": 0.0, "kappa": KAPPA, "conditions": False}])
SEEDS = 10
QUICK_SEEDS = 2


def draw_problem(m: int, alpha_bar: float, c0: float, conditions: bool, rng: np.random.Generator):
    """Random ``alpha (m+1,)`` and ``f (m+1,)`` meeting (or, with ``conditions=False``, breaking) the hypotheses."""
    if conditions:
        a0 = c0 + np.log(alpha_bar) / np.log(17 / 16)
        if a0 >= alpha_bar:
            raise ValueError(f"alpha_bar = {alpha_bar} is too small: the condition needs alpha_0 = {a0:.1f} < alpha_bar")
        f_rest = B_OTHERS * rng.random(m)
    else:
        a0 = 1.0
        f_rest = rng.random(m)                      # may exceed b_0 / 2: dominance dropped as well
    alpha = np.concatenate([[a0], (alpha_bar - a0) * rng.dirichlet(np.ones(m))])
    return alpha, np.concatenate([[1.0], f_rest])


def sampler_agent(alpha: np.ndarray, kappa: float, J: int, rng: np.random.Generator, H: int = 1,
                  last_rewards: np.ndarray | None = None) -> OPSRL:
    """An OPSRL agent with ``m = len(alpha) - 1`` real states, one action, whose inflated posterior on every
    row is ``Dir(alpha)``: counts ``kappa alpha[1:]``, pseudo-state prior ``n0 = kappa alpha[0]``, worth
    ``r0 = 1`` per step. ``last_rewards (m,)``: the rewards of the last stage (``H > 1``), zero elsewhere."""
    m = len(alpha) - 1
    R = np.zeros((H, m, 1))
    if last_rewards is not None:
        R[H - 1, :, 0] = last_rewards
    agent = OPSRL(m, 1, H, rewards=R, J=J, kappa=kappa, n0=kappa * float(alpha[0]), r0=1.0, rng=rng)
    agent.counts[0, :, 0, :] = kappa * np.asarray(alpha[1:], dtype=float)
    return agent


def sampler_draws(alpha: np.ndarray, f: np.ndarray, n: int, kappa: float, rng: np.random.Generator) -> np.ndarray:
    """``n`` (at least) draws of ``w f``, ``w ~ Dir(alpha)``, by OPSRL's sampler (pseudo-state = coordinate 0)."""
    m = len(alpha) - 1
    agent = sampler_agent(alpha, kappa, -(-n // m), rng)
    ptr, idx, W, Wp = agent.sample_weights()
    out = []
    for r in range(m):
        w_real, w_pseudo = W[ptr[r]:ptr[r + 1]], Wp[r]
        out.append((f[1 + idx[ptr[r]:ptr[r + 1]]] @ w_real + f[0] * w_pseudo) / (w_real.sum(0) + w_pseudo))
    return np.concatenate(out)


def run(config: dict, seed: int) -> dict:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 13]))
    m, ab, N = int(config["m"]), float(config["alpha_bar"]), int(config["n_draws"])
    alpha, f = draw_problem(m, ab, float(config["c0"]), bool(config["conditions"]), rng)
    p_bar = alpha / alpha.sum()
    mean = float(p_bar @ f)
    mus, Ks = [], []
    for x in X_TARGETS:
        target = x * x / (2 * ab)
        hi = 1.0 - 1e-9
        if k_inf(p_bar, hi, f, b=1.0) < target:       # the tail ends before this deviation level
            continue
        mu = brentq(lambda u: k_inf(p_bar, u, f, b=1.0) - target, mean + 1e-12, hi, xtol=1e-12)
        mus.append(mu)
        Ks.append(k_inf(p_bar, mu, f, b=1.0))
    mus, Ks = np.array(mus), np.array(Ks)
    wf = sampler_draws(alpha, f, N, float(config["kappa"]), rng)
    N = wf.size
    k = (wf[None, :] >= mus[:, None]).sum(axis=1)
    cp_lower = np.where(k > 0, beta_dist.ppf(CP_LEVEL, k, N - k + 1), 0.0)
    cp_upper = np.where(k < N, beta_dist.ppf(1 - CP_LEVEL, k + 1, N - k), 1.0)
    bound = anticoncentration_rhs(ab, Ks)
    return {"mu": mus, "K": Ks, "p_hat": k / N, "cp_lower": cp_lower, "cp_upper": cp_upper, "bound": bound,
            "wrong_bound": anticoncentration_rhs(ab, Ks, scale=0.25),
            "min_ratio": float((cp_lower / bound).min()), "mean": mean, "alpha_0": float(alpha[0])}


def _collect(df, column: str):
    rows = df[df["conditions"].astype(bool)]
    if len(rows) == 0:
        raise ValueError("no rows with conditions=True")
    return np.concatenate(list(rows["cp_lower"])), np.concatenate(list(rows[column]))


def _exploratory(df) -> dict:
    rows = df[~df["conditions"].astype(bool)]
    if len(rows) == 0:
        return {}
    up, bnd = np.concatenate(list(rows["cp_upper"])), np.concatenate(list(rows["bound"]))
    return {"exploratory_min_cp_upper_over_bound_without_conditions": float((up / bnd).min()),
            "exploratory_points_violated_without_conditions": int((up < bnd).sum())}


def check_anticoncentration(df):
    """Clopper-Pearson lower bound of ``P[w f >= mu]`` >= the bound at every (run, mu)."""
    low, bnd = _collect(df, "bound")
    v = below(low, bnd, 0.0, kind="lower", trivial=0.0)
    v.details.update(_exploratory(df))
    return v


def control_wrong_constant(df):
    """The same check against the inequality with ``alpha_bar / 4`` (too optimistic): must fail."""
    low, bnd = _collect(df, "wrong_bound")
    return below(low, bnd, 0.0, kind="lower")


CLAIMS = [
    Claim(name="opsrl-anticoncentration", experiment=NAME, bound=DIRICHLET_ANTICONCENTRATION,
          check=check_anticoncentration, control=control_wrong_constant,
          mutants=("opsrl.kappa-ignored", "opsrl.kappa-inverted", "opsrl.n0-scaled"),
          description="Monte-Carlo (Clopper-Pearson) probabilities P[w f >= mu] of linear forms of OPSRL's own "
                      "inflated posterior samples (pseudo-state = coordinate 0) dominate (1/2)(1 - Phi(sqrt(2 "
                      "alpha_bar K_inf))) under the theorem's conditions (c_0 = 0); a sampler that ignores or "
                      "inverts the inflation or shrinks n0, and the inequality with alpha_bar/4, are rejected."),
]
