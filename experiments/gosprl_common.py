"""Shared pieces of the GOSPRL experiments (a helper module: no ``NAME``).

- :func:`instance`: the environments of the experiments by name (``riverswim``, ``grid``, ``garnet``, ``reset``),
  with the exact diameter from :func:`solvers.diameter` (SSP policy iteration, one goal per state);
- :func:`step_cap`: the ``max_steps`` every run gets, ``CAP_FACTOR`` times the theorem's expression
  ``B (D + 1) + D^{3/2} S^2 A`` (a run that reaches it has *not* met its requirement, and the claims fail it);
- :func:`trajectory_counts`: ``N(s, a)`` recounted from the returned trajectory (independent of the algorithm's
  own counters, which a bug could corrupt);
- :func:`collection_row`: the scalars every collection run reports; :func:`requirement_not_met`: the common first
  step of the checks.
"""
from __future__ import annotations

import functools

import numpy as np

import solvers
from bounds.checks import Verdict
from mdptheory import FiniteMDP
from mdptheory.envs import garnet, gridworld, reset_chain, riverswim
from solvers.collection import CollectionResult

#: ``max_steps = CAP_FACTOR * (B (D + 1) + D^1.5 S^2 A)``: GOSPRL's measured ``C`` stays below 4 times that
#: expression on every instance here (``docs/gosprl.md``), so a capped run is a failure, not a slow success.
CAP_FACTOR = 10.0

#: Every registered mutant of the collection loop (:mod:`solvers.collection.gosprl`): the claims on collected data
#: reject all of them (a run short of its requirement, or stuck until the step cap, fails every check).
GOSPRL_MUTANTS = ("gosprl.replan-attempts-only", "gosprl.goal-not-shrinking", "gosprl.action-ignores-counts",
                  "gosprl.requirement-off-by-one", "gosprl.stop-after-B", "gosprl.travel-not-counted")

#: Garnet instances are redrawn from this seed sequence until communicating.
_GARNET_TRIES = 200


@functools.lru_cache(maxsize=64)
def instance(env: str, size: int, seed: int = 0, A: int = 2, branching: int = 2) -> tuple[FiniteMDP, float]:
    """``(mdp, D)``: the environment ``env`` of the given ``size`` (states for riverswim and garnet, side for the grid,
    length ``L`` for the reset chain) and its exact diameter. Garnets start in state 0 and are redrawn (from
    ``seed``) until communicating; the grid is ``gridworld(size, success_prob=0.8)`` (rlberry's slippery moves;
    a move into a wall stays put) started in its corner."""
    if env == "riverswim":
        mdp = riverswim(size)
    elif env == "grid":
        mdp = gridworld(size, success_prob=0.8)
    elif env == "reset":
        mdp = reset_chain(size)
    elif env == "garnet":
        return communicating_garnet(size, A, branching, np.random.default_rng(seed))
    else:
        raise ValueError(f"unknown env {env!r}; known: riverswim, grid, reset, garnet")
    return mdp, solvers.diameter(mdp)


def communicating_garnet(S: int, A: int, branching: int, rng: np.random.Generator) -> tuple[FiniteMDP, float]:
    """``(mdp, D)``: a Garnet drawn from ``rng`` until communicating, started in state 0, and its exact diameter."""
    for _ in range(_GARNET_TRIES):
        g = garnet(S, A, branching, rng=rng, gamma=None)
        mdp = FiniteMDP(g.P, g.R, None, np.eye(S)[0])
        try:
            return mdp, solvers.diameter(mdp)
        except solvers.ssp.NotCommunicatingError:
            continue
    raise RuntimeError(f"no communicating garnet({S}, {A}, {branching}) in {_GARNET_TRIES} draws")


def requirement_not_met(df) -> Verdict | None:
    """A failing verdict when some run did not meet its requirement (``met < 1``: capped or short), else ``None``:
    a run that did not collect its requirement has no collection time to check."""
    bad = int((df["met"] < 1).sum())
    if not bad:
        return None
    return Verdict(False, float(bad), 0.0, f"{bad}/{len(df)} runs did not meet their requirement (capped at the step "
                   "limit or stopped short): C is not a collection time", {"summary": "requirement not met"})


def reset_requirement(L: int, b: int) -> np.ndarray:
    """The whole requirement on ``(L, reset)`` of the reset chain."""
    req = np.zeros((L + 1, 2), dtype=np.int64)
    req[L, 0] = b
    return req


def bound_expression(B: float, D: float, S: int, A: int) -> float:
    """``B D + D^{3/2} S^2 A`` (the main theorem's expression, constants hidden)."""
    return float(B * D + D ** 1.5 * S * S * A)


def step_cap(B: float, D: float, S: int, A: int) -> int:
    """The ``max_steps`` of every run (see :data:`CAP_FACTOR`)."""
    return int(np.ceil(CAP_FACTOR * (B * (D + 1.0) + D ** 1.5 * S * S * A)))


def trajectory_counts(res: CollectionResult, S: int, A: int) -> np.ndarray:
    """``N(s, a)`` recounted from the trajectory ``(states[:-1], actions)``."""
    return np.bincount(res.states[:-1] * A + res.actions, minlength=S * A).reshape(S, A)


def collection_row(res: CollectionResult, req: np.ndarray, mdp: FiniteMDP, D: float) -> dict:
    """The scalars of one run: ``C``, ``B``, ``D``, ``S``, ``A``, ``met`` (every pair's recounted ``N >= b``, and the
    run not capped), the bound expression and the ratio ``C / (B D + D^1.5 S^2 A)``, plans, attempts, time."""
    S, A = mdp.S, mdp.A
    N = trajectory_counts(res, S, A)
    B = int(np.asarray(req).sum())
    met = bool(np.all(N >= req)) and res.status == "satisfied"
    bound = bound_expression(B, D, S, A)
    return dict(C=int(res.C), B=B, D=float(D), S=S, A=A, met=float(met), bound=bound, ratio=res.C / bound,
                plans=int(res.plans), attempts=int(res.attempts), capped=float(res.status == "max_steps"),
                planning_time=float(res.phase_times.get("planning", 0.0)), wall=float(res.wall_time))
