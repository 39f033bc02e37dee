r"""GOSPRL: goal-based sample collection in an unknown communicating MDP, and its baselines.

Tarbouriech, Pirotta, Valko & Lazaric, *A Provably Efficient Sample Collection Strategy for Reinforcement
Learning*, NeurIPS 2021 (arXiv:2007.06437). Given a *sampling requirement* ``b(s, a)`` (fixed, or online: a
callable that sees the data so far), collect at least ``b(s, a)`` transitions from every pair, online, from a
start state, as fast as possible. The *collection time* ``C`` is the number of steps taken when the last
requirement is met. The main theorem (abstract): with probability ``1 - delta``,
``C = O~(B D + D^{3/2} S^2 A)``, ``B = sum b``, ``D`` the diameter (``bounds.gosprl``).

The algorithm (spec section 2.2; the paper's full text was not available, so the structure is recalled [R] and
every concrete choice below is a reconstruction [I], each a named parameter):

- if the current state ``s`` has a *still-needed* action (``N(s, a) < b(s, a)``), take the one with the largest
  deficit ``b - N`` (ties: lowest index) [I];
- otherwise an *attempt* starts: the goal set is ``G = {s : some action still needed}``; plan an optimistic
  unit-cost SSP policy to ``G`` (:func:`solvers.ssp_evi.ssp_extended_value_iteration` over empirical-Bernstein
  sets, never-visited pairs optimistic) and follow it until a state of ``G`` is reached;
- replan at every new attempt, when ``G`` changes, and when the count of some pair doubles since the last plan
  (the doubling rule of Bernstein-SSP, Cohen et al. 2020: ``O(S A log C)`` plans) [I];
- every executed transition counts as a sample, travelling included.

Each attempt ends with at least one required sample, so there are at most ``B`` attempts, each of optimal
expected length ``<= D`` (spec section 1). The loop runs the environment step by step from the caller's
``Generator`` and stops by itself; ``max_steps`` bounds it in every case (an unreachable requirement, an online
requirement that keeps growing, a bug), and then ``status = "max_steps"``.

Baselines (spec section 2.5): :func:`random_walk_collection` (uniform random actions, goal-blind) and
:func:`empirical_collection` (GOSPRL without optimism: plans on the empirical model, never-visited pairs taken as
self-loops; states from which that model cannot reach ``G`` play a uniformly random action).

Results are :class:`CollectionResult`: the suite's shared fields (``policy`` (the last plan), ``method``,
``params``, ``wall_time``, ``message``) plus the counts, transitions, the trajectory and ``C``.
"""
from __future__ import annotations

import time
import warnings
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp
from scipy.sparse import csgraph

from mdptheory import mutants
from mdptheory.finite import FiniteMDP
from mdptheory.sampling import transition_cdf
from mdptheory.validation import as_generator, check_positive_int, check_real

from ..result import ConvergenceWarning, check_backend
from ..ssp_evi import BERNSTEIN_C1, BERNSTEIN_C2, BERNSTEIN_C3, _extended_vi, bernstein_box, empirical_box

__all__ = ["gosprl", "random_walk_collection", "empirical_collection", "CollectionResult", "CollectionData",
           "UnreachableRequirementError", "check_requirement", "AGENTS"]

#: The collection strategies of :func:`collect`.
AGENTS = ("gosprl", "empirical", "random-walk")

REPLAN_ATTEMPTS_ONLY = mutants.register("gosprl", "replan-attempts-only",
                                        "replans only at new attempts and goal-set changes, never when a count doubles")
GOAL_NOT_SHRINKING = mutants.register("gosprl", "goal-not-shrinking",
                                      "a state stays in the goal set after all its requirements are met")
ACTION_IGNORES_COUNTS = mutants.register("gosprl", "action-ignores-counts",
                                         "the still-needed action is argmax_a b(s, a), ignoring the counts N(s, a)")
REQUIREMENT_OFF_BY_ONE = mutants.register("gosprl", "requirement-off-by-one",
                                          "a pair counts as satisfied once N(s, a) >= b(s, a) - 1")
