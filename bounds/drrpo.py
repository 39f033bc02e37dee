r"""Bounds for DR-RPO (Gu, He, Liu & Xu 2025, arXiv:2510.14246) and its policy-regularised robust objective.

Provenance (read before using any of these as the paper's)
---------------------------------------------------------
Only the abstract of the DR-RPO paper could be read [A]: it states *sublinear regret* and "polynomial
suboptimality bounds ... matching value-based approaches", nothing more. So:

- ``drrpo-regret`` is the **shape** of an OPPO-type bound (Cai et al. 2020's analysis transported to the
  d-rectangular setting, spec ``r2pvi_drrpo.md`` section 3.2): a statistical term times ``sqrt(K)`` plus a
  mirror-descent optimisation term ``H^2 sqrt(K log A)``. The exponents of ``d`` and ``H`` in the statistical
  term and both constants are unknown ([U]); they are **named symbols** (``p_d``, ``p_H``, ``c_stat``,
  ``c_opt``) with DR-LSVI-UCB-like placeholder values listed in :data:`REGRET_PLACEHOLDERS`, and the bound is
  ``hidden_constant`` (only its ``sqrt(K)`` growth is checked). Provenance ``"U"``.
- The regularisation limits are **derived here** ([D]) for the reconstructed objective
  (:mod:`solvers.robust.policy_regularized`): they are facts about that objective, not statements of the paper.
- ``dr-lsvi-ucb-regret``: DR-LSVI-UCB's regret shape ``O~(d H^2 sqrt(K))`` as recalled ([R]; the AISTATS paper
  was not re-read), ``hidden_constant``.
"""
from __future__ import annotations

import sympy as sp

from .core import Bound, register

__all__ = ["REGRET", "DR_LSVI_UCB_REGRET", "TAU_TO_ZERO", "TAU_TO_INFINITY", "LEARNER_REFERENCE",
           "EVALUATION_RATE", "REGRET_PLACEHOLDERS"]

d, H, K, A, iota, tau = sp.symbols("d H K A iota tau", positive=True)
p_d, p_H, c_stat, c_opt = sp.symbols("p_d p_H c_stat c_opt", positive=True)
kl_star, span_q, n = sp.symbols("L_ref Delta_Q n", positive=True)

#: Placeholder values of the unknown exponents/constants of ``drrpo-regret`` [U] (DR-LSVI-UCB-like d^1 H^2).
REGRET_PLACEHOLDERS = {"p_d": 1.0, "p_H": 2.0, "c_stat": 1.0, "c_opt": 1.0}

_SRC = "Gu et al. (2025), abstract (sublinear regret); shape reconstructed from OPPO-type analyses"

REGRET = register(Bound(
    name="drrpo-regret",
    expr=(c_stat * d ** p_d * H ** p_H * sp.sqrt(iota) + c_opt * H ** 2 * sp.sqrt(sp.log(A))) * sp.sqrt(K),
    symbols={"d": "feature dimension", "H": "horizon", "K": "episodes", "A": "number of actions",
             "iota": "log factor log(d H K / delta) [U]",
             "p_d": "exponent of d in the statistical term [U] (placeholder 1)",
             "p_H": "exponent of H in the statistical term [U] (placeholder 2)",
             "c_stat": "constant of the statistical (bonus) term [U]",
             "c_opt": "constant of the mirror-descent term [U] (eta ~ sqrt(log A / (H^2 K)) in OPPO)"},
    source=_SRC + " [reconstruction: exponents and constants unknown]",
    hidden_constant=True, probability="1 - delta", provenance="U",
    assumptions=("d-rectangular linear MDP with simplex features, known rewards", "TV balls (reconstruction)",
                 "softmax policies with KL regularisation towards pi_ref (reconstruction)"),
    lhs=r"\sum_{k \le K} V^{\star,\rho,\tau}_1(s_1) - V^{\pi^k,\rho,\tau}_1(s_1)",
))

DR_LSVI_UCB_REGRET = register(Bound(
    name="dr-lsvi-ucb-regret",
    expr=d * H ** 2 * sp.sqrt(iota * K),
    symbols={"d": "feature dimension", "H": "horizon", "K": "episodes", "iota": "log factor"},
    source="Liu & Xu (AISTATS 2024), regret theorem of DR-LSVI-UCB (order recalled, not re-read)",
    hidden_constant=True, probability="1 - delta", provenance="R",
    lhs=r"\sum_{k \le K} V^{\star,\rho}_1(s_1) - V^{\pi^k,\rho}_1(s_1)",
))

TAU_TO_ZERO = register(Bound(
    name="drrpo-tau-to-zero",
    expr=tau * kl_star,
    symbols={"tau": "KL weight tau >= 0",
             "L_ref": "sum_h max_s log(1 / pi_ref_h(a*_h(s)|s)), a* the unregularised robust greedy action"},
    source="Gu et al. (2025) objective as reconstructed; derived: V*_tau >= V^{pi*_0}_tau >= V*_0 - tau L_ref "
           "(robust evaluation is monotone and shifts by at most the summed KL) and V*_tau <= V*_0 (KL >= 0)",
    provenance="D",
    assumptions=("rectangular (d or sa) uncertainty set", "pi_ref > 0 on the unregularised greedy actions"),
    lhs=r"0 \le V^{\star,\rho,0}_1(s) - V^{\star,\rho,\tau}_1(s)",
))

TAU_TO_INFINITY = register(Bound(
    name="drrpo-tau-to-infinity",
    expr=span_q / (2 * tau),
    symbols={"tau": "KL weight tau > 0", "Delta_Q": "span_a Q*_{tau,h}(s, a) at the same (h, s)"},
    source="Gu et al. (2025) objective as reconstructed; derived: for pi* ∝ ref e^{Q/tau}, "
           "KL(pi* || ref) <= (E_{pi*} Q - E_ref Q)/tau <= Delta_Q TV / tau, then Pinsker",
    provenance="D",
    lhs=r"\mathrm{TV}\big(\pi^\star_{\tau,h}(\cdot|s), \pi^{\rm ref}_h(\cdot|s)\big)",
))

LEARNER_REFERENCE = register(Bound(
    name="drrpo-learner-reference",
    expr=span_q / (2 * tau),
    symbols={"tau": "KL weight tau > 0",
             "Delta_Q": "max over past episodes j of span_a phi(s, a) . w^j_h (the learner's linear optimistic Q)"},
    source="Gu et al. (2025) update as reconstructed; derived: W^k = sum_j eta (1 + eta tau)^{-(k-j)} w^j has "
           "span_a phi . W^k <= Delta_Q / tau, and TV(ref e^Z / norm, ref) <= span(Z) / 2 (Pinsker)",
    provenance="D",
    lhs=r"\mathrm{TV}\big(\pi^K_h(\cdot|s), \pi^{\rm ref}_h(\cdot|s)\big)",
))

EVALUATION_RATE = register(Bound(
    name="drrpo-evaluation-rate",
    expr=1 / sp.sqrt(n),
    symbols={"n": "episodes of data per stage"},
    source="Gu et al. (2025) evaluation step as reconstructed (DR-LSVI-UCB-type optimistic robust evaluation); "
           "derived: the l1 bonus beta sum_i phi_i [Lambda^-1]_ii^{1/2} and the ridge error both scale as n^{-1/2} "
           "on well-covered data",
    hidden_constant=True, provenance="D",
    lhs=r"\hat V^{\pi}_1(s_1) - V^{\pi,\rho,\tau}_1(s_1)",
))
