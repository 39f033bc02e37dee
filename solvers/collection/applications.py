r"""GOSPRL's applications as requirement generators, with their downstream answers (spec section 2.4).

Tarbouriech et al. (2021) decouple an *objective-specific* scheme, which says how many samples it needs at
which pairs as if it had a generative model, from the *objective-agnostic* collection (GOSPRL). Each
application here is a requirement ``b`` (fixed or online) plus the answer computed from the collected data:

========================  ==========================================================  =====================
application               requirement                                                 answer
========================  ==========================================================  =====================
model estimation          :func:`weissman_requirement` (uniform, Weissman et al.      :func:`estimated_model`
                          2003) or :class:`AdaptiveModelEstimation` (online,
                          empirical Bernstein)
sparse reward discovery   :func:`treasure_requirement` (``b = 1``, or                 :func:`found_treasures`
                          ``ceil(ln(S A / delta) / lambda)`` for Bernoulli rewards)
PAC planning (discounted) :func:`pac_requirement` (Weissman at                        :func:`pac_policy`
                          ``eta = eps (1 - gamma)^2 / gamma``)
========================  ==========================================================  =====================

and the end-to-end wrappers :func:`estimate_model`, :func:`discover_treasures`, :func:`pac_planning`, which run a
collection strategy (GOSPRL by default) and return the answer with the :class:`~.gosprl.CollectionResult`.

Guarantees (all derived [D] by us; the paper's exact statements were not retrieved):

- Weissman et al. (2003): ``P(||p_hat - p||_1 >= eta) <= (2^Gamma - 2) exp(-n eta^2 / 2)`` for a law on
  ``Gamma`` points, so ``n >= 2 (Gamma ln 2 + ln(S A / delta)) / eta^2`` at every pair gives
  ``max_{s,a} ||p_hat - p||_1 < eta`` with probability ``>= 1 - delta`` (``Gamma = S`` when supports are unknown).
- the adaptive rule keeps requiring a pair while ``sum_x beta(s, a, x) > eta`` with the entrywise
  empirical-Bernstein widths of :mod:`solvers.ssp_evi` (valid for all counts at once with probability
  ``1 - delta``), so at termination ``||p_hat - p||_1 <= sum_x beta <= eta`` at every pair with probability
  ``>= 1 - delta``; its requirement is about ``2 L (sum_x sqrt(p(x)(1 - p(x))))^2 / eta^2 <= 2 L (Gamma - 1) / eta^2``
  (a reconstruction [I] of the paper's variance-adaptive rule).
- treasure: a Bernoulli reward of mean ``>= lambda`` is missed by ``b`` samples with probability
  ``(1 - lambda)^b <= exp(-lambda b) <= delta / (S A)``.
- PAC planning: if ``||p_hat - p||_1 <= eta`` at every pair, for every policy
  ``||V_hat^pi - V^pi||_inf <= gamma eta / (2 (1 - gamma)^2)`` (simulation lemma with ``span(V^pi) <= 1/(1-gamma)``,
  rewards in [0, 1]), so the optimal policy of the estimated model is ``gamma eta / (1 - gamma)^2 = eps``-optimal.
  This crude scheme needs ``O~(S / ((1 - gamma)^4 eps^2))`` samples per pair; the sharper generative-model schemes
  the paper cites (Agarwal et al. 2020; Li et al. 2020, ``O~(1 / ((1 - gamma)^3 eps^2))``) have constants we did
  not retrieve and are registered as a hidden-constant rate only (``bounds.gosprl``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from mdptheory import mutants
from mdptheory.finite import FiniteMDP
from mdptheory.validation import check_positive_int, check_real

from ..policy_iteration import policy_iteration
from ..result import PlanningResult
from ..ssp_evi import BERNSTEIN_C1, BERNSTEIN_C2, BERNSTEIN_C3, bernstein_width
from .gosprl import CollectionData, CollectionResult, collect

__all__ = ["weissman_requirement", "AdaptiveModelEstimation", "treasure_requirement", "pac_requirement",
           "estimated_model", "model_error", "found_treasures", "pac_policy", "estimate_model", "discover_treasures",
           "pac_planning", "ModelEstimate", "TreasureHunt", "PACPlan"]

ETA_NOT_SQUARED = mutants.register("requirements", "weissman-eta-not-squared",
                                   "the Weissman requirement divides by eta instead of eta^2")
TREASURE_NO_LOG = mutants.register("requirements", "treasure-no-log",
                                   "the Bernoulli-treasure requirement is ceil(1 / lambda), without ln(S A / delta)")


def _sizes(S: Any, A: Any) -> tuple[int, int]:
    return check_positive_int(S, "S"), check_positive_int(A, "A")


def weissman_requirement(S: int, A: int, eta: float, delta: float, support: int | None = None) -> np.ndarray:
    """``b = ceil(2 (Gamma ln 2 + ln(S A / delta)) / eta^2)`` at every pair (``Gamma = support``, default ``S``):
    ``max_{s,a} ||p_hat - p||_1 < eta`` with probability ``>= 1 - delta`` (Weissman et al. 2003, see the module
    docstring) [D]."""
    S, A = _sizes(S, A)
    eta = check_real(eta, "eta", low=0.0, high=2.0, low_open=True)
    delta = check_real(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
    G = S if support is None else check_positive_int(support, "support")
    if G > S:
        raise ValueError(f"support = {G} exceeds the number of states S = {S}")
    num = 2.0 * (G * math.log(2.0) + math.log(S * A / delta))
    n = num / (eta if ETA_NOT_SQUARED.active else eta ** 2)
    return np.full((S, A), max(1, math.ceil(n)), dtype=np.int64)


class AdaptiveModelEstimation:
    r"""Online, variance-adaptive model-estimation requirement [I] (spec section 2.4): ``b_t(s, a) = N(s, a) + 1``
    while ``sum_x beta(s, a, x) > eta`` (empirical-Bernstein widths of :func:`solvers.ssp_evi.bernstein_width`),
    ``b_t(s, a) = N(s, a)`` once it is ``<= eta``. At termination every pair's width is ``<= eta``, so
    ``max_{s,a} ||p_hat - p||_1 <= eta`` with probability ``>= 1 - delta``.

    Pass an instance as ``requirements`` of :func:`~.gosprl.gosprl`; it resets itself at ``data.t == 0``, so one
    instance may serve several runs (not concurrently). ``c1, c2, c3`` as in :func:`~solvers.ssp_evi.bernstein_box`.
    """

    def __init__(self, eta: float, delta: float, c1: float = BERNSTEIN_C1, c2: float = BERNSTEIN_C2,
                 c3: float = BERNSTEIN_C3) -> None:
        self.eta = check_real(eta, "eta", low=0.0, high=2.0, low_open=True)
        self.delta = check_real(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
        self.c = (check_real(c1, "c1", low=0.0), check_real(c2, "c2", low=0.0),
                  check_real(c3, "c3", low=0.0, low_open=True))
        self.b: np.ndarray | None = None

    def width(self, row: np.ndarray, S: int, A: int) -> float:
        """The L1 width ``sum_x beta(x)`` of one count row ``N(s, a, .)``."""
        row = np.asarray(row, dtype=float)
        beta = bernstein_width(row, np.array([row.sum()]), S, A, self.delta, *self.c)
        return float(beta.sum())

    def __call__(self, data: CollectionData) -> np.ndarray:
        S, A = data.counts.shape
        if data.t == 0 or self.b is None:
            self.b = np.array(data.counts, dtype=np.int64) + 1
            for s in range(S):
                for a in range(A):
                    if self.width(data.transitions[s, a], S, A) <= self.eta:
                        self.b[s, a] = data.counts[s, a]
            return self.b
        if data.last is not None:
            s, a, _ = data.last
            n = int(data.counts[s, a])
            self.b[s, a] = n + 1 if self.width(data.transitions[s, a], S, A) > self.eta else n
        return self.b


def treasure_requirement(S: int, A: int, lam: float | None = None, delta: float | None = None) -> np.ndarray:
    """Sparse reward discovery: ``b = 1`` everywhere for deterministic rewards (``lam=None``); for Bernoulli rewards
    whose mean is ``>= lam`` wherever it is nonzero, ``b = ceil(ln(S A / delta) / lam)`` (every treasure is seen
    with probability ``>= 1 - delta``) [D]."""
    S, A = _sizes(S, A)
    if lam is None:
        return np.ones((S, A), dtype=np.int64)
    lam = check_real(lam, "lam", low=0.0, high=1.0, low_open=True)
    if delta is None:
        raise ValueError("delta is required with lam (Bernoulli treasures): the requirement is ceil(ln(S A/delta)/lam)")
    delta = check_real(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
    n = 1.0 / lam if TREASURE_NO_LOG.active else math.log(S * A / delta) / lam
    return np.full((S, A), max(1, math.ceil(n)), dtype=np.int64)


def pac_requirement(S: int, A: int, gamma: float, eps: float, delta: float) -> np.ndarray:
    """The Weissman requirement at ``eta = eps (1 - gamma)^2 / gamma``: the estimated model's optimal policy is then
    ``eps``-optimal in the true ``gamma``-discounted MDP with probability ``>= 1 - delta`` (rewards in [0, 1]) [D]."""
    gamma = check_real(gamma, "gamma", low=0.0, high=1.0, low_open=True, high_open=True)
    eps = check_real(eps, "eps", low=0.0, low_open=True)
    return weissman_requirement(S, A, min(2.0, eps * (1.0 - gamma) ** 2 / gamma), delta)


def estimated_model(result: CollectionResult) -> np.ndarray:
    """``p_hat (S, A, S)`` from the collected transitions (a never-visited pair gets the uniform law)."""
    T = np.asarray(result.transitions, dtype=float)
    n = T.sum(axis=2, keepdims=True)
    S = T.shape[0]
    return np.where(n > 0, T / np.maximum(n, 1.0), 1.0 / S)


def model_error(P_hat: np.ndarray, env: FiniteMDP) -> float:
    """``max_{s,a} ||p_hat(.|s, a) - p(.|s, a)||_1``."""
    return float(np.abs(np.asarray(P_hat) - env.dense_P()).sum(axis=2).max())


def found_treasures(result: CollectionResult) -> np.ndarray:
    """``(S, A)`` bool: the pairs where some nonzero reward was observed."""
    S, A = result.counts.shape
    found = np.zeros((S, A), dtype=bool)
    idx = np.flatnonzero(result.rewards != 0)
    found[result.states[idx], result.actions[idx]] = True
    return found


def pac_policy(result: CollectionResult, R: np.ndarray, gamma: float) -> PlanningResult:
    """The optimal policy of the estimated model ``(p_hat, R, gamma)`` (rewards known), by policy iteration."""
    return policy_iteration(FiniteMDP(estimated_model(result), np.asarray(R, dtype=float), gamma))


@dataclass(frozen=True)
class ModelEstimate:
    """``P_hat (S, A, S)`` and the collection run it came from."""

    P_hat: np.ndarray
    collection: CollectionResult


@dataclass(frozen=True)
class TreasureHunt:
    """``found (S, A)`` (pairs with an observed nonzero reward) and the collection run."""

    found: np.ndarray
    collection: CollectionResult


@dataclass(frozen=True)
class PACPlan:
    """The estimated model's optimal policy (``plan.policy``) and the collection run."""

    plan: PlanningResult
    collection: CollectionResult

    @property
    def policy(self) -> np.ndarray:
        return self.plan.policy


