r"""Exact planning and evaluation on the history tree of a latent MDP, and ``Var*``.

- :func:`latent_planning` -- the optimal history-dependent policy and value ``V*`` (spec section 1, "LMDP
  planning on the history tree" [D]): the alpha-vector recursion of :mod:`solvers.latent._kernels` on the
  full tree, ``O(M S (A G S)^{H-1} S)`` time. With ``M = 1`` it is backward induction (a Markov policy is
  optimal in an MDP, so the history tree adds nothing): the tests check ``V*`` against
  :func:`solvers.backward_induction`.
- :func:`latent_policy_evaluation` -- the exact value, alpha vectors, beliefs and per-context return
  variances of any deterministic history policy (observation tree, ``O(M S (G S)^{H-1} S)``).
- :func:`var_star` -- ``Var*``, certified by a bracket (definition below).

Both refuse models whose tree exceeds :data:`MAX_TREE_ENTRIES` node-context entries (about 100 MB of
working arrays): exact LMDP planning is exponential in ``H`` (and computationally hard in general).

Beliefs
-------
``u_m(tau) = w_m nu_m(s_1) prod_t P_m(s_{t+1}|s_t, a_t) 1{r_t = R_m(s_t, a_t)}`` and ``b(tau) = u / sum_m u``,
the posterior over contexts given the history (Bayes' rule). The value of the policy at ``tau`` is
``<b(tau), alpha(tau)>``: the expected future return given the history. Both are reported per node
(``nan`` at histories of probability 0).

``Var*``: the definition implemented
------------------------------------
The abstract calls ``Var*`` "a variance quantity describing the determinism of the LMDP" and the analysis
"the total variance of alpha vectors"; the exact definition was not retrieved (spec section 5.1 [R]). We
implement the maximum over policies of the total variance of the **optimal** alpha vectors along the
policy's trajectories (the form of the variance norms of the MDP literature, with ``V*`` replaced by the
alpha vectors ``alpha*`` of the optimal history policy, defined at every history):

    Var* = max_pi sum_m w_m ( V(nu_m, alpha*_m(s_1)) + E^pi_m[ sum_{h<H} V(P_m(.|s_h, a_h), alpha*_m(tau_{h+1})) ] ).

Why this one:

- it is 0 exactly when every context is deterministic (the paper's "determinism"): every variance term is
  0; a maximum of the *return* variance over randomised policies is not (a mixture of two deterministic
  policies with different returns has a random return);
- at ``pi = pi*`` it is the return variance ``sum_m w_m Var^{pi*}_m`` (law of total variance), so
  ``Var* >= Var^{pi*}``; the maximum over policies is what a bound for every learner needs (the learner
  plays other policies than ``pi*``);
- it is computable exactly: the variance terms are fixed rewards of (history, action) once ``alpha*`` is
  known, so the maximum is one more plan on the history tree (the ``var_mode`` pass of the kernel).

The return variance of any policy is :attr:`LatentEvaluation.context_variances`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mdptheory import mutants
from mdptheory.backends import check_backend, pick
from mdptheory.latent import HistoryTree, LatentMDP

from . import _kernels  # noqa: F401  (registers latent.plan_tree and latent.evaluate_tree)

__all__ = ["LatentPlanningResult", "LatentEvaluation", "VarStarResult", "latent_planning",
           "latent_policy_evaluation", "var_star", "plan_arrays", "check_tree_size", "MAX_TREE_ENTRIES",
           "beliefs"]

#: Largest number of (tree node x context) entries the planners accept.
MAX_TREE_ENTRIES = 4_000_000

PRIOR_NOT_POSTERIOR = mutants.register(
    "lmdp-planner", "prior-not-posterior",
    "actions chosen with the prior weights w instead of the belief u(tau) of the history")
ALPHA_WRONG_CONTEXT = mutants.register(
    "lmdp-planner", "alpha-wrong-context",
    "the backup of context m reads the children's alpha vector of context m+1")
DEPTH_OFF_BY_ONE = mutants.register(
    "lmdp-planner", "depth-off-by-one",
    "the recursion treats level H-1 as terminal: the last step's rewards are dropped")
BELIEF_NOT_RENORMALISED = mutants.register(
    "lmdp-planner", "belief-not-renormalised",
    "the reported belief is the weight vector u(tau), not u / sum(u)")
VAR_STAR_OPTIMAL_ONLY = mutants.register(
    "lmdp-var-star", "optimal-policy-only",
    "Var* taken as the return variance of the optimal policy instead of the maximum over policies")


def check_tree_size(tree: HistoryTree, full: bool) -> None:
    """Refuse a tree above :data:`MAX_TREE_ENTRIES` node-context entries (``full``: the planning tree)."""
    nodes = tree.n_full_nodes if full else tree.n_decision_nodes
    if nodes * tree.M > MAX_TREE_ENTRIES:
        what = "exact planning visits the full history tree" if full else "evaluation visits the observation tree"
        raise ValueError(
            f"{what}: {nodes} nodes x M = {tree.M} contexts = {nodes * tree.M} entries > {MAX_TREE_ENTRIES} "
            f"(S = {tree.S}, A = {tree.A}, H = {tree.H}, G = {tree.G} reward classes per pair): exact latent-MDP "
            "planning is exponential in H; reduce H, S or A, or give the contexts equal rewards where they may "
            "share them (G = 1)")


def plan_arrays(w: np.ndarray, nu: np.ndarray, Pb: np.ndarray, Pv: np.ndarray, R: np.ndarray, tree: HistoryTree, *,
                mode: int = 0, c1: float = 0.0, c2: float = 0.0, ch: float = 0.0, center: float = 1.0,
                iota: float = 0.0, inv_n: np.ndarray | None = None, cap: float = np.inf,
                var_mode: bool = False, prune: bool = True, backend: str = "numba"):
    """The kernel ``latent.plan_tree`` on raw arrays (docstring of :mod:`solvers.latent._kernels`).

    ``Pb`` gives the belief weights, ``Pv`` the alpha-vector backups (both ``(M, S, A, S)``); the bonus
    coefficients and ``cap`` select optimistic planning, ``var_mode`` the ``Var*`` pass; ``prune`` skips the
    histories of probability 0 (only valid when ``Pb`` and ``Pv`` have the same supports). Returns
    ``(policy (D,), alpha (D, M), u (D, M), star_root (S, M))`` on the observation tree of the chosen policy.
    """
    check_tree_size(tree, full=True)
    M, S, A = R.shape
    inv_n = np.zeros((M, S, A)) if inv_n is None else np.ascontiguousarray(inv_n, dtype=np.float64)
    n_levels = tree.H - 1 if DEPTH_OFF_BY_ONE.active else tree.H
    ctx_shift = 1 if ALPHA_WRONG_CONTEXT.active else 0
    kernel = pick("latent.plan_tree", backend)
    return kernel(w, nu, Pb, Pv, R, tree.cls, tree.G, tree.H, n_levels, int(mode), float(c1), float(c2),
                  float(ch), float(center), float(iota), inv_n, float(cap), bool(var_mode),
                  bool(PRIOR_NOT_POSTERIOR.active), ctx_shift, bool(prune))


def beliefs(u: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(reach (D,), belief (D, M), node_value (D,))`` from the weights ``u`` and alpha vectors: ``reach =
    sum_m u_m`` (the probability of the history, actions aside), ``belief = u / reach`` and ``<belief, alpha>``
    (``nan`` where ``reach = 0``)."""
    reach = u.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        b = u.copy() if BELIEF_NOT_RENORMALISED.active else u / reach[:, None]
    b[reach <= 0] = np.nan
    return reach, b, (b * alpha).sum(axis=1)


