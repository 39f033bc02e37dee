"""The episode kernel of :class:`mdptheory.latent.LatentMDP` (``latent.play_episode``) and its NumPy twin.

One episode from ``H + 2`` uniforms: the context ``m`` from the cumulative weights, ``s_1`` from ``nu_m``, then
``H`` steps of the history policy (its table is read at the observation-tree node of the history so far,
:class:`mdptheory.latent.HistoryTree`), next states by inverse CDF. Kept apart from :mod:`mdptheory.latent` so that
``import mdptheory`` does not import Numba.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from . import backends

__all__ = ["play_episode_numpy", "play_episode_numba"]


def _draw(cdf: np.ndarray, u: float) -> int:
    """Inverse-CDF draw: the first index whose cumulative probability exceeds ``u`` (the last one at worst)."""
    n = cdf.shape[0]
    for i in range(n - 1):
        if u < cdf[i]:
            return i
    return n - 1


def play_episode_numpy(w_cdf, nu_cdf, P_cdf, R, cls, offsets, G, policy, u):
    """One episode from the uniforms ``u (H + 2,)`` (the reference of ``latent.play_episode``)."""
    H = offsets.shape[0] - 1
    S = R.shape[1]
    m = _draw(w_cdf, u[0])
    s = _draw(nu_cdf[m], u[1])
    states, actions, rewards = np.empty(H + 1, np.int64), np.empty(H, np.int64), np.empty(H)
    states[0], j = s, s
    for h in range(H):
        a = policy[offsets[h] + j]
        s2 = _draw(P_cdf[m, s, a], u[h + 2])
        actions[h], rewards[h], states[h + 1] = a, R[m, s, a], s2
        j = (j * G + cls[m, s, a]) * S + s2
        s = s2
    return m, states, actions, rewards


_draw_jit = njit(cache=True, nogil=True)(_draw)


@njit(cache=True, nogil=True)
def play_episode_numba(w_cdf, nu_cdf, P_cdf, R, cls, offsets, G, policy, u):
    H = offsets.shape[0] - 1
    S = R.shape[1]
    m = _draw_jit(w_cdf, u[0])
    s = _draw_jit(nu_cdf[m], u[1])
    states = np.empty(H + 1, np.int64)
    actions = np.empty(H, np.int64)
    rewards = np.empty(H)
    states[0] = s
    j = s
    for h in range(H):
        a = policy[offsets[h] + j]
        s2 = _draw_jit(P_cdf[m, s, a], u[h + 2])
        actions[h] = a
        rewards[h] = R[m, s, a]
        states[h + 1] = s2
        j = (j * G + cls[m, s, a]) * S + s2
        s = s2
    return m, states, actions, rewards


backends.register("latent.play_episode", numba=play_episode_numba, numpy=play_episode_numpy)
