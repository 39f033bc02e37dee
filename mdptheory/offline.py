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

Compressed datasets
-------------------
:func:`collect_counts` draws the same data *summarised*: every learner reads a stage only through the
pairs ``(phi(s, a), V(s'))`` and the deterministic reward ``r_h(s, a)``, so the per-stage transition
counts ``n_h(s, a, s')`` are a sufficient statistic. They are drawn exactly (a multinomial per stage,
conditioned on the state counts the previous stage produced: the trajectory process is Markov), and the
dataset holds one row per observed ``(s, a, s')`` with its count in ``weights``. Cost ``O(H S^2 A)``
whatever ``K``: the regimes where Theorem 5.1 of R2PVI binds (``K ~ 1e7``) cost milliseconds.

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

__all__ = ["OfflineDataset", "collect", "collect_tabular", "collect_counts", "replication_rng",
           "uniform_policy", "constant_policy"]


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
        Rows per stage and horizon: the number of trajectories, unless ``weights`` is given.
    meta : dict
        Free-form provenance (seed, replication, environment name).
    weights : ndarray of float64, shape (K*H,), optional
        Multiplicity of each row (a compressed dataset, :func:`collect_counts`): row ``j`` stands for
        ``weights[j]`` samples; the learners' Gram and regressions weight it so. ``None``: every row is
        one sample.
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
    weights: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = self.K * self.H
        if self.weights is not None:
            check_shape(self.weights, (n,), "weights", "one multiplicity per row")
            if not np.all(np.isfinite(self.weights)) or (self.weights < 0).any():
                raise ValueError("weights must be finite and >= 0 (sample multiplicities)")
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
        for name in ("r", "phi", "features", "behaviour"):
            col = np.asarray(getattr(self, name))
            if not np.issubdtype(col.dtype, np.number) or np.iscomplexobj(col):
                raise TypeError(f"{name} must hold real numbers, got dtype {col.dtype}")
            bad = ~np.isfinite(col)
            if bad.any():
                k = np.unravel_index(int(np.argmax(bad)), col.shape)
                raise ValueError(f"{name}{list(k)} = {col[k]} is not finite; an offline dataset holds finite "
                                 "rewards, features and behaviour probabilities")
        check_distribution(np.asarray(self.behaviour, dtype=float), "behaviour")
        # Read-only views: a learner (or a mutant) that writes into the data would otherwise change the
        # dataset every later run and replication reads; the caller's own arrays stay writable.
        for name in ("episode", "h", "s", "a", "r", "s_next", "phi", "features", "behaviour", "weights"):
            col = getattr(self, name)
            if col is None:
                continue
            view = np.asarray(col).view()
            view.flags.writeable = False
            object.__setattr__(self, name, view)

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

    @property
    def trajectories(self) -> int:
        """Number of trajectories the data stands for (``K``, or the stage-0 weight of a compressed dataset)."""
        if self.weights is None:
            return self.K
        return int(round(float(self.weights[self.step(0)].sum())))

    def row_weights(self, rows: slice) -> np.ndarray | None:
        """Multiplicities of ``rows`` (``None`` for an uncompressed dataset: every row counts once)."""
        return None if self.weights is None else self.weights[rows]

    def step(self, h: int) -> slice:
        """Row slice of stage ``h`` (0-based): ``dataset.phi[dataset.step(h)]`` is ``(K, d)``."""
        if not 0 <= h < self.H:
            raise ValueError(f"stage h={h} is out of range 0..{self.H - 1}")
        return slice(h * self.K, (h + 1) * self.K)

    def subset(self, K: int) -> "OfflineDataset":
        """The first ``K`` trajectories (nested datasets for rate experiments share their prefix)."""
        K = check_positive_int(K, "K")
        if self.weights is not None:
            raise ValueError("subset() needs trajectories; a compressed dataset (collect_counts) has counts only")
        if K > self.K:
            raise ValueError(f"K={K} exceeds the {self.K} trajectories in the dataset")
        rows = (np.arange(self.H)[:, None] * self.K + np.arange(K)[None, :]).ravel()
        return OfflineDataset(self.episode[rows], self.h[rows], self.s[rows], self.a[rows], self.r[rows],
                              self.s_next[rows], self.phi[rows], self.features, self.behaviour, K, self.H,
                              dict(self.meta, K=K))

    def state_action_counts(self) -> np.ndarray:
        """Visit counts ``n[h, s, a]`` of shape (H, S, A)."""
        n = np.zeros((self.H, self.S, self.A), dtype=np.int64)
        w = 1 if self.weights is None else np.rint(self.weights).astype(np.int64)
        np.add.at(n, (self.h, self.s, self.a), w)
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
    tab, pol = _nominal_and_behaviour(model, behaviour, mu0)
    return collect_tabular(tab, model.phi, pol, K, rng, meta)


def _nominal_and_behaviour(model: Any, behaviour: str | np.ndarray, mu0: np.ndarray | None):
    """The model's tabular nominal MDP (with ``mu0`` if given) and the behaviour as an (H, S, A) array."""
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
    return tab, pol


def collect_counts(model: Any, K: int, behaviour: str | np.ndarray = "uniform",
                   rng: int | np.random.Generator | None = None, mu0: np.ndarray | None = None,
                   meta: dict | None = None) -> OfflineDataset:
    """``K`` trajectories of ``behaviour`` summarised by their per-stage counts ``n_h(s, a, s')`` (exact law).

    Stage 0 draws the initial-state counts ``~ Multinomial(K, mu0)``; stage ``h`` draws, for every state
    ``s`` with ``m_h(s)`` visits, ``n_h(s, ., .) ~ Multinomial(m_h(s), pi_h(a|s) P_h(s'|s, a))``; the next
    stage's state counts are ``m_{h+1}(s') = sum_{s,a} n_h(s, a, s')``. Because the trajectory process is
    Markov, these counts have exactly the joint law of the counts of ``K`` i.i.d. trajectories, and every
    learner of :mod:`solvers.offline` depends on the data only through them (deterministic rewards), so a
    learner returns on this dataset what it returns on *some* trajectory dataset of the same law.

    Returns
    -------
    OfflineDataset
        One row per observed ``(h, s, a, s')`` with ``weights`` = its count; stages are padded to the same
        number of rows with zero-weight copies of an observed row (they change no sum and no min over
        observed next states). ``trajectories == K``; ``subset`` is not available.
    """
    K = check_positive_int(K, "K")
    tab, pol = _nominal_and_behaviour(model, behaviour, mu0)
    H, S, A = tab.P.shape[:3]
    pol = as_float_array(np.ascontiguousarray(pol), "behaviour", ndim=3)
    check_shape(pol, (H, S, A), "behaviour", "pass a stage-dependent stochastic policy (H, S, A)")
    check_distribution(pol, "behaviour")
    gen = as_generator(rng)
    m = gen.multinomial(K, tab.mu0)
    stages = []
    for h in range(H):
        joint = (pol[h][:, :, None] * tab.P[h]).reshape(S, A * S)      # P(a, s' | s) at stage h
        joint /= joint.sum(axis=1, keepdims=True)
        n = gen.multinomial(m, joint).reshape(S, A, S)
        stages.append((np.argwhere(n > 0), n[n > 0].astype(np.float64)))   # both in C order of (s, a, s')
        m = n.sum(axis=(0, 1))
    rows = max(len(w) for _, w in stages)
    cols = {k: [] for k in ("s", "a", "s_next", "w")}
    for idx, w in stages:
        pad = rows - len(w)
        idx = np.vstack([idx, np.repeat(idx[:1], pad, axis=0)])
        for k, j in (("s", 0), ("a", 1), ("s_next", 2)):
            cols[k].append(idx[:, j])
        cols["w"].append(np.concatenate([w, np.zeros(pad)]))
    s, a, s_next = (np.concatenate(cols[k]).astype(np.int64) for k in ("s", "a", "s_next"))
    hcol = np.repeat(np.arange(H, dtype=np.int64), rows)
    features = as_float_array(model.phi, "features", ndim=3)
    return OfflineDataset(np.tile(np.arange(rows, dtype=np.int64), H), hcol, s, a, tab.R[hcol, s, a], s_next,
                          features[s, a], features, np.ascontiguousarray(pol), rows, H,
                          dict(meta or {}, trajectories=K), np.concatenate(cols["w"]))
