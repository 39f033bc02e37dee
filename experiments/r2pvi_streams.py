"""The official R2PVI code's random streams and test protocol, so that its published numbers can be reproduced
run for run (a helper module of the R2PVI experiments, no ``NAME``).

The official scripts (``panxulab/Robust-Regularized-Pessimistic-Value-Iteration``) draw everything from NumPy's
legacy global generator, re-seeded at fixed points. Read there, and reproduced here with
:class:`numpy.random.RandomState` (the same generator, the same calls in the same order):

Simulated linear MDP (``Simulated_Linear_MDP/data_collection.py``, ``env.py``, ``train_test.py``):

- dataset of replication ``rep``: seed ``rep``; per trajectory and step, the behaviour action is
  ``choice(16, size=1)`` (uniform over ``itertools.product([-1, 1], repeat=4)``), then the next state
  ``choice(range(1, 5), size=1, p=prob)`` over ``x2..x5`` with the training rows of the transition table;
- test of replication ``rep`` at perturbation ``q``: seed ``rep`` (re-seeded for every ``q``), ``T2 = 100``
  episodes from ``x1``, the next state drawn the same way from the perturbed table; the score is the
  average return.

American put option (``American_put_opt/env.py``, ``data_collection.py``, ``train_test.py``):

- dataset of replication ``rep``: the initial price ``s0 = uniform(95, 105)`` with seed ``rep``, then the
  price paths re-seeded with seed 1 (every replication shares them); ``N`` never-exercise trajectories of
  ``H`` steps, each move ``choice([0, 1], p=[p0, 1 - p0])`` (0 = up by 1.02);
- test (every replication, every up-probability ``p``): seed 1, so ``s0 = 99.17...`` and the same price
  stream for every replication; ``T2 = 100`` episodes; the learned policy exercises where the payoff
  exceeds its continuation estimate; every *hold* (also after exercising, when both values are 0 and the
  hold wins the tie) draws a move.

These are named reproductions of the official protocol, not the suite's own sampling
(:mod:`mdptheory.offline` gives every replication its own stream).
"""
from __future__ import annotations

import itertools

import numpy as np

from mdptheory.envs.american_put import AmericanPut, american_put
from mdptheory.offline import OfflineDataset, constant_policy, uniform_policy

__all__ = ["LINEAR_ACTIONS", "linear_features", "linear_dataset", "linear_test_return",
           "OptionProblem", "option_problem", "option_test_return"]

#: The official action order of the linear MDP (``itertools.product([-1, 1], repeat=4)``); the same as
#: :func:`mdptheory.envs.linear_sim.simulated_linear_mdp_actions`.
LINEAR_ACTIONS = np.array(list(itertools.product((-1, 1), repeat=4)), dtype=np.int64)
LEAK = 0.001       # the official code's leakage to the fail state x4
FAIL, GOAL = 3, 4  # x4, x5


def linear_features(delta: float = 0.3, xi_norm: float = 0.2) -> np.ndarray:
    """Feature table ``(5, 16, 4)`` computed as the official code computes it (``1 - delta - xi . a``,
    ``delta + xi . a`` with ``xi = xi_norm (1,1,1,1) / 4``): the same numbers as
    :func:`~mdptheory.envs.linear_sim.simulated_linear_mdp` up to the last bit, bit for bit the official ones."""
    xi = xi_norm * np.ones(4) / 4.0
    F = np.zeros((5, len(LINEAR_ACTIONS), 4))
    for k, a in enumerate(LINEAR_ACTIONS):
        g = xi @ a
        for s in range(3):
            F[s, k, s] = 1 - delta - g
            F[s, k, 3] = delta + g
    F[FAIL, :, 2] = 1.0
    F[GOAL, :, 3] = 1.0
    return F


def _linear_probs(phi: np.ndarray, h: int, q: float | None) -> list:
    """The official next-state probabilities over x2..x5 at step ``h`` (``q`` = test perturbation)."""
    if h == 0:
        if q is None:
            return [phi[0] * (1 - LEAK), 0, phi[0] * LEAK, phi[3]]
        return [phi[0], 0, q * phi[3], (1 - q) * phi[3]]
    if h == 1:
        if phi[2] == 1:
            return [0, 0, 1, 0]
        if phi[3] == 1:
            return [0, 0, 0, 1]
        return [0, phi[1] * (1 - LEAK), phi[1] * LEAK, phi[3]]
    return [0, 0, phi[2], phi[3]]