def _root_values(lmdp_nu: np.ndarray, alpha: np.ndarray, S: int) -> np.ndarray:
    """``(M,)``: ``nu_m . alpha_m(s_1)`` over the root nodes (the first ``S`` of the table)."""
    return np.einsum("ms,sm->m", lmdp_nu, alpha[:S])


@dataclass(frozen=True, eq=False)
class LatentPlanningResult:
    """Optimal history-dependent policy of a latent MDP (:func:`latent_planning`).

    Attributes
    ----------
    value : float
        ``V* = sum_m w_m nu_m . alpha_m(s_1)``.
    policy : ndarray (D,) int64
        One action per observation history (layout of :class:`mdptheory.latent.HistoryTree`).
    alpha : ndarray (D, M)
        Alpha vectors of the policy: expected future return per context at every node of positive probability
        (entries of contexts with weight 0 there are not needed and may be 0: the planner skips histories of
        probability 0; :func:`latent_policy_evaluation` gives every entry).
    belief : ndarray (D, M)
        Posterior over contexts at every node (``nan`` rows where ``reach = 0``).
    node_value : ndarray (D,)
        ``<belief, alpha>``: the expected future return given the history.
    reach : ndarray (D,)
        ``sum_m u_m``: the probability of the observation history under the policy.
    context_values : ndarray (M,)
        ``nu_m . alpha_m(s_1)``: the policy's value in each context.
    tree : HistoryTree
    """

    value: float
    policy: np.ndarray
    alpha: np.ndarray
    belief: np.ndarray
    node_value: np.ndarray
    reach: np.ndarray
    context_values: np.ndarray
    tree: HistoryTree
    wall_time: float
    method: str = "latent_planning"
    backend: str = "numba"
    status: str = "exact"
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return (f"{self.method}: exact recursion on the history tree ({self.tree.n_full_nodes} nodes, "
                f"M = {self.tree.M}); V* = {self.value:.6g} in {self.wall_time:.3g} s")


