"""The learners' support pattern is updated incrementally (issue 12, item 5): after every episode it must
equal the pattern a full scan of the counts gives, for UCBVI and OPSRL, shared and stage-dependent
counts, with and without a prior (OPSRL's ``alpha = counts + prior``)."""
from __future__ import annotations

import numpy as np
import pytest

from mdptheory.envs.garnet import garnet
from solvers.learners import OPSRL, UCBVI
from solvers.learners.trace import Trajectory


def full_scan(alpha, S, A):
    flat = alpha.reshape(-1)
    nz = np.flatnonzero(flat)
    ptr = np.zeros(alpha.shape[0] * S * A + 1, np.int64)
    np.cumsum(np.bincount(nz // S, minlength=alpha.shape[0] * S * A), out=ptr[1:])
    return ptr, nz % S, flat[nz]


@pytest.mark.parametrize("make", [
    lambda env, sd: UCBVI(env.S, env.A, env.H, rewards=env.R, rng=0, stage_dependent=sd),
    lambda env, sd: OPSRL(env.S, env.A, env.H, rewards=env.R, rng=0, stage_dependent=sd),
    lambda env, sd: OPSRL(env.S, env.A, env.H, rewards=env.R, rng=0, stage_dependent=sd, prior_alpha=0.5),
])
@pytest.mark.parametrize("stage_dependent", [False, True])
def test_incremental_support_equals_a_full_scan(make, stage_dependent):
    env = garnet(9, 3, 4, rng=1, H=5)
    agent = make(env, stage_dependent)
    rng = np.random.default_rng(2)
    alpha = (lambda: agent.counts + agent.prior_alpha) if isinstance(agent, OPSRL) else (lambda: agent.counts)
    for episode in range(60):
        agent.policy()
        got = agent._support(alpha())
        want = full_scan(alpha(), env.S, env.A)
        for g, w in zip(got, want):
            assert np.array_equal(g, w), episode
        states = rng.integers(env.S, size=env.H + 1)
        if episode % 7 == 3:
            states[:] = states[0]                     # the same new (s, a, s') several times in one episode
        agent.update(Trajectory(states, rng.integers(env.A, size=env.H), np.zeros(env.H)))
    assert agent._support_nz is not None
