r"""Bounds for offline robust RL on d-rectangular linear MDPs: R2PVI (Tang, Liu & Xu, ICML 2025) and DRPVI
(Liu & Xu, NeurIPS 2024), spec ``r2pvi_drrpo.md`` sections 2.2-2.4 and 4.2.

Provenance (read before using a constant as a fact)
---------------------------------------------------
- The R2PVI full text could not be read (only the abstract, tag [A]); its beta constants (16, 16, 8) and
  the form ``SubOpt <= 2 beta Phi`` come from a third-party digest of the paper (spec tag [S]) and are
  encoded here with provenance ``"R"`` as **named symbols** (``c_beta``) whose digest values are listed in
  :data:`BETA_CONSTANTS`; the log factors ``xi`` are unknown ([U]) and are a named parameter, by default
  DRPVI's ``iota = log(2 d H^2 K / delta)`` (:func:`log_factor`).
- DRPVI's bound ``SubOpt <= 8 sqrt(d) H sqrt(iota) Phi`` is derived ([D]) from the paper's Lemma D.1
  (``SubOpt <= 2 sup_P sum_h E Gamma_h``) and Lemma D.2 (``Gamma_h = 4 sqrt(d) H sqrt(iota) sum_i
  ||phi_i 1_i||_{Lambda_h^{-1}}``), both read in the paper text ([P]).
- The instance-independent rates are big-O statements (``hidden_constant=True``): only scale-free checks.

Where the instance bound can bind (``SubOpt <= V*`` always): only where the behaviour covers every factor the
optimal policy can be moved onto by the admissible set; then from K ~ 4e7 for d = 3, H = 2 (the digest's
constants are large: ``beta_TV = 16 d H sqrt(xi) ~ 470`` there). On the paper's simulated linear MDP and on a
coverage-poor instance it never binds (``experiments/r2pvi_bound.py``, ``docs/offline.md``).

The *uncertainty function*
``Phi(s) = sup_{P in U(P0)} sum_h E^{pi*, P}[ sum_i ||phi_i(s_h, a_h) 1_i||_{Lambda_h^{-1}} | s_1 = s ]``
is a number computed by the experiments (it needs a robust planner; bounds import no solver):
``experiments/offline_truth.py::uncertainty_term``.
"""
from __future__ import annotations

import math

import sympy as sp

from .core import Bound, register

__all__ = ["beta", "log_factor", "BETA_CONSTANTS", "INSTANCE", "DRPVI_INSTANCE", "RATES", "COVERAGE"]

d, H, K, lam, xi, Phi, c_beta, c_dag, delta, iota, kappa = sp.symbols(
    "d H K lambda xi Phi c_beta c_dagger delta iota kappa", positive=True)

#: Multiplicative constants of beta in Theorem 5.1 per divergence, with provenance.
#: ("S" = third-party digest of the paper, unverified against the PDF; encoded as provenance "R".)
BETA_CONSTANTS = {
    "tv": (16.0, "S: beta_TV = 16 d H sqrt(xi_TV)"),
    "kl": (16.0, "S: beta_KL = 16 d lam e^{H/lam} sqrt(H/lam + xi_KL)"),
    "chi2": (8.0, "S: beta_chi2 = 8 d H^2 (1 + 1/lam) sqrt(xi_chi2)"),
}

_BETA_EXPR = {
    "tv": c_beta * d * H * sp.sqrt(xi),
    "kl": c_beta * d * lam * sp.exp(H / lam) * sp.sqrt(H / lam + xi),
    "chi2": c_beta * d * H ** 2 * (1 + 1 / lam) * sp.sqrt(xi),
}

_SYMBOLS = {
    "d": "feature dimension (number of latent factors), >= 1",
    "H": "horizon, >= 1",
    "K": "number of offline trajectories, >= 1",
    "lambda": "regularizer lam > 0 of the d-RRMDP",
    "xi": "log factor xi_div = log(poly(d, H, K)/delta) [U]; default DRPVI's iota = log(2 d H^2 K / delta)",
    "Phi": "uncertainty function sup_P sum_h E^{pi*,P}[sum_i phi_i sqrt([Lambda_h^-1]_ii)] at s_1 (>= 0)",
    "c_beta": "constant of beta: 16 (TV), 16 (KL), 8 (chi2) per the digest [S]",
    "c_dagger": "robust partial coverage constant c^dagger > 0 (Assumption 5.3 per the digest [S])",
}


def log_factor(d: int, H: int, K: int, delta: float) -> float:
    """Default log factor ``xi = log(2 d H^2 K / delta)`` (DRPVI's iota [P]; R2PVI's own xi is [U])."""
    if not 0 < delta < 1:
        raise ValueError(f"delta={delta} must lie in (0, 1)")
    return math.log(2 * d * H * H * K / delta)


def beta(divergence: str, d: int, H: int, K: int, delta: float, lam: float | None = None,
         xi: float | None = None, c_beta: float | None = None) -> float:
    """The bonus multiplier of Theorem 5.1 for ``divergence`` in {"tv", "kl", "chi2"} (provenance [S]).

    ``xi`` defaults to :func:`log_factor`; ``c_beta`` to :data:`BETA_CONSTANTS`. KL and chi2 need ``lam``.
    """
    if divergence not in _BETA_EXPR:
        raise ValueError(f"divergence={divergence!r} is not known; use 'tv', 'kl' or 'chi2'")
    if divergence != "tv" and (lam is None or lam <= 0):
        raise ValueError(f"beta for {divergence!r} needs lam > 0, got {lam}")
    xi_v = log_factor(d, H, K, delta) if xi is None else xi
    c = BETA_CONSTANTS[divergence][0] if c_beta is None else c_beta
    if divergence == "tv":
        return c * d * H * math.sqrt(xi_v)
    if divergence == "kl":
        return c * d * lam * math.exp(H / lam) * math.sqrt(H / lam + xi_v)
    return c * d * H * H * (1 + 1 / lam) * math.sqrt(xi_v)


