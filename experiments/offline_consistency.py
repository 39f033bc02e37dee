"""The baselines of the R2PVI experiments estimate their Bellman operators consistently: with ``beta = 0``
their errors decay as ``K^-1/2``.

- DRPVI (Liu & Xu, NeurIPS 2024, Algorithm 1): the TV-*constrained* dual
  ``max_alpha z(alpha) - rho (alpha - min(min_s V, alpha))``, against the exact d-rectangular TV-ball DP (rho = 0.2);
- DRVI-L (Ma et al. 2022): the KL-*constrained* dual ``max_beta -beta log u(beta) - beta rho``, against the exact
  KL-ball DP (rho = 0.2);
- PEVI (Jin, Yang & Wang, ICML 2021, Algorithm 2, linear MDP): ridge regression of ``r + V_{h+1}(s')``, against
  nominal backward induction (its ``w`` includes the reward).

Same design and statistics as :mod:`experiments.r2pvi_consistency` (``w_err`` against the exact operator on the
learner's own next values, ``q_err`` against the exact ``Q*``; two-sided K^-1/2 rates): a learner estimating the
wrong operator flattens to slope 0. The instance has no zero-value state before the last stage (rewards
``theta ~ U[0, 1]`` on Dirichlet features), so DRPVI's ``min(min_s V, alpha)`` term matters (it is exact to drop
it only with a fail state, DRPVI's assumption), and rho = 0.2 is an interior radius.
"""
from __future__ import annotations

from experiments import Claim
from mdptheory.uncertainty import make

from .offline_truth import consistency_series, rates_k_half
from .r2pvi_consistency import KS, instance

NAME = "offline-consistency"
RHO = 0.2
#: learner -> the exact set its Q* is computed under (None: nominal).
SETS = {"drpvi": make("tv", rho=RHO), "drvi-l": make("kl", rho=RHO), "pevi": None}
GRID = [{"method": m} for m in SETS]
QUICK_GRID = GRID
SEEDS = 20
QUICK_SEEDS = 6


def run(config: dict, seed: int) -> dict:
    method = config["method"]
    kw = {} if method == "pevi" else {"rho": RHO}
    return consistency_series(method, instance(), SETS[method], KS, seed, 37, ridge=1.0, **kw)


def _rates(method: str):
    def check(df):
        return rates_k_half(df[df["method"] == method])
    check.__name__ = f"rates_{method}"
    return check


CLAIMS = [
    Claim(name="drpvi-estimation-k-half", experiment=NAME, bound=None, check=_rates("drpvi"),
          mutants=("drpvi.rho-doubled", "drpvi.min-term-dropped", "drpvi.dual-minimised", "drpvi.penalty-sign"),
          description="With beta = 0 on well-covered data, DRPVI's TV-constrained dual estimate and its Q converge "
                      "to the exact d-rectangular TV-ball values at rate K^-1/2 (rho = 0.2, K = 1e5..1e8).",
          source="Liu & Xu (NeurIPS 2024), Algorithm 1 and Lemma D.2 (concentration of the dual estimate)"),
    Claim(name="drvi-l-estimation-k-half", experiment=NAME, bound=None, check=_rates("drvi-l"),
          mutants=("drvi-l.rho-doubled", "drvi-l.penalty-sign", "drvi-l.rho-unscaled"),
          description="With beta = 0 on well-covered data, DRVI-L's KL-constrained dual estimate and its Q converge "
                      "to the exact d-rectangular KL-ball values at rate K^-1/2 (rho = 0.2).",
          source="Ma et al. (2022), DRVI-L (KL dual of the d-rectangular robust Bellman operator)"),
    Claim(name="pevi-estimation-k-half", experiment=NAME, bound=None, check=_rates("pevi"),
          mutants=("pevi.reward-dropped", "pevi.current-state-value", "pevi.reward-next-stage"),
          description="With beta = 0 (plain least-squares VI) PEVI's joint regression of r + V and its Q converge "
                      "to the nominal Bellman operator and Q* at rate K^-1/2.",
          source="Jin, Yang & Wang (2021), Algorithm 2 for linear MDPs (Lemma 5.1, concentration)"),
]