_THETA = np.array([[0.0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 1]])


def linear_dataset(seed: int, K: int = 100, delta: float = 0.3, xi_norm: float = 0.2) -> OfflineDataset:
    """Replication ``seed`` of the official linear-MDP dataset (``Offline_Dataset_Collection(K, env, seed)``):
    ``K`` trajectories of the uniform behaviour, ``H = 3``, as an :class:`~mdptheory.offline.OfflineDataset`
    whose feature table is :func:`linear_features`."""
    rs = np.random.RandomState(seed)
    F = linear_features(delta, xi_norm)
    H = 3
    s = np.zeros((H, K), dtype=np.int64)
    a = np.zeros((H, K), dtype=np.int64)
    sn = np.zeros((H, K), dtype=np.int64)
    for k in range(K):
        state = 0
        for h in range(H):
            act = int(rs.choice(range(0, len(LINEAR_ACTIONS)), size=1)[0])
            phi = F[state, act]
            s[h, k], a[h, k] = state, act
            state = int(rs.choice(range(1, 5), size=1, p=_linear_probs(phi, h, None))[0])
            sn[h, k] = state
    s, a, sn = s.ravel(), a.ravel(), sn.ravel()
    phi = F[s, a]
    r = np.einsum("nd,nd->n", phi, _THETA[np.repeat(np.arange(H), K)])
    return OfflineDataset(episode=np.tile(np.arange(K), H), h=np.repeat(np.arange(H), K), s=s, a=a, r=r,
                          s_next=sn, phi=phi, features=F, behaviour=uniform_policy(H, 5, len(LINEAR_ACTIONS)),
                          K=K, H=H, meta={"stream": "official", "seed": seed, "delta": delta, "xi_norm": xi_norm})


def _legacy_choice(p, u: np.ndarray) -> np.ndarray:
    """``RandomState.choice(n, p=p)`` given the uniform draws ``u`` it would consume (one per sample): the
    legacy generator normalises the cumulative sum and takes ``searchsorted(cdf, u, side="right")``."""
    cdf = np.cumsum(np.asarray(p, dtype=np.float64))
    cdf /= cdf[-1]
    return np.searchsorted(cdf, u, side="right")


def linear_test_return(policy: np.ndarray, q: float, seed: int, episodes: int = 100, delta: float = 0.3,
                       xi_norm: float = 0.2) -> float:
    """The official test score of a deterministic ``policy`` (H, 5) in the target environment ``q``: the average
    return of ``episodes`` episodes drawn from seed ``seed`` (``LinearMDP_test(env, q, seed=rep)``).

    Every step of every episode draws exactly one uniform (``choice(range(1, 5), size=1, p=...)``), so the
    episodes' draws are taken at once and the steps run for all episodes together (same numbers as the
    official loop, tested against it)."""
    F = linear_features(delta, xi_norm)
    u = np.random.RandomState(seed).random_sample(episodes * 3).reshape(episodes, 3)
    state = np.zeros(episodes, dtype=np.int64)
    ret = np.zeros(episodes)
    for h in range(3):
        nxt = np.empty(episodes, dtype=np.int64)
        for st in np.unique(state):
            rows = state == st
            phi = F[st, int(policy[h, st])]
            ret[rows] += float(phi @ _THETA[h])
            nxt[rows] = 1 + _legacy_choice(_linear_probs(phi, h, q), u[rows, h])
        state = nxt
    total = 0.0
    for r in ret:                                # the official running sum, in episode order
        total += r / episodes
    return total


# ------------------------------------------------------------------------------------------- the option
class OptionProblem:
    """The official option data of one replication on a joint state space: the training lattice (from the
    replication's ``s0``), the test lattice (from the test ``s0``) and the exercised state (last).

    Attributes
    ----------
    train, test : AmericanPut
        The two lattices (nominal ``p0``; the test environments change only ``p``).
    data : OfflineDataset
        The never-exercise trajectories, indexed in the joint space (training nodes first).
    reward : ndarray (H, S, 2)
        The known exercise payoff on every joint state.
    offset : int
        Index of the test lattice's node 0 in the joint space.
    """

    def __init__(self, train: AmericanPut, test: AmericanPut, data: OfflineDataset, reward: np.ndarray,
                 offset: int) -> None:
        self.train, self.test, self.data, self.reward, self.offset = train, test, data, reward, offset

    def test_policy(self, policy: np.ndarray) -> np.ndarray:
        """``policy`` (H, S_joint) restricted to the test lattice (H, S_test), exercised state last."""
        n = self.test.exercised
        out = np.zeros((policy.shape[0], n + 1), dtype=np.int64)
        out[:, :n] = policy[:, self.offset:self.offset + n]
        out[:, n] = policy[:, -1]
        return out