@dataclass(frozen=True, eq=False)
class LatentEvaluation:
    """Exact evaluation of a history policy (:func:`latent_policy_evaluation`).

    Attributes as in :class:`LatentPlanningResult`, plus ``second (D, M)`` (second moments of the future
    return), ``context_variances (M,)`` (``Var^pi_m`` of the return) and ``variance`` (``sum_m w_m
    Var^pi_m``, the quantity :func:`var_star` maximises).
    """

    value: float
    policy: np.ndarray
    alpha: np.ndarray
    second: np.ndarray
    belief: np.ndarray
    node_value: np.ndarray
    reach: np.ndarray
    context_values: np.ndarray
    context_variances: np.ndarray
    variance: float
    tree: HistoryTree
    wall_time: float
    method: str = "latent_policy_evaluation"
    backend: str = "numba"
    params: dict = field(default_factory=dict)

    @property
    def context_second_moments(self) -> np.ndarray:
        """``(M,)``: ``E^pi_m[X^2]`` of the return ``X``."""
        return self.context_variances + self.context_values ** 2

    @property
    def message(self) -> str:
        return (f"{self.method}: value {self.value:.6g}, return variance {self.variance:.4g} "
                f"({self.tree.n_decision_nodes} histories) in {self.wall_time:.3g} s")


def _check_lmdp(lmdp: Any, who: str) -> LatentMDP:
    if not isinstance(lmdp, LatentMDP):
        raise TypeError(f"{who} needs an mdptheory.latent.LatentMDP, got {type(lmdp).__name__}")
    return lmdp


def latent_planning(lmdp: LatentMDP, backend: str = "numba") -> LatentPlanningResult:
    """Optimal history-dependent policy and ``V*`` of a latent MDP, exactly (module docstring).

    Raises ``ValueError`` when the full history tree exceeds :data:`MAX_TREE_ENTRIES` entries.
    """
    t0 = time.perf_counter()
    lmdp = _check_lmdp(lmdp, "latent_planning")
    backend = check_backend(backend)
    tree = lmdp.tree
    pol, alpha, u, _ = plan_arrays(lmdp.weights, lmdp.nu, lmdp.P, lmdp.P, lmdp.R, tree, backend=backend)
    reach, b, node_value = beliefs(u, alpha)
    ctx = _root_values(lmdp.nu, alpha, lmdp.S)
    for arr in (pol, alpha, b, node_value, reach, ctx):
        arr.flags.writeable = False
    return LatentPlanningResult(value=float(lmdp.weights @ ctx), policy=pol, alpha=alpha, belief=b,
                                node_value=node_value, reach=reach, context_values=ctx, tree=tree,
                                wall_time=time.perf_counter() - t0, backend=backend)


