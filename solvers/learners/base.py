r"""The episode interface of the tabular learners: :class:`EpisodicLearner` (sizes, known rewards, counts).

Every learner plays episodes of an :class:`mdptheory.EpisodicMDP` (stages ``h = 0..H-1``, the papers'
``h = 1..H``) through two calls::

    agent = OPSRL(S, A, H, rewards=env.R, rng=0)
    pi = agent.policy()            # (H, S) int64, plans for the next episode (samples the posterior)
    agent.update(trajectory)       # Trajectory(states (H+1,), actions (H,), rewards (H,))

:func:`solvers.learners.run` drives that loop against an evaluation oracle (:mod:`.oracle`) and records
the exact expected regret in a :class:`~solvers.learners.Trace`; :func:`solvers.learners.check_learner`
checks the contract.

Rewards (``reward_model``). By default (``"known"``) the agents know the mean rewards, the setting of the
OPSRL analysis (Tiapkin et al. 2022, Section 2); only transitions are learnt. The official OPSRL code
(``d-tiapkin/optimistic-psrl-experiments``) learns them, and two named models reproduce it:

- ``"beta-bernoulli"`` (OPSRL, PSRL; ``algorithms/opsrl/opsrl.py``): every observed reward ``r in [0, 1]`` is
  replaced by a ``Bernoulli(r)`` draw from the agent's RNG and fed to a ``Beta(reward_prior, reward_prior)``
  prior (Agrawal-Goyal's trick); ``reward_stats[..., 0]`` holds the successes;
- ``"empirical"`` (UCBVI, RLSVI; ``algorithms/ucbviB/ucbviB.py``, rlberry's ``RLSVIAgent``): running means
  of the observed rewards; ``reward_stats[..., 0]`` holds their sums.

``reward_stats[g, s, a, 1]`` counts the observed rewards of ``(g, s, a)`` (same stage grouping as the
transition counts). Learning rewards changes what the agents plan with, never what regret is measured
against: :func:`solvers.learners.run` values every played policy with the *true* mean rewards of the model.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from mdptheory import backends, mutants
from mdptheory.validation import as_generator, as_real_array, check_positive_int

from . import _kernels  # noqa: F401  (registers the learners' kernels)
from .trace import Trajectory

__all__ = ["EpisodicLearner", "check_rewards", "check_trajectory", "REWARD_MODELS"]

#: What an agent may assume about rewards (see the module docstring); each class lists those it supports.
REWARD_MODELS = ("known", "beta-bernoulli", "empirical")

# Realistic single bugs of the shared count update (mdptheory.mutants; off unless a run switches one on).
_LAST_DROPPED = mutants.register("learners", "last-transition-dropped",
                                 "the last transition of every episode (stage H-1) is not recorded in the counts")
_STAGE_SHIFT = mutants.register("learners", "stage-shift",
                                "stage-dependent counts stored at stage h+1 (clipped at H-1) instead of h")
_REVERSED = mutants.register("learners", "reversed-transition",
                             "counts[g, s', a, s] incremented instead of counts[g, s, a, s'] (s and s' swapped)")
_STALE_SUPPORT = mutants.register("learners", "stale-support",
                                  "the cached posterior support is not invalidated when a new (s, a, s') is observed")
_COUNT_MUTANTS = (_LAST_DROPPED, _STAGE_SHIFT, _REVERSED)


def check_rewards(rewards: Any, S: int, A: int, H: int) -> np.ndarray:
    """Return known mean rewards as a read-only ``(H, S, A)`` float64 array in ``[0, 1]``."""
    if rewards is None:
        raise TypeError("rewards is required: pass the known mean rewards, e.g. rewards=env.R "
                        "(shape (H, S, A) or (S, A))")
    R = as_real_array(rewards, "rewards")  # strings and complex numbers are errors, not a silent cast
    if R.shape == (S, A):
        R = np.broadcast_to(R, (H, S, A))
    if R.shape != (H, S, A):
        raise ValueError(f"rewards has shape {R.shape}, expected (H, S, A) = ({H}, {S}, {A}) or (S, A)")
    bad = ~np.isfinite(R) | (R < 0) | (R > 1)
    if bad.any():
        i = tuple(int(v) for v in np.argwhere(bad)[0])
        raise ValueError(f"rewards{list(i)} = {R[i]} is outside [0, 1]; the regret analyses assume rewards in "
                         "[0, 1] -- rescale with R / R.max()")
    R = np.ascontiguousarray(R)
    R.flags.writeable = False
    return R


def check_trajectory(trajectory: Trajectory, S: int, A: int, H: int) -> tuple[np.ndarray, np.ndarray]:
    """``(states (H+1,), actions (H,))`` of an episode as int64, or a ``ValueError`` naming what is wrong."""
    states = np.asarray(trajectory.states, dtype=np.int64)
    actions = np.asarray(trajectory.actions, dtype=np.int64)
    if states.shape != (H + 1,) or actions.shape != (H,):
        raise ValueError(f"trajectory has states {states.shape} and actions {actions.shape}, expected "
                         f"({H + 1},) and ({H},)")
    if states.min() < 0 or states.max() >= S or actions.min() < 0 or actions.max() >= A:
        raise ValueError(f"trajectory has a state outside 0..{S - 1} or an action outside 0..{A - 1}")
    return states, actions


class EpisodicLearner:
    """Base class: sizes, rewards (known or learnt), transition counts, the RNG and the backend.

    Parameters
    ----------
    S, A, H : int
        Numbers of states, actions and stages.
    rewards : array (H, S, A) or (S, A), or None
        Known mean rewards in ``[0, 1]`` (``reward_model="known"``); ``None`` when the rewards are learnt.
    reward_model : str
        ``"known"`` (default) or one of the learnt models of the class's ``reward_models`` (module docstring).
    rng : int, Generator or None
        Source of all the agent's randomness (posterior samples, Bernoullised rewards).
    stage_dependent : bool
        One posterior per stage (``counts[h]``, the theory's stage-dependent MDP) or one shared by all
        stages (``counts[0]``, the OPSRL experiments' ``stage_dependent: False``).
    backend : {"numba", "numpy"}
        JIT kernels or their NumPy twins (same numbers up to ~1e-15).

    Attributes
    ----------
    counts : ndarray (G, S, A, S)
        ``counts[g, s, a, s']`` observed transitions, ``G = H`` or ``1``.
    R : ndarray (H, S, A) or None
        The known mean rewards (``None`` when learnt).
    reward_stats : ndarray (G, S, A, 2) or None
        Learnt rewards: ``[..., 0]`` sum of the (Bernoullised) rewards, ``[..., 1]`` their number.
    Q : ndarray (H, S, A), V : ndarray (H+1, S)
        The values the last :meth:`policy` call planned with (``None`` before the first call).
    phase_times : dict
        Seconds spent in ``sampling`` and ``planning``.
    """

    name = "learner"
    #: The reward models this class supports (the first is the default).
    reward_models: tuple[str, ...] = ("known",)

    def __init__(self, S: int, A: int, H: int, rewards: Any = None, *, reward_model: str = "known", rng=None,
                 stage_dependent: bool = True, backend: str = "numba") -> None:
        self.S = check_positive_int(S, "S")
        self.A = check_positive_int(A, "A")
        self.H = check_positive_int(H, "H")
        if not isinstance(reward_model, str) or reward_model not in self.reward_models:
            raise ValueError(f"reward_model must be one of {self.reward_models} for {type(self).__name__}, "
                             f"got {reward_model!r}")
        self.reward_model = reward_model
        if reward_model == "known":
            self.R: np.ndarray | None = check_rewards(rewards, self.S, self.A, self.H)
        elif rewards is not None:
            raise ValueError(f"rewards were given but reward_model={reward_model!r} learns them; pass rewards=None "
                             "(or reward_model='known' to plan with the given rewards)")
        else:
            self.R = None
        self.backend = backends.check_backend(backend)
        self.stage_dependent = bool(stage_dependent)
        self.rng = as_generator(rng)
        G = self.H if self.stage_dependent else 1
        self.counts = np.zeros((G, self.S, self.A, self.S))
        self.reward_stats = None if reward_model == "known" else np.zeros((G, self.S, self.A, 2))
        self.Q: np.ndarray | None = None
        self.V: np.ndarray | None = None
        self.phase_times = {"sampling": 0.0, "planning": 0.0}
        self._support_nz: tuple | None = None             # cached CSR pattern of the support (see _support)
        self._support_new: list[np.ndarray] = []          # flat indices of (g, s, a, s') first seen since

    # -- interface ---------------------------------------------------------------------------------
    def policy(self) -> np.ndarray:
        """Plan for the next episode; return the deterministic policy ``(H, S)`` int64."""
        raise NotImplementedError

    def update(self, trajectory: Trajectory) -> None:
        """Add the transitions of one episode to :attr:`counts` (and its rewards to :attr:`reward_stats`)."""
        states, actions = check_trajectory(trajectory, self.S, self.A, self.H)
        g = np.arange(self.H) if self.stage_dependent else np.zeros(self.H, np.int64)
        s, s_next = states[:-1], states[1:]
        rewards = None if self.reward_stats is None else self._observed_rewards(trajectory)
        mutated = any(m.active for m in _COUNT_MUTANTS)
        if mutated:                                       # mutants: the buggy indices, never inside the JIT kernel
            g, s, s_next, actions, rewards = _mutated_transitions(g, s, s_next, actions, rewards, self.H,
                                                                  self.stage_dependent)
        if rewards is not None:
            np.add.at(self.reward_stats, (g, s, actions, 0), rewards)
            np.add.at(self.reward_stats, (g, s, actions, 1), 1.0)
        new = self.counts[g, s, actions, s_next] == 0.0
        if self._support_nz is not None and new.any() and not _STALE_SUPPORT.active:
            # new (s, a, s') pairs: the support grows by these
            self._support_new.append(np.ravel_multi_index((g[new], s[new], actions[new], s_next[new]), self.counts.shape))
        if mutated:
            np.add.at(self.counts, (g, s, actions, s_next), 1.0)
        else:
            backends.pick("learners.count_update", self.backend)(self.counts, states, actions, self.stage_dependent)

    def _observed_rewards(self, trajectory: Trajectory) -> np.ndarray:
        """The episode's rewards as the reward model records them (``Bernoulli(r)`` draws for "beta-bernoulli")."""
        r = np.asarray(trajectory.rewards, dtype=np.float64)
        if r.shape != (self.H,):
            raise ValueError(f"trajectory has rewards of shape {r.shape}, expected ({self.H},)")
        bad = ~(np.isfinite(r) & (r >= 0.0) & (r <= 1.0))
        if bad.any():
            raise ValueError(f"trajectory has a reward outside [0, 1] ({r[bad][0]}); reward_model="
                             f"{self.reward_model!r} needs rewards in [0, 1] -- rescale the environment")
        if self.reward_model == "beta-bernoulli":
            # Bernoulli(r) by comparing one uniform per step: r = 1 is always a success, r = 0 never
            return (self.rng.random(self.H) < r).astype(np.float64)
        return r

    def beta_parameters(self, prior: float) -> tuple[np.ndarray, np.ndarray]:
        """``(a, b)`` of the ``Beta(prior + successes, prior + failures)`` reward posteriors, shape ``(G, S, A)``."""
        succ, n = self.reward_stats[..., 0], self.reward_stats[..., 1]
        return prior + succ, prior + (n - succ)

    def empirical_rewards(self, prior_count: float = 0.0) -> np.ndarray:
        """``(G, S, A)``: ``sum of rewards / (n + prior_count)``, ``0`` where nothing was observed.

        ``prior_count = 0`` is the plain empirical mean (the OPSRL code's UCBVI: running mean started at 0);
        ``1`` is rlberry's RLSVI, whose counts start at one pseudo-observation of reward 0.
        """
        tot, n = self.reward_stats[..., 0], self.reward_stats[..., 1] + prior_count
        return np.divide(tot, n, out=np.zeros_like(tot), where=n > 0)

    @property
    def n_transitions(self) -> int:
        """Number of transitions observed so far (``counts.sum()``)."""
        return int(round(self.counts.sum()))

    def _support(self, alpha: np.ndarray):
        """CSR form ``(ptr, idx, values)`` of the positive entries of ``alpha (G, S, A, S)``.

        ``alpha`` must be ``counts`` plus a constant prior: its zero pattern then changes only when
        :meth:`update` sees a new ``(s, a, s')``. The pattern is built once with a scan of ``alpha`` and
        then updated incrementally: the entries :meth:`update` saw for the first time are inserted into
        the sorted flat indices (``O(nnz + G S A)`` per episode with news, instead of a rescan of the
        ``G S A S`` array, which took 73 % of UCBVI's time on a 300-state Garnet, issue 12).
        """
        flat = alpha.reshape(-1)
        n_rows = alpha.shape[0] * self.S * self.A
        if self._support_nz is None:
            nz = np.flatnonzero(flat)
            ptr = np.zeros(n_rows + 1, np.int64)
            np.cumsum(np.bincount(nz // self.S, minlength=n_rows), out=ptr[1:])
            self._support_nz = (nz, ptr, (nz % self.S).astype(np.int64))
            self._support_new = []
        elif self._support_new:
            nz, ptr, idx = self._support_nz
            new = np.unique(np.concatenate(self._support_new))
            self._support_new = []
            new = new[flat[new] != 0.0]
            pos = np.searchsorted(nz, new)
            present = np.zeros(new.size, dtype=bool)
            inside = pos < nz.size
            present[inside] = nz[pos[inside]] == new[inside]
            fresh = ~present                                                  # not in the pattern yet
            new, pos = new[fresh], pos[fresh]
            if new.size:
                ptr = ptr + np.concatenate(([0], np.cumsum(np.bincount(new // self.S, minlength=n_rows))))
                self._support_nz = (np.insert(nz, pos, new), ptr, np.insert(idx, pos, new % self.S))
        nz, ptr, idx = self._support_nz
        return ptr, idx, flat[nz]

    @property
    def params(self) -> dict:
        """The learner's parameters (besides ``S, A, H``, the rewards and the RNG), for provenance."""
        return {"stage_dependent": self.stage_dependent, "reward_model": self.reward_model}

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v!r}" for k, v in self.params.items())
        return f"{type(self).__name__}(S={self.S}, A={self.A}, H={self.H}, {shown})"


def _mutated_transitions(g, s, s_next, actions, rewards, H: int, stage_dependent: bool):
    """The ``(stage group, s, s', a)`` indices (and rewards) of an episode's steps under the active count mutant."""
    if _STAGE_SHIFT.active and stage_dependent:
        g = np.minimum(g + 1, H - 1)
    if _REVERSED.active:
        s, s_next = s_next, s
    if _LAST_DROPPED.active:
        g, s, s_next, actions = g[:-1], s[:-1], s_next[:-1], actions[:-1]
        rewards = None if rewards is None else rewards[:-1]
    return g, s, s_next, actions, rewards
