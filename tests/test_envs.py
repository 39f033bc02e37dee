"""Environments: structure, known values, and Gymnasium import."""
import numpy as np
import pytest

import solvers

from mdptheory import EpisodicMDP, FiniteMDP
from mdptheory.envs import chain, from_gymnasium, garnet, gridworld, gridworld_cells, riverswim


def _backward_induction(P, R):
    V = np.zeros(P.shape[1])
    for h in range(P.shape[0] - 1, -1, -1):
        V = (R[h] + P[h] @ V).max(axis=1)
    return V


def test_opsrl_gridworld_structure_and_value():
    g = gridworld(10, H=50)
    assert isinstance(g, EpisodicMDP) and (g.H, g.S, g.A) == (50, 100, 4)
    assert g.mu0[0] == 1.0
    cells = gridworld_cells(10)
    corner = cells.index((9, 9))
    assert np.all(g.R[:, corner] == 1.0) and g.R.sum() == 50 * 4
    # interior cell (4, 4), action right: 0.8 to (4, 5), 0.2/3 to each other neighbour
    s = cells.index((4, 4))
    row = g.P[0, s, 1]
    assert row[cells.index((4, 5))] == pytest.approx(0.8)
    for n in [(4, 3), (5, 4), (3, 4)]:
        assert row[cells.index(n)] == pytest.approx(0.2 / 3)
    # moving off the grid: stay with probability 1
    assert g.P[0, cells.index((0, 0)), 0, cells.index((0, 0))] == 1.0
    # spec value V*_1(s_1) ~ 26.135 [D]
    assert _backward_induction(g.P, g.R)[0] == pytest.approx(26.135, abs=5e-4)


def test_gridworld_walls_terminal_and_errors():
    g = gridworld(3, walls=[(1, 1)], terminal=[(2, 2)], rewards={(2, 2): 1.0}, gamma=0.9)
    assert isinstance(g, FiniteMDP) and g.S == 8 + 1  # 8 free cells + sink
    cells = gridworld_cells(3, walls=[(1, 1)])
    t = cells.index((2, 2))
    assert np.all(g.P[t, :, -1] == 1.0) and np.all(g.P[-1, :, -1] == 1.0) and np.all(g.R[-1] == 0)
    # (0, 1) moving down hits the wall: stay
    assert g.P[cells.index((0, 1)), 2, cells.index((0, 1))] == 1.0
    restart = gridworld(3, terminal=[(2, 2)], terminal_mode="restart", gamma=0.9)
    assert restart.S == 9 and restart.P[8, 0, 0] == 1.0
    with pytest.raises(ValueError, match="wall"):
        gridworld(3, walls=[(0, 0)], gamma=0.9)
    with pytest.raises(ValueError, match="success_prob"):
        gridworld(3, success_prob=1.5, gamma=0.9)


def test_riverswim_and_chain():
    r = riverswim(6, gamma=0.95)
    assert r.P[2, 1, 3] == pytest.approx(0.35) and r.P[2, 1, 1] == pytest.approx(0.05)
    assert r.P[0, 1, 0] == pytest.approx(0.65) and r.P[5, 1, 5] == pytest.approx(0.95)
    # an optimal agent swims right: compare the two stationary policies by exact evaluation
    def value(mdp, pi):
        Ppi = mdp.P[np.arange(mdp.S), pi]
        return np.linalg.solve(np.eye(mdp.S) - mdp.gamma * Ppi, mdp.R[np.arange(mdp.S), pi])
    assert value(r, np.ones(6, int))[0] > value(r, np.zeros(6, int))[0]
    c = chain(5, slip=0.2, gamma=0.99)
    assert c.P[0, 0, 1] == pytest.approx(0.8) and c.P[0, 0, 0] == pytest.approx(0.2)
    assert c.R[4, 0] == pytest.approx(0.8 * 10 + 0.2 * 2)
    assert riverswim(4, H=7).H == 7


def test_garnet_branching_and_reproducibility():
    g = garnet(40, 3, 5, rng=7)
    assert np.all((g.P > 0).sum(-1) == 5)
    assert np.array_equal(g.P, garnet(40, 3, 5, rng=7).P)
    sparse = garnet(40, 3, 5, rng=7, sparse=True)
    assert sparse.is_sparse and np.allclose(sparse.dense_P(), g.P)
    assert garnet(10, 2, 3, rng=0, H=4).P.shape == (4, 10, 2, 10)
    with pytest.raises(ValueError, match="branching"):
        garnet(3, 2, 4, rng=0)


def test_from_gymnasium_frozenlake_optimal_policy():
    gym = pytest.importorskip("gymnasium")
    mdp = from_gymnasium(gym.make("FrozenLake-v1"), gamma=0.99)
    assert (mdp.S, mdp.A) == (17, 4)  # 16 cells + terminal sink
    res = solvers.value_iteration(mdp, tol=1e-10)
    assert res.converged
    policy = res.policy[:16]
    # the well-known optimal slippery FrozenLake 4x4 policy (0=left, 1=down, 2=right, 3=up)
    expected = np.array([0, 3, 3, 3, 0, 0, 0, 0, 3, 1, 0, 0, 0, 2, 1, 0])
    decision_states = [s for s in range(16) if s not in (5, 7, 11, 12, 15)]  # holes and goal are terminal
    assert np.array_equal(policy[decision_states], expected[decision_states])
    assert mdp.R[14, 2] == pytest.approx(1 / 3)  # right from 14 reaches the goal w.p. 1/3


def test_from_gymnasium_errors_and_duplicates():
    gym = pytest.importorskip("gymnasium")
    with pytest.raises(TypeError, match="toy-text"):
        from_gymnasium(gym.make("CartPole-v1"))

    class Fake:  # duplicate (s, a, s') entries accumulate
        P = {0: {0: [(0.5, 1, 1.0, False), (0.5, 1, 3.0, False)]}, 1: {0: [(1.0, 1, 0.0, True)]}}
    m = from_gymnasium(Fake(), gamma=0.5)
    assert m.P[0, 0, 1] == 1.0 and m.R[0, 0] == 2.0 and m.P[1, 0, 2] == 1.0


@pytest.mark.parametrize("walls, kind, match", [
    ([(5, 5)], ValueError, r"walls cell \(5, 5\) is outside the 3x4 grid \(rows 0..2, columns 0..3\)"),
    ([(-1, 0)], ValueError, r"walls cell \(-1, 0\) is outside"),
    ([(1, 1, 1)], ValueError, r"walls: \(1, 1, 1\) is not a \(row, col\) pair"),
    ([(1.0, 1)], TypeError, "must hold two integers"),
])
def test_gridworld_wall_outside_the_grid_is_an_error(walls, kind, match):
    """Issue 11, item 5: a wall outside the grid vanished silently (another maze than the user's was solved)."""
    with pytest.raises(kind, match=match):
        gridworld(3, 4, walls=walls, gamma=0.9)
    with pytest.raises(ValueError, match=r"start cell \(3, 0\) is outside"):
        gridworld(3, start=(3, 0), gamma=0.9)
    with pytest.raises(ValueError, match=r"start cell \(1, 1\) is a wall"):
        gridworld(3, walls=[(1, 1)], start=(1, 1), gamma=0.9)
    assert gridworld(3, terminal=iter([(2, 2)]), gamma=0.9).S == 10   # a one-shot iterable is read once
