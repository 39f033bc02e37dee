"""Offline datasets for (linear) episodic MDPs: K trajectories of a behaviour policy as column arrays.

The offline setting of PEVI (Jin, Yang & Wang 2021), DRPVI (Liu & Xu 2024) and R2PVI (Tang, Liu & Xu,
ICML 2025): ``K`` i.i.d. trajectories ``{(s^tau_h, a^tau_h, r^tau_h, s^tau_{h+1})}_{h < H}`` drawn from a
behaviour policy ``pi^b`` in the *nominal* model, plus the known feature map ``phi``.

Layout
------
Rows are **stage-major**: row ``h * K + k`` holds stage ``h`` of episode ``k`` (stages are 0-based, the
papers' ``h = 1..H``). Every learner regresses one stage at a time, so ``dataset.step(h)`` is a
contiguous slice (a view, no copy). Columns: ``episode, h, s, a, r, s_next`` (``(K*H,)`` each) and
``phi`` (``(K*H, d)``, the features of ``(s, a)``). The full feature table ``features (S, A, d)`` and
the behaviour policy ``behaviour (H, S, A)`` are recorded with the data.

Reproducibility
---------------
Each replication has its own random stream: :func:`replication_rng` derives it from
``numpy.random.SeedSequence([seed, replication])`` so replications never share draws (the official
R2PVI code re-seeds every replication with the same seed, see spec section 2.7 item 8).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .episodic import EpisodicMDP
from .sampling import rollout
from .validation import as_float_array, as_generator, check_distribution, check_positive_int, check_shape

__all__ = ["OfflineDataset", "collect", "collect_tabular", "replication_rng", "uniform_policy",
           "constant_policy"]


@dataclass(frozen=True)
class OfflineDataset:
    """K trajectories of length H as stage-major column arrays (see the module docstring).

    Attributes
    ----------
    episode, h, s, a, s_next : ndarray of int64, shape (K*H,)
        Episode index ``k``, stage ``h`` (0-based), state, action and next state of each row.
    r : ndarray of float64, shape (K*H,)
        Observed reward ``r_h(s, a)``.
    phi : ndarray of float64, shape (K*H, d)
        ``features[s, a]`` of each row.
    features : ndarray of float64, shape (S, A, d)
        The known feature map on all state-action pairs (learners evaluate ``Q_h`` everywhere).
    behaviour : ndarray of float64, shape (H, S, A)
        The behaviour policy that generated the data.
    K, H : int
        Number of trajectories and horizon.
    meta : dict
        Free-form provenance (seed, replication, environment name).
    """

    episode: np.ndarray
    h: np.ndarray
    s: np.ndarray
    a: np.ndarray
    r: np.ndarray
    s_next: np.ndarray
    phi: np.ndarray
    features: np.ndarray
    behaviour: np.ndarray
    K: int
    H: int
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.K * self.H
        for name in ("episode", "h", "s", "a", "r", "s_next"):
            check_shape(getattr(self, name), (n,), name, "one row per (episode, stage): K*H rows")
        S, A, d = self.features.shape
        check_shape(self.phi, (n, d), "phi")
        check_shape(self.behaviour, (self.H, S, A), "behaviour")
        for name, upper in (("s", S), ("s_next", S), ("a", A)):
            col = getattr(self, name)
            bad = (col < 0) | (col >= upper)
            if bad.any():
                k = int(np.argmax(bad))
                raise ValueError(f"{name}[{k}] = {col[k]} is out of range 0..{upper - 1}")
        expected_h = np.repeat(np.arange(self.H), self.K)
        if not np.array_equal(self.h, expected_h):
            raise ValueError("rows must be stage-major: row h*K + k holds stage h of episode k")

    @property
    def S(self) -> int:
        return int(self.features.shape[0])

    @property
    def A(self) -> int:
        return int(self.features.shape[1])

    @property
    def d(self) -> int:
        return int(self.features.shape[2])

    @property
    def N(self) -> int:
        """Number of rows (``K * H``)."""
        return self.K * self.H

    def step(self, h: int) -> slice:
        """Row slice of stage ``h`` (0-based): ``dataset.phi[dataset.step(h)]`` is ``(K, d)``."""
        if not 0 <= h < self.H:
            raise ValueError(f"stage h={h} is out of range 0..{self.H - 1}")
        return slice(h * self.K, (h + 1) * self.K)

    def subset(self, K: int) -> "OfflineDataset":
        """The first ``K`` trajectories (nested datasets for rate experiments share their prefix)."""
        K = check_positive_int(K, "K")
        if K > self.K:
            raise ValueError(f"K={K} exceeds the {self.K} trajectories in the dataset")
        rows = (np.arange(self.H)[:, None] * self.K + np.arange(K)[None, :]).ravel()
        return OfflineDataset(self.episode[rows], self.h[rows], self.s[rows], self.a[rows], self.r[rows],
                              self.s_next[rows], self.phi[rows], self.features, self.behaviour, K, self.H,
                              dict(self.meta, K=K))

    def state_action_counts(self) -> np.ndarray:
        """Visit counts ``n[h, s, a]`` of shape (H, S, A)."""
        n = np.zeros((self.H, self.S, self.A), dtype=np.int64)
        np.add.at(n, (self.h, self.s, self.a), 1)
        return n


def replication_rng(seed: int, replication: int) -> np.random.Generator:
    """Independent generator for replication ``replication`` of base ``seed`` (SeedSequence spawn key)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"seed must be a non-negative int, got {seed!r}")
    if isinstance(replication, bool) or not isinstance(replication, (int, np.integer)) or replication < 0:
        raise TypeError(f"replication must be a non-negative int, got {replication!r}")
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(replication)]))


