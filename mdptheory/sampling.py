"""Sampling: a generative model and episode rollouts under a policy.

Every function takes ``rng`` (an int seed or a ``numpy.random.Generator``): same seed, same samples,
whichever backend runs the rollout.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from . import _sampling_kernels  # noqa: F401  (registers sampling.rollout)
from . import backends
from .episodic import EpisodicMDP
from .finite import FiniteMDP
from .policies import as_stochastic
from .validation import as_generator, check_positive_int


def _row(mdp: FiniteMDP | EpisodicMDP, s: int, a: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Support and probabilities of ``P(. | s, a)`` (stage ``h`` for episodic models)."""
    for name, val, hi in (("s", s, mdp.S), ("a", a, mdp.A)):
        if not 0 <= val < hi:
            raise ValueError(f"{name} = {val} is out of range 0..{hi - 1}")
    if isinstance(mdp, EpisodicMDP):
        if not 0 <= h < mdp.H:
            raise ValueError(f"h = {h} is out of range 0..{mdp.H - 1}")
        p = mdp.P[h, s, a]
    elif mdp.is_sparse:
        row = mdp.P_flat[[s * mdp.A + a]]
        return row.indices, row.data
    else:
        p = mdp.P[s, a]
    support = np.flatnonzero(p)
    return support, p[support]


def sample(mdp: FiniteMDP | EpisodicMDP, s: int, a: int, n: int,
           rng: int | np.random.Generator | None = None, h: int = 0) -> np.ndarray:
    """Draw ``n`` next states from ``P(. | s, a)`` (at stage ``h`` for an ``EpisodicMDP``): int64 ``(n,)``."""
    n = check_positive_int(n, "n")
    support, probs = _row(mdp, s, a, h)
    idx = np.searchsorted(np.cumsum(probs), as_generator(rng).random(n), side="right")
    return support[np.minimum(idx, len(support) - 1)].astype(np.int64)


def sample_counts(mdp: FiniteMDP | EpisodicMDP, n: int, rng: int | np.random.Generator | None = None) -> np.ndarray:
    """Call the generative model ``n`` times at every ``(s, a)`` (and stage); return the counts.

    Shape ``(S, A, S)`` for a ``FiniteMDP``, ``(H, S, A, S)`` for an ``EpisodicMDP``:
    ``counts[..., s, a, s']`` = number of the ``n`` draws from ``(s, a)`` that landed in ``s'``.
    """
    n = check_positive_int(n, "n")
    rng = as_generator(rng)
    P = mdp.dense_P() if isinstance(mdp, FiniteMDP) else mdp.P
    flat = P.reshape(-1, mdp.S)
    counts = np.stack([rng.multinomial(n, row / row.sum()) for row in flat])
    return counts.reshape(P.shape)


@dataclass(frozen=True)
class Episodes:
    """Rollouts as column arrays, each of shape ``(n_episodes, H)``.

    ``s[e, h]``, ``a[e, h]``, ``r[e, h]``, ``s_next[e, h]``: state, action, expected reward and next
    state at step ``h`` of episode ``e``. ``policy`` is the (stochastic form of the) behaviour policy.
    """

    s: np.ndarray
    a: np.ndarray
    r: np.ndarray
    s_next: np.ndarray
    policy: np.ndarray

    @property
    def n_episodes(self) -> int:
        return self.s.shape[0]

    @property
    def horizon(self) -> int:
        return self.s.shape[1]

    def returns(self, gamma: float | None = None) -> np.ndarray:
        """Per-episode (discounted when ``gamma`` is given) sum of rewards, shape ``(n_episodes,)``."""
        if gamma is None:
            return self.r.sum(axis=1)
        return self.r @ (gamma ** np.arange(self.horizon))

    def columns(self) -> dict[str, np.ndarray]:
        """Flat columns ``episode, h, s, a, r, s_next`` of length ``n_episodes * H`` (dataset form)."""
        E, H = self.s.shape
        return {
            "episode": np.repeat(np.arange(E), H), "h": np.tile(np.arange(H), E),
            "s": self.s.ravel(), "a": self.a.ravel(), "r": self.r.ravel(), "s_next": self.s_next.ravel(),
        }


