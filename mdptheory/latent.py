r"""Latent MDPs with context in hindsight: :class:`LatentMDP` and the layout of its history tree.

A latent MDP (Kwon et al. 2021; Zhou, Wang & Du 2023, Section 3.1) is a finite set of MDPs
``M_1, ..., M_M`` sharing the states ``S``, the actions ``A`` and the horizon ``H``: context ``m`` has an
initial law ``nu_m``, a kernel ``P_m(.|s, a)`` and a **deterministic** reward ``R_m(s, a)`` in ``[0, 1]``.
Each episode draws ``m ~ w`` (mixing weights, all ``> 0``), plays ``H`` steps in ``M_m`` without showing
``m`` to the agent, and reveals ``m`` at the end (context in hindsight). The agent sees the states and the
rewards, so its policies are history-dependent: an action may depend on everything observed so far.

Histories and the observation tree
----------------------------------
The rewards are deterministic, so a reward observed at ``(s, a)`` says which contexts are consistent with
the history: contexts whose rewards at ``(s, a)`` are equal form one *reward class* ``g``
(:attr:`HistoryTree.cls` ``[m, s, a]``), and an observation is the pair ``(g, s')``. A deterministic
history-dependent policy is a table over *observation histories* ``(s_1, g_1, s_2, ..., g_{h-1}, s_h)``
(the actions are determined by the observations and the policy itself): one action per node of the
observation tree, levels ``h = 0 .. H-1`` (the papers' ``1 .. H``), ``S (G S)^h`` nodes at level ``h``
(``G`` = the largest number of reward classes of a pair). Node ``j`` of level ``h`` has children
``j (G S) + g S + s'`` at level ``h + 1``; its current state is ``j mod S``. The table is the int64 array
``policy[offset[h] + j]`` of length :attr:`HistoryTree.n_decision_nodes` (:func:`HistoryTree.check_policy`).

The horizon-free scaling
------------------------
The paper measures regret in the scaling where the total reward of an episode is at most 1 (Zhou, Wang &
Du 2023, Section 3; their footnote rescales Kwon et al.'s per-step rewards by ``1/H``). The constructor
computes the largest total reward any policy can collect (:attr:`LatentMDP.max_return`, exact: a
longest-path recursion over the supports) and, by ``total_reward``:

- ``"check"`` (default): refuses a model whose total reward can exceed 1 (naming the context and the fix);
- ``"rescale"``: divides every ``R`` by the largest total reward when it exceeds 1 (:attr:`reward_scale`);
- ``"unchecked"``: accepts it (for per-step-reward experiments outside the paper's scaling).

``Gamma`` (:attr:`LatentMDP.Gamma`) is the maximum transition degree ``max_{m,s,a} |supp P_m(.|s,a)|``
(Section 3.1), counted exactly (entries that are exactly zero). ``Var*`` needs a planner and lives in
:func:`solvers.latent.var_star`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import backends
from .episodic import EpisodicMDP
from .validation import (PROB_ATOL, as_float_array, as_generator, check_distribution, check_positive_int,
                         check_shape)

__all__ = ["LatentMDP", "HistoryTree", "TOTAL_REWARD_MODES", "max_total_reward", "play_episode"]

#: Accepted values of ``LatentMDP(total_reward=...)``.
TOTAL_REWARD_MODES = ("check", "rescale", "unchecked")

#: Slack on ``max_return <= 1`` for ``total_reward="check"``: sums of H rewards given as R / H round.
RETURN_ATOL = 1e-12


@dataclass(frozen=True, eq=False)
class HistoryTree:
    """Layout of the observation tree of a latent MDP (see the module docstring).

    Attributes
    ----------
    S, A, H, M : int
    G : int
        Largest number of reward classes of a pair ``(s, a)`` (``1`` when all contexts share the rewards).
    cls : ndarray (M, S, A) int64
        ``cls[m, s, a]``: the reward class of context ``m`` at ``(s, a)`` (contexts with equal
        ``R_m(s, a)`` share a class; classes are numbered by first appearance in ``m``).
    class_reward : ndarray (S, A, G)
        The reward of each class (``nan`` for unused class slots).
    """

    S: int
    A: int
    H: int
    M: int
    G: int
    cls: np.ndarray
    class_reward: np.ndarray

    @classmethod
    def from_rewards(cls_, R: np.ndarray, H: int) -> "HistoryTree":
        """The tree of rewards ``R (M, S, A)`` and horizon ``H``."""
        M, S, A = R.shape
        cls = np.zeros((M, S, A), np.int64)
        values = np.full((S, A, M), np.nan)
        n = np.zeros((S, A), np.int64)
        for s in range(S):
            for a in range(A):
                for m in range(M):
                    hit = np.flatnonzero(values[s, a, :n[s, a]] == R[m, s, a])
                    if hit.size:
                        cls[m, s, a] = hit[0]
                    else:
                        cls[m, s, a] = n[s, a]
                        values[s, a, n[s, a]] = R[m, s, a]
                        n[s, a] += 1
        G = int(n.max())
        for arr in (cls, values):
            arr.flags.writeable = False
        return cls_(S, A, H, M, G, cls, np.ascontiguousarray(values[:, :, :G]))

    # -- sizes ---------------------------------------------------------------------------------------
    @functools.cached_property
    def level_sizes(self) -> np.ndarray:
        """``(H,)`` int64: nodes of the observation tree per level, ``S (G S)^h``."""
        return np.array([self.S * (self.G * self.S) ** h for h in range(self.H)], dtype=np.int64)

    @functools.cached_property
    def offsets(self) -> np.ndarray:
        """``(H + 1,)`` int64: first global index of every level (``offsets[H]`` = number of nodes)."""
        out = np.zeros(self.H + 1, np.int64)
        np.cumsum(self.level_sizes, out=out[1:])
        return out

    @property
    def n_decision_nodes(self) -> int:
        """Length of a policy table: ``sum_h S (G S)^h``."""
        return int(self.offsets[-1])

    @property
    def n_full_nodes(self) -> int:
        """Nodes of the full history tree (actions included) that exact planning visits:
        ``sum_h S (A G S)^h``."""
        return int(sum(self.S * (self.A * self.G * self.S) ** h for h in range(self.H)))

    # -- navigation ----------------------------------------------------------------------------------
    def child(self, j: int, g: int, s_next: int) -> int:
        """Index within level ``h + 1`` of the child ``(g, s')`` of node ``j`` of level ``h``."""
        return (j * self.G + g) * self.S + s_next

    def node_index(self, states: Any, actions: Any, rewards: Any) -> int:
        """Global index of the node reached by a history ``s_1, a_1, r_1, ..., s_h`` (``len(states) = h``,
        ``len(actions) = len(rewards) = h - 1``); a reward no context gives at its pair is an error."""
        states = np.asarray(states, dtype=np.int64)
        actions = np.asarray(actions, dtype=np.int64)
        rewards = np.asarray(rewards, dtype=np.float64)
        h = states.size - 1
        if h < 0 or h >= self.H or actions.size != h or rewards.size != h:
            raise ValueError(f"a history of {states.size} states needs {max(h, 0)} actions and rewards and at "
                             f"most H = {self.H} states; got {actions.size} actions and {rewards.size} rewards")
        j = int(states[0])
        for t in range(h):
            hit = np.flatnonzero(self.class_reward[states[t], actions[t]] == rewards[t])
            if not hit.size:
                raise ValueError(f"reward {rewards[t]} at step {t} (state {states[t]}, action {actions[t]}) is "
                                 "not the reward of any context there")
            j = self.child(j, int(hit[0]), int(states[t + 1]))
        return int(self.offsets[h]) + j

    def check_policy(self, policy: Any, name: str = "policy") -> np.ndarray:
        """Return ``policy`` as a read-only int64 table of :attr:`n_decision_nodes` actions, or raise."""
        arr = np.asarray(policy)
        if arr.dtype.kind not in "iu":
            raise TypeError(f"{name} must be an integer array of actions (one per node of the observation tree), "
                            f"got dtype {arr.dtype}")
        if arr.shape != (self.n_decision_nodes,):
            raise ValueError(f"{name} has shape {arr.shape}, expected ({self.n_decision_nodes},): one action per "
                             f"observation history of length < H = {self.H} (sum_h S (G S)^h with S = {self.S}, "
                             f"G = {self.G})")
        if arr.size and (arr.min() < 0 or arr.max() >= self.A):
            k = int(np.argmax((arr < 0) | (arr >= self.A)))
            raise ValueError(f"{name}[{k}] = {arr[k]} is not an action in 0..{self.A - 1}")
        out = np.ascontiguousarray(arr, dtype=np.int64)
        if out is arr:
            out = out.copy()
        out.flags.writeable = False
        return out


@dataclass(frozen=True, eq=False)
class LatentMDP:
    r"""A latent MDP with context in hindsight (Zhou, Wang & Du 2023, Section 3.1).

    Parameters
    ----------
    weights : array (M,)
        Mixing weights ``w_m > 0``, summing to 1.
    nu : array (M, S)
        Initial-state law of every context.
    P : array (M, S, A, S)
        ``P[m, s, a, s'] = P_m(s'|s, a)`` (stationary within an episode, as in the paper).
    R : array (M, S, A)
        Deterministic rewards in ``[0, 1]``.
    H : int
        Horizon (steps per episode).
    total_reward : {"check", "rescale", "unchecked"}
        The horizon-free scaling (module docstring): refuse, rescale or accept a total reward above 1.

    Attributes
    ----------
    max_return : ndarray (M,)
        Largest total reward a policy can collect in each context (after rescaling).
    reward_scale : float
        The factor ``R`` was divided by (``1.0`` unless ``total_reward="rescale"`` had to act).
    tree : HistoryTree
        The observation tree (policy layout).
    """

    weights: np.ndarray
    nu: np.ndarray
    P: np.ndarray
    R: np.ndarray
    H: int
    total_reward: str = "check"
    atol: float = field(default=PROB_ATOL, repr=False)
    reward_scale: float = field(default=1.0, init=False)
    max_return: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        H = check_positive_int(self.H, "H")
        R = as_float_array(self.R, "R", ndim=3)
        M, S, A = R.shape
        if min(M, S, A) < 1:
            raise ValueError(f"R has shape {R.shape}: need at least one context, one state and one action "
                             "(R is (M, S, A))")
        if (R < 0).any() or (R > 1).any():
            i = tuple(int(v) for v in np.argwhere((R < 0) | (R > 1))[0])
            raise ValueError(f"R{list(i)} = {R[i]:.6g} is outside [0, 1]; the latent-MDP rewards are deterministic "
                             "in [0, 1] (Zhou, Wang & Du 2023, Section 3.1): rescale, e.g. R / R.max()")
        w = as_float_array(self.weights, "weights", ndim=1)
        check_shape(w, (M,), "weights", f"R has shape {R.shape}, so there are M = {M} contexts")
        if (w <= 0).any():
            m = int(np.argmax(w <= 0))
            raise ValueError(f"weights[{m}] = {w[m]:.6g}; every context needs a positive weight: drop context {m} "
                             "from weights, nu, P and R instead")
        check_distribution(w, "weights", self.atol, getattr(self.weights, "dtype", None))
        nu = as_float_array(self.nu, "nu", ndim=2)
        check_shape(nu, (M, S), "nu", "one initial law per context, nu[m, s]")
        check_distribution(nu, "nu", self.atol, getattr(self.nu, "dtype", None))
        P = as_float_array(self.P, "P")
        if P.ndim != 4:
            raise ValueError(f"P must have shape (M, S, A, S) = ({M}, {S}, {A}, {S}), got shape {P.shape}")
        check_shape(P, (M, S, A, S), "P", f"R has shape {R.shape}")
        check_distribution(P, "P", self.atol, getattr(self.P, "dtype", None))
        if self.total_reward not in TOTAL_REWARD_MODES:
            raise ValueError(f"total_reward must be one of {TOTAL_REWARD_MODES}, got {self.total_reward!r}")
        best = max_total_reward(nu, P, R, H)
        scale = 1.0
        if best.max() > 1.0 + RETURN_ATOL:
            if self.total_reward == "check":
                m = int(np.argmax(best))
                raise ValueError(
                    f"a policy can collect a total reward of {best[m]:.6g} > 1 in context {m}; the horizon-free "
                    "analysis assumes the total reward of an episode is at most 1 (Zhou, Wang & Du 2023, Section 3): "
                    f"pass total_reward='rescale' to divide R by {best.max():.6g}, or use per-step rewards R / H "
                    "(total_reward='unchecked' accepts the model as it is)")
            if self.total_reward == "rescale":
                scale = float(best.max())
                R = R / scale
                best = best / scale
        for name, value in (("weights", w), ("nu", nu), ("P", P), ("R", R)):
            value = np.ascontiguousarray(value)
            value.flags.writeable = False
            object.__setattr__(self, name, value)
        best.flags.writeable = False
        object.__setattr__(self, "H", H)
        object.__setattr__(self, "reward_scale", scale)
        object.__setattr__(self, "max_return", best)

    # -- sizes and structure -------------------------------------------------------------------------
    @property
    def M(self) -> int:
        """Number of contexts."""
        return self.R.shape[0]

    @property
    def S(self) -> int:
        """Number of states."""
        return self.R.shape[1]

    @property
    def A(self) -> int:
        """Number of actions."""
        return self.R.shape[2]

    @property
    def Gamma(self) -> int:
        r"""``max_{m,s,a} |supp P_m(.|s,a)|``, the maximum transition degree (Section 3.1), counted exactly."""
        return int((self.P > 0).sum(axis=-1).max())

    @functools.cached_property
    def cdfs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cumulative ``(weights (M,), nu (M, S), P (M, S, A, S))``: the layout the episode kernel draws from."""
        return tuple(np.ascontiguousarray(np.cumsum(x, axis=-1)) for x in (self.weights, self.nu, self.P))

    @functools.cached_property
    def tree(self) -> HistoryTree:
        """The observation tree (policy layout) of this model."""
        return HistoryTree.from_rewards(self.R, self.H)

    def context(self, m: int) -> EpisodicMDP:
        """Context ``m`` as a stationary :class:`EpisodicMDP` (``mu0 = nu[m]``)."""
        if not 0 <= int(m) < self.M:
            raise ValueError(f"context m = {m} is not in 0..{self.M - 1}")
        return EpisodicMDP.stationary(self.P[m], self.R[m], self.H, self.nu[m])

    # -- sampling ------------------------------------------------------------------------------------
    def sample_episode(self, policy: Any, rng: Any = None,
                       backend: str = "numba") -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        """One episode: draw ``m ~ w``, ``s_1 ~ nu_m``, play the history policy for ``H`` steps; reveal ``m``.

        Returns ``(m, states (H+1,), actions (H,), rewards (H,))``. Draws are inverse-CDF from
        ``rng.random`` (``2 + H`` uniforms per episode), so the same seed gives the same episode.
        """
        policy = self.tree.check_policy(policy)
        return play_episode(self, policy, as_generator(rng).random(self.H + 2), backends.check_backend(backend))

    def __repr__(self) -> str:
        return (f"LatentMDP(M={self.M}, S={self.S}, A={self.A}, H={self.H}, Gamma={self.Gamma}, "
                f"max_return={float(self.max_return.max()):.4g})")


def play_episode(lmdp: LatentMDP, policy: np.ndarray, u: np.ndarray,
                 backend: str = "numba") -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """:meth:`LatentMDP.sample_episode` from the uniforms ``u (H + 2,)`` for a policy already checked by
    :meth:`HistoryTree.check_policy` (the run loop checks it once per policy, not once per episode)."""
    from . import _latent_kernels  # noqa: F401  (registers latent.play_episode; imports Numba only when used)

    tree = lmdp.tree
    m, states, actions, rewards = backends.pick("latent.play_episode", backend)(
        *lmdp.cdfs, lmdp.R, tree.cls, tree.offsets, tree.G, policy, u)
    return int(m), states, actions, rewards


def max_total_reward(nu: np.ndarray, P: np.ndarray, R: np.ndarray, H: int) -> np.ndarray:
    """``(M,)``: the largest total reward of an ``H``-step path in each context, over the supports of ``nu_m`` and
    ``P_m`` (a longest-path recursion ``U_h(s) = max_a [R_m(s,a) + max_{s' in supp} U_{h+1}(s')]``).

    It bounds the return of every policy, history-dependent ones included, and is attained by the
    deterministic path that follows the maximizing supports (exact, not an expectation)."""
    M, S, A = R.shape
    U = np.zeros((M, S))
    support = P > 0
    for _ in range(H):
        nxt = np.where(support, U[:, None, None, :], -np.inf).max(axis=-1)   # (M, S, A)
        U = (R + nxt).max(axis=-1)
    return np.where(nu > 0, U, -np.inf).max(axis=-1)
