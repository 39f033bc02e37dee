"""Same seed, same numbers on both backends, on instances full of exact ties (issue 11, item 4).

OPSRL with ``backend="numba"`` and ``"numpy"`` used to diverge from the first episode of the grid-world:
every action's optimistic value is the same there, and the kernel and ``argmax`` broke the exact tie in Q
differently. The suite now has one tie rule (:func:`mdptheory.policies.greedy`, the kernels'
``greedy_row``); these tests play whole runs on both backends and compare every episode.
"""
from __future__ import annotations

import numpy as np
import pytest

from mdptheory import EpisodicMDP
from mdptheory.envs import gridworld, riverswim
from solvers.learners import OPSRL, PSRL, UCBVI, GreedyPosteriorMean, run


def _recording(cls):
    """``cls`` that also keeps every policy it planned and every episode it was shown."""
    class Recording(cls):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.policies, self.episodes, self.Qs = [], [], []

        def policy(self):
            pi = super().policy()
            self.policies.append(pi.copy())
            self.Qs.append(self.Q.copy())
            return pi

        def update(self, trajectory):
            self.episodes.append(trajectory)
            super().update(trajectory)

    return Recording


def _twin_actions(env: EpisodicMDP) -> EpisodicMDP:
    """``env`` with its last action duplicated: the two copies tie exactly in every model a learner builds
    from the same counts, in every stage, for the whole run."""
    P = np.concatenate([env.P, env.P[:, :, -1:]], axis=2)
    R = np.concatenate([env.R, env.R[:, :, -1:]], axis=2)
    return EpisodicMDP(P, R, env.mu0)


ENVS = {
    "gridworld": lambda: gridworld(4, H=12),                        # symmetric: ties in the first episodes
    "riverswim-twin": lambda: _twin_actions(riverswim(5, H=10)),    # an exact tie at every visit
}
AGENTS = [
    (OPSRL, {}), (OPSRL, {"stage_dependent": True, "clip": "stage"}), (PSRL, {}),
    (UCBVI, {}), (UCBVI, {"bonus": "bernstein"}), (GreedyPosteriorMean, {}),
]


@pytest.mark.parametrize("env_name", sorted(ENVS))
@pytest.mark.parametrize("cls, params", AGENTS, ids=lambda x: x.__name__ if isinstance(x, type) else str(x))
def test_both_backends_play_identical_runs_on_exact_ties(env_name, cls, params):
    env = ENVS[env_name]()
    T = 25
    agents, traces = {}, {}
    for backend in ("numba", "numpy"):
        agents[backend] = _recording(cls)(env.S, env.A, env.H, rewards=env.R, rng=11, backend=backend, **params)
        traces[backend] = run(agents[backend], env, T, rng=12)
    a, b = agents["numba"], agents["numpy"]
    # the instance does exercise the tie rule: some (h, s) has two actions with exactly the same value
    assert any((Q == Q.max(axis=-1, keepdims=True)).sum(axis=-1).max() > 1 for Q in b.Qs)
    for t in range(T):
        assert np.array_equal(a.policies[t], b.policies[t]), f"episode {t}: the two backends planned differently"
        for field in ("states", "actions", "rewards"):
            assert np.array_equal(getattr(a.episodes[t], field), getattr(b.episodes[t], field)), (t, field)
    ta, tb = traces["numba"], traces["numpy"]
    assert np.array_equal(ta.returns, tb.returns) and np.array_equal(a.counts, b.counts)
    # exact policy evaluations of the same policies: equal up to the summation order of the kernels
    np.testing.assert_allclose(ta.regret, tb.regret, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ta.value_estimates, tb.value_estimates, rtol=0, atol=1e-12)