_NAMES = {"tv": "TV", "kl": "KL", "chi2": "chi-square"}

#: Theorem 5.1 (instance-dependent), one bound per divergence: SubOpt(pi_hat, s, lam) <= 2 beta Phi(s).
INSTANCE = {
    div: register(Bound(
        name=f"r2pvi-{div}-instance",
        expr=2 * _BETA_EXPR[div] * Phi,
        symbols={k: v for k, v in _SYMBOLS.items() if k in {"d", "H", "xi", "Phi", "c_beta"}
                 | ({"lambda"} if div != "tv" else set())},
        source="Tang, Liu & Xu (ICML 2025), Theorem 5.1 (constants from a digest of the paper, not the paper itself)",
        probability="1 - delta",
        assumptions=("d-rectangular linear MDP with simplex features", "rewards r_h = phi . theta_h in [0, 1]",
                     "K i.i.d. trajectories of a behaviour policy in the nominal model",
                     f"R2PVI-{_NAMES[div]} run with beta = 2-free factor of this bound / 2"),
        kind="upper", provenance="R",
        lhs=r"V^{\star,\lambda}_1(s) - V^{\hat\pi,\lambda}_1(s)",
    ))
    for div in ("tv", "kl", "chi2")
}

#: DRPVI, Liu & Xu (2024) Theorem 4.4 with the explicit beta of Lemma D.2 [D from P].
DRPVI_INSTANCE = register(Bound(
    name="drpvi-instance",
    expr=8 * sp.sqrt(d) * H * sp.sqrt(iota) * Phi,
    symbols={"d": _SYMBOLS["d"], "H": _SYMBOLS["H"], "Phi": _SYMBOLS["Phi"] + " (TV-constrained set U^rho)",
             "iota": "log(2 d H^2 K / delta)"},
    source="Liu & Xu (NeurIPS 2024), Theorem 4.4 with Lemmas D.1-D.2 (beta_1 = 4 sqrt(d) H sqrt(iota))",
    probability="1 - delta",
    assumptions=("d-rectangular linear MDP, TV balls, fail state", "ridge lambda = 1",
                 "K > max(512 log(2dH^2/delta)/kappa^2, 20449 d^2 H^2/kappa)"),
    kind="upper", provenance="D",
    lhs=r"V^{\star,\rho}_1(s) - V^{\hat\pi,\rho}_1(s)",
))

#: Instance-independent rates under robust partial coverage (big-O, constants hidden) [S].
RATES = {
    "tv": register(Bound("r2pvi-tv-rate", d ** 2 * H ** 2 / sp.sqrt(c_dag * K),
                         {k: _SYMBOLS[k] for k in ("d", "H", "K", "c_dagger")},
                         "Tang, Liu & Xu (ICML 2025), Corollary of Theorem 5.1 (TV), via digest",
                         hidden_constant=True, probability="1 - delta", provenance="R")),
    "kl": register(Bound("r2pvi-kl-rate", sp.sqrt(lam) * sp.exp(H / lam) * d ** 2 * H ** sp.Rational(3, 2)
                         / sp.sqrt(c_dag * K),
                         {k: _SYMBOLS[k] for k in ("d", "H", "K", "lambda", "c_dagger")},
                         "Tang, Liu & Xu (ICML 2025), Corollary of Theorem 5.1 (KL), via digest",
                         hidden_constant=True, probability="1 - delta", provenance="R")),
    "chi2": register(Bound("r2pvi-chi2-rate", d ** 2 * H ** 3 * (1 + 1 / lam) / sp.sqrt(c_dag * K),
                           {k: _SYMBOLS[k] for k in ("d", "H", "K", "lambda", "c_dagger")},
                           "Tang, Liu & Xu (ICML 2025), Corollary of Theorem 5.1 (chi-square), via digest",
                           hidden_constant=True, probability="1 - delta", provenance="R")),
    "drpvi": register(Bound("drpvi-rate", sp.sqrt(d) * H ** 2 / sp.sqrt(kappa * K),
                            {"d": _SYMBOLS["d"], "H": _SYMBOLS["H"], "K": _SYMBOLS["K"],
                             "kappa": "min_h lambda_min(E^{pi_b}[phi phi^T]) > 0"},
                            "Liu & Xu (NeurIPS 2024), Corollary 4.5", hidden_constant=True,
                            probability="1 - delta", provenance="P")),
}

#: Explicit form of the corollary [D]: Phi <= d H / sqrt(c_dagger K) gives SubOpt <= 2 beta d H / sqrt(c_dagger K).
COVERAGE = {
    div: register(Bound(
        name=f"r2pvi-{div}-coverage",
        expr=2 * _BETA_EXPR[div] * d * H / sp.sqrt(c_dag * K),
        symbols={k: v for k, v in _SYMBOLS.items() if k != "Phi" and (div != "tv" or k != "lambda")},
        source=f"Tang, Liu & Xu (ICML 2025), Theorem 5.1 + robust partial coverage ({_NAMES[div]}), "
               "derived: sum_i E[phi_i / sqrt(gamma + K c E phi_i^2)] <= d / sqrt(c K)",
        probability="1 - delta", provenance="D",
        assumptions=("Lambda_h >= gamma I + K c_dagger E^{pi*,P}[(phi_i 1_i)(phi_i 1_i)^T] for all P, h, i",),
    ))
    for div in ("tv", "kl", "chi2")
}