def _official_s0(seed: int, strike: float = 100.0) -> float:
    return float(np.random.RandomState(seed).uniform(strike - 5, strike + 5, 1)[0])


def option_problem(rep: int, N: int = 100, d: int = 30, H: int = 20, p0: float = 0.5) -> OptionProblem:
    """Replication ``rep`` of the official option experiment: ``s0`` from seed ``rep``, the ``N`` paths from
    seed 1 (``Offline_Dataset_Collection(H, N, American_put_option(p0, d, seed=rep))``), and the test lattice
    from the official test ``s0`` (seed 1)."""
    train = american_put(p0, s0=_official_s0(rep), d=d, H=H)
    test = american_put(p0, s0=_official_s0(1), d=d, H=H)
    n_tr, n_te = train.exercised, test.exercised
    S = n_tr + n_te + 1
    E = S - 1
    feats = np.zeros((S, 2, d))
    feats[:n_tr, 0] = train.features[:n_tr]
    feats[n_tr:E, 0] = test.features[:n_te]
    reward = np.zeros((H, S, 2))
    reward[:, :n_tr, 1] = train.mdp.R[:, :n_tr, 1]
    reward[:, n_tr:E, 1] = test.mdp.R[:, :n_te, 1]
    # every step of every path is one choice([0, 1], p=[p0, 1 - p0]): one uniform each, 0 (up) below cdf[0]
    draws = np.random.RandomState(1).random_sample(N * H).reshape(N, H)
    ups = (_legacy_choice([p0, 1 - p0], draws) == 0).astype(np.int64)
    u = np.concatenate([np.zeros((N, 1), dtype=np.int64), np.cumsum(ups, axis=1)], axis=1)   # ups so far
    hs = np.arange(H + 1)
    node = hs * (hs + 1) // 2 + u                                                          # (N, H+1)
    s, sn = node[:, :H].T.ravel(), node[:, 1:].T.ravel()
    a = np.zeros(N * H, dtype=np.int64)
    data = OfflineDataset(episode=np.tile(np.arange(N), H), h=np.repeat(np.arange(H), N), s=s, a=a,
                          r=np.zeros(N * H), s_next=sn, phi=feats[s, a], features=feats,
                          behaviour=constant_policy(H, S, 2, 0), K=N, H=H,
                          meta={"stream": "official", "rep": rep, "s0": train.s0})
    return OptionProblem(train, test, data, reward, n_tr)


def option_test_return(problem: OptionProblem, policy: np.ndarray, p: float, episodes: int = 100) -> float:
    """The official test score of ``policy`` (H, S_joint) at up-probability ``p``: ``episodes`` episodes on the
    test lattice, moves drawn from seed 1 after the test ``s0`` (the official test environment's stream).

    A hold draws one uniform (``choice([0, 1], p=[p, 1 - p])``), an exercise none; the uniforms are taken at
    once and consumed in order (same numbers as the official loop, tested against it)."""
    rs = np.random.RandomState(1)
    rs.uniform(95, 105, 1)                       # the test s0 (the official constructor's first draw)
    pol = problem.test_policy(policy)
    H = pol.shape[0]
    up = _legacy_choice([p, 1 - p], rs.random_sample(episodes * H)) == 0
    payoff = np.maximum(0.0, problem.test.strike - problem.test.prices)
    k, total = 0, 0.0
    for _ in range(episodes):
        u, exercised, ret = 0, False, 0.0
        for h in range(H):
            node = h * (h + 1) // 2 + u
            if not exercised and pol[h, node] == 1:
                ret += float(payoff[node])
                exercised = True
                continue                         # exercising draws no move
            if not exercised:                    # after exercising the hold still draws (the price is moot)
                u += int(up[k])
            k += 1
        total += ret / episodes
    return total