STOP_AFTER_B = mutants.register("gosprl", "stop-after-B",
                                "the loop stops after B = sum b steps instead of when every requirement is met")
TRAVEL_NOT_COUNTED = mutants.register("gosprl", "travel-not-counted",
                                      "transitions taken while travelling to the goal set are not counted as samples")


class UnreachableRequirementError(ValueError):
    """A pair with ``b(s, a) > 0`` cannot be reached almost surely from the start: no strategy can collect it."""


@dataclass
class CollectionData:
    """What an online requirement sees (read-only views, updated in place as the loop runs).

    Attributes: ``counts (S, A)`` and ``transitions (S, A, S)`` (int64), ``rewards (S, A)`` (sum of the observed
    rewards), ``t`` (steps so far; the requirement is called once with ``t = 0`` before the first step), ``last``
    (``(s, a, s_next)`` of the transition just counted, or ``None``)."""

    counts: np.ndarray
    transitions: np.ndarray
    rewards: np.ndarray
    t: int = 0
    last: tuple[int, int, int] | None = None


@dataclass(frozen=True, eq=False)
class CollectionResult:
    r"""Outcome of a sample-collection run.

    Attributes
    ----------
    counts : ndarray (S, A) int64
        ``N(s, a)``: transitions executed from each pair (travelling included).
    transitions : ndarray (S, A, S) int64
        ``N(s, a, s')``.
    reward_sums : ndarray (S, A)
        Sum of the rewards observed at each pair.
    requirement : ndarray (S, A) int64
        The requirement ``b`` in force when the loop stopped (the fixed ``b``, or the last ``b_t``).
    states, actions, rewards : ndarray
        The trajectory: ``states (C + 1,)``, ``actions (C,)``, ``rewards (C,)``.
    C : int
        The collection time: steps taken (``C = len(actions)``).
    status : str
        ``"satisfied"`` (the stopping rule fired) or ``"max_steps"`` (the cap was reached first).
    policy : ndarray (S,) int64
        The last SSP policy planned (empty for the random walk).
    method, params, wall_time
        The shared result fields.
    plans, attempts : int
        Number of SSP plans and of attempts (travels to the goal set).
    phase_times : dict
        Seconds in ``planning`` and in the rest of the loop (``loop``).
    """

    counts: np.ndarray
    transitions: np.ndarray
    reward_sums: np.ndarray
    requirement: np.ndarray
    states: np.ndarray
    actions: np.ndarray
    rewards: np.ndarray
    C: int
    status: str
    policy: np.ndarray
    method: str
    params: dict
    wall_time: float
    plans: int = 0
    attempts: int = 0
    phase_times: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for arr in (self.counts, self.transitions, self.reward_sums, self.requirement, self.states, self.actions,
                    self.rewards, self.policy):
            arr.flags.writeable = False

    @property
    def satisfied(self) -> bool:
        """Whether ``counts >= requirement`` everywhere (checked on the returned arrays, not the loop's flag)."""
        return bool(np.all(self.counts >= self.requirement))

    @property
    def B(self) -> int:
        """``sum b`` of the final requirement."""
        return int(self.requirement.sum())

    @property
    def message(self) -> str:
        """One line: the method, whether the requirement was met, ``C`` and ``B``, plans and time."""
        what = "requirement met" if self.status == "satisfied" else "stopped at max_steps, requirement NOT met"
        missing = int(np.maximum(self.requirement - self.counts, 0).sum())
        tail = f" ({missing} samples missing)" if missing else ""
        return (f"{self.method}: {what}{tail}; C = {self.C} steps for B = {self.B} samples, {self.plans} plans, "
                f"{self.attempts} attempts in {self.wall_time:.3g} s")