def estimate_model(env: FiniteMDP, eta: float, delta: float, rng: Any = None, *, rule: str = "adaptive",
                   agent: str = "gosprl", support: int | None = None, **kw: Any) -> ModelEstimate:
    """Collect for model estimation to L1 accuracy ``eta`` (``rule``: ``"adaptive"`` or ``"weissman"``) with
    ``agent`` (see :func:`~.gosprl.collect`, whose keyword arguments pass through) and return ``p_hat``."""
    if rule == "adaptive":
        req: Any = AdaptiveModelEstimation(eta, delta)
    elif rule == "weissman":
        req = weissman_requirement(env.S, env.A, eta, delta, support)
    else:
        raise ValueError(f"rule must be 'adaptive' or 'weissman', got {rule!r}")
    res = collect(env, req, rng, agent=agent, **kw)
    return ModelEstimate(estimated_model(res), res)


def discover_treasures(env: FiniteMDP, rng: Any = None, *, lam: float | None = None, delta: float | None = None,
                       agent: str = "gosprl", **kw: Any) -> TreasureHunt:
    """Collect :func:`treasure_requirement` (Bernoulli rewards with mean ``env.R`` when ``lam`` is given) and return
    the pairs where a reward was seen."""
    req = treasure_requirement(env.S, env.A, lam, delta)
    res = collect(env, req, rng, agent=agent, rewards="mean" if lam is None else "bernoulli", **kw)
    return TreasureHunt(found_treasures(res), res)


def pac_planning(env: FiniteMDP, gamma: float, eps: float, delta: float, rng: Any = None, *, agent: str = "gosprl",
                 **kw: Any) -> PACPlan:
    """Collect :func:`pac_requirement` and return the estimated model's optimal policy for ``(env.R, gamma)``."""
    res = collect(env, pac_requirement(env.S, env.A, gamma, eps, delta), rng, agent=agent, **kw)
    return PACPlan(pac_policy(res, env.R, gamma), res)
