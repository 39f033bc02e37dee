r"""The optimal-sample-complexity estimator for average-reward MDPs (Wang, Blanchet & Glynn 2024,
arXiv:2310.08833, Algorithm 4.1 / Theorem 4.2) and the Jin & Sidford (2021) reduction baseline.

Both reduce the average-reward problem to a discounted one (``1 - gamma = Theta(eps / t)``) and solve it with
the **perturbed model-based planner** of Li, Wei, Chi, Gu & Chen (2020) (:func:`perturbed_model_based_planning`):
``n`` generative-model samples per pair give the empirical kernel ``P_hat``; the rewards are perturbed by
independent ``Z(s, a) ~ Unif(0, zeta)`` (used in planning only, no new samples); the perturbed empirical
DMDP is solved exactly (policy iteration) and its optimal policy returned.

Constants and their provenance (spec ``gosprl_grouping_avgreward_lmdp.md`` section 4; the paper's full text was
not available, so every constant is a named parameter; tags as in the spec):

================================  ========================================  ====================================
name                              value                                     provenance
================================  ========================================  ====================================
:data:`GAMMA_DENOMINATOR`         19: ``gamma = 1 - eps / (19 t)``          [V-rev] Algorithm 4.1
:data:`ZETA_FACTOR`               1/4: ``zeta = (1 - gamma) t / 4``         [V-rev] Algorithm 4.1
:data:`SAMPLE_CONSTANT`           486: ``n = 4 * 486**2 beta / ((1-gamma)**2 t)``  [V-rev] Algorithm 4.1 / Thm 3.1
``beta``                          ``beta_delta(eta*)``: unknown log factor  [R] :func:`bounds.avgreward.beta_delta` refuses
:data:`JS_GAMMA_DENOMINATOR`      19 (the same reduction as ours)           [I] proposal: the schedules differ only in n
================================  ========================================  ====================================

The theoretical ``n`` is astronomically large (``~3.4e8 beta t / eps^2``, spec section 4.4), so **experiments set
n directly** and pick the accuracy it buys from the theorem's form ``n = K t / eps^2`` (:func:`epsilon_for_samples`,
``K`` a named constant standing in for ``4 * 19**2 * 486**2 * beta``); the Jin-Sidford baseline's sample
complexity has the form ``n = K t / eps^3`` (:func:`jin_sidford_epsilon`). Everything draws from one
:class:`GenerativeSampler`, reproducible from its seed.

Output: the policy ``pi_hat`` and ``alpha_hat = (1 - gamma) mu0 . v_hat``, the plug-in estimate of the optimal
average reward (``(1 - gamma) v_gamma -> alpha`` as ``gamma -> 1``; Jin & Sidford 2021, Lemma 3) [I].
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mdptheory import FiniteMDP, mutants
from mdptheory.sampling import sample_counts
from mdptheory.validation import as_generator, check_positive_int

from ..policy_iteration import policy_iteration

__all__ = ["GenerativeSampler", "AMDPParameters", "amdp_parameters", "jin_sidford_parameters",
           "perturbed_model_based_planning", "DMDPSolution", "AMDPEstimate", "amdp_estimator",
           "jin_sidford_reduction", "epsilon_for_samples", "jin_sidford_epsilon",
           "GAMMA_DENOMINATOR", "ZETA_FACTOR", "SAMPLE_CONSTANT", "JS_GAMMA_DENOMINATOR"]

GAMMA_DENOMINATOR = 19.0     #: gamma = 1 - eps / (19 t)  [V-rev]
ZETA_FACTOR = 0.25           #: zeta = (1 - gamma) t / 4  [V-rev]
SAMPLE_CONSTANT = 486.0      #: Theorem 3.1's constant in n = 4 * 486^2 beta / ((1 - gamma)^2 t)  [V-rev]
JS_GAMMA_DENOMINATOR = 19.0  #: the baseline's reduction, the same as ours  [I]

GAMMA_NO_19 = mutants.register("amdp", "gamma-no-19", "gamma = 1 - eps / t (the 19 forgotten)")
GAMMA_NO_T = mutants.register("amdp", "gamma-no-t", "gamma = 1 - eps / 19 (the mixing bound t forgotten)")
ZETA_FACTOR_SLIP = mutants.register("amdp", "zeta-times-4", "zeta = (1 - gamma) t instead of (1 - gamma) t / 4")
N_OFF_BY_ONE = mutants.register("amdp", "n-off-by-one", "n - 1 samples drawn per pair instead of n")
NO_PERTURBATION = mutants.register("amdp", "no-perturbation", "the reward perturbation Z drawn but never added")
EPS_CUBE_ROOT = mutants.register("amdp", "eps-cube-root",
                                 "the accuracy bought by n inverted as (K t / n)^(1/3) (the eps^-3 form)")
JS_EPS_SQUARED = mutants.register("jin-sidford", "eps-squared",
                                  "the reduction's accuracy inverted as (K t / n)^(1/2): its sample size at eps^-2")


def _check_eps_t(eps: Any, t: Any) -> tuple[float, float]:
    for name, v in (("eps", eps), ("t", t)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not math.isfinite(v):
            raise TypeError(f"{name} must be a finite number, got {v!r}")
    if not 0.0 < eps <= 1.0:
        raise ValueError(f"eps must lie in (0, 1] (the target accuracy of the average reward), got {eps}")
    if t < 1.0:
        raise ValueError(f"t must be >= 1 (an upper bound on t_minorize, which is at least 1), got {t}")
    return float(eps), float(t)


class GenerativeSampler:
    """The generative model of ``mdp``: ``n`` i.i.d. next states at every ``(s, a)`` per call, from one
    ``Generator`` (int seed or Generator). ``samples`` counts every draw made so far."""

    def __init__(self, mdp: FiniteMDP, rng: int | np.random.Generator | None = None) -> None:
        if not isinstance(mdp, FiniteMDP):
            raise TypeError(f"GenerativeSampler needs a FiniteMDP, got {type(mdp).__name__}")
        self.mdp = mdp
        self.rng = as_generator(rng)
        self.samples = 0

    def counts(self, n: int) -> np.ndarray:
        """``(S, A, S)`` counts of ``n`` draws per pair."""
        n = check_positive_int(n, "n")
        c = sample_counts(self.mdp, n, self.rng)
        self.samples += int(c.sum())
        return c


@dataclass(frozen=True)
class AMDPParameters:
    """The parameters of one run: target ``eps``, bound ``t >= t_minorize``, discount, perturbation, samples."""

    eps: float
    t: float
    gamma: float
    zeta: float
    n: int
    method: str

    @property
    def dmdp_error_budget(self) -> float:
        """``2 zeta / (1 - gamma) + 486 sqrt(beta t / ((1-gamma)^2 n))`` at the theoretical ``n`` equals ``t``;
        its first term is ``t / 2`` (spec section 4.4, derived)."""
        return 2.0 * self.zeta / (1.0 - self.gamma)


def amdp_parameters(eps: float, t: float, n: int) -> AMDPParameters:
    """Algorithm 4.1's parameters: ``gamma = 1 - eps / (19 t)``, ``zeta = (1 - gamma) t / 4``, and the ``n`` the
    caller sets (the theorem's ``n`` needs the unknown ``beta``: :func:`bounds.avgreward.theoretical_n`)."""
    eps, t = _check_eps_t(eps, t)
    n = check_positive_int(n, "n")
    denom = 1.0 if GAMMA_NO_19.active else GAMMA_DENOMINATOR
    gamma = 1.0 - eps / (denom * (1.0 if GAMMA_NO_T.active else t))
    zeta = (1.0 if ZETA_FACTOR_SLIP.active else ZETA_FACTOR) * (1.0 - gamma) * t
    return AMDPParameters(eps, t, gamma, zeta, n, "wang-blanchet-glynn")


def jin_sidford_parameters(eps: float, t: float, n: int) -> AMDPParameters:
    """The baseline's parameters: the same reduction ``gamma = 1 - eps / (19 t)`` and planner [I]; only the
    sample size differs (``n ~ t / eps^3``)."""
    eps, t = _check_eps_t(eps, t)
    n = check_positive_int(n, "n")
    gamma = 1.0 - eps / (JS_GAMMA_DENOMINATOR * t)
    return AMDPParameters(eps, t, gamma, ZETA_FACTOR * (1.0 - gamma) * t, n, "jin-sidford")


def epsilon_for_samples(n: float, t: float, K: float) -> float:
    """The accuracy ``eps`` that ``n`` samples per pair buy under Theorem 4.2's form ``n = K t / eps^2``."""
    return float((K * t / n) ** (1.0 / 3.0 if EPS_CUBE_ROOT.active else 0.5))


def jin_sidford_epsilon(n: float, t: float, K: float) -> float:
    """The accuracy under the reduction's ``n = K t / eps^3`` (Jin & Sidford 2021)."""
    return float((K * t / n) ** (0.5 if JS_EPS_SQUARED.active else 1.0 / 3.0))


@dataclass(frozen=True, eq=False)
class DMDPSolution:
    """The perturbed empirical DMDP and its exact optimum; ``perturbation`` is the one applied, ``r_p - r``."""

    policy: np.ndarray
    V: np.ndarray
    P_hat: np.ndarray
    perturbation: np.ndarray
    samples: int
    certificate: float


def perturbed_model_based_planning(sampler: GenerativeSampler, gamma: float, zeta: float, n: int,
                                   rng: int | np.random.Generator | None = None) -> DMDPSolution:
    r"""Li et al. (2020), Algorithm 1 (the paper's DMDP solver, spec section 4.3): ``n`` samples per pair,
    ``r_p = r + Z`` with ``Z(s, a) ~ Unif(0, zeta)`` i.i.d. from ``rng`` (default: the sampler's Generator), and an
    exact solve of ``(P_hat, r_p, gamma)`` by policy iteration (certified to ``1e-9 / (1 - gamma)``, well below
    the perturbation's separation)."""
    mdp = sampler.mdp
    n = check_positive_int(n, "n")
    counts = sampler.counts(n - 1 if N_OFF_BY_ONE.active and n > 1 else n)
    P_hat = counts / counts.sum(axis=-1, keepdims=True)
    g = sampler.rng if rng is None else as_generator(rng)
    Z = g.uniform(0.0, zeta, size=mdp.R.shape)
    R_p = mdp.R if NO_PERTURBATION.active else mdp.R + Z
    res = policy_iteration(FiniteMDP(P_hat, R_p, gamma, mdp.mu0), tol=1e-9 / (1.0 - gamma), backend="numpy")
    return DMDPSolution(np.asarray(res.policy), np.asarray(res.V), P_hat, R_p - mdp.R, int(counts.sum()),
                        float(res.error_bound))


@dataclass(frozen=True, eq=False)
class AMDPEstimate:
    """``policy`` (the estimator's output), ``alpha_hat = (1 - gamma) mu0 . v_hat``, the parameters and the
    number of generative-model samples drawn."""

    policy: np.ndarray
    alpha_hat: float
    params: AMDPParameters
    samples: int
    solution: DMDPSolution = field(repr=False)

    @property
    def method(self) -> str:
        return self.params.method


def _estimate(sampler: GenerativeSampler, params: AMDPParameters, rng: Any) -> AMDPEstimate:
    sol = perturbed_model_based_planning(sampler, params.gamma, params.zeta, params.n, rng)
    alpha_hat = (1.0 - params.gamma) * float(sampler.mdp.mu0 @ sol.V)
    return AMDPEstimate(sol.policy, alpha_hat, params, sol.samples, sol)


def amdp_estimator(sampler: GenerativeSampler, eps: float, t: float, n: int,
                   rng: int | np.random.Generator | None = None) -> AMDPEstimate:
    r"""Algorithm 4.1 of Wang, Blanchet & Glynn (2024): ``gamma = 1 - eps/(19 t)``, ``zeta = (1-gamma) t/4``,
    perturbed model-based planning with ``n`` samples per pair. Theorem 4.2: with the theorem's
    ``n = 4 * 486^2 beta / ((1-gamma)^2 t)``, ``alpha_bar - alpha^{pi_hat} <= eps`` w.p. ``1 - delta``.

    ``eps`` in ``(0, 1]``, ``t >= 1`` (an upper bound on ``t_minorize``, known a priori), ``n`` set by the caller.
    """
    return _estimate(sampler, amdp_parameters(eps, t, n), rng)


def jin_sidford_reduction(sampler: GenerativeSampler, eps: float, t: float, n: int,
                          rng: int | np.random.Generator | None = None) -> AMDPEstimate:
    """The Jin & Sidford (2021) reduction baseline: the same discounted reduction and planner, with the
    sample size of a worst-case DMDP solver, ``n ~ t / eps^3`` (choose ``eps`` with :func:`jin_sidford_epsilon`)."""
    return _estimate(sampler, jin_sidford_parameters(eps, t, n), rng)
