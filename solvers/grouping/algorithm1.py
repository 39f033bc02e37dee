r"""Algorithm 1 of Li, Ju & Shroff (2024, arXiv:2306.12981): learn on the lifted MDP from ``N`` generative samples
per (state, group) and ``K`` iterations of value iteration, then play the greedy high-level policy through the
lower-level policy.

Reconstruction (spec ``gosprl_grouping_avgreward_lmdp.md`` section 3.2 [I]; the reviewers describe the algorithm
as tabular value/policy iteration on the lifted MDP with a limited sample size and iteration number, generative
sampling and no exploration term [V-rev]):

1. for every ``(s, i)`` draw ``N`` samples ``a ~ h(.|s,i)``, ``s' ~ P(.|s,a)``, ``r = R(s,a)``; form ``P_hat_g`` and
   ``R_hat_g`` (:func:`sample_lifted`);
2. run ``K`` sweeps of value iteration on ``(S, [G], P_hat_g, R_hat_g, gamma)`` from ``V_0 = 0`` and take the greedy
   high-level policy of the ``K``-th sweep (greedy for ``V_{K-1}``) -- through the suite's certified loop
   (:func:`solvers.value_iteration` stopped by its callback after ``K`` sweeps), which also certifies the policy's
   gap in the estimated model;
3. play ``pi(a|s) = h(a | s, pi_hi(s))`` (:func:`mdptheory.grouping.compose`); its exact value in ``M`` comes from
   :func:`solvers.policy_evaluation`.

Costs: ``N S G`` samples and ``K`` sweeps of ``S^2 G`` multiply-adds (dense).
"""
from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from mdptheory import FiniteMDP, mutants
from mdptheory.grouping import Grouping, compose, validate_lower_level
from mdptheory.validation import as_generator, check_positive_int

from ..policy_evaluation import policy_evaluation
from ..result import ConvergenceWarning, PlanningResult
from ..value_iteration import value_iteration

__all__ = ["GroupedResult", "sample_lifted", "grouped_planning", "k_sweeps"]

#: The N samples of a (state, group) pair all drawn from the group's first action instead of a ~ h(.|s,i).
ONE_ACTION = mutants.register("grouping-alg1", "one-action-samples",
                              "the N samples per (state, group) are all drawn from the group's first action")
#: K - 1 value-iteration sweeps instead of K (a zero-based loop bound).
K_OFF_BY_ONE = mutants.register("grouping-alg1", "k-off-by-one", "K - 1 value-iteration sweeps instead of K")



REWARD_NOISE = ("none", "bernoulli")


