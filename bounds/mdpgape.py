r"""MDP-GapE (Jonsson, Kaufmann, Ménard, Darwiche Domingues, Leurent, Valko, NeurIPS 2020, arXiv:2006.05879):
correctness, the gap-dependent sample complexity and its bandit reduction, and Sparse Sampling's call count.

Provenance. The paper's full text could not be read; the abstract [A] states that MDP-GapE identifies a
near-optimal action with high probability and that its number of oracle calls is bounded in terms of the
sub-optimality gaps of the visited state-action pairs. Every constant below is recalled [R] (spec section
3.4) and kept hidden or named:

``mdpgape-correctness`` [R: the theory thresholds]
    With the thresholds of :func:`solvers.tree_search.theory_thresholds`, ``P(r(a_hat) > eps) <= delta`` where
    ``r(a) = Q*_H(s_1, a*) - Q*_H(s_1, a)`` is the simple regret of the recommendation at the planning depth.
``mdpgape-confidence-event`` [R]
    The event behind it: ``L^t_1(s_1, a) <= Q*_H(s_1, a) <= U^t_1(s_1, a)`` for all ``a`` and ``t``,
    with probability ``>= 1 - delta`` (the largest violation is ``<= 0``).
``mdpgape-sample-complexity`` [R, hidden constant]
    The bound sums, over the visited nodes, ``beta poly(H) / gap~^2`` with the gaps of the visited pairs
    mixed with ``eps`` (exact form not re-read). Encoded through its root term, the part we can state
    exactly: ``n <= c H^3 log(3 (B K)^H / delta) Lambda`` with ``Lambda = sum_a 1 / max(Delta_a, eps)^2``,
    ``Delta_a`` the root gaps in the UGapE convention (:func:`root_gaps`), ``H`` calls per trajectory times
    ``poly(H) = H^2`` (the square of a width summed over ``H`` stages, our reading of the proof skeleton
    [R]). Only scale-free checks apply (the ratio must not trend along ``1 / max(Delta, eps)``).
``ugape-bandit-complexity`` [R, hidden constant]
    For ``H = 1`` the bound reduces to UGapE's (Gabillon, Ghavamzadeh & Lazaric 2012):
    ``n <= c sum_a log(1/delta) / max(Delta_a, eps)^2``.
``sparse-sampling-calls`` [D]
    Sparse Sampling (Kearns, Mansour & Ng 2002) with width ``C`` and depth ``H`` makes exactly
    ``sum_{d < H} (K C)^(d+1) = K C ((K C)^H - 1) / (K C - 1)`` calls (``(K C)^H`` order), whatever the gaps;
    at most that when identical next states are merged.

:func:`worst_case_exponent` is the exponent of ``1/eps`` in the worst case ``(B K)^H / eps^2`` when the depth
grows as ``H = log(1/eps) / log(1/gamma)``: ``2 + log(B K) / log(1/gamma)`` (8.46 for the paper's Garnets) [D].
"""
from __future__ import annotations

import math

import numpy as np
import sympy

from .core import Bound, register

__all__ = ["MDPGAPE_CORRECTNESS", "MDPGAPE_EVENT", "MDPGAPE_COMPLEXITY", "UGAPE_BANDIT", "SPARSE_SAMPLING_CALLS",
           "root_gaps", "gap_complexity", "worst_case_exponent"]

eps, delta, H, B, K, C, Lam = sympy.symbols("epsilon delta H B K C Lambda", positive=True)

_COMMON = {"epsilon": "accuracy eps >= 0", "delta": "confidence level in (0, 1)"}

MDPGAPE_CORRECTNESS = register(Bound(
    name="mdpgape-correctness",
    expr=eps,
    symbols={"epsilon": "accuracy eps >= 0"},
    source="Jonsson et al. (2020), MDP-GapE, correctness theorem (statement [A], thresholds recalled [R])",
    probability="1 - delta",
    assumptions=("transitions with at most B next states", "rewards in [0, 1]",
                 "theory thresholds beta_r, beta_p (spec section 3.2, recalled)"),
    kind="upper",
    provenance="R",
    lhs=r"Q^\star_H(s_1, a^\star) - Q^\star_H(s_1, \hat a)",
))

