r"""MDP-GapE (Jonsson, Kaufmann, Ménard, Darwiche Domingues, Leurent, Valko, NeurIPS 2020, arXiv:2006.05879):
(eps, delta)-correct planning with a generative model, and its fixed-budget use; UGapE-MCTS as the
deterministic case.

Confidence bounds (paper Sec. 3; spec section 3.2). For a pair ``(h, s, a)`` of the look-ahead tree sampled
``n`` times with mean reward ``r_hat`` and empirical next-state law ``p_hat`` over its ``B`` support slots
(unobserved slots have ``p_hat = 0``)::

    u, l = kl_upper / kl_lower(r_hat, beta_r(n) / n)
    U_h(s, a) = u + gamma max{q . U_{h+1} : KL(p_hat || q) <= beta_p(n) / n}
    L_h(s, a) = l + gamma min{q . L_{h+1} : KL(p_hat || q) <= beta_p(n) / n}
    U_h(s) = max_a U_h(s, a),  L_h(s) = max_a L_h(s, a),  U_{H+1} = L_{H+1} = 0,

a never-sampled pair has ``U = sum_{i <= H-h} gamma^i`` and ``L = 0``, an unobserved slot ``U_{h+1}`` at its
maximum and ``L_{h+1} = 0`` (so the optimistic projection may move mass onto it).

Algorithm (paper Algorithm 1; rl-agents ``MDPGapE`` [C]): at the root, UGapE (Gabillon et al. 2012):
``b = argmin_a max_{a' != a} U(a') - L(a)``, challenger ``c = argmax_{a != b} U(a)``; stop when
``U(c) - L(b) <= eps`` and recommend ``b``; otherwise sample the wider of ``b, c`` at the root, then
``argmax_a U_h(s_h, a)`` (random tie-break) for ``h >= 2``, one oracle call per stage, and back up the bounds
along that trajectory only. Correctness of the stopping rule is generic: if every bound holds,
``Q*(a) <= U(a) <= U(c) <= L(b) + eps <= Q*(b) + eps`` for all ``a != b``.

Thresholds (:class:`Threshold`, named options):

- ``"theory"`` [R, spec section 3.2]: ``beta_r(n) = log(3 (BK)^H / delta) + log(e (1 + n))`` and
  ``beta_p(n) = log(3 (BK)^H / delta) + (B - 1) log(e (1 + n / (B - 1)))`` (a union bound over the ``<= (BK)^H``
  nodes with the time-uniform KL concentration of categorical laws);
- ``"experiments"`` [C, ``planners_evaluation_confidence.py``]: ``log(1/delta) + log n`` for both;
- fixed budget [C, ``planners_evaluation_budget.py``]: ``log M`` (rewards) and ``0.1 log M`` (transitions),
  ``M`` the number of trajectories.

Deviations from the official code, as named parameters: ``strict_stop`` (the code stops on ``<``, the paper
on ``<=``); ``rewards="child"`` attaches the reward of ``(s, a) -> s'`` to the child node with its own count
and projects ``u(s') + gamma U(s')`` (the code) instead of the paper's ``u(s, a) + gamma U`` (``"pair"``);
the kl bounds are computed to machine precision (the code stops Newton at 1e-2); the budget is strict (the
code runs ``M + 2`` trajectories in fixed-budget mode, ``episodes + 2`` in fixed confidence); tie-breaks
follow the suite's rule (lowest index for the root rule and recommendations, uniformly random among tied
``U`` below the root, as ``random_argmax`` does).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from mdptheory import backends, mutants
from mdptheory.generative import GenerativeOracle, horizon_from_accuracy
from mdptheory.validation import as_generator, check_positive_int

from . import _gape as G
from ._common import BUDGET, DONE, NEED_UNIFORMS, STATUS_NAMES, SUPPORT, olop_allocation
from .result import TreeSearchResult

__all__ = ["mdp_gape", "mdp_gape_budget", "ugape_mcts", "Threshold", "theory_thresholds", "experiment_thresholds",
           "budget_thresholds"]

# ------------------------------------------------------------------------------------ mutants
# the fixed-confidence stopping machinery (no effect on the fixed-budget mode, which has neither a stopping rule
# nor a delta), registered apart so that fixed-budget claims need not run it
STOP_LOWER = mutants.register("mdp-gape-stopping", "stop-lower-challenger",
                              "the stopping rule compares L(challenger), not U(challenger), with L(best)")
NO_LOG_DELTA = mutants.register("mdp-gape-stopping", "threshold-no-log-delta",
                                "the exploration thresholds beta_r, beta_p lose their log(1/delta) term")
NO_HORIZON = mutants.register("mdp-gape-stopping", "threshold-no-horizon",
                              "the theory thresholds' union bound over the (BK)^H nodes loses its power H: "
                              "log(3 BK / delta) instead of log(3 (BK)^H / delta)")
HOEFFDING = mutants.register("mdp-gape", "hoeffding-reward",
                             "the reward interval is r_hat +- sqrt(beta_r/2n) (Hoeffding) instead of the kl bounds")
NO_ROOT_BACKUP = mutants.register("mdp-gape", "no-root-backup",
                                  "the backup of the last trajectory stops below the root: the root bounds never move")
BEST_TWICE = mutants.register("mdp-gape", "ugape-best-twice",
                              "the UGapE root rule samples the best candidate b every time, never the challenger")
DISCOUNT_REWARD = mutants.register("mdp-gape", "discount-late",
                                   "the discount applied one step late: stage h's reward weighted gamma^h instead "
                                   "of gamma^(h-1), the backup computing gamma (u + max q.U')")
UNVISITED_SHORT = mutants.register("mdp-gape", "depth-off-by-one",
                                   "a never-sampled pair at stage h is worth sum_{i < H-h-1} gamma^i: one reward "
                                   "fewer than the stages left")
OBSERVED_SUPPORT = mutants.register("mdp-gape", "observed-support-only",
                                    "the KL ball spreads mass over the observed next states only (the B - #observed "
                                    "unobserved support points get none)")
PESSIMISTIC = mutants.register("mdp-gape", "pessimistic-descent",
                               "below the root the trajectory follows argmax_a L instead of the optimistic argmax_a U")
RECOMMEND_CHALLENGER = mutants.register("mdp-gape", "recommend-challenger",
                                        "the recommendation is UGapE's challenger c instead of its best candidate b "
                                        "(the pair unpacked in the wrong order)")

_BUGS = ((STOP_LOWER, G.BUG_STOP_LOWER), (HOEFFDING, G.BUG_HOEFFDING), (NO_ROOT_BACKUP, G.BUG_NO_ROOT_BACKUP),
         (BEST_TWICE, G.BUG_BEST_TWICE), (DISCOUNT_REWARD, G.BUG_DISCOUNT_REWARD),
         (UNVISITED_SHORT, G.BUG_UNVISITED_SHORT), (OBSERVED_SUPPORT, G.BUG_OBSERVED_SUPPORT),
         (PESSIMISTIC, G.BUG_PESSIMISTIC))


def active_bugs() -> int:
    """The kernel switches of the active mutant (0 when none is on)."""
    return sum(bit for m, bit in _BUGS if m.active)


# ---------------------------------------------------------------------------------- thresholds
@dataclass(frozen=True)
class Threshold:
    r"""``beta(n) = const + log_n log(n) + kl dim log(e (1 + n / dim))`` (the last term is 0 when ``dim = 0``)."""

    const: float
    log_n: float = 0.0
    kl: float = 0.0
    dim: float = 0.0
    name: str = ""

    def coef(self) -> np.ndarray:
        return np.array([self.const, self.log_n, self.kl, self.dim], dtype=float)

    def __call__(self, n) -> np.ndarray:
        n = np.asarray(n, dtype=float)
        out = self.const + self.log_n * np.log(n)
        if self.kl and self.dim > 0:
            out = out + self.kl * self.dim * (1.0 + np.log1p(n / self.dim))
        return out

    def scaled(self, factor: float) -> "Threshold":
        """The threshold multiplied by ``factor`` (the negative control's over-confident planner)."""
        return Threshold(self.const * factor, self.log_n * factor, self.kl * factor, self.dim,
                         f"{factor:g} x {self.name}" if self.name else "")


def _log_inv_delta(delta: float) -> float:
    return 0.0 if NO_LOG_DELTA.active else math.log(1.0 / delta)


def theory_thresholds(delta: float, K: int, B: int, H: int) -> tuple[Threshold, Threshold]:
    """[R] ``beta_r = log(3 (BK)^H / delta) + log(e (1 + n))``, ``beta_p = log(3 (BK)^H / delta) +
    (B - 1) log(e (1 + n / (B - 1)))`` (spec section 3.2, recalled: hidden until read from the paper)."""
    depth = 1 if NO_HORIZON.active else H      # the union bound covers the <= (BK)^H nodes of depth H
    base = math.log(3.0) + depth * math.log(B * K) + _log_inv_delta(check_delta(delta))
    return (Threshold(base, kl=1.0, dim=1.0, name="theory beta_r"),
            Threshold(base, kl=1.0, dim=float(B - 1), name="theory beta_p"))


def experiment_thresholds(delta: float) -> tuple[Threshold, Threshold]:
    """[C] ``log(1/delta) + log n`` for rewards and transitions (the paper's fixed-confidence experiments)."""
    base = _log_inv_delta(check_delta(delta))
    t = Threshold(base, log_n=1.0, name="log(1/delta) + log n")
    return t, t


def budget_thresholds(M: int) -> tuple[Threshold, Threshold]:
    """[C] ``log M`` (rewards) and ``0.1 log M`` (transitions): the paper's fixed-budget experiments."""
    lm = math.log(check_positive_int(M, "M"))
    return Threshold(lm, name="log M"), Threshold(0.1 * lm, name="0.1 log M")


# ---------------------------------------------------------------------------------- arguments
def check_delta(delta) -> float:
    if isinstance(delta, bool) or not isinstance(delta, (int, float, np.integer, np.floating)) or not 0 < delta < 1:
        raise ValueError(f"delta must lie in (0, 1) (the allowed failure probability), got {delta!r}")
    return float(delta)


def check_eps(eps) -> float:
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)) or not eps >= 0 \
            or not math.isfinite(eps):
        raise ValueError(f"eps must be a finite number >= 0 (the accuracy on the recommended action's value), "
                         f"got {eps!r}")
    return float(eps)