# ---------------------------------------------------------------------------------------------- requirements
def check_requirement(b: Any, S: int, A: int, name: str = "requirements") -> np.ndarray:
    """``b`` as an ``(S, A)`` int64 array of non-negative integers, or a ``ValueError``/``TypeError`` naming ``name``.

    Integer arrays are taken as they are; float arrays must hold integral values (``3.0``); booleans, strings,
    complex numbers, NaN, inf, negative and non-integer values are refused."""
    if isinstance(b, (str, bytes)) or callable(b):
        raise TypeError(f"{name} must be an (S, A) = ({S}, {A}) array of non-negative integers, got {type(b).__name__}")
    try:
        arr = np.asarray(b)
    except ValueError as exc:
        raise ValueError(f"{name} is not a rectangular (S, A) array: {exc}") from None
    if arr.dtype.kind == "b":
        raise TypeError(f"{name} has boolean dtype; give sample counts b(s, a) (e.g. mask.astype(int) for one "
                        "sample per marked pair)")
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold non-negative integers, got dtype {arr.dtype}")
    if arr.shape != (S, A):
        raise ValueError(f"{name} must have shape (S, A) = ({S}, {A}), got {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} has a non-finite entry at {tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])}")
        frac = arr != np.round(arr)
        if frac.any():
            i = tuple(int(j) for j in np.argwhere(frac)[0])
            raise ValueError(f"{name}{list(i)} = {arr[i]!r} is not an integer: a requirement counts samples "
                             "(round it up with np.ceil(b).astype(int))")
    if arr.size and arr.min() < 0:
        i = tuple(int(j) for j in np.argwhere(arr < 0)[0])
        raise ValueError(f"{name}{list(i)} = {arr[i]} is negative: a requirement counts samples, b(s, a) >= 0")
    if arr.dtype.kind == "f" and arr.size and arr.max() >= 2.0 ** 62:
        raise ValueError(f"{name} holds a value too large to count ({arr.max():.3g})")
    return np.array(arr, dtype=np.int64)


def _check_env(env: Any) -> FiniteMDP:
    if not isinstance(env, FiniteMDP):
        raise TypeError(f"env must be an mdptheory.FiniteMDP (the environment to collect samples in), got "
                        f"{type(env).__name__}")
    return env