MDPGAPE_EVENT = register(Bound(
    name="mdpgape-confidence-event",
    expr=sympy.Integer(0),
    symbols={},
    source="Jonsson et al. (2020), MDP-GapE, the confidence event of the correctness proof (recalled [R])",
    probability="1 - delta",
    assumptions=("transitions with at most B next states", "rewards in [0, 1]", "theory thresholds"),
    kind="upper",
    provenance="R",
    lhs=r"\max_a \max(L_1(s_1,a) - Q^\star_H(s_1,a),\ Q^\star_H(s_1,a) - U_1(s_1,a))",
))

MDPGAPE_COMPLEXITY = register(Bound(
    name="mdpgape-sample-complexity",
    expr=H**3 * sympy.log(3 * (B * K)**H / delta) * Lam,
    symbols={"H": "planning depth (calls per trajectory)", "B": "support bound of the transitions",
             "K": "number of actions", "delta": "confidence level in (0, 1)",
             "Lambda": "root gap complexity sum_a 1/max(Delta_a, eps)^2 (bounds.mdpgape.gap_complexity)"},
    source="Jonsson et al. (2020), MDP-GapE, gap-dependent sample complexity (form recalled [R]; root term)",
    hidden_constant=True,
    probability="1 - delta",
    assumptions=("theory thresholds", "the inner gaps' contribution folded into the hidden constant"),
    kind="upper",
    provenance="R",
    lhs=r"n_{\mathrm{calls}}",
))

UGAPE_BANDIT = register(Bound(
    name="ugape-bandit-complexity",
    expr=sympy.log(1 / delta) * Lam,
    symbols={"delta": "confidence level in (0, 1)",
             "Lambda": "gap complexity sum_a 1/max(Delta_a, eps)^2 (bounds.mdpgape.gap_complexity)"},
    source="Gabillon, Ghavamzadeh & Lazaric (2012), UGapE; MDP-GapE with H = 1 (Jonsson et al. 2020) [R]",
    hidden_constant=True,
    probability="1 - delta",
    assumptions=("K arms with rewards in [0, 1]",),
    kind="upper",
    provenance="R",
    lhs=r"n_{\mathrm{pulls}}",
))

SPARSE_SAMPLING_CALLS = register(Bound(
    name="sparse-sampling-calls",
    expr=K * C * ((K * C)**H - 1) / (K * C - 1),
    symbols={"K": "number of actions", "C": "samples per (node, action)", "H": "depth"},
    source="Kearns, Mansour & Ng (2002), Sparse Sampling: the size of the sampled tree (derived [D])",
    assumptions=("K C >= 2; equality without merging identical next states",),
    kind="upper",
    provenance="D",
    lhs=r"n_{\mathrm{calls}}",
))


def root_gaps(q) -> np.ndarray:
    """UGapE's gaps of the values ``q (K,)``: ``max q - q_a`` for ``a != a*`` and ``max q - second max`` for
    ``a*`` (the best arm's gap is its margin over the runner-up). ``K = 1``: ``[inf]``."""
    q = np.asarray(q, dtype=float)
    if q.size == 1:
        return np.array([np.inf])
    order = np.sort(q)
    gaps = q.max() - q
    best = int(np.argmax(q))
    gaps[best] = order[-1] - order[-2]
    return gaps


def gap_complexity(q, eps_value: float) -> float:
    """``Lambda = sum_a 1 / max(Delta_a, eps)^2`` with the gaps of :func:`root_gaps` (``eps > 0`` or all gaps > 0)."""
    g = np.maximum(root_gaps(q), float(eps_value))
    if np.any(g <= 0):
        raise ValueError("gap_complexity needs eps > 0 or positive gaps (two tied best actions with eps = 0 "
                         "have infinite complexity)")
    return float(np.sum(1.0 / g**2))


def worst_case_exponent(B_value: int, K_value: int, gamma: float) -> float:
    """``2 + log(B K) / log(1/gamma)``: the exponent of ``1/eps`` in ``(B K)^H / eps^2`` with
    ``H = log(1/eps) / log(1/gamma)`` (8.46 for ``B = 2, K = 5, gamma = 0.7``) [D]."""
    return 2.0 + math.log(B_value * K_value) / math.log(1.0 / gamma)