def _check_oracle(oracle) -> GenerativeOracle:
    if not isinstance(oracle, GenerativeOracle):
        raise TypeError("oracle must be a mdptheory.generative.GenerativeOracle (wrap a model with "
                        f"GenerativeOracle(model, budget=...)), got {type(oracle).__name__}")
    return oracle


def _support(oracle: GenerativeOracle, B: int | None) -> int:
    if B is None:
        return oracle.model.B
    if isinstance(B, bool) or not isinstance(B, (int, np.integer)) or B < 1:
        raise ValueError(f"B must be an integer >= 1 (the number of next states a transition can reach), got {B!r}")
    return int(B)


# ---------------------------------------------------------------------------------- the driver
def _planner(backend: str, *args):
    """The flat-array planner (``"numba"``) or its object twin (``"numpy"``), same interface."""
    if backend == "numpy":
        from .reference import GapeObjects

        return GapeObjects(*args)
    return G.FlatGape(*args)


def _drive(oracle: GenerativeOracle, H: int, eps: float, strict: bool, rewards: str, thr_r: Threshold,
           thr_p: Threshold, B: int, rng: np.random.Generator, backend: str, max_traj: int, chunk: int = 256):
    """Run MDP-GapE to its stopping rule, the oracle's budget or ``max_traj`` trajectories (-1: no limit),
    drawing the uniforms from ``rng`` in blocks of ``(chunk, H, 3)`` (a prefix of one stream: the run does not
    depend on the block sizes)."""
    model = oracle.model
    planner = _planner(backend, model.kernel(), H, model.K, B, model.gamma, eps, strict, rewards == "child",
                       thr_r.coef(), thr_p.coef(), active_bugs(), model.s0)
    remaining = -1 if oracle.remaining is None else oracle.remaining
    total_traj = total_calls = 0
    while True:
        U = rng.random((chunk, H, 3))
        left = -1 if remaining < 0 else remaining - total_calls
        cap = -1 if max_traj < 0 else max_traj - total_traj
        status, n, calls = planner.resume(U, left, cap)
        total_traj += n
        total_calls += calls
        if status == SUPPORT:
            oracle.charge(total_calls)
            raise ValueError(f"a transition reached more than B = {B} distinct next states; give the model's true "
                             "support bound B (UGapE-MCTS needs deterministic transitions, B = 1)")
        if status != NEED_UNIFORMS:
            break
        chunk = min(2 * chunk, 1 << 16)
    oracle.charge(total_calls)
    return status, total_traj, total_calls, planner.root_summary(), planner.sizes(), planner


