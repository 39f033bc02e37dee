"""R2PVI estimates the robust regularized Bellman operator consistently: with ``beta = 0`` its error decays as
``K^-1/2`` (Tang, Liu & Xu, ICML 2025, Algorithm 1 and the concentration step of Theorem 5.1's proof; the
duals of spec r2pvi_drrpo.md section 1.4).

A claim with power against *formula* bugs: a learner that estimates the wrong operator (a threshold, a sign,
a factor of lam or 2, the dual minimised) converges to a nonzero error, so its log-log slope flattens to 0,
and the two-sided rate check fails; a learner that is right has slope -1/2 once the ridge bias (O(1/K)) is
negligible. The theorem's bonus is off here on purpose: ``beta = 0`` isolates the estimator (the bonus is
checked by the rate, bound and lam -> infinity claims).

Setting: a well-covered random d-rectangular MDP (S = 5, A = 3, d = 3, H = 3, seed 3; uniform behaviour, so
every factor is observed at every stage), ``lam = 0.1`` (below the span of ``V*`` at every stage, so the
TV truncation binds and a slip of lam shows), ridge 1, K = 1e5 ... 1e8 trajectories drawn as exact per-stage
counts (:func:`mdptheory.offline.collect_counts`). One run is one replication over the whole K series
(arrays, exact, solvers.robust):

- ``w_err = max_{h,s,a} |phi.(w_hat_h - w_h)|`` with ``w_h`` the exact regularized operator applied to the
  learner's *own* ``V_hat_{h+1}`` (the estimation step alone);
- ``q_err = max_{h,s,a} |Q_hat_h - Q*_h|`` against the exact robust regularized ``Q*`` (the whole backward
  induction: rewards, clip and stage indices included).
"""
from __future__ import annotations

from experiments import Claim

from .offline_truth import consistency_series, rates_k_half, regularized_set
from mdptheory.linear import random_d_rectangular

NAME = "r2pvi-consistency"
LAM = 0.1
KS = (10**5, 10**6, 10**7, 10**8)
GRID = [{"divergence": dv} for dv in ("tv", "kl", "chi2")]
QUICK_GRID = GRID
SEEDS = 20
QUICK_SEEDS = 6


def instance():
    """The well-covered instance of the module docstring."""
    return random_d_rectangular(5, 3, 3, 3, rng=3)


def run(config: dict, seed: int) -> dict:
    div = config["divergence"]
    return consistency_series(f"r2pvi-{div}", instance(), regularized_set(div, LAM), KS, seed, 31, lam=LAM,
                              ridge=1.0)


def _rates(divergence: str):
    def check(df):
        return rates_k_half(df[df["divergence"] == divergence])
    check.__name__ = f"rates_{divergence}"
    return check


_ALGOS = ("r2pvi", "pessimistic-vi")
_CORE = ("pessimistic-vi.clip-off-by-one", "pessimistic-vi.next-values-stage-h", "r2pvi.reward-next-stage")
_SRC = "Tang, Liu & Xu (ICML 2025), Algorithm 1 and the concentration step of Theorem 5.1 (closed-form duals)"
CLAIMS = [
    Claim(name="r2pvi-tv-estimation-k-half", experiment=NAME, bound=None, check=_rates("tv"),
          mutants=("r2pvi.tv-threshold-max", "r2pvi.tv-threshold-half-lam") + _CORE, algorithms=_ALGOS,
          description="With beta = 0 on well-covered data, R2PVI-TV's error against the exact TV-regularized "
                      "operator (own next values) and against Q* both decay as K^-1/2 (lam = 0.1, K = 1e5..1e8).",
          source=_SRC),
    Claim(name="r2pvi-kl-estimation-k-half", experiment=NAME, bound=None, check=_rates("kl"),
          mutants=("r2pvi.kl-log-sign", "r2pvi.kl-lam-outside") + _CORE, algorithms=_ALGOS,
          description="With beta = 0 on well-covered data, R2PVI-KL's closed form -lam log(ridge of e^{-y/lam}) "
                      "converges to the exact KL-regularized operator and Q* at rate K^-1/2 (lam = 0.1).",
          source=_SRC),
    Claim(name="r2pvi-chi2-estimation-k-half", experiment=NAME, bound=None, check=_rates("chi2"),
          mutants=("r2pvi.chi2-minimised", "r2pvi.chi2-variance-2lam") + _CORE, algorithms=_ALGOS,
          description="With beta = 0 on well-covered data, R2PVI-chi2's dual max_alpha u + (u^2 - v)/(4 lam) "
                      "converges to the exact chi-square-regularized operator and Q* at rate K^-1/2 (lam = 0.1).",
          source=_SRC),
]
