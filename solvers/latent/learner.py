r"""The horizon-free, variance-dependent learner for latent MDPs (Zhou, Wang & Du, ICML 2023) and its baselines.

The paper's framework (spec section 5.2; form [A] + [R], concrete choices [I]): model-based optimism with
per-context counts, learnt from episodes whose context is revealed at the end. Each episode:

1. ``policy()``: with the counts ``N_m(s, a, s')`` (``n = max(1, N_m(s, a))``), the empirical kernels
   ``P^_m = N_m(s, a, .) / N_m(s, a)`` (uniform for a pair never tried), weights ``w^_m`` and initial laws
   ``nu^_m`` (episode and initial-state counts; or known ones), plan on the history tree
   (:mod:`solvers.latent._kernels`) with the beliefs of the empirical model and optimistic alpha vectors
   truncated at 1 (the total reward of an episode is at most 1):

   - ``solver="value"`` (value-optimistic): ``alpha~_m(tau, a) = min{1, R_m(s,a) + P^_m . alpha~_m(next) + b}``,
     ``b = c1 sqrt(V(P^_m, alpha~_m(next)) iota / n) + c2 iota / n`` (the Bernstein, variance-aware bonus),
     ``pi(tau) = argmax_a sum_m b^_m(tau) alpha~_m(tau, a)``;
   - ``solver="model"`` (model-optimistic, micro instances): the backup maximises over the Bernstein box
     ``{q in simplex: |q(x) - P^_m(x|s,a)| <= c1 sqrt(P^_m(x|s,a) iota / n) + c2 iota / n}`` per history node
     and context, and alternates (at most ``n_alternations`` times) between planning with the beliefs of a
     model and replacing that model by the reach-weighted average of the optimistic kernels the plan used
     (it stays in the confidence sets, which are convex). This is a **heuristic**: the joint maximisation
     over policies and models is intractable in general (spec section 5.2); the alternation returns the
     plan with the highest optimistic value found, a local optimum.

   The optimistic value at the start adds a bonus of the same form for the estimated joint law
   ``w^_m nu^_m(s)`` of ``(m, s_1)`` (``n`` = episodes so far) when ``w`` or ``nu`` is estimated: the initial
   draw is one more transition, from a virtual start state [D]. The last step needs no bonus (the
   continuation is 0 in every model). Plans are recomputed when a count ``N_m(s, a)``, an episode count or
   the episode number reaches a power of two (``replan="doubling"``, the MVP-style schedule of the spec
   [R/I]) or every episode (``replan="every"``).
2. play the history policy; 3. ``update(trajectory)``: add the episode's transitions, initial state and
   episode to the counts of the revealed context.

``iota = 2 ln(2 M S A H K / delta)`` (Section 3, [V]). ``c1, c2`` are named parameters: their values in the
paper were not retrieved (provenance [I]); MVP (Zhang, Ji & Du 2021) uses constants of order 10^2.

Baselines (same class, other ``bonus``):

- ``bonus="hoeffding"``: ``b = c_h H sqrt(iota / n)``, the pre-horizon-free form (a Hoeffding bonus for
  per-step rewards of range 1, i.e. values of range ``H``, rescaled) -- :class:`HoeffdingLMDP`;
- ``bonus="none"``: greedy on the empirical model (negative control) -- :class:`GreedyLMDP`.

The episodic learners' :class:`~solvers.learners.Trajectory` has no field for the context revealed at the
end, so episodes are :class:`LatentTrajectory` (``states, actions, rewards, context``); policies are tables
over observation histories (:class:`mdptheory.latent.HistoryTree`), not ``(H, S)`` arrays, so
:func:`check_latent_learner` checks the same contract as :func:`solvers.learners.check_learner` for them.
"""
from __future__ import annotations

import math
import pickle
import time
from typing import Any, NamedTuple

import numpy as np

from mdptheory import mutants
from mdptheory.backends import check_backend
from mdptheory.latent import HistoryTree, LatentMDP, play_episode
from mdptheory.validation import as_generator, as_real_array, check_positive_int, check_real

from ..learners.base import check_trajectory
from ._kernels import box_argmax
from .planner import check_tree_size, evaluate_arrays, latent_planning, plan_arrays

__all__ = ["LatentTrajectory", "LatentOracle", "HorizonFreeLMDP", "HoeffdingLMDP", "GreedyLMDP", "lmdp_iota",
           "check_latent_learner", "SOLVERS", "BONUSES"]