def transition_cdf(mdp: FiniteMDP | EpisodicMDP) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The kernel as CSR rows of cumulative probabilities, the layout the rollout kernels read.

    Returns ``(indptr, indices, cdf)``: row ``s*A + a`` (``FiniteMDP``) or ``(h*S + s)*A + a``
    (``EpisodicMDP``) lists its next states ``indices[indptr[row]:indptr[row+1]]`` with cumulative
    probabilities ``cdf`` over the same slice. Build it once and reuse it across many episodes.
    """
    P = mdp.P_flat if isinstance(mdp, FiniteMDP) else mdp.P.reshape(-1, mdp.S)
    csr = sp.csr_array(P)
    csr.sort_indices()
    # cumulative probabilities within each row
    cdf = np.cumsum(csr.data)
    starts = csr.indptr[:-1]
    offsets = np.concatenate([[0.0], cdf])[starts]
    cdf -= np.repeat(offsets, np.diff(csr.indptr))
    return csr.indptr.astype(np.int64), csr.indices.astype(np.int64), cdf


def deterministic_policy_cdf(policy: np.ndarray, A: int) -> np.ndarray:
    """Cumulative action probabilities ``(..., A)`` of an int policy: 0 before ``policy``, 1 from it on.

    Lets the rollout kernels play a deterministic policy without a per-call validation.
    """
    return (np.arange(A) >= np.asarray(policy)[..., None]).astype(np.float64)


def draw_states(dist: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draws from the distribution ``dist (S,)`` given uniforms ``u``: int64, same shape as ``u``."""
    idx = np.searchsorted(np.cumsum(dist), u, side="right")
    return np.minimum(idx, len(dist) - 1).astype(np.int64)


def rollout(
    mdp: FiniteMDP | EpisodicMDP,
    policy: np.ndarray,
    n_episodes: int,
    rng: int | np.random.Generator | None = None,
    horizon: int | None = None,
    s0: int | None = None,
    backend: str = "numba",
) -> Episodes:
    """Roll out ``n_episodes`` episodes of ``policy``.

    For an ``EpisodicMDP`` the horizon is ``mdp.H``; for a ``FiniteMDP`` pass ``horizon``. Initial
    states are drawn from ``mdp.mu0`` unless ``s0`` fixes one. ``policy`` is any form accepted by
    :func:`mdptheory.policies.as_stochastic`. ``backend="numba"`` runs the JIT kernel,
    ``"numpy"`` its vectorised twin; both consume the same uniforms, so they agree for one seed.
    """
    n_episodes = check_positive_int(n_episodes, "n_episodes")
    episodic = isinstance(mdp, EpisodicMDP)
    if episodic:
        if horizon not in (None, mdp.H):
            raise ValueError(f"horizon = {horizon} but the EpisodicMDP has H = {mdp.H}; omit horizon")
        H = mdp.H
        R = mdp.R
    else:
        if horizon is None:
            raise ValueError("rollout of a FiniteMDP needs horizon=<episode length>")
        H = check_positive_int(horizon, "horizon")
        R = mdp.R[None]
    fn = backends.pick("sampling.rollout", backend)
    pol = as_stochastic(policy, mdp.S, mdp.A, H if episodic else None)
    if pol.ndim == 2:
        pol = pol[None]
    pol_cdf = np.cumsum(pol, axis=-1)
    rng = as_generator(rng)
    if s0 is None:
        starts = draw_states(mdp.mu0, rng.random(n_episodes))
    else:
        if not 0 <= s0 < mdp.S:
            raise ValueError(f"s0 = {s0} is out of range 0..{mdp.S - 1}")
        starts = np.full(n_episodes, s0)
    u = rng.random((n_episodes, H, 2))
    s, a, r, s_next = fn(*transition_cdf(mdp), np.ascontiguousarray(R), pol_cdf, starts.astype(np.int64), u, episodic)
    return Episodes(s, a, r, s_next, pol[0] if pol.shape[0] == 1 else pol)