def _twin(backend: str):
    def run(m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew, s0, H, K, B, gamma, eps, strict, child, thr_r, thr_p,
            bugs, U, budget_left):
        """One MDP-GapE run from scratch on the uniforms ``U``: ``(status, trajectories, calls, b, U, L, counts)``."""
        planner = _planner(backend, (m_ints, m_key, m_floats, m_nxt, m_cdf, m_rew), H, K, B, gamma, eps, strict,
                           child, thr_r, thr_p, bugs, s0)
        status, n, calls = planner.resume(U, budget_left, -1)
        b, _, upper, lower, counts = planner.root_summary()
        return status, n, calls, b, upper, lower, counts
    return run


backends.register("tree_search.mdp_gape", numba=_twin("numba"), numpy=_twin("numpy"))


def _result(method, status, n_traj, calls, summary, sizes, H, t0, params, extra=None) -> TreeSearchResult:
    b, ch, U, L, counts = summary
    action = ch if RECOMMEND_CHALLENGER.active else b
    ex = {"challenger": ch, "stopping_gap": float(U[ch] - L[b]) if len(U) > 1 else 0.0,
          "decision_nodes": sizes[0], "chance_nodes": sizes[1]}
    ex.update(extra or {})
    return TreeSearchResult(action=action, calls=int(calls), trajectories=int(n_traj), status=STATUS_NAMES[status],
                            root_upper=U, root_lower=L, root_counts=counts, root_values=np.full(len(U), np.nan),
                            depth=H, wall_time=time.perf_counter() - t0, method=method, params=params, extra=ex)


