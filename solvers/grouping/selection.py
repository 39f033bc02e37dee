r"""Grouping selection under sample and compute budgets (Li, Ju & Shroff 2024, arXiv:2306.12981, section 5 as the
reviewers describe it [V-rev]; the concrete problem is the spec's reconstruction, ``gosprl_grouping_avgreward_lmdp.md``
section 3.2 [I], with derived [D] terms).

The performance loss of Algorithm 1 (:func:`solvers.grouping.grouped_planning`) is bounded by three terms
(``bounds/grouping.py`` states them as SymPy bounds; this module evaluates them numerically):

- approximation ``eps / (1 - gamma)``, ``eps = max_{s,a} |Delta_R| + w ||Delta_P||_1``, ``w = gamma / (2 (1 - gamma))``
  (:func:`approximation_term`);
- estimation ``2 (eps_hat_R + w eps_hat_P) / (1 - gamma)`` with the Hoeffding and Weissman radii of ``N`` samples
  per pair, union bound over the ``S G`` pairs, at confidence ``1 - delta`` (:func:`estimation_term`);
- optimisation ``2 gamma^K / (1 - gamma)^2`` (:func:`optimization_term`).

**Budgets.** ``N S G <= B_s`` and ``K S^2 G <= B_c`` give ``N = floor(B_s / (S G))`` and ``K = floor(B_c / (S^2 G))``
(:func:`samples_per_pair`, :func:`sweeps_for_budget`); the **Lagrangian** form prices samples and flops at
``lam_s``, ``lam_c`` and minimises ``bound + lam_s N S G + lam_c K S^2 G`` over integers ``N, K >= 1`` (both convex:
the continuous minimiser's floor and ceiling are compared).

**Search.** The groupings are the cuts of a complete-linkage dendrogram of the actions
(:func:`mdptheory.grouping.nested_groupings`, SciPy). A cut's pointwise dissimilarity lies in ``[D_G / 2, D_G]``
with ``D_G`` its merge height, so every ``G <= G_max`` costs one evaluation of three closed forms: the selection
minimises the upper bound ``J_up(G) = D_G / (1 - gamma) + Est + Opt`` and certifies its gap with the lower bounds
``J_lo(G) = D_G / (2 (1 - gamma)) + Est + Opt`` and, for every ``G > G_max``, ``Est + Opt`` at ``G_max + 1``
(both are nondecreasing in ``G``). ``n_evaluations <= G_max + 1`` whatever ``A``.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mdptheory import FiniteMDP, mutants
from mdptheory.grouping import Grouping, NestedGroupings, dissimilarities, nested_groupings
from mdptheory.sampling import sample_counts
from mdptheory.validation import as_generator, check_positive_int, check_real

__all__ = ["samples_per_pair", "sweeps_for_budget", "approximation_term", "estimation_term", "optimization_term",
           "selection_weight", "GroupingSelection", "select_grouping"]

#: The approximation term without its 1 / (1 - gamma) horizon factor.
APPROX_NO_HORIZON = mutants.register("grouping-selection", "approx-no-horizon",
                                     "the approximation term eps / (1 - gamma) loses its 1 / (1 - gamma) factor")
#: The transition dissimilarity weighted gamma / (1 - gamma) instead of gamma / (2 (1 - gamma)).
EPS_P_NOT_HALVED = mutants.register("grouping-selection", "eps-p-not-halved",
                                    "eps_P weighted gamma / (1 - gamma) instead of gamma / (2 (1 - gamma)) in the "
                                    "approximation term (the span's 1/2 forgotten)")
#: The compute budget divided by S G instead of S^2 G.
COMPUTE_S = mutants.register("grouping-selection", "compute-budget-s",
                             "K = floor(B_c / (S G)) instead of floor(B_c / (S^2 G)) (one sweep costed S G flops)")
#: The dendrogram height of the next finer cut used for G (the merge index off by one).
HEIGHT_OFF_BY_ONE = mutants.register("grouping-selection", "height-off-by-one",
                                     "the approximation of the G-cut read from merge A - G instead of A - G - 1 "
                                     "(the next finer cut's height)")
#: The candidate loop running over every cut instead of stopping at G_max.
ALL_CUTS = mutants.register("grouping-selection", "scan-all-cuts",
                            "the search loop runs over every cut G = 1 .. A instead of G = 1 .. G_max")


def _check_budget(B: Any, name: str) -> float:
    return check_real(B, name, low=0.0, low_open=True)


def samples_per_pair(B_s: float, S: int, G: int) -> int:
    """``N = floor(B_s / (S G))``, the samples per (state, group) that ``N S G <= B_s`` allows; an error below one."""
    B_s = _check_budget(B_s, "B_s")
    S, G = check_positive_int(S, "S"), check_positive_int(G, "G")
    N = math.floor(B_s / (S * G))
    if N < 1:
        raise ValueError(f"B_s = {B_s:g} buys fewer than one sample per (state, group) pair: S * G = {S} * {G} = "
                         f"{S * G}; raise B_s to at least {S * G} or use fewer groups")
    return int(N)


def sweeps_for_budget(B_c: float, S: int, G: int) -> int:
    """``K = floor(B_c / (S^2 G))``, the value-iteration sweeps that ``K S^2 G <= B_c`` allows; an error below one."""
    B_c = _check_budget(B_c, "B_c")
    S, G = check_positive_int(S, "S"), check_positive_int(G, "G")
    per_sweep = S * G if COMPUTE_S.active else S * S * G
    K = math.floor(B_c / per_sweep)
    if K < 1:
        raise ValueError(f"B_c = {B_c:g} buys less than one value-iteration sweep: one sweep costs S^2 * G = "
                         f"{S}^2 * {G} = {S * S * G} multiply-adds; raise B_c to at least {S * S * G} or use fewer "
                         "groups")
    return int(K)


def selection_weight(gamma: float) -> float:
    """``w = gamma / (2 (1 - gamma))``, the weight of ``||Delta_P||_1`` in the approximation term."""
    gamma = check_real(gamma, "gamma", low=0.0, high=1.0, high_open=True)
    return gamma / (1.0 - gamma) if EPS_P_NOT_HALVED.active else gamma / (2.0 * (1.0 - gamma))


def approximation_term(eps: float | np.ndarray, gamma: float) -> Any:
    """``eps / (1 - gamma)`` for the pointwise dissimilarity ``eps`` (an upper bound on ``V* - V*_{M_g}``)."""
    return eps if APPROX_NO_HORIZON.active else eps / (1.0 - gamma)


def _radii(N: Any, S: int, G: Any, delta: float) -> tuple[Any, Any]:
    """Hoeffding radius of ``R_hat_g`` and Weissman L1 radius of ``P_hat_g``, union bound over ``S G`` pairs,
    ``delta / 2`` each."""
    N = np.asarray(N, dtype=float)
    G = np.asarray(G, dtype=float)
    eps_R = np.sqrt(np.log(4.0 * S * G / delta) / (2.0 * N))
    eps_P = np.sqrt(2.0 * (S * math.log(2.0) + np.log(2.0 * S * G / delta)) / N)
    return eps_R, eps_P


def estimation_term(N: Any, S: int, G: Any, gamma: float, delta: float) -> Any:
    """``2 (eps_hat_R + w eps_hat_P) / (1 - gamma)``: twice the simulation-lemma error of the estimated lifted
    model, which holds for every policy w.p. ``1 - delta``."""
    eps_R, eps_P = _radii(N, S, G, delta)
    return 2.0 * (eps_R + gamma / (2.0 * (1.0 - gamma)) * eps_P) / (1.0 - gamma)


def optimization_term(K: Any, gamma: float) -> Any:
    """``2 gamma^K / (1 - gamma)^2``: the loss of the greedy policy of the ``K``-th sweep from ``V_0 = 0`` (rewards in
    [0, 1]; Singh & Yee 1994 with ``||V_{K-1} - V*|| <= gamma^(K-1) / (1 - gamma)``)."""
    return 2.0 * np.power(gamma, np.asarray(K, dtype=float)) / (1.0 - gamma) ** 2


@dataclass(frozen=True, eq=False)
class GroupingSelection:
    """The selected grouping, its ``(N, K)`` and certified bound values.

    Attributes
    ----------
    grouping : Grouping
        The cut into ``G`` groups of the dendrogram.
    G, N, K : int
    objective : float
        ``J_up(G)``: the loss bound at the selection (an upper bound on the exact bound at this cut); in the
        Lagrangian form it includes the resource costs.
    terms : dict
        ``approximation`` (``D_G / (1 - gamma)``), ``estimation``, ``optimization`` and, Lagrangian, ``cost``.
    exact_objective : float or None
        The bound with the cut's exact pointwise dissimilarity (one evaluation on the model; ``None`` when the
        dendrogram came from a pilot sample).
    lower_bound : float
        Certified lower bound on the exact bound's minimum over **every** cut of the dendrogram.
    gap : float
        ``objective - lower_bound``: the selection's exact bound is within ``gap`` of the best cut's.
    n_evaluations : int
        Closed-form evaluations of the bound made by the search (at most ``G_max + 1``).
    candidates : dict of ndarray
        ``G``, ``upper``, ``lower``, ``N``, ``K`` for every evaluated ``G <= G_max``.
    family : NestedGroupings
    """

    grouping: Grouping
    G: int
    N: int
    K: int
    objective: float
    terms: dict
    exact_objective: float | None
    lower_bound: float
    gap: float
    n_evaluations: int
    candidates: dict
    family: NestedGroupings
    method: str
    params: dict
    wall_time: float
    pilot_samples: int = 0
    policy: None = field(default=None, repr=False)   # no policy: run grouped_planning(mdp, grouping, N, K)

    @property
    def message(self) -> str:
        return (f"grouping selection ({self.method}): G = {self.G} of A = {self.family.A} actions, N = {self.N}, "
                f"K = {self.K}; bound {self.objective:.4g}, within {self.gap:.3g} of the best cut "
                f"({self.n_evaluations} bound evaluations) in {self.wall_time:.3g} s")


def _pilot_model(mdp: FiniteMDP, n: int, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    counts = sample_counts(mdp, n, rng)
    return counts / n, int(counts.sum())


def select_grouping(mdp: FiniteMDP, B_s: float | None = None, B_c: float | None = None, *, G_max: int = 64,
                    delta: float = 0.05, lam_s: float | None = None, lam_c: float | None = None,
                    family: NestedGroupings | None = None, pilot_samples: int | None = None,
                    rng: int | np.random.Generator | None = None) -> GroupingSelection:
    r"""Select ``(g, N, K)`` minimising the loss bound over the nested family of dendrogram cuts.

    Parameters
    ----------
    mdp : FiniteMDP
        Discounted, rewards in [0, 1] (the bound's span argument).
    B_s, B_c : float
        Sample and compute budgets (budget form): ``N S G <= B_s``, ``K S^2 G <= B_c``.
    G_max : int
        Largest number of groups searched; the search makes at most ``G_max + 1`` bound evaluations.
    delta : float in (0, 1)
        Confidence of the estimation term.
    lam_s, lam_c : float
        Prices of a sample and of a multiply-add (Lagrangian form, instead of the budgets).
    family : NestedGroupings, optional
        A ready dendrogram; default: complete linkage of the model's actions (or, with ``pilot_samples``, of the
        estimated model from that many samples per ``(s, a)``, drawn from ``rng``).
    """
    t0 = time.perf_counter()
    if not isinstance(mdp, FiniteMDP) or mdp.gamma is None:
        raise TypeError("select_grouping needs a discounted mdptheory.FiniteMDP")
    gamma, S, A = float(mdp.gamma), mdp.S, mdp.A
    if A < 2:
        raise ValueError("select_grouping needs at least 2 actions")
    G_max = check_positive_int(G_max, "G_max")
    delta = check_real(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
    budget = B_s is not None or B_c is not None
    lagrangian = lam_s is not None or lam_c is not None
    if budget == lagrangian:
        raise ValueError("give the budgets B_s and B_c, or the prices lam_s and lam_c (Lagrangian form), not both")
    if budget:
        if B_s is None or B_c is None:
            raise ValueError("the budget form needs both B_s (samples) and B_c (multiply-adds)")
        samples_per_pair(B_s, S, 1), sweeps_for_budget(B_c, S, 1)  # noqa: B018 - clear errors for hopeless budgets
    else:
        if lam_s is None or lam_c is None:
            raise ValueError("the Lagrangian form needs both lam_s and lam_c")
        lam_s = check_real(lam_s, "lam_s", low=0.0, low_open=True)
        lam_c = check_real(lam_c, "lam_c", low=0.0, low_open=True)
    pilot_used = 0
    w = selection_weight(gamma)
    if family is None:
        if pilot_samples is None:
            family = nested_groupings(mdp.dense_P(), mdp.R, w)
        else:
            P_hat, pilot_used = _pilot_model(mdp, check_positive_int(pilot_samples, "pilot_samples"), as_generator(rng))
            family = nested_groupings(P_hat, mdp.R, w)
    elif not isinstance(family, NestedGroupings) or family.A != A:
        raise ValueError(f"family must be a NestedGroupings over the MDP's A = {A} actions")
    heights = family.heights()  # D_G for G = 1 .. A, read once: O(A) copy, no model access

    def resources(G: int) -> tuple[int, int, float]:
        if budget:
            return samples_per_pair(B_s, S, G), sweeps_for_budget(B_c, S, G), 0.0
        a = float(estimation_term(1.0, S, G, gamma, delta))  # Est(G, N) = a / sqrt(N)
        n_star = (a / (2.0 * lam_s * S * G)) ** (2.0 / 3.0)
        N = min((max(1, math.floor(n_star)), max(1, math.ceil(n_star))),
                key=lambda n: a / math.sqrt(n) + lam_s * S * G * n)
        x = lam_c * S * S * G * (1.0 - gamma) ** 2 / (2.0 * math.log(1.0 / gamma)) if gamma > 0 else math.inf
        k_star = math.log(x) / math.log(gamma) if 0.0 < x < 1.0 else 1.0
        K = min((max(1, math.floor(k_star)), max(1, math.ceil(k_star))),
                key=lambda k: optimization_term(k, gamma) + lam_c * S * S * G * k)
        return N, K, lam_s * S * G * N + lam_c * S * S * G * K

    n_eval = 0

    def evaluate(G: int) -> tuple[float, float, int, int, float]:
        nonlocal n_eval
        n_eval += 1
        N, K, cost = resources(G)
        D = heights[G] if HEIGHT_OFF_BY_ONE.active and G < A else heights[G - 1]
        rest = float(estimation_term(N, S, G, gamma, delta) + optimization_term(K, gamma)) + cost
        return float(approximation_term(D, gamma)), rest, N, K, cost

    def feasible(G: int) -> bool:  # N and K only shrink as G grows: the first infeasible G ends the search
        if not budget:
            return True
        try:
            samples_per_pair(B_s, S, G), sweeps_for_budget(B_c, S, G)  # noqa: B018
        except ValueError:
            return False
        return True

    last = A if ALL_CUTS.active else min(G_max, A)
    rows = []
    for G in range(1, last + 1):
        if not feasible(G):
            break
        approx, rest, N, K, cost = evaluate(G)
        rows.append((G, approx + rest, 0.5 * approx + rest, N, K, approx, rest - cost, cost))
    tail = math.inf
    if len(rows) == last < A and feasible(last + 1):
        tail = evaluate(last + 1)[1]  # every G > G_max costs at least Est + Opt (+ cost) at G_max + 1
    arr = np.array(rows)
    best = int(np.argmin(arr[:, 1]))  # lowest G on ties
    G, upper, _, N, K, approx, est_opt, cost = arr[best]
    G, N, K = int(G), int(N), int(K)
    lower = min(float(arr[:, 2].min()), tail)
    grouping = family.cut(G)
    terms = {"approximation": float(approx), "estimation": float(estimation_term(N, S, G, gamma, delta)),
             "optimization": float(optimization_term(K, gamma))}
    if not budget:
        terms["cost"] = float(cost)
    exact = None
    if pilot_samples is None:
        eps = dissimilarities(mdp, grouping).pointwise
        exact = float(approximation_term(eps, gamma)) + float(est_opt) + float(cost)
    params = dict(G_max=G_max, delta=delta, B_s=B_s, B_c=B_c, lam_s=lam_s, lam_c=lam_c, pilot_samples=pilot_samples)
    cand = {"G": arr[:, 0].astype(np.int64), "upper": arr[:, 1], "lower": arr[:, 2],
            "N": arr[:, 3].astype(np.int64), "K": arr[:, 4].astype(np.int64)}
    return GroupingSelection(grouping=grouping, G=G, N=N, K=K, objective=float(upper), terms=terms,
                             exact_objective=exact, lower_bound=lower, gap=float(upper) - lower, n_evaluations=n_eval,
                             candidates=cand, family=family, method="budget" if budget else "lagrangian",
                             params=params, wall_time=time.perf_counter() - t0, pilot_samples=pilot_used)