def sample_lifted(mdp: FiniteMDP, grouping: Grouping, h: np.ndarray, N: int, rng: np.random.Generator,
                  reward_noise: str = "none") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Step 1: ``N`` generative samples per ``(s, i)``. Returns ``(action_counts (S, A), next_counts (S, G, S),
    reward_sums (S, G))``: how often each action was drawn (at the group it belongs to at ``s``), where the draws of
    each pair landed and the sum of their rewards (``r = R(s,a)``, or ``r ~ Bernoulli(R(s,a))`` with
    ``reward_noise="bernoulli"``).

    Vectorised: one multinomial over the group's actions per pair, then one multinomial over next states per drawn
    ``(s, i, a)`` with the number of times ``a`` was drawn there (the same law as ``N`` sequential draws)."""
    S, A, G = mdp.S, mdp.A, grouping.G
    labels = grouping.labels_at(S)
    if ONE_ACTION.active:
        c = np.zeros((S, G, A), dtype=np.int64)
        first = np.array([[np.flatnonzero(labels[s] == i)[0] for i in range(G)] for s in range(S)])
        c[np.arange(S)[:, None], np.arange(G)[None, :], first] = N
    else:
        c = rng.multinomial(N, h.reshape(S * G, A)).reshape(S, G, A)
    action_counts = c.sum(axis=1)
    s_i, i_i, a_i = np.nonzero(c)  # at most S G min(N, A) drawn (state, group, action) triples
    n = c[s_i, i_i, a_i]
    P = mdp.dense_P()[s_i, a_i]
    P = P / P.sum(axis=-1, keepdims=True)  # within 1e-9 of 1 already; numpy's multinomial wants <= 1 + 1e-12
    next_counts = np.zeros((S, G, S), dtype=np.int64)
    np.add.at(next_counts, (s_i, i_i), rng.multinomial(n, P))
    if reward_noise == "bernoulli":  # the sum of n Bernoulli(R) draws is Binomial(n, R)
        r = rng.binomial(n, np.clip(mdp.R[s_i, a_i], 0.0, 1.0)).astype(np.float64)
    else:
        r = n * mdp.R[s_i, a_i]
    reward_sums = np.zeros((S, G))
    np.add.at(reward_sums, (s_i, i_i), r)
    return action_counts, next_counts, reward_sums


@dataclass(frozen=True, eq=False)
class GroupedResult:
    """Outcome of Algorithm 1.

    Attributes
    ----------
    policy : ndarray (S, A)
        The played policy ``pi(a|s) = h(a | s, high_policy[s])``.
    high_policy : ndarray (S,) int64
        Greedy group of the ``K``-th sweep on the estimated lifted MDP.
    V_hat : ndarray (S,)
        Value iteration's certified estimate of the estimated lifted MDP's optimal value (bracket midpoint).
    value : ndarray (S,) or None
        Exact value of ``policy`` in the true MDP (``solvers.policy_evaluation``), certified to ``value_error_bound``.
    lifted_estimate : FiniteMDP
        ``(S, [G], P_hat_g, R_hat_g, gamma)``.
    action_counts : ndarray (S, A)
        How often each action was drawn.
    samples : int
        Generative samples used, ``N S G``.
    iterations : int
        Value-iteration sweeps run (``K`` unless the estimated fixed point was reached exactly).
    policy_gap_bound : float
        Certified ``||V*_hat - V_hat^{pi_hi}||`` in the *estimated* lifted MDP (``2 x`` the bracket half-width).
    planning : PlanningResult
        The value-iteration result on the estimated lifted MDP.
    """

    policy: np.ndarray
    high_policy: np.ndarray
    V_hat: np.ndarray
    value: np.ndarray | None
    value_error_bound: float
    lifted_estimate: FiniteMDP
    action_counts: np.ndarray
    samples: int
    iterations: int
    policy_gap_bound: float
    planning: PlanningResult
    method: str
    params: dict
    wall_time: float

    @property
    def message(self) -> str:
        p = self.params
        val = "" if self.value is None else f"; played policy's value at mu0 {float(self.value @ self.lifted_estimate.mu0):.4g}"
        return (f"{self.method}: G = {p['G']} groups, N = {p['N']} samples per (state, group) ({self.samples} in all), "
                f"{self.iterations} value-iteration sweeps (K = {p['K']}){val} in {self.wall_time:.3g} s")


def k_sweeps(mdp: FiniteMDP, K: int, backend: str = "numba") -> PlanningResult:
    """``K`` Jacobi value-iteration sweeps from ``V = 0`` (Algorithm 1's planning step, Li, Ju & Shroff 2024).

    The loop stops earlier only at the model's float64 fixed point, where every further sweep would return the
    same iterate and greedy policy; the result's certificate (``error_bound``) is the MacQueen bound after the
    sweeps actually run. No ``ConvergenceWarning``: not reaching a tolerance is the point of a fixed ``K``.
    """
    K = check_positive_int(K, "K")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # tol = the smallest positive float: no tolerance stops the loop before K (the rounding floor may)
        return value_iteration(mdp, tol=float(np.finfo(np.float64).tiny), max_iter=K,
                               callback=lambda it, *_: it >= K, backend=backend)


def grouped_planning(mdp: FiniteMDP, grouping: Grouping, N: int, K: int,
                     rng: int | np.random.Generator | None = None, h: Any = None, evaluate: bool = True,
                     reward_noise: str = "none", backend: str = "numba") -> GroupedResult:
    r"""Algorithm 1 (reconstruction, see the module docstring): ``N`` samples per (state, group), ``K`` sweeps of
    value iteration on the estimated lifted MDP, the greedy high-level policy composed with ``h``.

    Parameters
    ----------
    mdp : FiniteMDP
        Discounted, used as a generative model (and, with ``evaluate``, for the exact value of the played policy).
    grouping : mdptheory.grouping.Grouping
    N, K : int >= 1
        Samples per (state, group) and value-iteration sweeps.
    rng : int or Generator
    h : ndarray (S, G, A), optional
        Lower-level policy (default: uniform within each group).
    evaluate : bool
        Compute the played policy's exact value in ``mdp``.
    reward_noise : {"none", "bernoulli"}
        What a sample's reward is: the mean ``R(s,a)`` (the spec's reconstruction) or a ``Bernoulli(R(s,a))`` draw
        (a noisy generative model; needs rewards in [0, 1]). A named deviation [I]: with exact rewards a single
        sample reveals ``R(s,a)`` and the estimation error comes from the transitions only.

    Examples
    --------
    >>> from mdptheory.envs import hierarchical_actions, hierarchical_grouping
    >>> mdp = hierarchical_actions(S=6, n_coarse=2, n_fine=3, rho=0.0, rng=0)
    >>> res = grouped_planning(mdp, hierarchical_grouping(2, 3), N=50, K=30, rng=1)
    >>> res.samples, res.iterations, res.policy.shape
    (600, 30, (6, 6))
    """
    t0 = time.perf_counter()
    if not isinstance(grouping, Grouping):
        raise TypeError(f"grouping must be a mdptheory.grouping.Grouping, got {type(grouping).__name__}")
    grouping.check_mdp(mdp)
    if mdp.gamma is None:
        raise ValueError("grouped_planning needs a discounted MDP (gamma in [0, 1))")
    N, K = check_positive_int(N, "N"), check_positive_int(K, "K")
    if reward_noise not in REWARD_NOISE:
        raise ValueError(f"reward_noise must be one of {REWARD_NOISE}, got {reward_noise!r}")
    if reward_noise == "bernoulli" and (mdp.R.min() < 0.0 or mdp.R.max() > 1.0):
        raise ValueError(f"reward_noise='bernoulli' needs rewards in [0, 1], got R in [{mdp.R.min():.3g}, "
                         f"{mdp.R.max():.3g}]; rescale R or use reward_noise='none'")
    rng = as_generator(rng)
    h = validate_lower_level(h, grouping, mdp.S)
    action_counts, next_counts, reward_sums = sample_lifted(mdp, grouping, h, N, rng, reward_noise)
    S, G = mdp.S, grouping.G
    M_hat = FiniteMDP(next_counts / float(N), reward_sums / N, mdp.gamma, mdp.mu0)
    sweeps = K - 1 if K_OFF_BY_ONE.active and K > 1 else K
    res = k_sweeps(M_hat, sweeps, backend=backend)
    played = compose(res.policy, h)
    value, value_err = None, math.nan
    if evaluate:
        ev = policy_evaluation(mdp, played, backend=backend)
        value, value_err = np.asarray(ev.V), float(ev.error_bound)
    return GroupedResult(policy=played, high_policy=np.asarray(res.policy), V_hat=np.asarray(res.V), value=value,
                         value_error_bound=value_err, lifted_estimate=M_hat, action_counts=action_counts,
                         samples=int(N * S * G), iterations=int(res.iterations),
                         policy_gap_bound=float(res.policy_gap_bound), planning=res, method="grouping-algorithm1",
                         params=dict(N=N, K=K, G=G, reward_noise=reward_noise, backend=backend), wall_time=time.perf_counter() - t0)
