r"""How many posterior samples make OPSRL optimistic: ``J = ceil(log(1/delta') / log(1/(1 - p_anti)))``.

Mechanism of Tiapkin et al. (2022) (spec §2.3, check 5): when the true mean ``mu`` lies one "standard
deviation" above the posterior mean in the ``K_inf`` sense, ``2 alpha_bar K_inf(p_bar, mu, f) = 1``, the
anti-concentration inequality gives one sample ``P[w f >= mu] >= p_anti = c (1 - Phi(1))`` (``c = 1/2``
[R], ``p_anti ~= 0.079``), so the max of ``J`` independent samples fails with probability
``<= (1 - p_anti)^J <= delta'``. Each run draws a random Dirichlet problem meeting the theorem's
conditions (``c_0 = 0``, as :mod:`experiments.opsrl_anticoncentration`), puts ``mu`` at that level
(``K_inf`` inverted by ``brentq``), and counts, over ``trials`` independent rounds, the rounds where the
max of ``J`` samples stays below ``mu``.

The max is **OPSRL's own planning step**: an agent with ``H = 2``, one action and ``m`` real states
(:func:`experiments.opsrl_anticoncentration.sampler_agent`) whose every row has the inflated posterior
``Dir(alpha)`` (pseudo-state = coordinate 0, ``kappa = 4``) and whose last-stage rewards are ``f(1..m)``;
its pseudo-state is worth ``r0 = 1 = f(0)`` one step before the end, so each ``policy()`` call plans, in every
row, ``Q̄_0(s, 0) = max_j p̃_j f`` with fresh samples: one round per row.

Claim ``opsrl-j-samples``: the failure frequency of OPSRL's max of ``J`` samples (``J`` from the formula
with ``delta' = 0.05``) is consistent with ``<= delta'`` (exact binomial test over all trials,
``trivial = 1``). Rejects a planning step that uses the first sample or the average of the ``J``, a
pseudo-state worth ``r0 = 0``, and a sampler without inflation or with ``n0`` scaled by 0.01. Extra control
``j_rule="overestimated"``: ``J`` from a 4x overestimated floor ``4 p_anti`` (``J = 8`` instead of 37) must
fail the same test — the formula's floor matters. Measured on the quick grid: 25/16,000 failures with
``J = 37`` (the floor ``p_anti ~= 0.079`` is ~2x below the measured single-sample rate), 3,940/16,000 with
``J = 8``; first sample 13,446, no inflation 6,921, ``r0 = 0`` / ``n0/100`` / average 16,000.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq
from scipy.special import erfc

from bounds.checks import below
from bounds.opsrl import ANTICONCENTRATION_C, DIRICHLET_ANTICONCENTRATION, k_inf

from .claims import Claim
from .opsrl_anticoncentration import KAPPA, draw_problem, sampler_agent

NAME = "opsrl-jsamples"
DELTA_PRIME = 0.05

GRID = [{"m": m, "alpha_bar": ab, "trials": 20_000, "j_rule": "theory"} for m in (1, 3, 10) for ab in (100.0, 1000.0)]
QUICK_GRID = [{"m": m, "alpha_bar": ab, "trials": 2000, "j_rule": "theory"} for m in (1, 5) for ab in (100.0, 1000.0)]
SEEDS = 10
QUICK_SEEDS = 2


def p_anti(c: float = ANTICONCENTRATION_C) -> float:
    """``c (1 - Phi(1))``: the anti-concentration floor at one standard deviation."""
    return c * erfc(1 / math.sqrt(2)) / 2


def n_samples(delta_prime: float, floor: float) -> int:
    """``J = ceil(log(1/delta') / log(1/(1 - floor)))``."""
    return math.ceil(math.log(1 / delta_prime) / math.log(1 / (1 - floor)))


def planned_values(agent, rounds: int) -> np.ndarray:
    """``Q̄_0(s, 0)`` of every row over ``rounds`` calls of ``agent.policy()`` (fresh samples each call)."""
    out = []
    for _ in range(rounds):
        agent.policy()
        out.append(agent.Q[0, :, 0].copy())
    return np.concatenate(out)


def run(config: dict, seed: int) -> dict:
    rng = np.random.default_rng(np.random.SeedSequence([seed, 19]))
    m, ab, trials = int(config["m"]), float(config["alpha_bar"]), int(config["trials"])
    floor = p_anti() * (4.0 if config["j_rule"] == "overestimated" else 1.0)
    if config["j_rule"] not in ("theory", "overestimated"):
        raise ValueError(f"j_rule={config['j_rule']!r}, expected 'theory' or 'overestimated'")
    J = n_samples(DELTA_PRIME, floor)
    alpha, f = draw_problem(m, ab, 0.0, True, rng)
    p_bar = alpha / ab
    target = 1.0 / (2 * ab)                              # 2 alpha_bar K_inf = 1
    mu = brentq(lambda u: k_inf(p_bar, u, f, b=1.0) - target, p_bar @ f + 1e-12, 1 - 1e-9, xtol=1e-13)
    rounds = -(-trials // m)
    planned = planned_values(sampler_agent(alpha, KAPPA, J, rng, H=2, last_rewards=f[1:]), rounds)
    single = planned_values(sampler_agent(alpha, KAPPA, 1, rng, H=2, last_rewards=f[1:]), rounds)
    return {"J": J, "mu": float(mu), "failures": int((planned < mu).sum()), "trials": int(planned.size),
            "p_single": float((single >= mu).mean()), "bound_single": float(DIRICHLET_ANTICONCENTRATION.evaluate(
                alpha_bar=ab, K=k_inf(p_bar, mu, f, b=1.0), c=ANTICONCENTRATION_C))}


def check_j_samples(df):
    """Failures of the max of J samples, pooled over runs: binomial test of P(fail) <= delta'."""
    k, n = int(df["failures"].sum()), int(df["trials"].sum())
    v = below(np.r_[np.ones(k), np.zeros(n - k)], 0.5, DELTA_PRIME, trivial=1.0)
    v.details.update({"J": sorted(set(int(j) for j in df["J"])), "p_single_min": float(df["p_single"].min()),
                      "bound_single": float(df["bound_single"].max()),
                      # reported ratio: anti-concentration floor / measured single-sample probability
                      "tightness": float(df["bound_single"].max() / max(df["p_single"].min(), 1e-300))})
    return v


CLAIMS = [
    Claim(name="opsrl-j-samples", experiment=NAME, bound=DIRICHLET_ANTICONCENTRATION, check=check_j_samples,
          control={"j_rule": "overestimated"},
          mutants=("opsrl.first-sample", "opsrl.mean-of-samples", "opsrl.r0-zero", "opsrl.kappa-ignored",
                   "opsrl.n0-scaled"),
          description="OPSRL's planned max of J = ceil(log(1/delta')/log(1/(1 - p_anti))) inflated-posterior samples "
                      "reaches a target one K_inf-standard-deviation above the mean with probability >= 1 - delta'; "
                      "one sample or their average instead of the max, r0 = 0, no inflation, n0/100 and J from a 4x "
                      "overestimated floor are rejected.",
          source="Tiapkin et al. (2022), OPSRL, choice of J in Theorem 1 via the anti-concentration inequality [R]"),
]
