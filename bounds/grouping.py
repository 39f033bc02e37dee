r"""Action grouping: Li, Ju & Shroff (2024), "Achieving Sample and Computational Efficient Reinforcement Learning by
Action Space Reduction via Grouping", ICLR 2024, arXiv:2306.12981, as SymPy bounds.

The paper's full text was not available (only its abstract and first page could be read; spec
``gosprl_grouping_avgreward_lmdp.md`` section 0). The abstract states the *decomposition* of the performance loss
into an approximation error, shrinking as the grouping is refined, and an estimation error, growing with the number
of groups when samples or computation are limited [A]. The forms and constants below are **ours**: derived [D] by
the standard simulation arguments for the spec's instantiation (section 3.2 [I]); replace them with Theorem 1's once
it is read.

Bounds registered here (rewards in [0, 1], discount ``gamma in [0, 1)``; lifted MDP ``M_g``, dissimilarities as in
:mod:`mdptheory.grouping`):

``grouping-approximation``  [D]
    ``V* - V*_{M_g} <= (eps_R + gamma eps_P / (2 (1 - gamma))) / (1 - gamma)``. Proof: ``V*_{M_g} <= V*`` (a lifted
    policy is a policy of ``M``) and ``(T V*)(s) - (T_g V*)(s) <= Delta_R(s,a*) + gamma Delta_P(.|s,a*) . V*
    <= eps_R + gamma eps_P span(V*) / 2`` with ``span(V*) <= 1 / (1 - gamma)``; then contract.
``grouping-approximation-pointwise``  [D]
    the same with the pointwise ``eps = max_{s,a} |Delta_R| + gamma ||Delta_P||_1 / (2 (1 - gamma))``:
    ``V* - V*_{M_g} <= eps / (1 - gamma)`` (never larger than the first: ``eps <= eps_R + w eps_P``).
``grouping-estimation``  [D], w.p. ``1 - delta``
    ``V*_{M_g} - V^{pi_hat}_{M_g} - Opt <= 2 (eps_hat_R + gamma eps_hat_P / (2 (1 - gamma))) / (1 - gamma)`` with
    ``eps_hat_R = sqrt(ln(4 S G / delta) / (2 N))`` (Hoeffding) and ``eps_hat_P = sqrt(2 (S ln 2 + ln(2 S G / delta)) / N)``
    (Weissman et al. 2003), a union bound over the ``S G`` pairs.
``grouping-optimization``  [D]
    ``2 gamma^K / (1 - gamma)^2``: the greedy policy of the ``K``-th value-iteration sweep from ``V_0 = 0`` (Singh &
    Yee 1994).
``grouping-total``  [D], w.p. ``1 - delta``
    ``V* - V^{pi_hat} <= approximation (pointwise) + estimation + optimisation``; the played policy has in ``M``
    exactly its value in ``M_g`` (the lifted dynamics are the true mixtures), so nothing else enters.
``grouping-tradeoff``  [A]: the abstract's qualitative statement, as the rate of the estimation term in the budget,
    ``Est ~ sqrt(S G / (B_s / S))`` at ``N = B_s / (S G)`` (hidden constant and logs).
"""
from __future__ import annotations

import sympy

from .core import Bound, register

S, G, N, K, gamma, delta, eps, eps_R, eps_P, B_s = sympy.symbols(
    "S G N K gamma delta epsilon epsilon_R epsilon_P B_s", positive=True)

SOURCE = "Li, Ju & Shroff (2024), arXiv:2306.12981"
_REWARDS = "rewards in [0, 1]"
_SYMS = {"gamma": "discount in [0, 1)", "epsilon_R": "max_{s,a} |Delta_R(s,a)| (intra-group reward residual)",
         "epsilon_P": "max_{s,a} ||Delta_P(.|s,a)||_1 (intra-group transition residual, L1)"}