def mdp_gape(oracle: GenerativeOracle, eps: float, delta: float, H: int | None = None,
             thresholds: str | tuple[Threshold, Threshold] = "theory", B: int | None = None, rewards: str = "pair",
             strict_stop: bool = False, threshold_scale: float = 1.0, rng=None, backend: str = "numba",
             keep_tree: bool = False, method: str = "MDP-GapE") -> TreeSearchResult:
    """MDP-GapE in the fixed-confidence setting: sample until ``U(c) - L(b) <= eps``, recommend ``b``.

    Parameters
    ----------
    oracle : GenerativeOracle
        The generative model (root ``oracle.model.s0``); its ``budget`` caps the calls (status ``"budget"``).
    eps : float >= 0
        Accuracy: with probability ``>= 1 - delta`` the recommendation's simple regret
        ``Q*_H(s0, a*) - Q*_H(s0, a)`` is at most ``eps`` (theory thresholds).
    delta : float in (0, 1)
    H : int, optional
        Planning depth; default ``horizon_from_accuracy(eps, gamma)`` (the tail ``gamma^H/(1-gamma) <= eps/2``).
    thresholds : {"theory", "experiments"} or (Threshold, Threshold)
        See the module docstring; a pair gives ``(beta_r, beta_p)`` directly.
    B : int, optional
        Support bound (default ``oracle.model.B``).
    rewards : {"pair", "child"}
        Where the reward statistics live (paper / official code).
    strict_stop : bool
        Stop on ``<`` (official code) instead of ``<=`` (paper).
    threshold_scale : float > 0
        Multiplies both thresholds (1 = as stated; the negative control uses 0.01).
    rng : int or Generator
        Source of every uniform (tie-breaks, next states, Bernoulli rewards), drawn in blocks of
        ``(n, H, 3)``; the same seed gives the same run on both backends.
    backend : {"numba", "numpy"}
        ``"numpy"`` runs the object-tree reference (:mod:`solvers.tree_search.reference`, the official
        design): same answers, ~100x slower.
    keep_tree : bool
        Put the explored tree in ``result.extra["tree"]`` (arrays, see
        :func:`solvers.tree_search._gape.export_fields`), e.g. to recompute its bounds independently.
    """
    t0 = time.perf_counter()
    oracle = _check_oracle(oracle)
    eps, delta = check_eps(eps), check_delta(delta)
    backends.check_backend(backend)
    model = oracle.model
    if H is None:
        if model.gamma >= 1.0:
            raise ValueError("gamma = 1: give the planning depth H explicitly")
        if eps == 0:
            raise ValueError("eps = 0 cannot set a horizon; give H (fixed confidence with eps = 0 needs gaps > 0)")
        H = horizon_from_accuracy(eps, model.gamma)
    H = model.check_depth(H)
    B = _support(oracle, B)
    if rewards not in ("pair", "child"):
        raise ValueError(f"rewards must be 'pair' (paper) or 'child' (official code), got {rewards!r}")
    if not threshold_scale > 0:
        raise ValueError(f"threshold_scale must be > 0, got {threshold_scale!r}")
    if oracle.remaining is not None and oracle.remaining < H:
        raise ValueError(f"the oracle's remaining budget ({oracle.remaining} calls) is smaller than one trajectory "
                         f"of H = {H} calls; give budget >= {H} or a smaller H")
    if isinstance(thresholds, str):
        if thresholds == "theory":
            thr = theory_thresholds(delta, model.K, B, H)
        elif thresholds == "experiments":
            thr = experiment_thresholds(delta)
        else:
            raise ValueError(f"thresholds must be 'theory', 'experiments' or a (Threshold, Threshold) pair, "
                             f"got {thresholds!r}")
        name = thresholds
    else:
        thr, name = tuple(thresholds), "custom"
        if len(thr) != 2 or not all(isinstance(x, Threshold) for x in thr):
            raise TypeError("thresholds must be a pair (beta_r, beta_p) of solvers.tree_search.Threshold")
    thr_r, thr_p = (t.scaled(threshold_scale) for t in thr) if threshold_scale != 1.0 else thr
    status, n, calls, summary, sizes, planner = _drive(oracle, H, eps, bool(strict_stop), rewards, thr_r, thr_p, B,
                                                       as_generator(rng), backend, -1)
    params = {"eps": eps, "delta": delta, "H": H, "B": B, "thresholds": name, "rewards": rewards,
              "strict_stop": bool(strict_stop), "threshold_scale": threshold_scale, "backend": backend,
              "budget": oracle.budget}
    return _result(method, status, n, calls, summary, sizes, H, t0, params,
                   {"tree": planner.export()} if keep_tree else None)