SOLVERS = ("value", "model")
BONUSES = ("bernstein", "hoeffding", "none")

NO_VARIANCE = mutants.register("lmdp-learner", "bonus-no-variance",
                               "the Bernstein bonus without its variance term c1 sqrt(V iota / n)")
SECOND_MOMENT = mutants.register("lmdp-learner", "bonus-second-moment",
                                 "the variance in the bonus is P^.alpha^2 without subtracting (P^.alpha)^2")
NO_TRUNCATION = mutants.register("lmdp-learner", "no-truncation",
                                 "the optimistic alpha vectors are not truncated at 1")
SCALING_TWICE = mutants.register("lmdp-learner", "scaling-twice",
                                 "the horizon-free scaling applied twice: the learner plans with R / H")
COUNTS_WRONG_CONTEXT = mutants.register("lmdp-learner", "counts-wrong-context",
                                        "the transitions of the revealed context m are counted for context m+1")
ROOT_ORDER = mutants.register("lmdp-learner", "root-value-order",
                              "the root alpha_m(s) flattened state-major, not in the (m, s) order of w_m nu_m(s)")
IOTA_HALVED = mutants.register("lmdp-learner", "iota-halved",
                               "iota = ln(2 M S A H K / delta) instead of 2 ln(...) (the log term's factor 2 dropped)")
INITIAL_FROM_LAST = mutants.register("lmdp-learner", "initial-from-last-state",
                                     "the initial-state count takes states[-1] (the last state) for states[0]")


class LatentTrajectory(NamedTuple):
    """One episode of a latent MDP: ``states (H+1,)``, ``actions (H,)``, ``rewards (H,)`` and the ``context``
    revealed at the end (hindsight)."""

    states: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    context: int


def lmdp_iota(M: int, S: int, A: int, H: int, K: int, delta: float) -> float:
    """``iota = 2 ln(2 M S A H K / delta)`` (Zhou, Wang & Du 2023, Section 3 notation)."""
    if IOTA_HALVED.active:                                     # the factor 2 in front of the log dropped
        return math.log(2.0 * M * S * A * H * K / delta)
    return 2.0 * math.log(2.0 * M * S * A * H * K / delta)


class LatentOracle:
    """The ground truth of :func:`solvers.learners.run` for a latent MDP.

    ``v_star`` from :func:`~solvers.latent.latent_planning`; ``value(policy)`` the exact value of a history
    policy (:func:`~solvers.latent.latent_policy_evaluation`'s kernel, re-used while the policy is
    unchanged); ``play(policy, rng)`` draws the context, plays the policy and returns a
    :class:`LatentTrajectory` with the context revealed. ``mu0 = None``: the agents' own value (their
    optimistic value at the start) is recorded by the agents (``value_history``), not by ``run``.
    """

    mu0 = None

    def __init__(self, lmdp: LatentMDP, backend: str = "numba") -> None:
        if not isinstance(lmdp, LatentMDP):
            raise TypeError(f"LatentOracle needs an mdptheory.latent.LatentMDP, got {type(lmdp).__name__}")
        self.lmdp = lmdp
        self.S, self.A, self.H = lmdp.S, lmdp.A, lmdp.H
        self.backend = check_backend(backend)
        self.plan = latent_planning(lmdp, self.backend)
        self.v_star = self.plan.value
        self._value: tuple[np.ndarray, float] | None = None
        self._checked: tuple[Any, np.ndarray] | None = None

    def _check(self, policy: Any) -> np.ndarray:
        # a read-only table cannot change behind the cache; a writable one is checked (and copied) every time
        frozen = isinstance(policy, np.ndarray) and not policy.flags.writeable
        if self._checked is None or self._checked[0] is not policy or not frozen:
            self._checked = (policy, self.lmdp.tree.check_policy(policy))
        return self._checked[1]

    def value(self, policy: Any) -> float:
        """``sum_m w_m nu_m . alpha^pi_m(s_1)``, exactly."""
        pol = self._check(policy)
        if self._value is None or not np.array_equal(pol, self._value[0]):
            l = self.lmdp
            alpha, _, _ = evaluate_arrays(l.weights, l.nu, l.P, l.R, l.tree, pol, self.backend)
            self._value = (pol, float(l.weights @ np.einsum("ms,sm->m", l.nu, alpha[:l.S])))
        return self._value[1]

    def play(self, policy: Any, rng: np.random.Generator) -> LatentTrajectory:
        """One episode (``H + 2`` uniforms from ``rng``); the context is revealed in the trajectory."""
        m, states, actions, rewards = play_episode(self.lmdp, self._check(policy), rng.random(self.H + 2),
                                                   self.backend)
        return LatentTrajectory(states, actions, rewards, m)

    def __repr__(self) -> str:
        return f"LatentOracle({self.lmdp!r}, v_star={self.v_star:.6g})"