def evaluate_arrays(w, nu, P, R, tree: HistoryTree, policy: np.ndarray, backend: str = "numba"):
    """The kernel ``latent.evaluate_tree`` on raw arrays: ``(alpha, second, u)``, each ``(D, M)``."""
    check_tree_size(tree, full=False)
    return pick("latent.evaluate_tree", backend)(w, nu, P, R, tree.cls, tree.G, tree.H, policy)


def latent_policy_evaluation(lmdp: LatentMDP, policy: Any, backend: str = "numba") -> LatentEvaluation:
    """Exact value, alpha vectors, beliefs and return variances of a deterministic history policy."""
    t0 = time.perf_counter()
    lmdp = _check_lmdp(lmdp, "latent_policy_evaluation")
    backend = check_backend(backend)
    tree = lmdp.tree
    policy = tree.check_policy(policy)
    alpha, second, u = evaluate_arrays(lmdp.weights, lmdp.nu, lmdp.P, lmdp.R, tree, policy, backend)
    reach, b, node_value = beliefs(u, alpha)
    ctx = _root_values(lmdp.nu, alpha, lmdp.S)
    # Var_m = E[X^2] - (E X)^2, rounding can leave -1e-17 on deterministic returns
    var = np.maximum(_root_values(lmdp.nu, second, lmdp.S) - ctx ** 2, 0.0)
    for arr in (alpha, second, b, node_value, reach, ctx, var):
        arr.flags.writeable = False
    return LatentEvaluation(value=float(lmdp.weights @ ctx), policy=policy, alpha=alpha, second=second, belief=b,
                            node_value=node_value, reach=reach, context_values=ctx, context_variances=var,
                            variance=float(lmdp.weights @ var), tree=tree, wall_time=time.perf_counter() - t0,
                            backend=backend)


# ------------------------------------------------------------------------------------------------------
# Var*
# ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class VarStarResult:
    """``Var*`` of a latent MDP (:func:`var_star`).

    Attributes
    ----------
    value : float
        ``Var*`` (module docstring), exact.
    policy : ndarray (D,)
        A history policy attaining the maximum.
    initial_term : float
        ``sum_m w_m V(nu_m, alpha*_m(s_1))``, the part due to the initial state.
    optimal_policy_variance : float
        ``sum_m w_m Var^{pi*}_m`` of the return of the optimal policy (``<= value``).
    """

    value: float
    policy: np.ndarray
    initial_term: float
    optimal_policy_variance: float
    wall_time: float
    method: str = "var_star"
    status: str = "exact"
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return (f"{self.method}: Var* = {self.value:.6g} (optimal policy: {self.optimal_policy_variance:.6g}) "
                f"in {self.wall_time:.3g} s")


def var_star(lmdp: LatentMDP, backend: str = "numba") -> VarStarResult:
    """``Var* = max_pi sum_m w_m (V(nu_m, alpha*_m(s_1)) + E^pi_m sum_h V(P_m(.|s_h, a_h), alpha*_m(tau_{h+1})))``,
    exactly (module docstring): one optimal plan, then one plan that maximises the variance of its alpha
    vectors along the trajectories."""
    t0 = time.perf_counter()
    lmdp = _check_lmdp(lmdp, "var_star")
    backend = check_backend(backend)
    w, nu, S = lmdp.weights, lmdp.nu, lmdp.S
    star = latent_policy_evaluation(lmdp, latent_planning(lmdp, backend).policy, backend)
    v_opt = star.variance
    if VAR_STAR_OPTIMAL_ONLY.active:
        return VarStarResult(v_opt, star.policy, 0.0, v_opt, time.perf_counter() - t0)
    pol, alpha, _, root = plan_arrays(w, nu, lmdp.P, lmdp.P, lmdp.R, lmdp.tree, var_mode=True, backend=backend)
    initial = float(w @ np.maximum(np.einsum("ms,sm->m", nu, root ** 2) - np.einsum("ms,sm->m", nu, root) ** 2, 0.0))
    value = initial + float(w @ _root_values(nu, alpha, S))
    pol.flags.writeable = False
    return VarStarResult(value, pol, initial, v_opt, time.perf_counter() - t0)