def uniform_policy(H: int, S: int, A: int) -> np.ndarray:
    """Uniform behaviour policy, shape (H, S, A)."""
    return np.full((H, S, A), 1.0 / A)


def constant_policy(H: int, S: int, A: int, action: int) -> np.ndarray:
    """Always play ``action`` (e.g. "never exercise" for the American put), shape (H, S, A)."""
    if not 0 <= action < A:
        raise ValueError(f"action={action} is out of range 0..{A - 1}")
    pol = np.zeros((H, S, A))
    pol[:, :, action] = 1.0
    return pol


def collect_tabular(mdp: EpisodicMDP, features: np.ndarray, behaviour: np.ndarray, K: int,
                    rng: int | np.random.Generator | None, meta: dict | None = None) -> OfflineDataset:
    """Roll out ``K`` episodes of ``behaviour`` in the nominal tabular model and attach the features.

    Parameters
    ----------
    mdp : EpisodicMDP
        Nominal model (``P (H, S, A, S)``, ``R (H, S, A)``, ``mu0 (S,)``).
    features : ndarray (S, A, d)
        Feature map recorded with the data.
    behaviour : ndarray (H, S, A)
        Behaviour policy (probabilities).
    K : int
        Number of trajectories.
    rng : int, Generator or None
        Source of randomness; the same seed gives the same dataset (draws are those of
        :func:`mdptheory.sampling.rollout`).
    """
    K = check_positive_int(K, "K")
    H, S, A = mdp.H, mdp.S, mdp.A
    features = as_float_array(features, "features", ndim=3)
    if features.shape[:2] != (S, A):
        raise ValueError(f"features has shape {features.shape}, expected (S, A, d) with S={S}, A={A}")
    behaviour = as_float_array(behaviour, "behaviour", ndim=3)
    check_shape(behaviour, (H, S, A), "behaviour", "pass a stage-dependent stochastic policy (H, S, A)")
    check_distribution(behaviour, "behaviour")
    ep = rollout(mdp, behaviour, K, as_generator(rng))
    s, a, s_next = (np.ascontiguousarray(x.T).ravel().astype(np.int64) for x in (ep.s, ep.a, ep.s_next))
    hcol = np.repeat(np.arange(H, dtype=np.int64), K)
    r = mdp.R[hcol, s, a]
    return OfflineDataset(np.tile(np.arange(K, dtype=np.int64), H), hcol, s, a, r, s_next,
                          features[s, a], features, behaviour, K, H, dict(meta or {}))


def collect(model: Any, K: int, behaviour: str | np.ndarray = "uniform",
            rng: int | np.random.Generator | None = None, mu0: np.ndarray | None = None,
            meta: dict | None = None) -> OfflineDataset:
    """Offline dataset of ``K`` trajectories from a linear MDP (anything with ``phi`` and ``to_tabular()``).

    Parameters
    ----------
    model : mdptheory.linear.LinearMDP
        Nominal model; ``model.phi`` (S, A, d) is recorded as the feature map and
        ``model.to_tabular()`` (an :class:`~mdptheory.EpisodicMDP`) supplies ``P``, ``R`` and ``mu0``.
    K : int
        Number of trajectories.
    behaviour : "uniform", int (a constant action, e.g. 0 = never exercise) or ndarray (H, S, A)
        Behaviour policy.
    rng : int, Generator or None
        Use :func:`replication_rng` for replication ``r`` of a seeded experiment.
    mu0 : ndarray (S,), optional
        Initial distribution; defaults to the tabular model's ``mu0``.
    """
    tab = model.to_tabular()
    H, S, A = tab.P.shape[:3]
    if isinstance(behaviour, str):
        if behaviour != "uniform":
            raise ValueError(f"behaviour={behaviour!r} is not known; use 'uniform', an action index or an array")
        pol = uniform_policy(H, S, A)
    elif isinstance(behaviour, (int, np.integer)) and not isinstance(behaviour, bool):
        pol = constant_policy(H, S, A, int(behaviour))
    else:
        pol = np.asarray(behaviour, dtype=np.float64)
        if pol.shape == (S, A):
            pol = np.broadcast_to(pol, (H, S, A))
    if mu0 is not None:
        tab = EpisodicMDP(tab.P, tab.R, mu0)
    return collect_tabular(tab, model.phi, pol, K, rng, meta)