#: ``w = gamma / (2 (1 - gamma))``, the weight of ``||Delta_P||_1`` in the pointwise dissimilarity.
WEIGHT = gamma / (2 * (1 - gamma))
#: The radii of the estimated lifted model after ``N`` samples per (state, group), ``delta / 2`` each.
EPS_HAT_R = sympy.sqrt(sympy.log(4 * S * G / delta) / (2 * N))
EPS_HAT_P = sympy.sqrt(2 * (S * sympy.log(2) + sympy.log(2 * S * G / delta)) / N)

APPROXIMATION = register(Bound(
    name="grouping-approximation", expr=(eps_R + WEIGHT * eps_P) / (1 - gamma), symbols=dict(_SYMS),
    source=f"{SOURCE}, the approximation error (form derived; the paper's Theorem 1 was not read)",
    assumptions=(_REWARDS, "the lifted MDP uses the lower-level policy h the residuals are taken under"),
    provenance="D", lhs=r"\|V^\star - V^\star_{M_g}\|_\infty"))

APPROXIMATION_POINTWISE = register(Bound(
    name="grouping-approximation-pointwise", expr=eps / (1 - gamma),
    symbols={"gamma": "discount in [0, 1)",
             "epsilon": "max_{s,a} |Delta_R(s,a)| + gamma ||Delta_P(.|s,a)||_1 / (2 (1 - gamma))"},
    source=f"{SOURCE}, the approximation error (pointwise form, derived)", assumptions=(_REWARDS,), provenance="D",
    lhs=r"\|V^\star - V^\star_{M_g}\|_\infty"))

ESTIMATION = register(Bound(
    name="grouping-estimation", expr=2 * (EPS_HAT_R + WEIGHT * EPS_HAT_P) / (1 - gamma),
    symbols={"S": "states", "G": "groups", "N": "samples per (state, group)", "gamma": "discount in [0, 1)",
             "delta": "failure probability in (0, 1)"},
    source=f"{SOURCE}, the estimation error (form derived: Hoeffding + Weissman et al. 2003, simulation lemma)",
    probability="1 - delta", assumptions=(_REWARDS, "N i.i.d. generative samples per (state, group)"),
    provenance="D", lhs=r"V^\star_{M_g} - V^{\hat\pi}_{M_g} - \mathrm{Opt}(K)"))

OPTIMIZATION = register(Bound(
    name="grouping-optimization", expr=2 * gamma ** K / (1 - gamma) ** 2,
    symbols={"K": "value-iteration sweeps from V_0 = 0", "gamma": "discount in [0, 1)"},
    source=f"{SOURCE}, Algorithm 1's K iterations (form derived: Singh & Yee (1994) + contraction)",
    assumptions=(_REWARDS, "the greedy policy of the K-th sweep"), provenance="D",
    lhs=r"\hat V^\star - \hat V^{\hat\pi}"))

TOTAL = register(Bound(
    name="grouping-total", expr=eps / (1 - gamma) + 2 * (EPS_HAT_R + WEIGHT * EPS_HAT_P) / (1 - gamma)
    + 2 * gamma ** K / (1 - gamma) ** 2,
    symbols={"epsilon": APPROXIMATION_POINTWISE.symbols["epsilon"], "S": "states", "G": "groups",
             "N": "samples per (state, group)", "K": "value-iteration sweeps", "gamma": "discount in [0, 1)",
             "delta": "failure probability in (0, 1)"},
    source=f"{SOURCE}, the performance-loss decomposition of the abstract (terms derived)", probability="1 - delta",
    assumptions=(_REWARDS,), provenance="D", lhs=r"\|V^\star - V^{\hat\pi}\|_\infty"))

TRADEOFF = register(Bound(
    name="grouping-tradeoff", expr=sympy.sqrt(S * S * G / B_s),
    symbols={"S": "states", "G": "groups", "B_s": "sample budget, N = B_s / (S G)"},
    source=f"{SOURCE}, abstract (estimation error grows with the number of groups at a fixed budget)",
    hidden_constant=True, probability="1 - delta", provenance="A", lhs=r"\mathrm{Est}(G, B_s)"))