def mdp_gape_budget(oracle: GenerativeOracle, budget: int | None = None, B: int | None = None,
                    thresholds: tuple[Threshold, Threshold] | None = None, rewards: str = "pair", rng=None,
                    backend: str = "numba", keep_tree: bool = False) -> TreeSearchResult:
    """MDP-GapE with a fixed budget (the paper's Figure 2): ``eps = 0``, the budget split into ``M`` trajectories
    of depth ``L`` by OLOP's rule (:func:`olop_allocation`), thresholds ``log M`` and ``0.1 log M`` by default;
    recommends UGapE's ``b`` after the ``M`` trajectories (status ``"done"``).

    ``budget`` defaults to the oracle's remaining budget.
    """
    t0 = time.perf_counter()
    oracle = _check_oracle(oracle)
    backends.check_backend(backend)
    model = oracle.model
    n_calls = oracle.remaining if budget is None else check_positive_int(budget, "budget")
    if n_calls is None:
        raise ValueError("give budget=... (or an oracle with a budget) for the fixed-budget planner")
    if oracle.remaining is not None and n_calls > oracle.remaining:
        raise ValueError(f"budget = {n_calls} exceeds the oracle's remaining {oracle.remaining} calls")
    if not model.gamma < 1.0:
        raise ValueError("the fixed-budget split needs gamma < 1 (OLOP's depth grows like log M / log(1/gamma))")
    if rewards not in ("pair", "child"):
        raise ValueError(f"rewards must be 'pair' (paper) or 'child' (official code), got {rewards!r}")
    M, L = olop_allocation(n_calls, model.gamma)
    L = model.check_depth(L)
    B = _support(oracle, B)
    thr_r, thr_p = budget_thresholds(M) if thresholds is None else thresholds
    status, n, calls, summary, sizes, planner = _drive(oracle, L, -math.inf, False, rewards, thr_r, thr_p, B,
                                                       as_generator(rng), backend, M)
    params = {"budget": n_calls, "M": M, "L": L, "B": B, "rewards": rewards, "backend": backend,
              "thresholds": f"{thr_r.name}, {thr_p.name}"}
    extra = {"M": M, "L": L, **({"tree": planner.export()} if keep_tree else {})}
    return _result("MDP-GapE (fixed budget)", DONE if status == BUDGET else status, n, calls, summary, sizes, L,
                   t0, params, extra)


def ugape_mcts(oracle: GenerativeOracle, eps: float, delta: float, H: int | None = None,
               thresholds: str | tuple[Threshold, Threshold] = "theory", rng=None,
               backend: str = "numba") -> TreeSearchResult:
    """UGapE-MCTS (Kaufmann & Koolen 2017) for a max-tree with deterministic transitions: MDP-GapE with
    ``B = 1``, where the KL ball is a point and only the rewards are uncertain (the algorithm MDP-GapE
    generalises). A transition that reaches a second next state raises ``ValueError``."""
    return mdp_gape(oracle, eps, delta, H=H, thresholds=thresholds, B=1, rng=rng, backend=backend,
                    method="UGapE-MCTS")