def _check_known(x: Any, shape: tuple, name: str) -> np.ndarray | None:
    if x is None:
        return None
    arr = as_real_array(x, name)
    if arr.shape != shape:
        raise ValueError(f"{name} has shape {arr.shape}, expected {shape}")
    if (arr < 0).any() or np.any(np.abs(arr.sum(axis=-1) - 1.0) > 1e-9):
        raise ValueError(f"{name} must hold probability vectors (non-negative, summing to 1 on the last axis)")
    return np.ascontiguousarray(arr, dtype=np.float64)


class HorizonFreeLMDP:
    """The model-based optimistic learner of Zhou, Wang & Du (2023) for latent MDPs (module docstring).

    Parameters
    ----------
    S, A, H : int
    rewards : array (M, S, A)
        The known deterministic rewards ``R_m(s, a)`` (``M`` is read from them); total reward at most 1.
    solver : {"value", "model"}
        Value-optimistic (default) or model-optimistic (heuristic alternation; micro instances).
    bonus : {"bernstein", "hoeffding", "none"}
    c1, c2 : float
        Bernstein constants (``[I]``, named).
    c_h : float
        Hoeffding constant: ``b = c_h H sqrt(iota / n)``.
    n_episodes : int
        ``K`` in ``iota``.
    delta : float
        Confidence level in ``iota``.
    replan : {"doubling", "every"}
    weights, nu : array, optional
        Known mixing weights ``(M,)`` / initial laws ``(M, S)``; estimated from the counts when omitted.
    n_alternations : int
        Model-optimistic solver: maximum number of plan/model alternations.
    rng : int, Generator or None
        Unused by the deterministic solvers; kept for the learner interface.
    backend : {"numba", "numpy"}

    Attributes
    ----------
    counts : ndarray (M, S, A, S); initial_counts : ndarray (M, S); context_counts : ndarray (M,)
    value_history : list of float
        The optimistic value at the start of every planned episode (one per :meth:`policy` call).
    V : None
        (The run loop records no value table for latent agents; see ``value_history``.)
    """

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, *, solver: str = "value",
                 bonus: str = "bernstein", c1: float = 1.0, c2: float = 1.0, c_h: float = 1.0,
                 n_episodes: int = 10_000, delta: float = 0.1, replan: str = "doubling", weights: Any = None,
                 nu: Any = None, n_alternations: int = 4, rng: Any = None, backend: str = "numba") -> None:
        self.S = check_positive_int(S, "S")
        self.A = check_positive_int(A, "A")
        self.H = check_positive_int(H, "H")
        if rewards is None:
            raise TypeError("rewards is required: the known rewards R (M, S, A) of the latent MDP, e.g. lmdp.R")
        R = as_real_array(rewards, "rewards")
        if R.ndim != 3 or R.shape[1:] != (self.S, self.A) or R.shape[0] < 1:
            raise ValueError(f"rewards has shape {R.shape}, expected (M, S, A) with S = {self.S}, A = {self.A}")
        if not np.isfinite(R).all() or (R < 0).any() or (R > 1).any():
            raise ValueError("rewards must lie in [0, 1] (deterministic rewards of a latent MDP)")
        self.R = np.ascontiguousarray(R, dtype=np.float64)
        self.R.flags.writeable = False
        self.M = self.R.shape[0]
        if solver not in SOLVERS:
            raise ValueError(f"solver must be one of {SOLVERS}, got {solver!r}")
        if bonus not in BONUSES:
            raise ValueError(f"bonus must be one of {BONUSES}, got {bonus!r}")
        if solver == "model" and bonus != "bernstein":
            raise ValueError("solver='model' uses the Bernstein confidence sets; pass bonus='bernstein'")
        if replan not in ("doubling", "every"):
            raise ValueError(f"replan must be 'doubling' or 'every', got {replan!r}")
        self.solver, self.bonus, self.replan = solver, bonus, replan
        self.c1 = check_real(c1, "c1", low=0.0)
        self.c2 = check_real(c2, "c2", low=0.0)
        self.c_h = check_real(c_h, "c_h", low=0.0)
        self.delta = check_real(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
        self.n_episodes = check_positive_int(n_episodes, "n_episodes")
        self.n_alternations = check_positive_int(n_alternations, "n_alternations")
        self.known_weights = _check_known(weights, (self.M,), "weights")
        self.known_nu = _check_known(nu, (self.M, self.S), "nu")
        self.iota = lmdp_iota(self.M, self.S, self.A, self.H, self.n_episodes, self.delta)
        self.backend = check_backend(backend)
        self.rng = as_generator(rng)
        self.tree = HistoryTree.from_rewards(self.R, self.H)
        check_tree_size(self.tree, full=True)
        self.counts = np.zeros((self.M, self.S, self.A, self.S))
        self.visits = np.zeros((self.M, self.S, self.A), np.int64)
        self.initial_counts = np.zeros((self.M, self.S))
        self.context_counts = np.zeros(self.M)
        self.episodes = 0
        self.V = None
        self.value_history: list[float] = []
        self.phase_times = {"planning": 0.0}
        self.n_plans = 0
        self._policy: np.ndarray | None = None
        self._value = math.nan
        self._stale = True

    @property
    def name(self) -> str:
        if self.bonus == "none":
            return "LMDP-greedy"
        if self.bonus == "hoeffding":
            return "LMDP-Hoeffding-H"
        return "LMDP-VO" if self.solver == "value" else "LMDP-MO"

    @property
    def params(self) -> dict:
        return dict(solver=self.solver, bonus=self.bonus, c1=self.c1, c2=self.c2, c_h=self.c_h, iota=self.iota,
                    delta=self.delta, n_episodes=self.n_episodes, replan=self.replan,
                    known_weights=self.known_weights is not None, known_nu=self.known_nu is not None,
                    n_alternations=self.n_alternations)

    # -- the empirical model ------------------------------------------------------------------------
    def empirical_model(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(w^ (M,), nu^ (M, S), P^ (M, S, A, S), 1 / max(1, N) (M, S, A))``; uniform rows where nothing
        was observed."""
        n = self.counts.sum(axis=-1)
        P = np.where(n[..., None] > 0, self.counts / np.maximum(n, 1.0)[..., None], 1.0 / self.S)
        if self.known_weights is not None:
            w = self.known_weights
        elif self.episodes:
            w = self.context_counts / self.episodes
        else:
            w = np.full(self.M, 1.0 / self.M)
        if self.known_nu is not None:
            nu = self.known_nu
        else:
            k = self.initial_counts.sum(axis=1, keepdims=True)
            nu = np.where(k > 0, self.initial_counts / np.maximum(k, 1.0), 1.0 / self.S)
        return w, nu, P, 1.0 / np.maximum(n, 1.0)

    def _bonus_args(self) -> dict:
        c1 = 0.0 if NO_VARIANCE.active else self.c1
        if self.bonus == "bernstein":
            return dict(c1=c1, c2=self.c2, ch=0.0)
        if self.bonus == "hoeffding":
            return dict(c1=0.0, c2=0.0, ch=self.c_h * self.H)
        return dict(c1=0.0, c2=0.0, ch=0.0)

    def _root_value(self, w: np.ndarray, nu: np.ndarray, alpha: np.ndarray, cap: float) -> float:
        """Optimistic value at the start: ``sum_{m,s} w^_m nu^_m(s) alpha_m(s)`` plus the bonus of the joint
        law of ``(m, s_1)`` when it is estimated (module docstring)."""
        rho = (w[:, None] * nu).ravel()
        if ROOT_ORDER.active:                                  # (S * M,): s-major, not the order of rho
            x = alpha[:self.S].ravel()
        else:
            x = alpha[:self.S].T.ravel()                       # (M * S,) alpha_m(s) in the order of rho
        mean = float(rho @ x)
        if self.known_weights is not None and self.known_nu is not None:
            return mean
        ninv = 1.0 / max(1, self.episodes)
        b = self._bonus_args()
        var = max(float(rho @ x ** 2) - (0.0 if SECOND_MOMENT.active else 1.0) * mean ** 2, 0.0)
        bonus = (b["c1"] * math.sqrt(var * self.iota * ninv) + b["c2"] * self.iota * ninv
                 + b["ch"] * math.sqrt(self.iota * ninv))
        return min(cap, mean + bonus)

    def _plan(self) -> tuple[np.ndarray, float]:
        w, nu, P, inv_n = self.empirical_model()
        R = self.R / self.H if SCALING_TWICE.active else self.R
        cap = np.inf if NO_TRUNCATION.active else 1.0
        center = 0.0 if SECOND_MOMENT.active else 1.0
        common = dict(c2=0.0, iota=self.iota, inv_n=inv_n, cap=cap, center=center, backend=self.backend)
        if self.solver == "value":
            args = {**common, **self._bonus_args()}
            pol, alpha, _, _ = plan_arrays(w, nu, P, P, R, self.tree, mode=0, **args)
            return pol, self._root_value(w, nu, alpha, cap)
        # model-optimistic: alternate between plans and the optimistic models they use
        c1 = self._bonus_args()["c1"]
        best: tuple[np.ndarray, float] | None = None
        Pb = P
        seen: list[np.ndarray] = []
        for _ in range(self.n_alternations):
            # the beliefs of the optimistic model may vanish where P^ does not: no pruning
            pol, alpha, u, _ = plan_arrays(w, nu, Pb, P, R, self.tree, mode=1, prune=False,
                                           **{**common, "c1": c1, "c2": self.c2})
            v = self._root_value(w, nu, alpha, cap)
            if best is None or v > best[1]:
                best = (pol, v)
            if any(np.array_equal(pol, p) for p in seen):
                break
            seen.append(pol)
            Pb = self._optimistic_model(pol, alpha, u, P, inv_n, c1)
        return best

    def _optimistic_model(self, pol, alpha, u, P, inv_n, c1) -> np.ndarray:
        """Reach-weighted average over the history nodes of ``pol`` of the box-maximising kernels of its
        optimistic evaluation (rows the plan never uses keep ``P^``)."""
        tree, S, M = self.tree, self.S, self.M
        num = np.zeros((M, S, self.A, S))
        den = np.zeros((M, S, self.A))
        for h in range(self.H - 1):
            lo, hi = tree.offsets[h], tree.offsets[h + 1]
            j = np.arange(hi - lo)
            s, a = j % S, pol[lo:hi]
            g = tree.cls[:, s, a].T                                                # (n, M)
            kids = tree.offsets[h + 1] + (j[:, None, None] * tree.G + g[:, :, None]) * S + np.arange(S)
            v = alpha[kids, np.arange(M)[None, :, None]]                          # (n, M, S)
            p = np.moveaxis(P[:, s, a], 0, 1)                                      # (n, M, S)
            ninv = inv_n[:, s, a].T[..., None]                                     # (n, M, 1)
            beta = c1 * np.sqrt(p * self.iota * ninv) + self.c2 * self.iota * ninv
            q = box_argmax(p, beta, v)
            wts = u[lo:hi]                                                         # (n, M)
            for m in range(M):
                np.add.at(num[m], (s, a), wts[:, m, None] * q[:, m])
                np.add.at(den[m], (s, a), wts[:, m])
        return np.where(den[..., None] > 0, num / np.where(den > 0, den, 1.0)[..., None], P)

    # -- the episode interface ----------------------------------------------------------------------
    def policy(self) -> np.ndarray:
        """The history policy for the next episode (int64 table over observation histories)."""
        if self._stale or self.replan == "every" or self._policy is None:
            t0 = time.perf_counter()
            pol, self._value = self._plan()
            pol.flags.writeable = False
            self._policy = pol
            self._stale = False
            self.n_plans += 1
            self.phase_times["planning"] += time.perf_counter() - t0
        self.value_history.append(self._value)
        return self._policy

    def update(self, trajectory: LatentTrajectory) -> None:
        """Add the episode to the counts of its revealed context."""
        context = getattr(trajectory, "context", None)
        if context is None:
            raise TypeError("a latent-MDP learner needs the context revealed at the end of the episode: pass a "
                            "LatentTrajectory(states, actions, rewards, context) (LatentOracle.play makes one)")
        states, actions = check_trajectory(trajectory, self.S, self.A, self.H)
        m = int(context)
        if not 0 <= m < self.M:
            raise ValueError(f"trajectory.context = {context} is not a context in 0..{self.M - 1}")
        mt = (m + 1) % self.M if COUNTS_WRONG_CONTEXT.active else m
        counts, visits = self.counts[mt], self.visits[mt]
        hit = False                       # replan when a count reaches a power of two (the doubling schedule)
        for h in range(self.H):
            s, a = int(states[h]), int(actions[h])
            counts[s, a, int(states[h + 1])] += 1.0
            n = int(visits[s, a]) + 1
            visits[s, a] = n
            hit |= _power_of_two(n)
        s0 = states[-1] if INITIAL_FROM_LAST.active else states[0]
        self.initial_counts[m, s0] += 1.0
        self.context_counts[m] += 1.0
        self.episodes += 1
        hit |= _power_of_two(int(self.context_counts[m])) or _power_of_two(self.episodes)
        self._stale = self._stale or hit

    @property
    def n_transitions(self) -> int:
        return int(round(self.counts.sum()))

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(S={self.S}, A={self.A}, H={self.H}, M={self.M}, solver={self.solver!r}, "
                f"bonus={self.bonus!r}, c1={self.c1:g}, c2={self.c2:g})")


def _power_of_two(n: int) -> bool:
    return n >= 1 and n & (n - 1) == 0


class HoeffdingLMDP(HorizonFreeLMDP):
    """Baseline: the same learner with the pre-horizon-free Hoeffding bonus ``c_h H sqrt(iota / n)``."""

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, **kwargs) -> None:
        kwargs["bonus"] = "hoeffding"
        super().__init__(S, A, H, rewards, **kwargs)


class GreedyLMDP(HorizonFreeLMDP):
    """Negative control: the same learner without bonus (greedy on the empirical model)."""

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, **kwargs) -> None:
        kwargs["bonus"] = "none"
        super().__init__(S, A, H, rewards, **kwargs)


class LatentContractError(AssertionError):
    """A latent-MDP learner broke the episode contract checked by :func:`check_latent_learner`."""


def check_latent_learner(cls, lmdp: LatentMDP | None = None, n_episodes: int = 15, seed: int = 0, **params) -> None:
    """The contract of :func:`solvers.learners.check_learner`, for learners of latent MDPs.

    Checks: ``policy()`` returns a valid history-policy table; ``update`` adds ``H`` transitions to the revealed
    context; the same seeds give the same :class:`~solvers.learners.Trace`; expected regret ``>= -1e-9`` and
    realised returns ``<= 1``; a pickled copy continues exactly like the original.
    """
    from ..learners import run

    if lmdp is None:
        from mdptheory.envs.latent import random_lmdp
        lmdp = random_lmdp(2, 3, 2, 3, rng=12345)

    def make():
        return cls(lmdp.S, lmdp.A, lmdp.H, rewards=lmdp.R, rng=seed, **params)

    def fail(msg):
        raise LatentContractError(f"{cls.__name__}({params}): {msg}")

    agent = make()
    pol = agent.policy()
    try:
        lmdp.tree.check_policy(pol)
    except (TypeError, ValueError) as exc:
        fail(f"policy() is not a history-policy table: {exc}")
    before = agent.counts[1 % lmdp.M].sum()
    m, s, a, r = lmdp.sample_episode(pol, seed)
    agent.update(LatentTrajectory(s, a, r, 1 % lmdp.M))
    if agent.counts[1 % lmdp.M].sum() != before + lmdp.H:
        fail("update() did not add H transitions to the revealed context")
    oracle = LatentOracle(lmdp)
    ta, tb = (run(make(), None, n_episodes, rng=seed + 1, oracle=oracle) for _ in range(2))
    for name in ("regret", "returns", "samples"):
        x, y = getattr(ta, name), getattr(tb, name)
        if x.shape != (n_episodes,):
            fail(f"Trace.{name} has shape {x.shape}, expected ({n_episodes},)")
        if not np.array_equal(x, y):
            fail(f"same seed, different Trace.{name}")
    if (ta.regret < -1e-9).any():
        fail(f"negative expected regret {ta.regret.min()}: V^pi > V* is impossible")
    if (ta.returns > 1.0 + 1e-9).any():
        fail("a realised return exceeds 1 (the horizon-free scaling)")
    a1 = make()
    run(a1, None, n_episodes, rng=seed + 1, oracle=oracle)
    c = pickle.loads(pickle.dumps(a1))
    tc, ta2 = run(c, None, 5, rng=seed + 2, oracle=oracle), run(a1, None, 5, rng=seed + 2, oracle=oracle)
    if not np.array_equal(tc.regret, ta2.regret) or c.value_history != a1.value_history:
        fail("a pickled copy does not continue like the original")