def _reachability_problem(env: FiniteMDP, b: np.ndarray, s0: int) -> tuple[int, int, int] | None:
    """A required pair ``(s, a)`` and a state ``x``, reachable from ``s0``, from which ``s`` cannot be reached (so
    no strategy collects ``b(s, a)`` surely); ``None`` if every required state is reachable from every state the
    agent can visit. From such a closed set, positive-probability reachability of ``s`` from every state gives a
    proper policy to ``s`` (almost-sure reachability)."""
    S, A = env.S, env.A
    P = sp.csr_array(env.P_flat)
    P.eliminate_zeros()
    rows = np.repeat(np.arange(S * A) // A, np.diff(P.indptr))
    adj = sp.csr_array((np.ones(P.nnz), (rows, P.indices)), shape=(S, S))
    visit = np.zeros(S, dtype=bool)
    visit[csgraph.breadth_first_order(adj, s0, directed=True, return_predecessors=False)] = True
    rev = adj.T.tocsr()
    for s in np.flatnonzero((b > 0).any(axis=1)):
        can = np.zeros(S, dtype=bool)
        can[csgraph.breadth_first_order(rev, int(s), directed=True, return_predecessors=False)] = True
        bad = visit & ~can
        if bad.any():
            return int(s), int(np.flatnonzero(b[s] > 0)[0]), int(np.flatnonzero(bad)[0])
    return None


class _Stepper:
    """The environment, stepped from the caller's Generator: uniforms drawn in blocks, next states by bisection on
    each row's cumulative probabilities (plain Python lists: the per-step cost is what matters here)."""

    def __init__(self, env: FiniteMDP, rng: np.random.Generator, rewards: str) -> None:
        indptr, indices, cdf = transition_cdf(env)
        self.cdf = [cdf[indptr[r]:indptr[r + 1]].tolist() for r in range(env.S * env.A)]
        self.idx = [indices[indptr[r]:indptr[r + 1]].tolist() for r in range(env.S * env.A)]
        self.A = env.A
        self.R = np.asarray(env.R).tolist()
        self.rng = rng
        self.bernoulli = rewards == "bernoulli"
        self._u: list[float] = []
        self._i = 0

    def uniform(self) -> float:
        if self._i >= len(self._u):
            self._u = self.rng.random(4096).tolist()
            self._i = 0
        self._i += 1
        return self._u[self._i - 1]

    def step(self, s: int, a: int) -> tuple[int, float]:
        row = s * self.A + a
        cdf = self.cdf[row]
        nxt = self.idx[row][min(bisect_right(cdf, self.uniform()), len(cdf) - 1)]
        r = self.R[s][a]
        if self.bernoulli:
            r = 1.0 if self.uniform() < r else 0.0
        return nxt, r


def _check_common(env, rng, delta, max_steps, start, rewards, backend):
    env = _check_env(env)
    rng = as_generator(rng)
    delta = check_real(delta, "delta", low=0.0, high=1.0, low_open=True, high_open=True)
    if max_steps is not None:
        max_steps = check_positive_int(max_steps, "max_steps")
    if start is not None:
        if isinstance(start, bool) or not isinstance(start, (int, np.integer)) or not 0 <= start < env.S:
            raise ValueError(f"start must be a state index in 0..{env.S - 1} (or None: drawn from env.mu0), got {start!r}")
        start = int(start)
    if rewards not in ("mean", "bernoulli"):
        raise ValueError(f"rewards must be 'mean' (observe R[s, a]) or 'bernoulli' (observe a Bernoulli(R[s, a]) draw), "
                         f"got {rewards!r}")
    if rewards == "bernoulli" and (np.asarray(env.R).min() < 0 or np.asarray(env.R).max() > 1):
        raise ValueError("rewards='bernoulli' needs env.R in [0, 1] (the Bernoulli means)")
    return env, rng, delta, max_steps, start, check_backend(backend)


def collect(env: FiniteMDP, requirements: Any, rng: Any = None, *, agent: str = "gosprl", delta: float = 0.1,
            max_steps: int | None = None, start: int | None = None, c1: float = BERNSTEIN_C1,
            c2: float = BERNSTEIN_C2, c3: float = BERNSTEIN_C3, plan_tol: float = 1e-2, plan_check_every: int = 8,
            plan_max_iter: int = 2_000, rewards: str = "mean", check_reachable: bool = True,
            backend: str = "numba") -> CollectionResult:
    """Run one sample-collection strategy (``agent`` in :data:`AGENTS`) until the requirement is met or
    ``max_steps``; see :func:`gosprl` for the arguments."""
    if agent not in AGENTS:
        raise ValueError(f"agent must be one of {AGENTS}, got {agent!r}")
    t_start = time.perf_counter()
    env, rng, delta, max_steps, start, backend = _check_common(env, rng, delta, max_steps, start, rewards, backend)
    plan_tol = check_real(plan_tol, "plan_tol", low=0.0, low_open=True)
    plan_check_every = check_positive_int(plan_check_every, "plan_check_every")
    plan_max_iter = check_positive_int(plan_max_iter, "plan_max_iter")
    for v, name in ((c1, "c1"), (c2, "c2"), (c3, "c3")):
        check_real(v, name, low=0.0, low_open=(name == "c3"))
    S, A = env.S, env.A
    online: Callable | None = None
    if callable(requirements):
        online = requirements
    else:
        b_fixed = check_requirement(requirements, S, A)

    s = int(rng.choice(S, p=env.mu0)) if start is None else start
    N = np.zeros((S, A), dtype=np.int64)
    T = np.zeros((S, A, S), dtype=np.int64)
    Rsum = np.zeros((S, A))
    views = []
    for arr in (N, T, Rsum):
        v = arr.view()
        v.flags.writeable = False
        views.append(v)
    data = CollectionData(*views)
    b = check_requirement(online(data), S, A, "the online requirement's value") if online else b_fixed
    if check_reachable:
        bad = _reachability_problem(env, b, s)
        if bad is not None:
            raise UnreachableRequirementError(
                f"requirements[{bad[0]}, {bad[1]}] = {b[bad[0], bad[1]]} cannot be collected surely: state {bad[0]} "
                f"cannot be reached from state {bad[2]}, which is reachable from the start state {s} (the MDP is not "
                "communicating there). Set b = 0 on unreachable pairs, or pass check_reachable=False with a "
                "max_steps to run anyway (the result then has status 'max_steps')")
    if max_steps is None:
        max_steps = 10**6 + 100 * int(b.sum())

    def threshold(b: np.ndarray) -> np.ndarray:
        return b - 1 if REQUIREMENT_OFF_BY_ONE.active else b

    unmet = N < threshold(b)
    need = unmet.sum(axis=1)
    n_unmet = int(need.sum())
    goal_ever = need > 0
    stepper = _Stepper(env, rng, rewards)
    states, actions, rews = [s], [], []
    policy = np.zeros(0 if agent == "random-walk" else S, dtype=np.int64)
    finite = np.ones(S, dtype=bool)
    plan_counts = np.zeros((S, A), dtype=np.int64)
    replan, in_attempt = True, False
    plans = attempts = nonconverged = 0
    t_plan = 0.0
    t = 0
    ones = np.ones((S, A))
    box = (lambda T_: bernstein_box(T_, delta, c1, c2, c3)) if agent == "gosprl" else empirical_box

    def goal_now() -> np.ndarray:
        nonlocal goal_ever
        if GOAL_NOT_SHRINKING.active:
            goal_ever = goal_ever | (need > 0)
            return goal_ever
        return need > 0

    status = "satisfied"
    while n_unmet > 0 and not (STOP_AFTER_B.active and t >= int(b.sum())):
        if t >= max_steps:
            status = "max_steps"
            break
        counted = True
        if agent == "random-walk":
            a = int(stepper.uniform() * A)
        elif need[s] > 0:
            if ACTION_IGNORES_COUNTS.active:
                a = int(np.argmax(b[s]))
            else:
                a = int(np.argmax(np.where(unmet[s], b[s] - N[s], np.iinfo(np.int64).min)))
            in_attempt = False
        else:
            if not in_attempt:
                in_attempt, replan = True, True
                attempts += 1
            if replan:
                t0 = time.perf_counter()
                lo, hi = box(T)
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", ConvergenceWarning)
                    res = _extended_vi(lo, hi, goal_now(), ones, plan_tol, plan_max_iter, backend, False,
                                       plan_check_every, False)
                nonconverged += bool(caught)
                policy, finite = res.policy, np.isfinite(res.V)
                plan_counts[:] = N
                replan = False
                plans += 1
                t_plan += time.perf_counter() - t0
            a = int(policy[s]) if finite[s] else int(stepper.uniform() * A)
            counted = not TRAVEL_NOT_COUNTED.active
        s_next, r = stepper.step(s, a)
        actions.append(a)
        rews.append(r)
        states.append(s_next)
        t += 1
        data.t = t
        data.last = None
        if counted:
            N[s, a] += 1
            T[s, a, s_next] += 1
            Rsum[s, a] += r
            data.last = (s, a, s_next)
            if N[s, a] >= max(1, 2 * plan_counts[s, a]) and not REPLAN_ATTEMPTS_ONLY.active:
                replan = True
            if unmet[s, a] and N[s, a] >= threshold(b)[s, a]:
                unmet[s, a] = False
                need[s] -= 1
                n_unmet -= 1
                if need[s] == 0:
                    replan = True                      # the goal set shrank
        if online is not None:
            b_new = check_requirement(online(data), S, A, "the online requirement's value")
            if not np.array_equal(b_new, b):
                b = b_new
                unmet = N < threshold(b)
                new_need = unmet.sum(axis=1)
                if not np.array_equal(new_need > 0, need > 0):
                    replan = True                      # the goal set changed
                need = new_need
                n_unmet = int(need.sum())
        s = s_next
    wall = time.perf_counter() - t_start
    params = dict(agent=agent, delta=delta, max_steps=max_steps, start=states[0], c1=c1, c2=c2, c3=c3,
                  plan_tol=plan_tol, plan_check_every=plan_check_every, plan_max_iter=plan_max_iter,
                  rewards=rewards, backend=backend, online=online is not None, nonconverged_plans=nonconverged)
    return CollectionResult(
        counts=N, transitions=T, reward_sums=Rsum, requirement=np.array(b), states=np.array(states, dtype=np.int64),
        actions=np.array(actions, dtype=np.int64), rewards=np.array(rews, dtype=np.float64), C=t, status=status,
        policy=np.array(policy, dtype=np.int64), method={"gosprl": "GOSPRL", "empirical": "GOSPRL-no-optimism",
                                                         "random-walk": "random-walk"}[agent],
        params=params, wall_time=wall, plans=plans, attempts=attempts,
        phase_times={"planning": t_plan, "loop": wall - t_plan})


def gosprl(env: FiniteMDP, requirements: Any, rng: Any = None, *, delta: float = 0.1, max_steps: int | None = None,
           start: int | None = None, c1: float = BERNSTEIN_C1, c2: float = BERNSTEIN_C2, c3: float = BERNSTEIN_C3,
           plan_tol: float = 1e-2, plan_check_every: int = 8, plan_max_iter: int = 2_000, rewards: str = "mean",
           check_reachable: bool = True, backend: str = "numba") -> CollectionResult:
    r"""Collect ``requirements`` in ``env`` with GOSPRL (Tarbouriech et al. 2021; see the module docstring).

    Parameters
    ----------
    env : FiniteMDP
        The environment (unknown to the algorithm: only its transitions are observed).
    requirements : array (S, A) of non-negative integers, or callable
        A fixed ``b``, or an online requirement ``f(data) -> b_t`` called with a :class:`CollectionData` once
        before the first step (``data.t = 0``) and after every step (e.g.
        :class:`solvers.collection.AdaptiveModelEstimation`).
    rng : int or Generator
        Drives the environment (and the start state when ``start`` is None): same seed, same run.
    delta : float in (0, 1)
        Confidence of the empirical-Bernstein sets.
    max_steps : int, optional
        Hard cap on the steps (default ``10**6 + 100 B``): the loop never runs forever; reaching it gives
        ``status = "max_steps"``.
    start : int, optional
        Start state (default: drawn from ``env.mu0``).
    c1, c2, c3 : float
        Constants of the Bernstein width (:mod:`solvers.ssp_evi`; the defaults give valid coverage) [I].
    plan_tol, plan_check_every, plan_max_iter
        Each plan is extended value iteration to a certified ``plan_tol`` (in steps), with a certificate check
        every ``plan_check_every`` sweeps, at most ``plan_max_iter`` checks (a plan that does not converge is still
        played and counted in ``params["nonconverged_plans"]``) [I].
    rewards : {"mean", "bernoulli"}
        Observe ``R[s, a]`` or a Bernoulli draw with that mean (sparse reward discovery).
    check_reachable : bool
        Before running, raise :class:`UnreachableRequirementError` naming a required pair that some reachable
        state cannot reach (a check of the input against the simulator, not something the algorithm knows);
        online requirements are checked at ``t = 0`` only.
    backend : {"numba", "numpy"}

    Returns
    -------
    CollectionResult
    """
    return collect(env, requirements, rng, agent="gosprl", delta=delta, max_steps=max_steps, start=start, c1=c1,
                   c2=c2, c3=c3, plan_tol=plan_tol, plan_check_every=plan_check_every, plan_max_iter=plan_max_iter,
                   rewards=rewards, check_reachable=check_reachable, backend=backend)


def empirical_collection(env: FiniteMDP, requirements: Any, rng: Any = None, **kw: Any) -> CollectionResult:
    """GOSPRL without optimism (the spec's baseline): plans on the empirical model, never-visited pairs as
    self-loops, a uniformly random action where that model cannot reach the goal set. Arguments as :func:`gosprl`."""
    return collect(env, requirements, rng, agent="empirical", **kw)


def random_walk_collection(env: FiniteMDP, requirements: Any, rng: Any = None, **kw: Any) -> CollectionResult:
    """The goal-blind baseline: uniformly random actions until the requirement is met (or ``max_steps``).
    Arguments as :func:`gosprl` (the planning ones are ignored)."""
    return collect(env, requirements, rng, agent="random-walk", **kw)
